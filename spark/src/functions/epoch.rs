//! Spark's functions between timestamps and numbers: `timestamp_seconds`, `timestamp_millis`,
//! `timestamp_micros` (a count since the epoch to a timestamp) and `months_between`.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use chrono::{DateTime, Datelike, NaiveDate};
use datafusion::config::ConfigOptions;
use datafusion::error::{DataFusionError, Result};

use super::datetime::{local_timestamp_type, session_time_zone};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// `timestamp_seconds(n)` (`n` may have a fraction), `timestamp_millis(n)`,
/// `timestamp_micros(n)`: instants, shown in the session time zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FromEpoch {
    name: &'static str,
    micros_per_unit: i64,
    time_zone: Option<Arc<str>>,
    signature: Signature,
}

impl ScalarUDFImpl for FromEpoch {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(local_timestamp_type(self.time_zone.clone()))
    }

    fn with_updated_config(&self, config: &ConfigOptions) -> Option<ScalarUDF> {
        Some(ScalarUDF::new_from_impl(Self {
            time_zone: session_time_zone(config),
            ..self.clone()
        }))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS] {} takes one argument",
                self.name
            )));
        };
        let (rows, scalar) = super::call_rows(&args);
        let input = arg.to_array(rows)?;
        let overflow = || {
            DataFusionError::Execution(format!(
                "[ARITHMETIC_OVERFLOW] long overflow in {}. SQLSTATE: 22003",
                self.name
            ))
        };
        let out: TimestampMicrosecondArray = match input.data_type() {
            DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) => {
                let doubles = arrow::compute::cast(&input, &DataType::Float64)?;
                let decimals = matches!(input.data_type(), DataType::Decimal128(..));
                let exact = if decimals {
                    Some(arrow::compute::cast(&input, &DataType::Decimal128(38, 6))?)
                } else {
                    None
                };
                let doubles = doubles.as_primitive::<Float64Type>();
                (0..input.len())
                    .map(|i| {
                        if input.is_null(i) {
                            return Ok(None);
                        }
                        // A decimal converts exactly (1230219000.123 s is …123000 µs).
                        if let Some(exact) = &exact {
                            // NULL here means the value did not fit decimal(38,6).
                            if exact.is_null(i) {
                                return Err(overflow());
                            }
                            let micros = exact
                                .as_primitive::<arrow::datatypes::Decimal128Type>()
                                .value(i)
                                .checked_mul(self.micros_per_unit as i128)
                                .map(|m| m / 1_000_000)
                                .and_then(|m| i64::try_from(m).ok())
                                .ok_or_else(overflow)?;
                            return Ok(Some(micros));
                        }
                        let v = doubles.value(i) * self.micros_per_unit as f64;
                        // Spark: NaN and the infinities give NULL.
                        if !v.is_finite() {
                            return Ok(None);
                        }
                        if v.abs() >= i64::MAX as f64 {
                            return Err(overflow());
                        }
                        Ok(Some(v as i64))
                    })
                    .collect::<Result<_>>()?
            }
            _ => {
                let longs = arrow::compute::cast(&input, &DataType::Int64)?;
                longs
                    .as_primitive::<Int64Type>()
                    .iter()
                    .map(|v| {
                        v.map(|v| v.checked_mul(self.micros_per_unit).ok_or_else(overflow))
                            .transpose()
                    })
                    .collect::<Result<_>>()?
            }
        };
        let zone = match args.return_field.data_type() {
            DataType::Timestamp(_, zone) => zone.clone(),
            _ => None,
        };
        super::call_result(Arc::new(out.with_timezone_opt(zone)), scalar)
    }
}

/// Spark's `months_between(t1, t2[, roundOff])`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct MonthsBetween {
    signature: Signature,
}

fn last_day_of_month(d: NaiveDate) -> u32 {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|first| first.pred_opt())
        .map_or(31, |last| last.day())
}

