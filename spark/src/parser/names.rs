//! Spark's names for unaliased result columns.
//!
//! Spark names `SELECT a + 1, count(*)` as `(a + 1)` and `count(1)`; DataFusion as
//! `t.a + Int64(1)` and `count(*)`. Scripts and CSV headers see these names, so Ember derives
//! Spark's from the statement's select list. Expressions whose Spark name is not derived here
//! keep DataFusion's name.

use datafusion::sql::sqlparser::ast::{
    AccessExpr, BinaryOperator, CastKind, CeilFloorKind, DataType, DateTimeField, Expr,
    FunctionArg, FunctionArgExpr, FunctionArguments, Ident, Query, SelectItem, SetExpr, Statement,
    Subscript, TrimWhereField, UnaryOperator, Value, WindowType, visit_expressions_mut,
};
use datafusion::sql::sqlparser::dialect::SparkSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// How Spark shows a lambda's parameter in a column name.
const LAMBDA_VARIABLE: &str = "namedlambdavariable()";

/// Functions Spark prints in upper case.
const UPPER_CASE_FUNCTIONS: &[&str] = &[
    "power",
    "pow",
    "sqrt",
    "floor",
    "ceil",
    "ceiling",
    "exp",
    "log10",
    "log2",
    "cbrt",
    "e",
    "log1p",
    "pi",
    "rank",
    "dense_rank",
    "percent_rank",
];

/// Spark's names for the columns of a query's select list, one entry per select item (`None`
/// where Ember keeps DataFusion's name). `None` for statements that are not plain queries or
/// whose select list contains a wildcard.
pub fn spark_column_names(sql: &str) -> Option<Vec<Option<String>>> {
    // sqlparser's Spark dialect keeps string literals as written, as Spark's names do; Ember's
    // dialect parses what it does not (`exists(array, x -> …)`).
    let mut statements = Parser::parse_sql(&SparkSqlDialect {}, sql)
        .or_else(|_| Parser::parse_sql(&super::dialect::EmberDialect::default(), sql))
        .ok()?;
    if statements.len() != 1 {
        return None;
    }
    let Statement::Query(query) = statements.remove(0) else {
        return None;
    };
    let select = leftmost_select(&query)?;
    select
        .iter()
        .map(|item| match item {
            SelectItem::UnnamedExpr(expr) => Some(expr_name(expr)),
            SelectItem::ExprWithAlias { alias, .. } => Some(Some(alias.value.clone())),
            _ => None,
        })
        .collect()
}

/// Gives every unaliased select item of `query` whose Spark name differs from DataFusion's an
/// explicit alias with the Spark name, so that the plan carries Spark's names (and items that
/// DataFusion would name alike, such as two casts of one literal, stay distinct). Nothing
/// changes when Spark's names would collide, since DataFusion needs unique names.
/// Marks a repeated output column name (see [`alias_with_spark_names`]).
pub const DUPLICATE_MARKER: &str = "#ember-dup-";

/// A column name as the user sees it: without a [`DUPLICATE_MARKER`] suffix.
pub fn shown_name(name: &str) -> &str {
    name.split_once(DUPLICATE_MARKER).map_or(name, |(n, _)| n)
}

pub fn alias_with_spark_names(query: &mut Query) {
    let Some(items) = leftmost_select_mut(query) else {
        return;
    };
    let names: Vec<Option<String>> = items
        .iter()
        .map(|item| match item {
            SelectItem::UnnamedExpr(expr) => expr_name(expr),
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
            _ => None,
        })
        .collect();
    // Items without a Spark name keep DataFusion's, which never looks like a Spark name.
    // Spark allows two columns of the same name (`SELECT 1, 1`); DataFusion does not, so a
    // repeated name gets a marker that the session strips from the result's schema.
    let mut seen = std::collections::HashSet::new();
    let names: Vec<Option<String>> = names
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            n.map(|n| {
                if seen.insert(n.to_ascii_lowercase()) {
                    n
                } else {
                    format!("{n}{DUPLICATE_MARKER}{i}")
                }
            })
        })
        .collect();
    for (item, name) in items.iter_mut().zip(names) {
        if let (SelectItem::UnnamedExpr(expr), Some(name)) = (&*item, name)
            && (name.contains(DUPLICATE_MARKER)
                || !matches!(expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_)))
        {
            *item = SelectItem::ExprWithAlias {
                expr: expr.clone(),
                alias: Ident::with_quote('`', name),
            };
        }
    }
}

