//! Spark's session variables: `DECLARE [OR REPLACE] [VARIABLE] v [type] [DEFAULT expr]`,
//! `SET VARIABLE v = expr` (or `SET VAR (a, b) = (query)`), `DROP TEMPORARY VARIABLE v`, and
//! references to them in queries (`v`, `session.v`, `system.session.v`).
//!
//! The session keeps the values; this module reads the statements and marks references.
//! A reference is resolved the way Spark resolves it: a column of the query wins, so a query
//! is first planned as written, and only when a name does not resolve are the declared
//! variables among its identifiers written as DataFusion variables (`@v`), which planning
//! replaces by their values.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, Ident, ObjectName, Query, SelectItem, Statement, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::sqlparser::tokenizer::Token;

use super::dialect::EmberDialect;

/// A session variable statement, with its expressions as SQL text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableStatement {
    /// `DECLARE [OR REPLACE] [VARIABLE | VAR] name [type] [DEFAULT | = expr]`.
    Declare {
        /// The variable's name, lower case, without `system.session.`.
        name: String,
        /// `OR REPLACE`.
        replace: bool,
        /// The declared type (SQL text), if any.
        data_type: Option<String>,
        /// The default value's expression (SQL text), if any.
        default: Option<String>,
    },
    /// `SET VARIABLE a = x, b = y`.
    Set(Vec<(String, String)>),
    /// `SET VARIABLE (a, b) = (query)`.
    SetFromQuery {
        /// The variables, in the query's column order.
        names: Vec<String>,
        /// The query (SQL text).
        query: String,
    },
    /// `DROP TEMPORARY VARIABLE [IF EXISTS] name`.
    Drop {
        /// The variable's name.
        name: String,
        /// `IF EXISTS`.
        if_exists: bool,
    },
}

fn syntax_error(message: impl std::fmt::Display) -> String {
    format!("[PARSE_SYNTAX_ERROR] Syntax error: {message}")
}

/// The variable a (possibly `session.` or `system.session.` qualified) name denotes, lower
/// case; an error with Spark's class for any other qualifier.
pub fn variable_name(parts: &[String]) -> Result<String, String> {
    let lower: Vec<String> = parts.iter().map(|p| p.to_ascii_lowercase()).collect();
    match lower.as_slice() {
        [name] => Ok(name.clone()),
        [schema, name] if schema == "session" => Ok(name.clone()),
        [catalog, schema, name] if catalog == "system" && schema == "session" => Ok(name.clone()),
        _ => Err(format!(
            "[UNRESOLVED_VARIABLE] Cannot resolve variable `{}` on search path \
             `system`.`session`.",
            parts.join("`.`")
        )),
    }
}

fn object_parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|p| match p.as_ident() {
            Some(ident) => ident.value.clone(),
            None => p.to_string(),
        })
        .collect()
}

/// `sql` as a session variable statement; `None` when it is none (`Some(Err)` when it is one
/// that does not parse, with Spark's error class).
pub fn parse_variable_statement(sql: &str) -> Option<Result<VariableStatement, String>> {
    let dialect = EmberDialect::default();
    let mut parser = Parser::new(&dialect).try_with_sql(sql).ok()?;
    if parser.parse_keyword(Keyword::DECLARE) {
        return Some(parse_declare(&mut parser));
    }
    if parser.parse_keyword(Keyword::SET) {
        if !variable_keyword(&mut parser) {
            return None;
        }
        return Some(parse_set(&mut parser));
    }
    if parser.parse_keyword(Keyword::DROP) {
        let temporary = parser.parse_keyword(Keyword::TEMPORARY);
        if !variable_keyword(&mut parser) {
            return None;
        }
        if !temporary {
            return Some(Err(syntax_error("expected DROP TEMPORARY VARIABLE")));
        }
        let if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        return Some(
            parser
                .parse_object_name(false)
                .map_err(syntax_error)
                .and_then(|n| variable_name(&object_parts(&n)))
                .and_then(|name| end(&mut parser).map(|()| name))
                .map(|name| VariableStatement::Drop { name, if_exists }),
        );
    }
    None
}

/// `VARIABLE` or its short form `VAR` (not a sqlparser keyword), consumed if next.
fn variable_keyword(parser: &mut Parser) -> bool {
    if parser.parse_keyword(Keyword::VARIABLE) {
        return true;
    }
    match parser.peek_token().token {
        Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("var") => {
            parser.next_token();
            true
        }
        _ => false,
    }
}

