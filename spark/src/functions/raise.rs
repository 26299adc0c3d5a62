//! Errors raised on purpose by a query: `raise_error(message)` and `assert_true(condition[,
//! message])`, both Spark's `USER_RAISED_EXCEPTION`. Their result type is `void` (NULL).
//!
//! They are volatile so that planning never folds them: like Spark, the error is raised only
//! when a row reaches the call (`CASE WHEN false THEN raise_error('x') END` is fine).

use std::sync::Arc;

use arrow::datatypes::DataType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;
use datafusion::scalar::ScalarValue;

use super::rows::{Arg, RowFunction, text};

/// The functions of this module. `assert_true`'s default message (the condition as Spark
/// prints it) is added when the statement is parsed ([`crate::parser::functions`]).
pub fn raise_functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        RowFunction::new(
            "raise_error",
            &[Arg::String],
            1,
            DataType::Null,
            raise_error,
        )
        .sees_nulls()
        .volatile()
        .udf(),
        RowFunction::new(
            "assert_true",
            &[Arg::Boolean, Arg::String],
            1,
            DataType::Null,
            assert_true,
        )
        .sees_nulls()
        .volatile()
        .udf(),
    ]
}

fn user_raised(message: Option<&str>) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[USER_RAISED_EXCEPTION] {}",
        message.unwrap_or("null")
    ))
}

fn raise_error(args: &[ScalarValue]) -> Result<ScalarValue> {
    Err(user_raised(text(&args[0])))
}

fn assert_true(args: &[ScalarValue]) -> Result<ScalarValue> {
    if args[0] == ScalarValue::Boolean(Some(true)) {
        return Ok(ScalarValue::Null);
    }
    let message = match args.get(1) {
        Some(m) => text(m).map(str::to_string),
        None => Some(format!("'{}' is not true!", args[0])),
    };
    Err(user_raised(message.as_deref()))
}
