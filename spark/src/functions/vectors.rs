//! Spark's vector functions on `ARRAY<FLOAT>`: `vector_cosine_similarity`,
//! `vector_inner_product`, `vector_l2_distance`, `vector_norm`, `vector_normalize`. Like Spark,
//! they add up in double precision and return floats; a NULL element makes the result NULL and
//! vectors of different lengths raise `VECTOR_DIMENSION_MISMATCH`.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::DataType;
use arrow::datatypes::{Field, FieldRef, Float32Type, Float64Type, Int64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, ScalarUDF, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

use super::rows::{Arg, RowFunction, float_array, float_list, floats};

/// The scalar vector functions.
pub fn vector_functions() -> Vec<Arc<ScalarUDF>> {
    use Arg::*;
    vec![
        RowFunction::new(
            "vector_cosine_similarity",
            &[FloatArray, FloatArray],
            2,
            DataType::Float32,
            cosine_similarity,
        )
        .udf(),
        RowFunction::new(
            "vector_inner_product",
            &[FloatArray, FloatArray],
            2,
            DataType::Float32,
            inner_product,
        )
        .udf(),
        RowFunction::new(
            "vector_l2_distance",
            &[FloatArray, FloatArray],
            2,
            DataType::Float32,
            l2_distance,
        )
        .udf(),
        RowFunction::new(
            "vector_norm",
            &[FloatArray, Float],
            1,
            DataType::Float32,
            norm,
        )
        .udf(),
        RowFunction::new(
            "vector_normalize",
            &[FloatArray, Float],
            1,
            float_list(),
            normalize,
        )
        .udf(),
    ]
}

/// `[VECTOR_DIMENSION_MISMATCH]` for vectors of `left` and `right` elements.
pub(crate) fn dimension_mismatch(function: &str, left: usize, right: usize) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[VECTOR_DIMENSION_MISMATCH] Vectors passed to `{function}` must have the same dimension, but got {left} and {right}."
    ))
}

/// The two vectors of a call as doubles; `None` when either has a NULL element.
fn pair(args: &[ScalarValue], function: &str) -> Result<Option<(Vec<f64>, Vec<f64>)>> {
    let (Some(a), Some(b)) = (floats(&args[0]), floats(&args[1])) else {
        return Ok(None);
    };
    if a.len() != b.len() {
        return Err(dimension_mismatch(function, a.len(), b.len()));
    }
    let full = |v: Vec<Option<f32>>| -> Option<Vec<f64>> {
        v.into_iter().map(|x| x.map(f64::from)).collect()
    };
    Ok(full(a).zip(full(b)))
}

fn float(value: Option<f64>) -> ScalarValue {
    ScalarValue::Float32(value.map(|v| v as f32))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn cosine_similarity(args: &[ScalarValue]) -> Result<ScalarValue> {
    Ok(float(pair(args, "vector_cosine_similarity")?.and_then(
        |(a, b)| {
            let norms = dot(&a, &a).sqrt() * dot(&b, &b).sqrt();
            (norms != 0.0).then(|| dot(&a, &b) / norms)
        },
    )))
}

fn inner_product(args: &[ScalarValue]) -> Result<ScalarValue> {
    Ok(float(
        pair(args, "vector_inner_product")?.map(|(a, b)| dot(&a, &b)),
    ))
}

fn l2_distance(args: &[ScalarValue]) -> Result<ScalarValue> {
    Ok(float(pair(args, "vector_l2_distance")?.map(|(a, b)| {
        a.iter()
            .zip(&b)
            .map(|(x, y)| (x - y) * (x - y))
            .sum::<f64>()
            .sqrt()
    })))
}

/// The `degree`-norm of a vector: 1, 2 or infinity, as Spark allows.
fn degree_norm(values: &[f64], degree: f32, function: &str) -> Result<f64> {
    if degree == 1.0 {
        Ok(values.iter().map(|v| v.abs()).sum())
    } else if degree == 2.0 {
        Ok(dot(values, values).sqrt())
    } else if degree == f32::INFINITY {
        Ok(values.iter().fold(0.0, |m: f64, v| m.max(v.abs())))
    } else {
        Err(DataFusionError::Execution(format!(
            "[INVALID_VECTOR_NORM_DEGREE] For the `{function}` function, degree must be 1.0, 2.0, or float('inf'), but got {degree}."
        )))
    }
}

/// The vector and degree of a `vector_norm`/`vector_normalize` call; `None` for a NULL element.
fn vector_and_degree(args: &[ScalarValue]) -> Option<(Vec<f64>, f32)> {
    let degree = match args.get(1) {
        Some(ScalarValue::Float32(Some(d))) => *d,
        Some(_) => return None,
        None => 2.0,
    };
    let values: Option<Vec<f64>> = floats(&args[0])?
        .into_iter()
        .map(|x| x.map(f64::from))
        .collect();
    Some((values?, degree))
}

fn norm(args: &[ScalarValue]) -> Result<ScalarValue> {
    match vector_and_degree(args) {
        Some((values, degree)) => Ok(float(Some(degree_norm(&values, degree, "vector_norm")?))),
        None => Ok(ScalarValue::Float32(None)),
    }
}

fn normalize(args: &[ScalarValue]) -> Result<ScalarValue> {
    let Some((values, degree)) = vector_and_degree(args) else {
        return Ok(ScalarValue::Null);
    };
    let norm = degree_norm(&values, degree, "vector_normalize")?;
    if norm == 0.0 {
        return Ok(ScalarValue::Null);
    }
    let out: Vec<f32> = values.iter().map(|v| (v / norm) as f32).collect();
    Ok(float_array(&out))
}

/// Which aggregate a [`VectorAggregate`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Total {
    Sum,
    Avg,
}

