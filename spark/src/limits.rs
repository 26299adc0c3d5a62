//! `ORDER BY … LIMIT n` above a join keeps its limit above the join.
//!
//! DataFusion 55's sort enforcement, finding a join whose output already has the order a
//! `Sort` with a fetch asks for, drops the sort and hands its fetch down to the join's input
//! sorts: a TopK of n below an inner join, which loses every row whose partner is not among
//! those n (TPC-DS q14b returned 17 of its 100 rows). [`LimitAboveJoins`] runs before that rule
//! and turns such a sort into a limit over a sort without a fetch; the limit is pushed back into
//! whatever sort remains by DataFusion's `LimitPushdown`, which stops at joins.

use std::sync::Arc;

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::error::Result;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::joins::{
    CrossJoinExec, HashJoinExec, NestedLoopJoinExec, SortMergeJoinExec, SymmetricHashJoinExec,
};
use datafusion::physical_plan::limit::GlobalLimitExec;
use datafusion::physical_plan::sorts::sort::SortExec;
use datafusion::physical_plan::sorts::sort_preserving_merge::SortPreservingMergeExec;

/// Splits a sort with a fetch that has a join below it into a limit over a plain sort.
#[derive(Debug, Default)]
pub struct LimitAboveJoins;

fn is_join(plan: &Arc<dyn ExecutionPlan>) -> bool {
    plan.downcast_ref::<SortMergeJoinExec>().is_some()
        || plan.downcast_ref::<HashJoinExec>().is_some()
        || plan.downcast_ref::<NestedLoopJoinExec>().is_some()
        || plan.downcast_ref::<CrossJoinExec>().is_some()
        || plan.downcast_ref::<SymmetricHashJoinExec>().is_some()
}

fn has_join_below(plan: &Arc<dyn ExecutionPlan>) -> bool {
    let mut found = false;
    let _ = plan.apply(|node| {
        found = is_join(node);
        Ok(if found {
            TreeNodeRecursion::Stop
        } else {
            TreeNodeRecursion::Continue
        })
    });
    found
}

impl PhysicalOptimizerRule for LimitAboveJoins {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let Some(fetch) = node.fetch() else {
                return Ok(Transformed::no(node));
            };
            let unfetched: Arc<dyn ExecutionPlan> = if let Some(sort) =
                node.downcast_ref::<SortExec>()
                && has_join_below(sort.input())
            {
                Arc::new(sort.with_fetch(None))
            } else if let Some(merge) = node.downcast_ref::<SortPreservingMergeExec>()
                && has_join_below(merge.input())
            {
                Arc::new(SortPreservingMergeExec::new(
                    merge.expr().clone(),
                    Arc::clone(merge.input()),
                ))
            } else {
                return Ok(Transformed::no(node));
            };
            Ok(Transformed::yes(Arc::new(GlobalLimitExec::new(
                unfetched,
                0,
                Some(fetch),
            ))))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "limit_above_joins"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
