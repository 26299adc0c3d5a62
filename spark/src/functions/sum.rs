//! Spark's `sum`: DataFusion's sum, except where Spark differs. In ANSI mode (Spark's default)
//! a sum of integers that leaves `BIGINT`'s range raises `ARITHMETIC_OVERFLOW` instead of
//! wrapping around, and a sum of untyped NULLs is a NULL `DOUBLE` (DataFusion refuses the type).
//!
//! The registry holds the ANSI variant; [`legacy_sums`] swaps in the wrapping one when
//! `spark.sql.ansi.enabled` is false, and the plan codec carries the choice to executors
//! ([`SparkSum::encode`], [`SparkSum::decode`]).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int64Array};
use arrow::datatypes::{DataType, FieldRef, Int64Type};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, Expr, GroupsAccumulator, LogicalPlan,
    ReversedUDAF, Signature, Volatility, WindowFunctionDefinition,
};
use datafusion::scalar::ScalarValue;

/// Marks a legacy (wrapping) `sum` in an encoded plan.
const LEGACY_MARKER: &[u8] = b"spark-sum-legacy";

/// The name of the sum inside Spark's `avg` (see [`avg_sum_function`]).
pub const AVG_SUM: &str = "spark_avg_sum";

/// Spark's `sum`; `ansi` decides whether integer overflow raises or wraps.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SparkSum {
    name: &'static str,
    ansi: bool,
    inner: Arc<AggregateUDF>,
    signature: Signature,
}

