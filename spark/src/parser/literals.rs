//! Spark's typed numeric literals, which sqlparser reads as a number followed by a column alias
//! (`SELECT 1Y` would be `1 AS Y`): `1Y` (TINYINT), `1S` (SMALLINT), `1.5D` (DOUBLE), `1.5F`
//! (FLOAT), `1L` (BIGINT) and `1.5BD` (DECIMAL with the literal's precision and scale) are
//! rewritten in the SQL text to `n::TYPE` before parsing. (sqlparser reads `1L` itself, as a
//! plain number, which Ember then types `INT` like any other small integer literal.)
//! `TIMESTAMP_LTZ '…'` literals, which sqlparser does not know, become `TIMESTAMP '…'`, and
//! multi-unit intervals (`INTERVAL 1 YEAR 2 MONTHS`) one interval string.

use std::borrow::Cow;

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The `DECIMAL(p,s)` Spark gives a `BD` literal written `digits`.
fn decimal_type(digits: &str) -> String {
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let unscaled = format!("{int}{frac}");
    let significant = unscaled.trim_start_matches('0').len();
    let precision = significant.max(frac.len()).max(1);
    format!("DECIMAL({precision},{})", frac.len())
}

/// Whether a `VALUES` after the text `before` starts a table (at the start of a statement,
/// after `(`, `FROM`, `AS`, a set operator or `JOIN`) rather than naming a column.
fn values_clause_position(before: &str) -> bool {
    let before = before.trim_end();
    if before.is_empty() || before.ends_with(['(', ';']) {
        return true;
    }
    let last = before
        .rsplit(|c: char| !is_ident_char(c))
        .next()
        .unwrap_or("");
    [
        "FROM",
        "AS",
        "UNION",
        "ALL",
        "EXCEPT",
        "INTERSECT",
        "MINUS",
        "DISTINCT",
        "JOIN",
    ]
    .iter()
    .any(|w| last.eq_ignore_ascii_case(w))
}

/// The fields of `EXTRACT` sqlparser reads itself (Spark's other spellings are rewritten).
const PARSED_EXTRACT_FIELDS: [&str; 19] = [
    "YEAR",
    "YEARS",
    "MONTH",
    "MONTHS",
    "WEEK",
    "WEEKS",
    "DAY",
    "DAYS",
    "DAYOFWEEK",
    "DAYOFYEAR",
    "DOW",
    "DOY",
    "HOUR",
    "HOURS",
    "MINUTE",
    "MINUTES",
    "SECOND",
    "SECONDS",
    "QUARTER",
];

/// After `extract(` (at `from`): a field sqlparser cannot read followed by `FROM`, and where
/// the text after `FROM` starts; `None` for anything else.
fn extract_field(chars: &[(usize, char)], from: usize) -> Option<(String, usize)> {
    let (field, k) = word_after(chars, from);
    if field.is_empty()
        || PARSED_EXTRACT_FIELDS
            .iter()
            .any(|f| field.eq_ignore_ascii_case(f))
    {
        return None;
    }
    let (word, after) = word_after(chars, k);
    if !word.eq_ignore_ascii_case("FROM") {
        return None;
    }
    Some((field, after))
}

/// The identifier (letters, digits, `_`) after the spaces at `from` in `chars`, and where it
/// ends; an empty word when none is there.
fn word_after(chars: &[(usize, char)], from: usize) -> (String, usize) {
    let at = |k: usize| chars.get(k).map(|(_, c)| *c);
    let mut start = from;
    while at(start).is_some_and(char::is_whitespace) {
        start += 1;
    }
    let mut end = start;
    while at(end).is_some_and(is_ident_char) {
        end += 1;
    }
    (chars[start..end].iter().map(|(_, c)| *c).collect(), end)
}

/// Words that end the row list of a `VALUES` without parentheses.
const AFTER_VALUES: [&str; 18] = [
    "AS",
    "ORDER",
    "LIMIT",
    "UNION",
    "EXCEPT",
    "INTERSECT",
    "MINUS",
    "WHERE",
    "GROUP",
    "HAVING",
    "WINDOW",
    "JOIN",
    "INNER",
    "LEFT",
    "RIGHT",
    "FULL",
    "CROSS",
    "ON",
];

