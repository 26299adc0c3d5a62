//! Ember's table catalog: Spark's databases and tables (`CREATE TABLE`, `CREATE DATABASE`),
//! persisted under the warehouse folder so that a table created by one `ember sql` run is there
//! for the next, as with spark-sql's metastore.
//!
//! Layout under `spark.sql.warehouse.dir`:
//! - managed table data: `<warehouse>/<table>` (database `default`), `<warehouse>/<db>.db/<table>`;
//! - table definitions: `<warehouse>/.ember-catalog/<db>/<table>.json` (format, options,
//!   partition columns, location, schema).
//!
//! Temporary views are not here: they live in the session only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::TableProvider;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::csv::CsvFormat;
use datafusion::datasource::file_format::json::JsonFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::provider_as_source;
use datafusion::datasource::view::ViewTable;
use datafusion::logical_expr::{Expr, LogicalPlanBuilder, cast, col, lit, when};
use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};

use crate::error::{EmberError, Result};

/// The data sources Ember reads and writes.
pub const PROVIDERS: [&str; 3] = ["parquet", "csv", "json"];

/// Folder (inside the warehouse) of the table definitions.
const CATALOG_DIR: &str = ".ember-catalog";

/// Spark's folder name for a NULL partition value.
const DEFAULT_PARTITION_NAME: &str = ember_executor::write::DEFAULT_PARTITION_NAME;

/// The definition of one table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableMeta {
    /// Spark database name (`default` for DataFusion's `public` schema).
    pub database: String,
    /// Table name, lower case.
    pub name: String,
    /// `parquet`, `csv` or `json`.
    pub provider: String,
    /// Data source options (`OPTIONS (...)`), lower-case keys.
    pub options: BTreeMap<String, String>,
    /// Hive partition columns: the last columns of `schema`, in folder order.
    pub partition_columns: Vec<String>,
    /// Absolute folder of the data.
    pub location: PathBuf,
    /// True when Ember owns the data (deleted by `DROP TABLE`); false for `LOCATION` tables.
    pub managed: bool,
    /// `COMMENT '...'`.
    #[serde(default)]
    pub comment: Option<String>,
    /// Table schema, partition columns last.
    pub schema: Schema,
}

impl TableMeta {
    /// The data columns (without partition columns), as stored in files.
    pub fn data_schema(&self) -> SchemaRef {
        let fields = self.schema.fields();
        let n = fields.len().saturating_sub(self.partition_columns.len());
        Arc::new(Schema::new(fields[..n].to_vec()))
    }

    /// Why this definition, read from `<database>/<table>.json`, cannot be used, if it cannot:
    /// the file is outside Ember's control, and what it says is arithmetic for the reader.
    fn check(&self, database: &str, table: &str) -> std::result::Result<(), String> {
        if self.database != database || self.name != table {
            return Err(format!(
                "it describes {}.{} but is stored as {database}.{table}",
                self.database, self.name
            ));
        }
        if !PROVIDERS.contains(&self.provider.as_str()) {
            return Err(format!("unknown provider {:?}", self.provider));
        }
        if !self.location.is_absolute() {
            return Err(format!(
                "location {} is not absolute",
                self.location.display()
            ));
        }
        let fields = self.schema.fields();
        let Some(first) = fields.len().checked_sub(self.partition_columns.len()) else {
            return Err(format!(
                "{} partition columns for {} columns",
                self.partition_columns.len(),
                fields.len()
            ));
        };
        if fields[first..]
            .iter()
            .zip(&self.partition_columns)
            .any(|(f, p)| f.name() != p)
        {
            return Err("the partition columns are not the schema's last columns".into());
        }
        Ok(())
    }
}

/// Reads and checks the definition at `path` of `database`.`table`.
fn read_meta(path: &Path, database: &str, table: &str) -> std::result::Result<TableMeta, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let meta: TableMeta = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    meta.check(database, table)?;
    Ok(meta)
}

/// The persistent catalog of one warehouse folder.
#[derive(Debug, Clone)]
pub struct Catalog {
    warehouse: PathBuf,
}