/// How the query wrote the names of its columns, where the case differs from the lower case
/// DataFusion's identifier normalization gives them: `lower -> as written`, for the aliases and
/// bare columns of the select lists of the statement, its derived tables and its CTEs (`SELECT
/// x AS B1_LP`, `SELECT ID`). Spark shows names as written; the outermost spelling of a name
/// wins (`sum(returns) AS returns` over a CTE's `AS RETURNS`).
pub fn written_case(sql: &str) -> std::collections::HashMap<String, String> {
    let mut seen = std::collections::HashMap::new();
    if let Ok(statements) = Parser::parse_sql(&super::dialect::EmberDialect::default(), sql)
        && let [Statement::Query(query)] = statements.as_slice()
    {
        collect_written_names(query, &mut seen);
    }
    seen.retain(|lower, written| lower != written);
    seen
}

/// Outer select lists first, then derived tables, then CTEs: the first spelling seen stays.
fn collect_written_names(query: &Query, seen: &mut std::collections::HashMap<String, String>) {
    collect_in_set_expr(&query.body, seen);
    if let Some(with) = &query.with {
        for cte in &with.cte_tables {
            collect_written_names(&cte.query, seen);
        }
    }
}

fn collect_in_set_expr(body: &SetExpr, seen: &mut std::collections::HashMap<String, String>) {
    use datafusion::sql::sqlparser::ast::TableFactor;
    match body {
        SetExpr::Select(select) => {
            for item in &select.projection {
                let ident = match item {
                    SelectItem::ExprWithAlias { alias, .. } => alias,
                    SelectItem::UnnamedExpr(Expr::Identifier(ident)) => ident,
                    SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => {
                        let Some(last) = parts.last() else { continue };
                        last
                    }
                    _ => continue,
                };
                if ident.quote_style.is_none() {
                    seen.entry(ident.value.to_lowercase())
                        .or_insert_with(|| ident.value.clone());
                }
            }
            for table in &select.from {
                let relations =
                    std::iter::once(&table.relation).chain(table.joins.iter().map(|j| &j.relation));
                for relation in relations {
                    if let TableFactor::Derived { subquery, .. } = relation {
                        collect_written_names(subquery, seen);
                    }
                }
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            collect_in_set_expr(left, seen);
            collect_in_set_expr(right, seen);
        }
        SetExpr::Query(q) => collect_written_names(q, seen),
        _ => {}
    }
}

/// `plan` with its output columns named as the query wrote them ([`written_case`]): a
/// projection that renames, on top, when some name's case differs and the names stay unique.
pub fn with_written_case(
    plan: datafusion::logical_expr::LogicalPlan,
    sql: &str,
) -> datafusion::error::Result<datafusion::logical_expr::LogicalPlan> {
    use datafusion::logical_expr::{Expr as LogicalExpr, LogicalPlanBuilder};
    let case = written_case(sql);
    let schema = plan.schema();
    let names: Vec<&str> = schema
        .fields()
        .iter()
        .map(|f| case.get(f.name()).map_or(f.name().as_str(), String::as_str))
        .collect();
    let unique: std::collections::HashSet<&&str> = names.iter().collect();
    if unique.len() != names.len()
        || names
            .iter()
            .zip(schema.fields())
            .all(|(n, f)| *n == f.name())
    {
        return Ok(plan);
    }
    let exprs: Vec<LogicalExpr> = schema
        .columns()
        .into_iter()
        .zip(&names)
        .map(|(column, name)| {
            if column.name == *name {
                LogicalExpr::Column(column)
            } else {
                LogicalExpr::Column(column).alias(*name)
            }
        })
        .collect();
    LogicalPlanBuilder::from(plan).project(exprs)?.build()
}

fn leftmost_select_mut(query: &mut Query) -> Option<&mut Vec<SelectItem>> {
    let mut body = query.body.as_mut();
    loop {
        match body {
            SetExpr::Select(select) => return Some(&mut select.projection),
            SetExpr::SetOperation { left, .. } => body = left.as_mut(),
            SetExpr::Query(q) => body = q.body.as_mut(),
            _ => return None,
        }
    }
}

fn leftmost_select(query: &Query) -> Option<&Vec<SelectItem>> {
    let mut body = query.body.as_ref();
    loop {
        match body {
            SetExpr::Select(select) => return Some(&select.projection),
            SetExpr::SetOperation { left, .. } => body = left.as_ref(),
            SetExpr::Query(q) => body = q.body.as_ref(),
            _ => return None,
        }
    }
}

fn join(parts: Option<Vec<String>>) -> Option<String> {
    parts.map(|p| p.join(", "))
}

fn type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Int(_) | DataType::Integer(_) => "INT".into(),
        DataType::String(_) | DataType::Varchar(_) | DataType::Text => "STRING".into(),
        DataType::Double(_) | DataType::DoublePrecision => "DOUBLE".into(),
        DataType::Decimal(info) | DataType::Numeric(info) | DataType::Dec(info) => {
            let text = info.to_string();
            if text.is_empty() {
                "DECIMAL(10,0)".into()
            } else {
                format!("DECIMAL{}", text.replace(' ', ""))
            }
        }
        other => other.to_string().to_ascii_uppercase(),
    }
}

