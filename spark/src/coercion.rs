//! Spark's operators and casts over DataFusion: integer `/` yields a double, `DIV` is integral,
//! ANSI arithmetic fails on overflow, decimal division follows Spark's precision rules
//! ([`SparkOperatorPlanner`]); casts to strings print doubles as Java does and, without ANSI,
//! become `TRY_CAST` ([`spark_casts`]).

use crate::functions::arithmetic::{self, DecimalOp, Operator};
use crate::functions::{divide_function_name, spark_compat_scalar_functions};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::DFSchema;
use datafusion::functions::math::expr_fn::trunc;
use datafusion::logical_expr::Expr;
use datafusion::logical_expr::ExprSchemable;
use datafusion::logical_expr::expr_fn::cast;
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::scalar::ScalarValue;
use datafusion::sql::sqlparser::ast::BinaryOperator;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

/// Ember's Spark functions, for the planners and rewrites that call them by name.
static EMBER_FUNCTIONS: LazyLock<Vec<Arc<datafusion::logical_expr::ScalarUDF>>> =
    LazyLock::new(spark_compat_scalar_functions);

/// Spark's casts: a double cast to a string prints in Java's notation (`1.0E10`), a timestamp
/// as `2024-01-05 07:08:09.12`, and without
/// ANSI mode a cast returns NULL for input it cannot convert (every `CAST` becomes `TRY_CAST`).
pub fn spark_casts(
    plan: datafusion::logical_expr::LogicalPlan,
    ansi: bool,
) -> datafusion::error::Result<datafusion::logical_expr::LogicalPlan> {
    use datafusion::common::tree_node::{Transformed, TreeNode};
    use datafusion::logical_expr::{Expr, TryCast};
    let to_string = EMBER_FUNCTIONS
        .iter()
        .find(|f| f.name() == crate::functions::SPARK_TO_STRING)
        .cloned();
    let wall_clock = EMBER_FUNCTIONS
        .iter()
        .find(|f| f.name() == crate::functions::datetime::WALL_CLOCK)
        .cloned();
    plan.transform_up_with_subqueries(|node| {
        let inputs = node.inputs();
        let schema = match inputs.as_slice() {
            [input] => Some(Arc::clone(input.schema())),
            _ => None,
        };
        node.map_expressions(|expr| {
            expr.transform_up(|e| match e {
                Expr::Cast(c)
                    if matches!(
                        c.field.data_type(),
                        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
                    ) && schema.as_ref().is_some_and(|s| {
                        c.expr
                            .get_type(s.as_ref())
                            .is_ok_and(|t| crate::functions::spark_to_string_applies(&t))
                    }) && to_string.is_some() =>
                {
                    match &to_string {
                        Some(f) => Ok(Transformed::yes(f.call(vec![*c.expr]))),
                        None => Ok(Transformed::no(Expr::Cast(c))),
                    }
                }
                // An instant to a wall-clock time: the session time zone's, not UTC's.
                Expr::Cast(c)
                    if matches!(c.field.data_type(), DataType::Timestamp(_, None))
                        && schema.as_ref().is_some_and(|s| {
                            matches!(
                                c.expr.get_type(s.as_ref()),
                                Ok(DataType::Timestamp(_, Some(_)))
                            )
                        })
                        && wall_clock.is_some() =>
                {
                    match &wall_clock {
                        Some(f) => Ok(Transformed::yes(cast(
                            f.call(vec![*c.expr]),
                            c.field.data_type().clone(),
                        ))),
                        None => Ok(Transformed::no(Expr::Cast(c))),
                    }
                }
                Expr::Cast(c) if !ansi => Ok(Transformed::yes(Expr::TryCast(TryCast::new(
                    c.expr,
                    c.field.data_type().clone(),
                )))),
                other => Ok(Transformed::no(other)),
            })
        })
    })
    .map(|t| t.data)
}

/// Plans Spark's arithmetic operators where they differ from DataFusion's:
/// `/` between integers yields a double (`7 / 2 = 3.5`), `DIV` is integral division
/// truncating toward zero (`-7 div 2 = -3`) with a `BIGINT` result, and in ANSI mode `+`, `-`
/// and `*` between integers fail on overflow instead of wrapping.
#[derive(Debug, Default)]
pub struct SparkOperatorPlanner {
    /// `spark.sql.ansi.enabled`, shared with the session so that `SET` takes effect.
    pub ansi: Arc<AtomicBool>,
}

fn is_integer(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Null
    )
}

