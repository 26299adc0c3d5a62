//! Spark's `ceil(x, d)` and `floor(x, d)`: `x` rounded up or down to `d` decimal places (a
//! negative `d` rounds to tens, hundreds…), as a decimal.
//!
//! The result type is Spark's: `x` is read as a decimal (integers with their digits, `DOUBLE`
//! as `DECIMAL(30,15)`, `FLOAT` as `DECIMAL(14,7)`, `NULL` as `DECIMAL(38,18)`), its scale becomes `min(d, s)` (0 when `d` is
//! negative) and its precision is one more integer digit than `x` has, or `1 - d` when that
//! is larger.

use std::sync::Arc;

use arrow::array::{Array, Decimal128Array};
use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use datafusion::scalar::ScalarValue;

use super::{call_result, call_rows, constant_argument};

/// The name `ceil(x, d)` is planned under (see [`crate::parser::functions`]).
pub const CEIL_SCALE: &str = "spark_ceil_scale";
/// The name `floor(x, d)` is planned under.
pub const FLOOR_SCALE: &str = "spark_floor_scale";

#[derive(Debug, PartialEq, Eq, Hash)]
struct RoundToScale {
    name: &'static str,
    up: bool,
    signature: Signature,
}

/// `ceil(x, d)` and `floor(x, d)`, for registration.
pub fn round_scale_functions() -> Vec<Arc<ScalarUDF>> {
    [(CEIL_SCALE, true), (FLOOR_SCALE, false)]
        .into_iter()
        .map(|(name, up)| {
            Arc::new(ScalarUDF::new_from_impl(RoundToScale {
                name,
                up,
                signature: Signature::user_defined(Volatility::Immutable),
            }))
        })
        .collect()
}

/// The decimal Spark reads a value of type `t` as.
fn as_decimal(t: &DataType) -> Option<(u8, i8)> {
    Some(match t {
        DataType::Int8 => (3, 0),
        DataType::Int16 => (5, 0),
        DataType::Int32 => (10, 0),
        // An untyped NULL is Spark's default decimal.
        DataType::Null => (38, 18),
        DataType::Int64 => (20, 0),
        DataType::Float32 => (14, 7),
        DataType::Float64 => (30, 15),
        DataType::Decimal128(p, s) => (*p, *s),
        _ => return None,
    })
}

/// Spark's result type for a value of decimal type `(p, s)` rounded to `d` places.
fn result_type(p: u8, s: i8, d: i32) -> (u8, i8) {
    let integer_digits = i32::from(p) - i32::from(s);
    if d < 0 {
        let precision = (integer_digits + 1).max(1 - d).min(38);
        (precision as u8, 0)
    } else {
        let scale = d.min(i32::from(s));
        let precision = (integer_digits + scale + 1).clamp(1, 38);
        (precision as u8, scale as i8)
    }
}

impl RoundToScale {
    fn spark_name(&self) -> &'static str {
        if self.up { "ceil" } else { "floor" }
    }

    fn scale_argument(&self, value: Option<&ScalarValue>) -> Result<i32> {
        match value.map(|v| v.cast_to(&DataType::Int32)) {
            Some(Ok(ScalarValue::Int32(Some(d)))) => Ok(d),
            _ => Err(DataFusionError::Plan(format!(
                "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve \"{}\" due to data type mismatch: the input scale should be a foldable \"INT\" expression.",
                self.spark_name()
            ))),
        }
    }
}

