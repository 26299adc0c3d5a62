//! The one builder of DataFusion session state with Spark's functions, for the driver (which
//! plans) and for executors (which decode and run plans).
//!
//! The two differ in one way only: several `datafusion-spark` scalar functions share a name with
//! a DataFusion function (Spark's `date_part` simplifies into DataFusion's). The planner resolves
//! names to Spark's; executors keep DataFusion's under the name and receive Spark's through the
//! plan codec, which marks them ([`spark_scalar_function`]).

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, LazyLock};

use datafusion::execution::SessionStateBuilder;
use datafusion::execution::runtime_env::RuntimeEnv;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};
use datafusion::prelude::SessionConfig;
use datafusion_spark::SessionStateBuilderSpark;

use crate::functions::lambda::spark_lambda_functions;
use crate::functions::{spark_compat_aggregate_functions, spark_compat_scalar_functions};

/// `datafusion-spark`'s scalar functions by name.
static SPARK_SCALAR_FUNCTIONS: LazyLock<HashMap<String, Arc<ScalarUDF>>> = LazyLock::new(|| {
    datafusion_spark::all_default_scalar_functions()
        .into_iter()
        .map(|f| (f.name().to_string(), f))
        .collect()
});

/// The `datafusion-spark` scalar function called `name`, for the codec of executors' plans.
pub fn spark_scalar_function(name: &str) -> Option<Arc<ScalarUDF>> {
    SPARK_SCALAR_FUNCTIONS.get(name).cloned()
}

/// Spark's aggregate functions that Ember uses. Spark's `avg` of `datafusion-spark` is left out:
/// it returns a double for decimals, where Spark itself (and DataFusion's `avg`) widen the
/// decimal.
fn spark_aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    datafusion_spark::all_default_aggregate_functions()
        .into_iter()
        .filter(|f| f.name() != "avg")
        .chain([datafusion::functions_aggregate::average::avg_udaf()])
        .chain(spark_compat_aggregate_functions())
        .collect()
}

/// Session state for planning Spark SQL: DataFusion's defaults, every Spark function under its
/// Spark name, and Spark's operators ([`crate::coercion::SparkOperatorPlanner`], reading `ansi`
/// so that `SET spark.sql.ansi.enabled` takes effect at once).
pub fn planning_state(
    config: SessionConfig,
    runtime: Arc<RuntimeEnv>,
    ansi: Arc<AtomicBool>,
) -> SessionStateBuilder {
    let mut builder = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features()
        .with_spark_features();
    builder
        .aggregate_functions()
        .get_or_insert_with(Vec::new)
        .extend(spark_aggregate_functions());
    builder
        .scalar_functions()
        .get_or_insert_with(Vec::new)
        .extend(spark_compat_scalar_functions());
    builder
        .higher_order_functions()
        .get_or_insert_with(Vec::new)
        .extend(spark_lambda_functions());
    // Spark's operators take precedence over DataFusion's and datafusion-spark's.
    builder
        .expr_planners()
        .get_or_insert_with(Vec::new)
        .insert(0, Arc::new(crate::coercion::SparkOperatorPlanner { ansi }));
    // DataFusion's rules, with `ORDER BY … LIMIT` kept above joins before sorts are enforced.
    let mut rules = datafusion::physical_optimizer::optimizer::PhysicalOptimizer::new().rules;
    let at = rules
        .iter()
        .position(|r| r.name() == "EnsureRequirements")
        .unwrap_or(0);
    rules.insert(at, Arc::new(crate::limits::LimitAboveJoins));
    builder.with_physical_optimizer_rules(rules)
}

/// Session state that executors decode plans against: the registry of [`planning_state`]
/// except for `datafusion-spark`'s scalar functions, which come through the codec.
pub fn executor_state(config: SessionConfig, runtime: Arc<RuntimeEnv>) -> SessionStateBuilder {
    let mut builder = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features();
    builder
        .aggregate_functions()
        .get_or_insert_with(Vec::new)
        .extend(spark_aggregate_functions());
    builder
        .window_functions()
        .get_or_insert_with(Vec::new)
        .extend(datafusion_spark::all_default_window_functions());
    builder
        .scalar_functions()
        .get_or_insert_with(Vec::new)
        .extend(spark_compat_scalar_functions());
    builder
        .higher_order_functions()
        .get_or_insert_with(Vec::new)
        .extend(spark_lambda_functions());
    builder
}
