//! Spark functions that neither DataFusion nor `datafusion-spark` provide under Spark's name, or
//! provide with another behaviour (`round` keeps decimals, `element_at` counts from 1).
//!
//! They are registered on the driver (for planning) and on every executor (plans name them):
//! see [`crate::state`], which registers them after DataFusion's, so that Spark's win a shared
//! name. Where DataFusion has the same function under another name, Spark's name is an alias;
//! otherwise a small UDF implements Spark's behaviour. Higher-order functions (lambdas) are in
//! [`lambda`].

pub mod arithmetic;
pub mod binary;
pub mod by_type;
pub mod collections;
pub mod date_part;
pub mod datetime;
pub mod encodings;
pub mod epoch;
pub mod hash;
pub mod json;
pub mod json_schema;
pub mod lambda;
pub mod make_timestamp;
pub mod math;
pub mod mode;
pub mod moments;
pub mod number_format;
pub mod percentiles;
pub mod raise;
pub mod random;
pub mod round_scale;
pub(crate) mod rows;
pub mod strings;
pub mod sum;
pub mod text;
pub mod time_type;
pub mod timestamp_units;
pub mod try_arithmetic;
pub mod vectors;
pub mod window_flags;
pub mod zones;

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, Float64Array, Float64Builder};
use arrow::compute::kernels::temporal::{DatePart, date_part};
use arrow::datatypes::{DataType, TimeUnit};
use datafusion::error::Result;

use crate::format::{hive_value, spark_type_name};
use datafusion::logical_expr::{
    AggregateUDF, ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

/// Casts a function argument to `to` and returns it as the array type `T` of that type.
pub(crate) fn cast_argument<T: Array + Clone + 'static>(
    value: &ColumnarValue,
    rows: usize,
    to: &DataType,
) -> Result<T> {
    let array = arrow::compute::cast(&value.to_array(rows)?, to)?;
    array.as_any().downcast_ref::<T>().cloned().ok_or_else(|| {
        datafusion::error::DataFusionError::Internal(format!("argument did not cast to {to}"))
    })
}

/// How many rows a call computes, and whether its result is a constant: one row when every
/// argument is a constant (`hash('a')` is computed once, not once per row), else the batch's.
pub(crate) fn call_rows(args: &ScalarFunctionArgs) -> (usize, bool) {
    let scalar = args
        .args
        .iter()
        .all(|a| matches!(a, ColumnarValue::Scalar(_)));
    (if scalar { 1 } else { args.number_rows }, scalar)
}

/// The value of argument `i` of a call when it is a constant (the value planning saw as a
/// scalar argument); `None` when it varies by row.
pub(crate) fn constant_argument(
    args: &ScalarFunctionArgs,
    i: usize,
) -> Option<&datafusion::scalar::ScalarValue> {
    match args.args.get(i)? {
        ColumnarValue::Scalar(v) => Some(v),
        ColumnarValue::Array(_) => None,
    }
}

/// A call's computed column as its result: a constant when [`call_rows`] said so.
pub(crate) fn call_result(out: ArrayRef, scalar: bool) -> Result<ColumnarValue> {
    if scalar {
        Ok(ColumnarValue::Scalar(
            datafusion::scalar::ScalarValue::try_from_array(&out, 0)?,
        ))
    } else {
        Ok(ColumnarValue::Array(out))
    }
}

/// The single argument of a one-argument function, as an array.
fn one_argument(args: &ScalarFunctionArgs, name: &str) -> Result<ArrayRef> {
    match args.args.as_slice() {
        [arg] => arg.to_array(args.number_rows),
        _ => Err(datafusion::error::DataFusionError::Plan(format!(
            "{name} takes one argument"
        ))),
    }
}

/// A date/time field extracted as Spark's `year()`, `month()`, `dayofweek()`... do (an `INT`).
#[derive(Debug, PartialEq, Eq, Hash)]
struct DateField {
    name: &'static str,
    part: DatePartKey,
    signature: Signature,
}

/// `DatePart` has no `Hash`; this mirrors the parts used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum DatePartKey {
    Year,
    Quarter,
    Month,
    Day,
    DayOfWeek,
    DayOfYear,
    Week,
    Hour,
    Minute,
    Second,
}

impl DatePartKey {
    fn arrow(self) -> DatePart {
        match self {
            Self::Year => DatePart::Year,
            Self::Quarter => DatePart::Quarter,
            Self::Month => DatePart::Month,
            Self::Day => DatePart::Day,
            // Spark: Sunday = 1 ... Saturday = 7.
            Self::DayOfWeek => DatePart::DayOfWeekSunday1,
            Self::DayOfYear => DatePart::DayOfYear,
            Self::Week => DatePart::WeekISO,
            Self::Hour => DatePart::Hour,
            Self::Minute => DatePart::Minute,
            Self::Second => DatePart::Second,
        }
    }
}

impl DateField {
    fn udf(name: &'static str, part: DatePartKey) -> Arc<ScalarUDF> {
        Arc::new(ScalarUDF::new_from_impl(Self {
            name,
            part,
            signature: Signature::any(1, Volatility::Immutable),
        }))
    }
}