/// One of Ember's Spark functions by name.
fn ember_function(
    name: &str,
) -> datafusion::error::Result<Arc<datafusion::logical_expr::ScalarUDF>> {
    EMBER_FUNCTIONS
        .iter()
        .find(|f| f.name() == name)
        .cloned()
        .ok_or_else(|| datafusion::error::DataFusionError::Internal(format!("{name} is missing")))
}

/// Spark types an integer literal that fits 32 bits as `INT` (DataFusion: `BIGINT`), so that
/// `int_col + 1` is an `INT` and `2147483647 + 1` overflows as on Spark. Suffixed literals
/// (`1L`) reach the planner as casts and keep their type.
fn int_literal(expr: Expr) -> Expr {
    match expr {
        Expr::Literal(ScalarValue::Int64(Some(v)), metadata) if i32::try_from(v).is_ok() => {
            Expr::Literal(ScalarValue::Int32(Some(v as i32)), metadata)
        }
        other => other,
    }
}

/// An integer literal in a decimal operation is, for Spark, a decimal of just its digits
/// (`4` is `decimal(1,0)`), which sets the result's scale.
fn literal_as_decimal(expr: Expr) -> Expr {
    let value = match &expr {
        Expr::Literal(ScalarValue::Int64(Some(v)), _) => *v,
        Expr::Literal(ScalarValue::Int32(Some(v)), _) => i64::from(*v),
        _ => return expr,
    };
    let digits = value.unsigned_abs().checked_ilog10().map_or(1, |d| d + 1) as u8;
    cast(expr, DataType::Decimal128(digits, 0))
}

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Spark's coercion of a string operand of arithmetic. ANSI: cast to `BIGINT` beside an
/// integer, to `DOUBLE` beside any other number (`'1' + 1` is 2, `1 + '2.5'` raises
/// `CAST_INVALID_INPUT`), two strings are refused. Without ANSI every string operand is a
/// `DOUBLE` (`'1.5' + 1` is 2.5). Returns the operands' types afterwards.
fn string_operands(
    expr: &mut RawBinaryExpr,
    left_type: DataType,
    right_type: DataType,
    ansi: bool,
) -> datafusion::error::Result<(DataType, DataType)> {
    if !matches!(
        expr.op,
        BinaryOperator::Plus
            | BinaryOperator::Minus
            | BinaryOperator::Multiply
            | BinaryOperator::Divide
            | BinaryOperator::Modulo
            | BinaryOperator::MyIntegerDivide
    ) {
        return Ok((left_type, right_type));
    }
    if !ansi {
        let mut types = (left_type, right_type);
        if is_string(&types.0) {
            expr.left = cast(expr.left.clone(), DataType::Float64);
            types.0 = DataType::Float64;
        }
        if is_string(&types.1) {
            expr.right = cast(expr.right.clone(), DataType::Float64);
            types.1 = DataType::Float64;
        }
        return Ok(types);
    }
    let target = |other: &DataType| {
        if is_integer(other) {
            Some(DataType::Int64)
        } else if other.is_numeric() {
            Some(DataType::Float64)
        } else {
            None
        }
    };
    match (is_string(&left_type), is_string(&right_type)) {
        (true, true) => Err(datafusion::error::DataFusionError::Plan(format!(
            "[DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE] Cannot resolve \"({} {} {})\" due to data type mismatch: the binary operator requires the input type (\"NUMERIC\" or \"INTERVAL\"), not \"STRING\".",
            expr.left, expr.op, expr.right
        ))),
        (true, false) => match target(&right_type) {
            Some(to) => {
                expr.left = cast(expr.left.clone(), to.clone());
                Ok((to, right_type))
            }
            None => Ok((left_type, right_type)),
        },
        (false, true) => match target(&left_type) {
            Some(to) => {
                expr.right = cast(expr.right.clone(), to.clone());
                Ok((left_type, to))
            }
            None => Ok((left_type, right_type)),
        },
        (false, false) => Ok((left_type, right_type)),
    }
}