impl Catalog {
    /// A catalog for `warehouse` (made absolute against the working directory).
    ///
    /// # Errors
    /// The working directory cannot be read.
    pub fn new(warehouse: &str) -> Result<Self> {
        let path = Path::new(warehouse.strip_prefix("file:").unwrap_or(warehouse));
        let warehouse = std::path::absolute(path)
            .map_err(|e| EmberError::io(format!("cannot resolve the warehouse {warehouse}"), e))?;
        Ok(Self { warehouse })
    }

    /// The warehouse folder.
    pub fn warehouse(&self) -> &Path {
        &self.warehouse
    }

    /// Where a managed table's data goes, as Spark lays it out.
    pub fn default_location(&self, database: &str, table: &str) -> PathBuf {
        if database == "default" {
            self.warehouse.join(table)
        } else {
            self.warehouse.join(format!("{database}.db")).join(table)
        }
    }

    fn meta_dir(&self, database: &str) -> PathBuf {
        self.warehouse.join(CATALOG_DIR).join(database)
    }

    fn meta_path(&self, database: &str, table: &str) -> PathBuf {
        self.meta_dir(database).join(format!("{table}.json"))
    }

    /// Records a database (its folder and its catalog folder).
    ///
    /// # Errors
    /// The folders cannot be created.
    pub fn create_database(&self, database: &str) -> Result<()> {
        let dirs = [
            self.meta_dir(database),
            self.warehouse.join(format!("{database}.db")),
        ];
        for dir in dirs {
            std::fs::create_dir_all(&dir)
                .map_err(|e| EmberError::io(format!("cannot create {}", dir.display()), e))?;
        }
        Ok(())
    }

    /// The databases recorded in the warehouse (besides `default`).
    pub fn databases(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.warehouse.join(CATALOG_DIR))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n != "default")
            .collect();
        names.sort();
        names
    }

    /// Every table definition of `database`. Unreadable definitions are skipped with a warning
    /// (one broken file must not make every other table unusable).
    pub fn tables(&self, database: &str) -> Vec<TableMeta> {
        let mut tables = Vec::new();
        for entry in std::fs::read_dir(self.meta_dir(database))
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = entry.path();
            let Some(table) = path
                .file_stem()
                .and_then(|s| s.to_str())
                .filter(|_| path.extension().and_then(|e| e.to_str()) == Some("json"))
            else {
                continue;
            };
            match read_meta(&path, database, table) {
                Ok(meta) => tables.push(meta),
                Err(e) => {
                    tracing::warn!("ignoring the table definition {}: {e}", path.display())
                }
            }
        }
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        tables
    }

    /// The definition of one table, if it is in the catalog.
    /// A definition that cannot be read or used is not there (with a warning).
    pub fn table(&self, database: &str, table: &str) -> Option<TableMeta> {
        let path = self.meta_path(database, table);
        if !path.exists() {
            return None;
        }
        read_meta(&path, database, table)
            .map_err(|e| tracing::warn!("ignoring the table definition {}: {e}", path.display()))
            .ok()
    }

    /// Saves a table definition (atomically: written aside, then renamed).
    ///
    /// # Errors
    /// The definition cannot be written.
    pub fn save(&self, meta: &TableMeta) -> Result<()> {
        let dir = self.meta_dir(&meta.database);
        std::fs::create_dir_all(&dir)
            .map_err(|e| EmberError::io(format!("cannot create {}", dir.display()), e))?;
        let path = self.meta_path(&meta.database, &meta.name);
        let temp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(meta)
            .map_err(|e| EmberError::Internal(format!("cannot encode a table definition: {e}")))?;
        std::fs::write(&temp, bytes)
            .and_then(|()| std::fs::rename(&temp, &path))
            .map_err(|e| EmberError::io(format!("cannot write {}", path.display()), e))
    }

    /// Forgets a table definition (the data is the caller's business).
    ///
    /// # Errors
    /// The definition exists but cannot be removed.
    pub fn remove(&self, database: &str, table: &str) -> Result<()> {
        let path = self.meta_path(database, table);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(EmberError::io(
                format!("cannot remove {}", path.display()),
                e,
            )),
        }
    }
}

