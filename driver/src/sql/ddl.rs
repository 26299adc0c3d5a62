//! Parsing Spark's table statements that DataFusion's parser does not take:
//! `CREATE TABLE … USING … [OPTIONS] [PARTITIONED BY] [LOCATION] [AS query]`,
//! `INSERT INTO|OVERWRITE [TABLE] t [PARTITION (…)] query`,
//! `INSERT OVERWRITE [LOCAL] DIRECTORY ['path'] USING fmt [OPTIONS] query`,
//! `DROP TABLE|VIEW [IF EXISTS] t` and `TRUNCATE TABLE t`.
//!
//! Each parser walks sqlparser's tokens (so quoting and comments follow Spark's dialect) and
//! hands the embedded query back as the original text, which then goes through the normal
//! query path.

use std::collections::BTreeMap;

use datafusion::sql::sqlparser::dialect::SparkSqlDialect;
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// A possibly database-qualified table name, lower-cased as Spark's catalog does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableName {
    /// The database, if given.
    pub database: Option<String>,
    /// The table.
    pub table: String,
}

impl std::fmt::Display for TableName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.database {
            Some(db) => write!(f, "{db}.{}", self.table),
            None => write!(f, "{}", self.table),
        }
    }
}

/// A column of `CREATE TABLE t (a INT COMMENT '…', …)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    /// Column name as written.
    pub name: String,
    /// The type as SQL text (`INT`, `DECIMAL(10,2)`, `ARRAY<STRING>`).
    pub data_type: String,
}

/// `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTable {
    pub name: TableName,
    pub or_replace: bool,
    pub if_not_exists: bool,
    pub columns: Vec<ColumnDef>,
    /// `USING fmt`; `None` means `spark.sql.sources.default`.
    pub provider: Option<String>,
    pub options: BTreeMap<String, String>,
    pub partition_by: Vec<String>,
    pub location: Option<String>,
    pub comment: Option<String>,
    /// `AS query` (the query text).
    pub query: Option<String>,
}

/// `INSERT INTO|OVERWRITE [TABLE] t [PARTITION (k[=v], …)] [(cols)] query`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insert {
    pub table: TableName,
    pub overwrite: bool,
    /// Partition spec: column and, for a static partition, its value as SQL literal text.
    pub partition: Vec<(String, Option<String>)>,
    /// Explicit column list, if given.
    pub columns: Vec<String>,
    /// `IF NOT EXISTS` (after a static partition spec).
    pub if_not_exists: bool,
    pub query: String,
}

/// `INSERT OVERWRITE [LOCAL] DIRECTORY ['path'] USING fmt [OPTIONS (…)] query`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsertDirectory {
    pub path: String,
    pub provider: String,
    pub options: BTreeMap<String, String>,
    pub query: String,
}

/// What a parser in this module found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<T> {
    /// Not this statement: let someone else try.
    No,
    /// This statement, well formed.
    Yes(T),
    /// This statement, malformed: Spark's parse error text.
    Invalid(String),
}

