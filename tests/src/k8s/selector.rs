//! Label and field selectors, as `labelSelector=` and `fieldSelector=` queries carry them.
//!
//! Launchers find their executor pods by label (`spark-app-selector=…,spark-role=executor`), so
//! the stand-in must select exactly as the API server does: `k=v`, `k==v`, `k!=v`, `k`, `!k`,
//! `k in (a,b)`, `k notin (a,b)`, `k>n`, `k<n`, with commas meaning AND.

use serde_json::Value;

use super::error::ApiError;
use super::validate::{is_label_key, is_label_value};

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Eq(String),
    NotEq(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    NotExists,
    Gt(i64),
    Lt(i64),
}

/// A parsed label selector: every requirement must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector(Vec<(String, Op)>);

/// Splits at commas outside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn bad(selector: &str, why: &str) -> ApiError {
    ApiError::BadRequest(format!(
        "unable to parse requirement: {why} in selector \"{selector}\""
    ))
}

fn parse_set(selector: &str, rest: &str) -> Result<Vec<String>, ApiError> {
    let inner = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| bad(selector, "expected a parenthesised value list"))?;
    let values: Vec<String> = inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if let Some(v) = values.iter().find(|v| !is_label_value(v)) {
        return Err(bad(selector, &format!("invalid label value \"{v}\"")));
    }
    Ok(values)
}

fn parse_requirement(selector: &str, part: &str) -> Result<(String, Op), ApiError> {
    let part = part.trim();
    if let Some(key) = part.strip_prefix('!') {
        return Ok((key.trim().to_string(), Op::NotExists));
    }
    for (token, make) in [
        ("!=", (|v| Op::NotEq(v)) as fn(String) -> Op),
        ("==", |v| Op::Eq(v)),
        ("=", |v| Op::Eq(v)),
    ] {
        if let Some((key, value)) = part.split_once(token) {
            let value = value.trim();
            if !is_label_value(value) {
                return Err(bad(selector, &format!("invalid label value \"{value}\"")));
            }
            return Ok((key.trim().to_string(), make(value.to_string())));
        }
    }
    for (token, gt) in [(">", true), ("<", false)] {
        if let Some((key, value)) = part.split_once(token) {
            let n = value.trim().parse::<i64>().map_err(|_| {
                bad(
                    selector,
                    "for 'Gt', 'Lt' operators, the value must be an integer",
                )
            })?;
            let op = if gt { Op::Gt(n) } else { Op::Lt(n) };
            return Ok((key.trim().to_string(), op));
        }
    }
    let mut words = part.splitn(2, char::is_whitespace);
    let key = words.next().unwrap_or_default().to_string();
    let rest = words.next().unwrap_or_default().trim_start();
    if rest.is_empty() {
        return Ok((key, Op::Exists));
    }
    if let Some(set) = rest.strip_prefix("notin") {
        return Ok((key, Op::NotIn(parse_set(selector, set)?)));
    }
    if let Some(set) = rest.strip_prefix("in") {
        return Ok((key, Op::In(parse_set(selector, set)?)));
    }
    Err(bad(selector, &format!("unknown operator in \"{part}\"")))
}

impl LabelSelector {
    /// Parses a selector; an empty string selects everything.
    pub fn parse(selector: &str) -> Result<Self, ApiError> {
        if selector.trim().is_empty() {
            return Ok(Self::default());
        }
        let mut requirements = Vec::new();
        for part in split_top_level(selector) {
            let (key, op) = parse_requirement(selector, part)?;
            if !is_label_key(&key) {
                return Err(bad(selector, &format!("invalid label key \"{key}\"")));
            }
            requirements.push((key, op));
        }
        Ok(Self(requirements))
    }