impl ScalarUDFImpl for DateField {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let array = one_argument(&args, self.name)?;
        let array: ArrayRef = match array.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                arrow::compute::cast(&array, &DataType::Timestamp(TimeUnit::Microsecond, None))?
            }
            _ => array,
        };
        let result = date_part(array.as_ref(), self.part.arrow())?;
        Ok(ColumnarValue::Array(arrow::compute::cast(
            &result,
            &DataType::Int32,
        )?))
    }
}

/// Spark's `isnull(x)` / `isnotnull(x)`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct NullCheck {
    name: &'static str,
    negated: bool,
    signature: Signature,
}

impl ScalarUDFImpl for NullCheck {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let array = one_argument(&args, self.name)?;
        let nulls = array.logical_nulls();
        let values: BooleanArray = (0..array.len())
            .map(|i| {
                let is_null = nulls.as_ref().is_some_and(|n| n.is_null(i))
                    || array.data_type() == &DataType::Null;
                Some(is_null != self.negated)
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(values)))
    }
}

/// Spark's `/` between integers: a double quotient. A zero divisor raises `[DIVIDE_BY_ZERO]` in
/// ANSI mode (`spark_divide`) and yields NULL otherwise (`spark_divide_legacy`).
#[derive(Debug, PartialEq, Eq, Hash)]
struct DoubleDivide {
    name: &'static str,
    ansi: bool,
    signature: Signature,
}

/// The name of Spark's integer `/` in ANSI or legacy mode.
pub fn divide_function_name(ansi: bool) -> &'static str {
    if ansi {
        "spark_divide"
    } else {
        "spark_divide_legacy"
    }
}

