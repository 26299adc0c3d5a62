//! Printing results the way `spark-sql` does.
//!
//! Spark's CLI prints each row as tab-separated values produced by its "Hive string" rules:
//! `NULL` for nulls, `true`/`false`, decimals with their scale, doubles as Java prints them
//! (`1.0`, `1.0E10`, `1.0E-4`), dates `yyyy-MM-dd`, timestamps without trailing zero fractions,
//! arrays `[1,2]`, maps `{"a":1}`, structs `{"x":1}` (strings inside collections are quoted).
//! [`OutputFormat`] adds a header-carrying CSV, JSON lines and a boxed table for people.

use std::fmt::Write as _;

use arrow::array::RecordBatch;

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

pub use ember_spark::format::{hive_rows, hive_value, java_double, java_float, spark_type_name};

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

    use arrow::array::{ArrayRef, StringArray};

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