    /// Whether `object`'s `metadata.labels` satisfy every requirement.
    pub fn matches(&self, object: &Value) -> bool {
        let labels = &object["metadata"]["labels"];
        self.0.iter().all(|(key, op)| {
            let value = labels.get(key).and_then(Value::as_str);
            match op {
                Op::Eq(v) => value == Some(v.as_str()),
                Op::NotEq(v) => value != Some(v.as_str()),
                Op::In(set) => value.is_some_and(|x| set.iter().any(|v| v == x)),
                Op::NotIn(set) => !value.is_some_and(|x| set.iter().any(|v| v == x)),
                Op::Exists => value.is_some(),
                Op::NotExists => value.is_none(),
                Op::Gt(n) => value
                    .and_then(|x| x.parse::<i64>().ok())
                    .is_some_and(|x| x > *n),
                Op::Lt(n) => value
                    .and_then(|x| x.parse::<i64>().ok())
                    .is_some_and(|x| x < *n),
            }
        })
    }
}

/// A parsed field selector: `path=value`, `path==value`, `path!=value`, comma-separated (AND),
/// where `path` is a dotted JSON path such as `metadata.name` or `status.phase`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    /// Parses a selector; an empty string selects everything.
    pub fn parse(selector: &str) -> Result<Self, ApiError> {
        let mut terms = Vec::new();
        for part in selector.split(',').filter(|p| !p.trim().is_empty()) {
            let (path, equal, value) = if let Some((p, v)) = part.split_once("!=") {
                (p, false, v)
            } else if let Some((p, v)) = part.split_once("==") {
                (p, true, v)
            } else if let Some((p, v)) = part.split_once('=') {
                (p, true, v)
            } else {
                return Err(ApiError::BadRequest(format!(
                    "invalid selector: '{selector}'; can't understand '{part}'"
                )));
            };
            terms.push((path.trim().to_string(), equal, value.trim().to_string()));
        }
        Ok(Self(terms))
    }

    /// Whether the fields of `object` satisfy every term (a missing field reads as "").
    pub fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|(path, equal, value)| {
            let field = path
                .split('.')
                .try_fold(object, |v, segment| v.get(segment))
                .and_then(Value::as_str)
                .unwrap_or_default();
            (field == value) == *equal
        })
    }
}

/// Both selectors of a list or watch request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selectors {
    /// `labelSelector`.
    pub labels: LabelSelector,
    /// `fieldSelector`.
    pub fields: FieldSelector,
}

impl Selectors {
    /// Whether `object` is selected.
    pub fn matches(&self, object: &Value) -> bool {
        self.labels.matches(object) && self.fields.matches(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(labels: Value) -> Value {
        json!({"metadata": {"name": "p", "labels": labels}, "status": {"phase": "Running"}})
    }

    fn selects(selector: &str, labels: Value) -> bool {
        LabelSelector::parse(selector)
            .expect("valid selector")
            .matches(&pod(labels))
    }

    #[test]
    fn label_selectors_follow_kubernetes() {
        let l = json!({"app": "x", "role": "executor", "n": "5"});
        assert!(selects("", l.clone()));
        assert!(selects("app=x", l.clone()));
        assert!(selects("app==x,role=executor", l.clone()));
        assert!(!selects("app=x,role=driver", l.clone()));
        assert!(selects("app!=y", l.clone()));
        assert!(selects("missing!=y", l.clone()));
        assert!(selects("app", l.clone()));
        assert!(!selects("!app", l.clone()));
        assert!(selects("!missing", l.clone()));
        assert!(selects("role in (driver, executor)", l.clone()));
        assert!(!selects("role notin (driver,executor)", l.clone()));
        assert!(selects("missing notin (a)", l.clone()));
        assert!(!selects("missing in (a)", l.clone()));
        assert!(selects("n>4,n<6", l.clone()));
        assert!(selects("spark.apache.org/x!=1 , app in (x)", l));
    }

    #[test]
    fn malformed_selectors_are_bad_requests() {
        for s in ["app in x", "app=-bad", "Bad Key=1", "app foo (a)", "n>x"] {
            let err = LabelSelector::parse(s).expect_err(s);
            assert_eq!(err.code(), 400, "{s}");
        }
    }

    #[test]
    fn field_selectors_read_dotted_paths() {
        let p = pod(json!({}));
        let parse = |s| FieldSelector::parse(s).expect("valid");
        assert!(parse("metadata.name=p").matches(&p));
        assert!(parse("metadata.name==p,status.phase!=Pending").matches(&p));
        assert!(!parse("metadata.name=q").matches(&p));
        assert!(FieldSelector::parse("metadata.name").is_err());
    }
}