fn value_name(value: &Value) -> Option<String> {
    Some(match value {
        Value::Number(n, _) => n.to_string().trim_end_matches(['L', 'l']).to_string(),
        Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.clone(),
        Value::Boolean(b) => b.to_string(),
        Value::Null => "NULL".into(),
        Value::HexStringLiteral(h) => format!("X'{}'", h.to_ascii_uppercase()),
        _ => return None,
    })
}

fn binary_op(op: &BinaryOperator) -> Option<&'static str> {
    Some(match op {
        BinaryOperator::Plus => "+",
        BinaryOperator::Minus => "-",
        BinaryOperator::Multiply => "*",
        BinaryOperator::Divide => "/",
        BinaryOperator::Modulo => "%",
        BinaryOperator::MyIntegerDivide => "div",
        BinaryOperator::Eq => "=",
        BinaryOperator::Lt => "<",
        BinaryOperator::LtEq => "<=",
        BinaryOperator::Gt => ">",
        BinaryOperator::GtEq => ">=",
        BinaryOperator::Spaceship => "<=>",
        BinaryOperator::And => "AND",
        BinaryOperator::Or => "OR",
        BinaryOperator::BitwiseAnd => "&",
        BinaryOperator::BitwiseOr => "|",
        BinaryOperator::BitwiseXor => "^",
        BinaryOperator::PGBitwiseShiftLeft => "<<",
        BinaryOperator::PGBitwiseShiftRight => ">>",
        _ => return None,
    })
}

