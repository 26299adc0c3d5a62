//! Spark syntax that DataFusion's SQL planner does not accept, rewritten on the parsed statement
//! into equivalent SQL it does: `a RLIKE p` / `a REGEXP p` become `regexp_like(a, p)`, and
//! `regexp_replace(s, p, r)` replaces every match (`'g'`), as Spark's does; the day count of
//! `date_add`/`date_sub` and the length of `space` are cast to `INT` (Spark's integer literals
//! are `INT`, DataFusion's `BIGINT`, which these functions refuse); `SORT BY` / `CLUSTER BY`
//! become `ORDER BY` and `DISTRIBUTE BY` is dropped; `percentile`/`median` become
//! `percentile_cont` over doubles; `max_by`/`min_by` become an ordered
//! `first_value`; `LATERAL VIEW [OUTER] explode|posexplode` and the generators in a select list
//! become `unnest`; `grouping_id()` becomes
//! `grouping(...)` over the `GROUP BY` columns; `struct(a, 1)` names its fields `a`, `col2`;
//! two-argument `ltrim`/`rtrim` take `(trimStr, str)`; `1E3` is a double.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    AccessExpr, ArrayElemTypeDef, BinaryOperator, DataType, Expr, FunctionArg, FunctionArgExpr,
    FunctionArguments, GroupByExpr, OrderBy, OrderByExpr, OrderByKind, OrderByOptions, Query,
    Select, SelectItem, SetExpr, Statement, Subscript, TimezoneInfo, UnaryOperator, Value,
    VisitMut, VisitorMut, visit_expressions_mut,
};
use datafusion::sql::sqlparser::parser::Parser;

/// Parses the replacement SQL of a rewrite; `None` leaves the original expression in place.
/// One expression of Spark SQL text, for rewrites that build their replacement as text.
pub(crate) fn parse_expr(sql: &str) -> Option<Expr> {
    Parser::new(&super::dialect::EmberDialect::without_escapes())
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .ok()
}

/// `SORT BY`, `CLUSTER BY` and `DISTRIBUTE BY` (Hive clauses Spark keeps) order or place rows
/// within partitions only; a total `ORDER BY` gives one of the results Spark may return, and
/// `DISTRIBUTE BY` alone changes no result. Applied to the outermost query block.
fn rewrite_partition_clauses(query: &mut Query) {
    let SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    let sort_by = std::mem::take(&mut select.sort_by);
    let cluster_by = std::mem::take(&mut select.cluster_by);
    select.distribute_by.clear();
    let keys: Vec<OrderByExpr> = if !sort_by.is_empty() {
        sort_by
    } else {
        cluster_by
            .into_iter()
            .map(|expr| OrderByExpr {
                expr,
                options: OrderByOptions {
                    asc: None,
                    nulls_first: None,
                },
                with_fill: None,
            })
            .collect()
    };
    if !keys.is_empty() && query.order_by.is_none() {
        query.order_by = Some(OrderBy {
            kind: OrderByKind::Expressions(keys),
            interpolate: None,
        });
    }
}

/// The `unnest` select items of a Spark generator over `arg` with column `aliases`:
/// `explode(array)` (one column, default `col`), `explode(map)` (two columns, default `key`,
/// `value`), `posexplode(array)` (`pos`, `col`) and their `_outer` forms, which keep a row
/// with NULLs for an empty or NULL array. `None` for anything else.
fn generator_items(name: &str, arg: &str, aliases: &[String], outer: bool) -> Option<String> {
    let name = name.to_ascii_lowercase();
    let (base, outer) = match name.strip_suffix("_outer") {
        Some(base) => (base.to_string(), true),
        None => (name, outer),
    };
    let array = if outer {
        format!("CASE WHEN cardinality({arg}) > 0 THEN {arg} ELSE make_array(NULL) END")
    } else {
        arg.to_string()
    };
    let names = |defaults: &[&str]| -> Option<Vec<String>> {
        if aliases.is_empty() {
            Some(defaults.iter().map(|d| d.to_string()).collect())
        } else if aliases.len() == defaults.len() {
            Some(aliases.to_vec())
        } else {
            None
        }
    };
    match base.as_str() {
        "explode" if aliases.len() == 2 && !outer => Some(format!(
            "unnest(map_keys({arg})) AS {}, unnest(map_values({arg})) AS {}",
            aliases[0], aliases[1]
        )),
        "explode" => {
            let n = names(&["col"])?;
            Some(format!("unnest({array}) AS {}", n[0]))
        }
        "posexplode" => {
            let n = names(&["pos", "col"])?;
            let positions = if outer {
                format!(
                    "CASE WHEN cardinality({arg}) > 0 THEN CAST(range(cardinality({arg})) AS ARRAY<INT>) ELSE make_array(CAST(NULL AS INT)) END"
                )
            } else {
                format!("CAST(range(cardinality({arg})) AS ARRAY<INT>)")
            };
            Some(format!(
                "unnest({positions}) AS {}, unnest({array}) AS {}",
                n[0], n[1]
            ))
        }
        _ => None,
    }
}