/// After `VALUES` (at `from` in `chars`): Spark's rows without parentheses (`VALUES 1, 2, 3`,
/// one column), as parenthesized rows (`(1), (2), (3)`) and where the list ends. The list ends
/// at a closing parenthesis, `;`, the end, or a clause keyword or alias (`AS t(a)`, `T(col)`)
/// after a row. `None` when the rows are already parenthesized.
fn bare_values(chars: &[(usize, char)], from: usize) -> Option<(String, usize)> {
    let at = |k: usize| chars.get(k).map(|(_, c)| *c);
    let mut k = from;
    while at(k).is_some_and(char::is_whitespace) {
        k += 1;
    }
    if matches!(at(k), None | Some('(' | ';' | ')')) {
        return None;
    }
    let (mut rows, mut current) = (Vec::new(), String::new());
    let mut depth = 0usize;
    let mut after_item = false;
    while let Some(c) = at(k) {
        match c {
            '\'' | '"' | '`' => {
                let close = (k + 1..chars.len()).find(|&q| at(q) == Some(c))?;
                current.extend(chars[k..=close].iter().map(|(_, c)| *c));
                k = close + 1;
                after_item = true;
                continue;
            }
            '(' => depth += 1,
            ')' if depth == 0 => break,
            ')' => depth -= 1,
            ';' if depth == 0 => break,
            ',' if depth == 0 => {
                rows.push(std::mem::take(&mut current));
                after_item = false;
                k += 1;
                continue;
            }
            c if depth == 0 && (c.is_ascii_alphabetic() || c == '_') && after_item => {
                // A word right after a complete item (a space before it) ends the list.
                let mut e = k;
                while at(e).is_some_and(is_ident_char) {
                    e += 1;
                }
                let word: String = chars[k..e].iter().map(|(_, c)| *c).collect();
                let spaced = k > 0 && chars[k - 1].1.is_whitespace();
                if spaced
                    && (AFTER_VALUES.iter().any(|w| word.eq_ignore_ascii_case(w))
                        || at(e) == Some('('))
                    && !current.trim().is_empty()
                    && !current
                        .trim_end()
                        .ends_with(|c: char| "+-*/%|&=<>".contains(c))
                {
                    break;
                }
            }
            _ => {}
        }
        after_item = !c.is_whitespace() || after_item;
        current.push(c);
        k += 1;
    }
    if !current.trim().is_empty() {
        rows.push(current);
    }
    if rows.is_empty() || rows.iter().any(|r| r.trim().is_empty()) {
        return None;
    }
    let text: Vec<String> = rows.iter().map(|r| format!("({})", r.trim())).collect();
    Some((format!("{} ", text.join(", ")), k))
}

/// Spark's interval units in a multi-unit literal (`INTERVAL 1 YEAR 2 MONTHS`).
const INTERVAL_UNITS: [&str; 9] = [
    "YEAR",
    "MONTH",
    "WEEK",
    "DAY",
    "HOUR",
    "MINUTE",
    "SECOND",
    "MILLISECOND",
    "MICROSECOND",
];

/// After `INTERVAL` (at `from` in `chars`): two or more `value unit` pairs, Spark's multi-unit
/// literal (`INTERVAL 10 YEAR 20 MONTH`, `INTERVAL '1' DAY -2 HOURS`), which sqlparser reads
/// one unit at a time. Returns the pairs as interval text (`10 YEAR 20 MONTH`) and where they
/// end; `None` for anything else, which is left to the parser.
fn multi_unit_interval(chars: &[(usize, char)], from: usize) -> Option<(String, usize)> {
    let at = |k: usize| chars.get(k).map(|(_, c)| *c);
    let skip_spaces = |mut k: usize| {
        while at(k).is_some_and(char::is_whitespace) {
            k += 1;
        }
        k
    };
    let mut pairs = Vec::new();
    let mut k = from;
    let mut end = from;
    loop {
        let mut p = skip_spaces(k);
        let mut value = String::new();
        if let Some(sign @ ('-' | '+')) = at(p) {
            value.push(sign);
            p = skip_spaces(p + 1);
        }
        if at(p) == Some('\'') {
            let close = (p + 1..chars.len()).find(|&q| at(q) == Some('\''))?;
            value.extend(chars[p + 1..close].iter().map(|(_, c)| *c));
            p = close + 1;
        } else {
            let start = p;
            while at(p).is_some_and(|c| c.is_ascii_digit() || c == '.') {
                p += 1;
            }
            if p == start {
                break;
            }
            value.extend(chars[start..p].iter().map(|(_, c)| *c));
        }
        let unit_start = skip_spaces(p);
        let mut q = unit_start;
        while at(q).is_some_and(|c| c.is_ascii_alphabetic()) {
            q += 1;
        }
        let unit: String = chars[unit_start..q].iter().map(|(_, c)| *c).collect();
        let singular = unit.to_ascii_uppercase();
        let singular = singular.strip_suffix('S').unwrap_or(&singular);
        if unit_start == p
            || !INTERVAL_UNITS.contains(&singular)
            || at(q).is_some_and(is_ident_char)
        {
            break;
        }
        pairs.push(format!("{} {unit}", value.trim()));
        k = q;
        end = q;
    }
    (pairs.len() >= 2).then(|| (pairs.join(" "), end))
}