/// Spark's name of one expression, or `None` where it is not derived.
pub fn expr_name(expr: &Expr) -> Option<String> {
    Some(match expr {
        Expr::Identifier(ident) => ident.value.clone(),
        Expr::CompoundIdentifier(parts) => parts.last()?.value.clone(),
        Expr::Value(v) => value_name(&v.value)?,
        Expr::Nested(inner) => expr_name(inner)?,
        Expr::TypedString(t) => {
            let value = value_name(&t.value.value)?;
            format!("{} '{value}'", type_name(&t.data_type))
        }
        Expr::BinaryOp { left, op, right } => match op {
            BinaryOperator::StringConcat => {
                format!("concat({}, {})", expr_name(left)?, expr_name(right)?)
            }
            BinaryOperator::NotEq => {
                format!("(NOT ({} = {}))", expr_name(left)?, expr_name(right)?)
            }
            op => format!(
                "({} {} {})",
                expr_name(left)?,
                binary_op(op)?,
                expr_name(right)?
            ),
        },
        Expr::UnaryOp { op, expr } => match (op, expr.as_ref()) {
            (UnaryOperator::Minus, Expr::Value(v)) if matches!(v.value, Value::Number(..)) => {
                format!("-{}", value_name(&v.value)?)
            }
            (UnaryOperator::Minus, e) => format!("(- {})", expr_name(e)?),
            (UnaryOperator::Plus, e) => format!("(+ {})", expr_name(e)?),
            (UnaryOperator::Not | UnaryOperator::BangNot, e) => {
                format!("(NOT {})", expr_name(e)?)
            }
            (UnaryOperator::BitwiseNot, e) => {
                format!("~{}", expr_name(e)?)
            }
            _ => return None,
        },
        Expr::RLike {
            negated: false,
            expr,
            pattern,
            ..
        } => format!("RLIKE({}, {})", expr_name(expr)?, expr_name(pattern)?),
        Expr::Struct { values, fields } if fields.is_empty() => {
            let items: Option<Vec<String>> = values.iter().map(expr_name).collect();
            format!("struct({})", join(items)?)
        }
        // Spark names a lambda's parameters `namedlambdavariable()` wherever they appear.
        Expr::Lambda(lambda) => {
            let params: Vec<String> = lambda.params.iter().map(|p| p.name.value.clone()).collect();
            let mut body = lambda.body.as_ref().clone();
            let _ = visit_expressions_mut(&mut body, |e| {
                if let Expr::Identifier(ident) = e
                    && params.iter().any(|p| p.eq_ignore_ascii_case(&ident.value))
                {
                    *e = Expr::Identifier(Ident::new(LAMBDA_VARIABLE));
                }
                ControlFlow::<()>::Continue(())
            });
            let mut out = format!("lambdafunction({}", expr_name(&body)?);
            for _ in &params {
                out.push_str(", ");
                out.push_str(LAMBDA_VARIABLE);
            }
            out + ")"
        }
        Expr::CompoundFieldAccess { root, access_chain } => {
            let mut out = expr_name(root)?;
            for access in access_chain {
                match access {
                    AccessExpr::Subscript(Subscript::Index { index }) => {
                        out = format!("{out}[{}]", expr_name(index)?);
                    }
                    _ => return None,
                }
            }
            out
        }
        // substr / substring (sqlparser's own node), with Spark's default length shown.
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            shorthand,
            ..
        } => {
            let from = substring_from
                .as_deref()
                .map_or(Some("1".to_string()), expr_name)?;
            let length = substring_for
                .as_deref()
                .map_or(Some(i32::MAX.to_string()), expr_name)?;
            let name = if *shorthand { "substr" } else { "substring" };
            format!("{name}({}, {from}, {length})", expr_name(expr)?)
        }
        Expr::IsNull(e) => format!("({} IS NULL)", expr_name(e)?),
        Expr::IsNotNull(e) => format!("({} IS NOT NULL)", expr_name(e)?),
        Expr::InList {
            expr,
            list,
            negated,
        } => {
            let items: Option<Vec<String>> = list.iter().map(expr_name).collect();
            let inner = format!("({} IN ({}))", expr_name(expr)?, join(items)?);
            if *negated {
                format!("(NOT {inner})")
            } else {
                inner
            }
        }
        Expr::Cast {
            kind: CastKind::Cast,
            expr,
            data_type,
            ..
        } => format!("CAST({} AS {})", expr_name(expr)?, type_name(data_type)),
        // A suffixed literal (`1Y`, `1.5D`, `2BD`), written as `n::TYPE` by
        // `literals::rewrite_literal_suffixes`: Spark names it by its digits.
        Expr::Cast {
            kind: CastKind::DoubleColon,
            expr,
            ..
        } if matches!(expr.as_ref(), Expr::Value(_)) => expr_name(expr)?,
        Expr::Case {
            operand: None,
            conditions,
            else_result,
            ..
        } => {
            let mut out = String::from("CASE");
            for when in conditions {
                out.push_str(&format!(
                    " WHEN {} THEN {}",
                    expr_name(&when.condition)?,
                    expr_name(&when.result)?
                ));
            }
            if let Some(e) = else_result {
                out.push_str(&format!(" ELSE {}", expr_name(e)?));
            }
            out + " END"
        }
        Expr::Function(f) => {
            if f.filter.is_some() || f.name.0.len() != 1 || f.null_treatment.is_some() {
                return None;
            }
            match &f.over {
                None => function_name(f)?,
                Some(WindowType::WindowSpec(spec)) => window_name(f, spec)?,
                Some(_) => return None,
            }
        }
        Expr::Like {
            negated,
            any: false,
            expr,
            pattern,
            escape_char: None,
        } => {
            let like = format!("{} LIKE {}", expr_name(expr)?, expr_name(pattern)?);
            if *negated {
                format!("(NOT {like})")
            } else {
                like
            }
        }
        Expr::Between {
            expr,
            negated,
            low,
            high,
        } => {
            let between = format!(
                "between({}, {}, {})",
                expr_name(expr)?,
                expr_name(low)?,
                expr_name(high)?
            );
            if *negated {
                format!("(NOT {between})")
            } else {
                between
            }
        }
        Expr::Trim {
            expr,
            trim_where,
            trim_what: None,
            trim_characters: None,
        } => {
            let name = match trim_where {
                Some(TrimWhereField::Leading) => "ltrim",
                Some(TrimWhereField::Trailing) => "rtrim",
                _ => "trim",
            };
            format!("{name}({})", expr_name(expr)?)
        }
        // CEIL(x) / FLOOR(x) (sqlparser's own nodes); with a scale Spark writes them lower case.
        Expr::Ceil { expr, field } => ceil_floor_name("CEIL", expr, field)?,
        Expr::Floor { expr, field } => ceil_floor_name("FLOOR", expr, field)?,
        Expr::Extract { field, expr, .. } => {
            format!("extract({field} FROM {})", expr_name(expr)?)
        }
        _ => return None,
    })
}