/// The DataFusion schema of a Spark database: Spark's `default` is DataFusion's `public`.
pub fn schema_name(database: &str) -> String {
    if database.eq_ignore_ascii_case("default") {
        "public".to_string()
    } else {
        database.to_ascii_lowercase()
    }
}

/// The Spark database of a DataFusion schema.
pub fn database_name(schema: &str) -> String {
    if schema == "public" {
        "default".to_string()
    } else {
        schema.to_string()
    }
}

/// The file format, extension and listing options of a table's provider.
fn listing_options(meta: &TableMeta) -> Result<ListingOptions> {
    let option = |k: &str| meta.options.get(k).map(String::as_str);
    let (format, extension): (Arc<dyn FileFormat>, &str) = match meta.provider.as_str() {
        "parquet" => (Arc::new(ParquetFormat::default()), ".parquet"),
        "json" => (Arc::new(JsonFormat::default()), ".json"),
        "csv" => {
            let header = option("header").is_some_and(|v| v.eq_ignore_ascii_case("true"));
            let sep = option("sep")
                .or_else(|| option("delimiter"))
                .map(|s| s.replace("\\t", "\t"));
            // Read back what Ember's writer wrote: `\` escapes quotes (Spark's default).
            let byte = |k: &str, default: u8| {
                option(k)
                    .and_then(|v| v.as_bytes().first().copied())
                    .unwrap_or(default)
            };
            let mut format = CsvFormat::default()
                .with_has_header(header)
                .with_quote(byte("quote", b'"'))
                .with_escape(Some(byte("escape", b'\\')));
            if let Some(sep) = sep {
                match sep.as_bytes() {
                    [b] => format = format.with_delimiter(*b),
                    _ => {
                        return Err(EmberError::config(
                            "sep",
                            &sep,
                            "expected a single character",
                        ));
                    }
                }
            }
            (Arc::new(format), ".csv")
        }
        other => {
            return Err(EmberError::config(
                "USING",
                other,
                "supported data sources are parquet, csv and json",
            ));
        }
    };
    // Partition values are read as text and typed by the view built over the listing.
    let partition_cols = meta
        .partition_columns
        .iter()
        .map(|c| (c.clone(), DataType::Utf8))
        .collect();
    Ok(ListingOptions::new(format)
        .with_file_extension(extension)
        .with_table_partition_cols(partition_cols))
}

/// The provider that reads a table: a listing of its folder, under a view that types the
/// partition columns (Spark's NULL partition folder becomes NULL).
///
/// # Errors
/// Bad options or a location that is not a valid path.
pub fn provider(meta: &TableMeta) -> Result<Arc<dyn TableProvider>> {
    let mut location = meta.location.to_string_lossy().into_owned();
    if !location.ends_with('/') {
        location.push('/');
    }
    let url = ListingTableUrl::parse(&location)?;
    let config = ListingTableConfig::new(url)
        .with_listing_options(listing_options(meta)?)
        .with_schema(meta.data_schema());
    let listing: Arc<dyn TableProvider> = Arc::new(ListingTable::try_new(config)?);
    if meta.partition_columns.is_empty() {
        return Ok(listing);
    }
    let exprs: Vec<Expr> = meta
        .schema
        .fields()
        .iter()
        .map(|f| partition_or_data_column(meta, f))
        .collect::<Result<_>>()?;
    let plan = LogicalPlanBuilder::scan(
        format!("__ember_files_{}", meta.name),
        provider_as_source(listing),
        None,
    )?
    .project(exprs)?
    .build()?;
    Ok(Arc::new(ViewTable::new(plan, None)))
}

fn partition_or_data_column(meta: &TableMeta, field: &Field) -> Result<Expr> {
    let column = col(datafusion::common::Column::from_name(field.name()));
    if !meta.partition_columns.contains(field.name()) {
        return Ok(column.alias(field.name()));
    }
    let value = when(
        column.clone().eq(lit(DEFAULT_PARTITION_NAME)),
        lit(datafusion::scalar::ScalarValue::Null),
    )
    .otherwise(column)?;
    Ok(cast(value, field.data_type().clone()).alias(field.name()))
}

