//! The SQL dialect Ember parses queries with: sqlparser's Spark dialect, plus Spark's backslash
//! escapes in string literals (`'C:\\'` is `C:\`, `'\\d+'` is the regex `\d+`), which
//! sqlparser's Spark dialect leaves as written.

use std::any::TypeId;

use datafusion::sql::sqlparser::ast::Expr;
use datafusion::sql::sqlparser::dialect::{Dialect, SparkSqlDialect};
use datafusion::sql::sqlparser::parser::{Parser, ParserError};

/// sqlparser's [`SparkSqlDialect`] with backslash escapes in strings.
#[derive(Debug)]
pub struct EmberDialect {
    spark: SparkSqlDialect,
    /// Whether a backslash escapes the next character of a string (off to re-read SQL that a
    /// rewrite printed from a parsed statement, whose strings are already unescaped).
    escapes: bool,
}

impl Default for EmberDialect {
    fn default() -> Self {
        Self {
            spark: SparkSqlDialect {},
            escapes: true,
        }
    }
}

impl EmberDialect {
    /// The dialect for SQL text that rewrites print from parsed statements: the same syntax,
    /// strings taken as written.
    pub fn without_escapes() -> Self {
        Self {
            spark: SparkSqlDialect {},
            escapes: false,
        }
    }
}

impl Dialect for EmberDialect {
    /// Parser code that asks "is this the Spark dialect?" gets yes.
    fn dialect(&self) -> TypeId {
        TypeId::of::<SparkSqlDialect>()
    }
    fn supports_string_literal_backslash_escape(&self) -> bool {
        self.escapes
    }
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        self.spark.is_delimited_identifier_start(ch)
    }
    fn is_identifier_start(&self, ch: char) -> bool {
        self.spark.is_identifier_start(ch)
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        self.spark.is_identifier_part(ch)
    }
    fn supports_filter_during_aggregation(&self) -> bool {
        self.spark.supports_filter_during_aggregation()
    }
    fn supports_group_by_expr(&self) -> bool {
        self.spark.supports_group_by_expr()
    }
    fn supports_group_by_with_modifier(&self) -> bool {
        self.spark.supports_group_by_with_modifier()
    }
    fn supports_lambda_functions(&self) -> bool {
        self.spark.supports_lambda_functions()
    }
    fn supports_select_wildcard_except(&self) -> bool {
        self.spark.supports_select_wildcard_except()
    }
    fn supports_struct_literal(&self) -> bool {
        self.spark.supports_struct_literal()
    }
    fn supports_nested_comments(&self) -> bool {
        self.spark.supports_nested_comments()
    }
    fn supports_create_table_using(&self) -> bool {
        self.spark.supports_create_table_using()
    }
    fn supports_long_type_as_bigint(&self) -> bool {
        self.spark.supports_long_type_as_bigint()
    }
    fn supports_values_as_table_factor(&self) -> bool {
        self.spark.supports_values_as_table_factor()
    }
    /// Spark reads `INTERVAL '1 year 2 days'` as a typed literal: the unit may be in the text.
    fn require_interval_qualifier(&self) -> bool {
        false
    }
    fn supports_bitwise_shift_operators(&self) -> bool {
        true
    }
    fn supports_bang_not_operator(&self) -> bool {
        self.spark.supports_bang_not_operator()
    }
    fn supports_select_item_multi_column_alias(&self) -> bool {
        self.spark.supports_select_item_multi_column_alias()
    }
    fn supports_cte_without_as(&self) -> bool {
        self.spark.supports_cte_without_as()
    }
    fn supports_map_literal_with_angle_brackets(&self) -> bool {
        self.spark.supports_map_literal_with_angle_brackets()
    }
    /// `|>` is read as one token; [`super::pipes`] turns pipe operators into plain SQL before
    /// the statement is parsed.
    fn supports_pipe_operator(&self) -> bool {
        true
    }
    /// `* REPLACE (expr AS column)` is what the pipe operator `|> SET` becomes.
    fn supports_select_wildcard_replace(&self) -> bool {
        true
    }
    /// `exists(array, x -> …)` is Spark's higher-order function, not an `EXISTS (subquery)`.
    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        use datafusion::sql::sqlparser::keywords::Keyword;
        use datafusion::sql::sqlparser::tokenizer::Token;
        let is_exists =
            matches!(&parser.peek_token().token, Token::Word(w) if w.keyword == Keyword::EXISTS);
        if !is_exists || parser.peek_nth_token(1).token != Token::LParen {
            return None;
        }
        let subquery = match &parser.peek_nth_token(2).token {
            Token::Word(w) => matches!(
                w.keyword,
                Keyword::SELECT | Keyword::WITH | Keyword::VALUES | Keyword::FROM | Keyword::TABLE
            ),
            Token::LParen => true,
            _ => false,
        };
        if subquery {
            return None;
        }
        let name = parser.next_token();
        let Token::Word(word) = name.token else {
            return None;
        };
        Some(
            parser.parse_function(datafusion::sql::sqlparser::ast::ObjectName::from(vec![
                word.to_ident(name.span),
            ])),
        )
    }
    fn parse_infix(
        &self,
        parser: &mut Parser,
        expr: &Expr,
        precedence: u8,
    ) -> Option<Result<Expr, ParserError>> {
        self.spark.parse_infix(parser, expr, precedence)
    }
}
