//! Spark's `timestampadd(unit, n, t)` and `timestampdiff(unit, start, end)` (also spelled
//! `dateadd`/`date_add` and `datediff`/`date_diff` with a unit keyword first).
//!
//! Units are `YEAR`, `QUARTER`, `MONTH`, `WEEK`, `DAY`, `DAYOFYEAR`, `HOUR`, `MINUTE`,
//! `SECOND`, `MILLISECOND` and `MICROSECOND`. As in Spark, calendar units (a day and longer)
//! count on the wall clock of the session time zone (adding a month keeps the time of day and
//! clamps the day to the month's end; a difference in months counts whole months), shorter
//! units on the instant. A `DATE` is midnight in the session time zone; the result of
//! `timestampadd` is a `TIMESTAMP_NTZ` for a `TIMESTAMP_NTZ` and a `TIMESTAMP` otherwise.

use std::sync::Arc;

use arrow::array::timezone::Tz;
use arrow::array::{Array, Int64Array, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, TimeUnit};
use chrono::{DateTime, Datelike, Months, NaiveDateTime, TimeZone};
use datafusion::config::ConfigOptions;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::datetime::{local_timestamp_type, session_time_zone, wall_clock};
use super::{call_result, call_rows, cast_argument};

/// The name `timestampadd(unit, n, t)` is planned under.
pub const TIMESTAMP_ADD: &str = "spark_timestampadd";
/// The name `timestampdiff(unit, a, b)` is planned under.
pub const TIMESTAMP_DIFF: &str = "spark_timestampdiff";

/// A unit of `timestampadd`/`timestampdiff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Year,
    Quarter,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
}

impl Unit {
    fn parse(text: &str, function: &str) -> Result<Self> {
        Ok(match text {
            "YEAR" => Self::Year,
            "QUARTER" => Self::Quarter,
            "MONTH" => Self::Month,
            "WEEK" => Self::Week,
            "DAY" | "DAYOFYEAR" => Self::Day,
            "HOUR" => Self::Hour,
            "MINUTE" => Self::Minute,
            "SECOND" => Self::Second,
            "MILLISECOND" => Self::Millisecond,
            "MICROSECOND" => Self::Microsecond,
            other => {
                let got = if other.starts_with('\'') {
                    format!("the string literal {other}")
                } else {
                    format!("'{other}'")
                };
                return Err(DataFusionError::Plan(format!(
                    "[INVALID_PARAMETER_VALUE.DATETIME_UNIT] The value of parameter(s) `unit` in `{function}` is invalid: expects one of the units without quotes YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFYEAR, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, but got {got}."
                )));
            }
        })
    }

    /// Microseconds in one unit, for units shorter than a day.
    fn micros(self) -> Option<i64> {
        match self {
            Self::Hour => Some(3_600_000_000),
            Self::Minute => Some(60_000_000),
            Self::Second => Some(1_000_000),
            Self::Millisecond => Some(1_000),
            Self::Microsecond => Some(1),
            _ => None,
        }
    }
}

/// `timestampadd` and `timestampdiff` for the session time zone `time_zone`.
pub fn timestamp_unit_functions(time_zone: Option<Arc<str>>) -> Vec<Arc<ScalarUDF>> {
    [false, true]
        .into_iter()
        .map(|diff| {
            Arc::new(ScalarUDF::new_from_impl(TimestampUnits {
                diff,
                time_zone: time_zone.clone(),
                signature: Signature::user_defined(Volatility::Immutable),
            }))
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct TimestampUnits {
    /// `timestampdiff` (else `timestampadd`).
    diff: bool,
    time_zone: Option<Arc<str>>,
    signature: Signature,
}

/// A date or timestamp argument as Spark reads it: NTZ stays, anything else is an instant in
/// the session time zone.
fn timestamp_type(t: &DataType, session: &Option<Arc<str>>) -> DataType {
    match t {
        DataType::Timestamp(_, None) => DataType::Timestamp(TimeUnit::Microsecond, None),
        DataType::Timestamp(_, Some(zone)) => {
            DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::clone(zone)))
        }
        _ => local_timestamp_type(session.clone()),
    }
}

impl TimestampUnits {
    fn spark_name(&self) -> &'static str {
        if self.diff {
            "timestampdiff"
        } else {
            "timestampadd"
        }
    }

    fn zone(&self) -> Result<Tz> {
        self.time_zone
            .as_deref()
            .unwrap_or("UTC")
            .parse::<Tz>()
            .map_err(DataFusionError::from)
    }
}

