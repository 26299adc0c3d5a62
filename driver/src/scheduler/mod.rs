//! The scheduler: turns stage DAGs into tasks on executor slots, and recovers from failures.
//!
//! One event loop owns all state (executors, jobs, stages, tasks); gRPC handlers, launchers and
//! callers talk to it through [`Event`]s, so there are no locks to reason about. The rules are
//! Spark's:
//!
//! - a stage runs when all its input stages have complete output; one task per partition, on
//!   executors with free slots (`spark.executor.cores` per executor);
//! - a task that fails counts toward `spark.task.maxFailures`; a *fetch* failure does not: the
//!   lost map output is recomputed by rerunning its producer, and the consuming stage gets a new
//!   attempt, up to `spark.stage.maxConsecutiveAttempts`;
//! - an executor that exits, breaks its connection or misses heartbeats for
//!   `spark.network.timeout` is lost: its running tasks go back to pending (without counting) and
//!   the map outputs it held and that are still needed are recomputed.

pub mod allocation;
mod events;
mod link;
mod state;

use std::sync::Arc;
use std::time::Duration;

pub(crate) use events::Event;
pub use events::{JobError, JobOutput, JobSpec, SchedulerEvent, StageMetrics, StageSpec};
pub use link::{ExecutorLink, GrpcExecutorLink};
use tokio::sync::{broadcast, mpsc, oneshot};

/// Limits and timings of the scheduler.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    pub max_task_failures: u32,
    pub max_stage_attempts: u32,
    pub executor_timeout: Duration,
    pub tick: Duration,
    /// How long jobs wait when no executor is left (`None`: for ever, a launcher replaces
    /// executors). Launchers that never replace executors use zero.
    pub no_executors_timeout: Option<Duration>,
    /// `spark.dynamicAllocation.*`, when enabled.
    pub dynamic_allocation: Option<allocation::DynamicAllocation>,
}

/// A cheap, cloneable handle to the scheduler's event loop.
#[derive(Debug, Clone)]
pub struct SchedulerHandle {
    events: mpsc::UnboundedSender<Event>,
    listeners: broadcast::Sender<SchedulerEvent>,
}

impl SchedulerHandle {
    /// Starts the event loop on the current tokio runtime.
    pub fn start(config: SchedulerConfig) -> Self {
        let (events, rx) = mpsc::unbounded_channel();
        let (listeners, _) = broadcast::channel(4096);
        let handle = Self { events, listeners };
        let tick_tx = handle.events.clone();
        let tick = config.tick;
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(tick);
            loop {
                interval.tick().await;
                if tick_tx.send(Event::Tick).is_err() {
                    break;
                }
            }
        });
        let state = state::State::new(config, handle.events.clone(), handle.listeners.clone());
        tokio::spawn(state.run(rx));
        handle
    }

    pub(crate) fn send(&self, event: Event) {
        // The loop only ends on Stop; after that, events have nobody to act on them.
        let _ = self.events.send(event);
    }

    /// Receives every scheduler event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SchedulerEvent> {
        self.listeners.subscribe()
    }

    /// Runs a job to completion.
    ///
    /// # Cancel safety
    /// Dropping the future does not cancel the job; call [`SchedulerHandle::cancel`].
    pub async fn run_job(&self, spec: JobSpec) -> Result<JobOutput, JobError> {
        let (reply, rx) = oneshot::channel();
        self.send(Event::SubmitJob { spec, reply });
        rx.await.unwrap_or(Err(JobError::Stopped))
    }

    /// Cancels a running job on every executor.
    pub fn cancel(&self, job_id: &str) {
        self.send(Event::CancelJob {
            job_id: job_id.to_string(),
        });
    }

    /// Deletes a finished job's output on the executors.
    pub fn release(&self, job_id: &str) {
        self.send(Event::ReleaseJob {
            job_id: job_id.to_string(),
        });
    }

    /// Reports an executor as lost (its process exited, its connection broke).
    pub fn executor_lost(&self, executor_id: &str, reason: impl Into<String>) {
        self.send(Event::ExecutorLost {
            executor_id: executor_id.to_string(),
            reason: reason.into(),
        });
    }

    /// Fails every running job with `reason` (a launcher that can no longer run executors).
    pub fn abort_all(&self, reason: impl Into<String>) {
        self.send(Event::AbortAll {
            reason: reason.into(),
        });
    }

    /// The latest metrics each live executor reported in its heartbeat.
    pub async fn executor_metrics(&self) -> Vec<(String, ember_proto::ExecutorMetrics)> {
        let (reply, rx) = oneshot::channel();
        self.send(Event::ExecutorMetrics { reply });
        rx.await.unwrap_or_default()
    }

    /// `(id, host:port)` of each live executor.
    pub async fn executor_addresses(&self) -> Vec<(String, String)> {
        let (reply, rx) = oneshot::channel();
        self.send(Event::ExecutorAddresses { reply });
        rx.await.unwrap_or_default()
    }

    /// Stops the event loop after telling every executor to shut down.
    pub async fn stop(&self) {
        let (reply, rx) = oneshot::channel();
        self.send(Event::Stop { reply });
        let _ = rx.await;
    }
}

/// Shared so that the gRPC service can reach the loop.
pub type SharedScheduler = Arc<SchedulerHandle>;
