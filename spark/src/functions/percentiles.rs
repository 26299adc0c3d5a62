//! Spark's discrete percentiles: `percentile_disc(p) WITHIN GROUP (ORDER BY x)` and
//! `approx_percentile(x, p[, accuracy])` (also `percentile_approx`), where `p` is a fraction or
//! an array of them.
//!
//! `percentile(x, p)` with an array of fractions is planned here too (as
//! [`SPARK_PERCENTILE`]): Spark interpolates it between the two nearest values, as
//! `percentile_cont` does for one fraction.
//!
//! The discrete ones return a value of the group: the first, in order, whose cumulative share of the
//! non-NULL values reaches `p` (the value at position `ceil(p * n)`). Spark's
//! `approx_percentile` estimates that position within `1 / accuracy` of it with a
//! Greenwald-Khanna sketch; Ember keeps the group's values and returns the exact one, which is
//! within any accuracy (and equals Spark's wherever Spark's sketch is still exact, as it is
//! for groups of up to thousands of values). Memory grows with the group, as for `median`.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

/// Which function a [`Percentile`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// `percentile_disc`: numbers as doubles, the ordering of its `WITHIN GROUP`.
    Disc,
    /// `approx_percentile` / `percentile_approx`: the input's type, ascending.
    Approx,
    /// `percentile(x, array(…))`: doubles, interpolated between the two nearest values.
    Cont,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Percentile {
    kind: Kind,
    name: &'static str,
    signature: Signature,
}

/// The name `percentile(x, array(…))` is planned under.
pub const SPARK_PERCENTILE: &str = "spark_percentile";

/// `percentile_disc`, `approx_percentile`, `percentile_approx` and [`SPARK_PERCENTILE`], for
/// registration.
pub fn percentile_functions() -> Vec<Arc<AggregateUDF>> {
    [
        (Kind::Cont, SPARK_PERCENTILE),
        (Kind::Disc, "percentile_disc"),
        (Kind::Approx, "approx_percentile"),
        (Kind::Approx, "percentile_approx"),
    ]
    .into_iter()
    .map(|(kind, name)| {
        Arc::new(AggregateUDF::new_from_impl(Percentile {
            kind,
            name,
            signature: Signature::user_defined(Volatility::Immutable),
        }))
    })
    .collect()
}

/// The value type a percentile of values of type `t` is computed on.
fn value_type(kind: Kind, t: &DataType) -> DataType {
    match (kind, t) {
        (Kind::Disc | Kind::Cont, t) if t.is_numeric() => DataType::Float64,
        (_, DataType::Null) => DataType::Float64,
        (_, t) if t.is_string() => DataType::Float64,
        (_, t) => t.clone(),
    }
}

