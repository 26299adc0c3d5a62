//! Spark's ANSI integer arithmetic: `+`, `-` and `*` between integers raise
//! `[ARITHMETIC_OVERFLOW]` instead of wrapping around (DataFusion wraps). The result type is the
//! wider operand type, as in Spark (`INT + INT` is an `INT` and overflows past 2^31 - 1).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Datum};
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
    /// `%`: a zero divisor raises `[REMAINDER_BY_ZERO]`.
    Remainder,
}

impl Operator {
    /// The function name the planner calls for this operator.
    pub fn function_name(self) -> &'static str {
        match self {
            Self::Add => "spark_checked_add",
            Self::Subtract => "spark_checked_subtract",
            Self::Multiply => "spark_checked_multiply",
            Self::Remainder => "spark_checked_remainder",
        }
    }

    fn try_name(self) -> &'static str {
        match self {
            Self::Add => "try_add",
            Self::Subtract => "try_subtract",
            Self::Multiply => "try_multiply",
            Self::Remainder => "try_mod",
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

/// The integer type Spark's arithmetic on integers of `types` yields: the widest of them (NULL
/// counts as `INT`).
pub(crate) fn result_type(types: &[DataType]) -> DataType {
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
            Operator::Remainder => numeric::rem(l.as_ref(), r.as_ref()),
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
            ArrowError::DivideByZero => DataFusionError::Execution(
                "[REMAINDER_BY_ZERO] Remainder by zero. Use `try_mod` to tolerate divisor being 0 and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22012".to_string(),
            ),
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
    [
        Operator::Add,
        Operator::Subtract,
        Operator::Multiply,
        Operator::Remainder,
    ]
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

/// Spark's result type of `decimal(p1,s1) / decimal(p2,s2)` (with `allowPrecisionLoss`).
pub fn decimal_divide_type(p1: u8, s1: i8, p2: u8, s2: i8) -> (u8, i8) {
    let (p1, s1, p2, s2) = (p1 as i32, s1 as i32, p2 as i32, s2 as i32);
    let int_digits = p1 - s1 + s2;
    let scale = 6.max(s1 + p2 + 1);
    adjust_precision_scale(int_digits + scale, scale)
}

/// Spark's `DecimalType.adjustPrecisionScale`: past 38 digits, keep the integral digits and at
/// least 6 (or the wanted scale, if smaller) fractional ones.
fn adjust_precision_scale(precision: i32, scale: i32) -> (u8, i8) {
    if precision <= 38 {
        (precision.max(1) as u8, scale as i8)
    } else if scale < 0 {
        (38, scale as i8)
    } else {
        let int_digits = precision - scale;
        let min_scale = scale.min(6);
        (38, (38 - int_digits).max(min_scale) as i8)
    }
}

/// The decimal type Spark gives an operand of a decimal operation.
fn as_decimal(t: &DataType) -> Option<(u8, i8)> {
    match t {
        DataType::Decimal128(p, s) => Some((*p, *s)),
        DataType::Int8 => Some((3, 0)),
        DataType::Int16 => Some((5, 0)),
        DataType::Int32 => Some((10, 0)),
        DataType::Int64 => Some((20, 0)),
        _ => None,
    }
}

/// `a * 10^shift / b` rounded half up (away from zero), in 256 bits.
fn divide_half_up(a: i128, b: i128, shift: u32) -> Option<i128> {
    use arrow::datatypes::i256;
    let ten = i256::from_i128(10);
    let numerator = i256::from_i128(a).checked_mul(ten.checked_pow(shift)?)?;
    let denominator = i256::from_i128(b);
    let quotient = numerator.checked_div(denominator)?;
    let remainder = numerator.checked_rem(denominator)?;
    let twice = remainder.checked_mul(i256::from_i128(2))?;
    let round_away = twice.wrapping_abs() >= denominator.wrapping_abs();
    let negative = (numerator < i256::ZERO) != (denominator < i256::ZERO);
    let quotient = match (round_away, negative) {
        (true, true) => quotient.checked_sub(i256::ONE)?,
        (true, false) => quotient.checked_add(i256::ONE)?,
        _ => quotient,
    };
    quotient.to_i128()
}

/// Spark's decimal `/`: the result type of [`decimal_divide_type`], rounded half up; division
/// by zero is `[DIVIDE_BY_ZERO]` in ANSI mode and NULL otherwise.
#[derive(Debug, PartialEq, Eq, Hash)]
struct DecimalDivide {
    name: &'static str,
    ansi: bool,
    signature: Signature,
}

/// The name of Spark's decimal `/` in ANSI or legacy mode.
pub fn decimal_divide_name(ansi: bool) -> &'static str {
    if ansi {
        "spark_decimal_divide"
    } else {
        "spark_decimal_divide_legacy"
    }
}

/// True when Spark divides `left / right` as decimals (one decimal, the other decimal or
/// integer).
pub fn is_decimal_division(left: &DataType, right: &DataType) -> bool {
    matches!(left, DataType::Decimal128(..)) && as_decimal(right).is_some()
        || matches!(right, DataType::Decimal128(..)) && as_decimal(left).is_some()
}

fn decimal_values(
    v: &ColumnarValue,
    rows: usize,
    p: u8,
    s: i8,
) -> Result<arrow::array::Decimal128Array> {
    let array = arrow::compute::cast(&v.to_array(rows)?, &DataType::Decimal128(p, s))?;
    array
        .as_any()
        .downcast_ref::<arrow::array::Decimal128Array>()
        .cloned()
        .ok_or_else(|| DataFusionError::Internal("decimal cast gave no decimals".into()))
}

impl ScalarUDFImpl for DecimalDivide {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [l, r] => {
                let ((p1, s1), (p2, s2)) = (
                    as_decimal(l).unwrap_or((38, 10)),
                    as_decimal(r).unwrap_or((38, 10)),
                );
                let (p, s) = decimal_divide_type(p1, s1, p2, s2);
                Ok(DataType::Decimal128(p, s))
            }
            _ => Err(DataFusionError::Plan(format!(
                "{} takes two arguments",
                self.name
            ))),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [left, right] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "{} takes two arguments",
                self.name
            )));
        };
        let rows = args.number_rows;
        let ((p1, s1), (p2, s2)) =
            decimal_operand_types(self.name, &[left.data_type(), right.data_type()])?;
        let (p, s) = decimal_divide_type(p1, s1, p2, s2);
        let l = decimal_values(left, rows, p1, s1)?;
        let r = decimal_values(right, rows, p2, s2)?;
        let shift = (s as i32 - s1 as i32 + s2 as i32).max(0) as u32;
        let mut out = arrow::array::Decimal128Builder::with_capacity(rows);
        for i in 0..rows {
            if l.is_null(i) || r.is_null(i) {
                out.append_null();
                continue;
            }
            let (a, b) = (l.value(i), r.value(i));
            if b == 0 {
                if self.ansi {
                    return Err(DataFusionError::Execution(
                        "[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.".into(),
                    ));
                }
                out.append_null();
                continue;
            }
            match divide_half_up(a, b, shift) {
                Some(v) => out.append_value(v),
                None if self.ansi => {
                    return Err(DataFusionError::Execution(format!(
                        "[NUMERIC_VALUE_OUT_OF_RANGE] The result of the division does not fit decimal({p}, {s})."
                    )));
                }
                None => out.append_null(),
            }
        }
        let array = out.finish().with_precision_and_scale(p, s)?;
        Ok(ColumnarValue::Array(Arc::new(array)))
    }
}