impl SparkSum {
    fn new(name: &'static str, ansi: bool) -> Self {
        Self {
            name,
            ansi,
            inner: datafusion::functions_aggregate::sum::sum_udaf(),
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    /// Bytes that tell an executor to rebuild `udaf` as this `sum` in legacy mode, when it is one
    /// (the ANSI `sum` is the registry's and needs none).
    pub fn encode(udaf: &AggregateUDF) -> Option<&'static [u8]> {
        let any: &dyn std::any::Any = udaf.inner().as_ref();
        let sum = any.downcast_ref::<SparkSum>()?;
        (!sum.ansi && sum.name == "sum").then_some(LEGACY_MARKER)
    }

    /// The `sum` that [`SparkSum::encode`] wrote `buf` for, if it did.
    pub fn decode(name: &str, buf: &[u8]) -> Option<Arc<AggregateUDF>> {
        (name == "sum" && buf == LEGACY_MARKER).then(|| sum_function(false))
    }

    /// Whether this `sum` checks integer overflow for arguments of `args`.
    fn checks_overflow(&self, args: &AccumulatorArgs) -> bool {
        self.ansi && !args.is_distinct && args.return_field.data_type() == &DataType::Int64
    }
}

/// Spark's `sum`, raising on integer overflow when `ansi`.
pub fn sum_function(ansi: bool) -> Arc<AggregateUDF> {
    Arc::new(AggregateUDF::new_from_impl(SparkSum::new("sum", ansi)))
}

/// The sum Spark's `avg` divides ([`crate::functions::arithmetic`]'s `spark_avg`): it only
/// matters for decimals, so it never raises on integer overflow (Spark averages integers as
/// doubles: `avg` of two `Long.MaxValue`s is no error).
pub fn avg_sum_function() -> Arc<AggregateUDF> {
    Arc::new(AggregateUDF::new_from_impl(SparkSum::new(AVG_SUM, false)))
}

/// `plan` with every ANSI `sum` replaced by the wrapping one, for `spark.sql.ansi.enabled=false`.
pub fn legacy_sums(plan: LogicalPlan) -> Result<LogicalPlan> {
    let legacy = sum_function(false);
    let is_ansi_sum = |f: &AggregateUDF| {
        let any: &dyn std::any::Any = f.inner().as_ref();
        any.downcast_ref::<SparkSum>().is_some_and(|s| s.ansi)
    };
    plan.transform_up_with_subqueries(|node| {
        node.map_expressions(|expr| {
            expr.transform_up(|e| match e {
                Expr::AggregateFunction(AggregateFunction { func, params })
                    if is_ansi_sum(&func) =>
                {
                    Ok(Transformed::yes(Expr::AggregateFunction(AggregateFunction {
                        func: Arc::clone(&legacy),
                        params,
                    })))
                }
                Expr::WindowFunction(mut w)
                    if matches!(&w.fun, WindowFunctionDefinition::AggregateUDF(f) if is_ansi_sum(f)) =>
                {
                    w.fun = WindowFunctionDefinition::AggregateUDF(Arc::clone(&legacy));
                    Ok(Transformed::yes(Expr::WindowFunction(w)))
                }
                other => Ok(Transformed::no(other)),
            })
        })
    })
    .map(|t| t.data)
}

/// Spark's `ARITHMETIC_OVERFLOW` for a sum that left `BIGINT`'s range.
fn overflow() -> DataFusionError {
    DataFusionError::Execution(
        "[ARITHMETIC_OVERFLOW] long overflow. Use 'try_sum' to tolerate overflow and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22003".into(),
    )
}

impl AggregateUDFImpl for SparkSum {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Spark's input types: integers sum as `BIGINT`, floats and strings as `DOUBLE`, decimals
    /// and intervals as themselves; an untyped NULL is a `DOUBLE`.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [t] = arg_types else {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `sum` requires 1 parameters but the actual number is {}.",
                arg_types.len()
            )));
        };
        let target = match t {
            DataType::Dictionary(_, value) => return self.coerce_types(&[value.as_ref().clone()]),
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32 => DataType::Int64,
            DataType::UInt64 => DataType::Decimal128(20, 0),
            DataType::Null
            | DataType::Float16
            | DataType::Float32
            | DataType::Float64
            | DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View => DataType::Float64,
            DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..)
            | DataType::Duration(_)
            | DataType::Interval(_) => t.clone(),
            other => {
                return Err(DataFusionError::Plan(format!(
                    "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"sum\": the input requires a numeric or interval type, however it has the type {}.",
                    crate::format::spark_type_name(other)
                )));
            }
        };
        Ok(vec![target])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        if self.checks_overflow(&args) {
            Ok(Box::new(CheckedSum::default()))
        } else {
            self.inner.inner().accumulator(args)
        }
    }

    fn create_sliding_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        if self.checks_overflow(&args) {
            Ok(Box::new(CheckedSum::default()))
        } else {
            self.inner.inner().create_sliding_accumulator(args)
        }
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        self.inner.inner().state_fields(args)
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs) -> bool {
        self.inner.inner().groups_accumulator_supported(args)
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        if self.checks_overflow(&args) {
            Ok(Box::new(CheckedGroupSums::default()))
        } else {
            self.inner.inner().create_groups_accumulator(args)
        }
    }

    fn reverse_expr(&self) -> ReversedUDAF {
        ReversedUDAF::Identical
    }

    fn order_sensitivity(&self) -> datafusion::logical_expr::utils::AggregateOrderSensitivity {
        self.inner.inner().order_sensitivity()
    }
}

/// One group's `BIGINT` sum that raises on overflow; `None` until a non-NULL value arrives.
#[derive(Debug, Default)]
struct CheckedSum {
    sum: Option<i64>,
}

impl CheckedSum {
    fn add_all(&mut self, values: &ArrayRef, negate: bool) -> Result<()> {
        for v in values.as_primitive::<Int64Type>().iter().flatten() {
            let sum = self.sum.unwrap_or(0);
            let next = if negate {
                sum.checked_sub(v)
            } else {
                sum.checked_add(v)
            };
            self.sum = Some(next.ok_or_else(overflow)?);
        }
        Ok(())
    }
}

impl Accumulator for CheckedSum {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        values.first().map_or(Ok(()), |v| self.add_all(v, false))
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.update_batch(states)
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        values.first().map_or(Ok(()), |v| self.add_all(v, true))
    }

    fn supports_retract_batch(&self) -> bool {
        true
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Int64(self.sum))
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![self.evaluate()?])
    }

    fn size(&self) -> usize {
        size_of_val(self)
    }
}

