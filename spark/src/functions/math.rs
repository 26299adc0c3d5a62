//! Spark's math functions where DataFusion lacks them or differs: `log1p`, `round` and `bround`
//! (half up and half to even, with Spark's result types) and `format_number`.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::datatypes::{DataType, Float64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

/// Spark's `log1p(x)`: ln(1 + x), exact for small `x`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Log1p {
    signature: Signature,
}

impl ScalarUDFImpl for Log1p {
    fn name(&self) -> &str {
        "log1p"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(
                "[WRONG_NUM_ARGS] log1p takes one argument".into(),
            ));
        };
        let (rows, scalar) = super::call_rows(&args);
        let input = arrow::compute::cast(&arg.to_array(rows)?, &DataType::Float64)?;
        let out: Float64Array = input
            .as_primitive::<Float64Type>()
            .iter()
            .map(|v| v.map(f64::ln_1p))
            .collect();
        let out: ArrayRef = Arc::new(out);
        super::call_result(out, scalar)
    }
}

/// Where `round` and `bround` send a value exactly halfway between two neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Halves {
    /// `bround`: to the even neighbour (banker's rounding).
    Even,
    /// `round`: away from zero.
    Up,
}

/// Spark's `round(x[, d])` and `bround(x[, d])`: `x` rounded to `d` decimal places, with
/// Spark's result types (a decimal stays a decimal).
#[derive(Debug, PartialEq, Eq, Hash)]
struct Round {
    name: &'static str,
    halves: Halves,
    signature: Signature,
}

