//! Spark's time-zone functions that read the session time zone: `current_timezone()` and
//! `convert_timezone([source,] target, timestamp)`.

use std::sync::Arc;

use arrow::array::timezone::Tz;
use arrow::array::{Array, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, TimeUnit};
use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone};
use datafusion::config::ConfigOptions;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

use super::datetime::{session_time_zone, wall_clock};
use super::{call_result, call_rows, cast_argument};

/// The functions of this module, for the session time zone `time_zone` (UTC when unset).
pub fn zone_functions(time_zone: Option<Arc<str>>) -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(CurrentTimezone {
            time_zone: time_zone.clone(),
            signature: Signature::nullary(Volatility::Stable),
        })),
        Arc::new(ScalarUDF::new_from_impl(ConvertTimezone {
            time_zone,
            signature: Signature::user_defined(Volatility::Immutable),
        })),
    ]
}

fn zone_name(time_zone: &Option<Arc<str>>) -> String {
    time_zone.as_deref().unwrap_or("UTC").to_string()
}

/// `[INVALID_TIMEZONE]` for a zone name neither chrono-tz nor an offset parser accepts.
fn parse_zone(name: &str) -> Result<Tz> {
    name.parse::<Tz>().map_err(|_| {
        DataFusionError::Execution(format!(
            "[INVALID_TIMEZONE] The timezone: {name} is invalid. The timezone must be either a region-based zone ID or a zone offset. Region IDs must have the form 'area/city', such as 'America/Los_Angeles'. Zone offsets must be in the format '(+|-)HH', '(+|-)HH:mm’ or '(+|-)HH:mm:ss', e.g '-08' , '+01:00' or '-13:33:33', and must be in the range from -18:00 to +18:00. 'Z' and 'UTC' are accepted as synonyms for '+00:00'."
        ))
    })
}

/// `current_timezone()`: `spark.sql.session.timeZone`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct CurrentTimezone {
    time_zone: Option<Arc<str>>,
    signature: Signature,
}

impl ScalarUDFImpl for CurrentTimezone {
    fn name(&self) -> &str {
        "current_timezone"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn with_updated_config(&self, config: &ConfigOptions) -> Option<ScalarUDF> {
        Some(ScalarUDF::new_from_impl(Self {
            time_zone: session_time_zone(config),
            signature: self.signature.clone(),
        }))
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(zone_name(
            &self.time_zone,
        )))))
    }
}

/// `convert_timezone([source,] target, t)`: the wall-clock time `t` (a `TIMESTAMP_NTZ`; a
/// `TIMESTAMP` is first read in the session time zone) in `source` (default: the session time
/// zone), shown in `target`. A wall-clock time skipped by a daylight-saving change moves
/// forward; a repeated one is read as the earlier instant.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ConvertTimezone {
    time_zone: Option<Arc<str>>,
    signature: Signature,
}

impl ScalarUDFImpl for ConvertTimezone {
    fn name(&self) -> &str {
        "convert_timezone"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Timestamp(TimeUnit::Microsecond, None))
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let timestamp = |t: &DataType| match t {
            DataType::Timestamp(_, zone) => {
                DataType::Timestamp(TimeUnit::Microsecond, zone.clone())
            }
            _ => DataType::Timestamp(TimeUnit::Microsecond, None),
        };
        match arg_types {
            [_, t] => Ok(vec![DataType::Utf8, timestamp(t)]),
            [_, _, t] => Ok(vec![DataType::Utf8, DataType::Utf8, timestamp(t)]),
            _ => Err(super::rows::wrong_num_args(
                "convert_timezone",
                "[2, 3]",
                arg_types.len(),
            )),
        }
    }

    fn with_updated_config(&self, config: &ConfigOptions) -> Option<ScalarUDF> {
        Some(ScalarUDF::new_from_impl(Self {
            time_zone: session_time_zone(config),
            signature: self.signature.clone(),
        }))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = call_rows(&args);
        let (source, target, value) = match args.args.as_slice() {
            [target, value] => (None, target, value),
            [source, target, value] => (Some(source), target, value),
            _ => {
                return Err(DataFusionError::Plan(
                    "convert_timezone takes 2 or 3 arguments".into(),
                ));
            }
        };
        let session = zone_name(&self.time_zone);
        let sources: Option<StringArray> = source
            .map(|s| cast_argument(s, rows, &DataType::Utf8))
            .transpose()?;
        let targets: StringArray = cast_argument(target, rows, &DataType::Utf8)?;
        let values = wall_clock(&value.to_array(rows)?)?;
        let mut out = Vec::with_capacity(rows);
        for i in 0..rows {
            let source = match &sources {
                Some(s) if s.is_null(i) => None,
                Some(s) => Some(s.value(i)),
                None => Some(session.as_str()),
            };
            if targets.is_null(i) || values.is_null(i) {
                out.push(None);
                continue;
            }
            let Some(source) = source else {
                out.push(None);
                continue;
            };
            out.push(convert(values.value(i), source, targets.value(i))?);
        }
        call_result(Arc::new(TimestampMicrosecondArray::from(out)), scalar)
    }
}

/// The wall clock `micros` in zone `source`, as a wall clock in `target`.
fn convert(micros: i64, source: &str, target: &str) -> Result<Option<i64>> {
    let (source, target) = (parse_zone(source)?, parse_zone(target)?);
    let Some(local) = DateTime::from_timestamp_micros(micros).map(|t| t.naive_utc()) else {
        return Ok(None);
    };
    let Some(instant) = instant_of(&source, local) else {
        return Ok(None);
    };
    Ok(Some(
        instant
            .with_timezone(&target)
            .naive_local()
            .and_utc()
            .timestamp_micros(),
    ))
}

/// The instant a wall-clock time names in `zone`: the earlier of two, and for a time a
/// daylight-saving change skips, the time that many minutes after the change.
fn instant_of(zone: &Tz, local: NaiveDateTime) -> Option<DateTime<Tz>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t),
        LocalResult::Ambiguous(earlier, _) => Some(earlier),
        LocalResult::None => {
            let shifted = local + chrono::Duration::hours(1);
            zone.from_local_datetime(&shifted).earliest()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(text: &str) -> i64 {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
            .map(|t| t.and_utc().timestamp_micros())
            .unwrap_or_default()
    }

    #[test]
    fn converts_wall_clocks_between_zones() {
        // Spark 4.3: convert_timezone('Europe/Brussels', 'America/Los_Angeles',
        // timestamp_ntz'2021-12-06 00:00:00') = 2021-12-05 15:00:00.
        let out = convert(
            micros("2021-12-06 00:00:00"),
            "Europe/Brussels",
            "America/Los_Angeles",
        );
        assert_eq!(out.ok().flatten(), Some(micros("2021-12-05 15:00:00")));
        let offset = convert(micros("2021-12-06 00:00:00"), "UTC", "+02:00");
        assert_eq!(offset.ok().flatten(), Some(micros("2021-12-06 02:00:00")));
        assert!(convert(0, "Bad/Zone", "UTC").is_err());
    }
}
