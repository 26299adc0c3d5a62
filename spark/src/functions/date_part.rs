//! Spark's `date_part(field, source)` (also `datepart`, and `EXTRACT(field FROM source)`):
//! Spark's field names and abbreviations (`YEAR`, `Y`, `YRS`, `DOW_ISO`, `SECS`…), a string
//! source read as a timestamp, `SECOND` as a `DECIMAL(8,6)` with the fraction, and the fields
//! of intervals (`YEAR`/`MONTH` of a year-month interval, `DAY`…`SECOND` of a day-time one).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Decimal128Array, Int8Array, Int32Array};
use arrow::compute::kernels::temporal::{DatePart, date_part};
use arrow::datatypes::{DataType, Field, FieldRef, IntervalMonthDayNanoType, IntervalUnit};
use datafusion::config::ConfigOptions;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use datafusion::scalar::ScalarValue;

use super::datetime::{local_timestamp_type, session_time_zone, wall_clock};
use super::rows::text;
use super::{call_result, call_rows, constant_argument};

/// A field Spark extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Year,
    YearOfWeek,
    Quarter,
    Month,
    Week,
    Day,
    DayOfWeek,
    DayOfWeekIso,
    DayOfYear,
    Hour,
    Minute,
    Second,
}

impl Part {
    /// The field Spark means by `name` (any case), with its abbreviations.
    fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_uppercase().as_str() {
            "YEAR" | "Y" | "YEARS" | "YR" | "YRS" => Self::Year,
            "YEAROFWEEK" => Self::YearOfWeek,
            "QUARTER" | "QTR" => Self::Quarter,
            "MONTH" | "MON" | "MONS" | "MONTHS" => Self::Month,
            "WEEK" | "W" | "WEEKS" => Self::Week,
            "DAY" | "D" | "DAYS" | "DAYOFMONTH" => Self::Day,
            "DAYOFWEEK" | "DOW" => Self::DayOfWeek,
            "DAYOFWEEK_ISO" | "DOW_ISO" => Self::DayOfWeekIso,
            "DOY" => Self::DayOfYear,
            "HOUR" | "H" | "HOURS" | "HR" | "HRS" => Self::Hour,
            "MINUTE" | "M" | "MIN" | "MINS" | "MINUTES" => Self::Minute,
            "SECOND" | "S" | "SEC" | "SECONDS" | "SECS" => Self::Second,
            _ => return None,
        })
    }

    fn arrow(self) -> DatePart {
        match self {
            Self::Year => DatePart::Year,
            Self::YearOfWeek => DatePart::YearISO,
            Self::Quarter => DatePart::Quarter,
            Self::Month => DatePart::Month,
            Self::Week => DatePart::WeekISO,
            Self::Day => DatePart::Day,
            Self::DayOfWeek => DatePart::DayOfWeekSunday1,
            Self::DayOfWeekIso => DatePart::DayOfWeekMonday1,
            Self::DayOfYear => DatePart::DayOfYear,
            Self::Hour => DatePart::Hour,
            Self::Minute => DatePart::Minute,
            Self::Second => DatePart::Second,
        }
    }

    /// The result type for a source of type `source`.
    fn result_type(self, source: &DataType) -> Option<DataType> {
        let interval = matches!(source, DataType::Interval(_) | DataType::Duration(_));
        Some(match self {
            Self::Second => DataType::Decimal128(8, 6),
            Self::Month | Self::Hour | Self::Minute if interval => DataType::Int8,
            Self::Year | Self::Day if interval => DataType::Int32,
            _ if interval => return None,
            _ => DataType::Int32,
        })
    }
}

