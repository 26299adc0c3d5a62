//! Spark's `sequence(start, stop[, step])` of integers or dates, and element access on arrays
//! and maps: `element_at` (1-based, negative indices count from the end), `a[i]` (0-based),
//! `try_element_at` and `get` (NULL out of bounds); a map gives the key's value or NULL.
//! Out of an array's bounds `element_at` raises `[INVALID_ARRAY_INDEX_IN_ELEMENT_AT]` and `a[i]`
//! `[INVALID_ARRAY_INDEX]`, as Spark does in ANSI mode; they raise it without ANSI mode too,
//! where Spark returns NULL (a listed difference).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, UInt32Array};
use arrow::compute::take;
use arrow::datatypes::{DataType, Int64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

#[derive(Debug, PartialEq, Eq, Hash)]
struct ElementAt {
    name: &'static str,
    /// NULL instead of an error out of bounds.
    tolerant: bool,
    /// Array indices count from 0 (`a[i]`, `get`) instead of 1, and negative ones are out of
    /// bounds.
    zero_based: bool,
    signature: Signature,
}

/// The internal name Spark's subscript `a[i]` / `m[k]` is planned under.
pub const SUBSCRIPT: &str = "spark_subscript";

/// `element_at`, `try_element_at`, `get` and the subscript operator.
pub fn element_at_functions() -> Vec<Arc<ScalarUDF>> {
    [
        ("element_at", false, false),
        ("try_element_at", true, false),
        ("get", true, true),
        (SUBSCRIPT, false, true),
    ]
    .into_iter()
    .map(|(name, tolerant, zero_based)| {
        Arc::new(ScalarUDF::new_from_impl(ElementAt {
            name,
            tolerant,
            zero_based,
            signature: Signature::any(2, Volatility::Immutable),
        }))
    })
    .collect()
}

impl ElementAt {
    fn array_element(&self, list: &ArrayRef, index: &ArrayRef) -> Result<ArrayRef> {
        let list = arrow::compute::cast(
            list,
            &match list.data_type() {
                DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
                    DataType::List(Arc::clone(f))
                }
                other => other.clone(),
            },
        )?;
        let list = list.as_list::<i32>();
        let index = arrow::compute::cast(index, &DataType::Int64)?;
        let index = index.as_primitive::<Int64Type>();
        let mut positions = Vec::with_capacity(list.len());
        for row in 0..list.len() {
            if list.is_null(row) || index.is_null(row) {
                positions.push(None);
                continue;
            }
            let start = list.value_offsets()[row] as i64;
            let len = list.value_length(row) as i64;
            let i = index.value(row);
            if self.zero_based {
                if (0..len).contains(&i) {
                    positions.push(Some((start + i) as u32));
                    continue;
                }
                if self.tolerant {
                    positions.push(None);
                    continue;
                }
                return Err(DataFusionError::Execution(format!(
                    "[INVALID_ARRAY_INDEX] The index {i} is out of bounds. The array has {len} elements. Use the SQL function `get()` to tolerate accessing element at invalid index and return NULL instead. SQLSTATE: 22003"
                )));
            }
            if i == 0 {
                return Err(DataFusionError::Execution(
                    "[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1). SQLSTATE: 22003".into(),
                ));
            }
            let at = if i > 0 { i - 1 } else { len + i };
            if at < 0 || at >= len {
                if self.tolerant {
                    positions.push(None);
                    continue;
                }
                return Err(DataFusionError::Execution(format!(
                    "[INVALID_ARRAY_INDEX_IN_ELEMENT_AT] The index {i} is out of bounds. The array has {len} elements. Use `try_element_at` to tolerate accessing element at invalid index and return NULL instead. SQLSTATE: 22003"
                )));
            }
            positions.push(Some((start + at) as u32));
        }
        Ok(take(
            list.values().as_ref(),
            &UInt32Array::from(positions),
            None,
        )?)
    }

    fn map_value(&self, map: &ArrayRef, key: &ArrayRef) -> Result<ArrayRef> {
        let map = map.as_map();
        let keys = map.keys();
        let key = arrow::compute::cast(key, keys.data_type())?;
        let mut positions = Vec::with_capacity(map.len());
        for row in 0..map.len() {
            if map.is_null(row) || key.is_null(row) {
                positions.push(None);
                continue;
            }
            let wanted = ScalarValue::try_from_array(key.as_ref(), row)?;
            let offsets = map.value_offsets();
            let mut found = None;
            for i in offsets[row] as usize..offsets[row + 1] as usize {
                if ScalarValue::try_from_array(keys.as_ref(), i)? == wanted {
                    found = Some(i as u32);
                }
            }
            positions.push(found);
        }
        Ok(take(
            map.values().as_ref(),
            &UInt32Array::from(positions),
            None,
        )?)
    }
}

