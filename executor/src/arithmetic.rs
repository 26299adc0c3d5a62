//! Spark's ANSI integer arithmetic: `+`, `-` and `*` between integers raise
//! `[ARITHMETIC_OVERFLOW]` instead of wrapping around (DataFusion wraps). The result type is the
//! wider operand type, as in Spark (`INT + INT` is an `INT` and overflows past 2^31 - 1).

use std::sync::Arc;

use arrow::array::{ArrayRef, Datum};
use arrow::compute::kernels::numeric;
use arrow::datatypes::DataType;
use arrow::error::ArrowError;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The operator of a [`CheckedArithmetic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    Add,
    Subtract,
    Multiply,
}

impl Operator {
    /// The function name the planner calls for this operator.
    pub fn function_name(self) -> &'static str {
        match self {
            Self::Add => "spark_checked_add",
            Self::Subtract => "spark_checked_subtract",
            Self::Multiply => "spark_checked_multiply",
        }
    }

    fn try_name(self) -> &'static str {
        match self {
            Self::Add => "try_add",
            Self::Subtract => "try_subtract",
            Self::Multiply => "try_multiply",
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct CheckedArithmetic {
    op: Operator,
    signature: Signature,
}

/// The rank of a signed integer type (wider is larger); unsigned and null count as BIGINT / none.
fn rank(t: &DataType) -> u8 {
    match t {
        DataType::Null => 0,
        DataType::Int8 => 1,
        DataType::Int16 => 2,
        DataType::Int32 => 3,
        _ => 4,
    }
}

fn result_type(types: &[DataType]) -> DataType {
    match types.iter().map(rank).max().unwrap_or(4) {
        0 | 3 => DataType::Int32,
        1 => DataType::Int8,
        2 => DataType::Int16,
        _ => DataType::Int64,
    }
}

impl ScalarUDFImpl for CheckedArithmetic {
    fn name(&self) -> &str {
        self.op.function_name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(result_type(arg_types))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [left, right] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "{} takes two arguments",
                self.name()
            )));
        };
        let to = result_type(&[left.data_type(), right.data_type()]);
        let scalar = matches!(
            (left, right),
            (ColumnarValue::Scalar(_), ColumnarValue::Scalar(_))
        );
        let operand = |v: &ColumnarValue| -> Result<(ArrayRef, bool)> {
            match v {
                ColumnarValue::Scalar(s) => Ok((s.cast_to(&to)?.to_array()?, true)),
                ColumnarValue::Array(a) => Ok((arrow::compute::cast(a, &to)?, false)),
            }
        };
        let (l, l_scalar) = operand(left)?;
        let (r, r_scalar) = operand(right)?;
        let l: Box<dyn Datum> = if l_scalar {
            Box::new(arrow::array::Scalar::new(l))
        } else {
            Box::new(l)
        };
        let r: Box<dyn Datum> = if r_scalar {
            Box::new(arrow::array::Scalar::new(r))
        } else {
            Box::new(r)
        };
        let result = match self.op {
            Operator::Add => numeric::add(l.as_ref(), r.as_ref()),
            Operator::Subtract => numeric::sub(l.as_ref(), r.as_ref()),
            Operator::Multiply => numeric::mul(l.as_ref(), r.as_ref()),
        };
        let result = result.map_err(|e| match e {
            ArrowError::ArithmeticOverflow(_) => DataFusionError::Execution(format!(
                "[ARITHMETIC_OVERFLOW] {} overflow. Use '{}' to tolerate overflow and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.",
                match to {
                    DataType::Int64 => "long",
                    DataType::Int16 => "short",
                    DataType::Int8 => "byte",
                    _ => "integer",
                },
                self.op.try_name()
            )),
            other => DataFusionError::ArrowError(Box::new(other), None),
        })?;
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &result, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(result))
        }
    }
}

/// The three checked operators, for registration on the driver and the executors.
pub fn checked_arithmetic_functions() -> Vec<Arc<ScalarUDF>> {
    [Operator::Add, Operator::Subtract, Operator::Multiply]
        .into_iter()
        .map(|op| {
            Arc::new(ScalarUDF::new_from_impl(CheckedArithmetic {
                op,
                signature: Signature::any(2, Volatility::Immutable),
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int32Array, Int64Array};
    use arrow::datatypes::Field;

    fn call(op: Operator, left: ColumnarValue, right: ColumnarValue) -> Result<ColumnarValue> {
        let udf = CheckedArithmetic {
            op,
            signature: Signature::any(2, Volatility::Immutable),
        };
        let to = result_type(&[left.data_type(), right.data_type()]);
        udf.invoke_with_args(ScalarFunctionArgs {
            arg_fields: vec![
                Arc::new(Field::new("l", left.data_type(), true)),
                Arc::new(Field::new("r", right.data_type(), true)),
            ],
            args: vec![left, right],
            number_rows: 2,
            return_field: Arc::new(Field::new("out", to, true)),
            config_options: Arc::new(Default::default()),
        })
    }

    #[test]
    fn int_overflow_is_an_error_and_bigint_is_not() {
        let ints = ColumnarValue::Array(Arc::new(Int32Array::from(vec![1, i32::MAX])));
        let one = ColumnarValue::Scalar(ScalarValue::Int32(Some(1)));
        let err = call(Operator::Add, ints, one.clone()).expect_err("overflows");
        assert!(
            err.to_string()
                .contains("[ARITHMETIC_OVERFLOW] integer overflow"),
            "{err}"
        );
        let longs = ColumnarValue::Array(Arc::new(Int64Array::from(vec![1, i32::MAX as i64])));
        let ColumnarValue::Array(sum) = call(Operator::Add, longs, one).expect("fits") else {
            panic!("expected an array")
        };
        assert_eq!(
            sum.as_ref(),
            &Int64Array::from(vec![2, i32::MAX as i64 + 1]) as &dyn arrow::array::Array
        );
    }
}