/// A decimal `+`, `-` or `*` whose Spark result type DataFusion's operator does not give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecimalOp {
    Add,
    Subtract,
    Multiply,
}

/// Spark's result type of `decimal(p1,s1) op decimal(p2,s2)` (with `allowPrecisionLoss`).
pub fn decimal_op_type(op: DecimalOp, p1: u8, s1: i8, p2: u8, s2: i8) -> (u8, i8) {
    let (p1, s1, p2, s2) = (p1 as i32, s1 as i32, p2 as i32, s2 as i32);
    match op {
        DecimalOp::Add | DecimalOp::Subtract => {
            let scale = s1.max(s2);
            adjust_precision_scale((p1 - s1).max(p2 - s2) + scale + 1, scale)
        }
        DecimalOp::Multiply => adjust_precision_scale(p1 + p2 + 1, s1 + s2),
    }
}

/// The type DataFusion's own operator gives `decimal(p1,s1) op decimal(p2,s2)`: Spark's formula
/// with the precision capped at 38 instead of the scale reduced.
pub fn datafusion_decimal_op_type(op: DecimalOp, p1: u8, s1: i8, p2: u8, s2: i8) -> (u8, i8) {
    let (p1, s1, p2, s2) = (p1 as i32, s1 as i32, p2 as i32, s2 as i32);
    let (p, s) = match op {
        DecimalOp::Add | DecimalOp::Subtract => {
            let scale = s1.max(s2);
            ((p1 - s1).max(p2 - s2) + scale + 1, scale)
        }
        DecimalOp::Multiply => (p1 + p2 + 1, s1 + s2),
    };
    (p.min(38) as u8, s as i8)
}

