//! The Spark statement layer: the statements Spark SQL has and DataFusion's parser does not
//! (`SET`/`RESET`, `CREATE TEMPORARY VIEW`, ...), recognised here before the rest goes to
//! DataFusion, plus splitting a script into statements.

pub mod ddl;
mod execute;
pub mod split;
mod tables;

use std::collections::BTreeMap;

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
    /// `CREATE [OR REPLACE] [GLOBAL] TEMPORARY VIEW name USING format [OPTIONS (...)]`.
    CreateViewUsing {
        name: String,
        replace: bool,
        format: String,
        options: BTreeMap<String, String>,
    },
    /// `SHOW TABLES`.
    ShowTables,
    /// `SHOW [USER|SYSTEM|ALL] FUNCTIONS [[LIKE] 'pattern']`.
    ShowFunctions(Option<String>),
    /// `CREATE DATABASE|SCHEMA|NAMESPACE [IF NOT EXISTS] name`: a schema of the catalog.
    CreateDatabase { name: String, if_not_exists: bool },
    /// `USE [DATABASE] name`.
    Use(String),
    /// `EXPLAIN FORMATTED|EXTENDED|COST|CODEGEN query`, as the plain `EXPLAIN query`.
    Explain(String),
    /// `SHOW DATABASES` / `SHOW NAMESPACES` / `SHOW SCHEMAS`.
    ShowDatabases,
    /// `SHOW COLUMNS IN|FROM t`.
    ShowColumns(String),
    /// `DESCRIBE [TABLE] [EXTENDED|FORMATTED] t`.
    Describe { name: String, extended: bool },
    /// `CACHE [LAZY] TABLE name [AS query]`.
    CacheTable { name: String, query: Option<String> },
    /// `UNCACHE TABLE [IF EXISTS] name`.
    UncacheTable { name: String, if_exists: bool },
    /// `CREATE TABLE … [USING fmt] … [AS query]`.
    CreateTable(Box<ddl::CreateTable>),
    /// `INSERT INTO|OVERWRITE [TABLE] t … query`.
    Insert(Box<ddl::Insert>),
    /// `INSERT OVERWRITE [LOCAL] DIRECTORY 'path' USING fmt … query`.
    InsertDirectory(Box<ddl::InsertDirectory>),
    /// `DROP TABLE|VIEW [IF EXISTS] name`.
    Drop {
        is_view: bool,
        name: ddl::TableName,
        if_exists: bool,
    },
    /// `TRUNCATE TABLE name`.
    Truncate(ddl::TableName),
    /// A Spark statement Ember recognised but could not parse.
    Invalid(String),
}

/// Returns the first `n` whitespace-separated words of `sql`, upper-cased.
fn words(sql: &str, n: usize) -> Vec<String> {
    sql.split_whitespace()
        .take(n)
        .map(|w| w.to_ascii_uppercase())
        .collect()
}

/// `text` after its leading `word` (ASCII, any case), if it starts with it. Safe on any UTF-8:
/// a prefix that would end inside a character is not the word.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let head = text.get(..word.len())?;
    head.eq_ignore_ascii_case(word).then(|| &text[word.len()..])
}

