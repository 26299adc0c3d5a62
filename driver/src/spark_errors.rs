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

/// Rewrites sqlparser's `ParserError("Expected: X, found: Y at Line: L, Column: C")` the way
/// Spark words syntax errors: `Syntax error at or near Y: expected X (line L, pos C-1)`.
fn syntax_error(text: &str) -> Option<String> {
    let start = text.find("ParserError(\"")? + "ParserError(\"".len();
    let inner = text[start..].trim_end_matches(['"', ')']);
    let (message, position) = match inner.rsplit_once(" at Line: ") {
        Some((m, p)) => (m, Some(p)),
        None => (inner, None),
    };
    let mut out = match message.split_once(", found: ") {
        Some((expected, found)) => format!(
            "Syntax error at or near '{}': {}",
            found.trim(),
            expected
                .trim_start_matches("Expected: ")
                .trim()
                .to_ascii_lowercase()
        ),
        None => format!("Syntax error: {message}"),
    };
    if let Some((line, column)) = position.and_then(|p| p.split_once(", Column: ")) {
        let pos = column
            .trim()
            .parse::<usize>()
            .map_or(0, |c| c.saturating_sub(1));
        out.push_str(&format!(" (line {}, pos {pos})", line.trim()));
    }
    Some(out)
}

/// One line for the user: `[CLASS] message` when a class applies.
pub fn spark_message(err: &EmberError) -> String {
    let text = err.to_string();
    let first = text.lines().next().unwrap_or("").trim().to_string();
    let first = if error_class(err) == Some("PARSE_SYNTAX_ERROR") {
        syntax_error(&first).unwrap_or(first)
    } else {
        first
    };
    match error_class(err) {
        Some(class) if !first.starts_with('[') => format!("[{class}] {first}"),
        _ => first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_read_like_spark() {
        let err = EmberError::Plan(datafusion::error::DataFusionError::SQL(
            Box::new(
                datafusion::sql::sqlparser::parser::ParserError::ParserError(
                    "Expected: an SQL statement, found: SELEC at Line: 1, Column: 1".into(),
                ),
            ),
            None,
        ));
        assert_eq!(
            spark_message(&err),
            "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC': an sql statement (line 1, pos 0)"
        );
    }
}