/// Rewrites the suffixed literals of `sql` (outside strings, quoted names and comments).
pub fn rewrite_literal_suffixes(sql: &str) -> Cow<'_, str> {
    let chars: Vec<(usize, char)> = sql.char_indices().collect();
    let mut out = String::with_capacity(sql.len() + 16);
    let mut changed = false;
    let mut i = 0;
    let at = |k: usize| chars.get(k).map(|(_, c)| *c);
    while i < chars.len() {
        let c = chars[i].1;
        // Strings, quoted identifiers and comments are copied as they are.
        let close = match c {
            '\'' | '"' | '`' => Some(c.to_string()),
            '-' if at(i + 1) == Some('-') => Some("\n".to_string()),
            '/' if at(i + 1) == Some('*') => Some("*/".to_string()),
            _ => None,
        };
        if let Some(close) = close {
            let start = chars[i].0;
            let from = start
                + if close.len() == 1 && close != "\n" {
                    1
                } else {
                    2
                };
            let mut end = sql.len();
            if close.len() == 1 && close != "\n" {
                // A quoted string or name; a backslash escapes the next character in strings.
                let mut rest = sql[from..].char_indices();
                while let Some((k, ch)) = rest.next() {
                    if ch == '\\' && c != '`' {
                        rest.next();
                    } else if ch == c {
                        end = from + k + 1;
                        break;
                    }
                }
            } else if let Some(p) = sql[from..].find(close.as_str()) {
                end = from + p + close.len();
            }
            out.push_str(&sql[start..end]);
            while i < chars.len() && chars[i].0 < end {
                i += 1;
            }
            continue;
        }
        // Words are copied whole; `TIMESTAMP_LTZ '…'` is Spark's other spelling of `TIMESTAMP '…'`.
        if (c.is_ascii_alphabetic() || c == '_') && !(i > 0 && is_ident_char(chars[i - 1].1)) {
            let mut j = i;
            while at(j).is_some_and(is_ident_char) {
                j += 1;
            }
            let word: String = chars[i..j].iter().map(|(_, c)| *c).collect();
            let mut k = j;
            while at(k).is_some_and(char::is_whitespace) {
                k += 1;
            }
            // A raw string (`r'\d+'`): its backslashes are characters, not escapes.
            if word.eq_ignore_ascii_case("r")
                && let Some(quote @ ('\'' | '"')) = at(j)
                && let Some(close) = (j + 1..chars.len()).find(|&q| at(q) == Some(quote))
            {
                let text: String = chars[j + 1..close].iter().map(|(_, c)| *c).collect();
                out.push('\'');
                out.push_str(&text.replace('\\', "\\\\").replace('\'', "\\'"));
                out.push('\'');
                changed = true;
                i = close + 1;
                continue;
            }
            // `VALUES 1, 2, 3`: one row per expression (sqlparser wants parentheses).
            if word.eq_ignore_ascii_case("VALUES")
                && values_clause_position(&out)
                && let Some((rows, end)) = bare_values(&chars, j)
            {
                out.push_str(&format!("VALUES {rows}"));
                changed = true;
                i = end;
                continue;
            }
            // `extract(field FROM x)` with a field sqlparser does not know (`DAYOFWEEK_ISO`,
            // `yrs`…) is Spark's `date_part('field', x)`.
            if word.eq_ignore_ascii_case("extract")
                && at(k) == Some('(')
                && let Some((field, after_from)) = extract_field(&chars, k + 1)
            {
                out.push_str(&format!("date_part('{field}', "));
                changed = true;
                i = after_from;
                continue;
            }
            // `trim(BOTH FROM s)` (no characters named: spaces), which sqlparser cannot read.
            if word.eq_ignore_ascii_case("trim") && at(k) == Some('(') {
                let (side, after_side) = word_after(&chars, k + 1);
                let (from_word, after_from) = word_after(&chars, after_side);
                if ["BOTH", "LEADING", "TRAILING"]
                    .iter()
                    .any(|s| side.eq_ignore_ascii_case(s))
                    && from_word.eq_ignore_ascii_case("FROM")
                {
                    out.push_str(&format!("{word}({side} ' ' FROM"));
                    changed = true;
                    i = after_from;
                    continue;
                }
            }
            if word.eq_ignore_ascii_case("TIMESTAMP_LTZ") && at(k) == Some('\'') {
                out.push_str("TIMESTAMP");
                changed = true;
            } else if word.eq_ignore_ascii_case("INTERVAL")
                && let Some((units, end)) = multi_unit_interval(&chars, j)
            {
                out.push_str(&format!("INTERVAL '{units}'"));
                changed = true;
                i = end;
                continue;
            } else {
                out.push_str(&word);
            }
            i = j;
            continue;
        }
        let starts_number = c.is_ascii_digit()
            && !(i > 0 && (is_ident_char(chars[i - 1].1) || chars[i - 1].1 == '.'));
        if !starts_number {
            out.push(c);
            i += 1;
            continue;
        }
        let mut j = i;
        while at(j).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
        }
        let mut fractional = false;
        if at(j) == Some('.') && at(j + 1).is_some_and(|c| c.is_ascii_digit()) {
            fractional = true;
            j += 1;
            while at(j).is_some_and(|c| c.is_ascii_digit()) {
                j += 1;
            }
        }
        let digits: String = chars[i..j].iter().map(|(_, c)| *c).collect();
        let suffix_len = match (at(j).map(|c| c.to_ascii_uppercase()), at(j + 1)) {
            (Some('B'), Some('d' | 'D')) => 2,
            (Some('Y' | 'S' | 'D' | 'F' | 'L'), _) => 1,
            _ => 0,
        };
        let after = at(j + suffix_len);
        let typed = if suffix_len > 0 && !after.is_some_and(is_ident_char) {
            let suffix: String = chars[j..j + suffix_len]
                .iter()
                .map(|(_, c)| c.to_ascii_uppercase())
                .collect();
            match suffix.as_str() {
                "Y" if !fractional => Some("TINYINT".to_string()),
                "S" if !fractional => Some("SMALLINT".to_string()),
                "L" if !fractional => Some("BIGINT".to_string()),
                "D" => Some("DOUBLE".to_string()),
                "F" => Some("FLOAT".to_string()),
                "BD" => Some(decimal_type(&digits)),
                _ => None,
            }
        } else {
            None
        };
        match typed {
            Some(t) => {
                out.push_str(&format!("{digits}::{t}"));
                changed = true;
                i = j + suffix_len;
            }
            None => {
                out.push_str(&digits);
                i = j;
            }
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_values_rows_get_parentheses() {
        assert_eq!(
            rewrite_literal_suffixes("SELECT * FROM VALUES 0, 1, abs(-2) AS t(id)"),
            "SELECT * FROM VALUES (0), (1), (abs(-2)) AS t(id)"
        );
        assert_eq!(
            rewrite_literal_suffixes("SELECT * FROM (VALUES 1) T(c)"),
            "SELECT * FROM (VALUES (1) ) T(c)"
        );
        // Parenthesized rows and a column called `values` are left alone.
        let rows = "SELECT * FROM VALUES (1, 2), (3, 4)";
        assert_eq!(rewrite_literal_suffixes(rows), rows);
        let column = "SELECT values FROM t";
        assert_eq!(rewrite_literal_suffixes(column), column);
    }

    #[test]
    fn types_suffixed_literals_only_outside_strings() {
        assert_eq!(
            rewrite_literal_suffixes("SELECT 1Y, 2s, 1.5D, 0.25f, 1.50BD, 7bd, 1L, t1.x2"),
            "SELECT 1::TINYINT, 2::SMALLINT, 1.5::DOUBLE, 0.25::FLOAT, 1.50::DECIMAL(3,2), 7::DECIMAL(1,0), 1::BIGINT, t1.x2"
        );
        let untouched =
            "SELECT '1D', `2Y`, 3 AS days -- 4D\n FROM t /* 5S */ WHERE a = 'it\\'s 1Y'";
        assert_eq!(rewrite_literal_suffixes(untouched), untouched);
        assert_eq!(
            rewrite_literal_suffixes("SELECT 1 day, 2Days"),
            "SELECT 1 day, 2Days"
        );
        assert_eq!(
            rewrite_literal_suffixes("SELECT 0.01BD"),
            "SELECT 0.01::DECIMAL(2,2)"
        );
        assert_eq!(
            rewrite_literal_suffixes(
                "SELECT interval 10 year 20 month, INTERVAL '1' DAY -2 hours, interval 3 days, interval 1 day AS d"
            ),
            "SELECT INTERVAL '10 year 20 month', INTERVAL '1 DAY -2 hours', interval 3 days, interval 1 day AS d"
        );
        assert_eq!(
            rewrite_literal_suffixes("SELECT timestamp_ltz '2024-01-01', timestamp_ltz, x1L"),
            "SELECT TIMESTAMP '2024-01-01', timestamp_ltz, x1L"
        );
        assert_eq!(
            rewrite_literal_suffixes(r"SELECT 'C:\\', '1D', 2D"),
            r"SELECT 'C:\\', '1D', 2::DOUBLE"
        );
    }
}
