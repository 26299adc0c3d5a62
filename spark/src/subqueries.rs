//! Spark's scalar subqueries: one that returns several rows raises
//! `SCALAR_SUBQUERY_TOO_MANY_ROWS`. Ember plans uncorrelated scalar subqueries as joins (a
//! stage cut may split DataFusion's physical subquery node from the expressions reading it),
//! where extra rows would silently multiply the outer query's rows. [`single_row_subqueries`]
//! ends each such subquery that may return several rows with an aggregate,
//! `scalar_subquery_value`, that keeps its one value (NULL without rows) and raises on a second
//! row, wherever the rows are counted.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::common::Column;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Expr, LogicalPlan, LogicalPlanBuilder, Signature,
    Subquery, Volatility,
};
use datafusion::scalar::ScalarValue;

/// The aggregate's name, under which executors find it.
pub const SCALAR_SUBQUERY_VALUE: &str = "scalar_subquery_value";

/// The one value of a scalar subquery's rows; raises `SCALAR_SUBQUERY_TOO_MANY_ROWS` on more.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ScalarSubqueryValue {
    signature: Signature,
}

/// `scalar_subquery_value`, for registration on the driver and the executors.
pub fn scalar_subquery_value() -> Arc<AggregateUDF> {
    Arc::new(AggregateUDF::new_from_impl(ScalarSubqueryValue {
        signature: Signature::any(1, Volatility::Immutable),
    }))
}

/// `plan` with every uncorrelated scalar subquery that may return several rows ending in
/// `scalar_subquery_value`.
pub fn single_row_subqueries(plan: LogicalPlan) -> Result<LogicalPlan> {
    let value = scalar_subquery_value();
    plan.transform_up_with_subqueries(|node| {
        node.map_expressions(|expr| {
            expr.transform_up(|e| match e {
                Expr::ScalarSubquery(sq)
                    if sq.outer_ref_columns.is_empty() && !at_most_one_row(&sq.subquery) =>
                {
                    let plan = Arc::unwrap_or_clone(sq.subquery);
                    let Some((qualifier, field)) = plan.schema().iter().next() else {
                        return Ok(Transformed::no(Expr::ScalarSubquery(Subquery {
                            subquery: Arc::new(plan),
                            ..sq
                        })));
                    };
                    let name = field.name().clone();
                    let column = Expr::Column(Column::new(qualifier.cloned(), name.clone()));
                    let guarded = LogicalPlanBuilder::from(plan)
                        .aggregate(
                            Vec::<Expr>::new(),
                            vec![value.call(vec![column]).alias(name)],
                        )?
                        .build()?;
                    Ok(Transformed::yes(Expr::ScalarSubquery(Subquery {
                        subquery: Arc::new(guarded),
                        outer_ref_columns: sq.outer_ref_columns,
                        spans: sq.spans,
                    })))
                }
                other => Ok(Transformed::no(other)),
            })
        })
    })
    .map(|t| t.data)
}

/// Whether `plan` returns at most one row whatever its input: a global aggregate, `LIMIT 1`, or
/// a single-row relation, under projections, aliases, filters and sorts.
fn at_most_one_row(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::Projection(p) => at_most_one_row(&p.input),
        LogicalPlan::SubqueryAlias(a) => at_most_one_row(&a.input),
        LogicalPlan::Filter(f) => at_most_one_row(&f.input),
        LogicalPlan::Sort(s) => s.fetch.is_some_and(|n| n <= 1) || at_most_one_row(&s.input),
        LogicalPlan::Aggregate(a) => a.group_expr.is_empty(),
        LogicalPlan::Limit(l) => {
            matches!(l.get_fetch_type(), Ok(datafusion::logical_expr::logical_plan::FetchType::Literal(Some(n))) if n <= 1)
                || at_most_one_row(&l.input)
        }
        LogicalPlan::EmptyRelation(_) => true,
        LogicalPlan::Values(v) => v.values.len() <= 1,
        _ => false,
    }
}