/// Spark's name of a call `f` without an `OVER` clause.
fn function_name(f: &datafusion::sql::sqlparser::ast::Function) -> Option<String> {
    Some({
        let name = f.name.to_string().to_ascii_lowercase();
        let FunctionArguments::List(list) = &f.args else {
            return None;
        };
        if !list.clauses.is_empty() {
            return None;
        }
        let mut args = Vec::new();
        for arg in &list.args {
            match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => args.push(expr_name(e)?),
                FunctionArg::Unnamed(FunctionArgExpr::Wildcard) if name == "count" => {
                    args.push("1".into())
                }
                _ => return None,
            }
        }
        if name == "explode" || name == "explode_outer" {
            return Some("col".into());
        }
        if name.starts_with("posexplode") {
            // Two columns (pos, col), named by the generator rewrite.
            return None;
        }
        // Spark completes aggregate/reduce with the identity finishing lambda.
        if (name == "aggregate" || name == "reduce") && args.len() == 3 {
            args.push(format!(
                "lambdafunction({LAMBDA_VARIABLE}, {LAMBDA_VARIABLE})"
            ));
        }
        // positive(x) is shown as the unary plus it is; function-style casts as their
        // argument.
        if name == "positive" && args.len() == 1 {
            return Some(format!("(+ {})", args[0]));
        }
        if super::functions::CAST_FUNCTIONS.contains(&name.as_str()) && args.len() == 1 {
            return Some(args.remove(0));
        }
        // random is rand's other name; Spark shows rand.
        if name == "random" {
            return Some(format!("rand({})", args.join(", ")));
        }
        // Spark shows mask's default replacement characters.
        if name == "mask" {
            let defaults = ["X", "x", "n", "NULL"];
            while (1..5).contains(&args.len()) {
                args.push(defaults[args.len() - 1].to_string());
            }
        }
        if name == "round" && args.len() == 1 {
            args.push("0".into());
        }
        // Other defaults Spark shows.
        let defaults: &[&str] = match (name.as_str(), args.len()) {
            ("split", 2) => &["-1"],
            ("regexp_replace", 3) | ("locate" | "position", 2) => &["1"],
            ("unix_timestamp" | "to_unix_timestamp" | "from_unixtime", 1) => {
                &["yyyy-MM-dd HH:mm:ss"]
            }
            ("months_between", 2) | ("sort_array", 1) => &["true"],
            ("percentile", 2) => &["1"],
            ("approx_percentile" | "percentile_approx", 2) => &["10000"],
            ("hmac", 2) => &["SHA-256"],
            ("sentences", 1) => &["", ""],
            ("sentences", 2) => &[""],
            ("listagg" | "string_agg", 1) => &["NULL"],
            _ => &[],
        };
        args.extend(defaults.iter().map(|d| d.to_string()));
        match (name.as_str(), args.as_slice()) {
            ("if", [_, _, _]) => return Some(format!("(IF({}))", args.join(", "))),
            ("isnull", [x]) => return Some(format!("({x} IS NULL)")),
            ("isnotnull", [x]) => return Some(format!("({x} IS NOT NULL)")),
            _ => {}
        }
        let upper = UPPER_CASE_FUNCTIONS.contains(&name.as_str())
            && !(matches!(name.as_str(), "ceil" | "ceiling" | "floor") && args.len() == 2);
        let shown = if upper {
            name.to_ascii_uppercase()
        } else {
            name
        };
        let distinct = if list
            .duplicate_treatment
            .is_some_and(|d| d == datafusion::sql::sqlparser::ast::DuplicateTreatment::Distinct)
        {
            "DISTINCT "
        } else {
            ""
        };
        format!("{shown}({distinct}{})", args.join(", "))
    })
}