/// The decimal types of an operation's operands when Spark computes it as a decimal operation
/// (one side a decimal, the other a decimal or an integer).
pub fn decimal_operands(left: &DataType, right: &DataType) -> Option<((u8, i8), (u8, i8))> {
    if is_decimal_division(left, right) {
        Some((as_decimal(left)?, as_decimal(right)?))
    } else {
        None
    }
}

/// Spark's decimal `+`, `-`, `*` where the exact result has more than 38 digits: computed in 256
/// bits and rounded half up to the scale of [`decimal_op_type`]; a result that still does not
/// fit is `[NUMERIC_VALUE_OUT_OF_RANGE]` in ANSI mode and NULL otherwise.
#[derive(Debug, PartialEq, Eq, Hash)]
struct DecimalArithmetic {
    name: &'static str,
    op: DecimalOp,
    ansi: bool,
    signature: Signature,
}

/// The name of Spark's decimal `op` with precision loss, in ANSI or legacy mode.
pub fn decimal_op_name(op: DecimalOp, ansi: bool) -> &'static str {
    match (op, ansi) {
        (DecimalOp::Add, true) => "spark_decimal_add",
        (DecimalOp::Add, false) => "spark_decimal_add_legacy",
        (DecimalOp::Subtract, true) => "spark_decimal_subtract",
        (DecimalOp::Subtract, false) => "spark_decimal_subtract_legacy",
        (DecimalOp::Multiply, true) => "spark_decimal_multiply",
        (DecimalOp::Multiply, false) => "spark_decimal_multiply_legacy",
    }
}

/// `value` (at scale `from`) at scale `to`, rounded half up (away from zero).
fn rescale_half_up(
    value: arrow::datatypes::i256,
    from: i32,
    to: i32,
) -> Option<arrow::datatypes::i256> {
    use arrow::datatypes::i256;
    let ten = i256::from_i128(10);
    if to >= from {
        return value.checked_mul(ten.checked_pow((to - from) as u32)?);
    }
    let divisor = ten.checked_pow((from - to) as u32)?;
    let quotient = value.checked_div(divisor)?;
    let remainder = value.checked_rem(divisor)?;
    let round_away = remainder.wrapping_abs().checked_mul(i256::from_i128(2))? >= divisor;
    match (round_away, value < i256::ZERO) {
        (true, true) => quotient.checked_sub(i256::ONE),
        (true, false) => quotient.checked_add(i256::ONE),
        _ => Some(quotient),
    }
}

/// The decimal types (precision, scale) of a two-operand decimal function's arguments.
fn decimal_operand_types(name: &str, arg_types: &[DataType]) -> Result<((u8, i8), (u8, i8))> {
    match arg_types {
        [l, r] => match (as_decimal(l), as_decimal(r)) {
            (Some(l), Some(r)) => Ok((l, r)),
            _ => Err(DataFusionError::Plan(format!("{name} takes decimals"))),
        },
        _ => Err(DataFusionError::Plan(format!("{name} takes two arguments"))),
    }
}

