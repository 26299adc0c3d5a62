//! [`ShuffleWriterExec`]: the root of every stage. It runs one partition of its input and writes it
//! to a shuffle file, split by the exchange's partitioning.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::compute::BatchCoalescer;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::metrics::{ExecutionPlanMetricsSet, MetricBuilder, MetricsSet};
use datafusion::physical_plan::repartition::BatchPartitioner;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, Partitioning,
    PlanProperties, SendableRecordBatchStream,
};
use futures::StreamExt;

use super::file::{Segment, write_shuffle_file};

/// Writes one input partition as a shuffle file.
///
/// With `partitioning == None` the exchange is *pass-through*: map partition `i` becomes the one
/// segment that reduce partition `i` reads (used below coalesce, merge and broadcast exchanges and
/// for the final stage whose output the driver collects). Otherwise rows are split with the same
/// [`BatchPartitioner`] as DataFusion's `RepartitionExec`, so a distributed hash exchange places
/// every key exactly where the in-process one would.
#[derive(Debug)]
pub struct ShuffleWriterExec {
    stage_id: u32,
    input: Arc<dyn ExecutionPlan>,
    partitioning: Option<Partitioning>,
    properties: Arc<PlanProperties>,
    metrics: ExecutionPlanMetricsSet,
}

/// What one map task produced.
#[derive(Debug, Clone)]
pub struct ShuffleWriteResult {
    pub segments: Vec<Segment>,
    pub rows: u64,
    pub bytes: u64,
}

impl ShuffleWriterExec {
    /// Creates a writer for `input`. `partitioning` must be a hash, round-robin or range scheme.
    pub fn try_new(
        stage_id: u32,
        input: Arc<dyn ExecutionPlan>,
        partitioning: Option<Partitioning>,
    ) -> Result<Self> {
        if let Some(Partitioning::UnknownPartitioning(_)) = partitioning {
            return Err(DataFusionError::Internal(
                "a shuffle writer needs a hash, round-robin or range partitioning".into(),
            ));
        }
        let properties = Arc::clone(input.properties());
        Ok(Self {
            stage_id,
            input,
            partitioning,
            properties,
            metrics: ExecutionPlanMetricsSet::new(),
        })
    }

    /// The stage this writer is the root of.
    pub fn stage_id(&self) -> u32 {
        self.stage_id
    }

    /// The exchange's partitioning (`None` for pass-through).
    pub fn shuffle_partitioning(&self) -> Option<&Partitioning> {
        self.partitioning.as_ref()
    }

    /// Number of reduce partitions this writer produces per map partition.
    pub fn output_partition_count(&self) -> usize {
        self.partitioning
            .as_ref()
            .map_or(1, |p| p.partition_count())
    }

    /// The input plan.
    pub fn input(&self) -> &Arc<dyn ExecutionPlan> {
        &self.input
    }

    /// Runs map partition `partition` of the input and writes it to `path`.
    ///
    /// # Cancel safety
    /// Dropping the future stops the input; a partly written file keeps its temporary name and
    /// is removed with the job's folder.
    pub async fn write_partition(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
        path: &Path,
    ) -> Result<ShuffleWriteResult> {
        let schema = self.input.schema();
        let batch_size = context.session_config().batch_size();
        let n_out = self.output_partition_count();
        let mut coalescers: Vec<BatchCoalescer> = (0..n_out)
            .map(|_| BatchCoalescer::new(Arc::clone(&schema), batch_size))
            .collect();
        let mut done: Vec<Vec<RecordBatch>> = vec![Vec::new(); n_out];
        let timer = MetricBuilder::new(&self.metrics).subset_time("repart_time", partition);
        let mut partitioner = match &self.partitioning {
            Some(p) => Some(BatchPartitioner::try_new(
                p.clone(),
                timer,
                partition,
                self.input.output_partitioning().partition_count(),
            )?),
            None => None,
        };
        let mut stream: SendableRecordBatchStream = self.input.execute(partition, context)?;
        let mut rows = 0u64;
        while let Some(batch) = stream.next().await {
            let batch = batch?;
            rows += batch.num_rows() as u64;
            let mut push = |i: usize, b: RecordBatch| -> Result<()> {
                coalescers[i].push_batch(b)?;
                while let Some(full) = coalescers[i].next_completed_batch() {
                    done[i].push(full);
                }
                Ok(())
            };
            match partitioner.as_mut() {
                Some(p) => p.partition(batch, &mut push)?,
                None => push(0, batch)?,
            }
        }
        for (i, c) in coalescers.iter_mut().enumerate() {
            c.finish_buffered_batch()?;
            while let Some(b) = c.next_completed_batch() {
                done[i].push(b);
            }
        }
        let path = path.to_path_buf();
        let segments =
            tokio::task::spawn_blocking(move || write_shuffle_file(&path, &schema, done))
                .await
                .map_err(|e| DataFusionError::External(Box::new(e)))??;
        let bytes = segments.iter().map(|s| s.length).sum();
        Ok(ShuffleWriteResult {
            segments,
            rows,
            bytes,
        })
    }
}

impl DisplayAs for ShuffleWriterExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        match &self.partitioning {
            Some(p) => write!(
                f,
                "ShuffleWriterExec: stage={}, partitioning={p}",
                self.stage_id
            ),
            None => write!(
                f,
                "ShuffleWriterExec: stage={}, pass-through",
                self.stage_id
            ),
        }
    }
}

impl ExecutionPlan for ShuffleWriterExec {
    fn name(&self) -> &str {
        "ShuffleWriterExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        if let Some(Partitioning::Hash(exprs, _)) = &self.partitioning {
            for e in exprs {
                if f(e)? == TreeNodeRecursion::Stop {
                    return Ok(TreeNodeRecursion::Stop);
                }
            }
        }
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        match <[_; 1]>::try_from(children) {
            Ok([input]) => Ok(Arc::new(Self::try_new(
                self.stage_id,
                input,
                self.partitioning.clone(),
            )?)),
            Err(_) => Err(DataFusionError::Internal(
                "ShuffleWriterExec takes exactly one child".into(),
            )),
        }
    }

    fn execute(
        &self,
        _partition: usize,
        _context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        Err(DataFusionError::Internal(
            "ShuffleWriterExec is run by the task runner through write_partition".into(),
        ))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }
}
