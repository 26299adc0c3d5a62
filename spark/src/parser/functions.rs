//! Spark functions that are a short expression over functions DataFusion already has,
//! rewritten on the parsed statement (the select list keeps Spark's name for the column, which
//! [`super::names`] derived before).

/// Spark's function-style casts (`date(x)` is `CAST(x AS DATE)`), which Spark names by their
/// argument.
pub const CAST_FUNCTIONS: &[&str] = &[
    "date",
    "timestamp",
    "int",
    "bigint",
    "smallint",
    "tinyint",
    "double",
    "float",
    "string",
    "boolean",
    "binary",
    "decimal",
];

/// The SQL that computes Spark's `name(args…)`, given the arguments' SQL; `None` when `name` is
/// not one of these functions or the arguments do not fit it.
pub fn expand(name: &str, args: &[String]) -> Option<String> {
    let arg = |i: usize| args.get(i).map(|a| format!("({a})"));
    Some(match (name, args.len()) {
        // NULL instead of an error for a zero divisor; `/` is Spark's division.
        ("try_divide", 2) => format!(
            "CASE WHEN {b} = 0 THEN NULL ELSE {a} / {b} END",
            a = arg(0)?,
            b = arg(1)?
        ),
        ("equal_null", 2) => format!("{} IS NOT DISTINCT FROM {}", arg(0)?, arg(1)?),
        ("zeroifnull", 1) => format!("coalesce({}, 0)", arg(0)?),
        ("nullifzero", 1) => format!("nullif({}, 0)", arg(0)?),
        ("count_if", 1) => format!("count(CASE WHEN {} THEN 1 END)", arg(0)?),
        ("map_contains_key", 2) => format!("array_has(map_keys({}), {})", arg(0)?, arg(1)?),
        ("rlike" | "regexp", 2) => {
            format!("regexp_like({}, {})", arg(0)?, arg(1)?)
        }
        // try_avg is avg: integers average as doubles and cannot overflow. (A decimal sum that
        // leaves DECIMAL(38) raises ARITHMETIC_OVERFLOW, where Spark's try_avg gives NULL.)
        ("try_avg", 1) => format!("avg({})", arg(0)?),
        // Spark's position(substr, str[, start]) is locate's order, not strpos'.
        ("position", 2 | 3) => format!("locate({})", args.join(", ")),
        ("ceil" | "ceiling", 2) => format!(
            "{}({}, {})",
            crate::functions::round_scale::CEIL_SCALE,
            arg(0)?,
            arg(1)?
        ),
        ("floor", 2) => format!(
            "{}({}, {})",
            crate::functions::round_scale::FLOOR_SCALE,
            arg(0)?,
            arg(1)?
        ),
        ("dayname", 1) => format!("date_format({}, 'EEE')", arg(0)?),
        // Spark's levenshtein with a threshold: -1 beyond it.
        ("levenshtein", 3) => format!(
            "CASE WHEN levenshtein({a}, {b}) > {t} THEN -1 ELSE levenshtein({a}, {b}) END",
            a = arg(0)?,
            b = arg(1)?,
            t = arg(2)?
        ),
        // Spark's array_position counts from 1 and gives 0 when the value is absent.
        ("array_position", 2) => format!(
            "CASE WHEN {a} IS NULL OR {v} IS NULL THEN NULL ELSE CAST(coalesce(array_position({a}, {v}), 0) AS BIGINT) END",
            a = arg(0)?,
            v = arg(1)?
        ),
        // Spark's any_value is the group's first value, NULL included (`any_value(x, true)`
        // skips NULLs, handled with `first`).
        ("any_value", 1) => format!("first_value({})", arg(0)?),
        ("any_value", 2) => format!("first({}, {})", arg(0)?, args[1]),
        ("array_size", 1) => format!("cardinality({})", arg(0)?),
        ("e", 0) => "exp(1.0)".to_string(),
        ("from_unixtime", 1 | 2) => format!(
            "date_format(timestamp_seconds({}), {})",
            arg(0)?,
            arg(1).unwrap_or_else(|| "'yyyy-MM-dd HH:mm:ss'".to_string())
        ),
        // Spark sorts NULLs first ascending and last descending in sort_array, last in
        // array_sort.
        ("sort_array", 1) => format!("array_sort({}, 'ASC', 'NULLS FIRST')", arg(0)?),
        ("sort_array", 2) => match args[1].trim().to_ascii_lowercase().as_str() {
            "true" => format!("array_sort({}, 'ASC', 'NULLS FIRST')", arg(0)?),
            "false" => format!("array_sort({}, 'DESC', 'NULLS LAST')", arg(0)?),
            _ => return None,
        },
        ("array_sort", 1) => format!("array_sort({}, 'ASC', 'NULLS LAST')", arg(0)?),
        ("positive", 1) => arg(0)?,
        // Spark's function-style casts: date(x) is CAST(x AS DATE).
        (cast, 1) if CAST_FUNCTIONS.contains(&cast) => {
            // Spark's bare DECIMAL is decimal(10,0) (DataFusion's: decimal(38,10)).
            let to = if name == "decimal" {
                "DECIMAL(10,0)".to_string()
            } else {
                name.to_ascii_uppercase()
            };
            format!("CAST({} AS {to})", arg(0)?)
        }
        ("date_from_unix_date", 1) => {
            format!("date_add(DATE '1970-01-01', CAST({} AS INT))", arg(0)?)
        }
        ("to_unix_timestamp" | "unix_timestamp", 1 | 2) => {
            let parsed = if args.len() == 2 {
                format!("to_timestamp({}, {})", arg(0)?, arg(1)?)
            } else {
                format!("CAST({} AS TIMESTAMP)", arg(0)?)
            };
            format!("unix_seconds({parsed})")
        }
        ("unix_timestamp", 0) => "unix_seconds(current_timestamp())".to_string(),
        ("regexp_substr", 2) => format!(
            "CASE WHEN regexp_like({s}, {r}) THEN regexp_extract({s}, {r}, 0) END",
            s = arg(0)?,
            r = arg(1)?
        ),
        // decode(expr, search, result [, search, result]… [, default]); decode(bin, charset) is
        // DataFusion's.
        ("decode", n) if n >= 3 => {
            // Spark's decode matches a NULL search value to a NULL key.
            let mut text = "CASE".to_string();
            let pairs = (n - 1) / 2;
            for p in 0..pairs {
                text.push_str(&format!(
                    " WHEN {} IS NOT DISTINCT FROM {} THEN {}",
                    arg(0)?,
                    arg(1 + 2 * p)?,
                    arg(2 + 2 * p)?
                ));
            }
            if (n - 1) % 2 == 1 {
                text.push_str(&format!(" ELSE {}", arg(n - 1)?));
            }
            text.push_str(" END");
            text
        }
        // Spark's default message shows the condition as Spark prints it.
        ("assert_true", 1) => {
            let shown = super::rewrite::parse_expr(&args[0])
                .and_then(|e| super::names::expr_name(&e))
                .unwrap_or_else(|| args[0].clone());
            let message = format!("'{shown}' is not true!").replace('\'', "''");
            format!("assert_true({}, '{message}')", arg(0)?)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_only_known_shapes() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            expand("zeroifnull", &args(&["x"])).as_deref(),
            Some("coalesce((x), 0)")
        );
        assert_eq!(
            expand("decode", &args(&["k", "1", "'a'", "'z'"])).as_deref(),
            Some("CASE WHEN (k) IS NOT DISTINCT FROM (1) THEN ('a') ELSE ('z') END")
        );
        assert_eq!(expand("decode", &args(&["b", "'utf-8'"])), None);
        assert_eq!(expand("zeroifnull", &args(&["x", "y"])), None);
    }
}