/// `date_part` (with its alias `datepart`) for the session time zone `time_zone`.
pub fn date_part_function(time_zone: Option<Arc<str>>) -> Arc<ScalarUDF> {
    Arc::new(
        ScalarUDF::new_from_impl(SparkDatePart {
            time_zone,
            signature: Signature::user_defined(Volatility::Immutable),
        })
        .with_aliases(["datepart"]),
    )
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SparkDatePart {
    time_zone: Option<Arc<str>>,
    signature: Signature,
}

fn invalid_field(field: &str, source: &DataType) -> DataFusionError {
    DataFusionError::Plan(format!(
        "[INVALID_EXTRACT_FIELD] Cannot extract {field} from {}.",
        crate::format::spark_type_name(source).to_uppercase()
    ))
}

/// The field of a call, which must be a constant string.
fn field_name(value: Option<&ScalarValue>) -> Result<String> {
    value.and_then(text).map(str::to_string).ok_or_else(|| {
        DataFusionError::Plan(
            "[NON_FOLDABLE_ARGUMENT] The function `date_part` requires the parameter `field` to be a foldable expression of the type \"STRING\", but the actual argument is a non-foldable.".into(),
        )
    })
}

impl ScalarUDFImpl for SparkDatePart {
    fn name(&self) -> &str {
        "date_part"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [_, source] = arg_types else {
            return Err(super::rows::wrong_num_args(
                "date_part",
                "2",
                arg_types.len(),
            ));
        };
        let source = match source {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
                local_timestamp_type(self.time_zone.clone())
            }
            DataType::Date32
            | DataType::Date64
            | DataType::Timestamp(_, _)
            | DataType::Interval(_)
            | DataType::Duration(_) => source.clone(),
            other => {
                return Err(super::rows::unexpected_input_type(
                    "date_part",
                    1,
                    "TIMESTAMP",
                    other,
                ));
            }
        };
        Ok(vec![DataType::Utf8, source])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal(
            "return_field_from_args is used".into(),
        ))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let field = field_name(args.scalar_arguments.first().copied().flatten())?;
        let source = args.arg_fields[1].data_type();
        let part = Part::parse(&field).ok_or_else(|| invalid_field(&field, source))?;
        let t = part
            .result_type(source)
            .ok_or_else(|| invalid_field(&field, source))?;
        Ok(Arc::new(Field::new("date_part", t, true)))
    }

    fn with_updated_config(&self, config: &ConfigOptions) -> Option<ScalarUDF> {
        Some(
            ScalarUDF::new_from_impl(Self {
                time_zone: session_time_zone(config),
                signature: self.signature.clone(),
            })
            .with_aliases(["datepart"]),
        )
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = call_rows(&args);
        let field = field_name(constant_argument(&args, 0))?;
        let source = args.args[1].to_array(rows)?;
        let part = Part::parse(&field).ok_or_else(|| invalid_field(&field, source.data_type()))?;
        let out = match source.data_type() {
            DataType::Interval(IntervalUnit::MonthDayNano) => interval_part(&source, part)?,
            DataType::Interval(_) | DataType::Duration(_) => {
                let cast =
                    arrow::compute::cast(&source, &DataType::Interval(IntervalUnit::MonthDayNano))?;
                interval_part(&cast, part)?
            }
            _ => {
                let wall: ArrayRef = Arc::new(wall_clock(&source)?);
                if part == Part::Second {
                    // Seconds with their fraction: microseconds of the minute, scale 6.
                    let seconds = date_part(wall.as_ref(), DatePart::Second)?;
                    let micros = date_part(wall.as_ref(), DatePart::Microsecond)?;
                    let (seconds, micros) = (
                        seconds.as_primitive::<arrow::datatypes::Int32Type>(),
                        micros.as_primitive::<arrow::datatypes::Int32Type>(),
                    );
                    let values: Decimal128Array = seconds
                        .iter()
                        .zip(micros.iter())
                        .map(|(s, m)| {
                            s.zip(m)
                                .map(|(s, m)| i128::from(s) * 1_000_000 + i128::from(m % 1_000_000))
                        })
                        .collect();
                    Arc::new(values.with_precision_and_scale(8, 6)?)
                } else {
                    let values = date_part(wall.as_ref(), part.arrow())?;
                    arrow::compute::cast(&values, &DataType::Int32)?
                }
            }
        };
        call_result(out, scalar)
    }
}

/// A field of Spark intervals held as month-day-nano values: years and months of the months,
/// days to seconds of the days and nanoseconds together (as one day-time interval).
fn interval_part(source: &ArrayRef, part: Part) -> Result<ArrayRef> {
    let values = source.as_primitive::<IntervalMonthDayNanoType>();
    const DAY: i128 = 86_400_000_000_000;
    let time = |v: arrow::datatypes::IntervalMonthDayNano| {
        i128::from(v.days) * DAY + i128::from(v.nanoseconds)
    };
    Ok(match part {
        Part::Year => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| v.months / 12))
                .collect::<Int32Array>(),
        ),
        Part::Month => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| (v.months % 12) as i8))
                .collect::<Int8Array>(),
        ),
        Part::Day => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| (time(v) / DAY) as i32))
                .collect::<Int32Array>(),
        ),
        Part::Hour => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| (time(v) % DAY / 3_600_000_000_000) as i8))
                .collect::<Int8Array>(),
        ),
        Part::Minute => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| (time(v) % 3_600_000_000_000 / 60_000_000_000) as i8))
                .collect::<Int8Array>(),
        ),
        Part::Second => {
            let out: Decimal128Array = values
                .iter()
                .map(|v| v.map(|v| time(v) % 60_000_000_000 / 1_000))
                .collect();
            Arc::new(out.with_precision_and_scale(8, 6)?)
        }
        _ => {
            return Err(invalid_field(&format!("{part:?}"), source.data_type()));
        }
    })
}