impl ScalarUDFImpl for DecimalArithmetic {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let ((p1, s1), (p2, s2)) = decimal_operand_types(self.name, arg_types)?;
        let (p, s) = decimal_op_type(self.op, p1, s1, p2, s2);
        Ok(DataType::Decimal128(p, s))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        use arrow::datatypes::i256;
        let [left, right] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "{} takes two arguments",
                self.name
            )));
        };
        let rows = args.number_rows;
        let ((p1, s1), (p2, s2)) =
            decimal_operand_types(self.name, &[left.data_type(), right.data_type()])?;
        let (p, s) = decimal_op_type(self.op, p1, s1, p2, s2);
        let l = decimal_values(left, rows, p1, s1)?;
        let r = decimal_values(right, rows, p2, s2)?;
        let (s1, s2, s) = (s1 as i32, s2 as i32, s as i32);
        let limit = i256::from_i128(10).checked_pow(p as u32);
        let mut out = arrow::array::Decimal128Builder::with_capacity(rows);
        for i in 0..rows {
            if l.is_null(i) || r.is_null(i) {
                out.append_null();
                continue;
            }
            let (a, b) = (i256::from_i128(l.value(i)), i256::from_i128(r.value(i)));
            let exact = match self.op {
                DecimalOp::Multiply => a.checked_mul(b).map(|v| (v, s1 + s2)),
                DecimalOp::Add | DecimalOp::Subtract => {
                    let scale = s1.max(s2);
                    rescale_half_up(a, s1, scale)
                        .zip(rescale_half_up(b, s2, scale))
                        .and_then(|(a, b)| match self.op {
                            DecimalOp::Add => a.checked_add(b),
                            _ => a.checked_sub(b),
                        })
                        .map(|v| (v, scale))
                }
            };
            let value = exact
                .and_then(|(v, scale)| rescale_half_up(v, scale, s))
                .filter(|v| limit.is_some_and(|limit| v.wrapping_abs() < limit))
                .and_then(|v| v.to_i128());
            match value {
                Some(v) => out.append_value(v),
                None if self.ansi => {
                    return Err(DataFusionError::Execution(format!(
                        "[NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION] The result of the decimal operation does not fit decimal({p}, {s}). If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error, and return NULL instead."
                    )));
                }
                None => out.append_null(),
            }
        }
        let array = out.finish().with_precision_and_scale(p, s as i8)?;
        Ok(ColumnarValue::Array(Arc::new(array)))
    }
}

/// Spark's `avg` finish, `spark_avg(sum(x), count(x), avg(x))`: for a decimal `x` of
/// `decimal(p,s)` a `decimal(p+4, s+4)` rounded half up from the sum and count (DataFusion's
/// avg truncates); otherwise DataFusion's avg as a double.
#[derive(Debug, PartialEq, Eq, Hash)]
struct SparkAvg {
    signature: Signature,
}

/// Spark's avg type for the `decimal(p, s)` sum DataFusion computes (`decimal(p+10, s)`).
fn avg_type(sum: &DataType) -> DataType {
    match sum {
        DataType::Decimal128(p, s) => {
            let input_precision = if *p < 38 {
                p.saturating_sub(10).max(1)
            } else {
                34
            };
            DataType::Decimal128((input_precision + 4).min(38), (*s + 4).min(38))
        }
        _ => DataType::Float64,
    }
}

impl ScalarUDFImpl for SparkAvg {
    fn name(&self) -> &str {
        "spark_avg"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(avg_type(arg_types.first().unwrap_or(&DataType::Float64)))
    }