impl ScalarUDFImpl for ElementAt {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _)) => {
                Ok(f.data_type().clone())
            }
            Some(DataType::Map(entries, _)) => match entries.data_type() {
                DataType::Struct(fields) if fields.len() == 2 => Ok(fields[1].data_type().clone()),
                other => Err(DataFusionError::Plan(format!(
                    "a map's entries cannot be {other}"
                ))),
            },
            Some(DataType::Null) => Ok(DataType::Null),
            other => Err(DataFusionError::Plan(format!(
                "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] {} takes an array or a map, not {}",
                self.name,
                other.map_or("nothing".to_string(), crate::format::spark_type_name)
            ))),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [container, key] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS] {} takes two arguments",
                self.name
            )));
        };
        let (rows, scalar) = super::call_rows(&args);
        let container = container.to_array(rows)?;
        let key = key.to_array(rows)?;
        let out = match container.data_type() {
            DataType::Map(_, _) => self.map_value(&container, &key)?,
            DataType::Null => container,
            _ => self.array_element(&container, &key)?,
        };
        super::call_result(out, scalar)
    }
}

/// Spark's `sequence`: integers (the wider of the bounds' types) or dates stepping by days or
/// months; the step defaults to 1 (or -1 when `stop < start`, one day for dates).
#[derive(Debug, PartialEq, Eq, Hash)]
struct Sequence {
    signature: Signature,
}

/// `sequence`, for registration.
pub fn sequence_function() -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(Sequence {
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
}

fn illegal_boundaries(start: i64, stop: i64, step: &str) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[INVALID_PARAMETER_VALUE.SEQUENCE_WRONG_INPUT_TYPES] Illegal sequence boundaries: {start} to {stop} by {step}"
    ))
}

/// The date `days` after the epoch plus `months` calendar months (clamped to the month's end).
fn add_months(days: i32, months: i64) -> Option<i32> {
    use chrono::{Months, NaiveDate};
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    let date = epoch.checked_add_signed(chrono::Duration::days(days as i64))?;
    let moved = if months >= 0 {
        date.checked_add_months(Months::new(u32::try_from(months).ok()?))?
    } else {
        date.checked_sub_months(Months::new(u32::try_from(-months).ok()?))?
    };
    Some((moved - epoch).num_days() as i32)
}

