//! The distributed planner: cuts DataFusion's physical plan into stages at its exchanges.
//!
//! ```text
//! RepartitionExec(hash | range | round-robin)  -> map stage writes that partitioning,
//!                                                the parent reads it with a hash ShuffleReaderExec
//! CoalescePartitionsExec / SortPreservingMerge -> map stage writes pass-through output, the
//!                                                coalesce / merge stays in the parent stage above a
//!                                                pass-through reader (single-partition final stage)
//! build side of a CollectLeft join             -> the same pass-through exchange, read in full by
//!                                                every task of the join stage: a broadcast
//! the root                                     -> the final stage, whose output the driver collects
//! ```
//!
//! Each stage plan is rooted at a [`ShuffleWriterExec`]; stages are numbered so that every stage's
//! inputs come before it.

use std::fmt::Write as _;
use std::sync::Arc;

use datafusion::common::JoinType;
use datafusion::error::Result;
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::execution_plan::replace_children_if_necessary;
use datafusion::physical_plan::joins::{HashJoinExec, NestedLoopJoinExec, PartitionMode};
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::sorts::sort::SortExec;
use datafusion::physical_plan::sorts::sort_preserving_merge::SortPreservingMergeExec;
use datafusion::physical_plan::{
    ExecutionPlan, ExecutionPlanProperties, Partitioning, displayable,
};
use ember_executor::shuffle::{ShuffleReaderExec, ShuffleWriterExec};

/// How a stage's output is exchanged with its consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exchange {
    /// Rows are redistributed into `partitions` partitions (hash, range or round-robin).
    Shuffle {
        partitions: usize,
        description: String,
    },
    /// Every partition is read by one consumer partition that merges them (coalesce, merge).
    Gather,
    /// Every consumer task reads all of this stage's output (the build side of a join).
    Broadcast,
    /// The final stage: the driver collects the output.
    Result,
}

/// One stage: a plan fragment run as one task per partition.
#[derive(Debug, Clone)]
pub struct Stage {
    pub id: u32,
    /// Rooted at a [`ShuffleWriterExec`].
    pub plan: Arc<dyn ExecutionPlan>,
    /// Stages whose output this stage reads.
    pub inputs: Vec<u32>,
    /// Number of tasks (partitions of the writer's input).
    pub partitions: usize,
    pub exchange: Exchange,
}

/// The stages of one query, inputs first; the last one is the final stage.
#[derive(Debug, Clone)]
pub struct StageDag {
    pub stages: Vec<Stage>,
}

impl StageDag {
    /// The stage whose output is the query result.
    pub fn final_stage(&self) -> &Stage {
        // `plan_stages` always adds the final stage last.
        &self.stages[self.stages.len() - 1]
    }

    /// Renders the DAG for `EXPLAIN`: one block per stage with its tasks, inputs, exchange and
    /// operators.
    pub fn display(&self) -> String {
        let mut out = String::new();
        for stage in &self.stages {
            let inputs = if stage.inputs.is_empty() {
                String::new()
            } else {
                let ids: Vec<String> = stage.inputs.iter().map(|i| i.to_string()).collect();
                format!(", reads stage {}", ids.join(", "))
            };
            let output = match &stage.exchange {
                Exchange::Shuffle {
                    partitions,
                    description,
                } => format!("shuffle {description} into {partitions} partitions"),
                Exchange::Gather => "gather into one partition".to_string(),
                Exchange::Broadcast => "broadcast to every task of its consumer".to_string(),
                Exchange::Result => "result to the driver".to_string(),
            };
            let tasks = if stage.partitions == 1 {
                "task"
            } else {
                "tasks"
            };
            let _ = writeln!(
                out,
                "Stage {} ({} {tasks}{inputs}) -> {output}",
                stage.id, stage.partitions
            );
            for line in displayable(stage.plan.as_ref())
                .indent(false)
                .to_string()
                .lines()
            {
                let _ = writeln!(out, "  {line}");
            }
        }
        out
    }
}

