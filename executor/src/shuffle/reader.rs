//! [`ShuffleReaderExec`]: the leaf through which a stage reads the output of an upstream stage.
//!
//! The plan carries only *which* stage it reads and how; *where* the map outputs are arrives with
//! each task as [`TaskInputs`] (kept out of the plan bytes so that plans are sent once per stage
//! and locations do not inflate them). Local and host-local outputs are mapped with memmap2 and
//! decoded without copying; remote ones are streamed from the executor that holds them.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
    SendableRecordBatchStream,
};
use ember_proto::MapOutput;
use futures::{StreamExt, TryStreamExt};

use datafusion::execution::memory_pool::{MemoryConsumer, MemoryPool, MemoryReservation};

use super::fetch::{SegmentBytes, ShuffleEnv};
use super::file::SegmentBatches;
use crate::error::FetchFailedError;

/// The map outputs a task reads, by upstream stage id. Installed as a session-config extension
/// of the task's context.
#[derive(Debug, Default)]
pub struct TaskInputs {
    pub job_id: String,
    pub by_stage: HashMap<u32, Arc<Vec<MapOutput>>>,
    /// Shuffle bytes read so far by this task (local and remote), for its metrics.
    pub bytes_read: AtomicU64,
}

/// How many segments one reader partition fetches ahead of the one it is decoding.
const FETCH_AHEAD: usize = 2;

/// Reads the output of stage `stage_id`.
///
/// In a hash exchange, reduce partition `p` reads segment `p` of every map output. In a
/// pass-through exchange, reduce partition `p` reads the whole output of map partition `p`; a
/// parent `CoalescePartitionsExec` or `SortPreservingMergeExec` in the same stage then combines
/// them, which is also how a broadcast build side reaches every task of a join stage.
#[derive(Debug)]
pub struct ShuffleReaderExec {
    stage_id: u32,
    schema: SchemaRef,
    partitions: usize,
    pass_through: bool,
    properties: Arc<PlanProperties>,
}

impl ShuffleReaderExec {
    /// A reader as decoded on an executor: only the partition count is known.
    pub fn new(stage_id: u32, schema: SchemaRef, partitions: usize, pass_through: bool) -> Self {
        let properties = PlanProperties::new(
            EquivalenceProperties::new(Arc::clone(&schema)),
            Partitioning::UnknownPartitioning(partitions),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Self::with_properties(stage_id, schema, pass_through, properties)
    }

    /// A reader as decoded on an executor, with the partitioning, orderings and constants the
    /// driver's optimizer knew of the exchange's output.
    pub fn with_equivalence(
        stage_id: u32,
        schema: SchemaRef,
        partitioning: Partitioning,
        pass_through: bool,
        equivalence: EquivalenceProperties,
    ) -> Self {
        let properties = PlanProperties::new(
            equivalence,
            partitioning,
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Self::with_properties(stage_id, schema, pass_through, properties)
    }

    /// A reader that advertises the properties of the exchange it replaces (its partitioning and
    /// orderings), so that the operators above it see the same plan the optimizer produced.
    pub fn with_properties(
        stage_id: u32,
        schema: SchemaRef,
        pass_through: bool,
        properties: PlanProperties,
    ) -> Self {
        let partitions = properties.partitioning.partition_count();
        Self {
            stage_id,
            schema,
            partitions,
            pass_through,
            properties: Arc::new(properties),
        }
    }

    /// The upstream stage.
    pub fn stage_id(&self) -> u32 {
        self.stage_id
    }

    /// Whether reduce partition `p` reads map partition `p` only.
    pub fn is_pass_through(&self) -> bool {
        self.pass_through
    }

    /// Number of output partitions.
    pub fn partitions(&self) -> usize {
        self.partitions
    }
}

/// One byte range to read: a segment of one map output.
#[derive(Debug, Clone)]
struct SegmentRead {
    output: MapOutput,
    offset: u64,
    length: u64,
}

/// Selects what reduce partition `partition` reads from the map outputs of one stage.
fn plan_reads(outputs: &[MapOutput], partition: usize, pass_through: bool) -> Vec<SegmentRead> {
    let mut reads = Vec::new();
    for output in outputs {
        if pass_through && output.map_partition as usize != partition {
            continue;
        }
        for seg in &output.segments {
            let wanted = pass_through || seg.reduce_partition as usize == partition;
            if wanted && seg.length > 0 {
                reads.push(SegmentRead {
                    output: output.clone(),
                    offset: seg.offset,
                    length: seg.length,
                });
            }
        }
    }
    reads
}

/// Fetches one segment and returns its batches, decoded one at a time as they are taken. A
/// fetched (heap) segment is charged to the task's memory until its last batch is taken, so the
/// operators above spill earlier instead of the process outgrowing its budget.
async fn read_segment(
    env: Arc<ShuffleEnv>,
    job_id: String,
    stage_id: u32,
    read: SegmentRead,
    pool: Arc<dyn MemoryPool>,
) -> Result<impl Iterator<Item = Result<RecordBatch>>> {
    let fetch_failed = |message: String| {
        DataFusionError::External(Box::new(FetchFailedError {
            stage_id,
            map_partition: read.output.map_partition,
            executor_id: read.output.executor_id.clone(),
            message,
        }))
    };
    let segment = env
        .read_segment(&job_id, &read.output, read.offset, read.length)
        .await
        .map_err(fetch_failed)?;
    let reservation = match &segment {
        SegmentBytes::Fetched(bytes) => {
            let reservation =
                MemoryConsumer::new(format!("ShuffleReader[stage {stage_id}]")).register(&pool);
            reservation.grow(bytes.len());
            Some(reservation)
        }
        SegmentBytes::Mapped(_) => None,
    };
    let batches = SegmentBatches::new(segment.bytes()).map_err(|e| fetch_failed(e.to_string()))?;
    Ok(ChargedBatches {
        batches,
        _reservation: reservation,
        source: FetchFailedError {
            stage_id,
            map_partition: read.output.map_partition,
            executor_id: read.output.executor_id.clone(),
            message: String::new(),
        },
    })
}

/// A segment's batches with the reservation for its bytes, released when the last batch has
/// been taken and the iterator dropped.
struct ChargedBatches {
    batches: SegmentBatches,
    _reservation: Option<MemoryReservation>,
    /// Whose output this is: a segment that does not decode is a fetch failure, so the map
    /// output is recomputed rather than the task retried on the same bad bytes.
    source: FetchFailedError,
}

impl Iterator for ChargedBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.batches.next()?.map_err(|e| {
            DataFusionError::External(Box::new(FetchFailedError {
                message: format!("corrupt shuffle segment: {e}"),
                ..self.source.clone()
            }))
        }))
    }
}