impl ExprPlanner for SparkOperatorPlanner {
    fn plan_binary_op(
        &self,
        expr: RawBinaryExpr,
        schema: &DFSchema,
    ) -> datafusion::error::Result<PlannerResult<RawBinaryExpr>> {
        let mut expr = expr;
        if matches!(
            expr.op,
            BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply
        ) {
            expr.left = int_literal(expr.left);
            expr.right = int_literal(expr.right);
        }
        let types = (expr.left.get_type(schema), expr.right.get_type(schema));
        let (Ok(left_type), Ok(right_type)) = types else {
            return Ok(PlannerResult::Original(expr));
        };
        let (left_type, right_type) = string_operands(
            &mut expr,
            left_type,
            right_type,
            self.ansi.load(Ordering::Relaxed),
        )?;
        let both_integers = is_integer(&left_type) && is_integer(&right_type);
        match expr.op {
            BinaryOperator::Divide if both_integers => {
                let udf = ember_function(divide_function_name(self.ansi.load(Ordering::Relaxed)))?;
                Ok(PlannerResult::Planned(
                    udf.call(vec![expr.left, expr.right]),
                ))
            }
            BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply
                if both_integers && self.ansi.load(Ordering::Relaxed) =>
            {
                let op = match expr.op {
                    BinaryOperator::Plus => Operator::Add,
                    BinaryOperator::Minus => Operator::Subtract,
                    _ => Operator::Multiply,
                };
                let udf = ember_function(op.function_name())?;
                Ok(PlannerResult::Planned(
                    udf.call(vec![expr.left, expr.right]),
                ))
            }
            // Spark's integer remainder: REMAINDER_BY_ZERO in ANSI mode, else NULL.
            BinaryOperator::Modulo if both_integers => {
                let name = if self.ansi.load(Ordering::Relaxed) {
                    Operator::Remainder.function_name()
                } else {
                    "try_mod"
                };
                Ok(PlannerResult::Planned(
                    ember_function(name)?.call(vec![expr.left, expr.right]),
                ))
            }
            BinaryOperator::Divide if arithmetic::is_decimal_division(&left_type, &right_type) => {
                let udf = ember_function(arithmetic::decimal_divide_name(
                    self.ansi.load(Ordering::Relaxed),
                ))?;
                Ok(PlannerResult::Planned(udf.call(vec![
                    literal_as_decimal(expr.left),
                    literal_as_decimal(expr.right),
                ])))
            }
            // Decimal +, -, *: integer literals are decimals of their digits, and past 38 digits
            // Spark keeps the integral digits and rounds the scale down, where DataFusion's
            // operator caps the precision and keeps the scale.
            BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply
                if arithmetic::is_decimal_division(&left_type, &right_type) =>
            {
                let (left, right) = (
                    literal_as_decimal(expr.left),
                    literal_as_decimal(expr.right),
                );
                let (Ok(l), Ok(r)) = (left.get_type(schema), right.get_type(schema)) else {
                    return Ok(PlannerResult::Original(RawBinaryExpr {
                        op: expr.op,
                        left,
                        right,
                    }));
                };
                let op = match expr.op {
                    BinaryOperator::Plus => DecimalOp::Add,
                    BinaryOperator::Minus => DecimalOp::Subtract,
                    _ => DecimalOp::Multiply,
                };
                match arithmetic::decimal_operands(&l, &r) {
                    Some(((p1, s1), (p2, s2)))
                        if arithmetic::decimal_op_type(op, p1, s1, p2, s2)
                            != arithmetic::datafusion_decimal_op_type(op, p1, s1, p2, s2) =>
                    {
                        let name =
                            arithmetic::decimal_op_name(op, self.ansi.load(Ordering::Relaxed));
                        Ok(PlannerResult::Planned(
                            ember_function(name)?.call(vec![left, right]),
                        ))
                    }
                    _ => Ok(PlannerResult::Original(RawBinaryExpr {
                        op: expr.op,
                        left,
                        right,
                    })),
                }
            }
            BinaryOperator::MyIntegerDivide if both_integers => Ok(PlannerResult::Planned(
                cast(expr.left, DataType::Int64) / cast(expr.right, DataType::Int64),
            )),
            BinaryOperator::MyIntegerDivide => Ok(PlannerResult::Planned(cast(
                trunc(vec![expr.left / expr.right]),
                DataType::Int64,
            ))),
            _ => Ok(PlannerResult::Original(expr)),
        }
    }
}

/// Spark's `range(end)` / `range(start, end[, step[, partitions]])`: DataFusion's `range` with
/// its column named `id`, as Spark names it.
#[derive(Debug, Default)]
pub struct SparkRange;