/// The scale argument of `round`/`bround`, which Spark requires to be a constant.
fn scale_of(args: &[ColumnarValue]) -> Result<i32> {
    match args.get(1) {
        None => Ok(0),
        Some(ColumnarValue::Scalar(s)) => match s.cast_to(&DataType::Int32)? {
            ScalarValue::Int32(Some(d)) => Ok(d),
            _ => Ok(0),
        },
        Some(_) => Err(DataFusionError::Plan(
            "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] the scale of round and bround must be a constant".into(),
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
    divide_rounding(value, shift, Halves::Even)
}

/// `value / 10^shift` rounded, halves going where `halves` says.
fn divide_rounding(value: i128, shift: u32, halves: Halves) -> Option<i128> {
    // Every i128 is less than half of 10^39: past 38 digits everything rounds to 0.
    let Some(divisor) = 10i128.checked_pow(shift) else {
        return Some(0);
    };
    let quotient = value / divisor;
    // Compare the remainder with its distance to the divisor (doubling it could overflow).
    let remainder = (value % divisor).abs();
    let away = match remainder.cmp(&(divisor - remainder)) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Equal => halves == Halves::Up || quotient % 2 != 0,
        std::cmp::Ordering::Less => false,
    };
    Some(if away {
        quotient + value.signum()
    } else {
        quotient
    })
}

/// A finite double as the decimal its shortest text denotes (Java's `BigDecimal(2.5)`): the
/// unscaled digits and the scale.
fn double_as_decimal(v: f64) -> Option<(i128, i32)> {
    if !v.is_finite() {
        return None;
    }
    let text = format!("{v:e}");
    let (mantissa, exponent) = text.split_once('e')?;
    let exponent = exponent.parse::<i32>().ok()?;
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let unscaled = digits.parse::<i128>().ok()?;
    let unscaled = if mantissa.starts_with('-') {
        -unscaled
    } else {
        unscaled
    };
    // v = unscaled * 10^(exponent - (digits - 1))
    Some((unscaled, digits.len() as i32 - 1 - exponent))
}

/// A decimal (`unscaled`, `scale`) rounded half to even at `places`; unchanged if it has fewer.
fn round_decimal_half_even(unscaled: i128, scale: i32, places: i32) -> Option<(i128, i32)> {
    if scale <= places {
        return Some((unscaled, scale));
    }
    Some((divide_half_even(unscaled, (scale - places) as u32)?, places))
}

/// A double rounded at `scale` places, as Spark does through the double's decimal text
/// (`BigDecimal(2.5)`), so that `bround(0.125, 2)` is `0.12`.
pub(crate) fn round_double(v: f64, scale: i32, halves: Halves) -> f64 {
    let Some((unscaled, value_scale)) = double_as_decimal(v) else {
        return v;
    };
    if value_scale <= scale {
        return v;
    }
    match divide_rounding(unscaled, (value_scale - scale) as u32, halves) {
        Some(rounded) => format!("{rounded}e{}", -scale).parse().unwrap_or(v),
        None => v,
    }
}

/// How `format_number` lays a number out: Java `DecimalFormat`'s pattern reduced to what its
/// simple patterns say (`#,##0.00`, `##.###`).
#[derive(Debug, PartialEq)]
struct NumberLayout {
    grouping: bool,
    min_int: usize,
    min_frac: usize,
    max_frac: usize,
}

impl NumberLayout {
    fn places(d: i32) -> Self {
        Self {
            grouping: true,
            min_int: 1,
            min_frac: d as usize,
            max_frac: d as usize,
        }
    }

    /// `None` for patterns beyond `#`, `0`, `,` and one `.`.
    fn pattern(p: &str) -> Option<Self> {
        if p.is_empty() {
            return Some(Self::places(0));
        }
        if !p.chars().all(|c| matches!(c, '#' | '0' | ',' | '.')) {
            return None;
        }
        let (int, frac) = p.split_once('.').unwrap_or((p, ""));
        if frac.contains('.') || frac.contains(',') {
            return None;
        }
        Some(Self {
            grouping: int.contains(','),
            min_int: int.chars().filter(|c| *c == '0').count(),
            min_frac: frac.chars().filter(|c| *c == '0').count(),
            max_frac: frac.len(),
        })
    }

    /// The decimal (`unscaled`, `scale`) laid out, rounded half to even.
    fn format(&self, unscaled: i128, scale: i32) -> Option<String> {
        // 1500.0 is (15, -2) from its shortest text: bring it to scale 0 first.
        let (unscaled, scale) = if scale < 0 {
            (
                unscaled.checked_mul(10i128.checked_pow(scale.unsigned_abs())?)?,
                0,
            )
        } else {
            (unscaled, scale)
        };
        let (mut v, mut s) = round_decimal_half_even(unscaled, scale, self.max_frac as i32)?;
        // Drop fraction zeros beyond the minimum.
        while s > self.min_frac as i32 && v % 10 == 0 {
            v /= 10;
            s -= 1;
        }
        let negative = v < 0;
        let digits = v.unsigned_abs().to_string();
        let s = s.max(0) as usize;
        let digits = format!("{digits:0>width$}", width = s + 1);
        let (int, frac) = digits.split_at(digits.len() - s);
        let int = int.trim_start_matches('0');
        let int = format!("{int:0>width$}", width = self.min_int);
        let frac = format!("{frac:0<width$}", width = self.min_frac);
        let int = if self.grouping {
            let bytes: Vec<char> = int.chars().collect();
            let mut out = String::new();
            for (i, c) in bytes.iter().enumerate() {
                if i > 0 && (bytes.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(*c);
            }
            out
        } else {
            int
        };
        let sign = if negative { "-" } else { "" };
        Some(if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        })
    }
}

/// Spark's `format_number(x, d | pattern)`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct FormatNumber {
    signature: Signature,
}

impl ScalarUDFImpl for FormatNumber {
    fn name(&self) -> &str {
        "format_number"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [value, layout] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(
                "[WRONG_NUM_ARGS] format_number takes two arguments".into(),
            ));
        };
        let (rows, scalar) = super::call_rows(&args);
        let value = value.to_array(rows)?;
        let layout = layout.to_array(rows)?;
        let layouts: Vec<Option<NumberLayout>> = if layout.data_type().is_integer() {
            let d = arrow::compute::cast(&layout, &DataType::Int64)?;
            d.as_primitive::<arrow::datatypes::Int64Type>()
                .iter()
                .map(|d| {
                    d.filter(|d| (0..=38).contains(d))
                        .map(|d| NumberLayout::places(d as i32))
                })
                .collect()
        } else {
            let p = arrow::compute::cast(&layout, &DataType::Utf8)?;
            p.as_string::<i32>()
                .iter()
                .map(|p| p.and_then(NumberLayout::pattern))
                .collect()
        };
        let decimals: Option<ArrayRef> = match value.data_type() {
            DataType::Decimal128(..) => Some(Arc::clone(&value)),
            t if t.is_integer() => {
                Some(arrow::compute::cast(&value, &DataType::Decimal128(38, 0))?)
            }
            _ => None,
        };
        let doubles = arrow::compute::cast(&value, &DataType::Float64)?;
        let doubles = doubles.as_primitive::<Float64Type>();
        let mut out = arrow::array::StringBuilder::new();
        for (row, layout) in layouts.iter().enumerate() {
            let parts = if value.is_null(row) {
                None
            } else if let Some(d) = &decimals {
                let scale = match d.data_type() {
                    DataType::Decimal128(_, s) => *s as i32,
                    _ => 0,
                };
                Some((
                    d.as_primitive::<arrow::datatypes::Decimal128Type>()
                        .value(row),
                    scale,
                ))
            } else {
                double_as_decimal(doubles.value(row))
            };
            out.append_option(
                layout
                    .as_ref()
                    .zip(parts)
                    .and_then(|(l, (v, s))| l.format(v, s)),
            );
        }
        super::call_result(Arc::new(out.finish()), scalar)
    }
}

