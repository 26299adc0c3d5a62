//! Query results as files every engine writes the same way, and their comparison.
//!
//! A result file (`qN.tsv`) holds a line of column kinds (`int`, `float`, `decimal`, `string`),
//! then one line per row, tab-separated, NULL as `\N`. Integers and strings compare exactly,
//! floats within a relative 1e-9, decimals by value and by scale (the digits as printed), and
//! rows in order (the TPC-H queries order their results completely).

use std::path::Path;

use arrow::array::{Array, RecordBatch};
use arrow::datatypes::DataType;
use arrow::util::display::{ArrayFormatter, FormatOptions};

/// The kind of a column, for comparison.
fn kind(data_type: &DataType) -> &'static str {
    match data_type {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => "int",
        DataType::Float16 | DataType::Float32 | DataType::Float64 => "float",
        DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => "decimal",
        _ => "string",
    }
}

/// Arrow batches as a result, with the kinds and texts a result file holds.
///
/// # Errors
/// A value cannot be formatted.
pub fn from_batches(batches: &[RecordBatch]) -> Result<ResultFile, String> {
    let kinds = batches
        .first()
        .map(|b| {
            b.schema()
                .fields()
                .iter()
                .map(|f| kind(f.data_type()).to_string())
                .collect()
        })
        .unwrap_or_default();
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
    Ok(ResultFile { kinds, rows })
}

/// Writes Arrow batches as a result file.
///
/// # Errors
/// The file cannot be written, or a value cannot be formatted.
pub fn write_batches(path: &Path, batches: &[RecordBatch]) -> Result<(), String> {
    let result = from_batches(batches)?;
    let mut out = String::new();
    if !result.kinds.is_empty() {
        out.push_str(&result.kinds.join("\t"));
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
    pub kinds: Vec<String>,
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
    let kinds = lines
        .next()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .unwrap_or_default();
    let rows = lines
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    Ok(ResultFile { kinds, rows })
}

fn floats_agree(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-9)
}

/// Compares `actual` with the `reference` result; `Err` says where they first differ.
pub fn compare(actual: &ResultFile, reference: &ResultFile) -> Result<(), String> {
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
            let kind_a = actual.kinds.get(c).map(String::as_str).unwrap_or("string");
            let kind_r = reference
                .kinds
                .get(c)
                .map(String::as_str)
                .unwrap_or("string");
            let same = match (kind_a, kind_r) {
                _ if x == y => true,
                ("decimal", "decimal") => false,
                ("float" | "decimal", "float" | "decimal") => {
                    match (x.parse::<f64>(), y.parse::<f64>()) {
                        (Ok(p), Ok(q)) => floats_agree(p, q),
                        _ => false,
                    }
                }
                _ => false,
            };
            if !same {
                return Err(format!(
                    "row {i} column {c}: {x} ({kind_a}), reference {y} ({kind_r})"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(kinds: &[&str], rows: &[&[&str]]) -> ResultFile {
        ResultFile {
            kinds: kinds.iter().map(|k| k.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|v| v.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn compares_by_kind() {
        let reference = file(&["int", "float", "decimal"], &[&["1", "0.1", "2.500000"]]);
        assert!(
            compare(
                &file(
                    &["int", "float", "decimal"],
                    &[&["1", "0.10000000000000002", "2.500000"]]
                ),
                &reference
            )
            .is_ok()
        );
        // A decimal must keep Spark's scale.
        assert!(
            compare(
                &file(&["int", "float", "decimal"], &[&["1", "0.1", "2.5"]]),
                &reference
            )
            .is_err()
        );
        assert!(
            compare(
                &file(&["int", "float", "decimal"], &[&["2", "0.1", "2.500000"]]),
                &reference
            )
            .is_err()
        );
        assert!(compare(&file(&["int"], &[]), &reference).is_err());
    }
}