impl datafusion::catalog::TableFunctionImpl for SparkRange {
    fn call_with_args(
        &self,
        args: datafusion::catalog::TableFunctionArgs,
    ) -> datafusion::error::Result<Arc<dyn datafusion::catalog::TableProvider>> {
        use datafusion::logical_expr::{LogicalPlanBuilder, col};
        // Spark's fourth argument, the number of partitions, does not change the rows.
        let exprs = args.exprs();
        let exprs = if exprs.len() == 4 { &exprs[..3] } else { exprs };
        let inner = datafusion::functions_table::range()
            .function()
            .call_with_args(datafusion::catalog::TableFunctionArgs::new(
                exprs,
                args.session(),
            ))?;
        let plan = LogicalPlanBuilder::scan(
            "range",
            datafusion::datasource::provider_as_source(Arc::new(WholeRows(inner))),
            None,
        )?
        .project(vec![col("value").alias("id")])?
        .build()?;
        Ok(Arc::new(datafusion::catalog::view::ViewTable::new(
            plan, None,
        )))
    }
}

/// A table whose scan always generates whole rows, with any projection applied above it:
/// datafusion-proto carries a generator's projected schema but not its projection, so a
/// `range` scan with its column pruned (`SELECT count(*) FROM range(4)`) could not run once
/// decoded by an executor.
#[derive(Debug)]
struct WholeRows(Arc<dyn datafusion::catalog::TableProvider>);

#[async_trait::async_trait]
impl datafusion::catalog::TableProvider for WholeRows {
    fn schema(&self) -> datafusion::arrow::datatypes::SchemaRef {
        self.0.schema()
    }

    fn table_type(&self) -> datafusion::logical_expr::TableType {
        self.0.table_type()
    }

