//! Spark's higher-order functions: `transform`, `filter`, `exists`, `forall`,
//! `aggregate`/`reduce`, `zip_with`, `map_filter`, `transform_keys`, `transform_values` and
//! `array_sort` with a comparator.
//!
//! DataFusion plans `x -> x + 1` into a lambda and hands these functions a
//! [`LambdaArgument`] to evaluate on whole arrays. Each function here flattens its arrays (or
//! maps) into one array of elements, evaluates the lambda once on all elements of the batch, and
//! rebuilds the result per row, so a lambda costs one vectorised evaluation, not one per element.
//! Spark's semantics kept: lambdas may take the element's index (`(x, i) -> …`), `exists` and
//! `forall` follow three-valued logic, `aggregate` folds left to right, `zip_with` pads the
//! shorter array with NULLs.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, BooleanBuilder, Int32Array, MapArray, StructArray,
    UInt32Array,
};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::compute::kernels::zip::zip;
use arrow::compute::{cast, nullif, take, take_arrays};
use arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDF, HigherOrderUDFImpl, LambdaArgument, LambdaParametersProgress, ValueOrLambda,
    Volatility,
};

/// Which higher-order function a [`SparkLambdaFunction`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// `transform(array, (x[, i]) -> y)`.
    Transform,
    /// `filter(array, (x[, i]) -> bool)`.
    Filter,
    /// `exists(array, x -> bool)`.
    Exists,
    /// `forall(array, x -> bool)`.
    Forall,
    /// `aggregate(array, zero, (acc, x) -> acc[, acc -> out])`, also called `reduce`.
    Aggregate,
    /// `zip_with(left, right, (x, y) -> z)`.
    ZipWith,
    /// `map_filter(map, (k, v) -> bool)`.
    MapFilter,
    /// `transform_keys(map, (k, v) -> k2)`.
    TransformKeys,
    /// `transform_values(map, (k, v) -> v2)`.
    TransformValues,
    /// `array_sort(array, (l, r) -> int)`, planned under an internal name because DataFusion's
    /// `array_sort` (without a comparator) is a scalar function of the same name.
    SortWith,
}

/// The internal name `array_sort(array, comparator)` is planned under.
pub const ARRAY_SORT_WITH: &str = "spark_array_sort_with";

/// One of Spark's higher-order functions.
#[derive(Debug, PartialEq, Eq, Hash)]
struct SparkLambdaFunction {
    name: &'static str,
    kind: Kind,
    signature: HigherOrderSignature,
}

/// Spark's higher-order functions, for the session state of the driver and of executors.
pub fn spark_lambda_functions() -> Vec<Arc<HigherOrderUDF>> {
    let make = |name: &'static str, kind: Kind| {
        Arc::new(HigherOrderUDF::new_from_impl(SparkLambdaFunction {
            name,
            kind,
            signature: HigherOrderSignature::variadic_any(Volatility::Immutable),
        }))
    };
    vec![
        make("transform", Kind::Transform),
        make("filter", Kind::Filter),
        make("exists", Kind::Exists),
        make("forall", Kind::Forall),
        make("aggregate", Kind::Aggregate),
        make("reduce", Kind::Aggregate),
        make("zip_with", Kind::ZipWith),
        make("map_filter", Kind::MapFilter),
        make("transform_keys", Kind::TransformKeys),
        make("transform_values", Kind::TransformValues),
        make(ARRAY_SORT_WITH, Kind::SortWith),
    ]
}

/// `List` for any list type, so that the functions below read one layout.
fn as_list_type(name: &str, t: &DataType) -> Result<DataType> {
    Ok(match t {
        DataType::List(_) => t.clone(),
        DataType::LargeList(f)
        | DataType::FixedSizeList(f, _)
        | DataType::ListView(f)
        | DataType::LargeListView(f) => DataType::List(Arc::clone(f)),
        DataType::Null => DataType::new_list(DataType::Null, true),
        other => return plan_err!("{name} expects an array argument, got {other}"),
    })
}

fn element_field(name: &str, t: &DataType) -> Result<FieldRef> {
    match t {
        DataType::List(f) | DataType::LargeList(f) => Ok(Arc::clone(f)),
        other => plan_err!("{name} expects an array argument, got {other}"),
    }
}

