//! Spark's `make_timestamp`, `make_timestamp_ltz`, `make_timestamp_ntz` and their `try_`
//! forms: a timestamp from fields (`year, month, day, hour, min, sec[, timezone]`, seconds with
//! a microsecond fraction and 60 meaning the next minute) or from a date and an optional time.
//! The fields are a wall-clock time in `timezone`, else in the session time zone; an instant
//! (`TIMESTAMP`) results except for `make_timestamp_ntz`. Fields out of range raise
//! `DATETIME_FIELD_OUT_OF_BOUNDS`; the `try_` forms return NULL instead.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, TimestampMicrosecondArray};
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Int32Type, Time64MicrosecondType, TimeUnit,
};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use datafusion::config::ConfigOptions;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::datetime::{local_timestamp_type, session_time_zone};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct MakeTimestamp {
    name: &'static str,
    /// `make_timestamp_ntz`: a wall-clock time, without a time zone.
    ntz: bool,
    /// `try_…`: NULL for fields out of range.
    tolerant: bool,
    time_zone: Option<Arc<str>>,
    signature: Signature,
}

/// The `make_timestamp` family, for registration.
pub fn make_timestamp_functions() -> Vec<Arc<ScalarUDF>> {
    [
        ("make_timestamp", false, false),
        ("make_timestamp_ltz", false, false),
        ("make_timestamp_ntz", true, false),
        ("try_make_timestamp", false, true),
        ("try_make_timestamp_ltz", false, true),
        ("try_make_timestamp_ntz", true, true),
    ]
    .into_iter()
    .map(|(name, ntz, tolerant)| {
        Arc::new(ScalarUDF::new_from_impl(MakeTimestamp {
            name,
            ntz,
            tolerant,
            time_zone: None,
            signature: Signature::variadic_any(Volatility::Immutable),
        }))
    })
    .collect()
}

fn cast(value: &ColumnarValue, rows: usize, to: &DataType) -> Result<ArrayRef> {
    Ok(arrow::compute::cast(&value.to_array(rows)?, to)?)
}

/// The wall-clock time of fields, `None` when they are out of range. Seconds are in
/// microseconds; a whole 60 is the next minute.
fn wall_clock(y: i32, mo: i32, d: i32, h: i32, mi: i32, micros: i128) -> Option<NaiveDateTime> {
    let date = NaiveDate::from_ymd_opt(y, u32::try_from(mo).ok()?, u32::try_from(d).ok()?)?;
    let (seconds, fraction) = (micros.div_euclid(1_000_000), micros.rem_euclid(1_000_000));
    let (seconds, carry) = match seconds {
        0..=59 => (seconds as u32, 0),
        60 if fraction == 0 => (0, 60),
        _ => return None,
    };
    let time = NaiveTime::from_hms_micro_opt(
        u32::try_from(h).ok()?,
        u32::try_from(mi).ok()?,
        seconds,
        fraction as u32,
    )?;
    Some(date.and_time(time) + chrono::Duration::seconds(carry))
}

