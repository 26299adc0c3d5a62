//! Printing results the way `spark-sql` does.
//!
//! Spark's CLI prints each row as tab-separated values produced by its "Hive string" rules:
//! `NULL` for nulls, `true`/`false`, decimals with their scale, doubles as Java prints them
//! (`1.0`, `1.0E10`, `1.0E-4`), dates `yyyy-MM-dd`, timestamps without trailing zero fractions,
//! arrays `[1,2]`, maps `{"a":1}`, structs `{"x":1}` (strings inside collections are quoted).
//! [`OutputFormat`] adds a header-carrying CSV, JSON lines and a boxed table for people.

use std::fmt::Write as _;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float32Type, Float64Type, IntervalUnit, TimeUnit};
use arrow::util::display::{ArrayFormatter, FormatOptions};

/// How the CLI prints results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// spark-sql's default: tab-separated values, no header.
    #[default]
    Tsv,
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// One JSON object per row.
    Json,
    /// A boxed table with a header, for people.
    Table,
}

impl std::str::FromStr for OutputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "tsv" => Ok(Self::Tsv),
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            "table" => Ok(Self::Table),
            other => Err(format!(
                "unknown output format {other:?} (expected table, tsv, csv or json)"
            )),
        }
    }
}

pub use ember_executor::functions::{java_double, java_float};

fn display(array: &dyn Array, row: usize) -> String {
    match ArrayFormatter::try_new(array, &FormatOptions::default()) {
        Ok(f) => f.value(row).to_string(),
        Err(e) => format!("<{e}>"),
    }
}

/// Formats one value as spark-sql does. `nested` values (inside arrays, maps and structs) quote
/// strings and print nulls as `null`.
pub fn hive_value(array: &ArrayRef, row: usize, nested: bool) -> String {
    if array.is_null(row) || array.data_type() == &DataType::Null {
        return if nested { "null" } else { "NULL" }.into();
    }
    match array.data_type() {
        DataType::Float64 => java_double(array.as_primitive::<Float64Type>().value(row)),
        DataType::Float32 => java_float(array.as_primitive::<Float32Type>().value(row)),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let s = display(array.as_ref(), row);
            if nested { format!("\"{s}\"") } else { s }
        }
        DataType::Timestamp(unit, _) => {
            // Spark prints `yyyy-MM-dd HH:mm:ss[.fraction]` with trailing zeros dropped.
            let s = display(array.as_ref(), row).replace('T', " ");
            let s = match s.find(['+', 'Z']) {
                Some(i) if i > 10 => s[..i].to_string(),
                _ => s,
            };
            let s = if matches!(unit, TimeUnit::Second) {
                s
            } else {
                trim_fraction(&s)
            };
            if nested { format!("\"{s}\"") } else { s }
        }
        DataType::Date32 | DataType::Date64 => {
            let s = display(array.as_ref(), row);
            if nested { format!("\"{s}\"") } else { s }
        }
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::FixedSizeList(_, _)
        | DataType::ListView(_) => {
            let values = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                DataType::LargeList(_) => array.as_list::<i64>().value(row),
                DataType::FixedSizeList(_, _) => array.as_fixed_size_list().value(row),
                _ => return display(array.as_ref(), row),
            };
            let items: Vec<String> = (0..values.len())
                .map(|i| hive_value(&values, i, true))
                .collect();
            format!("[{}]", items.join(","))
        }
        DataType::Map(_, _) => {
            let entries = array.as_map().value(row);
            let keys = entries.column(0);
            let values = entries.column(1);
            let mut out = String::from("{");
            for i in 0..entries.len() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(
                    out,
                    "{}:{}",
                    hive_value(keys, i, true),
                    hive_value(values, i, true)
                );
            }
            out.push('}');
            out
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let mut out = String::from("{");
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(
                    out,
                    "\"{}\":{}",
                    field.name(),
                    hive_value(s.column(i), row, true)
                );
            }
            out.push('}');
            out
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = array
                .as_primitive::<arrow::datatypes::IntervalMonthDayNanoType>()
                .value(row);
            spark_interval(v.months, v.days, v.nanoseconds)
        }
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => {
            // spark-sql prints binary as the bytes' text.
            let bytes: Vec<u8> = match array.data_type() {
                DataType::Binary => array.as_binary::<i32>().value(row).to_vec(),
                DataType::LargeBinary => array.as_binary::<i64>().value(row).to_vec(),
                DataType::BinaryView => array.as_binary_view().value(row).to_vec(),
                _ => array.as_fixed_size_binary().value(row).to_vec(),
            };
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => display(array.as_ref(), row),
    }
}