impl DisplayAs for ShuffleReaderExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        let kind = if self.pass_through {
            "pass-through"
        } else {
            "hash"
        };
        write!(
            f,
            "ShuffleReaderExec: stage={}, partitions={}, {kind}",
            self.stage_id, self.partitions
        )
    }
}

impl ExecutionPlan for ShuffleReaderExec {
    fn name(&self) -> &str {
        "ShuffleReaderExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.is_empty() {
            Ok(self)
        } else {
            Err(DataFusionError::Internal(
                "ShuffleReaderExec is a leaf".into(),
            ))
        }
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition >= self.partitions {
            return Err(DataFusionError::Internal(format!(
                "ShuffleReaderExec of stage {} has {} partitions, asked for {partition}",
                self.stage_id, self.partitions
            )));
        }
        let config = context.session_config();
        let env = config.get_extension::<ShuffleEnv>().ok_or_else(|| {
            DataFusionError::Internal("no shuffle environment in the task context".into())
        })?;
        let inputs = config.get_extension::<TaskInputs>().ok_or_else(|| {
            DataFusionError::Internal("no shuffle inputs in the task context".into())
        })?;
        let outputs = inputs.by_stage.get(&self.stage_id).ok_or_else(|| {
            DataFusionError::Internal(format!(
                "the task carries no locations for input stage {}",
                self.stage_id
            ))
        })?;
        let reads = plan_reads(outputs, partition, self.pass_through);
        let job_id = inputs.job_id.clone();
        let stage_id = self.stage_id;
        let pool = Arc::clone(context.memory_pool());
        let stream = futures::stream::iter(reads)
            .map(move |read| {
                inputs.bytes_read.fetch_add(read.length, Ordering::Relaxed);
                read_segment(
                    Arc::clone(&env),
                    job_id.clone(),
                    stage_id,
                    read,
                    Arc::clone(&pool),
                )
            })
            .buffered(FETCH_AHEAD)
            .map_ok(futures::stream::iter)
            .try_flatten();
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            Arc::clone(&self.schema),
            stream,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_proto::ShuffleSegment;