/// The key and value fields of a map type.
fn map_fields(name: &str, t: &DataType) -> Result<(FieldRef, FieldRef)> {
    if let DataType::Map(entries, _) = t
        && let DataType::Struct(fields) = entries.data_type()
        && fields.len() == 2
    {
        return Ok((Arc::clone(&fields[0]), Arc::clone(&fields[1])));
    }
    plan_err!("{name} expects a map argument, got {t}")
}

fn index_field() -> FieldRef {
    Arc::new(Field::new("index", DataType::Int32, false))
}

/// The value arguments' fields (lambdas left out).
fn value_fields<L>(args: &[ValueOrLambda<FieldRef, L>]) -> Vec<&FieldRef> {
    args.iter()
        .filter_map(|a| match a {
            ValueOrLambda::Value(f) => Some(f),
            ValueOrLambda::Lambda(_) => None,
        })
        .collect()
}

/// The lambdas' output fields.
fn lambda_fields(args: &[ValueOrLambda<FieldRef, FieldRef>]) -> Vec<&FieldRef> {
    args.iter()
        .filter_map(|a| match a {
            ValueOrLambda::Lambda(f) => Some(f),
            ValueOrLambda::Value(_) => None,
        })
        .collect()
}

impl SparkLambdaFunction {
    /// How many value arguments and lambdas (minimum, maximum) the function takes.
    fn arity(&self) -> (usize, usize, usize) {
        match self.kind {
            Kind::Aggregate => (2, 1, 2),
            Kind::ZipWith => (2, 1, 1),
            _ => (1, 1, 1),
        }
    }

    fn check_arity(&self, values: usize, lambdas: usize) -> Result<()> {
        let (v, min_l, max_l) = self.arity();
        if values != v || lambdas < min_l || lambdas > max_l {
            return plan_err!(
                "[WRONG_NUM_ARGS] {} takes {} value argument(s) and {} lambda(s), got {} and {}",
                self.display_name(),
                v,
                if min_l == max_l {
                    min_l.to_string()
                } else {
                    format!("{min_l} or {max_l}")
                },
                values,
                lambdas
            );
        }
        Ok(())
    }

    fn display_name(&self) -> &'static str {
        if self.kind == Kind::SortWith {
            "array_sort"
        } else {
            self.name
        }
    }
}