impl ScalarUDFImpl for DoubleDivide {
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
        let rows = args.number_rows;
        let [left, right] = args.args.as_slice() else {
            return Err(datafusion::error::DataFusionError::Plan(
                "division takes two arguments".into(),
            ));
        };
        let left: Float64Array = cast_argument(left, rows, &DataType::Float64)?;
        let right: Float64Array = cast_argument(right, rows, &DataType::Float64)?;
        let mut out = Float64Builder::with_capacity(rows);
        for i in 0..left.len() {
            if left.is_null(i) || right.is_null(i) {
                out.append_null();
            } else if right.value(i) == 0.0 {
                if self.ansi {
                    return Err(datafusion::error::DataFusionError::Execution(
                        "[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.".into(),
                    ));
                }
                out.append_null();
            } else {
                out.append_value(left.value(i) / right.value(i));
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// `CAST(double AS STRING)` as Spark does it: Java's notation (`1.0E10`, `0.5`).
/// `CAST(x AS STRING)` as Spark prints doubles and floats (Java's notation: `1.0E10`, `0.5`)
/// and timestamps (`2024-01-05 07:08:09.12`, no `T`, no trailing zeros).
#[derive(Debug, PartialEq, Eq, Hash)]
struct SparkToString {
    signature: Signature,
}

impl ScalarUDFImpl for SparkToString {
    fn name(&self) -> &str {
        SPARK_TO_STRING
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let values = one_argument(&args, SPARK_TO_STRING)?;
        let out: arrow::array::StringArray = (0..values.len())
            .map(|i| (!values.is_null(i)).then(|| hive_value(&values, i, false)))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// The name of Ember's Spark-style cast to string (see [`spark_to_string_applies`]).
pub const SPARK_TO_STRING: &str = "spark_to_string";

/// Whether a cast from `from` to a string prints differently in Spark than in Arrow.
pub fn spark_to_string_applies(from: &DataType) -> bool {
    matches!(
        from,
        DataType::Float64 | DataType::Float32 | DataType::Timestamp(_, _)
    )
}

/// Spark's `typeof(x)`: the name of the argument's type.
#[derive(Debug, PartialEq, Eq, Hash)]
struct TypeOf {
    signature: Signature,
}

impl ScalarUDFImpl for TypeOf {
    fn name(&self) -> &str {
        "typeof"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    /// The type is known at planning: `typeof(raise_error('x'))` is `void` without running
    /// its argument, as in Spark.
    fn simplify(
        &self,
        args: Vec<datafusion::logical_expr::Expr>,
        info: &datafusion::logical_expr::simplify::SimplifyContext,
    ) -> Result<datafusion::logical_expr::simplify::ExprSimplifyResult> {
        use datafusion::logical_expr::simplify::ExprSimplifyResult;
        let [arg] = args.as_slice() else {
            return Ok(ExprSimplifyResult::Original(args));
        };
        match info.get_data_type(arg) {
            Ok(t) => Ok(ExprSimplifyResult::Simplified(
                datafusion::logical_expr::lit(spark_type_name(&t)),
            )),
            Err(_) => Ok(ExprSimplifyResult::Original(args)),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = match args.arg_fields.first() {
            Some(field) => spark_type_name(field.data_type()),
            None => "void".to_string(),
        };
        Ok(ColumnarValue::Scalar(
            datafusion::scalar::ScalarValue::Utf8(Some(name)),
        ))
    }
}

/// Scalar functions under Spark's names.
pub fn spark_compat_scalar_functions() -> Vec<Arc<ScalarUDF>> {
    use DatePartKey::*;
    use datafusion::functions::{math, string};
    let mut out = vec![Arc::new(
        math::signum().as_ref().clone().with_aliases(["sign"]),
    )];
    for (name, part) in [
        ("year", Year),
        ("quarter", Quarter),
        ("month", Month),
        ("day", Day),
        ("dayofmonth", Day),
        ("dayofweek", DayOfWeek),
        ("dayofyear", DayOfYear),
        ("weekofyear", Week),
        ("hour", Hour),
        ("minute", Minute),
        ("second", Second),
    ] {
        out.push(DateField::udf(name, part));
    }
    for ansi in [true, false] {
        out.push(Arc::new(ScalarUDF::new_from_impl(DoubleDivide {
            name: divide_function_name(ansi),
            ansi,
            signature: Signature::any(2, Volatility::Immutable),
        })));
    }
    out.extend(datetime::spark_datetime_functions());
    out.extend(binary::binary_functions());
    out.extend(make_timestamp::make_timestamp_functions());
    out.extend(arithmetic::checked_arithmetic_functions());
    out.extend(arithmetic::decimal_functions());
    out.extend(try_arithmetic::try_arithmetic_functions());
    out.push(hash::hash_function());
    out.extend(self::math::spark_math_functions());
    out.extend(collections::element_at_functions());
    out.push(collections::sequence_function());
    out.extend(epoch::epoch_functions());
    out.push(Arc::new(ScalarUDF::new_from_impl(SparkToString {
        signature: Signature::any(1, Volatility::Immutable),
    })));
    out.push(Arc::new(ScalarUDF::new_from_impl(TypeOf {
        signature: Signature::any(1, Volatility::Immutable),
    })));
    out.push(Arc::new(
        string::lower().as_ref().clone().with_aliases(["lcase"]),
    ));
    out.push(Arc::new(
        string::upper().as_ref().clone().with_aliases(["ucase"]),
    ));
    out.extend(strings::spark_string_functions());
    out.push(strings::mask_function());
    out.extend(json::json_functions());
    out.extend(encodings::encoding_functions());
    out.extend(text::text_functions());
    out.extend(raise::raise_functions());
    out.extend(random::random_functions());
    out.extend(vectors::vector_functions());
    out.extend(zones::zone_functions(None));
    out.extend(timestamp_units::timestamp_unit_functions(None));
    out.push(date_part::date_part_function(None));
    out.extend(number_format::number_format_functions());
    out.extend(json_schema::json_schema_functions());
    out.extend(time_type::time_functions());
    out.extend(by_type::by_type_functions());
    out.extend(round_scale::round_scale_functions());
    // Spark's array_remove removes every match (DataFusion's, the first).
    out.push(Arc::new(
        datafusion::functions_nested::remove::array_remove_all_udf()
            .as_ref()
            .clone()
            .with_aliases(["array_remove"]),
    ));
    out.push(Arc::new(
        datafusion::functions_nested::sort::array_sort_udf()
            .as_ref()
            .clone()
            .with_aliases(["sort_array"]),
    ));
    for (name, negated) in [("isnull", false), ("isnotnull", true)] {
        out.push(Arc::new(ScalarUDF::new_from_impl(NullCheck {
            name,
            negated,
            signature: Signature::any(1, Volatility::Immutable),
        })));
    }
    out
}

/// Aggregate functions under Spark's names.
pub fn spark_compat_aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    use datafusion::functions_aggregate::{approx_distinct, bool_and_or, first_last, variance};
    let mut out = vec![
        sum::sum_function(true),
        sum::avg_sum_function(),
        crate::subqueries::scalar_subquery_value(),
        mode::mode_function(),
        Arc::new(
            variance::var_samp_udaf()
                .as_ref()
                .clone()
                .with_aliases(["variance"]),
        ),
        Arc::new(
            datafusion::functions_aggregate::stddev::stddev_udaf()
                .as_ref()
                .clone()
                .with_aliases(["std"]),
        ),
        Arc::new(
            bool_and_or::bool_and_udaf()
                .as_ref()
                .clone()
                .with_aliases(["every"]),
        ),
        Arc::new(
            bool_and_or::bool_or_udaf()
                .as_ref()
                .clone()
                .with_aliases(["some", "any"]),
        ),
        Arc::new(
            first_last::first_value_udaf()
                .as_ref()
                .clone()
                .with_aliases(["first"]),
        ),
        Arc::new(
            first_last::last_value_udaf()
                .as_ref()
                .clone()
                .with_aliases(["last"]),
        ),
        Arc::new(
            approx_distinct::approx_distinct_udaf()
                .as_ref()
                .clone()
                .with_aliases(["approx_count_distinct"]),
        ),
    ];
    out.extend(moments::moment_functions());
    out.extend(percentiles::percentile_functions());
    out.extend(vectors::vector_aggregates());
    out
}