/// Cuts `plan` into stages.
///
/// # Errors
/// Only if DataFusion refuses to rebuild an operator with new children (a bug).
pub fn plan_stages(plan: Arc<dyn ExecutionPlan>, shuffle_partitions: usize) -> Result<StageDag> {
    let mut planner = Planner {
        stages: Vec::new(),
        shuffle_partitions: shuffle_partitions.max(1),
    };
    let root = planner.cut(plan)?;
    planner.add_stage(root, None, Exchange::Result)?;
    Ok(StageDag {
        stages: planner.stages,
    })
}

struct Planner {
    stages: Vec<Stage>,
    shuffle_partitions: usize,
}

/// Join types whose output includes build-side rows decided only after *all* probe partitions
/// ran (unmatched or matched build rows). In one process DataFusion counts probe partitions down
/// to emit them; split across tasks nobody sees the last one, so these joins cannot broadcast.
fn emits_build_rows_at_end(join_type: &JoinType) -> bool {
    matches!(
        join_type,
        JoinType::Left
            | JoinType::LeftSemi
            | JoinType::LeftAnti
            | JoinType::LeftMark
            | JoinType::Full
    )
}

impl Planner {
    fn add_stage(
        &mut self,
        input: Arc<dyn ExecutionPlan>,
        partitioning: Option<Partitioning>,
        exchange: Exchange,
    ) -> Result<u32> {
        let id = self.stages.len() as u32;
        let partitions = input.output_partitioning().partition_count();
        let mut inputs = Vec::new();
        collect_reader_stages(&input, &mut inputs);
        let plan = Arc::new(ShuffleWriterExec::try_new(id, input, partitioning)?);
        self.stages.push(Stage {
            id,
            plan,
            inputs,
            partitions,
            exchange,
        });
        Ok(id)
    }

    /// A pass-through reader of a new stage made of `input`, advertising `input`'s properties.
    fn gather(
        &mut self,
        input: Arc<dyn ExecutionPlan>,
        exchange: Exchange,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let properties = input.properties().as_ref().clone();
        let schema = input.schema();
        let id = self.add_stage(input, None, exchange)?;
        Ok(Arc::new(ShuffleReaderExec::with_properties(
            id, schema, true, properties,
        )))
    }

    /// Rewrites joins that cannot run one partition per task as planned (see
    /// [`emits_build_rows_at_end`]): a collect-left hash join becomes a partitioned one over hash
    /// exchanges of both sides; a nested-loop join reads its probe side in one task.
    fn distributable_join(
        &self,
        plan: &Arc<dyn ExecutionPlan>,
    ) -> Result<Option<Arc<dyn ExecutionPlan>>> {
        if let Some(join) = plan.downcast_ref::<HashJoinExec>()
            && *join.partition_mode() == PartitionMode::CollectLeft
            && emits_build_rows_at_end(join.join_type())
        {
            let left_input = match join.left().downcast_ref::<CoalescePartitionsExec>() {
                Some(coalesce) => Arc::clone(coalesce.input()),
                None => Arc::clone(join.left()),
            };
            let (left_keys, right_keys): (Vec<_>, Vec<_>) = join
                .on()
                .iter()
                .map(|(l, r)| (Arc::clone(l), Arc::clone(r)))
                .unzip();
            let n = self.shuffle_partitions;
            let left: Arc<dyn ExecutionPlan> = Arc::new(RepartitionExec::try_new(
                left_input,
                Partitioning::Hash(left_keys, n),
            )?);
            let right: Arc<dyn ExecutionPlan> = Arc::new(RepartitionExec::try_new(
                Arc::clone(join.right()),
                Partitioning::Hash(right_keys, n),
            )?);
            let rewritten = join
                .builder()
                .with_partition_mode(PartitionMode::Partitioned)
                .with_new_children(vec![left, right])?
                .recompute_properties()
                .build_exec()?;
            return Ok(Some(same_partition_count(plan, rewritten)?));
        }
        if let Some(join) = plan.downcast_ref::<NestedLoopJoinExec>()
            && emits_build_rows_at_end(join.join_type())
            && join.right().output_partitioning().partition_count() > 1
        {
            let right: Arc<dyn ExecutionPlan> =
                Arc::new(CoalescePartitionsExec::new(Arc::clone(join.right())));
            let rewritten = replace_children_if_necessary(
                Arc::clone(plan),
                vec![Arc::clone(join.left()), right],
            )?;
            return Ok(Some(rewritten));
        }
        Ok(None)
    }

