//! The task runner: decodes a stage plan (once per stage), runs one partition of it through the
//! stage's [`ShuffleWriterExec`], and reports the outcome to the driver with a typed reason.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use datafusion::error::DataFusionError;
use datafusion::execution::TaskContext;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionConfig;
use ember_proto::{
    ExecutionFailed, FetchFailed, LaunchTaskRequest, MapOutput, ShuffleSegment, TaskFailure,
    TaskKey, TaskKilled, TaskMetrics, TaskStatus, task_failure, task_status,
};

use crate::codec::decode_plan;
use crate::error::find_fetch_failure;
use crate::executor::{ExecutorState, StagePlan};
use crate::memory::{LocalDirs, TaskMemory};
use crate::shuffle::{ShuffleWriteResult, ShuffleWriterExec, TaskInputs};

/// Why a launch request was refused before any work started.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("task message carries no task key")]
    MissingKey,
    #[error("no plan for job {job_id} stage {stage_id} on this executor")]
    UnknownPlan { job_id: String, stage_id: u32 },
    #[error("cannot decode the plan of stage {stage_id}: {source}")]
    Decode {
        stage_id: u32,
        #[source]
        source: DataFusionError,
    },
    #[error("invalid session option: {0}")]
    Config(DataFusionError),
    #[error("invalid job id {0:?}")]
    InvalidJobId(String),
    #[error("all {0} task slots of this executor are busy")]
    Busy(usize),
}

/// How long a task without a plan waits for the launch request that carries it.
const PLAN_WAIT: Duration = Duration::from_secs(30);

/// The cached plan of a stage, waiting (up to [`PLAN_WAIT`]) for it to arrive.
async fn wait_for_plan(
    state: &ExecutorState,
    key: &(String, u32),
) -> Option<(Arc<dyn ExecutionPlan>, SessionConfig)> {
    let deadline = tokio::time::Instant::now() + PLAN_WAIT;
    loop {
        let arrived = state.plan_arrived.notified();
        tokio::pin!(arrived);
        arrived.as_mut().enable();
        if let Some(stage) = state.plans.lock().await.get(key) {
            return Some((Arc::clone(&stage.plan), stage.config.clone()));
        }
        if tokio::time::timeout_at(deadline, arrived).await.is_err() {
            return None;
        }
    }
}

/// Accepts a task and starts it in the background.
pub async fn launch(
    state: &Arc<ExecutorState>,
    request: LaunchTaskRequest,
) -> Result<(), LaunchError> {
    let key = request.task.clone().ok_or(LaunchError::MissingKey)?;
    if !crate::service::is_valid_job_id(&key.job_id) {
        return Err(LaunchError::InvalidJobId(key.job_id));
    }
    let plan_key = (key.job_id.clone(), key.stage_id);
    let base_ctx = TaskContext::from(&state.session);
    // The plan and its session options arrive with the stage's first task on this executor;
    // later tasks of the stage reuse both.
    let (plan, config) = if request.plan.is_empty() {
        wait_for_plan(state, &plan_key)
            .await
            .ok_or_else(|| LaunchError::UnknownPlan {
                job_id: key.job_id.clone(),
                stage_id: key.stage_id,
            })?
    } else {
        let mut plans = state.plans.lock().await;
        let settings: HashMap<String, String> = request.session_config.into_iter().collect();
        let config = SessionConfig::from_string_hash_map(&settings).map_err(LaunchError::Config)?;
        // Functions keep the options they were decoded with (ANSI mode, the time zone): decode
        // with the session's, not the executor's defaults.
        let decode_ctx = TaskContext::from(&state.session).with_session_config(config.clone());
        let plan =
            decode_plan(&request.plan, &decode_ctx).map_err(|source| LaunchError::Decode {
                stage_id: key.stage_id,
                source,
            })?;
        plans.insert(
            plan_key,
            StagePlan {
                plan: Arc::clone(&plan),
                config: config.clone(),
            },
        );
        state.plan_arrived.notify_waiters();
        (plan, config)
    };
    let inputs = Arc::new(TaskInputs {
        job_id: key.job_id.clone(),
        by_stage: request
            .inputs
            .into_iter()
            .map(|i| (i.stage_id, Arc::new(i.outputs)))
            .collect(),
        ..Default::default()
    });
    let config = config
        .with_extension(Arc::clone(&state.shuffle))
        .with_extension(Arc::clone(&inputs));
    let memory = TaskMemory::new(
        state.session.runtime_env(),
        &state.budget,
        &state.dirs,
        &key.job_id,
    )
    .map_err(LaunchError::Config)?;
    let ctx = Arc::new(
        base_ctx
            .with_session_config(config)
            .with_runtime(Arc::clone(&memory.runtime))
            .with_task_id(format!(
                "{}-{}-{}",
                key.job_id, key.stage_id, key.attempt_id
            )),
    );
    let measures = TaskMeasures { memory, inputs };

    // At most one task per slot, whoever asks: the scheduler never sends more, a broken or
    // hostile peer is refused.
    let cores = state.config.cores;
    state
        .running_count
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < cores).then_some(n + 1)
        })
        .map_err(|_| LaunchError::Busy(cores))?;
    let work = tokio::spawn(run(Arc::clone(state), key.clone(), plan, ctx));

    let abort = work.abort_handle();
    if let Ok(mut running) = state.running.lock() {
        running
            .entry(key.job_id.clone())
            .or_default()
            .insert(key.attempt_id, abort);
    }
    let state = Arc::clone(state);
    tokio::spawn(async move {
        let started = Instant::now();
        let outcome = match work.await {
            Ok(outcome) => outcome,
            Err(e) if e.is_cancelled() => Outcome::Failed(TaskFailure {
                reason: Some(task_failure::Reason::Killed(TaskKilled {
                    reason: "cancelled".into(),
                })),
            }),
            Err(e) => Outcome::Failed(execution_failure(format!("task panicked: {e}"))),
        };
        let metrics = measures.report(started.elapsed(), &outcome);
        if let Ok(mut running) = state.running.lock()
            && let Some(tasks) = running.get_mut(&key.job_id)
        {
            tasks.remove(&key.attempt_id);
            if tasks.is_empty() {
                running.remove(&key.job_id);
            }
        }
        state.running_count.fetch_sub(1, Ordering::Relaxed);
        report(&state, key, outcome, metrics).await;
    });
    Ok(())
}

