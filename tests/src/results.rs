//! Query results as files every engine writes the same way, and their comparison.
//!
//! A result file (`qN.tsv`) holds a line of column types by Spark's names (`int`, `bigint`,
//! `double`, `decimal(15,2)`, `string`, `date`…), then one line per row, tab-separated, NULL as
//! `\N`. Types must be the same; integers and strings compare exactly, floats within a relative
//! 1e-9, decimals by value and by scale (the digits as printed), and rows in order (the
//! benchmark queries order their results).

use std::path::Path;

use arrow::array::{Array, RecordBatch};
use arrow::datatypes::Schema;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use ember_spark::format::spark_type_name;

/// How values of a column of Spark type `name` compare.
fn kind(name: &str) -> &'static str {
    match name {
        "tinyint" | "smallint" | "int" | "bigint" => "int",
        "float" | "double" => "float",
        _ if name.starts_with("decimal(") => "decimal",
        _ => "string",
    }
}

/// Arrow batches of `schema` as a result, with the types and texts a result file holds.
///
/// # Errors
/// A value cannot be formatted.
pub fn from_batches(schema: &Schema, batches: &[RecordBatch]) -> Result<ResultFile, String> {
    let types = schema
        .fields()
        .iter()
        .map(|f| spark_type_name(f.data_type()))
        .collect();
    let options = FormatOptions::default();
    let mut rows = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        for row in 0..batch.num_rows() {
            rows.push(
                batch
                    .columns()
                    .iter()
                    .zip(&formatters)
                    .map(|(c, f)| {
                        if c.is_null(row) {
                            "\\N".to_string()
                        } else {
                            f.value(row).to_string().replace(['\t', '\n'], " ")
                        }
                    })
                    .collect(),
            );
        }
    }
    Ok(ResultFile { types, rows })
}

/// Writes Arrow batches as a result file.
///
/// # Errors
/// The file cannot be written, or a value cannot be formatted.
pub fn write_batches(path: &Path, batches: &[RecordBatch]) -> Result<(), String> {
    let schema = batches
        .first()
        .map(|b| b.schema())
        .unwrap_or_else(|| std::sync::Arc::new(Schema::empty()));
    let result = from_batches(&schema, batches)?;
    let mut out = String::new();
    if !result.types.is_empty() {
        out.push_str(&result.types.join("\t"));
        out.push('\n');
    }
    for row in &result.rows {
        out.push_str(&row.join("\t"));
        out.push('\n');
    }
    std::fs::write(path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A parsed result file.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultFile {
    pub types: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Reads a result file.
///
/// # Errors
/// The file cannot be read.
pub fn read(path: &Path) -> Result<ResultFile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text.lines();
    let types = lines
        .next()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .unwrap_or_default();
    let rows = lines
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    Ok(ResultFile { types, rows })
}

fn floats_agree(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-9)
}

/// Compares `actual` with the `reference` result; `Err` says where they first differ.
pub fn compare(actual: &ResultFile, reference: &ResultFile) -> Result<(), String> {
    if actual.types != reference.types {
        return Err(format!(
            "column types ({}), reference ({})",
            actual.types.join(", "),
            reference.types.join(", ")
        ));
    }
    if actual.rows.len() != reference.rows.len() {
        return Err(format!(
            "{} rows, reference {}",
            actual.rows.len(),
            reference.rows.len()
        ));
    }
    for (i, (a, r)) in actual.rows.iter().zip(&reference.rows).enumerate() {
        if a.len() != r.len() {
            return Err(format!(
                "row {i}: {} columns, reference {}",
                a.len(),
                r.len()
            ));
        }
        for (c, (x, y)) in a.iter().zip(r).enumerate() {
            let same = x == y
                || (kind(&reference.types[c]) == "float"
                    && match (x.parse::<f64>(), y.parse::<f64>()) {
                        (Ok(p), Ok(q)) => floats_agree(p, q),
                        _ => false,
                    });
            if !same {
                return Err(format!(
                    "row {i} column {c}: {x}, reference {y} ({})",
                    reference.types[c]
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(types: &[&str], rows: &[&[&str]]) -> ResultFile {
        ResultFile {
            types: types.iter().map(|k| k.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|v| v.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn compares_by_kind() {
        let types = ["int", "double", "decimal(7,6)"];
        let reference = file(&types, &[&["1", "0.1", "2.500000"]]);
        assert!(
            compare(
                &file(&types, &[&["1", "0.10000000000000002", "2.500000"]]),
                &reference
            )
            .is_ok()
        );
        // A decimal must keep Spark's scale.
        assert!(compare(&file(&types, &[&["1", "0.1", "2.5"]]), &reference).is_err());
        assert!(compare(&file(&types, &[&["2", "0.1", "2.500000"]]), &reference).is_err());
        // Types must be Spark's: a BIGINT is not an INT, a double not a decimal.
        let wrong = ["bigint", "double", "decimal(7,6)"];
        assert!(compare(&file(&wrong, &[&["1", "0.1", "2.500000"]]), &reference).is_err());
        let wrong = ["int", "double", "double"];
        assert!(compare(&file(&wrong, &[&["1", "0.1", "2.5"]]), &reference).is_err());
        assert!(compare(&file(&["int"], &[]), &reference).is_err());
    }
}
