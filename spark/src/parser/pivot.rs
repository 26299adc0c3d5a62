//! Spark's `PIVOT` and `UNPIVOT`, which DataFusion does not plan. `PIVOT` becomes a grouped
//! aggregation:
//!
//! `FROM t PIVOT (sum(v) AS s FOR k IN ('a', 'b' AS bee))` becomes
//! `FROM (SELECT g…, sum(CASE WHEN k IS NOT DISTINCT FROM 'a' THEN v END) AS a, … FROM t
//! GROUP BY g…)`, where the grouping columns `g…` are the columns of `t` that neither the
//! aggregates nor the pivot column use (Spark's implicit grouping). Output columns are named as
//! Spark names them (in lower case): the value (or its alias) for one aggregate,
//! `value_aggregate` for several; a group without rows for a value gets NULL.
//!
//! Finding the grouping columns needs the source's columns, so the session plans
//! `SELECT * FROM source` for every pivot first ([`pivot_sources`]) and passes the names to
//! [`rewrite_pivots`].

use std::collections::{BTreeSet, HashMap};
use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, PivotValueSource, Statement,
    TableFactor, Value, Visit, VisitMut, Visitor, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::SparkSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

struct Sources(Vec<String>);

impl Visitor for Sources {
    type Break = ();
    fn pre_visit_table_factor(&mut self, table: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Pivot { table, .. } | TableFactor::Unpivot { table, .. } = table {
            self.0.push(table.to_string());
        }
        ControlFlow::Continue(())
    }
}

/// The source (as SQL text) of every `PIVOT` and `UNPIVOT` in `statement`.
pub fn pivot_sources(statement: &Statement) -> Vec<String> {
    let mut sources = Sources(Vec::new());
    let _ = Visit::visit(statement, &mut sources);
    sources.0
}

