//! Spark's SQL pipe syntax (`FROM t |> WHERE x > 0 |> AGGREGATE sum(y) GROUP BY x`), turned
//! into plain SQL text before the statement is parsed, so every other Spark rewrite (names,
//! generators, `PIVOT`, set operations) applies to it unchanged.
//!
//! Each pipe operator applies to the result of everything before it. Operators are folded into
//! one `SELECT` while that keeps the meaning (`FROM t |> WHERE … |> SELECT …` is one query);
//! otherwise the query so far becomes a subquery, named after its single relation when it has
//! one, so `t.x` still resolves as Spark resolves it. Also here: a query of a `FROM` clause
//! alone (`FROM t`), which Spark reads as `SELECT * FROM t`.

use std::borrow::Cow;

use datafusion::sql::sqlparser::ast::{Expr, Query, SelectItem};
use datafusion::sql::sqlparser::ast::{Visit, Visitor};
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::sqlparser::tokenizer::{Location, Token, Tokenizer};
use std::ops::ControlFlow;

use super::dialect::EmberDialect;

/// A pipe operator Spark refuses, with Spark's error class in the message.
#[derive(Debug, thiserror::Error)]
#[error("[{class}] {message}")]
pub struct PipeError {
    /// Spark's error class.
    pub class: &'static str,
    /// What is wrong, in Spark's words where Spark has them.
    pub message: String,
}

fn error(class: &'static str, message: impl Into<String>) -> PipeError {
    PipeError {
        class,
        message: message.into(),
    }
}

/// `sql` with its pipe operators written as plain SQL (and a bare `FROM t` query as
/// `SELECT * FROM t`); `sql` itself when it has neither or cannot be tokenized (the parser then
/// reports the error). `is_aggregate` tells aggregate function names (lowercase), which Spark
/// forbids in `|> SELECT` and requires in `|> AGGREGATE`.
///
/// # Errors
/// The error classes Spark raises for misused pipe operators.
pub fn desugar_pipes<'a>(
    sql: &'a str,
    is_aggregate: &dyn Fn(&str) -> bool,
) -> Result<Cow<'a, str>, PipeError> {
    let lower = sql.trim_start().get(..4).map(str::to_ascii_lowercase);
    if !sql.contains("|>") && lower.as_deref() != Some("from") {
        return Ok(Cow::Borrowed(sql));
    }
    let dialect = EmberDialect::default();
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize_with_location() else {
        return Ok(Cow::Borrowed(sql));
    };
    let offsets = LineOffsets::new(sql);
    let tokens: Vec<Tok> = tokens
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
        .map(|t| Tok {
            start: offsets.byte(t.span.start),
            end: offsets.byte(t.span.end),
            token: t.token,
        })
        .collect();
    if tokens.is_empty() {
        return Ok(Cow::Borrowed(sql));
    }
    let mut desugar = Desugar {
        sql,
        tokens: &tokens,
        is_aggregate,
        subqueries: 0,
    };
    let text = desugar.scope(0, tokens.len(), true)?;
    let (start, end) = (tokens[0].start, tokens[tokens.len() - 1].end);
    Ok(Cow::Owned(format!(
        "{}{text}{}",
        &sql[..start],
        &sql[end..]
    )))
}

/// A token and where its text is in the statement (byte offsets).
struct Tok {
    token: Token,
    start: usize,
    end: usize,
}

impl Tok {
    fn keyword(&self) -> Option<Keyword> {
        match &self.token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
            _ => None,
        }
    }
}

/// Byte offsets of the tokenizer's line/column locations (columns count characters).
struct LineOffsets<'a> {
    sql: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineOffsets<'a> {
    fn new(sql: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(sql.match_indices('\n').map(|(i, _)| i + 1));
        Self { sql, starts }
    }

    fn byte(&self, at: Location) -> usize {
        let Some(&line_start) = usize::try_from(at.line.saturating_sub(1))
            .ok()
            .and_then(|l| self.starts.get(l))
        else {
            return self.sql.len();
        };
        let column = usize::try_from(at.column.saturating_sub(1)).unwrap_or(usize::MAX);
        self.sql[line_start..]
            .char_indices()
            .nth(column)
            .map_or(self.sql.len(), |(i, _)| line_start + i)
    }
}