fn round_integer(v: i64, scale: i32, halves: Halves) -> Option<i64> {
    if scale >= 0 {
        return Some(v);
    }
    let shift = (-scale) as u32;
    let rounded = divide_rounding(v as i128, shift, halves)?;
    if rounded == 0 {
        return Some(0);
    }
    i64::try_from(rounded * 10i128.checked_pow(shift)?).ok()
}

impl ScalarUDFImpl for Round {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal(format!(
            "{}'s type depends on its scale",
            self.name
        )))
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
        Ok(Arc::new(arrow::datatypes::Field::new(self.name, out, true)))
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
                                let r = divide_rounding(v, digits, self.halves)?;
                                r.checked_mul(10i128.checked_pow((-target_scale) as u32)?)
                            } else if shift == 0 {
                                Some(v)
                            } else {
                                divide_rounding(v, shift, self.halves)
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
                    .map(|v| v.map(|v| round_double(v, scale, self.halves)))
                    .collect();
                arrow::compute::cast(&(Arc::new(out) as ArrayRef), &out_type)?
            }
            _ => {
                let longs = arrow::compute::cast(&input, &DataType::Int64)?;
                let out: arrow::array::Int64Array = longs
                    .as_primitive::<arrow::datatypes::Int64Type>()
                    .iter()
                    .map(|v| v.and_then(|v| round_integer(v, scale, self.halves)))
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
        Arc::new(ScalarUDF::new_from_impl(Log1p {
            signature: Signature::any(1, Volatility::Immutable),
        })),
        Arc::new(ScalarUDF::new_from_impl(Round {
            name: "bround",
            halves: Halves::Even,
            signature: Signature::variadic_any(Volatility::Immutable),
        })),
        Arc::new(ScalarUDF::new_from_impl(Round {
            name: "round",
            halves: Halves::Up,
            signature: Signature::variadic_any(Volatility::Immutable),
        })),
        Arc::new(ScalarUDF::new_from_impl(FormatNumber {
            signature: Signature::any(2, Volatility::Immutable),
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
        // The largest remainders do not overflow.
        assert_eq!(divide_half_even(i128::MAX, 38), Some(2));
        assert_eq!(round_double(2.5, 0, Halves::Even), 2.0);
        assert_eq!(round_double(0.125, 2, Halves::Even), 0.12);
        assert_eq!(round_double(-3.5, 0, Halves::Even), -4.0);
        assert_eq!(round_double(-2.5, 0, Halves::Up), -3.0);
        assert_eq!(round_integer(25, -1, Halves::Even), Some(20));
        assert_eq!(round_integer(35, -1, Halves::Even), Some(40));
        assert_eq!(round_integer(25, -1, Halves::Up), Some(30));
        assert_eq!(rounded_decimal(2, 1, 0), DataType::Decimal128(2, 0));
    }

    #[test]
    fn formats_numbers_as_spark() {
        // Spark's examples: format_number(12332.123456, 4) and (…, '##################.###').
        let places = NumberLayout::places(4);
        assert_eq!(
            places.format(12332123456, 6).as_deref(),
            Some("12,332.1235")
        );
        let pattern = NumberLayout::pattern("##################.###").expect("simple");
        assert_eq!(pattern.format(12332123456, 6).as_deref(), Some("12332.123"));
        assert_eq!(
            NumberLayout::places(0).format(125, 1).as_deref(),
            Some("12")
        );
        assert_eq!(
            NumberLayout::places(2).format(-5, 1).as_deref(),
            Some("-0.50")
        );
        assert_eq!(
            NumberLayout::places(0).format(1234567, 0).as_deref(),
            Some("1,234,567")
        );
    }
}