/// Nothing but a `;` may follow.
fn end(parser: &mut Parser) -> Result<(), String> {
    let _ = parser.consume_token(&Token::SemiColon);
    match parser.peek_token().token {
        Token::EOF => Ok(()),
        other => Err(syntax_error(format!("unexpected '{other}'"))),
    }
}

fn parse_declare(parser: &mut Parser) -> Result<VariableStatement, String> {
    let replace = parser.parse_keywords(&[Keyword::OR, Keyword::REPLACE]);
    let _ = variable_keyword(parser);
    let name = parser.parse_object_name(false).map_err(syntax_error)?;
    let name = variable_name(&object_parts(&name))?;
    let mut data_type = None;
    let next = parser.peek_token().token;
    let starts_default = matches!(&next, Token::Eq | Token::EOF | Token::SemiColon)
        || matches!(&next, Token::Word(w) if w.keyword == Keyword::DEFAULT);
    if !starts_default {
        data_type = Some(type_text(&parser.parse_data_type().map_err(syntax_error)?));
    }
    let default = if parser.parse_keyword(Keyword::DEFAULT) || parser.consume_token(&Token::Eq) {
        let expr = parser.parse_expr().map_err(syntax_error)?;
        if has_subquery(&expr) {
            return Err(format!(
                "[INVALID_DEFAULT_VALUE.SUBQUERY_EXPRESSION] Failed to execute DECLARE VARIABLE \
                 command because the destination column or variable `{name}` has a DEFAULT \
                 value {expr}, which contains a subquery."
            ));
        }
        Some(expr.to_string())
    } else {
        None
    };
    end(parser)?;
    if data_type.is_none() && default.is_none() {
        return Err(format!(
            "[INVALID_SQL_SYNTAX.VARIABLE_TYPE_OR_DEFAULT_REQUIRED] Invalid SQL syntax: The \
             definition of the variable `{name}` requires a data type or a DEFAULT expression."
        ));
    }
    Ok(VariableStatement::Declare {
        name,
        replace,
        data_type,
        default,
    })
}

/// Whether `expr` holds a query anywhere (Spark refuses one in a variable's DEFAULT).
fn has_subquery(expr: &Expr) -> bool {
    struct Queries;
    impl datafusion::sql::sqlparser::ast::Visitor for Queries {
        type Break = ();
        fn pre_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
            ControlFlow::Break(())
        }
    }
    datafusion::sql::sqlparser::ast::Visit::visit(expr, &mut Queries).is_break()
}

/// A parsed type as Spark SQL text (sqlparser prints maps as `Map(K, V)`).
fn type_text(data_type: &datafusion::sql::sqlparser::ast::DataType) -> String {
    match data_type {
        datafusion::sql::sqlparser::ast::DataType::Map(key, value) => {
            format!("MAP<{}, {}>", type_text(key), type_text(value))
        }
        other => other.to_string(),
    }
}

