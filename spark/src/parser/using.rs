//! `JOIN … USING (k)` as Spark resolves it. The join's output has one `k`: the left side's for
//! inner and left joins, the right side's for right joins, `coalesce(left.k, right.k)` for full
//! joins; and `SELECT *` lists the `USING` columns first, then the left side's other columns,
//! then the right side's. DataFusion keeps the left side's `k` (NULL for rows only on the right
//! of a full join) and lists every left column first.
//!
//! The rewrite needs each side's column names, which the session gets by planning
//! `SELECT * FROM side` ([`using_join_inputs`]), as for set operations.

use std::collections::HashMap;
use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, GroupByExpr, Ident, JoinConstraint, JoinOperator, ObjectNamePart, OrderBy, OrderByKind,
    Query, Select, SelectItem, SetExpr, Statement, TableFactor, VisitMut, VisitorMut,
};

use super::rewrite::parse_expr;

/// Which side's `k` the join's `k` is.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Left,
    Right,
    Both,
}

/// A `FROM l JOIN r USING (…)` of two named relations.
struct UsingJoin {
    left: TableFactor,
    right: TableFactor,
    left_name: Ident,
    right_name: Ident,
    columns: Vec<Ident>,
    side: Side,
}

/// The name a relation's columns are qualified with: its alias, else its table name.
fn qualifier(factor: &TableFactor) -> Option<Ident> {
    match factor {
        TableFactor::Table { alias: Some(a), .. } | TableFactor::Derived { alias: Some(a), .. } => {
            Some(a.name.clone())
        }
        TableFactor::Table { name, .. } => match name.0.last()? {
            ObjectNamePart::Identifier(id) => Some(id.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn using_join(select: &Select) -> Option<UsingJoin> {
    let [from] = select.from.as_slice() else {
        return None;
    };
    let [join] = from.joins.as_slice() else {
        return None;
    };
    let (constraint, side) = match &join.join_operator {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c) => (c, Side::Left),
        JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (c, Side::Right),
        JoinOperator::FullOuter(c) => (c, Side::Both),
        _ => return None,
    };
    let JoinConstraint::Using(names) = constraint else {
        return None;
    };
    let columns = names
        .iter()
        .map(|n| match n.0.as_slice() {
            [ObjectNamePart::Identifier(id)] => Some(id.clone()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(UsingJoin {
        left_name: qualifier(&from.relation)?,
        right_name: qualifier(&join.relation)?,
        left: from.relation.clone(),
        right: join.relation.clone(),
        columns,
        side,
    })
}

/// The SQL whose output names are one side's columns.
fn side_sql(with: Option<&str>, factor: &TableFactor) -> String {
    match with {
        Some(with) => format!("{with} SELECT * FROM {factor}"),
        None => format!("SELECT * FROM {factor}"),
    }
}

/// What [`Selects`] calls: a `SELECT`, the `WITH` clause in scope and the `ORDER BY` of the
/// query when the `SELECT` is its whole body.
type OnSelect<'a> = dyn FnMut(Option<&str>, &mut Select, Option<&mut OrderBy>) + 'a;

/// Calls its function with every `SELECT` of a statement.
struct Selects<'a> {
    on_select: &'a mut OnSelect<'a>,
}

impl Selects<'_> {
    fn walk(&mut self, with: Option<&str>, body: &mut SetExpr, order_by: Option<&mut OrderBy>) {
        match body {
            SetExpr::Select(select) => (self.on_select)(with, select, order_by),
            SetExpr::SetOperation { left, right, .. } => {
                self.walk(with, left, None);
                self.walk(with, right, None);
            }
            _ => {}
        }
    }
}

impl VisitorMut for Selects<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let with = query.with.as_ref().map(ToString::to_string);
        self.walk(with.as_deref(), &mut query.body, query.order_by.as_mut());
        ControlFlow::Continue(())
    }
}

/// Calls its function with every expression outside subqueries (a subquery's `k` is its own).
struct OutsideSubqueries<'a> {
    depth: usize,
    on_expr: &'a mut dyn FnMut(&mut Expr),
}

impl VisitorMut for OutsideSubqueries<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if self.depth == 0 {
            (self.on_expr)(expr);
        }
        ControlFlow::Continue(())
    }
}

/// The queries whose output names [`rewrite_using_joins`] needs, as SQL.
pub fn using_join_inputs(statement: &Statement) -> Vec<String> {
    let mut statement = statement.clone();
    let mut out = Vec::new();
    let mut record = |with: Option<&str>, select: &mut Select, _: Option<&mut OrderBy>| {
        if let Some(join) = using_join(select) {
            out.push(side_sql(with, &join.left));
            out.push(side_sql(with, &join.right));
        }
    };
    let _ = statement.visit(&mut Selects {
        on_select: &mut record,
    });
    out
}

