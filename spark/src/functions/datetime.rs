//! Spark's datetime patterns (`yyyy-MM-dd HH:mm:ss`) for `to_date`, `to_timestamp` and
//! `date_format`, which DataFusion reads as chrono patterns (`%Y-%m-%d`).

use std::sync::Arc;

use super::cast_argument;
use arrow::array::{Array, ArrayRef, AsArray, Date32Array, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, TimeUnit};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use datafusion::config::ConfigOptions;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The session time zone in `options` (`spark.sql.session.timeZone`), which Spark's
/// `TIMESTAMP` values carry in Arrow.
pub fn session_time_zone(options: &ConfigOptions) -> Option<Arc<str>> {
    options.execution.time_zone.as_deref().map(Arc::from)
}

/// Spark's `TIMESTAMP` (an instant shown in the session time zone `time_zone`) as Arrow types it.
pub fn local_timestamp_type(time_zone: Option<Arc<str>>) -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, time_zone)
}

/// The wall-clock time (Spark's `TIMESTAMP_NTZ`, in microseconds) of each value of `array`:
/// an instant is read in the time zone it carries (the session's), anything else is cast.
pub fn wall_clock(array: &ArrayRef) -> Result<TimestampMicrosecondArray> {
    let DataType::Timestamp(_, Some(zone)) = array.data_type() else {
        let naive = arrow::compute::cast(array, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
        return Ok(naive
            .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
            .clone());
    };
    let tz: arrow::array::timezone::Tz = zone.parse()?;
    let instants = arrow::compute::cast(
        array,
        &DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::clone(zone))),
    )?;
    Ok(instants
        .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
        .iter()
        .map(|v| {
            v.and_then(DateTime::from_timestamp_micros).map(|t| {
                t.with_timezone(&tz)
                    .naive_local()
                    .and_utc()
                    .timestamp_micros()
            })
        })
        .collect())
}

/// Translates a Spark datetime pattern into a chrono format string.
pub fn spark_pattern_to_chrono(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // Quoted literal text; '' is a single quote.
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                push_literal(&mut out, chars[i]);
                i += 1;
            }
            i += 1;
            continue;
        }
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        let spec = match (c, n) {
            ('y', 2) => "%y",
            ('y', _) => "%Y",
            ('M', 1) => "%-m",
            ('M', 2) => "%m",
            ('M', 3) => "%b",
            ('M', _) => "%B",
            ('d', 1) => "%-d",
            ('d', _) => "%d",
            // Day of year: `D` unpadded, `DDD` three digits (`DD` pads to two in Spark, which
            // chrono cannot; it prints unpadded).
            ('D', 1 | 2) => "%-j",
            ('D', _) => "%j",
            ('H', 1) => "%-H",
            ('H', _) => "%H",
            ('h', 1) => "%-I",
            ('h', _) => "%I",
            ('m', 1) => "%-M",
            ('m', _) => "%M",
            ('s', 1) => "%-S",
            ('s', _) => "%S",
            ('S', 1..=3) => "%3f",
            ('S', 4..=6) => "%6f",
            ('S', _) => "%9f",
            ('a', _) => "%p",
            ('E', 1..=3) => "%a",
            ('E', _) => "%A",
            _ => {
                for _ in 0..n {
                    push_literal(&mut out, c);
                }
                i += n;
                continue;
            }
        };
        out.push_str(spec);
        i += n;
    }
    out
}

fn push_literal(out: &mut String, c: char) {
    if c == '%' {
        out.push_str("%%");
    } else {
        out.push(c);
    }
}

/// Parses `text` with a chrono format into a date-time (date-only formats give midnight).
/// Parses `text` with the chrono `format`; the fields the pattern leaves out take Spark's
/// defaults (`to_date('16', 'dd')` is 1970-01-16): 1970, January, the 1st, midnight, AM. A
/// two-digit year is in 2000–2099 as in Spark.
fn parse(text: &str, format: &str) -> Option<NaiveDateTime> {
    use chrono::format::{Parsed, StrftimeItems};
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, text.trim(), StrftimeItems::new(format)).ok()?;
    if parsed.year().is_none() && parsed.isoyear().is_none() {
        match parsed.year_mod_100() {
            Some(_) if parsed.year_div_100().is_none() => parsed.set_year_div_100(20).ok()?,
            Some(_) => {}
            None => parsed.set_year(1970).ok()?,
        }
    }
    let by_day_of_year = parsed.ordinal().is_some();
    if parsed.month().is_none() && !by_day_of_year && parsed.isoweek().is_none() {
        parsed.set_month(1).ok()?;
    }
    if parsed.day().is_none() && !by_day_of_year && parsed.isoweek().is_none() {
        parsed.set_day(1).ok()?;
    }
    if parsed.hour_mod_12().is_none() {
        parsed.set_hour(0).ok()?;
    } else if parsed.hour_div_12().is_none() {
        parsed.set_ampm(false).ok()?;
    }
    if parsed.minute().is_none() {
        parsed.set_minute(0).ok()?;
    }
    if parsed.second().is_none() {
        parsed.set_second(0).ok()?;
    }
    let date = parsed.to_naive_date().ok()?;
    let time = parsed.to_naive_time().unwrap_or(NaiveTime::MIN);
    Some(date.and_time(time))
}