/// What a task measures while it runs, turned into its [`TaskMetrics`] at the end.
struct TaskMeasures {
    memory: TaskMemory,
    inputs: Arc<TaskInputs>,
}

impl TaskMeasures {
    fn report(&self, elapsed: Duration, outcome: &Outcome) -> TaskMetrics {
        let (rows, bytes) = match outcome {
            Outcome::Succeeded { rows, bytes, .. } => (*rows, *bytes),
            Outcome::Failed(_) => (0, 0),
        };
        let spills = &self.memory.spills;
        TaskMetrics {
            elapsed_ms: elapsed.as_millis() as u64,
            output_rows: rows,
            shuffle_bytes_written: bytes,
            peak_memory_bytes: self.memory.peak_reserved() as u64,
            spill_files: spills.files.load(Ordering::Relaxed),
            spilled_bytes: spills.bytes.load(Ordering::Relaxed),
            spilled_memory_bytes: spills.memory_bytes.load(Ordering::Relaxed),
            shuffle_bytes_read: self.inputs.bytes_read.load(Ordering::Relaxed),
        }
    }
}

enum Outcome {
    Succeeded {
        output: MapOutput,
        rows: u64,
        bytes: u64,
    },
    Failed(TaskFailure),
}

fn execution_failure(message: String) -> TaskFailure {
    TaskFailure {
        reason: Some(task_failure::Reason::ExecutionFailed(ExecutionFailed {
            message,
        })),
    }
}

/// Name of a map task's shuffle file inside the job's folder.
pub fn shuffle_file_name(key: &TaskKey) -> String {
    format!(
        "s{}-m{}-a{}.data",
        key.stage_id, key.partition, key.attempt_id
    )
}

async fn run(
    state: Arc<ExecutorState>,
    key: TaskKey,
    plan: Arc<dyn ExecutionPlan>,
    ctx: Arc<TaskContext>,
) -> Outcome {
    let Some(writer) = plan.downcast_ref::<ShuffleWriterExec>() else {
        return Outcome::Failed(execution_failure(format!(
            "stage {} plan is not rooted at a shuffle writer",
            key.stage_id
        )));
    };
    let file = shuffle_file_name(&key);
    let placement = OutputPlacement::new(&state, &key.job_id, &file);
    let written = writer
        .write_partition(
            key.partition as usize,
            ctx,
            state.config.shuffle_codec,
            |estimate| placement.place(estimate),
        )
        .await;
    let written = placement.settle(written);
    match written {
        Ok(result) => {
            let path = result.path.clone();
            let config = &state.config;
            Outcome::Succeeded {
                rows: result.rows,
                bytes: result.bytes,
                output: MapOutput {
                    map_partition: key.partition,
                    executor_id: config.executor_id.clone(),
                    host: config.host.clone(),
                    port: state.port,
                    file,
                    path: path.to_string_lossy().into_owned(),
                    segments: result
                        .segments
                        .iter()
                        .map(|s| ShuffleSegment {
                            reduce_partition: s.reduce_partition,
                            offset: s.offset,
                            length: s.length,
                            rows: s.rows,
                        })
                        .collect(),
                },
            }
        }
        Err(e) => match find_fetch_failure(&e) {
            Some(f) => Outcome::Failed(TaskFailure {
                reason: Some(task_failure::Reason::FetchFailed(FetchFailed {
                    stage_id: f.stage_id,
                    map_partition: f.map_partition,
                    executor_id: f.executor_id.clone(),
                    message: f.message.clone(),
                })),
            }),
            None => Outcome::Failed(execution_failure(e.to_string())),
        },
    }
}