/// One element of a scope at its own nesting level: a token, a parenthesized group (already
/// desugared inside) or a pipe.
enum Piece {
    Token(usize),
    Group {
        open: usize,
        close: usize,
        inner: String,
    },
    Pipe(usize),
}

struct Desugar<'a> {
    sql: &'a str,
    tokens: &'a [Tok],
    is_aggregate: &'a dyn Fn(&str) -> bool,
    /// Subqueries made so far, to name each one apart.
    subqueries: usize,
}

/// The query being built from pipe operators: one `SELECT` whose clauses are filled in as
/// long as the next operator can be folded into it.
struct Stage {
    from: String,
    /// The name `t.x` refers to the single relation in `from` by, if there is one.
    qualifier: Option<String>,
    items: Option<String>,
    filters: Vec<String>,
    group_by: Option<String>,
    order_by: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

impl Stage {
    fn over(from: String, qualifier: Option<String>) -> Self {
        Self {
            from,
            qualifier,
            items: None,
            filters: Vec::new(),
            group_by: None,
            order_by: None,
            limit: None,
            offset: None,
        }
    }

    /// Whether the stage still passes its input's columns through (`SELECT *`) with no
    /// grouping, ordering or limit: a projection or a filter can then be added to it.
    fn passes_input(&self) -> bool {
        self.items.is_none()
            && self.group_by.is_none()
            && self.order_by.is_none()
            && self.limit.is_none()
            && self.offset.is_none()
    }

    fn text(&self) -> String {
        let mut text = format!(
            "SELECT {} FROM {}",
            self.items.as_deref().unwrap_or("*"),
            self.from
        );
        if !self.filters.is_empty() {
            let filters: Vec<String> = self.filters.iter().map(|f| format!("({f})")).collect();
            text.push_str(&format!(" WHERE {}", filters.join(" AND ")));
        }
        for (clause, value) in [
            ("GROUP BY", &self.group_by),
            ("ORDER BY", &self.order_by),
            ("LIMIT", &self.limit),
            ("OFFSET", &self.offset),
        ] {
            if let Some(value) = value {
                text.push_str(&format!(" {clause} {value}"));
            }
        }
        text
    }
}

impl Desugar<'_> {
    /// The desugared text of tokens `lo..hi`, one query's nesting level (`statement`: the
    /// whole statement rather than a parenthesized part).
    fn scope(&mut self, lo: usize, hi: usize, statement: bool) -> Result<String, PipeError> {
        let pieces = self.pieces(lo, hi)?;
        let has_pipes = pieces.iter().any(|p| matches!(p, Piece::Pipe(_)));
        let starts_with_from = self.tokens[lo].keyword() == Some(Keyword::FROM);
        if !has_pipes {
            let text = self.text(&pieces);
            if statement && starts_with_from && !self.has_top_level(&pieces, Keyword::SELECT) {
                return Ok(format!("SELECT * {text}"));
            }
            return Ok(text);
        }
        // A WITH clause scopes over the whole pipeline: keep it in front.
        let body = self.after_with(&pieces);
        let with = self.text(&pieces[..body]);
        let mut segments = pieces[body..].split(|p| matches!(p, Piece::Pipe(_)));
        let base = segments.next().unwrap_or_default();
        let mut stage = self.base_stage(base)?;
        for segment in segments {
            stage = self.apply(stage, segment)?;
        }
        let text = stage.text();
        Ok(if with.is_empty() {
            text
        } else {
            format!("{with} {text}")
        })
    }

    /// The pieces of tokens `lo..hi`: parenthesized groups are desugared recursively.
    fn pieces(&mut self, lo: usize, hi: usize) -> Result<Vec<Piece>, PipeError> {
        let mut pieces = Vec::new();
        let mut i = lo;
        while i < hi {
            match self.tokens[i].token {
                Token::LParen => {
                    let close = self.matching(i, hi);
                    let inner = if close > i + 1 {
                        self.scope(i + 1, close, false)?
                    } else {
                        String::new()
                    };
                    pieces.push(Piece::Group {
                        open: i,
                        close,
                        inner,
                    });
                    i = close + 1;
                }
                Token::VerticalBarRightAngleBracket => {
                    pieces.push(Piece::Pipe(i));
                    i += 1;
                }
                _ => {
                    pieces.push(Piece::Token(i));
                    i += 1;
                }
            }
        }
        Ok(pieces)
    }

