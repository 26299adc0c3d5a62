//! Spark's `TIME` type is not enabled in Spark 4.3 by default: `TIME '…'` values cannot be
//! returned, and every `TIME` function (`make_time`, `to_time`, `time_diff`…) is refused with
//! `UNSUPPORTED_TIME_TYPE`. Ember has no `TIME` type either and refuses the same way, so a
//! query gets Spark's error class instead of DataFusion's `Time64` behaviour.

use std::sync::Arc;

use arrow::datatypes::DataType;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, Expr, LogicalPlan, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    TypeSignature, Volatility,
};

/// Spark's functions of the `TIME` type.
const TIME_FUNCTIONS: &[&str] = &[
    "localtime",
    "make_time",
    "time_diff",
    "time_from_micros",
    "time_from_millis",
    "time_from_seconds",
    "time_to_micros",
    "time_to_millis",
    "time_to_seconds",
    "time_trunc",
    "to_time",
    "try_to_time",
];

/// Spark's error for any use of `TIME`.
pub fn unsupported_time_type() -> DataFusionError {
    DataFusionError::Plan("[UNSUPPORTED_TIME_TYPE] The data type TIME is not supported.".into())
}

/// Whether `data_type` is (or holds) a time of day.
fn is_time(data_type: &DataType) -> bool {
    match data_type {
        DataType::Time32(_) | DataType::Time64(_) => true,
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            is_time(f.data_type())
        }
        DataType::Struct(fields) => fields.iter().any(|f| is_time(f.data_type())),
        DataType::Map(f, _) => is_time(f.data_type()),
        _ => false,
    }
}

/// `Err(UNSUPPORTED_TIME_TYPE)` when any column or expression of `plan` has a `TIME` type
/// (a `TIME '…'` literal, `CAST(… AS TIME)`, `current_time()`, a table column).
pub fn refuse_time_type(plan: &LogicalPlan) -> Result<()> {
    let mut found = false;
    plan.apply_with_subqueries(|node| {
        if node
            .schema()
            .fields()
            .iter()
            .any(|f| is_time(f.data_type()))
        {
            found = true;
            return Ok(TreeNodeRecursion::Stop);
        }
        node.apply_expressions(|expr| {
            expr.apply(|e| {
                let time = match e {
                    Expr::Literal(value, _) => is_time(&value.data_type()),
                    Expr::Cast(c) => is_time(c.field.data_type()),
                    Expr::TryCast(c) => is_time(c.field.data_type()),
                    _ => false,
                };
                if time {
                    found = true;
                    return Ok(TreeNodeRecursion::Stop);
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })
    })?;
    if found {
        Err(unsupported_time_type())
    } else {
        Ok(())
    }
}

/// A `TIME` function: planning a call raises `UNSUPPORTED_TIME_TYPE`, as in Spark.
#[derive(Debug, PartialEq, Eq, Hash)]
struct TimeFunction {
    name: &'static str,
    signature: Signature,
}

impl ScalarUDFImpl for TimeFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(unsupported_time_type())
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Err(unsupported_time_type())
    }
}

/// The `TIME` functions, for registration (they replace DataFusion's and datafusion-spark's
/// of the same names).
pub fn time_functions() -> Vec<Arc<ScalarUDF>> {
    TIME_FUNCTIONS
        .iter()
        .map(|name| {
            Arc::new(ScalarUDF::new_from_impl(TimeFunction {
                name,
                signature: Signature::one_of(
                    vec![TypeSignature::Nullary, TypeSignature::VariadicAny],
                    Volatility::Immutable,
                ),
            }))
        })
        .collect()
}
