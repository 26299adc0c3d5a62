//! Spark's `mode(col[, deterministic])`: the most frequent non-NULL value of a group. Among
//! values equally frequent Ember returns the smallest, which is what Spark returns with
//! `deterministic = true` (without it Spark's pick depends on its hash table).
//! `mode() WITHIN GROUP (ORDER BY col [DESC])` returns the first of the tied values in that
//! order.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

#[derive(Debug, PartialEq, Eq, Hash)]
struct Mode {
    signature: Signature,
}

/// `mode`, for registration.
pub fn mode_function() -> Arc<AggregateUDF> {
    Arc::new(AggregateUDF::new_from_impl(Mode {
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
}

impl AggregateUDFImpl for Mode {
    fn name(&self) -> &str {
        "mode"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(t) if (1..=2).contains(&arg_types.len()) => Ok(t.clone()),
            _ => Err(DataFusionError::Plan(
                "[WRONG_NUM_ARGS] mode takes 1 or 2 arguments".into(),
            )),
        }
    }

    fn supports_within_group_clause(&self) -> bool {
        true
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(ModeAccumulator {
            data_type: acc_args.return_field.data_type().clone(),
            descending: acc_args
                .order_bys
                .first()
                .is_some_and(|o| o.options.descending),
            counts: HashMap::new(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let value = args.return_field.data_type().clone();
        Ok(vec![
            Arc::new(Field::new_list(
                format!("{}[values]", args.name),
                Field::new_list_field(value, true),
                true,
            )),
            Arc::new(Field::new_list(
                format!("{}[counts]", args.name),
                Field::new_list_field(DataType::Int64, true),
                true,
            )),
        ])
    }
}

#[derive(Debug)]
struct ModeAccumulator {
    data_type: DataType,
    /// Ties go to the largest value (`WITHIN GROUP (ORDER BY … DESC)`).
    descending: bool,
    counts: HashMap<ScalarValue, i64>,
}

impl Accumulator for ModeAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(values) = values.first() else {
            return Ok(());
        };
        for i in 0..values.len() {
            if values.is_valid(i) {
                *self
                    .counts
                    .entry(ScalarValue::try_from_array(values.as_ref(), i)?)
                    .or_insert(0) += 1;
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let best = self.counts.iter().max_by(|(va, ca), (vb, cb)| {
            ca.cmp(cb).then_with(|| {
                // The smaller value wins a tie (the larger when descending): it must compare
                // as the larger here.
                let order = vb.partial_cmp(va).unwrap_or(std::cmp::Ordering::Equal);
                if self.descending {
                    order.reverse()
                } else {
                    order
                }
            })
        });
        match best {
            Some((v, _)) => Ok(v.clone()),
            None => ScalarValue::try_from(&self.data_type),
        }
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self
                .counts
                .keys()
                .map(|k| k.size() + std::mem::size_of::<i64>())
                .sum::<usize>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let (values, counts): (Vec<ScalarValue>, Vec<ScalarValue>) = self
            .counts
            .iter()
            .map(|(v, c)| (v.clone(), ScalarValue::Int64(Some(*c))))
            .unzip();
        Ok(vec![
            ScalarValue::List(ScalarValue::new_list_nullable(&values, &self.data_type)),
            ScalarValue::List(ScalarValue::new_list_nullable(&counts, &DataType::Int64)),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [values, counts] = states else {
            return Err(DataFusionError::Internal(
                "mode's state has two columns".into(),
            ));
        };
        let (values, counts) = (values.as_list::<i32>(), counts.as_list::<i32>());
        for row in 0..values.len() {
            if values.is_null(row) || counts.is_null(row) {
                continue;
            }
            let (v, c) = (values.value(row), counts.value(row));
            let c = c.as_primitive::<Int64Type>();
            for i in 0..v.len() {
                *self
                    .counts
                    .entry(ScalarValue::try_from_array(v.as_ref(), i)?)
                    .or_insert(0) += c.value(i);
            }
        }
        Ok(())
    }
}