    /// The `)` closing the `(` at `open` (or the last token before `hi` if unbalanced).
    fn matching(&self, open: usize, hi: usize) -> usize {
        let mut depth = 0usize;
        for (k, tok) in self.tokens.iter().enumerate().take(hi).skip(open) {
            match tok.token {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return k;
                    }
                }
                _ => {}
            }
        }
        hi - 1
    }

    fn first_token(&self, piece: &Piece) -> usize {
        match piece {
            Piece::Token(i) | Piece::Pipe(i) => *i,
            Piece::Group { open, .. } => *open,
        }
    }

    fn last_token(&self, piece: &Piece) -> usize {
        match piece {
            Piece::Token(i) | Piece::Pipe(i) => *i,
            Piece::Group { close, .. } => *close,
        }
    }

    /// The text of `pieces`, with the spaces and comments between them as written.
    fn text(&self, pieces: &[Piece]) -> String {
        let mut out = String::new();
        let mut previous_end: Option<usize> = None;
        for piece in pieces {
            let start = self.tokens[self.first_token(piece)].start;
            if let Some(end) = previous_end {
                out.push_str(self.sql.get(end..start).unwrap_or(" "));
            }
            match piece {
                Piece::Token(i) | Piece::Pipe(i) => {
                    out.push_str(&self.sql[self.tokens[*i].start..self.tokens[*i].end]);
                }
                Piece::Group { open, close, inner } => {
                    out.push('(');
                    if *close > *open + 1 {
                        let (first, last) = (&self.tokens[open + 1], &self.tokens[close - 1]);
                        out.push_str(&self.sql[self.tokens[*open].end..first.start]);
                        out.push_str(inner);
                        out.push_str(&self.sql[last.end..self.tokens[*close].start]);
                    }
                    if self.tokens[*close].token == Token::RParen {
                        out.push(')');
                    }
                }
            }
            previous_end = Some(self.tokens[self.last_token(piece)].end);
        }
        out
    }

    fn keyword(&self, piece: &Piece) -> Option<Keyword> {
        match piece {
            Piece::Token(i) => self.tokens[*i].keyword(),
            _ => None,
        }
    }

    fn has_top_level(&self, pieces: &[Piece], keyword: Keyword) -> bool {
        pieces.iter().any(|p| self.keyword(p) == Some(keyword))
    }

    /// Where the body after a leading `WITH name AS (…), …` starts (0 without one).
    fn after_with(&self, pieces: &[Piece]) -> usize {
        if pieces.first().and_then(|p| self.keyword(p)) != Some(Keyword::WITH) {
            return 0;
        }
        let mut k = 1;
        if pieces.get(k).and_then(|p| self.keyword(p)) == Some(Keyword::RECURSIVE) {
            k += 1;
        }
        loop {
            // name [(columns)] [AS] (query)
            if !matches!(pieces.get(k), Some(Piece::Token(_))) {
                return 0;
            }
            k += 1;
            if matches!(pieces.get(k), Some(Piece::Group { .. }))
                && pieces.get(k + 1).and_then(|p| self.keyword(p)) == Some(Keyword::AS)
            {
                k += 1;
            }
            if pieces.get(k).and_then(|p| self.keyword(p)) == Some(Keyword::AS) {
                k += 1;
            }
            if !matches!(pieces.get(k), Some(Piece::Group { .. })) {
                return 0;
            }
            k += 1;
            match pieces.get(k) {
                Some(Piece::Token(i)) if self.tokens[*i].token == Token::Comma => k += 1,
                _ => return k,
            }
        }
    }

    fn subquery_name(&mut self) -> String {
        self.subqueries += 1;
        format!("__ember_pipe_{}", self.subqueries)
    }

    /// The stage a pipeline starts from: `FROM …`, `TABLE t`, `VALUES …` or any query.
    fn base_stage(&mut self, base: &[Piece]) -> Result<Stage, PipeError> {
        let text = self.text(base);
        let first = base.first().and_then(|p| self.keyword(p));
        match first {
            Some(Keyword::FROM) if !self.has_top_level(base, Keyword::SELECT) => Ok(Stage::over(
                self.text(&base[1..]),
                self.single_relation(&base[1..]),
            )),
            Some(Keyword::TABLE) => {
                let from = self.text(&base[1..]);
                let qualifier = base.last().and_then(|p| self.word(p));
                Ok(Stage::over(from, qualifier))
            }
            Some(Keyword::VALUES) => {
                let qualifier = base
                    .iter()
                    .rev()
                    .filter_map(|p| self.word(p))
                    .next()
                    .filter(|w| !w.eq_ignore_ascii_case("values"));
                Ok(Stage::over(text, qualifier))
            }
            _ => {
                let name = self.subquery_name();
                Ok(Stage::over(format!("({text}) AS {name}"), None))
            }
        }
    }

    /// The text of an identifier piece (quotes kept).
    fn word(&self, piece: &Piece) -> Option<String> {
        match piece {
            Piece::Token(i) => match &self.tokens[*i].token {
                Token::Word(_) => Some(self.sql[self.tokens[*i].start..self.tokens[*i].end].into()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The name of the only relation in a `FROM` clause (`t`, `db.t`, `t AS x`, `t x`,
    /// `(…) AS x`); `None` when it joins several.
    fn single_relation(&self, from: &[Piece]) -> Option<String> {
        let joins = [
            Keyword::JOIN,
            Keyword::LATERAL,
            Keyword::CROSS,
            Keyword::NATURAL,
            Keyword::PIVOT,
            Keyword::UNPIVOT,
        ];
        if from.iter().any(|p| {
            matches!(p, Piece::Token(i) if self.tokens[*i].token == Token::Comma)
                || self.keyword(p).is_some_and(|k| joins.contains(&k))
        }) {
            return None;
        }
        let mut pieces: Vec<&Piece> = from.iter().collect();
        // Column aliases `t AS x(a, b)` and table-valued function arguments end in a group.
        if matches!(pieces.last(), Some(Piece::Group { .. })) && pieces.len() > 1 {
            pieces.pop();
        }
        pieces.last().and_then(|p| self.word(p))
    }

    /// `stage` with the query so far turned into a subquery, when the next operator cannot be
    /// folded into it.
    fn wrapped(&mut self, stage: Stage) -> Stage {
        if stage.passes_input() && stage.filters.is_empty() {
            return stage;
        }
        let name = match &stage.qualifier {
            Some(q) => q.clone(),
            None => self.subquery_name(),
        };
        Stage::over(format!("({}) AS {name}", stage.text()), Some(name))
    }

    /// A stage that can take a projection, a filter or a grouping.
    fn projectable(&mut self, stage: Stage) -> Stage {
        if stage.passes_input() {
            stage
        } else {
            self.wrapped(stage)
        }
    }

    fn apply(&mut self, stage: Stage, segment: &[Piece]) -> Result<Stage, PipeError> {
        let Some(first) = segment.first() else {
            return Err(error(
                "PARSE_SYNTAX_ERROR",
                "Syntax error at or near end of input after `|>`",
            ));
        };
        let keyword = self.keyword(first);
        let operator = self.text(std::slice::from_ref(first));
        match keyword {
            Some(Keyword::SELECT) => {
                // Spark 4.3 takes aggregates here as a plain SELECT does (4.0 refused them).
                let items = self.rest(segment, 1);
                let mut stage = self.projectable(stage);
                stage.items = Some(items);
                Ok(stage)
            }
            Some(Keyword::EXTEND) => {
                self.refuse_aggregates(&segment[1..], "EXTEND")?;
                let items = self.rest(segment, 1);
                let mut stage = self.projectable(stage);
                stage.items = Some(format!("*, {items}"));
                Ok(stage)
            }
            Some(Keyword::SET) => {
                self.refuse_aggregates(&segment[1..], "SET")?;
                let mut stage = stage;
                for assignment in self.split_commas(&segment[1..]) {
                    let eq = assignment.iter().position(
                        |p| matches!(p, Piece::Token(i) if self.tokens[*i].token == Token::Eq),
                    );
                    let Some(eq) = eq.filter(|&eq| eq > 0) else {
                        return Err(error(
                            "PARSE_SYNTAX_ERROR",
                            "Syntax error in `|> SET`: expected `column = expression`",
                        ));
                    };
                    let column = self.text(&assignment[..eq]);
                    let value = self.text(&assignment[eq + 1..]);
                    if self.has_top_level(&assignment[eq + 1..], Keyword::AS) {
                        return Err(error(
                            "PARSE_SYNTAX_ERROR",
                            "Syntax error at or near 'as' in `|> SET`",
                        ));
                    }
                    stage = self.projectable(stage);
                    stage.items = Some(format!("* REPLACE ({value} AS {column})"));
                }
                Ok(stage)
            }
            Some(Keyword::DROP) => {
                let mut stage = self.projectable(stage);
                stage.items = Some(format!("* EXCEPT ({})", self.rest(segment, 1)));
                Ok(stage)
            }
            Some(Keyword::AS) => {
                let name = self.rest(segment, 1);
                Ok(Stage::over(
                    format!("({}) AS {name}", stage.text()),
                    Some(name),
                ))
            }
            Some(Keyword::WHERE) => {
                let mut stage = self.projectable(stage);
                stage.filters.push(self.rest(segment, 1));
                Ok(stage)
            }
            Some(Keyword::AGGREGATE) => self.aggregate(stage, &segment[1..]),
            Some(Keyword::ORDER) => {
                let mut stage = if stage.order_by.is_some()
                    || stage.limit.is_some()
                    || stage.offset.is_some()
                {
                    self.wrapped(stage)
                } else {
                    stage
                };
                stage.order_by = Some(self.rest(segment, 2));
                Ok(stage)
            }
            Some(Keyword::LIMIT) | Some(Keyword::OFFSET) => {
                let mut stage = if stage.limit.is_some() || stage.offset.is_some() {
                    self.wrapped(stage)
                } else {
                    stage
                };
                let offset_at = segment
                    .iter()
                    .position(|p| self.keyword(p) == Some(Keyword::OFFSET));
                match offset_at {
                    Some(0) => stage.offset = Some(self.rest(segment, 1)),
                    Some(k) => {
                        stage.limit = Some(self.text(&segment[1..k]));
                        stage.offset = Some(self.rest(segment, k + 1));
                    }
                    None => stage.limit = Some(self.rest(segment, 1)),
                }
                if stage
                    .limit
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case("all"))
                {
                    stage.limit = None;
                }
                Ok(stage)
            }
            Some(
                Keyword::JOIN
                | Keyword::INNER
                | Keyword::LEFT
                | Keyword::RIGHT
                | Keyword::FULL
                | Keyword::CROSS
                | Keyword::NATURAL
                | Keyword::SEMI
                | Keyword::ANTI,
            ) => {
                let mut stage = self.wrapped(stage);
                stage.from = format!("{} {}", stage.from, self.rest(segment, 0));
                stage.qualifier = None;
                Ok(stage)
            }
            Some(Keyword::UNION | Keyword::INTERSECT | Keyword::EXCEPT | Keyword::MINUS) => {
                let mut k = 1;
                if matches!(
                    segment.get(1).and_then(|p| self.keyword(p)),
                    Some(Keyword::ALL | Keyword::DISTINCT)
                ) {
                    k = 2;
                }
                let operator = self.text(&segment[..k]);
                let operand = self.rest(segment, k);
                let name = self.subquery_name();
                Ok(Stage::over(
                    format!("({} {operator} ({operand})) AS {name}", stage.text()),
                    None,
                ))
            }
            Some(Keyword::TABLESAMPLE | Keyword::PIVOT | Keyword::UNPIVOT) => {
                let stage = if stage.passes_input()
                    && stage.filters.is_empty()
                    && stage.qualifier.is_some()
                {
                    stage
                } else {
                    let name = self.subquery_name();
                    Stage::over(format!("({}) AS {name}", stage.text()), Some(name))
                };
                Ok(Stage::over(
                    format!("{} {}", stage.from, self.rest(segment, 0)),
                    None,
                ))
            }
            _ => Err(error(
                "PARSE_SYNTAX_ERROR",
                format!("Syntax error at or near '{operator}' after `|>`"),
            )),
        }
    }

    /// `|> AGGREGATE aggregates [GROUP BY keys]`: the keys (with their aliases) come first in
    /// the output, then the aggregates.
    fn aggregate(&mut self, stage: Stage, segment: &[Piece]) -> Result<Stage, PipeError> {
        let group_at = segment
            .iter()
            .position(|p| self.keyword(p) == Some(Keyword::GROUP));
        let (aggregates, keys) = match group_at {
            Some(k) => {
                if segment.get(k + 1).and_then(|p| self.keyword(p)) != Some(Keyword::BY) {
                    return Err(error(
                        "PARSE_SYNTAX_ERROR",
                        "Syntax error: expected BY after GROUP",
                    ));
                }
                (&segment[..k], Some(&segment[k + 2..]))
            }
            None => (segment, None),
        };
        if aggregates.is_empty() && keys.is_none() {
            return Err(error(
                "PARSE_SYNTAX_ERROR",
                "Syntax error: `|> AGGREGATE` needs aggregate expressions or GROUP BY",
            ));
        }
        let mut items = Vec::new();
        let mut group_by = Vec::new();
        if let Some(keys) = keys {
            if keys.is_empty() {
                return Err(error(
                    "UNRESOLVED_COLUMN.WITH_SUGGESTION",
                    "`|> AGGREGATE … GROUP BY` names no grouping key",
                ));
            }
            for key in self.split_commas(keys) {
                let first = key.first().and_then(|p| self.keyword(p));
                if matches!(
                    first,
                    Some(Keyword::ALL | Keyword::ROLLUP | Keyword::CUBE | Keyword::GROUPING)
                ) || self.has_top_level(key, Keyword::GROUPING)
                {
                    return Err(unsupported_aggregate(
                        "GROUP BY ALL, ROLLUP, CUBE or GROUPING SETS",
                    ));
                }
                if matches!(key, [Piece::Group { inner, .. }] if inner.trim().is_empty()) {
                    return Err(error(
                        "PARSE_SYNTAX_ERROR",
                        "Syntax error at or near '(' in `|> AGGREGATE … GROUP BY`",
                    ));
                }
                let text = self.text(key);
                items.push(text.clone());
                group_by.push(match parse_item(&text) {
                    Some(SelectItem::ExprWithAlias { expr, .. }) => expr.to_string(),
                    _ => text,
                });
            }
        }
        for aggregate in self.split_commas(aggregates) {
            let text = self.text(aggregate);
            if let Some(item) = parse_item(&text) {
                let mut finder = AggregateFinder::new(self.is_aggregate);
                let _ = item.visit(&mut finder);
                if finder.window || finder.grouping {
                    return Err(unsupported_aggregate(
                        "window functions or grouping() in `|> AGGREGATE`",
                    ));
                }
                if finder.found.is_none() {
                    return Err(error(
                        "PIPE_OPERATOR_AGGREGATE_EXPRESSION_CONTAINS_NO_AGGREGATE_FUNCTION",
                        format!(
                            "The expression {text} in `|> AGGREGATE` contains no aggregate \
                             function; move it to `|> SELECT` or `|> EXTEND`, or add it to \
                             GROUP BY"
                        ),
                    ));
                }
            }
            items.push(text);
        }
        let mut stage = self.projectable(stage);
        stage.items = Some(items.join(", "));
        if !group_by.is_empty() {
            stage.group_by = Some(group_by.join(", "));
        }
        Ok(stage)
    }

    /// The text of `segment` from its `n`th piece on.
    fn rest(&self, segment: &[Piece], n: usize) -> String {
        self.text(segment.get(n..).unwrap_or_default())
    }

    /// `pieces` split at their top-level commas.
    fn split_commas<'p>(&self, pieces: &'p [Piece]) -> Vec<&'p [Piece]> {
        pieces
            .split(|p| matches!(p, Piece::Token(i) if self.tokens[*i].token == Token::Comma))
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Spark refuses aggregate functions (outside windows and subqueries) in `|> EXTEND` and
    /// `|> SET`: grouping is `|> AGGREGATE`'s job.
    fn refuse_aggregates(&self, items: &[Piece], clause: &str) -> Result<(), PipeError> {
        for item in self.split_commas(items) {
            let text = self.text(item);
            let Some(parsed) = parse_item(&text) else {
                continue;
            };
            let mut finder = AggregateFinder::new(self.is_aggregate);
            let _ = parsed.visit(&mut finder);
            if let Some(found) = finder.found {
                return Err(error(
                    "PIPE_OPERATOR_CONTAINS_AGGREGATE_FUNCTION",
                    format!(
                        "Aggregate function {found} is not allowed in the pipe operator \
                         |> {clause} clause; use |> AGGREGATE instead"
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn unsupported_aggregate(case: &str) -> PipeError {
    error(
        "UNSUPPORTED_FEATURE.PIPE_OPERATOR_AGGREGATE_UNSUPPORTED_CASE",
        format!("The pipe operator |> AGGREGATE does not support {case}"),
    )
}

/// One select item (`expr [AS] alias`, or `column = expr` read as a comparison) parsed alone.
fn parse_item(text: &str) -> Option<SelectItem> {
    let dialect = EmberDialect::default();
    let mut parser = Parser::new(&dialect).try_with_sql(text).ok()?;
    let item = parser.parse_select_item().ok()?;
    parser.peek_token().token.eq(&Token::EOF).then_some(item)
}

/// Finds aggregate function calls outside windows and subqueries.
struct AggregateFinder<'a> {
    is_aggregate: &'a dyn Fn(&str) -> bool,
    /// Subquery nesting: calls inside a subquery belong to it.
    depth: usize,
    found: Option<String>,
    window: bool,
    grouping: bool,
}

impl<'a> AggregateFinder<'a> {
    fn new(is_aggregate: &'a dyn Fn(&str) -> bool) -> Self {
        Self {
            is_aggregate,
            depth: 0,
            found: None,
            window: false,
            grouping: false,
        }
    }
}

impl Visitor for AggregateFinder<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if self.depth == 0
            && let Expr::Function(function) = expr
        {
            let name = function.name.to_string().to_ascii_lowercase();
            if function.over.is_some() {
                self.window = true;
            } else if name == "grouping" || name == "grouping_id" {
                self.grouping = true;
            } else if self.found.is_none() && (self.is_aggregate)(&name) {
                self.found = Some(expr.to_string());
            }
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desugar(sql: &str) -> String {
        let aggregates = |name: &str| ["sum", "count", "avg"].contains(&name);
        match desugar_pipes(sql, &aggregates) {
            Ok(text) => text.into_owned(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn plain_sql_is_untouched() {
        assert_eq!(desugar("SELECT a |  b FROM t"), "SELECT a |  b FROM t");
    }

    #[test]
    fn operators_fold_into_one_select_while_they_can() {
        assert_eq!(
            desugar("FROM t AS u |> WHERE u.x > 0 |> SELECT u.x, y"),
            "SELECT u.x, y FROM t AS u WHERE (u.x > 0)"
        );
        assert_eq!(
            desugar("TABLE t |> SELECT x |> WHERE x > 1"),
            "SELECT * FROM (SELECT x FROM t) AS t WHERE (x > 1)"
        );
        assert_eq!(desugar("from t"), "SELECT * from t");
    }

    #[test]
    fn aggregate_puts_keys_first() {
        assert_eq!(
            desugar("TABLE t |> AGGREGATE sum(b) AS s GROUP BY a + 1 AS k"),
            "SELECT a + 1 AS k, sum(b) AS s FROM t GROUP BY a + 1"
        );
        assert!(
            desugar("TABLE t |> AGGREGATE a GROUP BY a")
                .starts_with("[PIPE_OPERATOR_AGGREGATE_EXPRESSION_CONTAINS_NO_AGGREGATE_FUNCTION]")
        );
        assert!(
            desugar("TABLE t |> EXTEND length(y) + sum(x)")
                .starts_with("[PIPE_OPERATOR_CONTAINS_AGGREGATE_FUNCTION]")
        );
        assert!(!desugar("TABLE t |> EXTEND sum(x) OVER ()").starts_with('['));
    }

    #[test]
    fn pipes_nest_in_parentheses_and_keep_with_clauses() {
        assert_eq!(
            desugar("SELECT (VALUES (0) tab(c) |> SELECT c) AS r"),
            "SELECT (SELECT c FROM VALUES (0) tab(c)) AS r"
        );
        assert_eq!(
            desugar("WITH w AS (SELECT 1 AS a) TABLE w |> SET a = 2"),
            "WITH w AS (SELECT 1 AS a) SELECT * REPLACE (2 AS a) FROM w"
        );
    }

    #[test]
    fn non_ascii_text_keeps_its_place() {
        assert_eq!(
            desugar("FROM café |> WHERE s = 'é…' |> SELECT s"),
            "SELECT s FROM café WHERE (s = 'é…')"
        );
    }
}
