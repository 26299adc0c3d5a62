//! [`ShuffleWriterExec`]: the root of every stage. It runs one partition of its input and writes it
//! to a shuffle file, split by the exchange's partitioning.

use std::fmt;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::compute::BatchCoalescer;
use arrow::datatypes::SchemaRef;
use bytes::Bytes;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::SpillFile;
use datafusion::execution::TaskContext;
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryLimit};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::metrics::{ExecutionPlanMetricsSet, MetricBuilder, MetricsSet};
use datafusion::physical_plan::repartition::BatchPartitioner;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, Partitioning,
    PlanProperties, SendableRecordBatchStream,
};
use futures::{StreamExt, TryStreamExt};

use super::file::{
    CountingWriter, RunBytes, Segment, ipc_options, write_segment, write_shuffle_file,
};
use crate::memory::Codec;

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
    /// The file written.
    pub path: PathBuf,
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

    /// Runs map partition `partition` of the input and writes it to the file `place` names.
    ///
    /// Partitioned batches stay in memory while the task's memory pool grants them (up to a quarter
    /// of a bounded pool); when refused, everything buffered is spilled as one run (a spill file with one segment per
    /// reduce partition) and buffering starts over. At the end `place` is called with an upper
    /// bound of the file's size and returns the path to write; the runs' segments are copied
    /// into it as they are, followed by what is still in memory.
    ///
    /// # Cancel safety
    /// Dropping the future stops the input; a partly written file keeps its temporary name and
    /// is removed with the job's folder; spill runs are deleted when dropped.
    pub async fn write_partition(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
        codec: Codec,
        place: impl FnOnce(u64) -> Result<PathBuf>,
    ) -> Result<ShuffleWriteResult> {
        let schema = self.input.schema();
        let batch_size = context.session_config().batch_size();
        let n_out = self.output_partition_count();
        let mut buffer = PartitionBuffer::new(&schema, n_out, batch_size);
        let reservation = MemoryConsumer::new(format!("ShuffleWriterExec[{partition}]"))
            .with_can_spill(true)
            .register(context.memory_pool());
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
        // The writer buffers at most a quarter of a bounded pool: operators below it that cannot
        // spill (merges, hash join build sides) must still find memory once it has filled up.
        let buffer_cap = match context.memory_pool().memory_limit() {
            MemoryLimit::Finite(bytes) => bytes / 4,
            _ => usize::MAX,
        };
        let mut stream: SendableRecordBatchStream =
            self.input.execute(partition, Arc::clone(&context))?;
        let mut runs: Vec<SpilledRun> = Vec::new();
        let mut rows = 0u64;
        while let Some(batch) = stream.next().await {
            let batch = batch?;
            rows += batch.num_rows() as u64;
            let size = batch.get_array_memory_size();
            if reservation.size() + size > buffer_cap || reservation.try_grow(size).is_err() {
                if buffer.has_rows() {
                    let parts = buffer.take()?;
                    runs.push(spill_run(&context, &schema, parts, codec).await?);
                }
                reservation.free();
                // One batch is admitted even over the limit: it is what the input produced.
                reservation.grow(size);
            }
            match partitioner.as_mut() {
                Some(p) => p.partition(batch, |i, b| buffer.push(i, b))?,
                None => buffer.push(0, batch)?,
            }
        }
        let parts = buffer.take()?;
        let mut run_bytes = Vec::with_capacity(runs.len());
        let mut estimate: u64 = parts
            .iter()
            .flatten()
            .map(|b| b.get_array_memory_size() as u64)
            .sum();
        for run in &runs {
            let chunks: Vec<Bytes> = run.file.read_stream()?.try_collect().await?;
            estimate += chunks.iter().map(|c| c.len() as u64).sum::<u64>();
            run_bytes.push(RunBytes {
                chunks,
                segments: run.segments.clone(),
            });
        }
        // Room for alignment padding and IPC framing of every segment.
        estimate += (n_out as u64) * (runs.len() as u64 + 1) * 1024;
        let path = place(estimate)?;
        let target = path.clone();
        let segments = tokio::task::spawn_blocking(move || {
            write_shuffle_file(&target, &schema, &run_bytes, parts, codec)
        })
        .await
        .map_err(|e| DataFusionError::External(Box::new(e)))??;
        drop(runs);
        reservation.free();
        let bytes = segments.iter().map(|s| s.length).sum();
        Ok(ShuffleWriteResult {
            path,
            segments,
            rows,
            bytes,
        })
    }
}

/// The partitioned output of a map task while it is in memory: per reduce partition, a
/// coalescer gathering small pieces into full batches, and the full batches.
struct PartitionBuffer {
    coalescers: Vec<BatchCoalescer>,
    done: Vec<Vec<RecordBatch>>,
}

impl PartitionBuffer {
    fn new(schema: &SchemaRef, partitions: usize, batch_size: usize) -> Self {
        Self {
            coalescers: (0..partitions)
                .map(|_| BatchCoalescer::new(Arc::clone(schema), batch_size))
                .collect(),
            done: vec![Vec::new(); partitions],
        }
    }

    fn push(&mut self, partition: usize, batch: RecordBatch) -> Result<()> {
        let coalescer = &mut self.coalescers[partition];
        coalescer.push_batch(batch)?;
        while let Some(full) = coalescer.next_completed_batch() {
            self.done[partition].push(full);
        }
        Ok(())
    }

    fn has_rows(&self) -> bool {
        self.done.iter().any(|d| !d.is_empty()) || self.coalescers.iter().any(|c| !c.is_empty())
    }

    /// Everything buffered, by reduce partition; the buffer is empty afterwards.
    fn take(&mut self) -> Result<Vec<Vec<RecordBatch>>> {
        for (i, c) in self.coalescers.iter_mut().enumerate() {
            c.finish_buffered_batch()?;
            while let Some(b) = c.next_completed_batch() {
                self.done[i].push(b);
            }
        }
        let n = self.done.len();
        Ok(std::mem::replace(&mut self.done, vec![Vec::new(); n]))
    }
}

/// A spill run: a spill file and where each reduce partition's segment is in it.
struct SpilledRun {
    file: Arc<dyn SpillFile>,
    segments: Vec<Segment>,
}

/// Writes buffered partitions to a new spill file of the task (placed by the task's disk
/// manager: see `memory::spill`).
async fn spill_run(
    context: &TaskContext,
    schema: &SchemaRef,
    parts: Vec<Vec<RecordBatch>>,
    codec: Codec,
) -> Result<SpilledRun> {
    let file = context
        .runtime_env()
        .disk_manager
        .create_tmp_file("ShuffleWriterExec spill")?;
    let writer = file.open_writer()?;
    let schema = Arc::clone(schema);
    let segments = tokio::task::spawn_blocking(move || -> Result<Vec<Segment>> {
        let options = ipc_options(codec)?;
        let mut out = CountingWriter::new(BufWriter::with_capacity(1 << 20, writer));
        let mut segments = Vec::new();
        for (p, batches) in parts.iter().enumerate() {
            segments.extend(write_segment(&mut out, &schema, p, batches, &options)?);
        }
        let mut writer = out
            .into_inner()
            .into_inner()
            .map_err(|e| DataFusionError::Execution(format!("shuffle spill: {}", e.error())))?;
        writer.finish()?;
        Ok(segments)
    })
    .await
    .map_err(|e| DataFusionError::External(Box::new(e)))??;
    Ok(SpilledRun { file, segments })
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