/// The DataFusion schema of `database`, created when missing.
fn schema_provider(
    ctx: &SessionContext,
    database: &str,
) -> Result<Arc<dyn datafusion::catalog::SchemaProvider>> {
    let catalog = ctx
        .catalog("datafusion")
        .ok_or_else(|| EmberError::Internal("the session has no default catalog".into()))?;
    let name = schema_name(database);
    if let Some(schema) = catalog.schema(&name) {
        return Ok(schema);
    }
    let schema: Arc<dyn datafusion::catalog::SchemaProvider> =
        Arc::new(datafusion::catalog::MemorySchemaProvider::new());
    catalog.register_schema(&name, Arc::clone(&schema))?;
    Ok(schema)
}

/// Makes a catalog table readable in the session (replacing a registration of the same name).
///
/// # Errors
/// The table's definition cannot be turned into a provider.
pub fn register(meta: &TableMeta, ctx: &SessionContext) -> Result<()> {
    let schema = schema_provider(ctx, &meta.database)?;
    let table = provider(meta)?;
    schema.deregister_table(&meta.name)?;
    schema.register_table(meta.name.clone(), table)?;
    Ok(())
}

/// Registers every database and table of the warehouse in a new session. A table that cannot
/// be registered is skipped with a warning.
///
/// # Errors
/// A database schema cannot be created.
pub fn register_all(catalog: &Catalog, ctx: &SessionContext) -> Result<()> {
    let mut databases = vec!["default".to_string()];
    databases.extend(catalog.databases());
    for database in databases {
        schema_provider(ctx, &database)?;
        for meta in catalog.tables(&database) {
            if let Err(e) = register(&meta, ctx) {
                tracing::warn!("ignoring table {}.{}: {e}", meta.database, meta.name);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(name: &str, partition_columns: &[&str]) -> TableMeta {
        TableMeta {
            database: "default".into(),
            name: name.into(),
            provider: "parquet".into(),
            options: BTreeMap::new(),
            partition_columns: partition_columns.iter().map(|c| c.to_string()).collect(),
            location: PathBuf::from("/data").join(name),
            managed: false,
            comment: None,
            schema: Schema::new(vec![
                Field::new("a", DataType::Int32, true),
                Field::new("b", DataType::Utf8, true),
            ]),
        }
    }

    #[test]
    fn malformed_definitions_are_skipped_not_trusted() -> std::result::Result<(), String> {
        let temp = tempfile::tempdir().map_err(|e| e.to_string())?;
        let dir = temp.path();
        let catalog = Catalog::new(&dir.to_string_lossy()).map_err(|e| e.to_string())?;
        catalog
            .save(&meta("good", &["b"]))
            .map_err(|e| e.to_string())?;
        // More partition columns than columns: the reader's arithmetic used to underflow.
        catalog
            .save(&meta("too_many", &["a", "b", "c"]))
            .map_err(|e| e.to_string())?;
        catalog
            .save(&meta("not_last", &["a"]))
            .map_err(|e| e.to_string())?;
        let folder = dir.join(CATALOG_DIR).join("default");
        std::fs::write(
            folder.join("cut.json"),
            b"{\"database\": \"default\", \"name\": ",
        )
        .map_err(|e| e.to_string())?;
        let mut renamed = meta("other", &[]);
        renamed.name = "elsewhere".into();
        let bytes = serde_json::to_vec(&renamed).map_err(|e| e.to_string())?;
        std::fs::write(folder.join("other.json"), bytes).map_err(|e| e.to_string())?;

        let names: Vec<String> = catalog
            .tables("default")
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, vec!["good".to_string()]);
        for bad in ["too_many", "not_last", "cut", "other"] {
            assert_eq!(catalog.table("default", bad), None, "{bad}");
        }
        assert_eq!(
            meta("too_many", &["a", "b", "c"])
                .data_schema()
                .fields()
                .len(),
            0
        );
        Ok(())
    }
}
