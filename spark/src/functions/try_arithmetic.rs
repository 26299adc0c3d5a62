//! Spark's `try_add`, `try_subtract`, `try_multiply` and `try_mod`: the operator's result, or
//! NULL for a row where the operator would fail (integer or decimal overflow, a zero divisor).
//!
//! They take what Spark's operators take: integers (the result is the wider type), decimals,
//! floating point, a date plus or minus a number of days, and a date or timestamp plus or minus
//! an interval. Arrow's checked kernels compute the whole batch; only when one row fails is the
//! batch recomputed row by row, so that the failing rows alone become NULL.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, IntervalDayTimeArray, new_empty_array, new_null_array};
use arrow::compute::kernels::numeric;
use arrow::compute::{cast, concat};
use arrow::datatypes::{DataType, IntervalDayTime, IntervalUnit};
use arrow::error::ArrowError;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The operator a [`TryArithmetic`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    Add,
    Subtract,
    Multiply,
    Mod,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct TryArithmetic {
    name: &'static str,
    op: Op,
    signature: Signature,
}

/// `try_add`, `try_subtract`, `try_multiply` and `try_mod`.
pub fn try_arithmetic_functions() -> Vec<Arc<ScalarUDF>> {
    [
        ("try_add", Op::Add),
        ("try_subtract", Op::Subtract),
        ("try_multiply", Op::Multiply),
        ("try_mod", Op::Mod),
    ]
    .into_iter()
    .map(|(name, op)| {
        Arc::new(ScalarUDF::new_from_impl(TryArithmetic {
            name,
            op,
            signature: Signature::any(2, Volatility::Immutable),
        }))
    })
    .collect()
}

fn integer_rank(t: &DataType) -> Option<u8> {
    Some(match t {
        DataType::Int8 => 1,
        DataType::Int16 => 2,
        DataType::Int32 | DataType::Null => 3,
        DataType::Int64 => 4,
        _ => return None,
    })
}

/// The decimal an integer type converts to in decimal arithmetic (Spark: `INT` is
/// `decimal(10,0)`, `BIGINT` is `decimal(20,0)`).
fn integer_decimal(t: &DataType) -> Option<DataType> {
    Some(match integer_rank(t)? {
        1 => DataType::Decimal128(3, 0),
        2 => DataType::Decimal128(5, 0),
        3 => DataType::Decimal128(10, 0),
        _ => DataType::Decimal128(20, 0),
    })
}

/// How each operand is prepared before arrow's kernel sees it.
#[derive(Debug, Clone, PartialEq)]
enum Prepare {
    Cast(DataType),
    /// A number of days, as a day-time interval (`date + 1`).
    Days,
}

/// How to prepare the operands of `left op right`, or an error naming what Spark refuses.
fn prepare(op: Op, left: &DataType, right: &DataType) -> Result<(Prepare, Prepare)> {
    use DataType::*;
    let same = |t: DataType| Ok((Prepare::Cast(t.clone()), Prepare::Cast(t)));
    match (integer_rank(left), integer_rank(right)) {
        (Some(_), Some(_)) => {
            return same(super::arithmetic::result_type(&[
                left.clone(),
                right.clone(),
            ]));
        }
        (Some(_), None) if matches!(right, Decimal128(..)) => {
            return Ok((
                Prepare::Cast(integer_decimal(left).unwrap_or(Decimal128(20, 0))),
                Prepare::Cast(right.clone()),
            ));
        }
        (None, Some(_)) if matches!(left, Decimal128(..)) => {
            return Ok((
                Prepare::Cast(left.clone()),
                Prepare::Cast(integer_decimal(right).unwrap_or(Decimal128(20, 0))),
            ));
        }
        (None, Some(_)) if left == &Date32 && matches!(op, Op::Add | Op::Subtract) => {
            return Ok((Prepare::Cast(Date32), Prepare::Days));
        }
        (Some(_), None) if right == &Date32 && op == Op::Add => {
            return Ok((Prepare::Days, Prepare::Cast(Date32)));
        }
        _ => {}
    }
    if (left.is_floating() || right.is_floating()) && left.is_numeric() && right.is_numeric() {
        return same(Float64);
    }
    Ok((Prepare::Cast(left.clone()), Prepare::Cast(right.clone())))
}

fn prepared(array: &ArrayRef, how: &Prepare) -> Result<ArrayRef> {
    Ok(match how {
        Prepare::Cast(t) if array.data_type() == t => Arc::clone(array),
        Prepare::Cast(t) => cast(array, t)?,
        Prepare::Days => {
            let days = cast(array, &DataType::Int32)?;
            let days = days
                .as_any()
                .downcast_ref::<arrow::array::Int32Array>()
                .ok_or_else(|| DataFusionError::Internal("days did not cast to INT".into()))?;
            Arc::new(
                days.iter()
                    .map(|d| d.map(|d| IntervalDayTime::new(d, 0)))
                    .collect::<IntervalDayTimeArray>(),
            )
        }
    })
}

fn prepared_type(how: &Prepare) -> DataType {
    match how {
        Prepare::Cast(to) => to.clone(),
        Prepare::Days => DataType::Interval(IntervalUnit::DayTime),
    }
}

fn apply(op: Op, left: &dyn Array, right: &dyn Array) -> std::result::Result<ArrayRef, ArrowError> {
    match op {
        Op::Add => numeric::add(&left, &right),
        Op::Subtract => numeric::sub(&left, &right),
        Op::Multiply => numeric::mul(&left, &right),
        Op::Mod => numeric::rem(&left, &right),
    }
}

/// Whether a kernel error is one that `try_*` turns into NULL.
fn tolerated(e: &ArrowError) -> bool {
    matches!(
        e,
        ArrowError::ArithmeticOverflow(_) | ArrowError::DivideByZero | ArrowError::ComputeError(_)
    )
}

impl ScalarUDFImpl for TryArithmetic {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let [left, right] = arg_types else {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS] {} takes two arguments",
                self.name
            )));
        };
        let (l, r) = prepare(self.op, left, right)?;
        let l = new_empty_array(&prepared_type(&l));
        let r = new_empty_array(&prepared_type(&r));
        let result = apply(self.op, l.as_ref(), r.as_ref()).map_err(|_| {
            DataFusionError::Plan(format!(
                "[DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES] Cannot resolve \"{}\" for a {} and a {}",
                self.name,
                crate::format::spark_type_name(left),
                crate::format::spark_type_name(right)
            ))
        })?;
        Ok(result.data_type().clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [left, right] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "{} takes two arguments",
                self.name
            )));
        };
        let (rows, scalar) = super::call_rows(&args);
        let (lp, rp) = prepare(self.op, &left.data_type(), &right.data_type())?;
        let l = prepared(&left.to_array(rows)?, &lp)?;
        let r = prepared(&right.to_array(rows)?, &rp)?;
        let result = match apply(self.op, l.as_ref(), r.as_ref()) {
            Ok(result) => result,
            Err(e) if tolerated(&e) => {
                let out_type = args.return_field.data_type().clone();
                let parts: Vec<ArrayRef> = (0..rows)
                    .map(|i| {
                        apply(self.op, l.slice(i, 1).as_ref(), r.slice(i, 1).as_ref())
                            .or_else(|_| Ok::<_, ArrowError>(new_null_array(&out_type, 1)))
                    })
                    .collect::<std::result::Result<_, _>>()?;
                let parts: Vec<&dyn Array> = parts.iter().map(|a| a.as_ref()).collect();
                concat(&parts)?
            }
            Err(e) => return Err(DataFusionError::ArrowError(Box::new(e), None)),
        };
        // A floating remainder by zero is NaN for arrow, NULL for Spark.
        let result = if self.op == Op::Mod && result.data_type().is_floating() {
            let zero = arrow::compute::cast(
                &(Arc::new(arrow::array::Float64Array::from(vec![0.0])) as ArrayRef),
                r.data_type(),
            )?;
            let zero_divisor =
                arrow::compute::kernels::cmp::eq(&r, &arrow::array::Scalar::new(zero))?;
            arrow::compute::nullif(&result, &zero_divisor)?
        } else {
            result
        };
        super::call_result(result, scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int32Array;
    use arrow::datatypes::Field;

    fn call(op: Op, left: ArrayRef, right: ArrayRef) -> Result<ArrayRef> {
        let udf = TryArithmetic {
            name: "t",
            op,
            signature: Signature::any(2, Volatility::Immutable),
        };
        let out = udf.return_type(&[left.data_type().clone(), right.data_type().clone()])?;
        let rows = left.len();
        let ColumnarValue::Array(result) = udf.invoke_with_args(ScalarFunctionArgs {
            arg_fields: vec![
                Arc::new(Field::new("l", left.data_type().clone(), true)),
                Arc::new(Field::new("r", right.data_type().clone(), true)),
            ],
            args: vec![ColumnarValue::Array(left), ColumnarValue::Array(right)],
            number_rows: rows,
            return_field: Arc::new(Field::new("out", out, true)),
            config_options: Arc::new(Default::default()),
        })?
        else {
            return Err(DataFusionError::Internal("expected an array".into()));
        };
        Ok(result)
    }

    #[test]
    fn only_failing_rows_become_null() -> Result<()> {
        let l: ArrayRef = Arc::new(Int32Array::from(vec![1, i32::MAX, 5]));
        let r: ArrayRef = Arc::new(Int32Array::from(vec![2, 1, 0]));
        let sum = call(Op::Add, Arc::clone(&l), Arc::clone(&r))?;
        assert_eq!(
            sum.as_ref(),
            &Int32Array::from(vec![Some(3), None, Some(5)]) as &dyn Array
        );
        let rem = call(Op::Mod, l, r)?;
        assert_eq!(
            rem.as_ref(),
            &Int32Array::from(vec![Some(1), Some(0), None]) as &dyn Array
        );
        Ok(())
    }

    #[test]
    fn a_date_plus_days_is_a_date() -> Result<()> {
        let d: ArrayRef = Arc::new(arrow::array::Date32Array::from(vec![18628]));
        let n: ArrayRef = Arc::new(Int32Array::from(vec![1]));
        let out = call(Op::Add, d, n)?;
        assert_eq!(
            out.as_ref(),
            &arrow::array::Date32Array::from(vec![18629]) as &dyn Array
        );
        Ok(())
    }
}