/// `micros` as a wall clock.
fn naive(micros: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_micros(micros).map(|t| t.naive_utc())
}

/// A wall clock in `zone` as an instant (the earlier one when repeated, the later side of a
/// skipped hour).
fn instant(zone: &Tz, local: NaiveDateTime) -> Option<i64> {
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.timestamp_micros())
}

/// `n` calendar units added to a wall clock.
fn add_calendar(local: NaiveDateTime, unit: Unit, n: i64) -> Option<NaiveDateTime> {
    let months = |m: i64| -> Option<NaiveDateTime> {
        let m32 = u32::try_from(m.unsigned_abs()).ok()?;
        if m >= 0 {
            local.checked_add_months(Months::new(m32))
        } else {
            local.checked_sub_months(Months::new(m32))
        }
    };
    match unit {
        Unit::Year => months(n.checked_mul(12)?),
        Unit::Quarter => months(n.checked_mul(3)?),
        Unit::Month => months(n),
        Unit::Week => local.checked_add_signed(chrono::Duration::try_days(n.checked_mul(7)?)?),
        Unit::Day => local.checked_add_signed(chrono::Duration::try_days(n)?),
        _ => None,
    }
}

/// Whole calendar units from `start` to `end` (wall clocks), as `java.time` counts them.
fn calendar_between(start: NaiveDateTime, end: NaiveDateTime, unit: Unit) -> i64 {
    // A partial last day does not count.
    let mut end_date = end.date();
    if end_date > start.date() && end.time() < start.time() {
        end_date = end_date.pred_opt().unwrap_or(end_date);
    } else if end_date < start.date() && end.time() > start.time() {
        end_date = end_date.succ_opt().unwrap_or(end_date);
    }
    let start_date = start.date();
    let days = (end_date - start_date).num_days();
    let proleptic = |d: chrono::NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let mut months = proleptic(end_date) - proleptic(start_date);
    let day_diff = i64::from(end_date.day()) - i64::from(start_date.day());
    if months > 0 && day_diff < 0 {
        months -= 1;
    } else if months < 0 && day_diff > 0 {
        months += 1;
    }
    match unit {
        Unit::Year => months / 12,
        Unit::Quarter => months / 3,
        Unit::Month => months,
        Unit::Week => days / 7,
        _ => days,
    }
}