/// Spark's column name part for a pivot value: its alias, else the literal's text.
fn value_name(value: &Expr, alias: Option<&str>) -> String {
    if let Some(alias) = alias {
        return alias.to_string();
    }
    match value {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.clone(),
            Value::Null => "null".to_string(),
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}

/// The identifiers (last name part, lower case) an expression refers to.
fn referenced_columns(expr: &Expr, into: &mut BTreeSet<String>) {
    let _ = datafusion::sql::sqlparser::ast::visit_expressions(expr, |e| {
        match e {
            Expr::Identifier(i) => {
                into.insert(i.value.to_ascii_lowercase());
            }
            Expr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last() {
                    into.insert(last.value.to_ascii_lowercase());
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
}

/// `agg(args)` with each argument kept only for rows of the pivot value (`count(*)` counts
/// those rows).
fn conditional_aggregate(aggregate: &Expr, condition: &str) -> Option<String> {
    let Expr::Function(f) = aggregate else {
        return None;
    };
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let args: Vec<String> = list
        .args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                Some(format!("CASE WHEN {condition} THEN {e} END"))
            }
            FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => {
                Some(format!("CASE WHEN {condition} THEN 1 END"))
            }
            _ => None,
        })
        .collect::<Option<_>>()?;
    let distinct = if list.duplicate_treatment.is_some() {
        "DISTINCT "
    } else {
        ""
    };
    Some(format!("{}({distinct}{})", f.name, args.join(", ")))
}

fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The derived table replacing one pivot, as SQL text.
fn pivot_sql(factor: &TableFactor, columns: &[String]) -> Option<String> {
    let TableFactor::Pivot {
        table,
        aggregate_functions,
        value_column,
        value_source: PivotValueSource::List(values),
        default_on_null: None,
        alias,
    } = factor
    else {
        return None;
    };
    let [pivot_column] = value_column.as_slice() else {
        return None;
    };
    let mut used = BTreeSet::new();
    referenced_columns(pivot_column, &mut used);
    for aggregate in aggregate_functions {
        referenced_columns(&aggregate.expr, &mut used);
    }
    let groups: Vec<&String> = columns
        .iter()
        .filter(|c| !used.contains(&c.to_ascii_lowercase()))
        .collect();
    let mut items: Vec<String> = groups.iter().map(|g| quote(g)).collect();
    for value in values {
        let name = value_name(&value.expr, value.alias.as_ref().map(|a| a.value.as_str()));
        let condition = format!("{pivot_column} IS NOT DISTINCT FROM {}", value.expr);
        for aggregate in aggregate_functions {
            // A group without rows for the value gets NULL, whatever the aggregate (Spark).
            let expr = format!(
                "CASE WHEN count(CASE WHEN {condition} THEN 1 END) > 0 THEN {} END",
                conditional_aggregate(&aggregate.expr, &condition)?
            );
            let column = if aggregate_functions.len() == 1 {
                name.clone()
            } else {
                let agg_name = match &aggregate.alias {
                    Some(a) => a.value.clone(),
                    None => aggregate.expr.to_string(),
                };
                format!("{name}_{agg_name}")
            };
            // Lower case: DataFusion resolves unquoted names in lower case, Spark ignores case.
            items.push(format!("{expr} AS {}", quote(&column.to_lowercase())));
        }
    }
    let group_by = if groups.is_empty() {
        String::new()
    } else {
        format!(
            " GROUP BY {}",
            groups
                .iter()
                .map(|g| quote(g))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let alias = match alias {
        Some(a) => format!(" AS {a}"),
        None => " AS __pivot".to_string(),
    };
    Some(format!(
        "(SELECT {} FROM {table}{group_by}){alias}",
        items.join(", ")
    ))
}

/// The derived table replacing one `UNPIVOT`, as SQL text: one `SELECT` per unpivoted column
/// (or column tuple) keeping the source's other columns, then the name column and the value
/// columns, all joined by `UNION ALL`; rows whose values are all NULL are left out unless
/// `INCLUDE NULLS` is given.
fn unpivot_sql(factor: &TableFactor, columns: &[String]) -> Option<String> {
    let TableFactor::Unpivot {
        table,
        value,
        name,
        columns: unpivoted,
        null_inclusion,
        alias,
    } = factor
    else {
        return None;
    };
    let elements = |e: &Expr| -> Vec<Expr> {
        match e {
            Expr::Tuple(items) => items.clone(),
            Expr::Nested(inner) => vec![inner.as_ref().clone()],
            other => vec![other.clone()],
        }
    };
    let value_columns: Vec<String> = elements(value)
        .iter()
        .map(|v| quote(&v.to_string()))
        .collect();
    let mut used = BTreeSet::new();
    for column in unpivoted {
        referenced_columns(&column.expr, &mut used);
    }
    let kept: Vec<String> = columns
        .iter()
        .filter(|c| !used.contains(&c.to_ascii_lowercase()))
        .map(|c| quote(c))
        .collect();
    let mut branches = Vec::new();
    for column in unpivoted {
        let exprs = elements(&column.expr);
        if exprs.len() != value_columns.len() {
            return None;
        }
        let label = match &column.alias {
            Some(alias) => alias.value.clone(),
            None => exprs
                .iter()
                .map(|e| match e {
                    Expr::Identifier(i) => i.value.clone(),
                    Expr::CompoundIdentifier(parts) => {
                        parts.last().map(|p| p.value.clone()).unwrap_or_default()
                    }
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("_"),
        };
        let mut items = kept.clone();
        items.push(format!(
            "'{}' AS {}",
            label.replace('\'', "''"),
            quote(&name.value)
        ));
        for (expr, value) in exprs.iter().zip(&value_columns) {
            items.push(format!("{expr} AS {value}"));
        }
        branches.push(format!("SELECT {} FROM {table}", items.join(", ")));
    }
    let include_nulls = matches!(
        null_inclusion,
        Some(datafusion::sql::sqlparser::ast::NullInclusion::IncludeNulls)
    );
    let filter = if include_nulls {
        String::new()
    } else {
        let all_null: Vec<String> = value_columns
            .iter()
            .map(|v| format!("{v} IS NULL"))
            .collect();
        format!(" WHERE NOT ({})", all_null.join(" AND "))
    };
    let alias = match alias {
        Some(a) => format!(" AS {a}"),
        None => " AS __unpivot".to_string(),
    };
    Some(format!(
        "(SELECT * FROM ({}) AS __unpivot_rows{filter}){alias}",
        branches.join(" UNION ALL ")
    ))
}

struct Rewriter<'a> {
    columns: &'a HashMap<String, Vec<String>>,
}

impl VisitorMut for Rewriter<'_> {
    type Break = ();
    fn post_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        let (TableFactor::Pivot { table, .. } | TableFactor::Unpivot { table, .. }) = factor else {
            return ControlFlow::Continue(());
        };
        let Some(columns) = self.columns.get(&table.to_string()) else {
            return ControlFlow::Continue(());
        };
        let sql = match factor {
            TableFactor::Pivot { .. } => pivot_sql(factor, columns),
            _ => unpivot_sql(factor, columns),
        };
        let Some(sql) = sql else {
            return ControlFlow::Continue(());
        };
        let parsed = Parser::new(&SparkSqlDialect {})
            .try_with_sql(&sql)
            .and_then(|mut p| p.parse_table_factor());
        if let Ok(replacement) = parsed {
            *factor = replacement;
        }
        ControlFlow::Continue(())
    }
}

/// Rewrites every `PIVOT` and `UNPIVOT` whose source columns are in `columns` (keyed by source text).
pub fn rewrite_pivots(statement: &mut Statement, columns: &HashMap<String, Vec<String>>) {
    let _ = VisitMut::visit(statement, &mut Rewriter { columns });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pivots_into_a_grouped_aggregation() {
        let sql = "SELECT * FROM sales PIVOT (sum(amount) FOR quarter IN ('Q1', 'Q2' AS second))";
        let mut statement = Parser::parse_sql(&SparkSqlDialect {}, sql)
            .expect("parses")
            .pop()
            .expect("one statement");
        assert_eq!(pivot_sources(&statement), ["sales"]);
        let columns = HashMap::from([(
            "sales".to_string(),
            vec![
                "year".to_string(),
                "quarter".to_string(),
                "amount".to_string(),
            ],
        )]);
        rewrite_pivots(&mut statement, &columns);
        assert_eq!(
            statement.to_string(),
            "SELECT * FROM (SELECT `year`, \
             CASE WHEN count(CASE WHEN quarter IS NOT DISTINCT FROM 'Q1' THEN 1 END) > 0 THEN sum(CASE WHEN quarter IS NOT DISTINCT FROM 'Q1' THEN amount END) END AS `q1`, \
             CASE WHEN count(CASE WHEN quarter IS NOT DISTINCT FROM 'Q2' THEN 1 END) > 0 THEN sum(CASE WHEN quarter IS NOT DISTINCT FROM 'Q2' THEN amount END) END AS `second` \
             FROM sales GROUP BY `year`) AS __pivot"
        );
    }
}