/// The SQL of Spark's `x [NOT] LIKE ANY (p1, …)` (also `SOME`, `ALL`, `ILIKE`) as one
/// comparison per pattern; `None` for any other expression.
fn like_quantified(expr: &Expr) -> Option<String> {
    let (negated, any, value, pattern, operator) = match expr {
        Expr::Like {
            negated,
            any,
            expr,
            pattern,
            escape_char: None,
        } => (*negated, *any, expr, pattern, "LIKE"),
        Expr::ILike {
            negated,
            any,
            expr,
            pattern,
            escape_char: None,
        } => (*negated, *any, expr, pattern, "ILIKE"),
        _ => return None,
    };
    let (patterns, joiner): (Vec<String>, &str) = match pattern.as_ref() {
        Expr::Tuple(items) if any => (items.iter().map(ToString::to_string).collect(), " OR "),
        Expr::Nested(item) if any => (vec![item.to_string()], " OR "),
        Expr::Function(f) => {
            let joiner = match f.name.to_string().to_ascii_lowercase().as_str() {
                "all" => " AND ",
                "any" | "some" => " OR ",
                _ => return None,
            };
            let FunctionArguments::List(list) = &f.args else {
                return None;
            };
            (list.args.iter().map(ToString::to_string).collect(), joiner)
        }
        _ => return None,
    };
    if patterns.is_empty() {
        return None;
    }
    let not = if negated { "NOT " } else { "" };
    let parts: Vec<String> = patterns
        .iter()
        .map(|p| format!("({value}) {not}{operator} ({p})"))
        .collect();
    Some(format!("({})", parts.join(joiner)))
}

/// The select items of Spark's `stack(n, v1, v2, …)`: the values laid out in `n` rows of
/// `ceil(count / n)` columns (`col0`, `col1`…), NULL where the values run out; one `unnest`
/// per column, which DataFusion zips row by row. `None` unless `n` is a positive integer
/// literal.
fn stack_items(args: &[String], aliases: &[String]) -> Option<String> {
    let (n, values) = args.split_first()?;
    let rows: usize = n.trim().parse().ok().filter(|n| *n > 0)?;
    let columns = values.len().div_ceil(rows).max(1);
    if !aliases.is_empty() && aliases.len() != columns {
        return None;
    }
    let items: Vec<String> = (0..columns)
        .map(|c| {
            let cells: Vec<&str> = (0..rows)
                .map(|r| values.get(r * columns + c).map_or("NULL", String::as_str))
                .collect();
            let name = aliases.get(c).cloned().unwrap_or_else(|| format!("col{c}"));
            format!("unnest(make_array({})) AS {name}", cells.join(", "))
        })
        .collect();
    Some(items.join(", "))
}

/// `FROM t LATERAL VIEW [OUTER] explode(xs) v AS x` becomes
/// `FROM (SELECT *, unnest(xs) AS x FROM t) v`: one row per element, the other columns
/// repeated, as Spark's generators; see [`generator_items`] for the generators covered.
/// Other lateral views are left for the planner to refuse.
fn rewrite_lateral_views(query: &mut Query) {
    let SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    while !select.lateral_views.is_empty() {
        let view = &select.lateral_views[0];
        let Expr::Function(f) = &view.lateral_view else {
            return;
        };
        let FunctionArguments::List(list) = &f.args else {
            return;
        };
        if list.args.len() != 1 {
            return;
        }
        let aliases: Vec<String> = view
            .lateral_col_alias
            .iter()
            .map(ToString::to_string)
            .collect();
        let Some(items) = generator_items(
            &f.name.to_string(),
            &list.args[0].to_string(),
            &aliases,
            view.outer,
        ) else {
            return;
        };
        let from: Vec<String> = select.from.iter().map(|t| t.to_string()).collect();
        let text = format!(
            "SELECT 1 FROM (SELECT *, {items} FROM {}) AS {}",
            from.join(", "),
            view.lateral_view_name
        );
        let Ok(mut parsed) =
            Parser::parse_sql(&super::dialect::EmberDialect::without_escapes(), &text)
        else {
            return;
        };
        let Some(Statement::Query(q)) = parsed.pop() else {
            return;
        };
        let SetExpr::Select(helper) = *q.body else {
            return;
        };
        select.from = helper.from;
        select.lateral_views.remove(0);
    }
}

