//! Spark data sources: `USING parquet|csv|json OPTIONS (...)` and `` format.`path` ``, mapped onto
//! DataFusion's listing tables with Spark's defaults.
//!
//! Spark's CSV reader, unlike DataFusion's, reads every column as a string unless
//! `inferSchema` is true, and names headerless columns `_c0`, `_c1`, ...; both are reproduced.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::file_format::options::{
    CsvReadOptions, JsonReadOptions, ParquetReadOptions,
};
use datafusion::prelude::SessionContext;

use crate::error::{EmberError, Result};

/// A data source named in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSource {
    /// `parquet`, `csv` or `json`.
    pub format: String,
    /// Options with lower-cased keys (Spark's option keys are case-insensitive).
    pub options: BTreeMap<String, String>,
}

impl DataSource {
    /// Builds a source, checking the format.
    ///
    /// # Errors
    /// A format Ember cannot read.
    pub fn new(format: &str, options: BTreeMap<String, String>) -> Result<Self> {
        let format = format.to_ascii_lowercase();
        match format.as_str() {
            "parquet" | "csv" | "json" => Ok(Self { format, options }),
            other => Err(EmberError::config(
                "USING",
                other,
                "supported data sources are parquet, csv and json",
            )),
        }
    }

    fn option(&self, key: &str) -> Option<&str> {
        self.options.get(key).map(String::as_str)
    }

    fn flag(&self, key: &str, default: bool) -> Result<bool> {
        match self.option(key).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(EmberError::config(key, other, "expected true or false")),
        }
    }

    fn byte(&self, keys: &[&str], default: u8) -> Result<u8> {
        for key in keys {
            if let Some(v) = self.option(key) {
                let v = v.replace("\\t", "\t");
                return match v.as_bytes() {
                    [b] => Ok(*b),
                    _ => Err(EmberError::config(key, &v, "expected a single character")),
                };
            }
        }
        Ok(default)
    }

    /// The `path` option.
    pub fn path(&self) -> Result<String> {
        self.option("path")
            .map(str::to_string)
            .ok_or_else(|| EmberError::config("OPTIONS", "", "the data source needs a path option"))
    }

    /// Registers the source as table `name` in `ctx`.
    ///
    /// # Errors
    /// Bad options, or files that cannot be listed or read.
    pub async fn register(&self, ctx: &SessionContext, name: &str) -> Result<()> {
        let path = self.path()?;
        if !path.contains("://") && !std::path::Path::new(&path).exists() {
            return Err(EmberError::Plan(datafusion::error::DataFusionError::Plan(
                format!("[PATH_NOT_FOUND] Path does not exist: {path}"),
            )));
        }
        // A folder (as Spark writes them) holds part files with the format's extension next to
        // `_SUCCESS` and checksum files; a single file is read whatever its name.
        let is_dir = std::path::Path::new(&path).is_dir();
        let extension = |ext: &'static str| if is_dir { ext } else { "" };
        match self.format.as_str() {
            "parquet" => {
                let options = ParquetReadOptions::default().file_extension(extension(".parquet"));
                ctx.register_parquet(name, &path, options).await?;
            }
            "json" => {
                let options = JsonReadOptions::default().file_extension(extension(".json"));
                ctx.register_json(name, &path, options).await?;
            }
            _ => {
                let header = self.flag("header", false)?;
                let infer = self.flag("inferschema", false)?;
                let delimiter = self.byte(&["sep", "delimiter"], b',')?;
                let quote = self.byte(&["quote"], b'"')?;
                let base = CsvReadOptions::new()
                    .has_header(header)
                    .delimiter(delimiter)
                    .quote(quote)
                    .file_extension(extension(".csv"));
                // Read the file's columns once to name (and, without inferSchema, type) them.
                let inferred = ctx
                    .read_csv(&path, base.clone())
                    .await?
                    .schema()
                    .as_arrow()
                    .clone();
                let fields: Vec<Field> = inferred
                    .fields()
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let name = if header {
                            f.name().clone()
                        } else {
                            format!("_c{i}")
                        };
                        let data_type = if infer {
                            f.data_type().clone()
                        } else {
                            DataType::Utf8
                        };
                        Field::new(name, data_type, true)
                    })
                    .collect();
                let schema = Arc::new(Schema::new(fields));
                ctx.register_csv(name, &path, base.schema(&schema)).await?;
            }
        }
        Ok(())
    }
}

/// Finds Spark's direct file references (`` parquet.`/data/t` ``, `` csv.`...` ``,
/// `` json.`...` ``) outside string literals. Returns the SQL with each reference replaced by
/// a table name of the form `__ember_file_N`, and the `(name, source)` pairs to register.
pub fn file_references(sql: &str) -> (String, Vec<(String, DataSource)>) {
    let mut out = String::with_capacity(sql.len());
    let mut found = Vec::new();
    let mut chars = sql.char_indices().peekable();
    let mut in_string: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        if let Some(q) = in_string {
            out.push(c);
            if c == q {
                in_string = None;
            }
            continue;
        }
        if c == '\'' || c == '"' {
            in_string = Some(c);
            out.push(c);
            continue;
        }
        if c == '`' {
            // Is the text before the backtick `format .`?
            let before = out.trim_end();
            if let Some(prefix) = before.strip_suffix('.') {
                let prefix = prefix.trim_end();
                let start = prefix
                    .char_indices()
                    .rev()
                    .find(|(_, ch)| !ch.is_ascii_alphanumeric() && *ch != '_')
                    .map_or(0, |(p, ch)| p + ch.len_utf8());
                let format = prefix[start..].to_ascii_lowercase();
                if matches!(format.as_str(), "parquet" | "csv" | "json")
                    && let Some(end) = sql[i + 1..].find('`')
                {
                    let path = &sql[i + 1..i + 1 + end];
                    let name = format!("__ember_file_{}", found.len());
                    let options = BTreeMap::from([("path".to_string(), path.to_string())]);
                    if let Ok(source) = DataSource::new(&format, options) {
                        out.truncate(start);
                        out.push_str(&name);
                        found.push((name, source));
                        // Skip the path and the closing backtick.
                        for _ in 0..=path.chars().count() {
                            chars.next();
                        }
                        continue;
                    }
                }
            }
        }
        out.push(c);
    }
    (out, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_direct_file_references() {
        let (sql, refs) = file_references(
            "SELECT * FROM parquet.`/d/t` JOIN csv . `/x.csv` c ON 'parquet.`no`' = c._c0",
        );
        assert_eq!(
            sql,
            "SELECT * FROM __ember_file_0 JOIN __ember_file_1 c ON 'parquet.`no`' = c._c0"
        );
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].1.format, "parquet");
        assert_eq!(refs[1].1.path().ok().as_deref(), Some("/x.csv"));
        let (sql, refs) = file_references("SELECT café.`x` FROM café, é.parquet.`/d/é`");
        assert_eq!(sql, "SELECT café.`x` FROM café, é.__ember_file_0");
        assert_eq!(refs[0].1.path().ok().as_deref(), Some("/d/é"));
        let (same, none) = file_references("SELECT `a.b` FROM t");
        assert_eq!(same, "SELECT `a.b` FROM t");
        assert!(none.is_empty());
    }
}