fn too_many_rows() -> DataFusionError {
    DataFusionError::Execution(
        "[SCALAR_SUBQUERY_TOO_MANY_ROWS] More than one row returned by a subquery used as an expression. SQLSTATE: 21000".into(),
    )
}

impl AggregateUDFImpl for ScalarSubqueryValue {
    fn name(&self) -> &str {
        SCALAR_SUBQUERY_VALUE
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        arg_types.first().cloned().ok_or_else(|| {
            DataFusionError::Plan(format!("{SCALAR_SUBQUERY_VALUE} takes one argument"))
        })
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(OneValue {
            value: ScalarValue::try_from(args.return_field.data_type())?,
            rows: 0,
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new(
                format!("{}[value]", args.name),
                args.return_field.data_type().clone(),
                true,
            )),
            Arc::new(Field::new(
                format!("{}[rows]", args.name),
                DataType::Int64,
                true,
            )),
        ])
    }
}

/// The value seen so far and how many rows carried it.
#[derive(Debug)]
struct OneValue {
    value: ScalarValue,
    rows: i64,
}

impl OneValue {
    /// Counts `rows` more rows whose value (when there is one) is at `values[index]`.
    fn add(&mut self, values: &ArrayRef, index: usize, rows: i64) -> Result<()> {
        if rows == 0 {
            return Ok(());
        }
        self.rows += rows;
        if self.rows > 1 {
            return Err(too_many_rows());
        }
        self.value = ScalarValue::try_from_array(values, index)?;
        Ok(())
    }
}

impl Accumulator for OneValue {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(values) = values.first() else {
            return Ok(());
        };
        match values.len() {
            0 => Ok(()),
            1 => self.add(values, 0, 1),
            _ => Err(too_many_rows()),
        }
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [values, rows] = states else {
            return Err(DataFusionError::Internal(format!(
                "{SCALAR_SUBQUERY_VALUE}: expected 2 state columns, got {}",
                states.len()
            )));
        };
        let rows = rows.as_primitive::<Int64Type>();
        for index in 0..rows.len() {
            let n = if rows.is_null(index) {
                0
            } else {
                rows.value(index)
            };
            self.add(values, index, n)?;
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(self.value.clone())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![
            self.value.clone(),
            ScalarValue::Int64(Some(self.rows)),
        ])
    }

    fn size(&self) -> usize {
        size_of_val(self) + self.value.size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int32Array;

    fn ints(values: &[Option<i32>]) -> ArrayRef {
        Arc::new(Int32Array::from(values.to_vec()))
    }

    fn empty() -> OneValue {
        OneValue {
            value: ScalarValue::Int32(None),
            rows: 0,
        }
    }

    #[test]
    fn one_row_is_its_value_and_none_is_null() -> Result<()> {
        let mut acc = empty();
        assert_eq!(acc.evaluate()?, ScalarValue::Int32(None));
        acc.update_batch(&[ints(&[])])?;
        acc.update_batch(&[ints(&[Some(7)])])?;
        assert_eq!(acc.evaluate()?, ScalarValue::Int32(Some(7)));
        Ok(())
    }

    #[test]
    fn a_second_row_raises_even_across_partial_states() {
        let rows: ArrayRef = Arc::new(arrow::array::Int64Array::from(vec![1, 0, 1]));
        let err = empty()
            .merge_batch(&[ints(&[Some(1), None, None]), rows])
            .expect_err("two rows");
        assert!(
            err.to_string().contains("SCALAR_SUBQUERY_TOO_MANY_ROWS"),
            "{err}"
        );
        let err = empty()
            .update_batch(&[ints(&[None, None])])
            .expect_err("two rows");
        assert!(
            err.to_string().contains("SCALAR_SUBQUERY_TOO_MANY_ROWS"),
            "{err}"
        );
    }
}