/// Recognises the statements Ember handles itself; `None` means "give it to DataFusion".
pub fn parse(sql: &str) -> Option<SparkStatement> {
    let trimmed = sql.trim().trim_end_matches(';').trim();
    let w = words(trimmed, 6);
    if let Some(first) = w.first()
        && let Some(statement) = parse_table_statement(first, trimmed)
    {
        return Some(statement);
    }
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
        Some("USE") => {
            let words: Vec<&str> = trimmed.split_whitespace().collect();
            let name = match words.as_slice() {
                [_, name] => name,
                [_, kind, name]
                    if matches!(
                        kind.to_ascii_uppercase().as_str(),
                        "DATABASE" | "SCHEMA" | "NAMESPACE"
                    ) =>
                {
                    name
                }
                _ => return None,
            };
            Some(SparkStatement::Use(name.trim_matches('`').to_string()))
        }
        Some("EXPLAIN")
            if matches!(
                w.get(1).map(String::as_str),
                Some("FORMATTED" | "EXTENDED" | "COST" | "CODEGEN")
            ) =>
        {
            let rest = trimmed.split_once(char::is_whitespace)?.1.trim_start();
            let query = rest.split_once(char::is_whitespace)?.1;
            Some(SparkStatement::Explain(format!("EXPLAIN {query}")))
        }
        Some("CACHE") => {
            let mut rest = trimmed[5..].trim_start();
            for word in ["LAZY", "TABLE"] {
                if let Some(after) = strip_word(rest, word) {
                    rest = after.trim_start();
                }
            }
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (name, after) = rest.split_at(end);
            let name = name.trim_matches('`').to_string();
            let after = after.trim_start();
            let query = if let Some(query) = strip_word(after, "AS").filter(|q| !q.is_empty()) {
                Some(query.trim_start().to_string())
            } else if after.is_empty() {
                None
            } else {
                return Some(SparkStatement::Invalid(
                    "[PARSE_SYNTAX_ERROR] expected CACHE TABLE name [AS query]".into(),
                ));
            };
            Some(SparkStatement::CacheTable { name, query })
        }
        Some("UNCACHE") => {
            let words: Vec<&str> = trimmed.split_whitespace().collect();
            match words.as_slice() {
                [_, t, name] if t.eq_ignore_ascii_case("TABLE") => {
                    Some(SparkStatement::UncacheTable {
                        name: name.trim_matches('`').to_string(),
                        if_exists: false,
                    })
                }
                [_, t, i, e, name]
                    if t.eq_ignore_ascii_case("TABLE")
                        && i.eq_ignore_ascii_case("IF")
                        && e.eq_ignore_ascii_case("EXISTS") =>
                {
                    Some(SparkStatement::UncacheTable {
                        name: name.trim_matches('`').to_string(),
                        if_exists: true,
                    })
                }
                _ => None,
            }
        }
        Some("SHOW") => match w.get(1).map(String::as_str) {
            Some("TABLES") if w.len() == 2 => Some(SparkStatement::ShowTables),
            Some("DATABASES" | "NAMESPACES" | "SCHEMAS") if w.len() == 2 => {
                Some(SparkStatement::ShowDatabases)
            }
            Some("FUNCTIONS" | "USER" | "SYSTEM" | "ALL") => {
                let mut c = ddl::Cursor::new(trimmed)?;
                c.keyword("SHOW");
                let _ = c.keyword("USER") || c.keyword("SYSTEM") || c.keyword("ALL");
                if !c.keyword("FUNCTIONS") {
                    return None;
                }
                c.keyword("LIKE");
                let pattern = c.string_or_identifier();
                if !c.at_end() {
                    return Some(SparkStatement::Invalid(
                        "[PARSE_SYNTAX_ERROR] expected SHOW FUNCTIONS [LIKE] 'pattern'".into(),
                    ));
                }
                Some(SparkStatement::ShowFunctions(pattern))
            }
            Some("COLUMNS") if matches!(w.get(2).map(String::as_str), Some("IN" | "FROM")) => {
                let name = trimmed.split_whitespace().nth(3)?;
                Some(SparkStatement::ShowColumns(
                    name.trim_matches('`').to_string(),
                ))
            }
            _ => None,
        },
        Some("DESCRIBE" | "DESC") => {
            let mut words = trimmed.split_whitespace().skip(1).peekable();
            let mut extended = false;
            while let Some(w) = words.peek() {
                match w.to_ascii_uppercase().as_str() {
                    "TABLE" => {}
                    "EXTENDED" | "FORMATTED" => extended = true,
                    _ => break,
                }
                words.next();
            }
            let name = words.next()?;
            if words.next().is_some() {
                return None;
            }
            Some(SparkStatement::Describe {
                name: name.replace('`', ""),
                extended,
            })
        }
        Some("CREATE")
            if matches!(
                w.get(1).map(String::as_str),
                Some("DATABASE" | "SCHEMA" | "NAMESPACE")
            ) =>
        {
            let words: Vec<&str> = trimmed.split_whitespace().collect();
            let (if_not_exists, name) = match words.get(2..5) {
                Some([i, n, e])
                    if i.eq_ignore_ascii_case("IF")
                        && n.eq_ignore_ascii_case("NOT")
                        && e.eq_ignore_ascii_case("EXISTS") =>
                {
                    (true, words.get(5)?)
                }
                _ => (false, words.get(2)?),
            };
            Some(SparkStatement::CreateDatabase {
                name: name.trim_matches('`').to_string(),
                if_not_exists,
            })
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
            // `rest` starts with the word VIEW.
            let after_view = rest.trim_start().get(4..).unwrap_or("");
            if let Some(statement) = parse_view_using(after_view, or_replace) {
                return Some(statement);
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

/// Parses `name USING format [OPTIONS (key 'value', ...)]` (after `VIEW`). `None` when there is
/// no `USING` (a view over a query).
fn parse_view_using(text: &str, replace: bool) -> Option<SparkStatement> {
    let mut c = ddl::Cursor::new(text)?;
    let name = c.table_name()?.to_string();
    if !c.keyword("USING") {
        return None;
    }
    let invalid = |why: &str| {
        Some(SparkStatement::Invalid(format!(
            "[PARSE_SYNTAX_ERROR] {why}"
        )))
    };
    let Some(format) = c.identifier() else {
        return invalid("USING needs a data source name");
    };
    let mut options = BTreeMap::new();
    if c.keyword("OPTIONS") {
        match c.options() {
            Ok(o) => options = o,
            Err(e) => return invalid(&e),
        }
    }
    if !c.at_end() {
        return invalid("unexpected text after OPTIONS");
    }
    Some(SparkStatement::CreateViewUsing {
        name,
        replace,
        format,
        options,
    })
}

/// Runs the table statement parsers of [`ddl`] for statements starting with `first`.
fn parse_table_statement(first: &str, sql: &str) -> Option<SparkStatement> {
    use ddl::Parsed;
    // A reason that already names Spark's class (a statement that parses but breaks a rule)
    // keeps it; anything else is a syntax error.
    let invalid = |why: String| {
        Some(SparkStatement::Invalid(
            if ember_spark::errors::class_in_message(&why).is_some() {
                why
            } else {
                format!("[PARSE_SYNTAX_ERROR] {why}")
            },
        ))
    };
    match first {
        "CREATE" => match ddl::parse_create_table(sql) {
            Parsed::Yes(t) => Some(SparkStatement::CreateTable(Box::new(t))),
            Parsed::Invalid(why) => invalid(why),
            Parsed::No => None,
        },
        "INSERT" => match ddl::parse_insert(sql) {
            Parsed::Yes(Ok(i)) => Some(SparkStatement::Insert(Box::new(i))),
            Parsed::Yes(Err(d)) => Some(SparkStatement::InsertDirectory(Box::new(d))),
            Parsed::Invalid(why) => invalid(why),
            Parsed::No => None,
        },
        "DROP" => match ddl::parse_drop(sql) {
            Parsed::Yes((is_view, name, if_exists)) => Some(SparkStatement::Drop {
                is_view,
                name,
                if_exists,
            }),
            Parsed::Invalid(why) => invalid(why),
            Parsed::No => None,
        },
        "TRUNCATE" => match ddl::parse_truncate(sql) {
            Parsed::Yes(name) => Some(SparkStatement::Truncate(name)),
            Parsed::Invalid(why) => invalid(why),
            Parsed::No => None,
        },
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
        assert_eq!(
            parse(
                "CREATE OR REPLACE TEMPORARY VIEW people USING csv OPTIONS (path '/d/p.csv', header 'true', inferSchema = true)"
            ),
            Some(SparkStatement::CreateViewUsing {
                name: "people".into(),
                replace: true,
                format: "csv".into(),
                options: BTreeMap::from([
                    ("path".to_string(), "/d/p.csv".to_string()),
                    ("header".to_string(), "true".to_string()),
                    ("inferschema".to_string(), "true".to_string()),
                ]),
            })
        );
        assert!(matches!(
            parse("CREATE TEMP VIEW v USING parquet OPTIONS (path)"),
            Some(SparkStatement::Invalid(_))
        ));
        assert_eq!(parse("SELECT 1"), None);
    }

    #[test]
    fn reads_names_in_any_script() {
        assert_eq!(
            parse("CACHE abcé"),
            Some(SparkStatement::CacheTable {
                name: "abcé".into(),
                query: None
            })
        );
        assert_eq!(
            parse("CACHE LAZY TABLE été AS SELECT 1"),
            Some(SparkStatement::CacheTable {
                name: "été".into(),
                query: Some("SELECT 1".into())
            })
        );
        assert_eq!(strip_word("tablé", "TABLE"), None);
        assert_eq!(strip_word("éa", "AS"), None);
    }
}