/// Sends the status, retrying briefly: a lost status would leave the driver waiting until it
/// declares this executor dead.
async fn report(state: &ExecutorState, key: TaskKey, outcome: Outcome, metrics: TaskMetrics) {
    let counters = &state.counters;
    counters
        .spilled_bytes
        .fetch_add(metrics.spilled_bytes, Ordering::Relaxed);
    counters
        .spill_files
        .fetch_add(metrics.spill_files, Ordering::Relaxed);
    let result = match outcome {
        Outcome::Succeeded { output, bytes, .. } => {
            state
                .counters
                .tasks_succeeded
                .fetch_add(1, Ordering::Relaxed);
            state
                .counters
                .shuffle_bytes_written
                .fetch_add(bytes, Ordering::Relaxed);
            task_status::Result::Success(output)
        }
        Outcome::Failed(f) => {
            state.counters.tasks_failed.fetch_add(1, Ordering::Relaxed);
            task_status::Result::Failure(f)
        }
    };
    let status = TaskStatus {
        task: Some(key),
        executor_id: state.config.executor_id.clone(),
        result: Some(result),
        metrics: Some(metrics),
    };
    let mut driver = state.driver.clone();
    for attempt in 0..5u32 {
        match driver.update_task_status(status.clone()).await {
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(
                    "task status not delivered (attempt {attempt}): {}",
                    e.message()
                );
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            }
        }
    }
}

/// Chooses the local dir of a map task's shuffle file and keeps the memory budget right about
/// it: a file in a memory-backed dir is charged (first its size estimate, then its real size)
/// until its job is removed.
struct OutputPlacement<'a> {
    state: &'a ExecutorState,
    job_id: &'a str,
    file: &'a str,
    /// (dir index, bytes) charged to a memory-backed dir and the budget for the file.
    charged: std::sync::Mutex<Option<(usize, u64)>>,
}

impl<'a> OutputPlacement<'a> {
    fn new(state: &'a ExecutorState, job_id: &'a str, file: &'a str) -> Self {
        Self {
            state,
            job_id,
            file,
            charged: std::sync::Mutex::new(None),
        }
    }

    /// The path for a file of at most `estimate` bytes: the next local dir in rotation, skipping
    /// memory-backed ones the budget cannot take it in.
    fn place(&self, estimate: u64) -> datafusion::error::Result<std::path::PathBuf> {
        let budget = &self.state.budget;
        for dir in self.state.dirs.rotation() {
            if dir.memory_backed {
                if !budget.try_charge_file(dir, estimate) {
                    continue;
                }
                if let Ok(mut charged) = self.charged.lock() {
                    *charged = Some((self.state.dirs.index_of(dir), estimate));
                }
            }
            let folder = LocalDirs::job_dir(dir, self.job_id);
            std::fs::create_dir_all(&folder).map_err(|e| {
                DataFusionError::Execution(format!("cannot create {}: {e}", folder.display()))
            })?;
            return Ok(folder.join(self.file));
        }
        Err(DataFusionError::ResourcesExhausted(format!(
            "out of executor memory: the shuffle output of this task (up to {estimate} bytes) does not fit in the memory budget (operators hold {} bytes, tmpfs local dirs {} bytes) and no disk-backed local dir is configured; raise spark.executor.memory or add a disk folder to spark.local.dir",
            budget.reserved(),
            budget.tmpfs_bytes()
        )))
    }

    /// Replaces the estimate by the file's real size (or returns it all on failure).
    fn settle(
        &self,
        written: datafusion::error::Result<ShuffleWriteResult>,
    ) -> datafusion::error::Result<ShuffleWriteResult> {
        let charged = self.charged.lock().ok().and_then(|mut c| c.take());
        let Some((dir_index, estimate)) = charged else {
            return written;
        };
        let Some(dir) = self.state.dirs.dir(dir_index) else {
            return written;
        };
        let budget = &self.state.budget;
        let size = written
            .as_ref()
            .ok()
            .and_then(|r| std::fs::metadata(&r.path).ok())
            .map(|m| m.len());
        // The file's bytes stay charged until `LocalDirs::remove_job` deletes it.
        match size {
            Some(size) if size <= estimate => budget.release_file(dir, estimate - size),
            Some(size) => budget.force_charge_file(dir, size - estimate),
            None => budget.release_file(dir, estimate),
        }
        written
    }
}