/// Strings parsed as Spark's casts parse them, as microsecond timestamps (NULL where a string
/// is not a timestamp).
pub(crate) fn strings_to_timestamps(array: &ArrayRef) -> Result<ArrayRef> {
    let strings = arrow::compute::cast(array, &DataType::Utf8)?;
    let out: TimestampMicrosecondArray = strings
        .as_string::<i32>()
        .iter()
        .map(|s| {
            s.and_then(parse_default)
                .map(|t| t.and_utc().timestamp_micros())
        })
        .collect();
    Ok(Arc::new(out))
}

/// Parses without a pattern, as Spark's casts do.
fn parse_default(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    parse(t, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|| parse(t, "%Y-%m-%dT%H:%M:%S%.f"))
        .or_else(|| parse(t, "%Y-%m-%d"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    ToDate,
    /// A `TIMESTAMP`: an instant in the session time zone.
    ToTimestamp,
    /// A `TIMESTAMP_NTZ`: the wall-clock time as written.
    ToTimestampNtz,
    DateFormat,
}

/// `to_date`, `to_timestamp` (`to_timestamp_ltz`), `to_timestamp_ntz` and `date_format` with
/// Spark patterns. Unparseable input raises
/// `[CANNOT_PARSE_TIMESTAMP]` as in Spark's ANSI mode (the non-ANSI NULL is not reproduced).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SparkDateTime {
    kind: Kind,
    name: &'static str,
    /// `try_to_date`/`try_to_timestamp`: NULL for text that does not parse.
    tolerant: bool,
    /// The session time zone `to_timestamp` reads text in and its result carries.
    time_zone: Option<Arc<str>>,
    signature: Signature,
}

impl ScalarUDFImpl for SparkDateTime {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            Kind::ToDate => DataType::Date32,
            Kind::ToTimestamp => local_timestamp_type(self.time_zone.clone()),
            Kind::ToTimestampNtz => DataType::Timestamp(TimeUnit::Microsecond, None),
            Kind::DateFormat => DataType::Utf8,
        })
    }

    fn with_updated_config(&self, config: &ConfigOptions) -> Option<ScalarUDF> {
        (self.kind == Kind::ToTimestamp).then(|| {
            ScalarUDF::new_from_impl(Self {
                time_zone: session_time_zone(config),
                ..self.clone()
            })
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let (value, pattern) = match args.args.as_slice() {
            [v] => (v, None),
            [v, p] => (v, Some(p)),
            _ => {
                return Err(DataFusionError::Plan(format!(
                    "{} takes one or two arguments",
                    self.name
                )));
            }
        };
        let patterns: Option<StringArray> = pattern
            .map(|p| cast_argument(p, rows, &DataType::Utf8))
            .transpose()?;
        let patterns = patterns.as_ref();
        let format_at = |i: usize| -> Option<String> {
            patterns.map(|p| {
                if p.is_null(i) {
                    String::new()
                } else {
                    spark_pattern_to_chrono(p.value(i))
                }
            })
        };
        if self.kind == Kind::DateFormat {
            let micros = wall_clock(&value.to_array(rows)?)?;
            let out: StringArray = (0..rows)
                .map(|i| {
                    if micros.is_null(i) {
                        return None;
                    }
                    let format = format_at(i).unwrap_or_else(|| "%Y-%m-%d %H:%M:%S".into());
                    DateTime::from_timestamp_micros(micros.value(i))
                        .map(|t| t.naive_utc().format(&format).to_string())
                })
                .collect();
            return Ok(ColumnarValue::Array(Arc::new(out)));
        }
        // A date or timestamp converts without text: its wall-clock time in the session's zone.
        if matches!(
            value.data_type(),
            DataType::Timestamp(..) | DataType::Date32 | DataType::Date64
        ) {
            let wall: ArrayRef = Arc::new(wall_clock(&value.to_array(rows)?)?);
            let to = match self.kind {
                Kind::ToDate => DataType::Date32,
                _ => args.return_field.data_type().clone(),
            };
            return Ok(ColumnarValue::Array(arrow::compute::cast(&wall, &to)?));
        }
        let texts: StringArray = cast_argument(value, rows, &DataType::Utf8)?;
        let mut parsed = Vec::with_capacity(rows);
        for i in 0..rows {
            if texts.is_null(i) {
                parsed.push(None);
                continue;
            }
            let text = texts.value(i);
            let result = match format_at(i) {
                Some(format) => parse(text, &format),
                None => parse_default(text),
            };
            if result.is_none() && !self.tolerant {
                // Without a pattern Spark casts, and raises the cast's error.
                return Err(DataFusionError::Execution(if patterns.is_some() {
                    format!(
                        "[CANNOT_PARSE_TIMESTAMP] Text '{text}' could not be parsed. Use `try_{}` to tolerate invalid input string and return NULL instead. SQLSTATE: 22007",
                        self.name
                    )
                } else {
                    format!(
                        "[CAST_INVALID_INPUT] The value '{text}' of the type \"STRING\" cannot be cast to \"{}\" because it is malformed. Correct the value as per the syntax, or change its target type. Use `try_cast` to tolerate malformed input and return NULL instead. SQLSTATE: 22018",
                        match self.kind {
                            Kind::ToDate => "DATE",
                            Kind::ToTimestampNtz => "TIMESTAMP_NTZ",
                            _ => "TIMESTAMP",
                        }
                    )
                }));
            }
            parsed.push(result);
        }
        let array: ArrayRef = match self.kind {
            Kind::ToDate => {
                Arc::new(Date32Array::from_iter(parsed.into_iter().map(|d| {
                    d.map(|d| (d.date() - NaiveDate::default()).num_days() as i32)
                })))
            }
            _ => {
                // Text without an offset is a wall-clock time in the session time zone.
                let wall: ArrayRef = Arc::new(TimestampMicrosecondArray::from_iter(
                    parsed
                        .into_iter()
                        .map(|d| d.map(|d| d.and_utc().timestamp_micros())),
                ));
                arrow::compute::cast(&wall, args.return_field.data_type())?
            }
        };
        Ok(ColumnarValue::Array(array))
    }
}

/// The datetime functions that take Spark patterns; they replace DataFusion's of the same name
/// on the driver and on executors alike.
pub fn spark_datetime_functions() -> Vec<Arc<ScalarUDF>> {
    let mut out = Vec::new();
    for (kind, name, tolerant) in [
        (Kind::ToDate, "to_date", false),
        (Kind::ToTimestamp, "to_timestamp", false),
        (Kind::DateFormat, "date_format", false),
        (Kind::ToDate, "try_to_date", true),
        (Kind::ToTimestamp, "try_to_timestamp", true),
        (Kind::ToTimestamp, "to_timestamp_ltz", false),
        (Kind::ToTimestampNtz, "to_timestamp_ntz", false),
    ] {
        out.push(Arc::new(ScalarUDF::new_from_impl(SparkDateTime {
            kind,
            name,
            tolerant,
            time_zone: None,
            signature: Signature::variadic_any(Volatility::Immutable),
        })));
    }
    out.push(Arc::new(ScalarUDF::new_from_impl(WallClock {
        signature: Signature::any(1, Volatility::Immutable),
    })));
    out
}

/// The name of [`WallClock`], which `CAST(instant AS TIMESTAMP_NTZ)` calls.
pub const WALL_CLOCK: &str = "spark_wall_clock";

/// `CAST(t AS TIMESTAMP_NTZ)` of a `TIMESTAMP`: the wall-clock time of the instant in the
/// session time zone (Arrow's cast would keep the UTC one).
#[derive(Debug, PartialEq, Eq, Hash)]
struct WallClock {
    signature: Signature,
}

impl ScalarUDFImpl for WallClock {
    fn name(&self) -> &str {
        WALL_CLOCK
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Timestamp(TimeUnit::Microsecond, None))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = super::call_rows(&args);
        let [value] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "{WALL_CLOCK} takes one argument"
            )));
        };
        let wall = wall_clock(&value.to_array(rows)?)?;
        super::call_result(Arc::new(wall), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_spark_patterns() {
        assert_eq!(
            spark_pattern_to_chrono("yyyy-MM-dd HH:mm:ss"),
            "%Y-%m-%d %H:%M:%S"
        );
        assert_eq!(spark_pattern_to_chrono("dd/MM/yyyy"), "%d/%m/%Y");
        assert_eq!(spark_pattern_to_chrono("yyyy'T'HH 100%"), "%YT%H 100%%");
        assert_eq!(spark_pattern_to_chrono("MMM d, yyyy"), "%b %-d, %Y");
        let t = parse("15/07/2024", &spark_pattern_to_chrono("dd/MM/yyyy")).expect("parses");
        assert_eq!(
            t.date(),
            NaiveDate::from_ymd_opt(2024, 7, 15).expect("date")
        );
    }
}