impl ScalarUDFImpl for Sequence {
    fn name(&self) -> &str {
        "sequence"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let element = match arg_types {
            [DataType::Date32, DataType::Date32, ..] => DataType::Date32,
            [a, b, ..] if a.is_integer() && b.is_integer() => {
                super::arithmetic::result_type(&[a.clone(), b.clone()])
            }
            _ => {
                return Err(DataFusionError::Plan(format!(
                    "[DATATYPE_MISMATCH.SEQUENCE_WRONG_INPUT_TYPES] sequence takes integers or dates, not {}",
                    arg_types
                        .iter()
                        .map(crate::format::spark_type_name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        };
        Ok(DataType::new_list(element, true))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if !(2..=3).contains(&args.args.len()) {
            return Err(DataFusionError::Plan(
                "[WRONG_NUM_ARGS] sequence takes 2 or 3 arguments".into(),
            ));
        }
        let (rows, scalar) = super::call_rows(&args);
        let DataType::List(field) = args.return_field.data_type() else {
            return Err(DataFusionError::Internal("sequence returns a list".into()));
        };
        let element = field.data_type().clone();
        let bound = |i: usize, to: &DataType| -> Result<ArrayRef> {
            let a = args.args[i].to_array(rows)?;
            let a = arrow::compute::cast(&a, to)?;
            Ok(arrow::compute::cast(&a, &DataType::Int64)?)
        };
        let dates = element == DataType::Date32;
        let start = bound(0, &element)?;
        let stop = bound(1, &element)?;
        let (start, stop) = (
            start.as_primitive::<Int64Type>(),
            stop.as_primitive::<Int64Type>(),
        );
        // The step: (months, days) for dates, a count for integers.
        let step: Option<ArrayRef> = args.args.get(2).map(|s| s.to_array(rows)).transpose()?;
        let mut offsets = vec![0usize];
        let mut values: Vec<i64> = Vec::new();
        let mut nulls = Vec::with_capacity(rows);
        for row in 0..rows {
            if start.is_null(row)
                || stop.is_null(row)
                || step.as_ref().is_some_and(|s| s.is_null(row))
            {
                nulls.push(false);
                offsets.push(values.len());
                continue;
            }
            let (a, b) = (start.value(row), stop.value(row));
            let default = if b >= a { 1 } else { -1 };
            let (months, days, text) = match &step {
                None => (0, default, default.to_string()),
                Some(s) => match ScalarValue::try_from_array(s.as_ref(), row)? {
                    ScalarValue::IntervalYearMonth(Some(m)) => (m as i64, 0, format!("{m} months")),
                    ScalarValue::IntervalDayTime(Some(d)) => {
                        (0, d.days as i64, format!("{} days", d.days))
                    }
                    ScalarValue::IntervalMonthDayNano(Some(v)) => (
                        v.months as i64,
                        v.days as i64,
                        format!("{} months {} days", v.months, v.days),
                    ),
                    other => {
                        let n = other.cast_to(&DataType::Int64)?;
                        let ScalarValue::Int64(Some(n)) = n else {
                            return Err(DataFusionError::Plan(
                                "sequence's step must be a number or an interval".into(),
                            ));
                        };
                        (0, n, n.to_string())
                    }
                },
            };
            if !dates && months != 0 {
                return Err(DataFusionError::Plan(
                    "an integer sequence steps by a number".into(),
                ));
            }
            let forward = months > 0 || (months == 0 && days > 0);
            let backward = months < 0 || (months == 0 && days < 0);
            if (a < b && !forward) || (a > b && !backward) || (a != b && months == 0 && days == 0) {
                return Err(illegal_boundaries(a, b, &text));
            }
            let row_start = values.len();
            let mut k: i64 = 0;
            loop {
                // Past the range of the type, the sequence ends.
                let next = if months != 0 {
                    months
                        .checked_mul(k)
                        .and_then(|m| add_months(a as i32, m))
                        .zip(days.checked_mul(k))
                        .and_then(|(d, step)| (d as i64).checked_add(step))
                } else {
                    days.checked_mul(k).and_then(|step| a.checked_add(step))
                };
                let Some(v) = next else {
                    break;
                };
                if (forward && v > b) || (backward && v < b) || (!forward && !backward && k > 0) {
                    break;
                }
                values.push(v);
                if values.len() - row_start > 1 << 27 {
                    return Err(DataFusionError::Execution(
                        "[COLLECTION_SIZE_LIMIT_EXCEEDED] sequence would have too many elements"
                            .into(),
                    ));
                }
                k += 1;
            }
            nulls.push(true);
            offsets.push(values.len());
        }
        let values: ArrayRef = Arc::new(arrow::array::Int64Array::from(values));
        let values = arrow::compute::cast(&values, &element)?;
        let out: ArrayRef = Arc::new(arrow::array::ListArray::try_new(
            Arc::clone(field),
            arrow::buffer::OffsetBuffer::from_lengths(offsets.windows(2).map(|w| w[1] - w[0])),
            values,
            Some(arrow::buffer::NullBuffer::from(nulls)),
        )?);
        super::call_result(out, scalar)
    }
}