/// Spark prints a year-month interval as `y-m` and a day-time interval as
/// `d hh:mm:ss.nnnnnnnnn`.
fn spark_interval(months: i32, days: i32, nanos: i64) -> String {
    if months != 0 && days == 0 && nanos == 0 {
        let sign = if months < 0 { "-" } else { "" };
        let m = months.unsigned_abs();
        return format!("{sign}{}-{}", m / 12, m % 12);
    }
    let total = i128::from(days) * 86_400_000_000_000 + i128::from(nanos);
    let sign = if total < 0 { "-" } else { "" };
    let t = total.unsigned_abs();
    let (d, rest) = (t / 86_400_000_000_000, t % 86_400_000_000_000);
    let (h, rest) = (rest / 3_600_000_000_000, rest % 3_600_000_000_000);
    let (m, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let (s, n) = (rest / 1_000_000_000, rest % 1_000_000_000);
    format!("{sign}{d} {h:02}:{m:02}:{s:02}.{n:09}")
}

fn trim_fraction(s: &str) -> String {
    match s.rfind('.') {
        Some(dot) if s[dot + 1..].chars().all(|c| c.is_ascii_digit()) => {
            let frac = s[dot + 1..].trim_end_matches('0');
            if frac.is_empty() {
                s[..dot].to_string()
            } else {
                format!("{}.{frac}", &s[..dot])
            }
        }
        _ => s.to_string(),
    }
}

pub use ember_executor::functions::spark_type_name;

/// Rows of `batches` as spark-sql strings, one `Vec` per row.
pub fn hive_rows(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for batch in batches {
        for r in 0..batch.num_rows() {
            rows.push(
                batch
                    .columns()
                    .iter()
                    .map(|c| hive_value(c, r, false))
                    .collect(),
            );
        }
    }
    rows
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders a result in `format`. `columns` are the result's column names.
pub fn render(format: OutputFormat, columns: &[String], batches: &[RecordBatch]) -> String {
    let rows = hive_rows(batches);
    let mut out = String::new();
    match format {
        OutputFormat::Tsv => {
            for row in rows {
                out.push_str(&row.join("\t"));
                out.push('\n');
            }
        }
        OutputFormat::Csv => {
            let header: Vec<String> = columns.iter().map(|c| csv_field(c)).collect();
            out.push_str(&header.join(","));
            out.push('\n');
            for row in rows {
                let fields: Vec<String> = row.iter().map(|v| csv_field(v)).collect();
                out.push_str(&fields.join(","));
                out.push('\n');
            }
        }
        OutputFormat::Json => {
            for row in rows {
                let fields: Vec<String> = columns
                    .iter()
                    .zip(&row)
                    .map(|(c, v)| format!("{}:{}", json_string(c), json_string(v)))
                    .collect();
                let _ = writeln!(out, "{{{}}}", fields.join(","));
            }
        }
        OutputFormat::Table => {
            let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
            for row in &rows {
                for (w, v) in widths.iter_mut().zip(row) {
                    *w = (*w).max(v.chars().count());
                }
            }
            let line: String = widths
                .iter()
                .map(|w| format!("+{}", "-".repeat(w + 2)))
                .collect::<String>()
                + "+\n";
            let fmt_row = |cells: &[String]| -> String {
                let mut s = String::new();
                for (w, v) in widths.iter().zip(cells) {
                    let pad = w - v.chars().count();
                    let _ = write!(s, "| {v}{} ", " ".repeat(pad));
                }
                s + "|\n"
            };
            out.push_str(&line);
            out.push_str(&fmt_row(columns));
            out.push_str(&line);
            for row in &rows {
                out.push_str(&fmt_row(row));
            }
            out.push_str(&line);
        }
    }
    out
}

/// Bytes as Spark's UI shows them: `0 B`, `12.3 KiB`, `4.5 MiB`, `1.2 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The per-stage table of `EXPLAIN ANALYZE`.
pub fn stage_metrics_table(stages: &[crate::scheduler::StageMetrics]) -> String {
    let mut out = String::from(
        "stage  tasks  rows        task time  peak memory  spill files  spilled (tmpfs)        shuffle written  shuffle read\n",
    );
    for s in stages {
        out.push_str(&format!(
            "{:<6} {:<6} {:<11} {:<10} {:<12} {:<12} {:<22} {:<16} {}\n",
            s.stage_id,
            s.tasks,
            s.output_rows,
            format!("{:.3} s", s.task_time_ms as f64 / 1000.0),
            human_bytes(s.peak_memory_bytes),
            s.spill_files,
            format!(
                "{} ({})",
                human_bytes(s.spilled_bytes),
                human_bytes(s.spilled_memory_bytes)
            ),
            human_bytes(s.shuffle_bytes_written),
            human_bytes(s.shuffle_bytes_read),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow::array::{Float64Array, Int32Array, ListArray, StringArray, StructArray};
    use arrow::datatypes::{Field, Int32Type};

    #[test]
    fn doubles_print_like_java() {
        assert_eq!(java_double(0.5), "0.5");
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(1e10), "1.0E10");
        assert_eq!(java_double(1e-4), "1.0E-4");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(java_double(1234567.0), "1234567.0");
        assert_eq!(java_double(12345678.9), "1.23456789E7");
        assert_eq!(java_double(-2.5e-7), "-2.5E-7");
        assert_eq!(java_double(f64::NAN), "NaN");
        assert_eq!(java_double(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn collections_print_like_spark_sql() {
        let list: ArrayRef = Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), Some(2)]),
            Some(vec![Some(3), None]),
        ]));
        assert_eq!(hive_value(&list, 0, false), "[1,2]");
        assert_eq!(hive_value(&list, 1, false), "[3,null]");
        let st: ArrayRef = Arc::new(StructArray::from(vec![
            (
                Arc::new(Field::new("x", DataType::Int32, false)),
                Arc::new(Int32Array::from(vec![1])) as ArrayRef,
            ),
            (
                Arc::new(Field::new("y", DataType::Utf8, true)),
                Arc::new(StringArray::from(vec!["s"])) as ArrayRef,
            ),
        ]));
        assert_eq!(hive_value(&st, 0, false), r#"{"x":1,"y":"s"}"#);
        let d: ArrayRef = Arc::new(Float64Array::from(vec![None, Some(3.0)]));
        assert_eq!(hive_value(&d, 0, false), "NULL");
        assert_eq!(hive_value(&d, 1, false), "3.0");
    }

    #[test]
    fn csv_quotes_and_has_a_header() {
        let batch = RecordBatch::try_from_iter(vec![(
            "s",
            Arc::new(StringArray::from(vec![Some("a,b"), None])) as ArrayRef,
        )])
        .expect("batch");
        let out = render(OutputFormat::Csv, &["s".to_string()], &[batch]);
        assert_eq!(out, "s\n\"a,b\"\nNULL\n");
    }
}
