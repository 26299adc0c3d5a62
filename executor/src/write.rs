//! Distributed file writes: [`WriteFilesExec`] writes each input partition (one task) as files
//! of a data source format into a job's staging folder, one file per Hive partition folder the
//! task's rows fall into, and returns the list of files it wrote.
//!
//! Nothing becomes visible here: the driver moves exactly the listed files into place once the
//! whole job has succeeded (see the driver's commit), so a failed or retried task, or a failed
//! job, never leaves partial data in a table.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray, UInt32Array};
use arrow::compute::{cast, take};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{EquivalenceProperties, Partitioning, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties};
use futures::StreamExt;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// Spark's folder name for a NULL or empty partition value.
pub const DEFAULT_PARTITION_NAME: &str = "__HIVE_DEFAULT_PARTITION__";

/// What a [`WriteFilesExec`] writes and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteSpec {
    /// Folder the task files go to (created as needed).
    pub staging_dir: PathBuf,
    /// `parquet`, `csv` or `json`.
    pub format: String,
    /// Writer options with lower-case keys, as Spark's `OPTIONS (...)`.
    pub options: BTreeMap<String, String>,
    /// How many trailing input columns are partition columns.
    pub partition_columns: usize,
    /// Job-unique part of file names, so appends never collide with earlier files.
    pub file_id: String,
}

impl WriteSpec {
    /// Checks the format and its options before any task runs.
    ///
    /// # Errors
    /// An unknown format, or an option value the writer cannot use.
    pub fn validate(&self) -> Result<()> {
        WriterOptions::parse(self).map(|_| ())
    }
}

/// The schema of a [`WriteFilesExec`]'s output: one row per file written.
pub fn written_files_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("path", DataType::Utf8, false),
        Field::new("rows", DataType::Int64, false),
    ]))
}

/// Writes its input's partitions as files; see the module documentation.
#[derive(Debug)]
pub struct WriteFilesExec {
    input: Arc<dyn ExecutionPlan>,
    spec: WriteSpec,
    properties: Arc<PlanProperties>,
}

impl WriteFilesExec {
    /// Creates the writer.
    ///
    /// # Errors
    /// More partition columns than input columns, or a bad format or option.
    pub fn try_new(input: Arc<dyn ExecutionPlan>, spec: WriteSpec) -> Result<Self> {
        if spec.partition_columns >= input.schema().fields().len() && spec.partition_columns > 0 {
            return Err(DataFusionError::Plan(
                "a write needs at least one data column besides the partition columns".into(),
            ));
        }
        spec.validate()?;
        let partitions = input.properties().output_partitioning().partition_count();
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(written_files_schema()),
            Partitioning::UnknownPartitioning(partitions),
            EmissionType::Final,
            Boundedness::Bounded,
        ));
        Ok(Self {
            input,
            spec,
            properties,
        })
    }

    /// What this node writes.
    pub fn spec(&self) -> &WriteSpec {
        &self.spec
    }
}

impl DisplayAs for WriteFilesExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "WriteFilesExec: format={}, partition_columns={}, staging={}",
            self.spec.format,
            self.spec.partition_columns,
            self.spec.staging_dir.display()
        )
    }
}

impl ExecutionPlan for WriteFilesExec {
    fn name(&self) -> &str {
        "WriteFilesExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        match <[_; 1]>::try_from(children) {
            Ok([input]) => Ok(Arc::new(Self::try_new(input, self.spec.clone())?)),
            Err(_) => Err(DataFusionError::Internal(
                "WriteFilesExec takes exactly one child".into(),
            )),
        }
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let spec = self.spec.clone();
        let stream = futures::stream::once(write_partition(input, spec, partition));
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            written_files_schema(),
            stream,
        )))
    }
}

