//! Every stage of every TPC-H and TPC-DS plan survives the trip to an executor: encoded as the
//! driver sends it, decoded as an executor decodes it, and shown the same afterwards. A fragment
//! executors cannot decode (or decode into something else) fails here, in the driver's tests,
//! instead of on a cluster.

use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::execution::TaskContext;
use datafusion::execution::runtime_env::RuntimeEnv;
use datafusion::physical_expr::expressions::{CastExpr, Column};
use datafusion::physical_plan::execution_plan::{ChildrenPropertiesMode, ReplaceChildrenOptions};
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::union::{InterleaveExec, UnionExec};
use datafusion::physical_plan::{ExecutionPlan, displayable};
use datafusion::prelude::SessionConfig;
use ember::Session;
use ember_executor::codec::{decode_plan, encode_plan};
use ember_tests::{register_tpch, shared_tpch, tpcds, tpch_query};

/// The plan as `EXPLAIN` shows it, without a scan's `sort_order_for_reorder`: a hint for the
/// order files are read in that datafusion-proto does not carry (it changes no result).
fn shown(plan: &Arc<dyn ExecutionPlan>) -> String {
    let text = displayable(plan.as_ref()).indent(true).to_string();
    text.lines()
        .map(|line| match line.find(", sort_order_for_reorder=[") {
            Some(at) => {
                let rest = &line[at + 2..];
                let end = rest.find("]").map_or(rest.len(), |e| e + 1);
                format!("{}{}", &line[..at], &rest[end..])
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `plan` without projections that only relabel their input under a union: the union puts one
/// over an input whose fields differ from its own in name or nullability only (`coerce_schema`
/// in DataFusion's union), and decoding recomputes some fields' nullability. Both sides of the
/// comparison drop them.
fn without_union_relabelling(plan: Arc<dyn ExecutionPlan>) -> Arc<dyn ExecutionPlan> {
    plan.transform_up(|node| {
        if node.downcast_ref::<UnionExec>().is_none()
            && node.downcast_ref::<InterleaveExec>().is_none()
        {
            return Ok(Transformed::no(node));
        }
        let children: Vec<Arc<dyn ExecutionPlan>> = node
            .children()
            .into_iter()
            .map(|child| match child.downcast_ref::<ProjectionExec>() {
                Some(p) if relabels(p) => Arc::clone(p.input()),
                _ => Arc::clone(child),
            })
            .collect();
        // Rebuilt keeping its properties: only the display is compared.
        let keep = ReplaceChildrenOptions::new(ChildrenPropertiesMode::Keep);
        Ok(Transformed::yes(node.replace_children(children, keep)?))
    })
    .map(|t| t.data)
    .expect("plan rewrite")
}

/// Whether every output column `i` of `p` is its input's column `i`, at most cast to its own type.
fn relabels(p: &ProjectionExec) -> bool {
    let input = p.input().schema();
    p.expr().iter().enumerate().all(|(i, e)| {
        let column = match e.expr.downcast_ref::<CastExpr>() {
            Some(cast) => cast.expr(),
            None => &e.expr,
        };
        column.downcast_ref::<Column>().is_some_and(|c| {
            c.index() == i && input.field(i).data_type() == p.schema().field(i).data_type()
        })
    })
}

/// Round-trips each stage of `sql`'s plan; returns what went wrong, if anything.
async fn round_trip(session: &Session, ctx: &TaskContext, sql: &str) -> Result<usize, String> {
    let dag = session
        .sql(sql)
        .await
        .map_err(|e| format!("plan: {e}"))?
        .stages()
        .await
        .map_err(|e| format!("stages: {e}"))?;
    for stage in &dag.stages {
        let bytes = encode_plan(Arc::clone(&stage.plan))
            .map_err(|e| format!("stage {}: encode: {e}", stage.id))?;
        let decoded = decode_plan(&bytes, ctx)
            .map_err(|e| format!("stage {}: decode: {e}\n{}", stage.id, shown(&stage.plan)))?;
        let (before, after) = (
            shown(&without_union_relabelling(Arc::clone(&stage.plan))),
            shown(&without_union_relabelling(Arc::clone(&decoded))),
        );
        if before != after {
            return Err(format!(
                "stage {} changes on the wire:\n{before}\nbecomes\n{after}",
                stage.id
            ));
        }
    }
    Ok(dag.stages.len())
}

async fn session() -> Session {
    Session::builder()
        .master("local[2]")
        .config("spark.sql.shuffle.partitions", "4")
        .build()
        .await
        .expect("session starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_stage_of_tpch_and_tpcds_plans_round_trips() {
    // Both sets have a `customer` table: one session each.
    let tpch = session().await;
    register_tpch(&tpch, &shared_tpch(0.01)).await;
    let tpcds = session().await;
    tpcds::register(&tpcds, &tpcds::shared(0.01)).await;
    let state =
        ember_spark::state::executor_state(SessionConfig::new(), Arc::new(RuntimeEnv::default()))
            .build();
    let ctx = TaskContext::from(&state);

    let mut queries: Vec<(&Session, String, String)> = (1..=22)
        .map(|q| (&tpch, format!("TPC-H q{q}"), tpch_query(q)))
        .collect();
    // q30 reads a column this generator does not have (JVM Spark refuses it too).
    queries.extend(
        tpcds::query_names()
            .into_iter()
            .filter(|q| q != "q30")
            .map(|q| (&tpcds, format!("TPC-DS {q}"), tpcds::query(&q))),
    );
    let mut failures = Vec::new();
    let mut stages = 0;
    for (session, name, sql) in &queries {
        match round_trip(session, &ctx, sql).await {
            Ok(n) => stages += n,
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    tpch.stop().await;
    tpcds.stop().await;
    eprintln!("{stages} stages of {} plans round-trip", queries.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