impl ScalarUDFImpl for TimestampUnits {
    fn name(&self) -> &str {
        if self.diff {
            TIMESTAMP_DIFF
        } else {
            TIMESTAMP_ADD
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [_, second, third] = arg_types else {
            return Err(super::rows::wrong_num_args(
                self.spark_name(),
                "3",
                arg_types.len(),
            ));
        };
        let tz = &self.time_zone;
        Ok(if self.diff {
            vec![
                DataType::Utf8,
                timestamp_type(second, tz),
                timestamp_type(third, tz),
            ]
        } else {
            vec![DataType::Utf8, DataType::Int64, timestamp_type(third, tz)]
        })
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if self.diff {
            return Ok(DataType::Int64);
        }
        Ok(match arg_types.get(2) {
            Some(DataType::Timestamp(_, None)) => DataType::Timestamp(TimeUnit::Microsecond, None),
            Some(t) => timestamp_type(t, &self.time_zone),
            None => local_timestamp_type(self.time_zone.clone()),
        })
    }

    fn with_updated_config(&self, config: &ConfigOptions) -> Option<ScalarUDF> {
        Some(ScalarUDF::new_from_impl(Self {
            diff: self.diff,
            time_zone: session_time_zone(config),
            signature: self.signature.clone(),
        }))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = call_rows(&args);
        let [unit, second, third] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "{} takes three arguments",
                self.spark_name()
            )));
        };
        let units: StringArray = cast_argument(unit, rows, &DataType::Utf8)?;
        let zone = self.zone()?;
        if self.diff {
            let (a, b) = (second.to_array(rows)?, third.to_array(rows)?);
            let ntz = matches!(a.data_type(), DataType::Timestamp(_, None))
                && matches!(b.data_type(), DataType::Timestamp(_, None));
            let (a_wall, b_wall) = (wall_clock(&a)?, wall_clock(&b)?);
            let instants = |x: &arrow::array::ArrayRef| -> Result<TimestampMicrosecondArray> {
                if ntz {
                    wall_clock(x)
                } else {
                    cast_argument(
                        &ColumnarValue::Array(Arc::clone(x)),
                        rows,
                        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                    )
                }
            };
            let (a_at, b_at) = (instants(&a)?, instants(&b)?);
            let mut out = Vec::with_capacity(rows);
            for i in 0..rows {
                if units.is_null(i) || a_at.is_null(i) || b_at.is_null(i) {
                    out.push(None);
                    continue;
                }
                let unit = Unit::parse(units.value(i), self.spark_name())?;
                out.push(match unit.micros() {
                    // Truncated toward zero, as java.time counts whole units.
                    Some(per) => Some(
                        b_at.value(i).checked_sub(a_at.value(i)).ok_or_else(|| {
                            DataFusionError::Execution(
                                "[ARITHMETIC_OVERFLOW] long overflow in timestampdiff.".into(),
                            )
                        })? / per,
                    ),
                    None => naive(a_wall.value(i))
                        .zip(naive(b_wall.value(i)))
                        .map(|(s, e)| calendar_between(s, e, unit)),
                });
            }
            return call_result(Arc::new(Int64Array::from(out)), scalar);
        }
        let amounts: Int64Array = cast_argument(second, rows, &DataType::Int64)?;
        let values = third.to_array(rows)?;
        let ntz = matches!(values.data_type(), DataType::Timestamp(_, None));
        let walls = wall_clock(&values)?;
        let at: TimestampMicrosecondArray = if ntz {
            walls.clone()
        } else {
            cast_argument(
                &ColumnarValue::Array(Arc::clone(&values)),
                rows,
                &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            )?
        };
        let mut out = Vec::with_capacity(rows);
        for i in 0..rows {
            if units.is_null(i) || amounts.is_null(i) || walls.is_null(i) {
                out.push(None);
                continue;
            }
            let unit = Unit::parse(units.value(i), self.spark_name())?;
            let n = amounts.value(i);
            let overflow = || {
                DataFusionError::Execution(format!(
                    "[DATETIME_OVERFLOW] Datetime operation overflow: add {n} {unit:?} to TIMESTAMP."
                ))
            };
            let result = match unit.micros() {
                Some(per) => n
                    .checked_mul(per)
                    .and_then(|d| at.value(i).checked_add(d))
                    .ok_or_else(overflow)?,
                None => {
                    let local = naive(walls.value(i)).ok_or_else(overflow)?;
                    let moved = add_calendar(local, unit, n).ok_or_else(overflow)?;
                    if ntz {
                        moved.and_utc().timestamp_micros()
                    } else {
                        instant(&zone, moved).ok_or_else(overflow)?
                    }
                }
            };
            out.push(Some(result));
        }
        let out = TimestampMicrosecondArray::from(out);
        let out = match args.return_field.data_type() {
            DataType::Timestamp(_, Some(tz)) => out.with_timezone(Arc::clone(tz)),
            _ => out,
        };
        call_result(Arc::new(out), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap_or_default()
    }

    #[test]
    fn calendar_differences_count_whole_units() {
        // JVM Spark 4.3: timestampdiff(MONTH, '2022-02-25 01:02:03', '2022-01-25 01:02:03') = -1,
        // (WEEK, '2022-02-25 01:02:03', '2022-01-28 01:02:03') = -4,
        // (DAY, DATE'2022-02-25', '2023-02-27 00:00:00') = 367.
        let (a, b) = (at("2022-02-25 01:02:03"), at("2022-01-25 01:02:03"));
        assert_eq!(calendar_between(a, b, Unit::Month), -1);
        assert_eq!(
            calendar_between(a, at("2022-01-28 01:02:03"), Unit::Week),
            -4
        );
        assert_eq!(
            calendar_between(
                at("2022-02-25 00:00:00"),
                at("2023-02-27 00:00:00"),
                Unit::Day
            ),
            367
        );
        assert_eq!(
            calendar_between(
                at("2022-01-31 10:00:00"),
                at("2022-02-28 09:00:00"),
                Unit::Month
            ),
            0
        );
    }
}