/// Streams one partition's batches to a blocking writer thread and returns the files written.
async fn write_partition(
    mut input: SendableRecordBatchStream,
    spec: WriteSpec,
    partition: usize,
) -> Result<RecordBatch> {
    let options = WriterOptions::parse(&spec)?;
    let schema = input.schema();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<RecordBatch>(2);
    let writer = tokio::task::spawn_blocking(move || {
        let mut files = PartitionFiles::new(spec, options, schema, partition);
        while let Some(batch) = rx.blocking_recv() {
            files.write(&batch)?;
        }
        files.finish()
    });
    let mut failure = None;
    while let Some(batch) = input.next().await {
        match batch {
            Ok(batch) => {
                if tx.send(batch).await.is_err() {
                    // The writer stopped early: its error is returned below.
                    break;
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    drop(tx);
    let written = writer
        .await
        .map_err(|e| DataFusionError::Execution(format!("file writer thread failed: {e}")))?;
    if let Some(e) = failure {
        return Err(e);
    }
    let written = written?;
    let paths = StringArray::from_iter_values(written.iter().map(|(p, _)| p.as_str()));
    let rows = Int64Array::from_iter_values(written.iter().map(|(_, r)| *r as i64));
    Ok(RecordBatch::try_new(
        written_files_schema(),
        vec![Arc::new(paths), Arc::new(rows)],
    )?)
}

/// Parsed writer options of one format.
#[derive(Debug, Clone)]
enum WriterOptions {
    Parquet(Compression),
    Csv {
        header: bool,
        delimiter: u8,
        quote: u8,
        escape: u8,
        null: String,
    },
    Json,
}

impl WriterOptions {
    fn parse(spec: &WriteSpec) -> Result<Self> {
        let option = |k: &str| spec.options.get(k).map(String::as_str);
        let bad = |key: &str, value: &str, why: &str| {
            DataFusionError::Plan(format!(
                "[INVALID_OPTION] invalid value '{value}' for option {key}: {why}"
            ))
        };
        let byte = |key: &str, default: u8| -> Result<u8> {
            match option(key) {
                None => Ok(default),
                Some(v) => {
                    let v = v.replace("\\t", "\t");
                    match v.as_bytes() {
                        [b] => Ok(*b),
                        _ => Err(bad(key, &v, "expected a single character")),
                    }
                }
            }
        };
        match spec.format.as_str() {
            "parquet" => {
                let codec = option("compression")
                    .unwrap_or("snappy")
                    .to_ascii_lowercase();
                let compression = match codec.as_str() {
                    "snappy" => Compression::SNAPPY,
                    "none" | "uncompressed" => Compression::UNCOMPRESSED,
                    other => {
                        return Err(bad(
                            "compression",
                            other,
                            "Ember writes Parquet with snappy or uncompressed",
                        ));
                    }
                };
                Ok(Self::Parquet(compression))
            }
            "csv" => {
                let header = match option("header").map(str::to_ascii_lowercase).as_deref() {
                    None | Some("false") => false,
                    Some("true") => true,
                    Some(other) => return Err(bad("header", other, "expected true or false")),
                };
                let delimiter = match option("sep") {
                    Some(_) => byte("sep", b',')?,
                    None => byte("delimiter", b',')?,
                };
                Ok(Self::Csv {
                    header,
                    delimiter,
                    quote: byte("quote", b'"')?,
                    escape: byte("escape", b'\\')?,
                    null: option("nullvalue").unwrap_or("").to_string(),
                })
            }
            "json" => Ok(Self::Json),
            other => Err(DataFusionError::Plan(format!(
                "[UNSUPPORTED_DATA_SOURCE] Ember writes parquet, csv and json, not {other}"
            ))),
        }
    }

    /// The file name extension Spark uses.
    fn extension(&self) -> &'static str {
        match self {
            Self::Parquet(Compression::SNAPPY) => "snappy.parquet",
            Self::Parquet(_) => "parquet",
            Self::Csv { .. } => "csv",
            Self::Json => "json",
        }
    }
}

/// An open output file of one format.
enum FormatWriter {
    Parquet(ArrowWriter<BufWriter<File>>),
    Csv(arrow::csv::Writer<BufWriter<File>>),
    Json(arrow::json::LineDelimitedWriter<BufWriter<File>>),
}

impl FormatWriter {
    fn create(path: &Path, options: &WriterOptions, schema: SchemaRef) -> Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error("create folder", parent, e))?;
        }
        let file = File::create(path).map_err(|e| io_error("create", path, e))?;
        let out = BufWriter::new(file);
        Ok(match options {
            WriterOptions::Parquet(compression) => {
                let props = WriterProperties::builder()
                    .set_compression(*compression)
                    .build();
                Self::Parquet(ArrowWriter::try_new(out, schema, Some(props))?)
            }
            WriterOptions::Csv {
                header,
                delimiter,
                quote,
                escape,
                null,
            } => Self::Csv(
                arrow::csv::WriterBuilder::new()
                    .with_header(*header)
                    .with_delimiter(*delimiter)
                    .with_quote(*quote)
                    .with_escape(*escape)
                    .with_double_quote(false)
                    .with_null(null.clone())
                    .build(out),
            ),
            WriterOptions::Json => Self::Json(arrow::json::LineDelimitedWriter::new(out)),
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        match self {
            Self::Parquet(w) => w.write(batch)?,
            Self::Csv(w) => w.write(batch)?,
            Self::Json(w) => w.write(batch)?,
        }
        Ok(())
    }

    fn finish(self, path: &Path) -> Result<()> {
        let out = match self {
            Self::Parquet(w) => w.into_inner()?,
            Self::Csv(w) => w.into_inner(),
            Self::Json(mut w) => {
                w.finish()?;
                w.into_inner()
            }
        };
        let file = out
            .into_inner()
            .map_err(|e| io_error("write", path, e.into_error()))?;
        file.sync_all().map_err(|e| io_error("sync", path, e))
    }
}

fn io_error(action: &str, path: &Path, e: std::io::Error) -> DataFusionError {
    DataFusionError::Execution(format!("cannot {action} {}: {e}", path.display()))
}

/// The files one task writes: one per partition folder.
struct PartitionFiles {
    spec: WriteSpec,
    options: WriterOptions,
    /// The data columns (without partition columns).
    data_schema: SchemaRef,
    data_columns: usize,
    task: usize,
    /// Open files by partition folder ("" without partitioning), in creation order.
    open: Vec<(String, FormatWriter, u64)>,
    index: HashMap<String, usize>,
    attempt: String,
}

impl PartitionFiles {
    fn new(spec: WriteSpec, options: WriterOptions, schema: SchemaRef, task: usize) -> Self {
        let data_columns = schema.fields().len() - spec.partition_columns;
        let data_schema = Arc::new(Schema::new(schema.fields()[..data_columns].to_vec()));
        Self {
            spec,
            options,
            data_schema,
            data_columns,
            task,
            open: Vec::new(),
            index: HashMap::new(),
            attempt: uuid::Uuid::new_v4().simple().to_string(),
        }
    }

    /// The final path of this task's file in `folder`, relative to the staging folder.
    fn relative_path(&self, folder: &str) -> String {
        let name = format!(
            "part-{:05}-{}.c000.{}",
            self.task,
            self.spec.file_id,
            self.options.extension()
        );
        if folder.is_empty() {
            name
        } else {
            format!("{folder}/{name}")
        }
    }

    /// Where the file is written until the task finishes (renamed into place then).
    fn in_progress_path(&self, folder: &str) -> PathBuf {
        self.spec.staging_dir.join(format!(
            "{}.{}.inprogress",
            self.relative_path(folder),
            self.attempt
        ))
    }

    fn writer(&mut self, folder: &str) -> Result<&mut (String, FormatWriter, u64)> {
        let i = match self.index.get(folder) {
            Some(i) => *i,
            None => {
                let path = self.in_progress_path(folder);
                let writer =
                    FormatWriter::create(&path, &self.options, Arc::clone(&self.data_schema))?;
                self.open.push((folder.to_string(), writer, 0));
                self.index.insert(folder.to_string(), self.open.len() - 1);
                self.open.len() - 1
            }
        };
        Ok(&mut self.open[i])
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let data = RecordBatch::try_new(
            Arc::clone(&self.data_schema),
            batch.columns()[..self.data_columns].to_vec(),
        )?;
        if self.spec.partition_columns == 0 {
            let entry = self.writer("")?;
            entry.1.write(&data)?;
            entry.2 += data.num_rows() as u64;
            return Ok(());
        }
        let folders = partition_folders(batch, self.data_columns)?;
        // Rows of each folder, in first-seen order.
        let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
        let mut group_of: HashMap<&str, usize> = HashMap::new();
        for (row, folder) in folders.iter().enumerate() {
            let g = *group_of.entry(folder.as_str()).or_insert_with(|| {
                groups.push((folder.clone(), Vec::new()));
                groups.len() - 1
            });
            groups[g].1.push(row as u32);
        }
        for (folder, rows) in groups {
            let indices = UInt32Array::from(rows);
            let columns = data
                .columns()
                .iter()
                .map(|c| take(c.as_ref(), &indices, None))
                .collect::<std::result::Result<Vec<ArrayRef>, _>>()?;
            let part = RecordBatch::try_new(Arc::clone(&self.data_schema), columns)?;
            let entry = self.writer(&folder)?;
            entry.1.write(&part)?;
            entry.2 += part.num_rows() as u64;
        }
        Ok(())
    }

    /// Closes every file and renames it into place; returns `(relative path, rows)` per file.
    fn finish(mut self) -> Result<Vec<(String, u64)>> {
        // The first task of an unpartitioned write always leaves a file, so that an empty
        // result still has a readable schema (as Spark does).
        if self.open.is_empty() && self.spec.partition_columns == 0 && self.task == 0 {
            self.writer("")?;
        }
        let mut written = Vec::with_capacity(self.open.len());
        for (folder, writer, rows) in std::mem::take(&mut self.open) {
            let temp = self.in_progress_path(&folder);
            writer.finish(&temp)?;
            let relative = self.relative_path(&folder);
            let target = self.spec.staging_dir.join(&relative);
            std::fs::rename(&temp, &target).map_err(|e| io_error("rename", &temp, e))?;
            written.push((relative, rows));
        }
        Ok(written)
    }
}

/// The Hive partition folder (`a=1/b=x`) of every row, from the trailing partition columns.
fn partition_folders(batch: &RecordBatch, first: usize) -> Result<Vec<String>> {
    let schema = batch.schema();
    let mut folders = vec![String::new(); batch.num_rows()];
    for i in first..batch.num_columns() {
        let name = escape_path_name(schema.field(i).name());
        let values = cast(batch.column(i), &DataType::Utf8)?;
        let values = values
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| DataFusionError::Internal("cast to Utf8 gave no strings".into()))?;
        for (row, folder) in folders.iter_mut().enumerate() {
            if !folder.is_empty() {
                folder.push('/');
            }
            folder.push_str(&name);
            folder.push('=');
            match values.is_valid(row).then(|| values.value(row)) {
                Some(v) if !v.is_empty() => folder.push_str(&escape_path_name(v)),
                _ => folder.push_str(DEFAULT_PARTITION_NAME),
            }
        }
    }
    Ok(folders)
}

/// Escapes a partition column name or value for a folder name as Spark does (`%XX`).
pub fn escape_path_name(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        let escape = matches!(
            c,
            '\u{01}'
                ..='\u{1F}'
                    | '"'
                    | '#'
                    | '%'
                    | '\''
                    | '*'
                    | '/'
                    | ':'
                    | '='
                    | '?'
                    | '\\'
                    | '\u{7F}'
                    | '{'
                    | '['
                    | ']'
                    | '^'
        );
        if escape {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int32Array;
    use datafusion::datasource::memory::MemorySourceConfig;
    use datafusion::physical_plan::collect;

    #[test]
    fn escapes_like_spark() {
        assert_eq!(escape_path_name("a/b=c%"), "a%2Fb%3Dc%25");
        assert_eq!(escape_path_name("plain value"), "plain value");
    }

    #[tokio::test]
    async fn writes_one_file_per_partition_folder() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| DataFusionError::External(Box::new(e)))?;
        let schema = Arc::new(Schema::new(vec![
            Field::new("v", DataType::Int32, false),
            Field::new("p", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(Int32Array::from(vec![1, 2, 3, 4])),
                Arc::new(StringArray::from(vec![
                    Some("x"),
                    None,
                    Some("x"),
                    Some("a/b"),
                ])),
            ],
        )?;
        let input = MemorySourceConfig::try_new_exec(&[vec![batch]], schema, None)?;
        let spec = WriteSpec {
            staging_dir: dir.path().to_path_buf(),
            format: "csv".into(),
            options: BTreeMap::new(),
            partition_columns: 1,
            file_id: "job".into(),
        };
        let plan = Arc::new(WriteFilesExec::try_new(input, spec)?);
        let out = collect(plan, Arc::new(TaskContext::default())).await?;
        let paths = out[0]
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .map(|a| a.iter().flatten().map(str::to_string).collect::<Vec<_>>())
            .unwrap_or_default();
        assert_eq!(
            paths,
            vec![
                "p=x/part-00000-job.c000.csv",
                "p=__HIVE_DEFAULT_PARTITION__/part-00000-job.c000.csv",
                "p=a%2Fb/part-00000-job.c000.csv",
            ]
        );
        let x = std::fs::read_to_string(dir.path().join(&paths[0]))
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        assert_eq!(x, "1\n3\n");
        let leftovers = std::fs::read_dir(dir.path().join("p=x"))
            .map_err(|e| DataFusionError::External(Box::new(e)))?
            .count();
        assert_eq!(leftovers, 1, "no in-progress files remain");
        Ok(())
    }
}
