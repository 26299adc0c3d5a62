//! Spark's semantics applied to a query DataFusion has planned, before it is optimized: the
//! passes that need the whole plan rather than one expression at a time.

use datafusion::error::Result;
use datafusion::logical_expr::LogicalPlan;

use crate::coercion::spark_casts;
use crate::functions::sum::legacy_sums;
use crate::functions::time_type::refuse_time_type;
use crate::functions::window_flags::with_flagged_window_functions;
use crate::subqueries::single_row_subqueries;

/// `plan` as Spark means it: no `TIME` values (refused as Spark 4.3 refuses them), Spark's casts (and, without ANSI, casts and sums that return NULL
/// or wrap instead of raising), scalar subqueries that raise on a second row, and window
/// functions that keep their `IGNORE NULLS` on executors.
pub fn spark_plan(plan: LogicalPlan, ansi: bool) -> Result<LogicalPlan> {
    refuse_time_type(&plan)?;
    let plan = spark_casts(plan, ansi)?;
    let plan = if ansi { plan } else { legacy_sums(plan)? };
    let plan = single_row_subqueries(plan)?;
    let plan = crate::functions::random::fresh_random_functions(plan)?;
    with_flagged_window_functions(plan)
}
