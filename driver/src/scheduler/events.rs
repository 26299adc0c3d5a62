//! What the scheduler reacts to, and what it tells listeners.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use ember_proto::{ExecutorMetadata, ExecutorMetrics, MapOutput, TaskKey, TaskMetrics, TaskStatus};
use tokio::sync::oneshot;

use super::link::ExecutorLink;

/// A job as the scheduler receives it: serialized stage plans and their dependencies.
#[derive(Debug, Clone)]
pub struct JobSpec {
    pub job_id: String,
    pub stages: Vec<StageSpec>,
    /// DataFusion options the plans run with (sent once per stage and executor).
    pub session_config: Arc<HashMap<String, String>>,
}

/// One stage of a [`JobSpec`].
#[derive(Debug, Clone)]
pub struct StageSpec {
    pub stage_id: u32,
    pub plan: Bytes,
    pub inputs: Vec<u32>,
    pub partitions: usize,
}

/// A finished job: where the final stage's output partitions are, in partition order.
#[derive(Debug, Clone)]
pub struct JobOutput {
    pub job_id: String,
    pub final_stage: u32,
    pub outputs: Vec<MapOutput>,
    /// What each stage's tasks measured, by stage id.
    pub metrics: Vec<StageMetrics>,
}

/// The task metrics of one stage, summed (or the maximum, for peaks) over its task attempts
/// that reported, failed ones included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StageMetrics {
    pub stage_id: u32,
    /// Attempts that reported.
    pub tasks: u32,
    pub output_rows: u64,
    /// Sum of task run times.
    pub task_time_ms: u64,
    /// The largest peak reservation of one task.
    pub peak_memory_bytes: u64,
    pub spill_files: u64,
    pub spilled_bytes: u64,
    /// Of `spilled_bytes`, written in memory-backed (tmpfs) local dirs.
    pub spilled_memory_bytes: u64,
    pub shuffle_bytes_written: u64,
    pub shuffle_bytes_read: u64,
}

impl StageMetrics {
    /// Adds one task attempt's report.
    pub fn add(&mut self, m: &TaskMetrics) {
        self.tasks += 1;
        self.output_rows += m.output_rows;
        self.task_time_ms += m.elapsed_ms;
        self.peak_memory_bytes = self.peak_memory_bytes.max(m.peak_memory_bytes);
        self.spill_files += m.spill_files;
        self.spilled_bytes += m.spilled_bytes;
        self.spilled_memory_bytes += m.spilled_memory_bytes;
        self.shuffle_bytes_written += m.shuffle_bytes_written;
        self.shuffle_bytes_read += m.shuffle_bytes_read;
    }
}

/// Inputs of the scheduler's event loop.
#[derive(Debug)]
pub(crate) enum Event {
    ExecutorRegistered {
        metadata: ExecutorMetadata,
        link: Arc<dyn ExecutorLink>,
    },
    /// Reply: whether the executor is known.
    Heartbeat {
        executor_id: String,
        metrics: Option<ExecutorMetrics>,
        reply: oneshot::Sender<bool>,
    },
    /// Fails every running job (the launcher cannot provide executors any more).
    AbortAll {
        reason: String,
    },
    /// Reply: `(id, host:port)` of each live executor.
    ExecutorAddresses {
        reply: oneshot::Sender<Vec<(String, String)>>,
    },
    /// Reply: the latest metrics each live executor reported.
    ExecutorMetrics {
        reply: oneshot::Sender<Vec<(String, ExecutorMetrics)>>,
    },
    TaskStatus(TaskStatus),
    ExecutorLost {
        executor_id: String,
        reason: String,
    },
    LaunchFailed {
        executor_id: String,
        task: TaskKey,
        reason: String,
        /// The executor could not be reached at all.
        unreachable: bool,
    },
    SubmitJob {
        spec: JobSpec,
        reply: oneshot::Sender<Result<JobOutput, JobError>>,
    },
    CancelJob {
        job_id: String,
    },
    /// The caller is done with a finished job's output: delete its files.
    ReleaseJob {
        job_id: String,
    },
    Tick,
    Stop {
        reply: oneshot::Sender<()>,
    },
}

/// Why a job did not produce output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    #[error("{0}")]
    Aborted(String),
    #[error("job {0} was cancelled")]
    Cancelled(String),
    #[error("the scheduler stopped")]
    Stopped,
}

/// What happened, for progress bars, tests and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchedulerEvent {
    ExecutorAdded {
        executor_id: String,
        pid: u32,
        /// Where its gRPC server listens (`host:port`).
        address: String,
    },
    ExecutorRemoved {
        executor_id: String,
        reason: String,
    },
    StageSubmitted {
        job_id: String,
        stage_id: u32,
        attempt: u32,
        tasks: usize,
    },
    TaskStarted {
        job_id: String,
        stage_id: u32,
        partition: u32,
        executor_id: String,
    },
    TaskEnded {
        job_id: String,
        stage_id: u32,
        partition: u32,
        executor_id: String,
        /// `None` on success, otherwise the failure as reported.
        failure: Option<String>,
    },
    StageCompleted {
        job_id: String,
        stage_id: u32,
    },
    JobEnded {
        job_id: String,
        error: Option<String>,
    },
    /// Dynamic allocation wants `executors` executors and has removed `removed` (idle); the
    /// launcher starts or stops executors to match.
    AllocationTarget {
        executors: usize,
        removed: Vec<String>,
    },
}