/// Generators in a select list: `SELECT posexplode(xs)` becomes the two items
/// `unnest(range(cardinality(xs))) AS pos, unnest(xs) AS col` (and likewise `explode_outer`,
/// `posexplode_outer`); a plain `explode` is handled with the other function rewrites.
fn rewrite_select_generators(query: &mut Query) {
    let SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    let mut items = Vec::with_capacity(select.projection.len());
    for item in std::mem::take(&mut select.projection) {
        let (expr, aliases) = match &item {
            SelectItem::UnnamedExpr(e) => (e, Vec::new()),
            SelectItem::ExprWithAlias { expr, alias } => (expr, vec![alias.to_string()]),
            _ => {
                items.push(item);
                continue;
            }
        };
        let replacement = match expr {
            Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case("stack") => {
                match &f.args {
                    FunctionArguments::List(list) => stack_items(
                        &list
                            .args
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>(),
                        &aliases,
                    ),
                    _ => None,
                }
            }
            Expr::Function(f)
                if matches!(
                    f.name.to_string().to_ascii_lowercase().as_str(),
                    "posexplode" | "posexplode_outer" | "explode_outer"
                ) =>
            {
                match &f.args {
                    FunctionArguments::List(list) if list.args.len() == 1 => generator_items(
                        &f.name.to_string(),
                        &list.args[0].to_string(),
                        &aliases,
                        false,
                    ),
                    _ => None,
                }
            }
            _ => None,
        };
        let parsed = replacement.and_then(|text| {
            let mut statements = Parser::parse_sql(
                &super::dialect::EmberDialect::without_escapes(),
                &format!("SELECT {text}"),
            )
            .ok()?;
            let Some(Statement::Query(q)) = statements.pop() else {
                return None;
            };
            match *q.body {
                SetExpr::Select(helper) => Some(helper.projection),
                _ => None,
            }
        });
        match parsed {
            Some(generated) => items.extend(generated),
            None => items.push(item),
        }
    }
    select.projection = items;
}

/// `grouping_id()` is Spark's bit vector over all grouping columns: DataFusion's
/// `grouping(c1, ..., cn)` over the columns of the `GROUP BY` (in order, once each), as a
/// `BIGINT`; `grouping_id(a, b)` the same over its arguments. `grouping(a)` is a `TINYINT` in
/// Spark. Applied to the select list, `HAVING` and `ORDER BY`.
fn rewrite_grouping_id(query: &mut Query) {
    let SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    let GroupByExpr::Expressions(exprs, _) = &select.group_by else {
        return;
    };
    let mut columns: Vec<String> = Vec::new();
    let mut add = |e: &Expr| {
        let text = e.to_string();
        if !columns.contains(&text) {
            columns.push(text);
        }
    };
    for e in exprs {
        match e {
            Expr::Rollup(sets) | Expr::Cube(sets) | Expr::GroupingSets(sets) => {
                sets.iter().flatten().for_each(&mut add)
            }
            other => add(other),
        }
    }
    if columns.is_empty() {
        return;
    }
    let rewrite = |e: &mut Expr| {
        if let Expr::Function(f) = e
            && let name = f.name.to_string().to_ascii_lowercase()
            && (name == "grouping_id" || name == "grouping")
            && f.over.is_none()
            && let FunctionArguments::List(list) = &f.args
        {
            let args: Vec<String> = list.args.iter().map(ToString::to_string).collect();
            let text = match (name.as_str(), args.is_empty()) {
                ("grouping_id", true) => {
                    format!("CAST(grouping({}) AS BIGINT)", columns.join(", "))
                }
                ("grouping_id", false) => format!("CAST(grouping({}) AS BIGINT)", args.join(", ")),
                _ => format!("CAST(grouping({}) AS TINYINT)", args.join(", ")),
            };
            if let Some(replacement) = parse_expr(&text) {
                *e = replacement;
            }
        }
        ControlFlow::<()>::Continue(())
    };
    for item in &mut select.projection {
        let _ = visit_expressions_mut(item, rewrite);
    }
    if let Some(having) = &mut select.having {
        let _ = visit_expressions_mut(having, rewrite);
    }
    if let Some(OrderBy {
        kind: OrderByKind::Expressions(keys),
        ..
    }) = &mut query.order_by
    {
        for key in keys {
            let _ = visit_expressions_mut(&mut key.expr, rewrite);
        }
    }
}