fn parse_set(parser: &mut Parser) -> Result<VariableStatement, String> {
    if parser.consume_token(&Token::LParen) {
        let names = parser
            .parse_comma_separated(|p| p.parse_object_name(false))
            .map_err(syntax_error)?;
        parser.expect_token(&Token::RParen).map_err(syntax_error)?;
        parser.expect_token(&Token::Eq).map_err(syntax_error)?;
        let query = parser.parse_expr().map_err(syntax_error)?;
        end(parser)?;
        let query = match query {
            Expr::Subquery(q) => q.to_string(),
            other => {
                return Err(format!(
                    "[INVALID_SET_SYNTAX] Expected a query in parentheses after `(…) =`, \
                     found {other}"
                ));
            }
        };
        let names = names
            .iter()
            .map(|n| variable_name(&object_parts(n)))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(VariableStatement::SetFromQuery { names, query });
    }
    let assignments = parser
        .parse_comma_separated(|p| {
            let name = p.parse_object_name(false)?;
            p.expect_token(&Token::Eq)?;
            let value = p.parse_expr()?;
            Ok((name, value))
        })
        .map_err(syntax_error)?;
    end(parser)?;
    assignments
        .into_iter()
        .map(|(name, value)| {
            if matches!(&value, Expr::Identifier(i) if i.value.eq_ignore_ascii_case("default")) {
                return Err(format!(
                    "[DEFAULT_PLACEMENT_INVALID] A DEFAULT keyword in SET VARIABLE `{name}` \
                     cannot be used here"
                ));
            }
            Ok((variable_name(&object_parts(&name))?, value.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(VariableStatement::Set)
}

/// Writes every identifier of `statement` that names a declared variable (`is_variable`, by
/// lower-case name) as the DataFusion variable `@name`; a bare one in a select list keeps its
/// name as an alias. Returns whether any was written.
pub fn reference_variables(statement: &mut Statement, is_variable: &dyn Fn(&str) -> bool) -> bool {
    let mut marker = Marker {
        is_variable,
        changed: false,
    };
    let _ = VisitMut::visit(statement, &mut marker);
    marker.changed
}

struct Marker<'a> {
    is_variable: &'a dyn Fn(&str) -> bool,
    changed: bool,
}

impl Marker<'_> {
    fn variable(&self, expr: &Expr) -> Option<(String, Ident)> {
        let parts: Vec<&Ident> = match expr {
            Expr::Identifier(ident) => vec![ident],
            Expr::CompoundIdentifier(parts) if parts.len() <= 3 => parts.iter().collect(),
            _ => return None,
        };
        let texts: Vec<String> = parts.iter().map(|p| p.value.clone()).collect();
        let name = variable_name(&texts).ok()?;
        let written = parts.last()?;
        ((self.is_variable)(&name)).then(|| (name, (*written).clone()))
    }
}

impl VisitorMut for Marker<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let datafusion::sql::sqlparser::ast::SetExpr::Select(select) = query.body.as_mut() {
            for item in &mut select.projection {
                if let SelectItem::UnnamedExpr(expr) = item
                    && let Some((name, written)) = self.variable(expr)
                {
                    *item = SelectItem::ExprWithAlias {
                        expr: Expr::Identifier(Ident::new(format!("@{name}"))),
                        alias: Ident::with_quote('`', written.value),
                    };
                    self.changed = true;
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Some((name, _)) = self.variable(expr) {
            *expr = Expr::Identifier(Ident::new(format!("@{name}")));
            self.changed = true;
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_statements() {
        assert_eq!(
            parse_variable_statement("DECLARE OR REPLACE VARIABLE system.session.V INT DEFAULT 5"),
            Some(Ok(VariableStatement::Declare {
                name: "v".into(),
                replace: true,
                data_type: Some("INT".into()),
                default: Some("5".into()),
            }))
        );
        assert_eq!(
            parse_variable_statement("SET VAR a = 1, session.b = a + 1"),
            Some(Ok(VariableStatement::Set(vec![
                ("a".into(), "1".into()),
                ("b".into(), "a + 1".into())
            ])))
        );
        assert!(matches!(
            parse_variable_statement("DECLARE x INT DEFAULT (SELECT 1)"),
            Some(Err(e)) if e.starts_with("[INVALID_DEFAULT_VALUE.SUBQUERY_EXPRESSION]")
        ));
        assert!(matches!(
            parse_variable_statement("DECLARE x DEFAULT 'select'"),
            Some(Ok(VariableStatement::Declare { .. }))
        ));
        assert!(matches!(
            parse_variable_statement("DECLARE x"),
            Some(Err(e)) if e.starts_with("[INVALID_SQL_SYNTAX.VARIABLE_TYPE_OR_DEFAULT_REQUIRED]")
        ));
        assert!(matches!(
            parse_variable_statement("DROP TEMPORARY VARIABLE IF EXISTS x"),
            Some(Ok(VariableStatement::Drop {
                if_exists: true,
                ..
            }))
        ));
        assert_eq!(
            parse_variable_statement("SET spark.sql.ansi.enabled = true"),
            None
        );
        assert_eq!(parse_variable_statement("DROP TABLE t"), None);
    }

    #[test]
    fn marks_references_to_declared_variables() {
        let dialect = EmberDialect::default();
        let mut statement = Parser::parse_sql(&dialect, "SELECT v, session.v + x FROM t")
            .expect("parses")
            .remove(0);
        assert!(reference_variables(&mut statement, &|n| n == "v"));
        assert_eq!(statement.to_string(), "SELECT @v AS `v`, @v + x FROM t");
    }
}
