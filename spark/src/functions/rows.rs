//! A Spark function computed one row at a time on [`ScalarValue`]s.
//!
//! Many of Spark's functions are rarely on a hot path (`conv`, `hmac`, `sentences`,
//! `jaro_winkler_similarity`…) and their logic is per value. [`RowFunction`] gives each one
//! Spark's argument coercion (strings, numbers and binaries cast as Spark casts them implicitly,
//! other types refused with `DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE`), NULL-in-NULL-out where
//! Spark has it, constant folding of constant calls, and a typed result, so that a function is
//! only its per-row body.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, new_empty_array};
use arrow::datatypes::{DataType, Field};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

use super::{call_result, call_rows};
use crate::format::spark_type_name;

/// What an argument is cast to before the body sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Arg {
    /// `STRING`; numbers, dates and timestamps are cast to text, as Spark does implicitly.
    String,
    /// `BINARY`; strings are cast to their UTF-8 bytes.
    Binary,
    /// `INT`.
    Int,
    /// `FLOAT`.
    Float,
    /// `BOOLEAN`.
    Boolean,
    /// `ARRAY<FLOAT>` (Spark's vectors).
    FloatArray,
    /// Any type, as written (options maps the body ignores).
    Any,
}

impl Arg {
    /// Spark's name of the type the argument must have, for error messages.
    fn spark_name(self) -> &'static str {
        match self {
            Self::String => "STRING",
            Self::Binary => "BINARY",
            Self::Int => "INT",
            Self::Float => "FLOAT",
            Self::Boolean => "BOOLEAN",
            Self::FloatArray => "ARRAY<FLOAT>",
            Self::Any => "ANY",
        }
    }

    /// The type an argument of type `from` is cast to, or `None` when Spark refuses it.
    fn target(self, from: &DataType) -> Option<DataType> {
        let text = matches!(
            from,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        );
        let binary = matches!(
            from,
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView
        );
        let number = from.is_numeric();
        let null = from == &DataType::Null;
        match self {
            Self::Any => Some(from.clone()),
            Self::String => (text
                || null
                || number
                || binary
                || matches!(
                    from,
                    DataType::Boolean
                        | DataType::Date32
                        | DataType::Date64
                        | DataType::Timestamp(_, _)
                ))
            .then_some(DataType::Utf8),
            Self::Binary => (text || binary || null).then_some(DataType::Binary),
            Self::Int => (number || text || null).then_some(DataType::Int32),
            Self::Float => (number || text || null).then_some(DataType::Float32),
            Self::Boolean => {
                (from == &DataType::Boolean || text || null).then_some(DataType::Boolean)
            }
            Self::FloatArray => match from {
                // Spark takes no other element type (not even `ARRAY<INT>`).
                DataType::List(item)
                | DataType::LargeList(item)
                | DataType::FixedSizeList(item, _)
                    if item.data_type() == &DataType::Float32 =>
                {
                    Some(float_list())
                }
                DataType::Null => Some(float_list()),
                _ => None,
            },
        }
    }
}

/// `ARRAY<FLOAT>` as Arrow spells it.
pub(crate) fn float_list() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Float32, true)))
}

/// The per-row body: the arguments, already cast, to the result.
pub(crate) type RowBody = fn(&[ScalarValue]) -> Result<ScalarValue>;

/// One Spark function evaluated row by row (see the module documentation).
#[derive(Debug)]
pub(crate) struct RowFunction {
    name: &'static str,
    args: &'static [Arg],
    required: usize,
    returns: DataType,
    null_in_null_out: bool,
    body: RowBody,
    volatility: Volatility,
    signature: Signature,
}