/// `CEIL(x)` / `ceil(x, s)` as Spark names them.
fn ceil_floor_name(name: &str, expr: &Expr, field: &CeilFloorKind) -> Option<String> {
    match field {
        CeilFloorKind::DateTimeField(DateTimeField::NoDateTime) => {
            Some(format!("{name}({})", expr_name(expr)?))
        }
        CeilFloorKind::Scale(scale) => Some(format!(
            "{}({}, {})",
            name.to_ascii_lowercase(),
            expr_name(expr)?,
            value_name(&scale.value)?
        )),
        CeilFloorKind::DateTimeField(_) => None,
    }
}

/// Spark's name of a window function call: the call, then `OVER (…)` with the partitioning,
/// the ordering (`ASC NULLS FIRST` / `DESC NULLS LAST` written out) and the frame, which Spark
/// always shows (the default one of the function when none is written).
fn window_name(
    f: &datafusion::sql::sqlparser::ast::Function,
    spec: &datafusion::sql::sqlparser::ast::WindowSpec,
) -> Option<String> {
    use datafusion::sql::sqlparser::ast::{WindowFrameBound, WindowFrameUnits};
    if spec.window_name.is_some() {
        return None;
    }
    let name = f.name.to_string().to_ascii_lowercase();
    let mut call = function_name(f)?;
    let mut parts = Vec::new();
    if !spec.partition_by.is_empty() {
        let keys: Option<Vec<String>> = spec.partition_by.iter().map(expr_name).collect();
        parts.push(format!("PARTITION BY {}", keys?.join(", ")));
    }
    if !spec.order_by.is_empty() {
        let keys: Option<Vec<String>> = spec
            .order_by
            .iter()
            .map(|o| {
                let descending = o.options.asc == Some(false);
                let nulls_first = o.options.nulls_first.unwrap_or(!descending);
                Some(format!(
                    "{} {} NULLS {}",
                    expr_name(&o.expr)?,
                    if descending { "DESC" } else { "ASC" },
                    if nulls_first { "FIRST" } else { "LAST" }
                ))
            })
            .collect();
        parts.push(format!("ORDER BY {}", keys?.join(", ")));
    }
    let bound = |b: &WindowFrameBound| -> Option<String> {
        Some(match b {
            WindowFrameBound::CurrentRow => "CURRENT ROW".into(),
            WindowFrameBound::Preceding(None) => "UNBOUNDED PRECEDING".into(),
            WindowFrameBound::Following(None) => "UNBOUNDED FOLLOWING".into(),
            WindowFrameBound::Preceding(Some(e)) => format!("{} PRECEDING", expr_name(e)?),
            WindowFrameBound::Following(Some(e)) => format!("{} FOLLOWING", expr_name(e)?),
        })
    };
    let frame = match (&spec.window_frame, name.as_str()) {
        // lag/lead show their offset as a one-row frame, and their defaults.
        (_, "lag" | "lead") => {
            let FunctionArguments::List(list) = &f.args else {
                return None;
            };
            let mut args: Vec<String> = list
                .args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => expr_name(e),
                    _ => None,
                })
                .collect::<Option<Vec<String>>>()?;
            if args.len() == 1 {
                args.push("1".into());
            }
            if args.len() == 2 {
                args.push("NULL".into());
            }
            call = format!("{name}({})", args.join(", "));
            let offset = if name == "lag" {
                format!("-{}", args[1])
            } else {
                args[1].clone()
            };
            format!("ROWS BETWEEN {offset} FOLLOWING AND {offset} FOLLOWING")
        }
        (Some(frame), _) => {
            let units = match frame.units {
                WindowFrameUnits::Rows => "ROWS",
                WindowFrameUnits::Range => "RANGE",
                WindowFrameUnits::Groups => return None,
            };
            let end = frame
                .end_bound
                .as_ref()
                .map_or(Some("CURRENT ROW".to_string()), bound)?;
            format!("{units} BETWEEN {} AND {end}", bound(&frame.start_bound)?)
        }
        (None, "row_number" | "rank" | "dense_rank" | "percent_rank" | "ntile") => {
            "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW".into()
        }
        (None, _) if !spec.order_by.is_empty() => {
            "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW".into()
        }
        (None, _) => "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING".into(),
    };
    parts.push(frame);
    Some(format!("{call} OVER ({})", parts.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str) -> Vec<Option<String>> {
        spark_column_names(sql).expect("a query")
    }

    #[test]
    fn window_names_show_spark_frames() {
        // Names printed by JVM Spark 4.3.
        assert_eq!(
            names("SELECT rank() OVER (PARTITION BY d ORDER BY s DESC), lag(s) OVER (ORDER BY n), sum(s) OVER (PARTITION BY d)"),
            vec![
                Some("RANK() OVER (PARTITION BY d ORDER BY s DESC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)".to_string()),
                Some("lag(s, 1, NULL) OVER (ORDER BY n ASC NULLS FIRST ROWS BETWEEN -1 FOLLOWING AND -1 FOLLOWING)".to_string()),
                Some("sum(s) OVER (PARTITION BY d ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)".to_string()),
            ]
        );
    }

    #[test]
    fn substr_names_show_spark_defaults() {
        assert_eq!(
            names("SELECT substr(s, 1, 2), substring(s, 2), substring(s FROM 1 FOR 2)"),
            vec![
                Some("substr(s, 1, 2)".to_string()),
                Some("substring(s, 2, 2147483647)".to_string()),
                Some("substring(s, 1, 2)".to_string()),
            ]
        );
    }

    #[test]
    fn names_keep_the_case_they_are_written_in_outermost_first() {
        let case = written_case(
            "WITH c AS (SELECT x AS RETURNS, y AS Yy FROM t) \
             SELECT returns, Yy, ID FROM (SELECT a AS B1_LP FROM u) d, c",
        );
        assert_eq!(case.get("yy").map(String::as_str), Some("Yy"));
        assert_eq!(case.get("id").map(String::as_str), Some("ID"));
        assert_eq!(case.get("b1_lp").map(String::as_str), Some("B1_LP"));
        // The outer select writes `returns` in lower case: the CTE's spelling does not apply.
        assert_eq!(case.get("returns"), None);
    }

    #[test]
    fn names_follow_spark() {
        assert_eq!(
            names("SELECT a, t.b, 1 + 2, count(*), sum(x) AS s, -7 / 2, POWER(2, 10)"),
            vec![
                Some("a".to_string()),
                Some("b".to_string()),
                Some("(1 + 2)".to_string()),
                Some("count(1)".to_string()),
                Some("s".to_string()),
                Some("(-7 / 2)".to_string()),
                Some("POWER(2, 10)".to_string()),
            ]
        );
        assert_eq!(
            names("SELECT count(DISTINCT p), CAST(x AS INT), x IS NULL, date '2024-01-01'"),
            vec![
                Some("count(DISTINCT p)".to_string()),
                Some("CAST(x AS INT)".to_string()),
                Some("(x IS NULL)".to_string()),
                Some("DATE '2024-01-01'".to_string()),
            ]
        );
        assert_eq!(
            names("SELECT CASE WHEN s > 2 THEN 'hi' ELSE 'lo' END, round(2.5), 'a'"),
            vec![
                Some("CASE WHEN (s > 2) THEN hi ELSE lo END".to_string()),
                Some("round(2.5, 0)".to_string()),
                Some("a".to_string()),
            ]
        );
        assert!(spark_column_names("SELECT * FROM t").is_none());
        assert!(spark_column_names("CREATE VIEW v AS SELECT 1").is_none());
    }
}
