//! Spark syntax that DataFusion's SQL planner does not accept, rewritten on the parsed statement
//! into equivalent SQL it does: `a RLIKE p` / `a REGEXP p` become `regexp_like(a, p)`, and
//! `regexp_replace(s, p, r)` replaces every match (`'g'`), as Spark's does; the day count of
//! `date_add`/`date_sub` and the length of `space` are cast to `INT` (Spark's integer literals
//! are `INT`, DataFusion's `BIGINT`, which these functions refuse).

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Statement, visit_expressions_mut,
};
use datafusion::sql::sqlparser::dialect::SparkSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// Rewrites `statement` in place.
pub fn rewrite_spark_syntax(statement: &mut Statement) {
    let _ = visit_expressions_mut(statement, |expr| {
        if let Expr::RLike {
            negated,
            expr: value,
            pattern,
            ..
        } = expr
        {
            let text = format!(
                "{}regexp_like({value}, {pattern})",
                if *negated { "NOT " } else { "" }
            );
            if let Ok(replacement) = Parser::new(&SparkSqlDialect {})
                .try_with_sql(&text)
                .and_then(|mut p| p.parse_expr())
            {
                *expr = replacement;
            }
        }
        if let Expr::Function(f) = expr
            && let Some(index) = int_argument(&f.name.to_string())
            && let FunctionArguments::List(list) = &mut f.args
            && let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))) = list.args.get_mut(index)
            && let Ok(cast) = Parser::new(&SparkSqlDialect {})
                .try_with_sql(&format!("CAST({arg} AS INT)"))
                .and_then(|mut p| p.parse_expr())
        {
            *arg = cast;
        }
        if let Expr::Function(f) = expr
            && f.name.to_string().eq_ignore_ascii_case("regexp_replace")
            && let FunctionArguments::List(list) = &f.args
            && list.args.len() == 3
        {
            let args: Vec<String> = list.args.iter().map(|a| a.to_string()).collect();
            let text = format!("regexp_replace({}, 'g')", args.join(", "));
            if let Ok(replacement) = Parser::new(&SparkSqlDialect {})
                .try_with_sql(&text)
                .and_then(|mut p| p.parse_expr())
            {
                *expr = replacement;
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Which argument of a function Spark passes as an `INT`.
fn int_argument(function: &str) -> Option<usize> {
    match function.to_ascii_lowercase().as_str() {
        "date_add" | "date_sub" => Some(1),
        "space" => Some(0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rlike_becomes_regexp_like() {
        let mut statements = Parser::parse_sql(
            &SparkSqlDialect {},
            "SELECT a RLIKE '^x', b NOT REGEXP 'y' FROM t",
        )
        .expect("parses");
        rewrite_spark_syntax(&mut statements[0]);
        assert_eq!(
            statements[0].to_string(),
            "SELECT regexp_like(a, '^x'), NOT regexp_like(b, 'y') FROM t"
        );
        let mut statements = Parser::parse_sql(
            &SparkSqlDialect {},
            "SELECT regexp_replace(s, '[0-9]', '#')",
        )
        .expect("parses");
        rewrite_spark_syntax(&mut statements[0]);
        assert_eq!(
            statements[0].to_string(),
            "SELECT regexp_replace(s, '[0-9]', '#', 'g')"
        );
    }
}
