//! Values as `spark-sql` prints them.
//!
//! Spark's CLI prints each row as tab-separated values produced by its "Hive string" rules:
//! `NULL` for nulls, `true`/`false`, decimals with their scale, doubles as Java prints them
//! (`1.0`, `1.0E10`, `1.0E-4`), dates `yyyy-MM-dd`, timestamps without trailing zero fractions,
//! arrays `[1,2]`, maps `{"a":1}`, structs `{"x":1}` (strings inside collections are quoted).
//! Type names are Spark's (`DESCRIBE`, `typeof`). The CLI's output formats build on these.

use std::fmt::Write as _;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float32Type, Float64Type, IntervalUnit, TimeUnit};
use arrow::util::display::{ArrayFormatter, FormatOptions};

/// Spark's name of an Arrow type (as `DESCRIBE` and `typeof` print it).
pub fn spark_type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Null => "void".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Int16 => "smallint".into(),
        DataType::Int32 | DataType::UInt16 | DataType::UInt8 => "int".into(),
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => "bigint".into(),
        DataType::Float16 | DataType::Float32 => "float".into(),
        DataType::Float64 => "double".into(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => "binary".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(_, Some(_)) => "timestamp".into(),
        DataType::Timestamp(_, None) => "timestamp_ntz".into(),
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => {
            format!("decimal({p},{s})")
        }
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::FixedSizeList(f, _)
        | DataType::ListView(f) => {
            format!("array<{}>", spark_type_name(f.data_type()))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => format!(
                "map<{},{}>",
                spark_type_name(kv[0].data_type()),
                spark_type_name(kv[1].data_type())
            ),
            other => format!("map<{}>", spark_type_name(other)),
        },
        DataType::Struct(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| format!("{}:{}", f.name(), spark_type_name(f.data_type())))
                .collect();
            format!("struct<{}>", inner.join(","))
        }
        DataType::Interval(_) | DataType::Duration(_) => "interval".into(),
        other => other.to_string().to_ascii_lowercase(),
    }
}

/// Java's `Double.toString`: shortest round-trip digits, plain notation in [1e-3, 1e7),
/// computerized scientific notation (`1.0E10`) outside.
pub fn java_double(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    java_notation(
        format!("{v}"),
        format!("{v:e}"),
        (1e-3..1e7).contains(&v.abs()),
    )
}

/// Java's `Float.toString` (same rules, single-precision digits).
pub fn java_float(v: f32) -> String {
    if v.is_nan() || v.is_infinite() || v == 0.0 {
        return java_double(f64::from(v));
    }
    java_notation(
        format!("{v}"),
        format!("{v:e}"),
        (1e-3..1e7).contains(&v.abs()),
    )
}

/// Java's layout of Rust's shortest digits: `plain` (`{}`) inside the plain range, else
/// `scientific` (`{:e}`, `d.ddde-x`) as `d.dddE-x`; both with at least one fractional digit.
fn java_notation(plain: String, scientific: String, in_plain_range: bool) -> String {
    if in_plain_range {
        return if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        };
    }
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    if mantissa.contains('.') {
        format!("{mantissa}E{exponent}")
    } else {
        format!("{mantissa}.0E{exponent}")
    }
}

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
            // An instant shows in its (the session's) time zone, without the offset Arrow adds.
            let s = display(array.as_ref(), row).replace('T', " ");
            let s = match s
                .char_indices()
                .skip(19)
                .find(|(_, c)| matches!(c, '+' | '-' | 'Z'))
            {
                Some((i, _)) => s[..i].to_string(),
                None => s,
            };
            // Unlike strings, dates and timestamps are not quoted inside arrays, maps and
            // structs (Spark's HiveResult).
            if matches!(unit, TimeUnit::Second) {
                s
            } else {
                trim_fraction(&s)
            }
        }
        DataType::Date32 | DataType::Date64 => display(array.as_ref(), row),
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
}