/// Months from `t2` to `t1` (microseconds since the epoch), as Spark's `DateTimeUtils`
/// computes them: whole months when both days are the same day of the month or both the last
/// day, else the day and second difference over a 31-day month.
pub fn months_between(t1: i64, t2: i64, round_off: bool) -> Option<f64> {
    let d1 = DateTime::from_timestamp_micros(t1)?.naive_utc();
    let d2 = DateTime::from_timestamp_micros(t2)?.naive_utc();
    let months = |d: &chrono::NaiveDateTime| d.year() as i64 * 12 + d.month() as i64;
    let month_diff = (months(&d1) - months(&d2)) as f64;
    let (day1, day2) = (d1.day(), d2.day());
    if day1 == day2
        || (day1 == last_day_of_month(d1.date()) && day2 == last_day_of_month(d2.date()))
    {
        return Some(month_diff);
    }
    let seconds_in_day = |t: i64| t.rem_euclid(86_400_000_000) / 1_000_000;
    let seconds_diff =
        (day1 as i64 - day2 as i64) * 86_400 + seconds_in_day(t1) - seconds_in_day(t2);
    let diff = month_diff + seconds_diff as f64 / (31.0 * 86_400.0);
    if round_off {
        // BigDecimal(diff).setScale(8, HALF_UP), as `round(diff, 8)` computes it.
        Some(super::math::round_double(diff, 8, super::math::Halves::Up))
    } else {
        Some(diff)
    }
}

impl ScalarUDFImpl for MonthsBetween {
    fn name(&self) -> &str {
        "months_between"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if !(2..=3).contains(&args.args.len()) {
            return Err(DataFusionError::Plan(
                "[WRONG_NUM_ARGS] months_between takes 2 or 3 arguments".into(),
            ));
        }
        let (rows, scalar) = super::call_rows(&args);
        let timestamp = |v: &ColumnarValue| -> Result<ArrayRef> {
            let array = v.to_array(rows)?;
            let array = match array.data_type() {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                    super::datetime::strings_to_timestamps(&array)?
                }
                // Spark counts months between wall-clock times of the session time zone.
                _ => Arc::new(super::datetime::wall_clock(&array)?),
            };
            Ok(arrow::compute::cast(&array, &DataType::Int64)?)
        };
        let t1 = timestamp(&args.args[0])?;
        let t2 = timestamp(&args.args[1])?;
        let round = match args.args.get(2) {
            Some(v) => arrow::compute::cast(&v.to_array(rows)?, &DataType::Boolean)?,
            None => Arc::new(arrow::array::BooleanArray::from(vec![true; rows])),
        };
        let (t1, t2, round) = (
            t1.as_primitive::<Int64Type>(),
            t2.as_primitive::<Int64Type>(),
            round.as_boolean(),
        );
        let out: Float64Array = (0..rows)
            .map(|i| {
                if t1.is_null(i) || t2.is_null(i) || round.is_null(i) {
                    None
                } else {
                    months_between(t1.value(i), t2.value(i), round.value(i))
                }
            })
            .collect();
        super::call_result(Arc::new(out), scalar)
    }
}

/// The functions of this module, for registration.
pub fn epoch_functions() -> Vec<Arc<ScalarUDF>> {
    let mut out: Vec<Arc<ScalarUDF>> = [
        ("timestamp_seconds", 1_000_000),
        ("timestamp_millis", 1_000),
        ("timestamp_micros", 1),
    ]
    .into_iter()
    .map(|(name, micros_per_unit)| {
        Arc::new(ScalarUDF::new_from_impl(FromEpoch {
            name,
            micros_per_unit,
            time_zone: None,
            signature: Signature::any(1, Volatility::Immutable),
        }))
    })
    .collect();
    out.push(Arc::new(ScalarUDF::new_from_impl(MonthsBetween {
        signature: Signature::variadic_any(Volatility::Immutable),
    })));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_between_follows_spark() {
        // Spark's examples: months_between('1997-02-28 10:30:00', '1996-10-30').
        let t1 = 857_125_800_000_000; // 1997-02-28 10:30:00
        let t2 = 846_633_600_000_000; // 1996-10-30 00:00:00
        assert_eq!(months_between(t1, t2, true), Some(3.94959677));
        assert_eq!(months_between(t1, t2, false), Some(3.9495967741935485));
        assert_eq!(
            super::super::math::round_double(1.234567895, 8, super::super::math::Halves::Up),
            1.2345679
        );
    }
}