impl ScalarUDFImpl for MakeTimestamp {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let by_fields = matches!(arg_types.len(), 6 | 7);
        let by_date = matches!(arg_types.len(), 1..=3) && !matches!(arg_types[0], DataType::Utf8);
        if !(by_fields || by_date) || (self.ntz && matches!(arg_types.len(), 3 | 7)) {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{}` requires 6 or 7 fields, or a date with an optional time and time zone, but the actual number is {}.",
                self.name,
                arg_types.len()
            )));
        }
        Ok(if self.ntz {
            DataType::Timestamp(TimeUnit::Microsecond, None)
        } else {
            local_timestamp_type(self.time_zone.clone())
        })
    }

    fn with_updated_config(&self, config: &ConfigOptions) -> Option<ScalarUDF> {
        (!self.ntz).then(|| {
            ScalarUDF::new_from_impl(Self {
                time_zone: session_time_zone(config),
                ..self.clone()
            })
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = super::call_rows(&args);
        let a = &args.args;
        // Fields, a time zone, and a wall-clock time per row.
        let (walls, zones): (Vec<Option<Option<NaiveDateTime>>>, Option<ArrayRef>) =
            if a.len() >= 6 {
                let ints = (0..5)
                    .map(|i| cast(&a[i], rows, &DataType::Int32))
                    .collect::<Result<Vec<_>>>()?;
                let seconds = cast(&a[5], rows, &DataType::Decimal128(16, 6))?;
                let seconds = seconds.as_primitive::<Decimal128Type>();
                let walls = (0..rows)
                    .map(|r| {
                        if ints.iter().any(|c| c.is_null(r)) || seconds.is_null(r) {
                            return None;
                        }
                        let v = |i: usize| ints[i].as_primitive::<Int32Type>().value(r);
                        Some(wall_clock(v(0), v(1), v(2), v(3), v(4), seconds.value(r)))
                    })
                    .collect();
                let zones = a
                    .get(6)
                    .map(|z| cast(z, rows, &DataType::Utf8))
                    .transpose()?;
                (walls, zones)
            } else {
                let dates = cast(&a[0], rows, &DataType::Date32)?;
                let dates = dates.as_primitive::<Date32Type>();
                let times = a
                    .get(1)
                    .map(|t| cast(t, rows, &DataType::Time64(TimeUnit::Microsecond)))
                    .transpose()?;
                let walls = (0..rows)
                    .map(|r| {
                        let time = match &times {
                            Some(t) if t.is_null(r) => return None,
                            Some(t) => t.as_primitive::<Time64MicrosecondType>().value(r),
                            None => 0,
                        };
                        if dates.is_null(r) {
                            return None;
                        }
                        let day = NaiveDate::default()
                            .checked_add_signed(chrono::Duration::days(dates.value(r).into()));
                        Some(day.map(|d| {
                            d.and_time(NaiveTime::MIN) + chrono::Duration::microseconds(time)
                        }))
                    })
                    .collect();
                let zones = a
                    .get(2)
                    .map(|z| cast(z, rows, &DataType::Utf8))
                    .transpose()?;
                (walls, zones)
            };
        let mut micros = Vec::with_capacity(rows);
        for (r, wall) in walls.into_iter().enumerate() {
            let wall = match wall {
                None => None,
                Some(Some(wall)) => Some(wall),
                Some(None) if self.tolerant => None,
                Some(None) => {
                    return Err(DataFusionError::Execution(format!(
                        "[DATETIME_FIELD_OUT_OF_BOUNDS.WITHOUT_SUGGESTION] Invalid value for a field of `{}`. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22023",
                        self.name
                    )));
                }
            };
            let zone = zones
                .as_ref()
                .filter(|z| !z.is_null(r))
                .map(|z| z.as_string::<i32>().value(r).to_string());
            micros.push(match (wall, zone) {
                (None, _) => None,
                // In the given time zone: its instant.
                (Some(wall), Some(zone)) => {
                    let tz: arrow::array::timezone::Tz = zone.parse()?;
                    tz.from_local_datetime(&wall)
                        .earliest()
                        .map(|t| t.timestamp_micros())
                }
                // Else a wall-clock time, read in the session time zone by the cast below.
                (Some(wall), None) => Some(wall.and_utc().timestamp_micros()),
            });
        }
        let zoned = zones.is_some();
        let out: ArrayRef = Arc::new(TimestampMicrosecondArray::from(micros));
        let out = match args.return_field.data_type() {
            // Explicit zones gave instants already.
            DataType::Timestamp(_, Some(tz)) if zoned => Arc::new(
                out.as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
                    .clone()
                    .with_timezone(Arc::clone(tz)),
            ),
            to => arrow::compute::cast(&out, to)?,
        };
        super::call_result(out, scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixty_seconds_is_the_next_minute_and_bad_fields_are_none() {
        let next = wall_clock(2019, 6, 30, 23, 59, 60_000_000).map(|t| t.to_string());
        assert_eq!(next.as_deref(), Some("2019-07-01 00:00:00"));
        assert_eq!(wall_clock(2019, 6, 30, 23, 59, 60_500_000), None);
        assert_eq!(wall_clock(2019, 13, 1, 0, 0, 0), None);
        assert_eq!(wall_clock(2019, 2, 29, 0, 0, 0), None);
        let fraction = wall_clock(2014, 12, 28, 6, 30, 45_887_000).map(|t| t.to_string());
        assert_eq!(fraction.as_deref(), Some("2014-12-28 06:30:45.887"));
    }
}