    async fn scan(
        &self,
        state: &dyn datafusion::catalog::Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn datafusion::physical_plan::ExecutionPlan>> {
        use datafusion::physical_plan::projection::ProjectionExec;
        let whole = self.0.scan(state, None, filters, limit).await?;
        let Some(projection) = projection else {
            return Ok(whole);
        };
        let schema = whole.schema();
        let columns = projection
            .iter()
            .map(|&i| {
                let name = schema.field(i).name().clone();
                let column: Arc<dyn datafusion::physical_expr::PhysicalExpr> = Arc::new(
                    datafusion::physical_expr::expressions::Column::new(&name, i),
                );
                (column, name)
            })
            .collect::<Vec<_>>();
        Ok(Arc::new(ProjectionExec::try_new(columns, whole)?))
    }
}

/// `data_type` with `BIGINT` (at any depth of lists) replaced by `INT`; `None` if it has none.
fn narrowed(data_type: &DataType) -> Option<DataType> {
    match data_type {
        DataType::Int64 => Some(DataType::Int32),
        DataType::List(field) => narrowed(field.data_type())
            .map(|inner| DataType::List(Arc::new(field.as_ref().clone().with_data_type(inner)))),
        _ => None,
    }
}

/// An array literal of integers that all fit 32 bits (`array(1, 2)`, which DataFusion folds
/// into a literal while planning) as an array of `INT`.
fn int_sized_list(list: &Arc<datafusion::arrow::array::ListArray>) -> Option<ScalarValue> {
    let array: datafusion::arrow::array::ArrayRef = Arc::clone(list) as _;
    let target = narrowed(array.data_type())?;
    let options = datafusion::arrow::compute::CastOptions {
        safe: false,
        ..Default::default()
    };
    let cast = datafusion::arrow::compute::cast_with_options(&array, &target, &options).ok()?;
    ScalarValue::try_from_array(&cast, 0).ok()
}

/// Spark types an integer literal that fits 32 bits as `INT`, DataFusion's parser as `BIGINT`:
/// `SELECT 1`, `array(1, 2)`, `VALUES (1)`, `CASE … THEN 0` and `abs(-1)` are `INT` columns in
/// Spark. This pass retypes such literals in a freshly planned (not yet type-coerced) plan, so
/// that DataFusion's coercion then widens them only where Spark would (`bigint_col + 1` stays
/// `BIGINT`). Output names of projections, aggregates and windows keep what the planner named
/// them, since parents refer to them by name. `LIMIT`/`OFFSET` keep DataFusion's types.
pub fn spark_integer_literals(
    plan: datafusion::logical_expr::LogicalPlan,
) -> datafusion::error::Result<datafusion::logical_expr::LogicalPlan> {
    use datafusion::common::tree_node::{Transformed, TreeNode};
    use datafusion::logical_expr::LogicalPlan;
    let retype = |expr: Expr| {
        expr.transform_up(|e| match e {
            Expr::Literal(ScalarValue::List(list), metadata) => match int_sized_list(&list) {
                Some(narrow) => Ok(Transformed::yes(Expr::Literal(narrow, metadata))),
                None => Ok(Transformed::no(Expr::Literal(
                    ScalarValue::List(list),
                    metadata,
                ))),
            },
            Expr::Literal(ScalarValue::Int64(Some(v)), metadata) => {
                // One rule for literal types: the operator planner's.
                let e = int_literal(Expr::Literal(ScalarValue::Int64(Some(v)), metadata));
                let narrowed = matches!(e, Expr::Literal(ScalarValue::Int32(_), _));
                Ok(Transformed::new_transformed(e, narrowed))
            }
            other => Ok(Transformed::no(other)),
        })
    };
    let plan = plan
        .transform_up_with_subqueries(|node| match node {
            LogicalPlan::Limit(_)
            | LogicalPlan::Ddl(_)
            | LogicalPlan::Dml(_)
            | LogicalPlan::Copy(_)
            | LogicalPlan::Statement(_)
            | LogicalPlan::Explain(_)
            | LogicalPlan::Analyze(_)
            | LogicalPlan::Extension(_) => Ok(Transformed::no(node)),
            LogicalPlan::Values(values) => {
                spark_values(values, retype).map(|t| t.update_data(LogicalPlan::Values))
            }
            LogicalPlan::Union(union) => {
                // Inputs may now differ in type; DataFusion's coercion widens them afterwards.
                let union =
                    datafusion::logical_expr::Union::try_new_with_loose_types(union.inputs)?;
                Ok(Transformed::yes(LogicalPlan::Union(widened_union(union)?)))
            }
            node => {
                let keep_names = matches!(
                    node,
                    LogicalPlan::Projection(_) | LogicalPlan::Aggregate(_) | LogicalPlan::Window(_)
                );
                let changed = node.map_expressions(|expr| {
                    if matches!(expr, Expr::GroupingSet(_)) {
                        return Ok(Transformed::no(expr));
                    }
                    let name = if keep_names {
                        Some(expr.name_for_alias()?)
                    } else {
                        None
                    };
                    let t = retype(expr)?;
                    match (t.transformed, name) {
                        (true, Some(name)) => Ok(Transformed::yes(t.data.alias_if_changed(name)?)),
                        _ => Ok(t),
                    }
                })?;
                // Inputs' types may have changed too: lambda parameters take their arrays'
                // new element types, and every node derives its schema anew.
                changed.map_data(|n| {
                    let schema = datafusion::logical_expr::utils::merge_schema(&n.inputs());
                    n.map_expressions(|e| e.resolve_lambda_variables(&schema))?
                        .data
                        .recompute_schema()
                })
            }
        })?
        .data;
    outer_references_retyped(plan)
}

/// Correlated subqueries refer to outer columns with the type the column had when planned;
/// after [`spark_integer_literals`] they take the type the column has now.
fn outer_references_retyped(
    plan: datafusion::logical_expr::LogicalPlan,
) -> datafusion::error::Result<datafusion::logical_expr::LogicalPlan> {
    use datafusion::common::Column;
    use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
    use std::collections::HashMap;
    let mut types: HashMap<Column, DataType> = HashMap::new();
    plan.apply_with_subqueries(|node| {
        for (qualifier, field) in node.schema().iter() {
            types.insert(
                Column::new(qualifier.cloned(), field.name()),
                field.data_type().clone(),
            );
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    let mut any = false;
    plan.apply_with_subqueries(|node| {
        node.apply_expressions(|e| {
            e.apply(|e| {
                if let Expr::OuterReferenceColumn(field, column) = e
                    && types.get(column).is_some_and(|t| t != field.data_type())
                {
                    any = true;
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })?;
        Ok(TreeNodeRecursion::Continue)
    })?;
    if !any {
        return Ok(plan);
    }
    plan.transform_up_with_subqueries(|node| {
        let changed = node.map_expressions(|expr| {
            expr.transform_up(|e| match e {
                Expr::OuterReferenceColumn(field, column) => match types.get(&column) {
                    Some(t) if t != field.data_type() => {
                        Ok(Transformed::yes(Expr::OuterReferenceColumn(
                            Arc::new(field.as_ref().clone().with_data_type(t.clone())),
                            column,
                        )))
                    }
                    _ => Ok(Transformed::no(Expr::OuterReferenceColumn(field, column))),
                },
                other => Ok(Transformed::no(other)),
            })
        })?;
        if changed.transformed {
            changed.map_data(|n| n.recompute_schema())
        } else {
            Ok(changed)
        }
    })
    .map(|t| t.data)
}

/// A union whose columns have the type every input widens to (`INT` and `BIGINT` give
/// `BIGINT`); DataFusion's coercion then casts the inputs.
fn widened_union(
    union: datafusion::logical_expr::Union,
) -> datafusion::error::Result<datafusion::logical_expr::Union> {
    let datafusion::logical_expr::Union { inputs, schema } = union;
    let fields = schema
        .iter()
        .enumerate()
        .map(|(i, (qualifier, field))| {
            let types: Vec<DataType> = inputs
                .iter()
                .filter_map(|input| input.schema().fields().get(i))
                .map(|f| f.data_type().clone())
                .collect();
            let data_type =
                datafusion::logical_expr::type_coercion::binary::type_union_resolution(&types)
                    .unwrap_or_else(|| field.data_type().clone());
            (
                qualifier.cloned(),
                Arc::new(field.as_ref().clone().with_data_type(data_type)),
            )
        })
        .collect();
    let schema = Arc::new(DFSchema::new_with_metadata(
        fields,
        schema.metadata().clone(),
    )?);
    Ok(datafusion::logical_expr::Union { inputs, schema })
}

/// `VALUES` rows with Spark's literal types: a column whose rows now agree on a type (`INT` for
/// `(1), (2)`, `ARRAY<INT>` for `(array(1, 2))`) takes it; rows of a column that do not agree
/// are cast to the type DataFusion gave the column.
fn spark_values(
    values: datafusion::logical_expr::Values,
    retype: impl Fn(Expr) -> datafusion::error::Result<datafusion::common::tree_node::Transformed<Expr>>,
) -> datafusion::error::Result<
    datafusion::common::tree_node::Transformed<datafusion::logical_expr::Values>,
> {
    use datafusion::common::tree_node::Transformed;
    let datafusion::logical_expr::Values { schema, values } = values;
    let mut rows = Vec::with_capacity(values.len());
    let mut any = false;
    for row in values {
        let mut out = Vec::with_capacity(row.len());
        for expr in row {
            let t = retype(expr)?;
            any |= t.transformed;
            out.push(t.data);
        }
        rows.push(out);
    }
    if !any {
        return Ok(Transformed::no(datafusion::logical_expr::Values {
            schema,
            values: rows,
        }));
    }
    let empty = DFSchema::empty();
    // A NULL or an empty array in a row says nothing of the column's type, whatever type
    // DataFusion gave it (directly or by a cast to the column's type).
    fn is_untyped(e: &Expr) -> bool {
        match e {
            Expr::Alias(a) => is_untyped(&a.expr),
            Expr::Cast(c) => is_untyped(&c.expr),
            Expr::Literal(v, _) => v.is_null(),
            Expr::ScalarFunction(f) => {
                f.args.is_empty() && matches!(f.name(), "make_array" | "array")
            }
            _ => false,
        }
    }
    let mut fields = Vec::with_capacity(schema.fields().len());
    for (column, (qualifier, field)) in schema.iter().enumerate() {
        let mut types = rows
            .iter()
            .filter_map(|row| row.get(column))
            .filter(|e| !is_untyped(e))
            .map(|e| e.get_type(&empty))
            .collect::<datafusion::error::Result<Vec<DataType>>>()?;
        types.retain(|t| !matches!(t, DataType::List(f) if f.data_type() == &DataType::Null));
        types.dedup();
        let data_type = match types.as_slice() {
            [one] => one.clone(),
            [] => field.data_type().clone(),
            several => {
                datafusion::logical_expr::type_coercion::binary::type_union_resolution(several)
                    .unwrap_or_else(|| field.data_type().clone())
            }
        };
        for row in &mut rows {
            if let Some(e) = row.get_mut(column)
                && e.get_type(&empty)? != data_type
            {
                *e = if matches!(e, Expr::Literal(v, _) if v.is_null()) {
                    Expr::Literal(ScalarValue::try_from(&data_type)?, None)
                } else {
                    cast(e.clone(), data_type.clone())
                };
            }
        }
        fields.push((
            qualifier.cloned(),
            Arc::new(field.as_ref().clone().with_data_type(data_type)),
        ));
    }
    let schema = Arc::new(DFSchema::new_with_metadata(
        fields,
        schema.metadata().clone(),
    )?);
    Ok(Transformed::yes(datafusion::logical_expr::Values {
        schema,
        values: rows,
    }))
}