/// The query whose result a statement returns or stores: a query's, a view's.
pub fn statement_query_mut(statement: &mut Statement) -> Option<&mut Query> {
    match statement {
        Statement::Query(query) => Some(query),
        Statement::CreateView(view) => Some(&mut view.query),
        _ => None,
    }
}

/// `x NOT IN (subquery)` is NULL-aware in Spark: no row passes when the subquery returns a
/// NULL, or when `x` is NULL and the subquery returns any row. DataFusion plans it as an anti
/// join on equality, which keeps those rows. As a `WHERE` conjunct (where NULL and false both
/// drop the row) it is exactly `NOT EXISTS` of a matching, NULL or compared-with-NULL value.
struct NullAwareNotIn;

impl VisitorMut for NullAwareNotIn {
    type Break = ();

    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<()> {
        if let Some(selection) = &mut select.selection {
            rewrite_not_in_conjuncts(selection);
        }
        ControlFlow::Continue(())
    }
}

fn rewrite_not_in_conjuncts(expr: &mut Expr) {
    match expr {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            rewrite_not_in_conjuncts(left);
            rewrite_not_in_conjuncts(right);
        }
        Expr::Nested(inner) => rewrite_not_in_conjuncts(inner),
        Expr::InSubquery {
            expr: value,
            subquery,
            negated: true,
        } => {
            let text = format!(
                "NOT EXISTS (SELECT 1 FROM ({subquery}) AS __ember_in(__ember_value) \
                 WHERE __ember_value = ({value}) OR __ember_value IS NULL OR ({value}) IS NULL)"
            );
            if let Some(replacement) = parse_expr(&text) {
                *expr = replacement;
            }
        }
        _ => {}
    }
}