impl AggregateUDFImpl for Percentile {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn supports_within_group_clause(&self) -> bool {
        self.kind == Kind::Disc
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let range = if self.kind == Kind::Disc {
            2..=2
        } else {
            2..=3
        };
        if !range.contains(&arg_types.len()) {
            return Err(super::rows::wrong_num_args(
                self.name,
                if self.kind == Kind::Disc {
                    "1"
                } else {
                    "[2, 3]"
                },
                arg_types.len(),
            ));
        }
        let value = value_type(self.kind, &arg_types[0]);
        let fraction = match &arg_types[1] {
            DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(_, _) => {
                DataType::new_list(DataType::Float64, true)
            }
            _ => DataType::Float64,
        };
        let mut out = vec![value, fraction];
        if arg_types.len() == 3 {
            out.push(DataType::Int32);
        }
        Ok(out)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let value = value_type(self.kind, &arg_types[0]);
        Ok(match arg_types.get(1) {
            Some(DataType::List(_)) => DataType::new_list(value, true),
            _ => value,
        })
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let fractions = fractions(self.name, acc_args.exprs.get(1))?;
        let descending = acc_args
            .order_bys
            .first()
            .is_some_and(|o| o.options.descending);
        let value_type = acc_args.exprs[0]
            .data_type(acc_args.schema)
            .unwrap_or(DataType::Float64);
        Ok(Box::new(PercentileAccumulator {
            interpolate: self.kind == Kind::Cont,
            fractions,
            descending: descending && self.kind == Kind::Disc,
            value_type,
            values: Vec::new(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let value = args
            .input_fields
            .first()
            .map(|f| f.data_type().clone())
            .unwrap_or(DataType::Float64);
        Ok(vec![Arc::new(Field::new_list(
            format!("{}[values]", args.name),
            Field::new_list_field(value, true),
            true,
        ))])
    }
}

/// The fractions a call asks for (`Err` unless they are constants in [0, 1]); `Some` list for
/// an array argument.
fn fractions(
    name: &str,
    expr: Option<&Arc<dyn datafusion::physical_expr::PhysicalExpr>>,
) -> Result<Fractions> {
    // A constant evaluates without input rows; a column reference cannot.
    let empty =
        arrow::record_batch::RecordBatch::new_empty(Arc::new(arrow::datatypes::Schema::empty()));
    let literal = expr
        .and_then(|e| e.evaluate(&empty).ok())
        .and_then(|v| match v {
            datafusion::logical_expr::ColumnarValue::Scalar(s) => Some(s),
            datafusion::logical_expr::ColumnarValue::Array(_) => None,
        })
        .ok_or_else(|| {
            DataFusionError::Plan(format!(
                "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve \"{name}\" due to data type mismatch: the input percentage should be a foldable \"DOUBLE\" expression."
            ))
        })?;
    let check = |v: &ScalarValue| -> Result<f64> {
        let p = match v {
            ScalarValue::Float64(Some(p)) => *p,
            other => match other.cast_to(&DataType::Float64)? {
                ScalarValue::Float64(Some(p)) => p,
                _ => {
                    return Err(DataFusionError::Plan(format!(
                        "[DATATYPE_MISMATCH.UNEXPECTED_NULL] Cannot resolve \"{name}\" due to data type mismatch: The percentage must not be null."
                    )));
                }
            },
        };
        if !(0.0..=1.0).contains(&p) {
            return Err(DataFusionError::Plan(format!(
                "[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] Cannot resolve \"{name}\" due to data type mismatch: The percentage must be between [0.0, 1.0] (current value = {p}D)."
            )));
        }
        Ok(p)
    };
    match &literal {
        ScalarValue::List(list) => {
            let values = list.value(0);
            let ps = (0..values.len())
                .map(|i| check(&ScalarValue::try_from_array(&values, i)?))
                .collect::<Result<Vec<f64>>>()?;
            Ok(Fractions::Many(ps))
        }
        one => Ok(Fractions::One(check(one)?)),
    }
}

#[derive(Debug)]
enum Fractions {
    One(f64),
    Many(Vec<f64>),
}

#[derive(Debug)]
struct PercentileAccumulator {
    /// Between the two nearest values (`percentile`) rather than the first reaching `p`.
    interpolate: bool,
    fractions: Fractions,
    descending: bool,
    value_type: DataType,
    values: Vec<ScalarValue>,
}

impl PercentileAccumulator {
    fn append(&mut self, array: &ArrayRef) -> Result<()> {
        for i in 0..array.len() {
            if array.is_valid(i) {
                self.values.push(ScalarValue::try_from_array(array, i)?);
            }
        }
        Ok(())
    }
}

impl Accumulator for PercentileAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        match values.first() {
            Some(v) => self.append(v),
            None => Ok(()),
        }
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.values
            .sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        if self.descending {
            self.values.reverse();
        }
        let n = self.values.len();
        let pick = |p: f64| -> Result<ScalarValue> {
            if n == 0 {
                return ScalarValue::try_from(&self.value_type);
            }
            if self.interpolate {
                let position = p * (n - 1) as f64;
                let (lower, higher) = (position.floor() as usize, position.ceil() as usize);
                let value = |i: usize| match &self.values[i] {
                    ScalarValue::Float64(Some(v)) => *v,
                    _ => f64::NAN,
                };
                let v = if lower == higher {
                    value(lower)
                } else {
                    (higher as f64 - position) * value(lower)
                        + (position - lower as f64) * value(higher)
                };
                return Ok(ScalarValue::Float64(Some(v)));
            }
            let position = ((p * n as f64).ceil() as usize).clamp(1, n);
            Ok(self.values[position - 1].clone())
        };
        match &self.fractions {
            Fractions::One(p) => pick(*p),
            Fractions::Many(ps) => {
                if n == 0 {
                    return ScalarValue::try_from(&DataType::new_list(
                        self.value_type.clone(),
                        true,
                    ));
                }
                let picked = ps.iter().map(|p| pick(*p)).collect::<Result<Vec<_>>>()?;
                Ok(ScalarValue::List(ScalarValue::new_list_nullable(
                    &picked,
                    &self.value_type,
                )))
            }
        }
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.values.iter().map(ScalarValue::size).sum::<usize>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::List(ScalarValue::new_list_nullable(
            &self.values,
            &self.value_type,
        ))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(lists) = states.first() else {
            return Ok(());
        };
        let lists = lists.as_list::<i32>();
        for row in 0..lists.len() {
            if lists.is_valid(row) {
                self.append(&lists.value(row))?;
            }
        }
        Ok(())
    }
}