/// A cursor over the significant tokens of a statement, remembering where each token starts in
/// the original text.
pub(crate) struct Cursor<'a> {
    text: &'a str,
    tokens: Vec<(Token, usize)>,
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// Tokenizes `text`; `None` when it does not tokenize (DataFusion reports the error).
    pub(crate) fn new(text: &'a str) -> Option<Self> {
        let tokens: Vec<TokenWithSpan> = Tokenizer::new(&SparkSqlDialect {}, text)
            .tokenize_with_location()
            .ok()?;
        // Byte offset of each line start, to turn (line, column) locations into offsets.
        let mut line_starts = vec![0usize];
        for (i, c) in text.char_indices() {
            if c == '\n' {
                line_starts.push(i + 1);
            }
        }
        let offset = |line: u64, column: u64| -> usize {
            let start = line_starts
                .get((line as usize).saturating_sub(1))
                .copied()
                .unwrap_or(text.len());
            text[start..]
                .char_indices()
                .nth((column as usize).saturating_sub(1))
                .map_or(text.len(), |(i, _)| start + i)
        };
        let tokens = tokens
            .into_iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
            .map(|t| {
                let at = offset(t.span.start.line, t.span.start.column);
                (t.token, at)
            })
            .collect();
        Some(Self {
            text,
            tokens,
            pos: 0,
        })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Token> {
        self.tokens.get(self.pos + ahead).map(|(t, _)| t)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).map(|(t, _)| t.clone());
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// True when the next token is the keyword `kw` (case-insensitive, unquoted).
    fn is_keyword(&self, kw: &str) -> bool {
        self.is_keyword_at(0, kw)
    }

    fn is_keyword_at(&self, ahead: usize, kw: &str) -> bool {
        matches!(self.peek_at(ahead), Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
    }

    /// Consumes the keyword `kw` if it is next.
    pub(crate) fn keyword(&mut self, kw: &str) -> bool {
        let found = self.is_keyword(kw);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Consumes the keywords `kws` if they are all next.
    fn keywords(&mut self, kws: &[&str]) -> bool {
        let found = kws
            .iter()
            .enumerate()
            .all(|(i, k)| self.is_keyword_at(i, k));
        if found {
            self.pos += kws.len();
        }
        found
    }

    fn token(&mut self, token: &Token) -> bool {
        let found = self.peek() == Some(token);
        if found {
            self.pos += 1;
        }
        found
    }

    /// An identifier (quoted or not).
    pub(crate) fn identifier(&mut self) -> Option<String> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let value = w.value.clone();
                self.pos += 1;
                Some(value)
            }
            _ => None,
        }
    }

    /// `name` or `db.name`, lower-cased.
    pub(crate) fn table_name(&mut self) -> Option<TableName> {
        let first = self.identifier()?;
        if self.token(&Token::Period) {
            let second = self.identifier()?;
            return Some(TableName {
                database: Some(first.to_ascii_lowercase()),
                table: second.to_ascii_lowercase(),
            });
        }
        Some(TableName {
            database: None,
            table: first.to_ascii_lowercase(),
        })
    }

    /// A string literal.
    fn string(&mut self) -> Option<String> {
        match self.peek() {
            Some(Token::SingleQuotedString(s)) | Some(Token::DoubleQuotedString(s)) => {
                let s = s.clone();
                self.pos += 1;
                Some(s)
            }
            _ => None,
        }
    }

    /// A string literal or a bare word (`SHOW FUNCTIONS LIKE 'a*'` / `SHOW FUNCTIONS abs`).
    pub(crate) fn string_or_identifier(&mut self) -> Option<String> {
        self.string().or_else(|| self.identifier())
    }

    /// True at the end of the statement (or at its `;`).
    pub(crate) fn at_end(&self) -> bool {
        matches!(self.peek(), None | Some(Token::SemiColon))
    }

    /// The original text from the current token to the end (without a trailing `;`).
    fn rest(&self) -> String {
        let start = self
            .tokens
            .get(self.pos)
            .map_or(self.text.len(), |(_, at)| *at);
        self.text[start..]
            .trim()
            .trim_end_matches(';')
            .trim_end()
            .to_string()
    }

    /// `(key 'value', key2 = value, a.b 'c')` after `OPTIONS`; keys lower-cased.
    pub(crate) fn options(&mut self) -> Result<BTreeMap<String, String>, String> {
        let mut options = BTreeMap::new();
        if !self.token(&Token::LParen) {
            return Err("OPTIONS needs a parenthesised list".into());
        }
        loop {
            match self.next() {
                Some(Token::RParen) => return Ok(options),
                Some(Token::Comma) => {}
                Some(Token::Word(w)) => {
                    let mut key = w.value;
                    while self.token(&Token::Period) {
                        key = format!("{key}.{}", self.identifier().unwrap_or_default());
                    }
                    options.insert(key.to_ascii_lowercase(), self.option_value(&key)?);
                }
                Some(Token::SingleQuotedString(key)) => {
                    options.insert(key.to_ascii_lowercase(), self.option_value(&key)?);
                }
                _ => return Err("malformed OPTIONS list".into()),
            }
        }
    }

    fn option_value(&mut self, key: &str) -> Result<String, String> {
        self.token(&Token::Eq);
        match self.next() {
            Some(Token::SingleQuotedString(s)) | Some(Token::DoubleQuotedString(s)) => Ok(s),
            Some(Token::Number(n, _)) => Ok(n),
            Some(Token::Word(w)) => Ok(w.value),
            _ => Err(format!("option {key} needs a value")),
        }
    }

    /// `(a, b, c)`: a parenthesised list of identifiers.
    fn identifier_list(&mut self) -> Result<Vec<String>, String> {
        if !self.token(&Token::LParen) {
            return Err("expected a parenthesised list of columns".into());
        }
        let mut names = Vec::new();
        loop {
            match self.next() {
                Some(Token::Word(w)) => names.push(w.value),
                Some(Token::Comma) => {}
                Some(Token::RParen) => return Ok(names),
                _ => return Err("expected a column name".into()),
            }
        }
    }

    /// The text of the tokens up to the matching `)` (the cursor is after the `(`).
    fn balanced(&mut self) -> Result<Vec<Token>, String> {
        let mut depth = 0usize;
        let mut out = Vec::new();
        loop {
            match self.next() {
                None => return Err("unbalanced parentheses".into()),
                Some(Token::RParen) if depth == 0 => return Ok(out),
                Some(t) => {
                    match t {
                        Token::LParen | Token::Lt => depth += 1,
                        Token::RParen | Token::Gt => depth = depth.saturating_sub(1),
                        Token::ShiftRight => depth = depth.saturating_sub(2),
                        _ => {}
                    }
                    out.push(t);
                }
            }
        }
    }

    /// True when the next tokens start a query (so `(` there is not a column list).
    fn at_query(&self) -> bool {
        ["SELECT", "WITH", "VALUES", "FROM", "TABLE", "MAP", "REDUCE"]
            .iter()
            .any(|k| self.is_keyword(k))
            || self.paren_query()
    }

    /// `(` opening a parenthesised query.
    fn paren_query(&self) -> bool {
        self.peek() == Some(&Token::LParen)
            && (self.peek_at(1) == Some(&Token::LParen)
                || ["SELECT", "WITH", "VALUES", "FROM"]
                    .iter()
                    .any(|k| self.is_keyword_at(1, k)))
    }

    /// `(ident, ident, …)` followed by a query keyword.
    fn looks_like_column_list(&self) -> bool {
        let mut i = 1;
        loop {
            match self.peek_at(i) {
                Some(Token::Word(w)) if i % 2 == 1 && !w.value.eq_ignore_ascii_case("SELECT") => {}
                Some(Token::Comma) if i % 2 == 0 => {}
                Some(Token::RParen) if i % 2 == 0 => break,
                _ => return false,
            }
            i += 1;
        }
        matches!(
            self.peek_at(i + 1),
            Some(Token::Word(_)) | Some(Token::LParen)
        )
    }
}