impl ScalarUDFImpl for RoundToScale {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [x, _] = arg_types else {
            return Err(super::rows::wrong_num_args(
                self.spark_name(),
                "[1, 2]",
                arg_types.len(),
            ));
        };
        let Some((p, s)) = as_decimal(x) else {
            return Err(super::rows::unexpected_input_type(
                self.spark_name(),
                0,
                "NUMERIC",
                x,
            ));
        };
        Ok(vec![DataType::Decimal128(p, s), DataType::Int32])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal(
            "return_field_from_args is used".into(),
        ))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let (p, s) = as_decimal(args.arg_fields[0].data_type()).unwrap_or((38, 0));
        let d = self.scale_argument(args.scalar_arguments.get(1).copied().flatten())?;
        let (p, s) = result_type(p, s, d);
        Ok(Arc::new(Field::new(
            self.name,
            DataType::Decimal128(p, s),
            true,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = call_rows(&args);
        let DataType::Decimal128(_, s) = args.arg_fields[0].data_type().clone() else {
            return Err(DataFusionError::Internal(format!(
                "{} takes a decimal",
                self.name
            )));
        };
        let DataType::Decimal128(out_p, out_s) = args.return_field.data_type().clone() else {
            return Err(DataFusionError::Internal(format!(
                "{} returns a decimal",
                self.name
            )));
        };
        let values = args.args[0].to_array(rows)?;
        let values = values
            .as_any()
            .downcast_ref::<Decimal128Array>()
            .ok_or_else(|| DataFusionError::Internal("argument is not a decimal".into()))?;
        let d = self.scale_argument(constant_argument(&args, 1))?;
        // Digits dropped: from scale s down to d (d may be negative).
        let dropped = i32::from(s) - d;
        let out_of_range = |v: i128| {
            DataFusionError::Execution(format!(
                "[NUMERIC_VALUE_OUT_OF_RANGE.WITHOUT_SUGGESTION] The {v}E{} rounded {} cannot be represented as Decimal({out_p}, {out_s}).",
                -d,
                if self.up { "up" } else { "down" }
            ))
        };
        let limit = 10i128.pow(u32::from(out_p.min(38)));
        let out: Decimal128Array = values
            .iter()
            .map(|v| {
                let Some(v) = v else {
                    return Ok(None);
                };
                if dropped <= 0 {
                    return Ok(Some(v));
                }
                // A value always has fewer than 39 digits: dropping more leaves 0 or ±1 unit.
                let (mut q, exact) = match 10i128.checked_pow(dropped as u32) {
                    Some(factor) => (v.div_euclid(factor), v.rem_euclid(factor) == 0),
                    None => (if v < 0 { -1 } else { 0 }, v == 0),
                };
                if self.up && !exact {
                    q += 1;
                }
                // Back to the result scale: 0 for a negative d (q counts 10^-d units).
                let scaled = if d < 0 && q != 0 {
                    10i128
                        .checked_pow(d.unsigned_abs())
                        .and_then(|unit| q.checked_mul(unit))
                } else if d < 0 {
                    Some(0)
                } else {
                    Some(q)
                };
                match scaled {
                    Some(r) if r.abs() < limit => Ok(Some(r)),
                    _ => Err(out_of_range(q)),
                }
            })
            .collect::<Result<Decimal128Array>>()?
            .with_precision_and_scale(out_p, out_s)?;
        call_result(Arc::new(out), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_types_are_sparks() {
        // JVM Spark 4.3: ceil(3.1411, 3) decimal(5,3); ceil(3.1411, -3) decimal(4,0);
        // ceil(5, 1) decimal(11,0); floor(12345, -2) decimal(11,0); ceil(5.5D, 0)
        // decimal(16,0); floor(-3.1411, 1) decimal(3,1).
        assert_eq!(result_type(5, 4, 3), (5, 3));
        assert_eq!(result_type(5, 4, -3), (4, 0));
        assert_eq!(result_type(10, 0, 1), (11, 0));
        assert_eq!(result_type(10, 0, -2), (11, 0));
        assert_eq!(result_type(30, 15, 0), (16, 0));
        assert_eq!(result_type(5, 4, 1), (3, 1));
    }

    #[test]
    fn far_scales_do_not_overflow() {
        // Spark: floor(3.14, -40) = 0; ceil(3.14, -40) does not fit DECIMAL(38, 0).
        let run = |up: bool, v: i128, s: i8, d: i32| {
            let udf = RoundToScale {
                name: "t",
                up,
                signature: Signature::user_defined(Volatility::Immutable),
            };
            let (p, scale) = result_type(38, s, d);
            let field = Arc::new(Field::new("x", DataType::Decimal128(38, s), true));
            let out = Arc::new(Field::new("r", DataType::Decimal128(p, scale), true));
            let args = ScalarFunctionArgs {
                args: vec![
                    ColumnarValue::Scalar(ScalarValue::Decimal128(Some(v), 38, s)),
                    ColumnarValue::Scalar(ScalarValue::Int32(Some(d))),
                ],
                arg_fields: vec![field, Arc::new(Field::new("d", DataType::Int32, true))],
                number_rows: 1,
                return_field: out,
                config_options: Arc::new(datafusion::config::ConfigOptions::default()),
            };
            udf.invoke_with_args(args).map(|v| match v {
                ColumnarValue::Scalar(s) => s.to_string(),
                ColumnarValue::Array(a) => format!("{a:?}"),
            })
        };
        assert_eq!(run(false, 314, 2, -40).ok().as_deref(), Some("0"));
        assert!(run(true, 314, 2, -40).is_err());
        assert_eq!(run(true, 314, 2, 100).ok().as_deref(), Some("3.14"));
    }
}