    fn cut(&mut self, plan: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>> {
        if let Some(rewritten) = self.distributable_join(&plan)? {
            return self.cut(rewritten);
        }
        // Broadcast: the single-partition build side of a CollectLeft hash join.
        if let Some(join) = plan.downcast_ref::<HashJoinExec>()
            && *join.partition_mode() == PartitionMode::CollectLeft
            && let Some(coalesce) = join.left().downcast_ref::<CoalescePartitionsExec>()
            && coalesce.input().output_partitioning().partition_count() > 1
        {
            let build_input = self.cut(Arc::clone(coalesce.input()))?;
            let reader = self.gather(build_input, Exchange::Broadcast)?;
            let left = replace_children_if_necessary(Arc::clone(join.left()), vec![reader])?;
            let right = self.cut(Arc::clone(join.right()))?;
            return replace_children_if_necessary(Arc::clone(&plan), vec![left, right]);
        }

        let children: Vec<Arc<dyn ExecutionPlan>> = plan
            .children()
            .into_iter()
            .map(|c| self.cut(Arc::clone(c)))
            .collect::<Result<_>>()?;
        let plan = if children.is_empty() {
            plan
        } else {
            replace_children_if_necessary(plan, children)?
        };

        if let Some(repartition) = plan.downcast_ref::<RepartitionExec>() {
            let partitioning = repartition.partitioning().clone();
            let description = match &partitioning {
                Partitioning::Hash(exprs, _) => {
                    let exprs: Vec<String> = exprs.iter().map(|e| e.to_string()).collect();
                    format!("hash({})", exprs.join(", "))
                }
                Partitioning::RoundRobinBatch(_) => "round-robin".to_string(),
                other => other.to_string(),
            };
            let exchange = Exchange::Shuffle {
                partitions: partitioning.partition_count(),
                description,
            };
            let input = Arc::clone(repartition.input());
            let ordering = input.output_ordering().cloned();
            let preserve_order = repartition.preserve_order();
            let properties = repartition.properties().as_ref().clone();
            let schema = repartition.schema();
            let id = self.add_stage(input, Some(partitioning), exchange)?;
            let reader: Arc<dyn ExecutionPlan> = Arc::new(ShuffleReaderExec::with_properties(
                id, schema, false, properties,
            ));
            // A shuffle does not keep rows in order; sort again where the parent relies on it.
            return Ok(match ordering {
                Some(ordering) if preserve_order => {
                    Arc::new(SortExec::new(ordering, reader).with_preserve_partitioning(true))
                }
                _ => reader,
            });
        }

        let is_gather = plan.downcast_ref::<CoalescePartitionsExec>().is_some()
            || plan.downcast_ref::<SortPreservingMergeExec>().is_some();
        if is_gather {
            let input = Arc::clone(plan.children()[0]);
            if input.output_partitioning().partition_count() > 1 {
                let reader = self.gather(input, Exchange::Gather)?;
                return replace_children_if_necessary(plan, vec![reader]);
            }
        }
        Ok(plan)
    }
}

/// Keeps a rewritten operator's partition count what its parent was planned for: the parent
/// may require a single partition (a sort, a final aggregate) or line its partitions up with a
/// sibling's.
fn same_partition_count(
    original: &Arc<dyn ExecutionPlan>,
    rewritten: Arc<dyn ExecutionPlan>,
) -> Result<Arc<dyn ExecutionPlan>> {
    let before = original.output_partitioning().partition_count();
    let after = rewritten.output_partitioning().partition_count();
    Ok(if before == after {
        rewritten
    } else if before == 1 {
        Arc::new(CoalescePartitionsExec::new(rewritten))
    } else {
        Arc::new(RepartitionExec::try_new(
            rewritten,
            Partitioning::RoundRobinBatch(before),
        )?)
    })
}

fn collect_reader_stages(plan: &Arc<dyn ExecutionPlan>, out: &mut Vec<u32>) {
    if let Some(reader) = plan.downcast_ref::<ShuffleReaderExec>() {
        if !out.contains(&reader.stage_id()) {
            out.push(reader.stage_id());
        }
        return;
    }
    for child in plan.children() {
        collect_reader_stages(child, out);
    }
}
