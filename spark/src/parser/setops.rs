//! Spark's set operations and inline tables, rewritten into what DataFusion plans the same way.
//!
//! - `MINUS` is Spark's other spelling of `EXCEPT`.
//! - `EXCEPT ALL` and `INTERSECT ALL` keep duplicates: a row present `a` times on the left and
//!   `b` times on the right appears `max(a - b, 0)` and `min(a, b)` times. DataFusion's
//!   implementation drops or keeps every copy instead, so each side numbers the copies of a row
//!   (`row_number()` over all its columns) and the numbered rows go through the distinct
//!   operation: copy `k` survives `EXCEPT` exactly when the right has fewer than `k` copies. The
//!   rewrite needs the left side's output names, which the caller resolves
//!   ([`set_operation_inputs`]).
//! - `VALUES` without column names names its columns `col1`, `col2`, … as Spark does (DataFusion:
//!   `column1`, …).

use std::collections::HashMap;
use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Ident, Query, SetExpr, SetOperator, SetQuantifier, Statement, TableAlias, TableAliasColumnDef,
    TableFactor, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::SparkSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// Name of the column that numbers copies of a row.
const COPY_NUMBER: &str = "__ember_copy";

/// Whether `body` is `EXCEPT ALL`, `MINUS ALL` or `INTERSECT ALL`.
fn keeps_duplicates(body: &SetExpr) -> bool {
    matches!(
        body,
        SetExpr::SetOperation {
            op: SetOperator::Except | SetOperator::Intersect | SetOperator::Minus,
            set_quantifier: SetQuantifier::All,
            ..
        }
    )
}

/// The SQL whose output names the rewrite of the set operation `left OP ALL right` needs: the
/// left side, with the enclosing query's `WITH` clause so that it plans on its own.
fn left_side_sql(query_with: Option<&str>, left: &SetExpr) -> String {
    match query_with {
        Some(with) => format!("{with} {left}"),
        None => left.to_string(),
    }
}

/// Visits every query's body tree (nested set operations included), with the query's `WITH`.
struct SetOperations<'a> {
    on_set_operation: &'a mut dyn FnMut(Option<&str>, &mut SetExpr),
}

impl SetOperations<'_> {
    fn walk(&mut self, with: Option<&str>, body: &mut SetExpr) {
        (self.on_set_operation)(with, body);
        if let SetExpr::SetOperation { left, right, .. } = body {
            self.walk(with, left);
            self.walk(with, right);
        }
    }
}

impl VisitorMut for SetOperations<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let with = query.with.as_ref().map(ToString::to_string);
        self.walk(with.as_deref(), &mut query.body);
        ControlFlow::Continue(())
    }
}

/// The queries whose output column names [`rewrite_set_operations`] needs, as SQL.
pub fn set_operation_inputs(statement: &Statement) -> Vec<String> {
    let mut statement = statement.clone();
    let mut out = Vec::new();
    let mut record = |with: Option<&str>, body: &mut SetExpr| {
        if keeps_duplicates(body)
            && let SetExpr::SetOperation { left, .. } = body
        {
            out.push(left_side_sql(with, left));
        }
    };
    let _ = statement.visit(&mut SetOperations {
        on_set_operation: &mut record,
    });
    out
}

/// Rewrites `MINUS` into `EXCEPT`, and `EXCEPT ALL` / `INTERSECT ALL` whose left side's names
/// are in `columns` (keyed by the SQL [`set_operation_inputs`] returned) into distinct set
/// operations over numbered copies.
pub fn rewrite_set_operations(statement: &mut Statement, columns: &HashMap<String, Vec<String>>) {
    let mut rewrite = |with: Option<&str>, body: &mut SetExpr| {
        if keeps_duplicates(body)
            && let SetExpr::SetOperation {
                op, left, right, ..
            } = &*body
            && let Some(names) = columns.get(&left_side_sql(with, left))
            && !names.is_empty()
            && let Some(query) = numbered_copies(op, left, right, names)
        {
            *body = SetExpr::Query(Box::new(query));
        }
        if let SetExpr::SetOperation { op, .. } = body
            && *op == SetOperator::Minus
        {
            *op = SetOperator::Except;
        }
    };
    let _ = statement.visit(&mut SetOperations {
        on_set_operation: &mut rewrite,
    });
}

