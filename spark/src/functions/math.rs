//! Spark's math functions that DataFusion lacks: `log1p`, and `bround` (rounding half to even,
//! with Spark's result types).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::datatypes::{DataType, Float64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

/// A function of one double returning a double (`log1p`).
#[derive(Debug, PartialEq, Eq, Hash)]
struct DoubleFunction {
    name: &'static str,
    signature: Signature,
}

impl DoubleFunction {
    fn apply(&self, v: f64) -> f64 {
        match self.name {
            "log1p" => v.ln_1p(),
            _ => f64::NAN,
        }
    }
}

impl ScalarUDFImpl for DoubleFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS] {} takes one argument",
                self.name
            )));
        };
        let (rows, scalar) = super::call_rows(&args);
        let input = arrow::compute::cast(&arg.to_array(rows)?, &DataType::Float64)?;
        let out: Float64Array = input
            .as_primitive::<Float64Type>()
            .iter()
            .map(|v| v.map(|v| self.apply(v)))
            .collect();
        let out: ArrayRef = Arc::new(out);
        super::call_result(out, scalar)
    }
}

/// Spark's `bround(x[, d])`: `x` rounded to `d` decimal places, halves to the even neighbour.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Bround {
    signature: Signature,
}

/// The scale argument of `bround`, which Spark requires to be a constant.
fn scale_of(args: &[ColumnarValue]) -> Result<i32> {
    match args.get(1) {
        None => Ok(0),
        Some(ColumnarValue::Scalar(s)) => match s.cast_to(&DataType::Int32)? {
            ScalarValue::Int32(Some(d)) => Ok(d),
            _ => Ok(0),
        },
        Some(_) => Err(DataFusionError::Plan(
            "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] the scale of bround must be a constant".into(),
        )),
    }
}

/// Spark's result type of rounding a `decimal(p, s)` to `scale` places.
fn rounded_decimal(p: u8, s: i8, scale: i32) -> DataType {
    let integral = p as i32 - s as i32 + 1;
    if scale < 0 {
        DataType::Decimal128(integral.max(1 - scale).min(38) as u8, 0)
    } else {
        let new_scale = (s as i32).min(scale);
        DataType::Decimal128((integral + new_scale).min(38) as u8, new_scale as i8)
    }
}

/// `value / 10^shift` rounded half to even (`shift > 0`).
fn divide_half_even(value: i128, shift: u32) -> Option<i128> {
    let divisor = 10i128.checked_pow(shift)?;
    let quotient = value / divisor;
    let remainder = (value % divisor).abs() * 2;
    let away = match remainder.cmp(&divisor) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Equal => quotient % 2 != 0,
        std::cmp::Ordering::Less => false,
    };
    Some(if away {
        quotient + value.signum()
    } else {
        quotient
    })
}

/// A double rounded half to even at `scale` places, as Spark does through the double's decimal
/// text (`BigDecimal(2.5)`), so that `bround(0.125, 2)` is `0.12`.
fn bround_double(v: f64, scale: i32) -> f64 {
    if !v.is_finite() {
        return v;
    }
    let text = format!("{v:e}");
    let Some((mantissa, exponent)) = text.split_once('e') else {
        return v;
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return v;
    };
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let Ok(unscaled) = digits.parse::<i128>() else {
        return v;
    };
    // v = unscaled * 10^(exponent - (digits - 1))
    let value_scale = digits.len() as i32 - 1 - exponent;
    if value_scale <= scale {
        return v;
    }
    let Some(rounded) = divide_half_even(unscaled, (value_scale - scale) as u32) else {
        return v;
    };
    let signed = if negative { -rounded } else { rounded };
    format!("{signed}e{}", -scale).parse().unwrap_or(v)
}

fn bround_integer(v: i64, scale: i32) -> Option<i64> {
    if scale >= 0 {
        return Some(v);
    }
    let shift = (-scale) as u32;
    let rounded = divide_half_even(v as i128, shift)?;
    i64::try_from(rounded * 10i128.checked_pow(shift)?).ok()
}