impl HigherOrderUDFImpl for SparkLambdaFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn coerce_value_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let name = self.display_name();
        match self.kind {
            Kind::MapFilter | Kind::TransformKeys | Kind::TransformValues => {
                for t in arg_types {
                    map_fields(name, t)?;
                }
                Ok(arg_types.to_vec())
            }
            Kind::Aggregate => match arg_types {
                [list, zero] => Ok(vec![as_list_type(name, list)?, zero.clone()]),
                _ => Ok(arg_types.to_vec()),
            },
            _ => arg_types.iter().map(|t| as_list_type(name, t)).collect(),
        }
    }

    fn lambda_parameters(
        &self,
        _step: usize,
        fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        let name = self.display_name();
        let values = value_fields(fields);
        let lambdas = fields.len() - values.len();
        self.check_arity(values.len(), lambdas)?;
        let params = match self.kind {
            Kind::Transform | Kind::Filter => {
                vec![vec![
                    element_field(name, values[0].data_type())?,
                    index_field(),
                ]]
            }
            Kind::Exists | Kind::Forall => {
                vec![vec![element_field(name, values[0].data_type())?]]
            }
            Kind::SortWith => {
                let element = element_field(name, values[0].data_type())?;
                vec![vec![Arc::clone(&element), element]]
            }
            Kind::Aggregate => {
                let acc = Arc::new(values[1].as_ref().clone().with_nullable(true));
                let element = element_field(name, values[0].data_type())?;
                let mut params = vec![vec![Arc::clone(&acc), element]];
                if lambdas == 2 {
                    params.push(vec![acc]);
                }
                params
            }
            Kind::ZipWith => {
                let left = element_field(name, values[0].data_type())?;
                let right = element_field(name, values[1].data_type())?;
                vec![vec![
                    Arc::new(left.as_ref().clone().with_nullable(true)),
                    Arc::new(right.as_ref().clone().with_nullable(true)),
                ]]
            }
            Kind::MapFilter | Kind::TransformKeys | Kind::TransformValues => {
                let (key, value) = map_fields(name, values[0].data_type())?;
                vec![vec![key, value]]
            }
        };
        Ok(LambdaParametersProgress::Complete(params))
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs) -> Result<FieldRef> {
        let name = self.display_name();
        let values = value_fields(args.arg_fields);
        let lambdas = lambda_fields(args.arg_fields);
        self.check_arity(values.len(), lambdas.len())?;
        let list_of = |f: &FieldRef| {
            DataType::List(Arc::new(Field::new_list_field(f.data_type().clone(), true)))
        };
        let data_type = match self.kind {
            Kind::Transform => list_of(lambdas[0]),
            Kind::Filter | Kind::SortWith => values[0].data_type().clone(),
            Kind::Exists | Kind::Forall => {
                if lambdas[0].data_type() != &DataType::Boolean {
                    return plan_err!(
                        "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] the lambda of {name} must return a BOOLEAN, not {}",
                        lambdas[0].data_type()
                    );
                }
                DataType::Boolean
            }
            Kind::Aggregate => lambdas
                .get(1)
                .map_or_else(|| values[1].data_type().clone(), |f| f.data_type().clone()),
            Kind::ZipWith => list_of(lambdas[0]),
            Kind::MapFilter => values[0].data_type().clone(),
            Kind::TransformKeys | Kind::TransformValues => {
                let (key, value) = map_fields(name, values[0].data_type())?;
                let (key, value) = if self.kind == Kind::TransformKeys {
                    (
                        Field::new(key.name(), lambdas[0].data_type().clone(), false),
                        value.as_ref().clone(),
                    )
                } else {
                    (
                        key.as_ref().clone(),
                        Field::new(value.name(), lambdas[0].data_type().clone(), true),
                    )
                };
                let entries = Field::new(
                    "entries",
                    DataType::Struct(Fields::from(vec![key, value])),
                    false,
                );
                DataType::Map(Arc::new(entries), false)
            }
        };
        if matches!(self.kind, Kind::Filter | Kind::MapFilter)
            && lambdas[0].data_type() != &DataType::Boolean
        {
            return plan_err!(
                "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] the lambda of {name} must return a BOOLEAN, not {}",
                lambdas[0].data_type()
            );
        }
        Ok(Arc::new(Field::new(self.name, data_type, true)))
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let mut values = Vec::new();
        let mut lambdas = Vec::new();
        for arg in &args.args {
            match arg {
                ValueOrLambda::Value(v) => values.push(v.to_array(rows)?),
                ValueOrLambda::Lambda(l) => lambdas.push(l),
            }
        }
        self.check_arity(values.len(), lambdas.len())?;
        let return_type = args.return_type();
        let result = match self.kind {
            Kind::Transform => transform(&values[0], lambdas[0], return_type)?,
            Kind::Filter => filter(&values[0], lambdas[0])?,
            Kind::Exists => exists_or_forall(&values[0], lambdas[0], true)?,
            Kind::Forall => exists_or_forall(&values[0], lambdas[0], false)?,
            Kind::Aggregate => aggregate(&values[0], &values[1], lambdas[0], lambdas.get(1))?,
            Kind::ZipWith => zip_with(&values[0], &values[1], lambdas[0], return_type)?,
            Kind::MapFilter => map_filter(&values[0], lambdas[0])?,
            Kind::TransformKeys => map_transform(&values[0], lambdas[0], true, return_type)?,
            Kind::TransformValues => map_transform(&values[0], lambdas[0], false, return_type)?,
            Kind::SortWith => sort_with(&values[0], lambdas[0])?,
        };
        Ok(ColumnarValue::Array(result))
    }
}

/// A batch of arrays flattened: the elements of every row one after another.
struct Flat {
    /// `offsets[r]..offsets[r + 1]` are row `r`'s elements in `values`.
    offsets: Vec<usize>,
    values: ArrayRef,
    /// The row of each element, to spread a lambda's captured columns over elements.
    rows: UInt32Array,
    nulls: Option<NullBuffer>,
}

