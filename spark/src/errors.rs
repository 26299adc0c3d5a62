//! Spark's error classes for errors that Ember reports, so that messages read like Spark's
//! (`[DIVIDE_BY_ZERO] ...`, `[TABLE_OR_VIEW_NOT_FOUND] ...`).

/// The Spark error class that best describes an error with message `text`, if one applies.
pub fn error_class(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let class = if lower.contains("sql error: parsererror") || lower.contains("parsererror(") {
        "PARSE_SYNTAX_ERROR"
    } else if lower.contains("divide by zero") || lower.contains("division by zero") {
        "DIVIDE_BY_ZERO"
    } else if lower.contains("schema") && lower.contains("already exists") {
        "SCHEMA_ALREADY_EXISTS"
    } else if lower.contains("table '") && lower.contains("already exists") {
        // DataFusion's own tables are Ember's temporary views (catalog tables say so first).
        "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS"
    } else if (lower.contains("table") || lower.contains("view")) && lower.contains("not found") {
        "TABLE_OR_VIEW_NOT_FOUND"
    } else if lower.contains("no field named") && !lower.contains("valid fields are") {
        // Nothing to suggest: the query reads no columns at all.
        "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION"
    } else if lower.contains("no field named") || lower.contains("field not found") {
        "UNRESOLVED_COLUMN.WITH_SUGGESTION"
    } else if lower.contains("must appear in the group by clause") {
        // DataFusion's words for a column neither grouped nor aggregated.
        "MISSING_AGGREGATION"
    } else if lower.contains("invalid function") {
        "UNRESOLVED_ROUTINE"
    } else if lower.contains("ambiguous reference") {
        "AMBIGUOUS_REFERENCE"
    } else if (lower.contains("expects") || lower.contains("expected"))
        && lower.contains("argument")
        && lower.contains("but received")
    {
        // DataFusion's arity errors: `Function 'floor' expects 1 arguments but received 3`.
        "WRONG_NUM_ARGS.WITHOUT_SUGGESTION"
    } else if lower.contains("failed to coerce arguments")
        || lower.contains("no function matches the given name and argument types")
    {
        "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE"
    } else if lower.contains("unable to parse date from") {
        // DataFusion's make_date of a day that does not exist.
        "DATETIME_FIELD_OUT_OF_BOUNDS.WITHOUT_SUGGESTION"
    } else if lower.contains("can't cast value") {
        // Arrow's words for a number outside the target type's range.
        "CAST_OVERFLOW"
    } else if lower.contains("too large to store in a decimal") {
        "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION"
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

/// DataFusion's and Ember's wrappings of an error's own message.
const WRAPPERS: &[&str] = &[
    "Error during planning: ",
    "Execution error: ",
    "External error: ",
    "Arrow error: ",
    "Invalid argument error: ",
    "Internal error: ",
    "This feature is not implemented: ",
    "Schema error: ",
    "planning failed: ",
    "execution failed: ",
];

/// `text` without the wrappings DataFusion puts around an error's own message (a failed task's
/// `job failed: task … on executor E:` stays: it says where the error happened).
fn unwrapped(mut text: &str) -> &str {
    while let Some(rest) = WRAPPERS.iter().find_map(|w| text.strip_prefix(w)) {
        text = rest;
    }
    text
}

/// Where a Spark error class (`[CLASS] `) starts inside `text`, if one does.
fn embedded_class(text: &str) -> Option<usize> {
    text.match_indices('[')
        .map(|(at, _)| at)
        .find(|&at| class_in_message(&text[at..]).is_some())
}

/// One line for the user from an error's message: `[CLASS] message`, with Spark's class first
/// when an error raised with a class was wrapped on its way up, or the class that best
/// describes it otherwise ([`error_class`]).
pub fn spark_message(text: &str) -> String {
    // A rule's or a task's context (`Optimizer rule 'x' failed`, `caused by`) comes first;
    // the error itself is the last cause.
    let cause = text.rsplit("\ncaused by\n").next().unwrap_or(text);
    let first = cause.lines().next().unwrap_or("").trim();
    if let Some(at) = embedded_class(first) {
        return first[at..].to_string();
    }
    let class = error_class(text);
    let message = if class == Some("PARSE_SYNTAX_ERROR") {
        syntax_error(first).unwrap_or_else(|| first.to_string())
    } else {
        unwrapped(first).to_string()
    };
    match class {
        Some(class) => format!("[{class}] {message}"),
        None => message,
    }
}

/// The error class a message names in its leading `[CLASS]` (`[UNRESOLVED_COLUMN.WITH_SUGGESTION]
/// ...` gives `UNRESOLVED_COLUMN.WITH_SUGGESTION`).
pub fn class_in_message(message: &str) -> Option<&str> {
    let rest = message.trim_start().strip_prefix('[')?;
    let (class, after) = rest.split_once(']')?;
    // Spark's classes are words in capitals (`[N]` in `local[N]` is not one).
    let valid = class.len() >= 3
        && (after.is_empty() || after.starts_with(' '))
        && class.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        && class
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '.');
    valid.then_some(class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_read_from_the_leading_bracket() {
        assert_eq!(
            class_in_message("[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column ..."),
            Some("UNRESOLVED_COLUMN.WITH_SUGGESTION")
        );
        assert_eq!(class_in_message("no class [X]"), None);
        assert_eq!(
            spark_message("Error during planning: [TABLE_OR_VIEW_NOT_FOUND] The table `t` ..."),
            "[TABLE_OR_VIEW_NOT_FOUND] The table `t` ..."
        );
        assert_eq!(
            spark_message(
                "job failed: task 0 in stage 1 failed 4 times, most recent failure on executor \
                 e-1: Execution error: [DIVIDE_BY_ZERO] Division by zero."
            ),
            "[DIVIDE_BY_ZERO] Division by zero."
        );
        assert_eq!(class_in_message("[not a class] x"), None);
        assert_eq!(
            spark_message("invalid master \"yarn\" (expected local, local[N], local[*])"),
            "invalid master \"yarn\" (expected local, local[N], local[*])"
        );
    }

    #[test]
    fn a_failed_rule_reports_its_cause_with_the_cause_class() {
        assert_eq!(
            spark_message(
                "Optimizer rule 'simplify_expressions' failed\ncaused by\nArrow error: Cast error: Can't cast value 128 to type Int8"
            ),
            "[CAST_OVERFLOW] Cast error: Can't cast value 128 to type Int8"
        );
        assert_eq!(
            error_class("Cast error: Cannot cast string '300' to value of Int8 type"),
            Some("CAST_INVALID_INPUT")
        );
        assert_eq!(
            error_class("Schema error: Ambiguous reference to unqualified field k"),
            Some("AMBIGUOUS_REFERENCE")
        );
        assert_eq!(
            error_class(
                "Error during planning: Function 'ceil' expects 1 arguments but received 3. No function matches the given name and argument types 'ceil(Int64, Int64, Int64)'."
            ),
            Some("WRONG_NUM_ARGS.WITHOUT_SUGGESTION")
        );
        assert_eq!(
            error_class(
                "Error during planning: Failed to coerce arguments to satisfy a call to 'array_contains' function"
            ),
            Some("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        );
    }

    #[test]
    fn syntax_errors_read_like_spark() {
        let err = datafusion::error::DataFusionError::SQL(
            Box::new(
                datafusion::sql::sqlparser::parser::ParserError::ParserError(
                    "Expected: an SQL statement, found: SELEC at Line: 1, Column: 1".into(),
                ),
            ),
            None,
        );
        assert_eq!(
            spark_message(&err.to_string()),
            "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC': an sql statement (line 1, pos 0)"
        );
    }
}