/// Every group's `BIGINT` sum, raising on overflow; a group without a non-NULL value is NULL.
#[derive(Debug, Default)]
struct CheckedGroupSums {
    sums: Vec<i64>,
    seen: Vec<bool>,
}

impl GroupsAccumulator for CheckedGroupSums {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.sums.resize(total_num_groups, 0);
        self.seen.resize(total_num_groups, false);
        let Some(values) = values.first() else {
            return Ok(());
        };
        let values = values.as_primitive::<Int64Type>();
        for (row, &group) in group_indices.iter().enumerate() {
            if values.is_null(row) || opt_filter.is_some_and(|f| !f.is_valid(row) || !f.value(row))
            {
                continue;
            }
            let (Some(sum), Some(seen)) = (self.sums.get_mut(group), self.seen.get_mut(group))
            else {
                return Err(DataFusionError::Internal(format!(
                    "sum: group {group} beyond {total_num_groups} groups"
                )));
            };
            *sum = sum.checked_add(values.value(row)).ok_or_else(overflow)?;
            *seen = true;
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let sums = emit_to.take_needed(&mut self.sums);
        let seen = emit_to.take_needed(&mut self.seen);
        let array: Int64Array = sums
            .into_iter()
            .zip(seen)
            .map(|(sum, seen)| seen.then_some(sum))
            .collect();
        Ok(Arc::new(array))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.evaluate(emit_to)?])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.update_batch(values, group_indices, None, total_num_groups)
    }

    /// A row's state is its value, NULL where the filter drops it.
    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let Some(values) = values.first() else {
            return Ok(vec![]);
        };
        let values = values.as_primitive::<Int64Type>();
        let state: Int64Array = (0..values.len())
            .map(|row| {
                let kept = opt_filter.is_none_or(|f| f.is_valid(row) && f.value(row));
                (kept && values.is_valid(row)).then(|| values.value(row))
            })
            .collect();
        Ok(vec![Arc::new(state)])
    }

    fn size(&self) -> usize {
        self.sums.capacity() * size_of::<i64>() + self.seen.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(values: &[Option<i64>]) -> ArrayRef {
        Arc::new(Int64Array::from(values.to_vec()))
    }

    #[test]
    fn a_sum_that_leaves_bigint_raises_arithmetic_overflow() -> Result<()> {
        let mut acc = CheckedSum::default();
        acc.update_batch(&[ints(&[Some(i64::MAX - 1), None])])?;
        assert_eq!(acc.evaluate()?, ScalarValue::Int64(Some(i64::MAX - 1)));
        let err = acc
            .update_batch(&[ints(&[Some(2)])])
            .expect_err("an overflow");
        assert!(err.to_string().contains("[ARITHMETIC_OVERFLOW]"), "{err}");
        Ok(())
    }

    #[test]
    fn group_sums_are_null_without_values_and_raise_on_overflow() -> Result<()> {
        let mut acc = CheckedGroupSums::default();
        acc.update_batch(&[ints(&[Some(1), None, Some(5)])], &[0, 1, 0], None, 3)?;
        let out = acc.evaluate(EmitTo::All)?;
        let out = out.as_primitive::<Int64Type>();
        assert_eq!(out.iter().collect::<Vec<_>>(), vec![Some(6), None, None]);
        let err = acc
            .update_batch(&[ints(&[Some(i64::MIN), Some(-1)])], &[0, 0], None, 1)
            .expect_err("an overflow");
        assert!(err.to_string().contains("[ARITHMETIC_OVERFLOW]"), "{err}");
        Ok(())
    }

    #[test]
    fn legacy_sums_are_marked_for_executors() {
        assert_eq!(SparkSum::encode(&sum_function(true)), None);
        let bytes = SparkSum::encode(&sum_function(false)).expect("a legacy sum");
        let decoded = SparkSum::decode("sum", bytes).expect("decoded");
        assert_eq!(SparkSum::encode(&decoded), Some(LEGACY_MARKER));
    }
}