fn tokens_text(tokens: &[Token]) -> String {
    let mut out = String::new();
    for t in tokens {
        let s = t.to_string();
        let glue = matches!(
            t,
            Token::LParen | Token::RParen | Token::Comma | Token::Lt | Token::Gt | Token::Colon
        ) || out.ends_with(['(', '<', ':']);
        if !out.is_empty() && !glue {
            out.push(' ');
        }
        out.push_str(&s);
    }
    out
}

/// Splits the tokens of a column list on top-level commas.
fn split_top_level(tokens: Vec<Token>) -> Vec<Vec<Token>> {
    let mut parts = vec![Vec::new()];
    let mut depth = 0usize;
    for t in tokens {
        match t {
            Token::Comma if depth == 0 => {
                parts.push(Vec::new());
                continue;
            }
            Token::LParen | Token::Lt => depth += 1,
            Token::RParen | Token::Gt => depth = depth.saturating_sub(1),
            Token::ShiftRight => depth = depth.saturating_sub(2),
            _ => {}
        }
        if let Some(last) = parts.last_mut() {
            last.push(t);
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

fn column_defs(tokens: Vec<Token>) -> Result<Vec<ColumnDef>, String> {
    split_top_level(tokens)
        .into_iter()
        .map(|part| {
            let mut it = part.into_iter();
            let name = match it.next() {
                Some(Token::Word(w)) => w.value,
                _ => return Err("expected a column name".to_string()),
            };
            let mut type_tokens = Vec::new();
            for t in it {
                if let Token::Word(w) = &t
                    && w.quote_style.is_none()
                    && matches!(
                        w.value.to_ascii_uppercase().as_str(),
                        "COMMENT" | "NOT" | "DEFAULT" | "GENERATED"
                    )
                {
                    break;
                }
                type_tokens.push(t);
            }
            if type_tokens.is_empty() {
                return Err(format!("column {name} needs a type"));
            }
            Ok(ColumnDef {
                name,
                data_type: tokens_text(&type_tokens),
            })
        })
        .collect()
}

/// `CREATE [OR REPLACE] [EXTERNAL] TABLE [IF NOT EXISTS] t …`; `No` for anything else
/// (views, databases, DataFusion's own `CREATE EXTERNAL TABLE … STORED AS`).
pub fn parse_create_table(sql: &str) -> Parsed<CreateTable> {
    let Some(mut c) = Cursor::new(sql) else {
        return Parsed::No;
    };
    if !c.keyword("CREATE") {
        return Parsed::No;
    }
    let or_replace = c.keywords(&["OR", "REPLACE"]);
    c.keyword("EXTERNAL");
    if !c.keyword("TABLE") {
        return Parsed::No;
    }
    let if_not_exists = c.keywords(&["IF", "NOT", "EXISTS"]);
    let Some(name) = c.table_name() else {
        return Parsed::Invalid("expected a table name".into());
    };
    let mut table = CreateTable {
        name,
        or_replace,
        if_not_exists,
        columns: Vec::new(),
        provider: None,
        options: BTreeMap::new(),
        partition_by: Vec::new(),
        location: None,
        comment: None,
        query: None,
    };
    if c.peek() == Some(&Token::LParen) && !c.paren_query() {
        c.next();
        match c.balanced().and_then(column_defs) {
            Ok(columns) => table.columns = columns,
            Err(e) => return Parsed::Invalid(e),
        }
    }
    loop {
        if c.at_end() {
            break;
        }
        if c.keyword("USING") {
            match c.identifier() {
                Some(p) => table.provider = Some(p.to_ascii_lowercase()),
                None => return Parsed::Invalid("USING needs a data source name".into()),
            }
        } else if c.keyword("STORED") {
            // Hive's STORED AS is DataFusion's (CREATE EXTERNAL TABLE): leave it alone.
            return Parsed::No;
        } else if c.keyword("OPTIONS") {
            match c.options() {
                Ok(o) => table.options.extend(o),
                Err(e) => return Parsed::Invalid(e),
            }
        } else if c.keywords(&["PARTITIONED", "BY"]) {
            match c.identifier_list() {
                Ok(cols) => {
                    let mut seen = std::collections::HashSet::new();
                    if let Some(repeated) = cols.iter().find(|c| !seen.insert(c.to_lowercase())) {
                        return Parsed::Invalid(format!(
                            "[COLUMN_ALREADY_EXISTS] The column `{repeated}` already exists. \
                             Choose another name or rename the existing column."
                        ));
                    }
                    table.partition_by = cols
                }
                Err(e) => return Parsed::Invalid(e),
            }
        } else if c.keyword("LOCATION") {
            match c.string() {
                Some(l) => table.location = Some(l),
                None => return Parsed::Invalid("LOCATION needs a quoted path".into()),
            }
        } else if c.keyword("COMMENT") {
            match c.string() {
                Some(s) => table.comment = Some(s),
                None => return Parsed::Invalid("COMMENT needs a quoted string".into()),
            }
        } else if c.keyword("TBLPROPERTIES") {
            if let Err(e) = c.options() {
                return Parsed::Invalid(e);
            }
        } else if c.keyword("AS") || c.at_query() {
            table.query = Some(c.rest());
            break;
        } else {
            let near = c.peek().map(ToString::to_string).unwrap_or_default();
            return Parsed::Invalid(format!("unexpected '{near}' in CREATE TABLE"));
        }
    }
    if table.query.as_deref().is_some_and(str::is_empty) {
        return Parsed::Invalid("AS needs a query".into());
    }
    Parsed::Yes(table)
}

/// `INSERT …` into a table or a directory.
pub fn parse_insert(sql: &str) -> Parsed<Result<Insert, InsertDirectory>> {
    let Some(mut c) = Cursor::new(sql) else {
        return Parsed::No;
    };
    if !c.keyword("INSERT") {
        return Parsed::No;
    }
    let overwrite = if c.keyword("OVERWRITE") {
        true
    } else if c.keyword("INTO") {
        false
    } else {
        return Parsed::No;
    };
    if overwrite && (c.is_keyword("DIRECTORY") || c.keywords(&["LOCAL"])) {
        c.keyword("DIRECTORY");
        let mut path = c.string();
        if !c.keyword("USING") {
            return Parsed::Invalid(
                "Ember writes directories with USING parquet|csv|json (Hive's ROW FORMAT / STORED AS is not supported)".into(),
            );
        }
        let Some(provider) = c.identifier() else {
            return Parsed::Invalid("USING needs a data source name".into());
        };
        let mut options = BTreeMap::new();
        if c.keyword("OPTIONS") {
            match c.options() {
                Ok(o) => options = o,
                Err(e) => return Parsed::Invalid(e),
            }
        }
        if path.is_none() {
            path = options.get("path").cloned();
        }
        let Some(path) = path else {
            return Parsed::Invalid("INSERT OVERWRITE DIRECTORY needs a path".into());
        };
        let query = c.rest();
        if query.is_empty() {
            return Parsed::Invalid("INSERT OVERWRITE DIRECTORY needs a query".into());
        }
        return Parsed::Yes(Err(InsertDirectory {
            path,
            provider: provider.to_ascii_lowercase(),
            options,
            query,
        }));
    }
    c.keyword("TABLE");
    let Some(table) = c.table_name() else {
        return Parsed::Invalid("expected a table name after INSERT".into());
    };
    let mut insert = Insert {
        table,
        overwrite,
        partition: Vec::new(),
        columns: Vec::new(),
        if_not_exists: false,
        query: String::new(),
    };
    if c.keyword("PARTITION") {
        if !c.token(&Token::LParen) {
            return Parsed::Invalid("PARTITION needs a parenthesised list".into());
        }
        let tokens = match c.balanced() {
            Ok(t) => t,
            Err(e) => return Parsed::Invalid(e),
        };
        for part in split_top_level(tokens) {
            let mut it = part.into_iter();
            let Some(Token::Word(w)) = it.next() else {
                return Parsed::Invalid("expected a partition column".into());
            };
            let rest: Vec<Token> = it.collect();
            let value = match rest.split_first() {
                None => None,
                Some((Token::Eq, value)) if !value.is_empty() => Some(tokens_text(value)),
                _ => return Parsed::Invalid(format!("bad value for partition column {}", w.value)),
            };
            insert.partition.push((w.value, value));
        }
    }
    if c.peek() == Some(&Token::LParen) && c.looks_like_column_list() {
        match c.identifier_list() {
            Ok(cols) => insert.columns = cols,
            Err(e) => return Parsed::Invalid(e),
        }
    }
    insert.if_not_exists = c.keywords(&["IF", "NOT", "EXISTS"]);
    insert.query = c.rest();
    if insert.query.is_empty() {
        return Parsed::Invalid("INSERT needs a query".into());
    }
    Parsed::Yes(Ok(insert))
}

/// `DROP TABLE|VIEW [IF EXISTS] name [PURGE]`: `(is_view, name, if_exists)`.
pub fn parse_drop(sql: &str) -> Parsed<(bool, TableName, bool)> {
    let Some(mut c) = Cursor::new(sql) else {
        return Parsed::No;
    };
    if !c.keyword("DROP") {
        return Parsed::No;
    }
    let is_view = if c.keyword("TABLE") {
        false
    } else if c.keyword("VIEW") {
        true
    } else {
        return Parsed::No;
    };
    let if_exists = c.keywords(&["IF", "EXISTS"]);
    let Some(name) = c.table_name() else {
        return Parsed::Invalid("expected a name after DROP".into());
    };
    c.keyword("PURGE");
    if !c.at_end() {
        return Parsed::Invalid("unexpected text after the name in DROP".into());
    }
    Parsed::Yes((is_view, name, if_exists))
}

/// `TRUNCATE TABLE name`.
pub fn parse_truncate(sql: &str) -> Parsed<TableName> {
    let Some(mut c) = Cursor::new(sql) else {
        return Parsed::No;
    };
    if !c.keywords(&["TRUNCATE", "TABLE"]) {
        return Parsed::No;
    }
    match c.table_name() {
        Some(name) if c.at_end() => Parsed::Yes(name),
        _ => Parsed::Invalid("expected TRUNCATE TABLE name".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_create_table_clauses_in_any_order() {
        let Parsed::Yes(t) = parse_create_table(
            "CREATE TABLE IF NOT EXISTS db.T (a INT, b DECIMAL(10, 2) COMMENT 'x', c ARRAY<STRING>, p STRING) \
             USING csv PARTITIONED BY (p) OPTIONS (header 'true') LOCATION '/tmp/x' COMMENT 'c'",
        ) else {
            panic!("not parsed")
        };
        assert_eq!(t.name.to_string(), "db.t");
        assert!(t.if_not_exists);
        let types: Vec<&str> = t.columns.iter().map(|c| c.data_type.as_str()).collect();
        assert_eq!(types, ["INT", "DECIMAL(10, 2)", "ARRAY<STRING>", "STRING"]);
        assert_eq!(t.provider.as_deref(), Some("csv"));
        assert_eq!(t.partition_by, ["p"]);
        assert_eq!(t.options.get("header").map(String::as_str), Some("true"));
        assert_eq!(t.location.as_deref(), Some("/tmp/x"));
        assert!(t.query.is_none());
    }

    #[test]
    fn keeps_the_query_text_of_ctas() {
        let Parsed::Yes(t) = parse_create_table(
            "create table t using parquet partitioned by (k) as\n  select 'a;b' as s, 1 as k;",
        ) else {
            panic!("not parsed")
        };
        assert_eq!(t.query.as_deref(), Some("select 'a;b' as s, 1 as k"));
        let Parsed::Yes(t) = parse_create_table("CREATE TABLE t AS (SELECT 1)") else {
            panic!("not parsed")
        };
        assert_eq!(t.query.as_deref(), Some("(SELECT 1)"));
        assert_eq!(parse_create_table("CREATE VIEW v AS SELECT 1"), Parsed::No);
        assert_eq!(
            parse_create_table("CREATE EXTERNAL TABLE t STORED AS PARQUET LOCATION '/x'"),
            Parsed::No
        );
        assert!(matches!(
            parse_create_table("CREATE TABLE t USING"),
            Parsed::Invalid(_)
        ));
    }

    #[test]
    fn parses_inserts() {
        let Parsed::Yes(Ok(i)) = parse_insert(
            "INSERT OVERWRITE TABLE t PARTITION (p = 'x', q) (a, b) SELECT a, b, q FROM s",
        ) else {
            panic!("not parsed")
        };
        assert!(i.overwrite);
        assert_eq!(
            i.partition,
            vec![
                ("p".to_string(), Some("'x'".to_string())),
                ("q".to_string(), None)
            ]
        );
        assert_eq!(i.columns, ["a", "b"]);
        assert_eq!(i.query, "SELECT a, b, q FROM s");
        let Parsed::Yes(Ok(i)) = parse_insert("insert into t (select 1)") else {
            panic!("not parsed")
        };
        assert_eq!(i.query, "(select 1)");
        assert!(i.columns.is_empty());
        let Parsed::Yes(Ok(i)) = parse_insert("INSERT INTO t VALUES (1, 'a')") else {
            panic!("not parsed")
        };
        assert_eq!(i.query, "VALUES (1, 'a')");
        let Parsed::Yes(Err(d)) = parse_insert(
            "INSERT OVERWRITE DIRECTORY '/out' USING csv OPTIONS (header true) SELECT 1",
        ) else {
            panic!("not parsed")
        };
        assert_eq!(d.path, "/out");
        assert_eq!(d.provider, "csv");
        assert_eq!(d.query, "SELECT 1");
    }

    #[test]
    fn parses_drop_and_truncate() {
        assert_eq!(
            parse_drop("DROP TABLE IF EXISTS Db.T PURGE"),
            Parsed::Yes((
                false,
                TableName {
                    database: Some("db".into()),
                    table: "t".into()
                },
                true
            ))
        );
        assert!(matches!(
            parse_drop("DROP VIEW v"),
            Parsed::Yes((true, _, false))
        ));
        assert_eq!(parse_drop("DROP DATABASE d"), Parsed::No);
        assert!(matches!(parse_truncate("TRUNCATE TABLE t"), Parsed::Yes(_)));
    }
}