    fn output(map: u32, segs: &[(u32, u64)]) -> MapOutput {
        MapOutput {
            map_partition: map,
            executor_id: "e".into(),
            segments: segs
                .iter()
                .map(|&(r, len)| ShuffleSegment {
                    reduce_partition: r,
                    offset: 0,
                    length: len,
                    rows: 1,
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn hash_reads_take_one_segment_of_every_map_output() {
        let outputs = vec![output(0, &[(0, 10), (1, 20)]), output(1, &[(1, 30)])];
        let reads = plan_reads(&outputs, 1, false);
        assert_eq!(
            reads.iter().map(|r| r.length).collect::<Vec<_>>(),
            vec![20, 30]
        );
        assert!(plan_reads(&outputs, 0, false).len() == 1);
    }

    #[test]
    fn pass_through_reads_take_the_matching_map_output() {
        let outputs = vec![output(0, &[(0, 10)]), output(1, &[(0, 40)])];
        let reads = plan_reads(&outputs, 1, true);
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].length, 40);
    }
}

#[cfg(test)]
mod fetch_failure_tests {
    use super::*;
    use crate::error::find_fetch_failure;
    use crate::shuffle::ShuffleEnv;
    use arrow::datatypes::{DataType, Field, Schema};
    use datafusion::prelude::SessionConfig;
    use ember_proto::ShuffleSegment;

    /// A reader whose input file vanished reports a typed fetch failure naming the producer.
    #[tokio::test]
    async fn missing_map_output_is_a_typed_fetch_failure() {
        let schema = Arc::new(Schema::new(vec![Field::new("a", DataType::Int64, false)]));
        let output = MapOutput {
            map_partition: 3,
            executor_id: "exec-7".into(),
            host: "127.0.0.1".into(),
            port: 1,
            file: "s2-m3-a9.data".into(),
            path: "/nonexistent/ember/s2-m3-a9.data".into(),
            segments: vec![ShuffleSegment {
                reduce_partition: 0,
                offset: 0,
                length: 100,
                rows: 1,
            }],
        };
        let inputs = TaskInputs {
            job_id: "job".into(),
            by_stage: HashMap::from([(2, Arc::new(vec![output]))]),
            ..Default::default()
        };
        // Same host, host-local reads on: the reader maps the (missing) file directly.
        let env = ShuffleEnv::new("exec-1", "127.0.0.1", true, 1 << 20, 1 << 20);
        let config = SessionConfig::new()
            .with_extension(Arc::new(env))
            .with_extension(Arc::new(inputs));
        let ctx = Arc::new(TaskContext::default().with_session_config(config));
        let reader = ShuffleReaderExec::new(2, schema, 1, false);
        let stream = reader.execute(0, ctx).expect("stream starts");
        let err = stream
            .try_collect::<Vec<_>>()
            .await
            .expect_err("the file does not exist");
        let failure = find_fetch_failure(&err).expect("typed fetch failure");
        assert_eq!(failure.stage_id, 2);
        assert_eq!(failure.map_partition, 3);
        assert_eq!(failure.executor_id, "exec-7");
        // Wrapped further, as operators above the reader do, it is still found.
        let wrapped = DataFusionError::Context("joining".into(), Box::new(err));
        assert!(find_fetch_failure(&wrapped).is_some());
    }

    /// A segment whose bytes do not decode is a fetch failure too (the producer reruns).
    #[tokio::test]
    async fn a_corrupt_segment_is_a_typed_fetch_failure() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s2-m1-a3.data");
        // An IPC continuation marker announcing far more metadata than follows.
        std::fs::write(&path, b"\xff\xff\xff\xff\x40\x00\x00\x00garbage").expect("write");
        let schema = Arc::new(Schema::new(vec![Field::new("a", DataType::Int64, false)]));
        let output = MapOutput {
            map_partition: 1,
            executor_id: "exec-1".into(),
            host: "127.0.0.1".into(),
            port: 1,
            file: "s2-m1-a3.data".into(),
            path: path.display().to_string(),
            segments: vec![ShuffleSegment {
                reduce_partition: 0,
                offset: 0,
                length: 15,
                rows: 1,
            }],
        };
        let inputs = TaskInputs {
            job_id: "job".into(),
            by_stage: HashMap::from([(2, Arc::new(vec![output]))]),
            ..Default::default()
        };
        let env = ShuffleEnv::new("exec-1", "127.0.0.1", true, 1 << 20, 1 << 20);
        let config = SessionConfig::new()
            .with_extension(Arc::new(env))
            .with_extension(Arc::new(inputs));
        let ctx = Arc::new(TaskContext::default().with_session_config(config));
        let reader = ShuffleReaderExec::new(2, schema, 1, false);
        let err = reader
            .execute(0, ctx)
            .expect("stream starts")
            .try_collect::<Vec<_>>()
            .await
            .expect_err("the segment is corrupt");
        let failure = find_fetch_failure(&err).expect("typed fetch failure");
        assert_eq!((failure.stage_id, failure.map_partition), (2, 1));
    }
}