impl Flat {
    fn of_list(array: &ArrayRef) -> Result<Self> {
        let array = cast(array, &as_list_type("lambda", array.data_type())?)?;
        let list = array.as_list::<i32>();
        let first = list.offsets().first().copied().unwrap_or(0) as usize;
        let offsets: Vec<usize> = list.offsets().iter().map(|o| *o as usize - first).collect();
        let end = offsets.last().copied().unwrap_or(0);
        let values = list.values().slice(first, end);
        Ok(Self::new(offsets, values, list.nulls().cloned()))
    }

    /// A map's entries, as a struct of (key, value).
    fn of_map(array: &ArrayRef) -> Result<Self> {
        let Some(map) = array.as_any().downcast_ref::<MapArray>() else {
            return exec_err!("expected a map, got {}", array.data_type());
        };
        let first = map.value_offsets().first().copied().unwrap_or(0) as usize;
        let offsets: Vec<usize> = map
            .value_offsets()
            .iter()
            .map(|o| *o as usize - first)
            .collect();
        let end = offsets.last().copied().unwrap_or(0);
        let values: ArrayRef = Arc::new(map.entries().slice(first, end));
        Ok(Self::new(offsets, values, map.nulls().cloned()))
    }

    fn new(offsets: Vec<usize>, values: ArrayRef, nulls: Option<NullBuffer>) -> Self {
        let rows = offsets
            .windows(2)
            .enumerate()
            .flat_map(|(r, w)| std::iter::repeat_n(r as u32, w[1] - w[0]))
            .collect();
        Self {
            offsets,
            values,
            rows,
            nulls,
        }
    }