/// `vector_sum(v)` / `vector_avg(v)`: the element-wise sum or mean of a group's vectors (those
/// without NULL elements), NULL for a group without one.
#[derive(Debug, PartialEq, Eq, Hash)]
struct VectorAggregate {
    total: Total,
    signature: Signature,
}

/// `vector_sum` and `vector_avg`, for registration.
pub fn vector_aggregates() -> Vec<Arc<AggregateUDF>> {
    [Total::Sum, Total::Avg]
        .into_iter()
        .map(|total| {
            Arc::new(AggregateUDF::new_from_impl(VectorAggregate {
                total,
                signature: Signature::user_defined(Volatility::Immutable),
            }))
        })
        .collect()
}

impl VectorAggregate {
    fn function(&self) -> &'static str {
        match self.total {
            Total::Sum => "vector_sum",
            Total::Avg => "vector_avg",
        }
    }
}

impl AggregateUDFImpl for VectorAggregate {
    fn name(&self) -> &str {
        self.function()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [DataType::List(item)] if item.data_type() == &DataType::Float32 => {
                Ok(vec![float_list()])
            }
            [DataType::Null] => Ok(vec![float_list()]),
            [t] => Err(super::rows::unexpected_input_type(
                self.function(),
                0,
                "ARRAY<FLOAT>",
                t,
            )),
            _ => Err(super::rows::wrong_num_args(
                self.function(),
                "1",
                arg_types.len(),
            )),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(float_list())
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(VectorAccumulator {
            total: self.total,
            function: self.function(),
            sums: None,
            count: 0,
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new_list(
                format!("{}[sums]", args.name),
                Field::new_list_field(DataType::Float64, true),
                true,
            )),
            Arc::new(Field::new(
                format!("{}[count]", args.name),
                DataType::Int64,
                true,
            )),
        ])
    }
}

#[derive(Debug)]
struct VectorAccumulator {
    total: Total,
    function: &'static str,
    sums: Option<Vec<f64>>,
    count: i64,
}

impl VectorAccumulator {
    fn add(&mut self, vector: &[f64], count: i64) -> Result<()> {
        match &mut self.sums {
            None => self.sums = Some(vector.to_vec()),
            Some(sums) if sums.len() != vector.len() => {
                return Err(dimension_mismatch(self.function, sums.len(), vector.len()));
            }
            Some(sums) => sums.iter_mut().zip(vector).for_each(|(s, v)| *s += v),
        }
        self.count += count;
        Ok(())
    }
}

impl Accumulator for VectorAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(values) = values.first() else {
            return Ok(());
        };
        let lists = values.as_list::<i32>();
        for row in 0..lists.len() {
            if lists.is_null(row) {
                continue;
            }
            let vector = lists.value(row);
            let vector = vector.as_primitive::<Float32Type>();
            if vector.null_count() > 0 {
                continue;
            }
            let vector: Vec<f64> = vector.values().iter().map(|v| f64::from(*v)).collect();
            self.add(&vector, 1)?;
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let Some(sums) = &self.sums else {
            return ScalarValue::try_from(&float_list());
        };
        let count = self.count.max(1) as f64;
        let out: Vec<f32> = sums
            .iter()
            .map(|s| match self.total {
                Total::Sum => *s as f32,
                Total::Avg => (s / count) as f32,
            })
            .collect();
        Ok(float_array(&out))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.sums.as_ref().map_or(0, |s| s.len() * 8)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let sums = match &self.sums {
            Some(s) => {
                let values: Vec<ScalarValue> =
                    s.iter().map(|v| ScalarValue::Float64(Some(*v))).collect();
                ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::Float64))
            }
            None => ScalarValue::try_from(&DataType::new_list(DataType::Float64, true))?,
        };
        Ok(vec![sums, ScalarValue::Int64(Some(self.count))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [sums, counts] = states else {
            return Err(DataFusionError::Internal(
                "vector aggregate state has two columns".into(),
            ));
        };
        let sums = sums.as_list::<i32>();
        let counts = counts.as_primitive::<Int64Type>();
        for row in 0..sums.len() {
            if sums.is_null(row) {
                continue;
            }
            let vector = sums.value(row);
            let vector: Vec<f64> = vector.as_primitive::<Float64Type>().values().to_vec();
            self.add(&vector, counts.value(row))?;
        }
        Ok(())
    }
}
