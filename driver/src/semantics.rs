//! Spark semantics over DataFusion: the one place where the session's DataFusion options are set
//! from `spark.*` keys so that SQL behaves as it does on JVM Spark.
//!
//! - the Spark SQL dialect of sqlparser, and the `datafusion-spark` functions and expression
//!   planner (registered on the driver and on every executor, which decode plans naming them);
//! - ascending sorts put NULLs first (`nulls_min`), as Spark does;
//! - ANSI mode from `spark.sql.ansi.enabled` (Spark 4 default: on);
//! - the session time zone from `spark.sql.session.timeZone`;
//! - Spark's `/` and `DIV` ([`SparkOperatorPlanner`]).

use datafusion::arrow::datatypes::DataType;
use datafusion::common::DFSchema;
use datafusion::common::config::Dialect;
use datafusion::functions::math::expr_fn::trunc;
use datafusion::logical_expr::Expr;
use datafusion::logical_expr::ExprSchemable;
use datafusion::logical_expr::expr_fn::cast;
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::prelude::SessionConfig;
use datafusion::scalar::ScalarValue;
use datafusion::sql::sqlparser::ast::BinaryOperator;
use ember_executor::arithmetic::Operator;
use ember_executor::functions::{divide_function_name, spark_compat_scalar_functions};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

/// Ember's Spark functions, for the planners and rewrites that call them by name.
static EMBER_FUNCTIONS: LazyLock<Vec<Arc<datafusion::logical_expr::ScalarUDF>>> =
    LazyLock::new(spark_compat_scalar_functions);

use crate::config::SparkConf;
use crate::error::Result;

/// Sets the DataFusion options that give `config` Spark's behaviour.
///
/// # Errors
/// A malformed value of one of the `spark.*` keys read here.
pub fn apply(config: &mut SessionConfig, conf: &SparkConf) -> Result<()> {
    let ansi = conf.get_bool("spark.sql.ansi.enabled")?.unwrap_or(true);
    let case_sensitive = conf.get_bool("spark.sql.caseSensitive")?.unwrap_or(false);
    let time_zone = conf
        .get_or_default("spark.sql.session.timeZone")
        .unwrap_or("UTC")
        .to_string();
    let options = config.options_mut();
    options.sql_parser.dialect = Dialect::Spark;
    options.sql_parser.default_null_ordering = "nulls_min".to_string();
    // Spark types `0.1` as decimal(1,1), not double.
    options.sql_parser.parse_float_as_decimal = true;
    // DataFusion resolves unquoted identifiers by lowercasing them; that is Spark's
    // case-insensitive resolution as long as catalogs hold lowercase names.
    options.sql_parser.enable_ident_normalization = !case_sensitive;
    options.execution.enable_ansi_mode = ansi;
    options.execution.time_zone = Some(time_zone);
    Ok(())
}

/// Spark's casts: a double cast to a string prints in Java's notation (`1.0E10`), and without
/// ANSI mode a cast returns NULL for input it cannot convert (every `CAST` becomes `TRY_CAST`).
pub fn spark_casts(
    plan: datafusion::logical_expr::LogicalPlan,
    ansi: bool,
) -> datafusion::error::Result<datafusion::logical_expr::LogicalPlan> {
    use datafusion::common::tree_node::{Transformed, TreeNode};
    use datafusion::logical_expr::{Expr, TryCast};
    let to_string = EMBER_FUNCTIONS
        .iter()
        .find(|f| f.name() == "spark_double_to_string")
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
                        matches!(
                            c.expr.get_type(s.as_ref()),
                            Ok(DataType::Float64 | DataType::Float32)
                        )
                    }) && to_string.is_some() =>
                {
                    match &to_string {
                        Some(f) => Ok(Transformed::yes(f.call(vec![*c.expr]))),
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
            BinaryOperator::Divide
                if ember_executor::arithmetic::is_decimal_division(&left_type, &right_type) =>
            {
                let udf = ember_function(ember_executor::arithmetic::decimal_divide_name(
                    self.ansi.load(Ordering::Relaxed),
                ))?;
                Ok(PlannerResult::Planned(udf.call(vec![
                    literal_as_decimal(expr.left),
                    literal_as_decimal(expr.right),
                ])))
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

/// Spark's `range(end)` / `range(start, end[, step])`: DataFusion's `range` with its column named
/// `id`, as Spark names it.
#[derive(Debug, Default)]
pub struct SparkRange;

impl datafusion::catalog::TableFunctionImpl for SparkRange {
    fn call_with_args(
        &self,
        args: datafusion::catalog::TableFunctionArgs,
    ) -> datafusion::error::Result<Arc<dyn datafusion::catalog::TableProvider>> {
        use datafusion::logical_expr::{LogicalPlanBuilder, col};
        let inner = datafusion::functions_table::range()
            .function()
            .call_with_args(args)?;
        let plan = LogicalPlanBuilder::scan(
            "range",
            datafusion::datasource::provider_as_source(inner),
            None,
        )?
        .project(vec![col("value").alias("id")])?
        .build()?;
        Ok(Arc::new(datafusion::catalog::view::ViewTable::new(
            plan, None,
        )))
    }
}
