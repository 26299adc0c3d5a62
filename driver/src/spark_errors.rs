//! Spark's error classes for errors that Ember reports, so that messages read like Spark's
//! (`[DIVIDE_BY_ZERO] ...`, `[TABLE_OR_VIEW_NOT_FOUND] ...`).

use crate::error::EmberError;

/// The Spark error class that best describes `err`, if one applies.
pub fn error_class(err: &EmberError) -> Option<&'static str> {
    let text = err.to_string();
    let lower = text.to_ascii_lowercase();
    let class = if lower.contains("sql error: parsererror") || lower.contains("parsererror(") {
        "PARSE_SYNTAX_ERROR"
    } else if lower.contains("divide by zero") || lower.contains("division by zero") {
        "DIVIDE_BY_ZERO"
    } else if (lower.contains("table") || lower.contains("view")) && lower.contains("not found") {
        "TABLE_OR_VIEW_NOT_FOUND"
    } else if lower.contains("no field named") || lower.contains("field not found") {
        "UNRESOLVED_COLUMN.WITH_SUGGESTION"
    } else if lower.contains("invalid function") {
        "UNRESOLVED_ROUTINE"
    } else if lower.contains("cannot cast")
        || lower.contains("cast error")
        || lower.contains("can't cast")
    {
        "CAST_INVALID_INPUT"
    } else if lower.contains("overflow") {
        "ARITHMETIC_OVERFLOW"
    } else if lower.contains("no such file")
        || lower.contains("not found") && lower.contains("path")
    {
        "PATH_NOT_FOUND"
    } else {
        return None;
    };
    Some(class)
}

/// One line for the user: `[CLASS] message` when a class applies.
pub fn spark_message(err: &EmberError) -> String {
    let text = err.to_string();
    let first = text.lines().next().unwrap_or("").trim().to_string();
    match error_class(err) {
        Some(class) if !first.starts_with('[') => format!("[{class}] {first}"),
        _ => first,
    }
}