/// `name` quoted for SQL text.
fn quoted(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Rewrites the `USING` joins whose sides' names are in `columns` (keyed by the SQL
/// [`using_join_inputs`] returned).
pub fn rewrite_using_joins(statement: &mut Statement, columns: &HashMap<String, Vec<String>>) {
    let mut rewrite = |with: Option<&str>, select: &mut Select, order_by: Option<&mut OrderBy>| {
        let Some(join) = using_join(select) else {
            return;
        };
        let (Some(left_columns), Some(right_columns)) = (
            columns.get(&side_sql(with, &join.left)),
            columns.get(&side_sql(with, &join.right)),
        ) else {
            return;
        };
        let (l, r) = (join.left_name.to_string(), join.right_name.to_string());
        let using = |name: &str| {
            join.columns
                .iter()
                .any(|c| c.value.eq_ignore_ascii_case(name))
        };
        let joined = |name: &str| -> Option<Expr> {
            let name = quoted(name);
            parse_expr(&match join.side {
                Side::Left => format!("{l}.{name}"),
                Side::Right => format!("{r}.{name}"),
                Side::Both => format!("coalesce({l}.{name}, {r}.{name})"),
            })
        };
        // The join's own `k`, where the query names it without a qualifier.
        if join.side != Side::Left {
            let replace = |expr: &mut Expr| {
                let mut outside = OutsideSubqueries {
                    depth: 0,
                    on_expr: &mut |e: &mut Expr| {
                        if let Expr::Identifier(id) = e
                            && using(&id.value)
                            && let Some(replacement) = joined(&id.value)
                        {
                            *e = replacement;
                        }
                    },
                };
                let _ = expr.visit(&mut outside);
            };
            for item in &mut select.projection {
                match item {
                    SelectItem::UnnamedExpr(Expr::Identifier(id)) if using(&id.value) => {
                        let alias = id.clone();
                        if let Some(expr) = joined(&id.value) {
                            *item = SelectItem::ExprWithAlias { expr, alias };
                        }
                    }
                    SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => {
                        replace(expr);
                    }
                    _ => {}
                }
            }
            if let Some(selection) = &mut select.selection {
                replace(selection);
            }
            if let Some(having) = &mut select.having {
                replace(having);
            }
            if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
                exprs.iter_mut().for_each(replace);
            }
            // ORDER BY k: the join's k, unless the query names another column k.
            let other_k = select.projection.iter().any(|item| {
                matches!(item, SelectItem::ExprWithAlias { expr, alias }
                    if using(&alias.value) && Some(expr) != joined(&alias.value).as_ref())
            });
            if !other_k
                && let Some(OrderBy {
                    kind: OrderByKind::Expressions(exprs),
                    ..
                }) = order_by
            {
                exprs.iter_mut().for_each(|e| replace(&mut e.expr));
            }
        }
        // `*`: the USING columns, then each side's others.
        let plain_wildcard = |item: &SelectItem| {
            matches!(item, SelectItem::Wildcard(o)
                if o.opt_ilike.is_none() && o.opt_exclude.is_none() && o.opt_except.is_none()
                    && o.opt_replace.is_none() && o.opt_rename.is_none() && o.opt_alias.is_none())
        };
        if select.projection.iter().any(plain_wildcard) {
            let mut expanded = Vec::new();
            for c in &join.columns {
                let Some(expr) = joined(&c.value) else {
                    return;
                };
                expanded.push(SelectItem::ExprWithAlias {
                    expr,
                    alias: c.clone(),
                });
            }
            for (qualifier, names) in [(&l, left_columns), (&r, right_columns)] {
                for name in names.iter().filter(|n| !using(n)) {
                    let Some(expr) = parse_expr(&format!("{qualifier}.{}", quoted(name))) else {
                        return;
                    };
                    expanded.push(SelectItem::UnnamedExpr(expr));
                }
            }
            select.projection = std::mem::take(&mut select.projection)
                .into_iter()
                .flat_map(|item| {
                    if plain_wildcard(&item) {
                        expanded.clone()
                    } else {
                        vec![item]
                    }
                })
                .collect();
        }
    };
    let _ = statement.visit(&mut Selects {
        on_select: &mut rewrite,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::dialect::SparkSqlDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    fn statement(sql: &str) -> Statement {
        Parser::parse_sql(&SparkSqlDialect {}, sql)
            .expect("parses")
            .remove(0)
    }

    #[test]
    fn full_joins_coalesce_the_using_column_and_star_lists_it_first() {
        let mut s = statement(
            "SELECT *, k FROM t FULL OUTER JOIN s USING (k) WHERE k > 1 AND k IN (SELECT k FROM u)",
        );
        let inputs = using_join_inputs(&s);
        assert_eq!(inputs, vec!["SELECT * FROM t", "SELECT * FROM s"]);
        let columns = HashMap::from([
            (inputs[0].clone(), vec!["v".to_string(), "k".to_string()]),
            (inputs[1].clone(), vec!["k".to_string(), "w".to_string()]),
        ]);
        rewrite_using_joins(&mut s, &columns);
        assert_eq!(
            s.to_string(),
            "SELECT coalesce(t.`k`, s.`k`) AS k, t.`v`, s.`w`, coalesce(t.`k`, s.`k`) AS k \
             FROM t FULL JOIN s USING(k) WHERE coalesce(t.`k`, s.`k`) > 1 \
             AND coalesce(t.`k`, s.`k`) IN (SELECT k FROM u)"
        );
    }

    #[test]
    fn inner_joins_keep_the_left_column_without_names_nothing_changes() {
        let mut s = statement("SELECT * FROM t AS a JOIN s AS b USING (k)");
        let unchanged = s.to_string();
        rewrite_using_joins(&mut s, &HashMap::new());
        assert_eq!(s.to_string(), unchanged);
        let columns = HashMap::from([
            (
                "SELECT * FROM t AS a".to_string(),
                vec!["v".to_string(), "k".to_string()],
            ),
            ("SELECT * FROM s AS b".to_string(), vec!["k".to_string()]),
        ]);
        rewrite_using_joins(&mut s, &columns);
        assert_eq!(
            s.to_string(),
            "SELECT a.`k` AS k, a.`v` FROM t AS a JOIN s AS b USING(k)"
        );
    }
}
