//! Spark's `skewness` and `kurtosis`: the third and fourth standardized central moments of a
//! group, updated and merged with the formulas of Spark's `CentralMomentAgg` so that the
//! digits agree for the same partitioning. NULL for an empty group or one whose values are all
//! equal (Spark's default, `spark.sql.legacy.statisticalAggregate=false`).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::datatypes::{DataType, Field, FieldRef, Float64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

/// Which moment a [`Moments`] aggregate returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Statistic {
    Skewness,
    Kurtosis,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Moments {
    statistic: Statistic,
    signature: Signature,
}

/// `skewness` and `kurtosis`, for registration.
pub fn moment_functions() -> Vec<Arc<AggregateUDF>> {
    [Statistic::Skewness, Statistic::Kurtosis]
        .into_iter()
        .map(|statistic| {
            Arc::new(AggregateUDF::new_from_impl(Moments {
                statistic,
                signature: Signature::user_defined(Volatility::Immutable),
            }))
        })
        .collect()
}

const STATE: [&str; 5] = ["n", "avg", "m2", "m3", "m4"];

impl AggregateUDFImpl for Moments {
    fn name(&self) -> &str {
        match self.statistic {
            Statistic::Skewness => "skewness",
            Statistic::Kurtosis => "kurtosis",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] if t.is_numeric() || t == &DataType::Null || t.is_string() => {
                Ok(vec![DataType::Float64])
            }
            [t] => Err(super::rows::unexpected_input_type(
                self.name(),
                0,
                "DOUBLE",
                t,
            )),
            _ => Err(super::rows::wrong_num_args(
                self.name(),
                "1",
                arg_types.len(),
            )),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(MomentsAccumulator {
            statistic: self.statistic,
            state: State::default(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(STATE
            .iter()
            .map(|s| {
                Arc::new(Field::new(
                    format!("{}[{s}]", args.name),
                    DataType::Float64,
                    true,
                ))
            })
            .collect())
    }
}

/// Count, mean and the sums of the 2nd..4th powers of the deviations from the mean.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct State {
    n: f64,
    avg: f64,
    m2: f64,
    m3: f64,
    m4: f64,
}

impl State {
    fn update(&mut self, x: f64) {
        let n = self.n + 1.0;
        let delta = x - self.avg;
        let delta_n = delta / n;
        let m2 = self.m2 + delta * (delta - delta_n);
        let delta2 = delta * delta;
        let delta_n2 = delta_n * delta_n;
        let m3 = self.m3 - 3.0 * delta_n * m2 + delta * (delta2 - delta_n2);
        let m4 = self.m4 - 4.0 * delta_n * m3 - 6.0 * delta_n2 * m2
            + delta * (delta * delta2 - delta_n * delta_n2);
        *self = Self {
            n,
            avg: self.avg + delta_n,
            m2,
            m3,
            m4,
        };
    }

    fn merge(&mut self, other: &Self) {
        let (n1, n2) = (self.n, other.n);
        let n = n1 + n2;
        let delta = other.avg - self.avg;
        let delta_n = if n == 0.0 { 0.0 } else { delta / n };
        let m2 = self.m2 + other.m2 + delta * delta_n * n1 * n2;
        let m3 = self.m3
            + other.m3
            + delta_n * delta_n * delta * n1 * n2 * (n1 - n2)
            + 3.0 * delta_n * (n1 * other.m2 - n2 * self.m2);
        let m4 = self.m4
            + other.m4
            + delta_n * delta_n * delta_n * delta * n1 * n2 * (n1 * n1 - n1 * n2 + n2 * n2)
            + 6.0 * delta_n * delta_n * (n1 * n1 * other.m2 + n2 * n2 * self.m2)
            + 4.0 * delta_n * (n1 * other.m3 - n2 * self.m3);
        *self = Self {
            n,
            avg: self.avg + delta_n * n2,
            m2,
            m3,
            m4,
        };
    }

    fn evaluate(&self, statistic: Statistic) -> Option<f64> {
        if self.n == 0.0 || self.m2 == 0.0 {
            return None;
        }
        Some(match statistic {
            Statistic::Skewness => self.n.sqrt() * self.m3 / (self.m2 * self.m2 * self.m2).sqrt(),
            Statistic::Kurtosis => self.n * self.m4 / (self.m2 * self.m2) - 3.0,
        })
    }
}

#[derive(Debug)]
struct MomentsAccumulator {
    statistic: Statistic,
    state: State,
}

impl Accumulator for MomentsAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(values) = values.first() else {
            return Ok(());
        };
        let values = arrow::compute::cast(values, &DataType::Float64)?;
        for v in values.as_primitive::<Float64Type>().iter().flatten() {
            self.state.update(v);
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64(self.state.evaluate(self.statistic)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let s = self.state;
        Ok([s.n, s.avg, s.m2, s.m3, s.m4]
            .into_iter()
            .map(|v| ScalarValue::Float64(Some(v)))
            .collect())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let columns = states
            .iter()
            .map(|c| {
                c.as_any()
                    .downcast_ref::<Float64Array>()
                    .ok_or_else(|| DataFusionError::Internal("moment state is not a double".into()))
            })
            .collect::<Result<Vec<_>>>()?;
        let [n, avg, m2, m3, m4] = columns.as_slice() else {
            return Err(DataFusionError::Internal(
                "moment state has five columns".into(),
            ));
        };
        for i in 0..n.len() {
            if n.is_null(i) {
                continue;
            }
            self.state.merge(&State {
                n: n.value(i),
                avg: avg.value(i),
                m2: m2.value(i),
                m3: m3.value(i),
                m4: m4.value(i),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(values: &[f64]) -> State {
        let mut s = State::default();
        values.iter().for_each(|v| s.update(*v));
        s
    }

    #[test]
    fn merged_halves_give_sparks_digits() {
        // JVM Spark 4.3 on local[2] (two partitions of two rows):
        // skewness(-10, -20, 100, 1000) = 1.1135657469022011,
        // kurtosis(…) = -0.7014368047529627.
        let mut s = of(&[-10.0, -20.0]);
        s.merge(&of(&[100.0, 1000.0]));
        assert_eq!(s.evaluate(Statistic::Skewness), Some(1.1135657469022011));
        assert_eq!(s.evaluate(Statistic::Kurtosis), Some(-0.7014368047529627));
        assert_eq!(of(&[3.0, 3.0]).evaluate(Statistic::Skewness), None);
    }
}