/// `left OP ALL right` as a distinct `OP` over rows numbered by copy, projected back to the
/// left side's `names`.
fn numbered_copies(
    op: &SetOperator,
    left: &SetExpr,
    right: &SetExpr,
    names: &[String],
) -> Option<Query> {
    let positions: Vec<String> = (1..=names.len()).map(|i| format!("__ember_c{i}")).collect();
    let list = positions.join(", ");
    let side = |input: &SetExpr, alias: &str| {
        format!(
            "SELECT {list}, row_number() OVER (PARTITION BY {list} ORDER BY {list}) AS {COPY_NUMBER} \
             FROM ({input}) AS {alias}({list})"
        )
    };
    let op = match op {
        SetOperator::Intersect => "INTERSECT",
        _ => "EXCEPT",
    };
    let outputs: Vec<String> = positions
        .iter()
        .zip(names)
        .map(|(position, name)| format!("{position} AS {}", Ident::with_quote('`', name)))
        .collect();
    let sql = format!(
        "SELECT {} FROM ({} {op} {}) AS __ember_set",
        outputs.join(", "),
        side(left, "__ember_left"),
        side(right, "__ember_right"),
    );
    Parser::new(&SparkSqlDialect {})
        .try_with_sql(&sql)
        .and_then(|mut p| p.parse_query())
        .ok()
        .map(|q| *q)
}

/// Names the columns of inline tables without column names `col1`, `col2`, … (Spark's names).
struct InlineTables;

fn spark_column_aliases(count: usize) -> Vec<TableAliasColumnDef> {
    (1..=count)
        .map(|i| TableAliasColumnDef::from_name(format!("col{i}")))
        .collect()
}

impl VisitorMut for InlineTables {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Derived {
            subquery, alias, ..
        } = factor
            && let SetExpr::Values(values) = subquery.body.as_ref()
            && let Some(first) = values.rows.first()
        {
            let count = first.len();
            match alias {
                Some(alias) if alias.columns.is_empty() => {
                    alias.columns = spark_column_aliases(count);
                }
                Some(_) => {}
                None => {
                    *alias = Some(TableAlias {
                        explicit: true,
                        name: Ident::new("__ember_values"),
                        columns: spark_column_aliases(count),
                        at: None,
                    });
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// Gives inline tables Spark's column names: `VALUES` in a `FROM` clause, and a statement that
/// is a bare `VALUES` list.
pub fn name_inline_tables(statement: &mut Statement) {
    if let Statement::Query(query) = statement
        && let SetExpr::Values(values) = query.body.as_ref()
        && let Some(first) = values.rows.first()
    {
        let columns: Vec<String> = (1..=first.len()).map(|i| format!("col{i}")).collect();
        let sql = format!(
            "SELECT * FROM ({}) AS __ember_values({})",
            query.body,
            columns.join(", ")
        );
        if let Ok(body) = Parser::new(&SparkSqlDialect {})
            .try_with_sql(&sql)
            .and_then(|mut p| p.parse_query())
        {
            query.body = body.body;
        }
    }
    let _ = statement.visit(&mut InlineTables);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(sql: &str) -> Statement {
        Parser::parse_sql(&SparkSqlDialect {}, sql)
            .expect("parses")
            .remove(0)
    }

    #[test]
    fn except_all_numbers_copies_of_rows() {
        let mut statement = parse("SELECT a FROM l EXCEPT ALL SELECT b FROM r");
        let inputs = set_operation_inputs(&statement);
        assert_eq!(inputs, vec!["SELECT a FROM l".to_string()]);
        let columns = HashMap::from([(inputs[0].clone(), vec!["a".to_string()])]);
        rewrite_set_operations(&mut statement, &columns);
        let sql = statement.to_string();
        assert!(
            sql.contains("row_number() OVER (PARTITION BY __ember_c1 ORDER BY __ember_c1)"),
            "{sql}"
        );
        assert!(sql.contains(" EXCEPT SELECT"), "{sql}");
        assert!(!sql.contains("ALL"), "{sql}");
    }

    #[test]
    fn minus_is_except() {
        let mut statement = parse("SELECT a FROM l MINUS SELECT b FROM r");
        rewrite_set_operations(&mut statement, &HashMap::new());
        assert_eq!(
            statement.to_string(),
            "SELECT a FROM l EXCEPT SELECT b FROM r"
        );
    }

    #[test]
    fn inline_tables_get_spark_names() {
        let mut statement = parse("SELECT * FROM VALUES (1, 2) AS t");
        name_inline_tables(&mut statement);
        assert!(
            statement.to_string().contains("t (col1, col2)"),
            "{statement}"
        );
        let mut statement = parse("VALUES (1, 'a'), (2, 'b')");
        name_inline_tables(&mut statement);
        assert!(
            statement
                .to_string()
                .contains("__ember_values (col1, col2)"),
            "{statement}"
        );
    }
}