impl PartialEq for RowFunction {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for RowFunction {}

impl Hash for RowFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl RowFunction {
    /// A function `name(args…)` whose first `required` arguments must be given, returning
    /// `returns`; a NULL argument gives a NULL result without calling `body`.
    pub(crate) fn new(
        name: &'static str,
        args: &'static [Arg],
        required: usize,
        returns: DataType,
        body: RowBody,
    ) -> Self {
        Self {
            name,
            args,
            required,
            returns,
            null_in_null_out: true,
            body,
            volatility: Volatility::Immutable,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    /// `body` also sees NULL arguments (for functions where a NULL means something).
    pub(crate) fn sees_nulls(mut self) -> Self {
        self.null_in_null_out = false;
        self
    }

    /// The function must not be folded into a constant at planning (it raises an error or reads
    /// the clock): it runs on each row.
    pub(crate) fn volatile(mut self) -> Self {
        self.volatility = Volatility::Volatile;
        self.signature = Signature::user_defined(Volatility::Volatile);
        self
    }

    /// The function as a DataFusion UDF.
    pub(crate) fn udf(self) -> Arc<ScalarUDF> {
        Arc::new(ScalarUDF::new_from_impl(self))
    }

    fn typed_null(&self) -> Result<ScalarValue> {
        ScalarValue::try_from(&self.returns)
    }
}

/// `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE]` for argument `index` (from 0) of `function`.
pub(crate) fn unexpected_input_type(
    function: &str,
    index: usize,
    expected: &str,
    got: &DataType,
) -> DataFusionError {
    let ordinal = match index {
        0 => "first",
        1 => "second",
        2 => "third",
        3 => "fourth",
        _ => "next",
    };
    DataFusionError::Plan(format!(
        "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{function}\" due to data type mismatch: The {ordinal} parameter requires the \"{expected}\" type, however the argument has the type \"{}\".",
        spark_type_name(got).to_uppercase()
    ))
}

/// `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION]` for a call with `given` arguments.
pub(crate) fn wrong_num_args(function: &str, expected: &str, given: usize) -> DataFusionError {
    DataFusionError::Plan(format!(
        "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{function}` requires {expected} parameters but the actual number is {given}."
    ))
}

impl ScalarUDFImpl for RowFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.returns.clone())
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() < self.required || arg_types.len() > self.args.len() {
            let expected = if self.required == self.args.len() {
                self.required.to_string()
            } else {
                format!("[{}, {}]", self.required, self.args.len())
            };
            return Err(wrong_num_args(self.name, &expected, arg_types.len()));
        }
        arg_types
            .iter()
            .zip(self.args)
            .enumerate()
            .map(|(i, (from, arg))| {
                arg.target(from)
                    .ok_or_else(|| unexpected_input_type(self.name, i, arg.spark_name(), from))
            })
            .collect()
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (rows, scalar) = call_rows(&args);
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<Vec<ArrayRef>>>()?;
        let mut out = Vec::with_capacity(rows);
        let mut row = Vec::with_capacity(arrays.len());
        for i in 0..rows {
            row.clear();
            for array in &arrays {
                row.push(ScalarValue::try_from_array(array, i)?);
            }
            let value = if self.null_in_null_out && row.iter().any(ScalarValue::is_null) {
                self.typed_null()?
            } else {
                (self.body)(&row)?
            };
            out.push(if value.is_null() {
                self.typed_null()?
            } else {
                value
            });
        }
        let array = if out.is_empty() {
            new_empty_array(&self.returns)
        } else {
            ScalarValue::iter_to_array(out)?
        };
        call_result(array, scalar)
    }
}

/// The text of a string argument (after [`Arg::String`] coercion).
pub(crate) fn text(value: &ScalarValue) -> Option<&str> {
    match value {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => Some(s),
        _ => None,
    }
}

/// The bytes of a binary argument (after [`Arg::Binary`] coercion).
pub(crate) fn bytes(value: &ScalarValue) -> Option<&[u8]> {
    match value {
        ScalarValue::Binary(Some(b))
        | ScalarValue::LargeBinary(Some(b))
        | ScalarValue::BinaryView(Some(b)) => Some(b),
        _ => None,
    }
}

/// The value of an `INT` argument (after [`Arg::Int`] coercion).
pub(crate) fn int(value: &ScalarValue) -> Option<i32> {
    match value {
        ScalarValue::Int32(v) => *v,
        _ => None,
    }
}

/// The elements of an `ARRAY<FLOAT>` argument (after [`Arg::FloatArray`] coercion); a NULL
/// element is `None`.
pub(crate) fn floats(value: &ScalarValue) -> Option<Vec<Option<f32>>> {
    let ScalarValue::List(list) = value else {
        return None;
    };
    if list.is_null(0) {
        return None;
    }
    let values = list.value(0);
    let values = values
        .as_any()
        .downcast_ref::<arrow::array::Float32Array>()?;
    Some(values.iter().collect())
}

/// An `ARRAY<FLOAT>` result.
pub(crate) fn float_array(values: &[f32]) -> ScalarValue {
    let array = arrow::array::Float32Array::from(values.to_vec());
    ScalarValue::List(Arc::new(arrow::array::ListArray::new(
        Arc::new(Field::new("item", DataType::Float32, true)),
        arrow::buffer::OffsetBuffer::from_lengths([values.len()]),
        Arc::new(array),
        None,
    )))
}