    /// Named as the `avg(x)` (or `avg(x) OVER …`) it replaces: its third argument.
    fn schema_name(&self, args: &[datafusion::logical_expr::Expr]) -> Result<String> {
        match args.get(2) {
            Some(average) => Ok(average.schema_name().to_string()),
            None => Ok("avg".to_string()),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [sum, count, average] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(
                "spark_avg takes sum, count and avg".into(),
            ));
        };
        let rows = args.number_rows;
        let counts = arrow::compute::cast(&count.to_array(rows)?, &DataType::Int64)?;
        let counts = counts
            .as_any()
            .downcast_ref::<arrow::array::Int64Array>()
            .cloned()
            .ok_or_else(|| DataFusionError::Internal("count is not a number".into()))?;
        match avg_type(&sum.data_type()) {
            DataType::Decimal128(p, s) => {
                let DataType::Decimal128(sp, ss) = sum.data_type() else {
                    return Err(DataFusionError::Internal("decimal sum expected".into()));
                };
                let sums = decimal_values(sum, rows, sp, ss)?;
                let shift = (s - ss).max(0) as u32;
                let mut out = arrow::array::Decimal128Builder::with_capacity(rows);
                for i in 0..rows {
                    if sums.is_null(i) || counts.is_null(i) || counts.value(i) == 0 {
                        out.append_null();
                    } else {
                        match divide_half_up(sums.value(i), counts.value(i) as i128, shift) {
                            Some(v) => out.append_value(v),
                            None => out.append_null(),
                        }
                    }
                }
                Ok(ColumnarValue::Array(Arc::new(
                    out.finish().with_precision_and_scale(p, s)?,
                )))
            }
            // Not a decimal: DataFusion's avg (a double accumulation, as Spark's).
            _ => Ok(ColumnarValue::Array(arrow::compute::cast(
                &average.to_array(rows)?,
                &DataType::Float64,
            )?)),
        }
    }
}

/// Spark's decimal division (ANSI and legacy) and `avg` finish.
pub fn decimal_functions() -> Vec<Arc<ScalarUDF>> {
    let mut out: Vec<Arc<ScalarUDF>> = [true, false]
        .into_iter()
        .map(|ansi| {
            Arc::new(ScalarUDF::new_from_impl(DecimalDivide {
                name: decimal_divide_name(ansi),
                ansi,
                signature: Signature::any(2, Volatility::Immutable),
            }))
        })
        .collect();
    for op in [DecimalOp::Add, DecimalOp::Subtract, DecimalOp::Multiply] {
        for ansi in [true, false] {
            out.push(Arc::new(ScalarUDF::new_from_impl(DecimalArithmetic {
                name: decimal_op_name(op, ansi),
                op,
                ansi,
                signature: Signature::any(2, Volatility::Immutable),
            })));
        }
    }
    out.push(Arc::new(ScalarUDF::new_from_impl(SparkAvg {
        signature: Signature::any(3, Volatility::Immutable),
    })));
    out
}

#[cfg(test)]
mod decimal_tests {
    use super::*;

    #[test]
    fn division_types_and_rounding_follow_spark() {
        // TPC-H Q14: decimal(38,6) / decimal(38,4) is decimal(38,6).
        assert_eq!(decimal_divide_type(38, 6, 38, 4), (38, 6));
        // 5.0 / 2.0: decimal(2,1) / decimal(2,1) is decimal(8,6).
        assert_eq!(decimal_divide_type(2, 1, 2, 1), (8, 6));
        assert_eq!(divide_half_up(2, 3, 2), Some(67));
        assert_eq!(divide_half_up(-2, 3, 2), Some(-67));
        assert_eq!(divide_half_up(1, 8, 2), Some(13));
        assert_eq!(divide_half_up(10, 4, 0), Some(3));
    }

    #[test]
    fn add_and_multiply_types_lose_scale_past_38_digits_as_spark() {
        // TPC-DS q58: decimal(38,21) * 100 (decimal(3,0)) is decimal(38,17).
        assert_eq!(decimal_op_type(DecimalOp::Multiply, 38, 21, 3, 0), (38, 17));
        assert_eq!(decimal_op_type(DecimalOp::Multiply, 17, 2, 3, 0), (21, 2));
        assert_eq!(decimal_op_type(DecimalOp::Add, 38, 10, 38, 10), (38, 9));
        assert_eq!(decimal_op_type(DecimalOp::Subtract, 7, 2, 1, 0), (8, 2));
        use arrow::datatypes::i256;
        let half_up = |v: i128, from, to| {
            rescale_half_up(i256::from_i128(v), from, to).and_then(|v| v.to_i128())
        };
        assert_eq!(half_up(12345, 3, 2), Some(1235));
        assert_eq!(half_up(-12345, 3, 2), Some(-1235));
        assert_eq!(half_up(12344, 3, 2), Some(1234));
        assert_eq!(half_up(12, 0, 2), Some(1200));
    }
}