impl ScalarUDFImpl for Bround {
    fn name(&self) -> &str {
        "bround"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal(
            "bround's type depends on its scale".into(),
        ))
    }

    fn return_field_from_args(
        &self,
        args: datafusion::logical_expr::ReturnFieldArgs,
    ) -> Result<arrow::datatypes::FieldRef> {
        let scale = match args.scalar_arguments.get(1) {
            Some(Some(s)) => match s.cast_to(&DataType::Int32)? {
                ScalarValue::Int32(Some(d)) => d,
                _ => 0,
            },
            _ => 0,
        };
        let input = args
            .arg_fields
            .first()
            .map(|f| f.data_type().clone())
            .unwrap_or(DataType::Null);
        let out = match input {
            DataType::Decimal128(p, s) => rounded_decimal(p, s, scale),
            DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => input,
            DataType::Null => DataType::Int32,
            DataType::Float32 => DataType::Float32,
            _ => DataType::Float64,
        };
        Ok(Arc::new(arrow::datatypes::Field::new("bround", out, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scale = scale_of(&args.args)?;
        let Some(arg) = args.args.first() else {
            return Err(DataFusionError::Plan(
                "[WRONG_NUM_ARGS] bround takes 1 or 2 arguments".into(),
            ));
        };
        let (rows, scalar) = super::call_rows(&args);
        let input = arg.to_array(rows)?;
        let out_type = args.return_field.data_type().clone();
        let out: ArrayRef = match (input.data_type(), &out_type) {
            (DataType::Decimal128(_, s), DataType::Decimal128(p, new_scale)) => {
                let shift = (*s as i32 - *new_scale as i32).max(0) as u32;
                let target_scale = scale.min(*s as i32);
                let values = input.as_primitive::<arrow::datatypes::Decimal128Type>();
                let rounded: arrow::array::Decimal128Array = values
                    .iter()
                    .map(|v| {
                        v.and_then(|v| {
                            if target_scale < 0 {
                                // Round to 10^-scale, then drop the fraction entirely.
                                let digits = (*s as i32 - target_scale) as u32;
                                let r = divide_half_even(v, digits)?;
                                r.checked_mul(10i128.checked_pow((-target_scale) as u32)?)
                            } else if shift == 0 {
                                Some(v)
                            } else {
                                divide_half_even(v, shift)
                            }
                        })
                    })
                    .collect();
                Arc::new(rounded.with_precision_and_scale(*p, *new_scale)?)
            }
            (DataType::Float64 | DataType::Float32, _) => {
                let doubles = arrow::compute::cast(&input, &DataType::Float64)?;
                let out: Float64Array = doubles
                    .as_primitive::<Float64Type>()
                    .iter()
                    .map(|v| v.map(|v| bround_double(v, scale)))
                    .collect();
                arrow::compute::cast(&(Arc::new(out) as ArrayRef), &out_type)?
            }
            _ => {
                let longs = arrow::compute::cast(&input, &DataType::Int64)?;
                let out: arrow::array::Int64Array = longs
                    .as_primitive::<arrow::datatypes::Int64Type>()
                    .iter()
                    .map(|v| v.and_then(|v| bround_integer(v, scale)))
                    .collect();
                arrow::compute::cast(&(Arc::new(out) as ArrayRef), &out_type)?
            }
        };
        super::call_result(out, scalar)
    }
}

/// The functions of this module, for registration.
pub fn spark_math_functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(DoubleFunction {
            name: "log1p",
            signature: Signature::any(1, Volatility::Immutable),
        })),
        Arc::new(ScalarUDF::new_from_impl(Bround {
            signature: Signature::variadic_any(Volatility::Immutable),
        })),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_to_even() {
        assert_eq!(divide_half_even(25, 1), Some(2));
        assert_eq!(divide_half_even(35, 1), Some(4));
        assert_eq!(divide_half_even(-25, 1), Some(-2));
        assert_eq!(divide_half_even(26, 1), Some(3));
        assert_eq!(bround_double(2.5, 0), 2.0);
        assert_eq!(bround_double(0.125, 2), 0.12);
        assert_eq!(bround_double(-3.5, 0), -4.0);
        assert_eq!(bround_integer(25, -1), Some(20));
        assert_eq!(bround_integer(35, -1), Some(40));
        assert_eq!(rounded_decimal(2, 1, 0), DataType::Decimal128(2, 0));
    }
}
