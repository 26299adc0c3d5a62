//! The Spark statement layer: the statements Spark SQL has and DataFusion's parser does not
//! (`SET`/`RESET`, `CREATE TEMPORARY VIEW`, ...), recognised here before the rest goes to
//! DataFusion, plus splitting a script into statements.

pub mod names;
pub mod split;

/// A statement that Ember handles itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SparkStatement {
    /// `SET`: list the explicitly set keys.
    SetList,
    /// `SET key`: show one key.
    SetShow(String),
    /// `SET key=value`.
    Set(String, String),
    /// `RESET` or `RESET key`.
    Reset(Option<String>),
    /// `CREATE [OR REPLACE] [GLOBAL] TEMPORARY VIEW name AS query`, as DataFusion SQL.
    CreateView { sql: String },
}

/// Returns the first `n` whitespace-separated words of `sql`, upper-cased.
fn words(sql: &str, n: usize) -> Vec<String> {
    sql.split_whitespace()
        .take(n)
        .map(|w| w.to_ascii_uppercase())
        .collect()
}

/// Recognises the statements Ember handles itself; `None` means "give it to DataFusion".
pub fn parse(sql: &str) -> Option<SparkStatement> {
    let trimmed = sql.trim().trim_end_matches(';').trim();
    let w = words(trimmed, 6);
    match w.first().map(String::as_str) {
        Some("SET") => {
            let rest = trimmed[3..].trim();
            if rest.is_empty() {
                return Some(SparkStatement::SetList);
            }
            match rest.split_once('=') {
                Some((k, v)) => Some(SparkStatement::Set(
                    k.trim().to_string(),
                    v.trim().trim_matches('\'').to_string(),
                )),
                None if !rest.contains(char::is_whitespace) => {
                    Some(SparkStatement::SetShow(rest.to_string()))
                }
                None => None,
            }
        }
        Some("RESET") => {
            let rest = trimmed[5..].trim();
            Some(SparkStatement::Reset(
                (!rest.is_empty()).then(|| rest.to_string()),
            ))
        }
        Some("CREATE") => {
            // CREATE [OR REPLACE] [GLOBAL] TEMP|TEMPORARY VIEW ...
            let mut i = 1;
            let or_replace = w.get(1).map(String::as_str) == Some("OR")
                && w.get(2).map(String::as_str) == Some("REPLACE");
            if or_replace {
                i = 3;
            }
            if w.get(i).map(String::as_str) == Some("GLOBAL") {
                i += 1;
            }
            let temp = matches!(w.get(i).map(String::as_str), Some("TEMP" | "TEMPORARY"));
            if !temp || w.get(i + 1).map(String::as_str) != Some("VIEW") {
                return None;
            }
            // Drop the words before VIEW and rebuild a plain CREATE [OR REPLACE] VIEW.
            let mut rest = trimmed;
            for _ in 0..=i {
                rest = rest.trim_start();
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                rest = &rest[end..];
            }
            let head = if or_replace {
                "CREATE OR REPLACE"
            } else {
                "CREATE"
            };
            Some(SparkStatement::CreateView {
                sql: format!("{head} {}", rest.trim_start()),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_set_and_reset() {
        assert_eq!(parse("SET"), Some(SparkStatement::SetList));
        assert_eq!(
            parse("set spark.sql.ansi.enabled = false;"),
            Some(SparkStatement::Set(
                "spark.sql.ansi.enabled".into(),
                "false".into()
            ))
        );
        assert_eq!(
            parse("SET a.b"),
            Some(SparkStatement::SetShow("a.b".into()))
        );
        assert_eq!(parse("RESET"), Some(SparkStatement::Reset(None)));
    }

    #[test]
    fn rewrites_temporary_views() {
        assert_eq!(
            parse("CREATE OR REPLACE TEMPORARY VIEW v AS SELECT 1"),
            Some(SparkStatement::CreateView {
                sql: "CREATE OR REPLACE VIEW v AS SELECT 1".into()
            })
        );
        assert_eq!(
            parse("create global temp view v as select 1"),
            Some(SparkStatement::CreateView {
                sql: "CREATE view v as select 1".into()
            })
        );
        assert_eq!(parse("CREATE VIEW v AS SELECT 1"), None);
        assert_eq!(parse("SELECT 1"), None);
    }
}