    fn row_count(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    fn is_null(&self, row: usize) -> bool {
        self.nulls.as_ref().is_some_and(|n| n.is_null(row))
    }

    /// Each element's position in its row (Spark's lambda index argument).
    fn positions(&self) -> ArrayRef {
        let positions: Int32Array = self
            .offsets
            .windows(2)
            .flat_map(|w| 0..(w[1] - w[0]) as i32)
            .collect();
        Arc::new(positions)
    }

    /// Evaluates `lambda` once over all elements, with `params` as its parameters.
    fn evaluate(&self, lambda: &LambdaArgument, params: &[ArrayRef]) -> Result<ArrayRef> {
        evaluate_on(lambda, params, &self.rows, self.values.len())
    }
}

/// Evaluates `lambda` on `params` (all of `len` rows); `rows` maps each of those rows to the
/// batch row whose captured columns it sees.
fn evaluate_on(
    lambda: &LambdaArgument,
    params: &[ArrayRef],
    rows: &UInt32Array,
    len: usize,
) -> Result<ArrayRef> {
    let closures: Vec<Box<dyn Fn() -> Result<ArrayRef> + '_>> = params
        .iter()
        .map(|p| Box::new(move || Ok(Arc::clone(p))) as Box<dyn Fn() -> Result<ArrayRef>>)
        .collect();
    let refs: Vec<&dyn Fn() -> Result<ArrayRef>> = closures.iter().map(|c| c.as_ref()).collect();
    lambda
        .evaluate(&refs, |captured| Ok(take_arrays(captured, rows, None)?))?
        .into_array(len)
}

fn list_field(return_type: &DataType) -> Result<FieldRef> {
    match return_type {
        DataType::List(f) => Ok(Arc::clone(f)),
        other => exec_err!("expected a list result type, got {other}"),
    }
}

fn list_array(
    field: FieldRef,
    offsets: Vec<usize>,
    values: ArrayRef,
    nulls: Option<NullBuffer>,
) -> Result<ArrayRef> {
    let field = Arc::new(
        field
            .as_ref()
            .clone()
            .with_data_type(values.data_type().clone()),
    );
    let offsets = OffsetBuffer::from_lengths(offsets.windows(2).map(|w| w[1] - w[0]));
    Ok(Arc::new(arrow::array::ListArray::try_new(
        field, offsets, values, nulls,
    )?))
}

fn transform(
    array: &ArrayRef,
    lambda: &LambdaArgument,
    return_type: &DataType,
) -> Result<ArrayRef> {
    let flat = Flat::of_list(array)?;
    let out = flat.evaluate(lambda, &[Arc::clone(&flat.values), flat.positions()])?;
    list_array(list_field(return_type)?, flat.offsets, out, flat.nulls)
}

/// The elements whose predicate is true, and the new offsets.
fn kept(flat: &Flat, predicate: &ArrayRef) -> Result<(UInt32Array, Vec<usize>)> {
    let predicate = predicate.as_boolean_opt().ok_or_else(|| {
        datafusion::error::DataFusionError::Execution("a predicate must return BOOLEAN".into())
    })?;
    let mut keep = Vec::new();
    let mut offsets = vec![0];
    for w in flat.offsets.windows(2) {
        for i in w[0]..w[1] {
            if predicate.is_valid(i) && predicate.value(i) {
                keep.push(i as u32);
            }
        }
        offsets.push(keep.len());
    }
    Ok((UInt32Array::from(keep), offsets))
}

fn filter(array: &ArrayRef, lambda: &LambdaArgument) -> Result<ArrayRef> {
    let flat = Flat::of_list(array)?;
    let predicate = flat.evaluate(lambda, &[Arc::clone(&flat.values), flat.positions()])?;
    let (keep, offsets) = kept(&flat, &predicate)?;
    let values = take(flat.values.as_ref(), &keep, None)?;
    let field = Arc::new(Field::new_list_field(values.data_type().clone(), true));
    list_array(field, offsets, values, flat.nulls)
}

/// `exists` (`any == true`) or `forall` (`any == false`): the row's answer is `any` when some
/// element's predicate is `any`, else NULL when some predicate is NULL, else `!any`.
fn exists_or_forall(array: &ArrayRef, lambda: &LambdaArgument, any: bool) -> Result<ArrayRef> {
    let flat = Flat::of_list(array)?;
    let predicate = flat.evaluate(lambda, &[Arc::clone(&flat.values)])?;
    let predicate = predicate.as_boolean_opt().ok_or_else(|| {
        datafusion::error::DataFusionError::Execution("a predicate must return BOOLEAN".into())
    })?;
    let mut out = BooleanBuilder::with_capacity(flat.row_count());
    for (r, w) in flat.offsets.windows(2).enumerate() {
        if flat.is_null(r) {
            out.append_null();
            continue;
        }
        let mut saw_null = false;
        let mut decided = false;
        for i in w[0]..w[1] {
            if predicate.is_null(i) {
                saw_null = true;
            } else if predicate.value(i) == any {
                decided = true;
                break;
            }
        }
        if decided {
            out.append_value(any);
        } else if saw_null {
            out.append_null();
        } else {
            out.append_value(!any);
        }
    }
    Ok(Arc::new(out.finish()))
}

/// Folds each row's elements left to right: step `k` evaluates `merge` once for every row that
/// has a `k`-th element.
fn aggregate(
    array: &ArrayRef,
    zero: &ArrayRef,
    merge: &LambdaArgument,
    finish: Option<&&LambdaArgument>,
) -> Result<ArrayRef> {
    let flat = Flat::of_list(array)?;
    let mut acc = Arc::clone(zero);
    let longest = flat
        .offsets
        .windows(2)
        .map(|w| w[1] - w[0])
        .max()
        .unwrap_or(0);
    for k in 0..longest {
        let active: Vec<u32> = (0..flat.row_count())
            .filter(|&r| !flat.is_null(r) && flat.offsets[r + 1] - flat.offsets[r] > k)
            .map(|r| r as u32)
            .collect();
        let elements: UInt32Array = active
            .iter()
            .map(|&r| (flat.offsets[r as usize] + k) as u32)
            .collect();
        let active = UInt32Array::from(active);
        let acc_now = take(acc.as_ref(), &active, None)?;
        let element = take(flat.values.as_ref(), &elements, None)?;
        let merged = evaluate_on(merge, &[acc_now, element], &active, active.len())?;
        // Spark refuses a merge lambda whose type is not the zero's; Ember casts to it, since
        // its literal types can differ from Spark's while planning.
        let merged = cast(&merged, acc.data_type())?;
        // Scatter the merged values back over all rows.
        let mut position = vec![None; flat.row_count()];
        for (j, r) in active.values().iter().enumerate() {
            position[*r as usize] = Some(j as u32);
        }
        let mask: BooleanArray = position.iter().map(|p| Some(p.is_some())).collect();
        let spread = take(merged.as_ref(), &UInt32Array::from(position), None)?;
        acc = zip(&mask, &spread, &acc)?;
    }
    let all_rows: UInt32Array = (0..flat.row_count() as u32).collect();
    let out = match finish {
        Some(finish) => evaluate_on(finish, &[acc], &all_rows, flat.row_count())?,
        None => acc,
    };
    let null_rows: BooleanArray = (0..flat.row_count())
        .map(|r| Some(flat.is_null(r)))
        .collect();
    Ok(nullif(&out, &null_rows)?)
}

fn zip_with(
    left: &ArrayRef,
    right: &ArrayRef,
    lambda: &LambdaArgument,
    return_type: &DataType,
) -> Result<ArrayRef> {
    let left = Flat::of_list(left)?;
    let right = Flat::of_list(right)?;
    let mut left_index = Vec::new();
    let mut right_index = Vec::new();
    let mut rows = Vec::new();
    let mut offsets = vec![0];
    let mut nulls = Vec::with_capacity(left.row_count());
    for r in 0..left.row_count() {
        let null = left.is_null(r) || right.is_null(r);
        nulls.push(!null);
        if !null {
            let l = left.offsets[r + 1] - left.offsets[r];
            let rl = right.offsets[r + 1] - right.offsets[r];
            for i in 0..l.max(rl) {
                left_index.push((i < l).then(|| (left.offsets[r] + i) as u32));
                right_index.push((i < rl).then(|| (right.offsets[r] + i) as u32));
                rows.push(r as u32);
            }
        }
        offsets.push(rows.len());
    }
    let x = take(left.values.as_ref(), &UInt32Array::from(left_index), None)?;
    let y = take(right.values.as_ref(), &UInt32Array::from(right_index), None)?;
    let rows = UInt32Array::from(rows);
    let out = evaluate_on(lambda, &[x, y], &rows, rows.len())?;
    list_array(
        list_field(return_type)?,
        offsets,
        out,
        Some(NullBuffer::from(nulls)),
    )
}

fn entries_parts(flat: &Flat) -> Result<(Fields, ArrayRef, ArrayRef)> {
    let entries = flat.values.as_struct();
    if entries.num_columns() != 2 {
        return exec_err!("a map's entries must have a key and a value");
    }
    Ok((
        entries.fields().clone(),
        Arc::clone(entries.column(0)),
        Arc::clone(entries.column(1)),
    ))
}

fn map_array(
    entries_field: FieldRef,
    offsets: Vec<usize>,
    entries: StructArray,
    nulls: Option<NullBuffer>,
) -> Result<ArrayRef> {
    let offsets = OffsetBuffer::from_lengths(offsets.windows(2).map(|w| w[1] - w[0]));
    Ok(Arc::new(MapArray::try_new(
        entries_field,
        offsets,
        entries,
        nulls,
        false,
    )?))
}

fn map_filter(map: &ArrayRef, lambda: &LambdaArgument) -> Result<ArrayRef> {
    let flat = Flat::of_map(map)?;
    let (_, keys, values) = entries_parts(&flat)?;
    let predicate = flat.evaluate(lambda, &[keys, values])?;
    let (keep, offsets) = kept(&flat, &predicate)?;
    let entries = take(flat.values.as_ref(), &keep, None)?;
    let DataType::Map(entries_field, _) = map.data_type() else {
        return exec_err!("expected a map, got {}", map.data_type());
    };
    map_array(
        Arc::clone(entries_field),
        offsets,
        entries.as_struct().clone(),
        flat.nulls,
    )
}

fn map_transform(
    map: &ArrayRef,
    lambda: &LambdaArgument,
    keys_change: bool,
    return_type: &DataType,
) -> Result<ArrayRef> {
    let flat = Flat::of_map(map)?;
    let (_, keys, values) = entries_parts(&flat)?;
    let out = flat.evaluate(lambda, &[Arc::clone(&keys), Arc::clone(&values)])?;
    if keys_change && out.null_count() > 0 {
        return exec_err!("[NULL_MAP_KEY] Cannot use null as map key.");
    }
    let DataType::Map(entries_field, _) = return_type else {
        return exec_err!("expected a map result type, got {return_type}");
    };
    let DataType::Struct(fields) = entries_field.data_type() else {
        return exec_err!("a map's entries must be a struct");
    };
    let columns = if keys_change {
        vec![out, values]
    } else {
        vec![keys, out]
    };
    let entries = StructArray::try_new(fields.clone(), columns, None)?;
    map_array(Arc::clone(entries_field), flat.offsets, entries, flat.nulls)
}

/// A stable merge sort by a comparator that may not be a total order (a user's lambda): unlike
/// the standard library's sorts, it cannot panic, whatever the comparator answers.
fn merge_sort<T: Copy>(
    items: Vec<T>,
    mut compare: impl FnMut(T, T) -> std::cmp::Ordering,
) -> Vec<T> {
    let mut items = items;
    let mut width = 1;
    while width < items.len() {
        let mut merged = Vec::with_capacity(items.len());
        for chunk in items.chunks(2 * width) {
            let (left, right) = chunk.split_at(width.min(chunk.len()));
            let (mut i, mut j) = (0, 0);
            while i < left.len() && j < right.len() {
                if compare(right[j], left[i]) == std::cmp::Ordering::Less {
                    merged.push(right[j]);
                    j += 1;
                } else {
                    merged.push(left[i]);
                    i += 1;
                }
            }
            merged.extend_from_slice(&left[i..]);
            merged.extend_from_slice(&right[j..]);
        }
        items = merged;
        width *= 2;
    }
    items
}

/// Sorts each row's elements with Spark's comparator lambda (negative, zero or positive, as
/// Java's `Comparator`). The comparator runs once per comparison, on single elements.
fn sort_with(array: &ArrayRef, lambda: &LambdaArgument) -> Result<ArrayRef> {
    let flat = Flat::of_list(array)?;
    let mut order: Vec<u32> = Vec::with_capacity(flat.values.len());
    let mut failure = None;
    for r in 0..flat.row_count() {
        let row: Vec<u32> = (flat.offsets[r] as u32..flat.offsets[r + 1] as u32).collect();
        let one_row = UInt32Array::from(vec![r as u32]);
        let row = merge_sort(row, |a, b| {
            if failure.is_some() {
                return std::cmp::Ordering::Equal;
            }
            let compared = evaluate_on(
                lambda,
                &[
                    flat.values.slice(a as usize, 1),
                    flat.values.slice(b as usize, 1),
                ],
                &one_row,
                1,
            )
            .and_then(|c| Ok(cast(&c, &DataType::Int64)?));
            match compared {
                Ok(c) => {
                    let c = c.as_primitive::<arrow::datatypes::Int64Type>();
                    if c.is_null(0) {
                        failure = Some(datafusion::error::DataFusionError::Execution(
                            "[COMPARATOR_RETURNS_NULL] The comparator has returned a NULL for a comparison".into(),
                        ));
                        std::cmp::Ordering::Equal
                    } else {
                        c.value(0).cmp(&0)
                    }
                }
                Err(e) => {
                    failure = Some(e);
                    std::cmp::Ordering::Equal
                }
            }
        });
        order.extend(row);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    let values = take(flat.values.as_ref(), &UInt32Array::from(order), None)?;
    let field = Arc::new(Field::new_list_field(values.data_type().clone(), true));
    list_array(field, flat.offsets, values, flat.nulls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_sort_is_stable_and_survives_any_comparator() {
        let sorted = merge_sort(vec![5, 3, 9, 1, 3, 7], |a: i32, b: i32| a.cmp(&b));
        assert_eq!(sorted, vec![1, 3, 3, 5, 7, 9]);
        // A comparator that is not an order (always "greater") must not panic.
        let kept = merge_sort((0..100).collect::<Vec<i32>>(), |_, _| {
            std::cmp::Ordering::Greater
        });
        assert_eq!(kept.len(), 100);
        // Stability: equal keys keep their order.
        let pairs = merge_sort(vec![(1, 'b'), (0, 'x'), (1, 'a')], |a, b| a.0.cmp(&b.0));
        assert_eq!(pairs, vec![(0, 'x'), (1, 'b'), (1, 'a')]);
    }
}