/// Rewrites `statement` in place.
pub fn rewrite_spark_syntax(statement: &mut Statement) {
    super::ctes::rename_shadowed_ctes(statement);
    let _ = statement.visit(&mut NullAwareNotIn);
    if let Some(query) = statement_query_mut(statement) {
        rewrite_grouping_id(query);
        rewrite_lateral_views(query);
        rewrite_select_generators(query);
        rewrite_partition_clauses(query);
    }
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
            if let Some(replacement) = parse_expr(&text) {
                *expr = replacement;
            }
        }
        // timestampadd(UNIT, n, t) / timestampdiff(UNIT, a, b), also spelled dateadd/date_add and
        // datediff/date_diff with a unit: the unit is a keyword, passed on as text (a quoted
        // unit, which Spark refuses, keeps its quotes so the function can say so).
        if let Expr::Function(f) = expr
            && let FunctionArguments::List(list) = &mut f.args
            && list.args.len() == 3
            && let Some(target) = match f.name.to_string().to_ascii_lowercase().as_str() {
                "timestampadd" | "dateadd" | "date_add" => {
                    Some(crate::functions::timestamp_units::TIMESTAMP_ADD)
                }
                "timestampdiff" | "datediff" | "date_diff" => {
                    Some(crate::functions::timestamp_units::TIMESTAMP_DIFF)
                }
                _ => None,
            }
            && let FunctionArg::Unnamed(FunctionArgExpr::Expr(unit)) = &list.args[0]
        {
            let unit = match unit {
                Expr::Identifier(ident) => Some(ident.value.to_ascii_uppercase()),
                Expr::Value(v) => match &v.value {
                    Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => {
                        Some(format!("'{s}'"))
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(unit) = unit {
                list.args[0] = FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::value(
                    Value::SingleQuotedString(unit),
                )));
                f.name = datafusion::sql::sqlparser::ast::ObjectName::from(vec![
                    datafusion::sql::sqlparser::ast::Ident::new(target),
                ]);
            }
        }
        if let Expr::Function(f) = expr
            && let FunctionArguments::List(list) = &mut f.args
        {
            for (index, to) in typed_arguments(&f.name.to_string()) {
                if let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))) =
                    list.args.get_mut(*index)
                    && let Some(cast) = parse_expr(&format!("CAST({arg} AS {to})"))
                {
                    *arg = cast;
                }
            }
        }
        // count(DISTINCT a, b): the distinct combinations with no NULL among them.
        if let Expr::Function(f) = expr
            && f.name.to_string().eq_ignore_ascii_case("count")
            && f.over.is_none()
            && f.filter.is_none()
            && let FunctionArguments::List(list) = &f.args
            && list
                .duplicate_treatment
                .is_some_and(|d| d == datafusion::sql::sqlparser::ast::DuplicateTreatment::Distinct)
            && list.args.len() > 1
            && list
                .args
                .iter()
                .all(|a| matches!(a, FunctionArg::Unnamed(FunctionArgExpr::Expr(_))))
        {
            let args: Vec<String> = list.args.iter().map(|a| format!("({a})")).collect();
            let present: Vec<String> = args.iter().map(|a| format!("{a} IS NOT NULL")).collect();
            let text = format!(
                "count(DISTINCT CASE WHEN {} THEN struct({}) END)",
                present.join(" AND "),
                args.join(", ")
            );
            if let Some(replacement) = parse_expr(&text) {
                *expr = replacement;
            }
        }
        // Spark's subscripts: a[i] counts from 0 and raises INVALID_ARRAY_INDEX out of bounds,
        // m[k] looks a key up (DataFusion counts from 1).
        // A string key (`s['f']`, `m['k']`) stays DataFusion's field or key access, which also
        // serves structs.
        if let Expr::CompoundFieldAccess { root, access_chain } = expr
            && access_chain.iter().all(|a| {
                matches!(a, AccessExpr::Subscript(Subscript::Index { index })
                    if !matches!(index, Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_) | Value::DoubleQuotedString(_))))
            })
        {
            let mut text = root.to_string();
            for access in access_chain.iter() {
                if let AccessExpr::Subscript(Subscript::Index { index }) = access {
                    text = format!(
                        "{}({text}, {index})",
                        crate::functions::collections::SUBSCRIPT
                    );
                }
            }
            if let Some(call) = parse_expr(&text) {
                *expr = call;
            }
        }
        // `!x` is NOT x; `~x` is Spark's bitwise_not.
        if let Expr::UnaryOp { op, expr: operand } = expr {
            match op {
                UnaryOperator::BangNot => *op = UnaryOperator::Not,
                UnaryOperator::BitwiseNot => {
                    if let Some(call) = parse_expr(&format!("bitwise_not({operand})")) {
                        *expr = call;
                    }
                }
                _ => {}
            }
        }
        // Spark types 1E3 and 1.0E0 as doubles (other decimal literals as decimals).
        if let Expr::Value(v) = expr
            && let Value::Number(n, _) = &v.value
            && n.to_string().contains(['e', 'E'])
            && let Some(cast) = parse_expr(&format!("CAST('{n}' AS DOUBLE)"))
        {
            *expr = cast;
        }
        // array_sort with a comparator is a higher-order function, planned under its own name
        // since DataFusion's array_sort (without one) is a scalar function.
        if let Expr::Function(f) = expr
            && f.over.is_none()
            && f.name.to_string().eq_ignore_ascii_case("array_sort")
            && let FunctionArguments::List(list) = &f.args
            && matches!(
                list.args.get(1),
                Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Lambda(_))))
            )
        {
            f.name = datafusion::sql::sqlparser::ast::ObjectName::from(vec![
                datafusion::sql::sqlparser::ast::Ident::new(
                    crate::functions::lambda::ARRAY_SORT_WITH,
                ),
            ]);
        }
        // Spark functions that are short expressions over DataFusion's.
        if let Expr::Function(f) = expr
            && f.over.is_none()
            && f.filter.is_none()
            && let FunctionArguments::List(list) = &f.args
            && list.duplicate_treatment.is_none()
            && list.clauses.is_empty()
            && list
                .args
                .iter()
                .all(|a| matches!(a, FunctionArg::Unnamed(FunctionArgExpr::Expr(_))))
        {
            let args: Vec<String> = list.args.iter().map(ToString::to_string).collect();
            let name = f.name.to_string().to_ascii_lowercase();
            if let Some(text) = super::functions::expand(&name, &args)
                && let Some(replacement) = parse_expr(&text)
            {
                *expr = replacement;
            }
        }
        // Spark's size of an array or map is an INT (DataFusion: BIGINT UNSIGNED).
        if let Expr::Function(f) = expr
            && f.over.is_none()
            && f.name.to_string().eq_ignore_ascii_case("cardinality")
            && let Some(cast) = parse_expr(&format!("CAST({expr} AS INT)"))
        {
            *expr = cast;
        }
        // Spark's ranking window functions return INT (DataFusion: BIGINT UNSIGNED).
        if let Expr::Function(f) = expr
            && f.over.is_some()
            && matches!(
                f.name.to_string().to_ascii_lowercase().as_str(),
                "row_number" | "rank" | "dense_rank" | "ntile"
            )
            && let Some(cast) = parse_expr(&format!("CAST({expr} AS INT)"))
        {
            *expr = cast;
        }
        // max_by(x, y) / min_by(x, y): the x of the row with the largest / smallest y.
        if let Expr::Function(f) = expr
            && let name = f.name.to_string().to_ascii_lowercase()
            && (name == "max_by" || name == "min_by")
            && f.over.is_none()
            && let FunctionArguments::List(list) = &f.args
            && list.args.len() == 2
        {
            let order = if name == "max_by" { "DESC" } else { "ASC" };
            let text = format!(
                "first_value({} ORDER BY {} {order} NULLS LAST)",
                list.args[0], list.args[1]
            );
            if let Some(replacement) = parse_expr(&text) {
                *expr = replacement;
            }
        }
        // x [NOT] [I]LIKE ANY|SOME|ALL (p1, p2, …): one LIKE per pattern, joined by OR (ANY,
        // SOME) or AND (ALL), so NULL patterns count as in Spark's three-valued logic.
        if let Some(text) = like_quantified(expr)
            && let Some(replacement) = parse_expr(&text)
        {
            *expr = replacement;
        }
        // EXTRACT(field FROM x) is Spark's date_part('field', x) (DataFusion's planner would
        // call its own date_part).
        if let Expr::Extract {
            field,
            expr: source,
            ..
        } = expr
            && let Some(replacement) = parse_expr(&format!(
                "date_part('{}', {source})",
                field.to_string().replace('\'', "")
            ))
        {
            *expr = replacement;
        }
        // ceil(x, 2) / floor(x, 2), which sqlparser reads as its own CEIL/FLOOR node.
        {
            use datafusion::sql::sqlparser::ast::CeilFloorKind::Scale;
            let text = match &*expr {
                Expr::Ceil {
                    expr: x,
                    field: Scale(scale),
                } => Some(format!(
                    "{}({x}, {scale})",
                    crate::functions::round_scale::CEIL_SCALE
                )),
                Expr::Floor {
                    expr: x,
                    field: Scale(scale),
                } => Some(format!(
                    "{}({x}, {scale})",
                    crate::functions::round_scale::FLOOR_SCALE
                )),
                _ => None,
            };
            if let Some(replacement) = text.as_deref().and_then(parse_expr) {
                *expr = replacement;
            }
        }
        // listagg(x[, d]) [WITHIN GROUP (ORDER BY k)] (also `string_agg`): DataFusion's
        // string_agg with the ordering as an aggregate ORDER BY; no (or a NULL) delimiter is ''.
        if let Expr::Function(f) = expr
            && matches!(
                f.name.to_string().to_ascii_lowercase().as_str(),
                "listagg" | "string_agg"
            )
            && f.over.is_none()
            && let FunctionArguments::List(list) = &mut f.args
            && (1..=2).contains(&list.args.len())
        {
            let no_delimiter = match list.args.get(1) {
                None => true,
                Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))) => {
                    v.value == Value::Null
                }
                _ => false,
            };
            if no_delimiter {
                list.args.truncate(1);
                list.args
                    .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::value(
                        Value::SingleQuotedString(String::new()),
                    ))));
            }
            if !f.within_group.is_empty() {
                list.clauses.push(
                    datafusion::sql::sqlparser::ast::FunctionArgumentClause::OrderBy(
                        std::mem::take(&mut f.within_group),
                    ),
                );
            }
            f.name = datafusion::sql::sqlparser::ast::ObjectName::from(vec![
                datafusion::sql::sqlparser::ast::Ident::new("string_agg"),
            ]);
        }
        // first_value(x, true) / last_value(x, true) (also `first`, `last`), as aggregates and
        // over a window: Spark's ignoreNulls argument is `IGNORE NULLS` (DataFusion's window
        // functions take and ignore a second argument, its aggregates refuse it).
        if let Expr::Function(f) = expr
            && matches!(
                f.name.to_string().to_ascii_lowercase().as_str(),
                "first_value" | "last_value" | "first" | "last"
            )
            && let FunctionArguments::List(list) = &mut f.args
            && list.args.len() == 2
            && let FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(flag))) = &list.args[1]
            && let Value::Boolean(ignore_nulls) = flag.value
        {
            list.args.truncate(1);
            if ignore_nulls {
                f.null_treatment =
                    Some(datafusion::sql::sqlparser::ast::NullTreatment::IgnoreNulls);
            }
        }
        // avg(x) [OVER w]: Spark rounds a decimal average half up to scale s + 4 (DataFusion
        // truncates), as an aggregate and as a window function.
        if let Expr::Function(f) = expr
            && f.name.to_string().eq_ignore_ascii_case("avg")
            && f.filter.is_none()
            && let FunctionArguments::List(list) = &f.args
            && list.args.len() == 1
            && list.duplicate_treatment.is_none()
            && list.clauses.is_empty()
        {
            let renamed = |name: &str| {
                let mut g = f.clone();
                g.name = datafusion::sql::sqlparser::ast::ObjectName::from(vec![
                    datafusion::sql::sqlparser::ast::Ident::new(name),
                ]);
                Expr::Function(g).to_string()
            };
            let text = format!(
                "spark_avg({}, {}, {})",
                renamed(crate::functions::sum::AVG_SUM),
                renamed("count"),
                renamed("avg")
            );
            if let Some(replacement) = parse_expr(&text) {
                *expr = replacement;
            }
        }
        // percentile(x, p) and median(x): exact, interpolated, as a double.
        if let Expr::Function(f) = expr
            && let name = f.name.to_string().to_ascii_lowercase()
            && (name == "percentile" || name == "median")
            && f.over.is_none()
            && let FunctionArguments::List(list) = &f.args
            && list.args.len() == if name == "median" { 1 } else { 2 }
            && list.duplicate_treatment.is_none()
        {
            let p = list
                .args
                .get(1)
                .map_or("0.5".to_string(), ToString::to_string);
            // An array of fractions gives an array of percentiles.
            let text = if p.trim_start().to_ascii_lowercase().starts_with("array") {
                format!(
                    "{}(CAST({} AS DOUBLE), {p})",
                    crate::functions::percentiles::SPARK_PERCENTILE,
                    list.args[0]
                )
            } else {
                format!(
                    "percentile_cont({p}) WITHIN GROUP (ORDER BY CAST({} AS DOUBLE))",
                    list.args[0]
                )
            };
            if let Some(replacement) = parse_expr(&text) {
                *expr = replacement;
            }
        }
        // explode(array) in a select list is DataFusion's unnest.
        if let Expr::Function(f) = expr
            && f.name.to_string().eq_ignore_ascii_case("explode")
            && let FunctionArguments::List(list) = &f.args
            && list.args.len() == 1
            && let Some(replacement) = parse_expr(&format!("unnest({})", list.args[0]))
        {
            *expr = replacement;
        }
        // ltrim/rtrim with two arguments take (trimStr, str) in Spark.
        if let Expr::Function(f) = expr
            && matches!(
                f.name.to_string().to_ascii_lowercase().as_str(),
                "ltrim" | "rtrim"
            )
            && let FunctionArguments::List(list) = &mut f.args
            && list.args.len() == 2
        {
            list.args.swap(0, 1);
        }
        // struct(a, 1) names its fields a and col2, as Spark does (DataFusion: c0, c1).
        if let Expr::Struct { values, fields } = expr
            && fields.is_empty()
            && !values.is_empty()
        {
            let parts: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let field = match e {
                        Expr::Identifier(id) => id.value.clone(),
                        Expr::CompoundIdentifier(ids) => ids
                            .last()
                            .map_or(format!("col{}", i + 1), |id| id.value.clone()),
                        _ => format!("col{}", i + 1),
                    };
                    format!("'{}', {e}", field.replace('\'', "''"))
                })
                .collect();
            if let Some(replacement) = parse_expr(&format!("named_struct({})", parts.join(", "))) {
                *expr = replacement;
            }
        }
        if let Expr::Function(f) = expr
            && f.name.to_string().eq_ignore_ascii_case("regexp_replace")
            && let FunctionArguments::List(list) = &f.args
            && list.args.len() == 3
        {
            let args: Vec<String> = list.args.iter().map(|a| a.to_string()).collect();
            let text = format!("regexp_replace({}, 'g')", args.join(", "));
            if let Some(replacement) = parse_expr(&text) {
                *expr = replacement;
            }
        }
        ControlFlow::<()>::Continue(())
    });
    // Last, so that the casts the rewrites above wrote are typed too.
    let _ = visit_expressions_mut(statement, |expr| {
        match expr {
            Expr::Cast { data_type, .. } => spark_timestamp_type(data_type),
            Expr::TypedString(typed) => spark_timestamp_type(&mut typed.data_type),
            Expr::Interval(interval) => {
                if let Some(units) = interval_range_units(interval) {
                    *interval.value = Expr::value(Value::SingleQuotedString(units));
                    interval.leading_field = None;
                    interval.leading_precision = None;
                    interval.last_field = None;
                    interval.fractional_seconds_precision = None;
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Spark's interval literals with a unit range (`INTERVAL '1-2' YEAR TO MONTH`,
/// `INTERVAL '-1 02:03:04.5' DAY TO SECOND`), which DataFusion does not plan, as the same
/// amount in units (`-1 days -2 hours -3 minutes -4.5 seconds`). The sign before the text, and
/// the one inside it, apply to every field. `None` for anything else.
fn interval_range_units(interval: &datafusion::sql::sqlparser::ast::Interval) -> Option<String> {
    use datafusion::sql::sqlparser::ast::DateTimeField as F;
    let (text, outer_negative) = match interval.value.as_ref() {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(t) | Value::DoubleQuotedString(t) => (t.as_str(), false),
            _ => return None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(t) | Value::DoubleQuotedString(t) => (t.as_str(), true),
                _ => return None,
            },
            _ => return None,
        },
        _ => return None,
    };
    let units: &[&str] = match (
        interval.leading_field.as_ref()?,
        interval.last_field.as_ref()?,
    ) {
        (F::Year, F::Month) => &["years", "months"],
        (F::Day, F::Hour) => &["days", "hours"],
        (F::Day, F::Minute) => &["days", "hours", "minutes"],
        (F::Day, F::Second) => &["days", "hours", "minutes", "seconds"],
        (F::Hour, F::Minute) => &["hours", "minutes"],
        (F::Hour, F::Second) => &["hours", "minutes", "seconds"],
        (F::Minute, F::Second) => &["minutes", "seconds"],
        _ => return None,
    };
    let text = text.trim();
    let (inner_negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    // Fields are separated by '-' (year-month), ' ' (days) and ':' (times).
    let fields: Vec<&str> = body.split(['-', ' ', ':']).collect();
    let numeric = |f: &&str| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit() || c == '.');
    if fields.len() != units.len() || !fields.iter().all(numeric) {
        return None;
    }
    let sign = if outer_negative != inner_negative {
        "-"
    } else {
        ""
    };
    Some(
        fields
            .iter()
            .zip(units)
            .map(|(value, unit)| format!("{sign}{value} {unit}"))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Spark's `BINARY`, and its timestamp types, as DataFusion plans them: `TIMESTAMP` (and `TIMESTAMP_LTZ`) is an
/// instant shown in the session time zone, `TIMESTAMP WITH TIME ZONE` for DataFusion (an Arrow
/// timestamp carrying `spark.sql.session.timeZone`); `TIMESTAMP_NTZ` is a wall-clock time
/// without a zone. Both count microseconds, whatever precision is written.
fn spark_timestamp_type(data_type: &mut DataType) {
    let local = || DataType::Timestamp(Some(6), TimezoneInfo::WithTimeZone);
    match data_type {
        DataType::TimestampNtz(_) | DataType::Timestamp(_, TimezoneInfo::WithoutTimeZone) => {
            *data_type = DataType::Timestamp(Some(6), TimezoneInfo::None);
        }
        DataType::Timestamp(_, _) => *data_type = local(),
        // Spark's BINARY is DataFusion's BYTEA (Arrow Binary).
        DataType::Binary(_) | DataType::Varbinary(_) => *data_type = DataType::Bytea,
        DataType::Custom(name, modifiers)
            if modifiers.is_empty() && name.to_string().eq_ignore_ascii_case("TIMESTAMP_LTZ") =>
        {
            *data_type = local();
        }
        DataType::Array(ArrayElemTypeDef::AngleBracket(inner))
        | DataType::Array(ArrayElemTypeDef::SquareBracket(inner, _))
        | DataType::Array(ArrayElemTypeDef::Parenthesis(inner)) => spark_timestamp_type(inner),
        DataType::Map(key, value) => {
            spark_timestamp_type(key);
            spark_timestamp_type(value);
        }
        DataType::Struct(fields, _) => {
            for field in fields {
                spark_timestamp_type(&mut field.field_type);
            }
        }
        _ => {}
    }
}

/// The arguments Spark implicitly casts for a function (a string is a date to `date_add`, a
/// `BIGINT` literal an `INT` to `factorial`), by position, with the type they are cast to.
fn typed_arguments(function: &str) -> &'static [(usize, &'static str)] {
    match function.to_ascii_lowercase().as_str() {
        "date_add" | "date_sub" | "add_months" | "dateadd" => &[(0, "DATE"), (1, "INT")],
        "last_day" | "next_day" | "monthname" | "weekday" | "dayname" => &[(0, "DATE")],
        "datediff" | "date_diff" => &[(0, "DATE"), (1, "DATE")],
        "space" | "factorial" => &[(0, "INT")],
        // Spark truncates a TIMESTAMP (text and TIMESTAMP_NTZ are cast to one).
        "date_trunc" => &[(1, "TIMESTAMP")],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::dialect::SparkSqlDialect;

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
