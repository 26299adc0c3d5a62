//! The scheduler's state and the rules that change it. Only the event loop touches it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use ember_proto::{
    ExecutorMetrics, LaunchTaskRequest, MapOutput, ShuffleInput, TaskKey, TaskStatus, task_failure,
    task_status,
};
use tokio::sync::{broadcast, mpsc, oneshot};

use super::SchedulerConfig;
use super::allocation::{AllocationPolicy, ExecutorView};
use super::events::{Event, JobError, JobOutput, JobSpec, SchedulerEvent, StageMetrics, StageSpec};
use super::link::ExecutorLink;

struct ExecutorEntry {
    link: Arc<dyn ExecutorLink>,
    /// `host:port` of its gRPC server.
    address: String,
    free_slots: usize,
    last_seen: Instant,
    /// Attempt ids running there.
    running: HashSet<u64>,
    /// (job, stage) plans already sent to it.
    plans_sent: HashSet<(String, u32)>,
    /// What its last heartbeat reported.
    metrics: ExecutorMetrics,
    /// When a task last started or ended there (dynamic allocation's idle clock).
    idle_since: Instant,
}

#[derive(Debug, Clone)]
enum TaskState {
    Pending,
    Running {
        executor_id: String,
        attempt_id: u64,
    },
    Done(MapOutput),
}

struct TaskRun {
    state: TaskState,
    failures: u32,
    launches: u32,
    last_failure: Option<String>,
}

struct StageRun {
    spec: StageSpec,
    attempt: u32,
    fetch_failures: u32,
    submitted: bool,
    tasks: Vec<TaskRun>,
    metrics: StageMetrics,
}

impl StageRun {
    fn is_complete(&self) -> bool {
        self.tasks
            .iter()
            .all(|t| matches!(t.state, TaskState::Done(_)))
    }
    fn outputs(&self) -> Vec<MapOutput> {
        self.tasks
            .iter()
            .filter_map(|t| match &t.state {
                TaskState::Done(o) => Some(o.clone()),
                _ => None,
            })
            .collect()
    }
}

struct JobRun {
    spec_id: String,
    session_config: Arc<HashMap<String, String>>,
    /// By stage id.
    stages: BTreeMap<u32, StageRun>,
    final_stage: u32,
    reply: Option<oneshot::Sender<Result<JobOutput, JobError>>>,
}

pub(super) struct State {
    config: SchedulerConfig,
    events: mpsc::UnboundedSender<Event>,
    listeners: broadcast::Sender<SchedulerEvent>,
    executors: BTreeMap<String, ExecutorEntry>,
    /// Active jobs in submission order.
    jobs: Vec<JobRun>,
    next_attempt_id: u64,
    /// Since when no executor is left, and why the last one went.
    no_executors_since: Option<(Instant, String)>,
    /// `spark.dynamicAllocation.enabled`: the policy deciding how many executors to run.
    allocation: Option<AllocationPolicy>,
    /// Finished jobs whose results are still being read: the executors holding them, which
    /// dynamic allocation must keep until the job is released.
    unreleased_outputs: HashMap<String, HashSet<String>>,
    /// The launcher can no longer provide executors (`AbortAll`): why.
    launcher_failed: Option<String>,
}

impl State {
    pub(super) fn new(
        config: SchedulerConfig,
        events: mpsc::UnboundedSender<Event>,
        listeners: broadcast::Sender<SchedulerEvent>,
    ) -> Self {
        Self {
            events,
            listeners,
            executors: BTreeMap::new(),
            jobs: Vec::new(),
            next_attempt_id: 0,
            no_executors_since: None,
            allocation: config.dynamic_allocation.clone().map(AllocationPolicy::new),
            unreleased_outputs: HashMap::new(),
            launcher_failed: None,
            config,
        }
    }

    fn emit(&self, event: SchedulerEvent) {
        let _ = self.listeners.send(event);
    }

    pub(super) async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Event>) {
        while let Some(event) = rx.recv().await {
            match event {
                Event::Stop { reply } => {
                    self.stop();
                    let _ = reply.send(());
                    return;
                }
                other => self.handle(other),
            }
            self.schedule();
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::ExecutorRegistered { metadata, link } => {
                let id = metadata.executor_id.clone();
                self.no_executors_since = None;
                tracing::info!(executor = %id, host = %metadata.host, port = metadata.port, "executor added");
                let address = format!("{}:{}", metadata.host, metadata.port);
                self.emit(SchedulerEvent::ExecutorAdded {
                    executor_id: id.clone(),
                    pid: metadata.pid,
                    address: address.clone(),
                });
                self.executors.insert(
                    id,
                    ExecutorEntry {
                        address,
                        free_slots: metadata.cores.max(1) as usize,
                        link,
                        last_seen: Instant::now(),
                        running: HashSet::new(),
                        plans_sent: HashSet::new(),
                        metrics: ExecutorMetrics::default(),
                        idle_since: Instant::now(),
                    },
                );
            }
            Event::Heartbeat {
                executor_id,
                metrics,
                reply,
            } => {
                let known = match self.executors.get_mut(&executor_id) {
                    Some(e) => {
                        e.last_seen = Instant::now();
                        if let Some(m) = metrics {
                            e.metrics = m;
                        }
                        true
                    }
                    None => false,
                };
                let _ = reply.send(known);
            }
            Event::AbortAll { reason } => {
                // Later jobs fail at once too: nothing will run them.
                self.launcher_failed = Some(reason.clone());
                let ids: Vec<String> = self.jobs.iter().map(|j| j.spec_id.clone()).collect();
                for id in ids {
                    self.abort_job(&id, reason.clone());
                }
            }
            Event::ExecutorAddresses { reply } => {
                let _ = reply.send(
                    self.executors
                        .iter()
                        .map(|(id, e)| (id.clone(), e.address.clone()))
                        .collect(),
                );
            }
            Event::ExecutorMetrics { reply } => {
                let _ = reply.send(
                    self.executors
                        .iter()
                        .map(|(id, e)| (id.clone(), e.metrics))
                        .collect(),
                );
            }
            Event::TaskStatus(status) => self.on_task_status(status),
            Event::ExecutorLost {
                executor_id,
                reason,
            } => {
                self.on_executor_lost(&executor_id, &reason);
                self.abort_jobs_without_executors();
            }
            Event::LaunchFailed {
                executor_id,
                task,
                reason,
                unreachable,
            } => {
                if unreachable {
                    self.on_executor_lost(&executor_id, &format!("unreachable: {reason}"));
                } else {
                    if let Some(e) = self.executors.get_mut(&executor_id) {
                        e.running.remove(&task.attempt_id);
                        e.free_slots += 1;
                        e.idle_since = Instant::now();
                        e.plans_sent.remove(&(task.job_id.clone(), task.stage_id));
                    }
                    self.on_task_failed(
                        &task,
                        &executor_id,
                        format!("launch refused: {reason}"),
                        true,
                    );
                }
            }
            Event::SubmitJob { spec, reply } => self.submit(spec, reply),
            Event::CancelJob { job_id } => {
                self.unreleased_outputs.remove(&job_id);
                if let Some(pos) = self.jobs.iter().position(|j| j.spec_id == job_id) {
                    let mut job = self.jobs.remove(pos);
                    if let Some(reply) = job.reply.take() {
                        let _ = reply.send(Err(JobError::Cancelled(job_id.clone())));
                    }
                    self.emit(SchedulerEvent::JobEnded {
                        job_id: job_id.clone(),
                        error: Some("cancelled".into()),
                    });
                    self.free_job_slots(&job);
                    self.remove_job_everywhere(&job_id);
                }
            }
            Event::ReleaseJob { job_id } => {
                self.unreleased_outputs.remove(&job_id);
                self.remove_job_everywhere(&job_id);
            }
            Event::Tick => {
                let timeout = self.config.executor_timeout;
                let silent: Vec<String> = self
                    .executors
                    .iter()
                    .filter(|(_, e)| e.last_seen.elapsed() > timeout)
                    .map(|(id, _)| id.clone())
                    .collect();
                for id in silent {
                    self.on_executor_lost(&id, &format!("no heartbeat for {timeout:?}"));
                }
                self.abort_jobs_without_executors();
                self.apply_allocation_policy();
            }
            Event::Stop { .. } => {}
        }
    }

    fn submit(&mut self, spec: JobSpec, reply: oneshot::Sender<Result<JobOutput, JobError>>) {
        if let Some(reason) = &self.launcher_failed {
            let _ = reply.send(Err(JobError::Aborted(reason.clone())));
            return;
        }
        let Some(final_stage) = spec.stages.last().map(|s| s.stage_id) else {
            let _ = reply.send(Err(JobError::Aborted(
                "a job needs at least one stage".into(),
            )));
            return;
        };
        let stages = spec
            .stages
            .into_iter()
            .map(|s| {
                let tasks = (0..s.partitions)
                    .map(|_| TaskRun {
                        state: TaskState::Pending,
                        failures: 0,
                        launches: 0,
                        last_failure: None,
                    })
                    .collect();
                (
                    s.stage_id,
                    StageRun {
                        metrics: StageMetrics {
                            stage_id: s.stage_id,
                            ..Default::default()
                        },
                        spec: s,
                        attempt: 0,
                        fetch_failures: 0,
                        submitted: false,
                        tasks,
                    },
                )
            })
            .collect();
        self.jobs.push(JobRun {
            spec_id: spec.job_id,
            session_config: spec.session_config,
            stages,
            final_stage,
            reply: Some(reply),
        });
        // A stage with no tasks (an empty input) is complete at once.
        self.finish_completed_jobs();
    }

    fn job_mut(&mut self, job_id: &str) -> Option<&mut JobRun> {
        self.jobs.iter_mut().find(|j| j.spec_id == job_id)
    }

    /// Gives the slot of a reported attempt back to its executor.
    fn release_slot(&mut self, executor_id: &str, attempt_id: u64) {
        if let Some(e) = self.executors.get_mut(executor_id)
            && e.running.remove(&attempt_id)
        {
            e.free_slots += 1;
            e.idle_since = Instant::now();
        }
    }

    fn on_task_status(&mut self, status: TaskStatus) {
        let Some(key) = status.task else { return };
        self.release_slot(&status.executor_id, key.attempt_id);
        let executor_id = status.executor_id.clone();
        // Ignore reports of attempts we no longer wait for (rescheduled after a loss, cancelled).
        let current = self
            .job_mut(&key.job_id)
            .and_then(|job| job.stages.get(&key.stage_id))
            .and_then(|stage| stage.tasks.get(key.partition as usize))
            .is_some_and(|t| matches!(&t.state, TaskState::Running { attempt_id, .. } if *attempt_id == key.attempt_id));
        if !current {
            return;
        }
        if let Some(m) = &status.metrics
            && let Some(stage) = self
                .job_mut(&key.job_id)
                .and_then(|job| job.stages.get_mut(&key.stage_id))
        {
            stage.metrics.add(m);
        }
        match status.result {
            Some(task_status::Result::Success(output)) => {
                self.emit(SchedulerEvent::TaskEnded {
                    job_id: key.job_id.clone(),
                    stage_id: key.stage_id,
                    partition: key.partition,
                    executor_id,
                    failure: None,
                });
                let mut completed = false;
                if let Some(stage) = self
                    .job_mut(&key.job_id)
                    .and_then(|job| job.stages.get_mut(&key.stage_id))
                {
                    stage.tasks[key.partition as usize].state = TaskState::Done(output);
                    if stage.is_complete() {
                        stage.fetch_failures = 0;
                        completed = true;
                    }
                }
                if completed {
                    self.emit(SchedulerEvent::StageCompleted {
                        job_id: key.job_id.clone(),
                        stage_id: key.stage_id,
                    });
                }
                self.finish_completed_jobs();
            }
            Some(task_status::Result::Failure(failure)) => match failure.reason {
                Some(task_failure::Reason::FetchFailed(f)) => {
                    self.emit(SchedulerEvent::TaskEnded {
                        job_id: key.job_id.clone(),
                        stage_id: key.stage_id,
                        partition: key.partition,
                        executor_id: executor_id.clone(),
                        failure: Some(format!("fetch failed: {}", f.message)),
                    });
                    self.on_fetch_failed(&key, f);
                }
                Some(task_failure::Reason::ExecutionFailed(e)) => {
                    self.on_task_failed(&key, &executor_id, e.message, true);
                }
                Some(task_failure::Reason::Killed(k)) => {
                    self.on_task_failed(&key, &executor_id, format!("killed: {}", k.reason), false);
                }
                None => {
                    self.on_task_failed(&key, &executor_id, "unknown failure".into(), true);
                }
            },
            None => self.on_task_failed(&key, &executor_id, "empty status".into(), true),
        }
    }

    /// A task attempt failed: retry it, or abort its job after `spark.task.maxFailures`.
    fn on_task_failed(&mut self, key: &TaskKey, executor_id: &str, message: String, counts: bool) {
        self.emit(SchedulerEvent::TaskEnded {
            job_id: key.job_id.clone(),
            stage_id: key.stage_id,
            partition: key.partition,
            executor_id: executor_id.to_string(),
            failure: Some(message.clone()),
        });
        let max = self.config.max_task_failures;
        let mut abort = None;
        if let Some(task) = self
            .job_mut(&key.job_id)
            .and_then(|job| job.stages.get_mut(&key.stage_id))
            .and_then(|stage| stage.tasks.get_mut(key.partition as usize))
        {
            if !matches!(&task.state, TaskState::Running { attempt_id, .. } if *attempt_id == key.attempt_id)
            {
                return;
            }
            task.state = TaskState::Pending;
            if counts {
                task.failures += 1;
            }
            tracing::warn!(
                "task {} of stage {} failed on executor {executor_id} (failure {} of {max}): {message}",
                key.partition,
                key.stage_id,
                task.failures
            );
            task.last_failure = Some(message.clone());
            if task.failures >= max {
                abort = Some(format!(
                    "task {} in stage {} failed {} times, most recent failure on executor {executor_id}: {message}",
                    key.partition, key.stage_id, task.failures
                ));
            }
        }
        if let Some(reason) = abort {
            self.abort_job(&key.job_id, reason);
        }
    }

    /// A reader could not get a map output: recompute it, without counting a task failure.
    fn on_fetch_failed(&mut self, key: &TaskKey, f: ember_proto::FetchFailed) {
        let executor_alive = self.executors.contains_key(&f.executor_id);
        let max = self.config.max_stage_attempts;
        let mut abort = None;
        if let Some(job) = self.job_mut(&key.job_id) {
            if let Some(stage) = job.stages.get_mut(&key.stage_id) {
                if let Some(task) = stage.tasks.get_mut(key.partition as usize) {
                    task.state = TaskState::Pending;
                }
                if key.stage_attempt == stage.attempt {
                    stage.attempt += 1;
                    stage.fetch_failures += 1;
                    stage.submitted = false;
                    if stage.fetch_failures >= max {
                        abort = Some(format!(
                            "stage {} failed {} consecutive attempts (spark.stage.maxConsecutiveAttempts); most recent failure: {}",
                            key.stage_id, stage.fetch_failures, f.message
                        ));
                    }
                }
            }
            for (&stage_id, stage) in job.stages.iter_mut() {
                for (partition, task) in stage.tasks.iter_mut().enumerate() {
                    if let TaskState::Done(out) = &task.state {
                        let lost_block =
                            stage_id == f.stage_id && partition as u32 == f.map_partition;
                        let on_dead_executor = !executor_alive && out.executor_id == f.executor_id;
                        if (lost_block && out.executor_id == f.executor_id) || on_dead_executor {
                            task.state = TaskState::Pending;
                            stage.submitted = false;
                        }
                    }
                }
            }
        }
        if let Some(reason) = abort {
            self.abort_job(&key.job_id, reason);
        }
    }

    fn on_executor_lost(&mut self, executor_id: &str, reason: &str) {
        let Some(entry) = self.executors.remove(executor_id) else {
            return;
        };
        tracing::warn!(executor = %executor_id, "executor lost: {reason}");
        self.emit(SchedulerEvent::ExecutorRemoved {
            executor_id: executor_id.to_string(),
            reason: reason.to_string(),
        });
        drop(entry);
        if self.executors.is_empty() {
            self.no_executors_since = Some((Instant::now(), format!("{executor_id}: {reason}")));
        }
        for job in &mut self.jobs {
            // Outputs are still needed while some consumer has not finished, or for the result.
            let mut needed: HashSet<u32> = HashSet::from([job.final_stage]);
            for stage in job.stages.values() {
                if !stage.is_complete() {
                    needed.extend(stage.spec.inputs.iter().copied());
                }
            }
            for (stage_id, stage) in job.stages.iter_mut() {
                for task in &mut stage.tasks {
                    let lost = match &task.state {
                        TaskState::Running { executor_id: e, .. } => e == executor_id,
                        TaskState::Done(out) => {
                            out.executor_id == executor_id && needed.contains(stage_id)
                        }
                        TaskState::Pending => false,
                    };
                    if lost {
                        task.state = TaskState::Pending;
                        stage.submitted = false;
                    }
                }
            }
        }
    }

    /// Runs dynamic allocation: announces a new target and removes idle executors.
    fn apply_allocation_policy(&mut self) {
        let Some(policy) = self.allocation.as_mut() else {
            return;
        };
        let mut pending = 0;
        let mut running = 0;
        // Executors holding map output that an active job still reads, or results not yet read.
        let mut holders: HashSet<String> = self
            .unreleased_outputs
            .values()
            .flatten()
            .cloned()
            .collect();
        for job in &self.jobs {
            let complete: HashSet<u32> = job
                .stages
                .iter()
                .filter(|(_, s)| s.is_complete())
                .map(|(id, _)| *id)
                .collect();
            for stage in job.stages.values() {
                // Only tasks that could run now are a backlog.
                let runnable = stage.spec.inputs.iter().all(|i| complete.contains(i));
                for task in &stage.tasks {
                    match &task.state {
                        TaskState::Pending if runnable => pending += 1,
                        TaskState::Pending => {}
                        TaskState::Running { .. } => running += 1,
                        TaskState::Done(out) => {
                            holders.insert(out.executor_id.clone());
                        }
                    }
                }
            }
        }
        let views: Vec<ExecutorView> = self
            .executors
            .iter()
            .map(|(id, e)| ExecutorView {
                id: id.clone(),
                busy: !e.running.is_empty(),
                idle_since: e.idle_since,
                holds_needed_shuffle: holders.contains(id),
            })
            .collect();
        let decision = policy.tick(Instant::now(), pending, running, &views);
        let target = policy.target();
        let idle_timeout = self
            .config
            .dynamic_allocation
            .as_ref()
            .map(|d| d.idle_timeout)
            .unwrap_or_default();
        // The target first: a launcher that hears of the removals next must not replace them.
        if decision.target.is_some() || !decision.remove.is_empty() {
            self.emit(SchedulerEvent::AllocationTarget {
                executors: target,
                removed: decision.remove.clone(),
            });
        }
        for id in &decision.remove {
            if let Some(entry) = self.executors.remove(id) {
                let reason = format!(
                    "idle for {idle_timeout:?} (spark.dynamicAllocation.executorIdleTimeout)"
                );
                tracing::info!(executor = %id, "executor removed: {reason}");
                self.emit(SchedulerEvent::ExecutorRemoved {
                    executor_id: id.clone(),
                    reason,
                });
                tokio::spawn(async move { entry.link.shutdown().await });
            }
        }
    }

    /// When no executor has been left for longer than the launcher needs to bring new ones,
    /// jobs fail instead of waiting forever.
    fn abort_jobs_without_executors(&mut self) {
        let Some(wait) = self.config.no_executors_timeout else {
            return;
        };
        let Some((since, last)) = &self.no_executors_since else {
            return;
        };
        if since.elapsed() < wait || self.jobs.is_empty() {
            return;
        }
        let reason = format!("no executor is left to run the job (the last one was lost: {last})");
        let ids: Vec<String> = self.jobs.iter().map(|j| j.spec_id.clone()).collect();
        for id in ids {
            self.abort_job(&id, reason.clone());
        }
    }

    fn abort_job(&mut self, job_id: &str, reason: String) {
        let Some(pos) = self.jobs.iter().position(|j| j.spec_id == job_id) else {
            return;
        };
        let mut job = self.jobs.remove(pos);
        // The caller gets the reason as the job's error; this is for the log only.
        tracing::info!("job {job_id} aborted: {reason}");
        self.emit(SchedulerEvent::JobEnded {
            job_id: job_id.to_string(),
            error: Some(reason.clone()),
        });
        if let Some(reply) = job.reply.take() {
            let _ = reply.send(Err(JobError::Aborted(reason)));
        }
        self.free_job_slots(&job);
        self.remove_job_everywhere(job_id);
    }

    /// Running attempts of a removed job no longer hold slots from the scheduler's view; their
    /// statuses will be ignored when they arrive.
    fn free_job_slots(&mut self, job: &JobRun) {
        for stage in job.stages.values() {
            for task in &stage.tasks {
                if let TaskState::Running {
                    executor_id,
                    attempt_id,
                } = &task.state
                {
                    self.release_slot(executor_id, *attempt_id);
                }
            }
        }
    }

    fn remove_job_everywhere(&mut self, job_id: &str) {
        for entry in self.executors.values_mut() {
            entry.plans_sent.retain(|(j, _)| j != job_id);
            let link = Arc::clone(&entry.link);
            let job_id = job_id.to_string();
            tokio::spawn(async move { link.remove_job(&job_id).await });
        }
    }

    fn finish_completed_jobs(&mut self) {
        let mut finished = Vec::new();
        for (i, job) in self.jobs.iter().enumerate() {
            if job.stages.values().all(StageRun::is_complete) {
                finished.push(i);
            }
        }
        for i in finished.into_iter().rev() {
            let mut job = self.jobs.remove(i);
            let Some(final_stage) = job.stages.get(&job.final_stage) else {
                continue;
            };
            let outputs = final_stage.outputs();
            if self.allocation.is_some() {
                self.unreleased_outputs.insert(
                    job.spec_id.clone(),
                    outputs.iter().map(|o| o.executor_id.clone()).collect(),
                );
            }
            let output = JobOutput {
                job_id: job.spec_id.clone(),
                final_stage: job.final_stage,
                outputs,
                metrics: job.stages.values().map(|s| s.metrics.clone()).collect(),
            };
            self.emit(SchedulerEvent::JobEnded {
                job_id: job.spec_id.clone(),
                error: None,
            });
            if let Some(reply) = job.reply.take() {
                let _ = reply.send(Ok(output));
            }
        }
    }

    /// Assigns pending tasks of runnable stages to free slots.
    fn schedule(&mut self) {
        let mut launches = Vec::new();
        for job in &mut self.jobs {
            let complete: HashSet<u32> = job
                .stages
                .iter()
                .filter(|(_, s)| s.is_complete())
                .map(|(id, _)| *id)
                .collect();
            let stage_ids: Vec<u32> = job.stages.keys().copied().collect();
            for stage_id in stage_ids {
                let Some(stage) = job.stages.get(&stage_id) else {
                    continue;
                };
                if stage.is_complete() || !stage.spec.inputs.iter().all(|i| complete.contains(i)) {
                    continue;
                }
                if !stage
                    .tasks
                    .iter()
                    .any(|t| matches!(t.state, TaskState::Pending))
                {
                    continue;
                }
                let inputs: Vec<ShuffleInput> = stage
                    .spec
                    .inputs
                    .iter()
                    .filter_map(|i| job.stages.get(i))
                    .map(|s| ShuffleInput {
                        stage_id: s.spec.stage_id,
                        outputs: s.outputs(),
                    })
                    .collect();
                let Some(stage) = job.stages.get_mut(&stage_id) else {
                    continue;
                };
                if !stage.submitted {
                    stage.submitted = true;
                    let _ = self.listeners.send(SchedulerEvent::StageSubmitted {
                        job_id: job.spec_id.clone(),
                        stage_id,
                        attempt: stage.attempt,
                        tasks: stage.tasks.len(),
                    });
                }
                for (partition, task) in stage.tasks.iter_mut().enumerate() {
                    if !matches!(task.state, TaskState::Pending) {
                        continue;
                    }
                    // The executor with the most free slots takes the task.
                    let Some((executor_id, entry)) = self
                        .executors
                        .iter_mut()
                        .filter(|(_, e)| e.free_slots > 0)
                        .max_by_key(|(_, e)| e.free_slots)
                    else {
                        break;
                    };
                    let attempt_id = self.next_attempt_id;
                    self.next_attempt_id += 1;
                    entry.free_slots -= 1;
                    entry.running.insert(attempt_id);
                    entry.idle_since = Instant::now();
                    let plan_key = (job.spec_id.clone(), stage_id);
                    let first = entry.plans_sent.insert(plan_key);
                    let key = TaskKey {
                        job_id: job.spec_id.clone(),
                        stage_id,
                        stage_attempt: stage.attempt,
                        partition: partition as u32,
                        attempt_id,
                        attempt_number: task.launches,
                    };
                    task.launches += 1;
                    task.state = TaskState::Running {
                        executor_id: executor_id.clone(),
                        attempt_id,
                    };
                    let request = LaunchTaskRequest {
                        task: Some(key),
                        plan: if first {
                            stage.spec.plan.clone()
                        } else {
                            Bytes::new()
                        },
                        inputs: inputs.clone(),
                        session_config: if first {
                            job.session_config.as_ref().clone()
                        } else {
                            HashMap::new()
                        },
                    };
                    launches.push((executor_id.clone(), Arc::clone(&entry.link), request));
                }
            }
        }
        for (executor_id, link, request) in launches {
            if let Some(key) = &request.task {
                self.emit(SchedulerEvent::TaskStarted {
                    job_id: key.job_id.clone(),
                    stage_id: key.stage_id,
                    partition: key.partition,
                    executor_id: executor_id.clone(),
                });
            }
            let events = self.events.clone();
            tokio::spawn(async move {
                let task = request.task.clone().unwrap_or_default();
                let failure = match link.launch_task(request).await {
                    Ok(r) if r.accepted => return,
                    Ok(r) => Some((r.reason, false)),
                    Err(status) => Some((
                        status.message().to_string(),
                        matches!(
                            status.code(),
                            tonic::Code::Unavailable
                                | tonic::Code::Cancelled
                                | tonic::Code::Unknown
                        ),
                    )),
                };
                if let Some((reason, unreachable)) = failure {
                    let _ = events.send(Event::LaunchFailed {
                        executor_id,
                        task,
                        reason,
                        unreachable,
                    });
                }
            });
        }
    }

    fn stop(&mut self) {
        for job in self.jobs.drain(..) {
            if let Some(reply) = job.reply {
                let _ = reply.send(Err(JobError::Stopped));
            }
        }
        for entry in self.executors.values() {
            let link = Arc::clone(&entry.link);
            tokio::spawn(async move { link.shutdown().await });
        }
        self.executors.clear();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use bytes::Bytes;
    use ember_proto::{
        ExecutionFailed, ExecutorMetadata, FetchFailed, LaunchTaskResponse, TaskFailure,
    };

    use super::*;

    /// An executor that accepts every task and remembers it.
    #[derive(Debug, Default)]
    struct Recorder {
        launched: Mutex<Vec<TaskKey>>,
    }

    #[tonic::async_trait]
    impl ExecutorLink for Recorder {
        async fn launch_task(
            &self,
            request: LaunchTaskRequest,
        ) -> Result<LaunchTaskResponse, tonic::Status> {
            if let (Ok(mut launched), Some(task)) = (self.launched.lock(), request.task) {
                launched.push(task);
            }
            Ok(LaunchTaskResponse {
                accepted: true,
                reason: String::new(),
            })
        }
        async fn remove_job(&self, _job_id: &str) {}
        async fn shutdown(&self) {}
    }

    struct Harness {
        state: State,
        executors: Vec<(String, Arc<Recorder>)>,
    }

    impl Harness {
        fn new(max_task_failures: u32, max_stage_attempts: u32) -> Self {
            let (events, _rx) = mpsc::unbounded_channel();
            let (listeners, _) = broadcast::channel(1024);
            let config = SchedulerConfig {
                max_task_failures,
                max_stage_attempts,
                executor_timeout: Duration::from_secs(60),
                tick: Duration::from_secs(1),
                no_executors_timeout: Some(Duration::ZERO),
                dynamic_allocation: None,
            };
            Self {
                state: State::new(config, events, listeners),
                executors: Vec::new(),
            }
        }

        fn add_executor(&mut self, id: &str) {
            let recorder = Arc::new(Recorder::default());
            self.state.handle(Event::ExecutorRegistered {
                metadata: ExecutorMetadata {
                    executor_id: id.into(),
                    host: "h".into(),
                    port: 1,
                    cores: 1,
                    ..Default::default()
                },
                link: Arc::clone(&recorder) as Arc<dyn ExecutorLink>,
            });
            self.executors.push((id.to_string(), recorder));
        }

        /// Submits a job of `(stage id, inputs, tasks)` stages.
        fn submit(
            &mut self,
            stages: &[(u32, &[u32], usize)],
        ) -> oneshot::Receiver<Result<JobOutput, JobError>> {
            let (reply, rx) = oneshot::channel();
            let spec = JobSpec {
                job_id: "job".into(),
                stages: stages
                    .iter()
                    .map(|(id, inputs, tasks)| StageSpec {
                        stage_id: *id,
                        plan: Bytes::from_static(b"plan"),
                        inputs: inputs.to_vec(),
                        partitions: *tasks,
                    })
                    .collect(),
                session_config: Arc::new(HashMap::new()),
            };
            self.state.handle(Event::SubmitJob { spec, reply });
            self.state.schedule();
            rx
        }

        /// Lets spawned launches run, then returns (executor, task) launched since last call.
        async fn launched(&self) -> Vec<(String, TaskKey)> {
            for _ in 0..20 {
                tokio::task::yield_now().await;
            }
            let mut out = Vec::new();
            for (id, recorder) in &self.executors {
                if let Ok(mut launched) = recorder.launched.lock() {
                    out.extend(launched.drain(..).map(|k| (id.clone(), k)));
                }
            }
            out.sort_by_key(|(_, k)| (k.stage_id, k.partition));
            out
        }

        fn report(&mut self, executor: &str, key: &TaskKey, result: task_status::Result) {
            self.state.handle(Event::TaskStatus(TaskStatus {
                task: Some(key.clone()),
                executor_id: executor.into(),
                result: Some(result),
                metrics: None,
            }));
            self.state.schedule();
        }

        fn succeed(&mut self, executor: &str, key: &TaskKey) {
            let output = MapOutput {
                map_partition: key.partition,
                executor_id: executor.into(),
                ..Default::default()
            };
            self.report(executor, key, task_status::Result::Success(output));
        }

        fn fail(&mut self, executor: &str, key: &TaskKey, reason: task_failure::Reason) {
            let failure = TaskFailure {
                reason: Some(reason),
            };
            self.report(executor, key, task_status::Result::Failure(failure));
        }
    }

    fn fetch_failed(stage_id: u32, map_partition: u32, executor_id: &str) -> task_failure::Reason {
        task_failure::Reason::FetchFailed(FetchFailed {
            stage_id,
            map_partition,
            executor_id: executor_id.into(),
            message: "connection refused".into(),
        })
    }

    /// Runs the map stage of a two-stage job on executors a and b; returns the reduce task.
    async fn run_map_stage(h: &mut Harness) -> (String, TaskKey) {
        let launched = h.launched().await;
        assert_eq!(launched.len(), 2, "{launched:?}");
        for (executor, key) in &launched {
            h.succeed(executor, key);
        }
        let mut reduce = h.launched().await;
        assert_eq!(reduce.len(), 1);
        reduce.remove(0)
    }

    #[tokio::test(flavor = "current_thread")]
    async fn fetch_failure_reruns_the_lost_map_task_without_counting_a_failure() {
        let mut h = Harness::new(1, 4);
        h.add_executor("a");
        h.add_executor("b");
        let mut result = h.submit(&[(0, &[], 2), (1, &[0], 1)]);
        let (executor, reduce) = run_map_stage(&mut h).await;
        let map_on_b = 1 - u32::from(executor == "b");
        let lost = {
            let stage = &h.state.jobs[0].stages[&0];
            match &stage.tasks[map_on_b as usize].state {
                TaskState::Done(out) => out.executor_id.clone(),
                other => panic!("map task not done: {other:?}"),
            }
        };
        // The reduce task cannot read map partition `map_on_b`: with spark.task.maxFailures = 1 a
        // counted failure would abort the job; a fetch failure must not.
        h.fail(&executor, &reduce, fetch_failed(0, map_on_b, &lost));
        let rerun = h.launched().await;
        assert_eq!(rerun.len(), 1, "{rerun:?}");
        assert_eq!((rerun[0].1.stage_id, rerun[0].1.partition), (0, map_on_b));
        assert!(result.try_recv().is_err(), "the job must still be running");
        h.succeed(&rerun[0].0.clone(), &rerun[0].1.clone());
        let retry = h.launched().await;
        assert_eq!(retry.len(), 1);
        assert_eq!(retry[0].1.stage_id, 1);
        assert_eq!(
            retry[0].1.stage_attempt, 1,
            "the reduce stage gets a new attempt"
        );
        h.succeed(&retry[0].0.clone(), &retry[0].1.clone());
        let output = result
            .try_recv()
            .expect("job finished")
            .expect("job succeeded");
        assert_eq!(output.final_stage, 1);
        assert_eq!(output.outputs.len(), 1);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn repeated_fetch_failures_abort_after_max_consecutive_attempts() {
        let mut h = Harness::new(4, 2);
        h.add_executor("a");
        h.add_executor("b");
        let mut result = h.submit(&[(0, &[], 2), (1, &[0], 1)]);
        let (mut executor, mut reduce) = run_map_stage(&mut h).await;
        for attempt in 0..2 {
            let holder = match &h.state.jobs[0].stages[&0].tasks[0].state {
                TaskState::Done(out) => out.executor_id.clone(),
                other => panic!("map task not done: {other:?}"),
            };
            h.fail(&executor, &reduce, fetch_failed(0, 0, &holder));
            if attempt == 1 {
                break;
            }
            let rerun = h.launched().await;
            assert_eq!((rerun[0].1.stage_id, rerun[0].1.partition), (0, 0));
            h.succeed(&rerun[0].0.clone(), &rerun[0].1.clone());
            let mut next = h.launched().await;
            (executor, reduce) = next.remove(0);
        }
        let err = result
            .try_recv()
            .expect("job ended")
            .expect_err("job aborted");
        let message = err.to_string();
        assert!(
            message.contains("stage 1 failed 2 consecutive attempts"),
            "{message}"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn task_failures_abort_after_max_failures_naming_stage_and_task() {
        let mut h = Harness::new(2, 4);
        h.add_executor("a");
        let mut result = h.submit(&[(0, &[], 1)]);
        for attempt in 0..2 {
            let launched = h.launched().await;
            assert_eq!(launched.len(), 1, "attempt {attempt}");
            assert_eq!(launched[0].1.attempt_number, attempt);
            let failure = task_failure::Reason::ExecutionFailed(ExecutionFailed {
                message: "division by zero".into(),
            });
            h.fail("a", &launched[0].1, failure);
        }
        let message = result
            .try_recv()
            .expect("job ended")
            .expect_err("job aborted")
            .to_string();
        assert!(
            message.contains("task 0 in stage 0 failed 2 times"),
            "{message}"
        );
        assert!(message.contains("division by zero"), "{message}");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn after_the_launcher_gives_up_new_jobs_fail_with_its_reason() {
        let mut h = Harness::new(4, 4);
        let mut running = h.submit(&[(0, &[], 1)]);
        h.state.handle(Event::AbortAll {
            reason: "4 executor failures".into(),
        });
        let first = running.try_recv().expect("ended").expect_err("aborted");
        assert!(first.to_string().contains("4 executor failures"), "{first}");
        let mut later = h.submit(&[(0, &[], 1)]);
        let second = later.try_recv().expect("ended").expect_err("aborted");
        assert!(
            second.to_string().contains("4 executor failures"),
            "{second}"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn losing_the_last_executor_fails_the_job_with_the_reason() {
        let mut h = Harness::new(4, 4);
        h.add_executor("a");
        let mut result = h.submit(&[(0, &[], 1)]);
        assert_eq!(h.launched().await.len(), 1);
        h.state.handle(Event::ExecutorLost {
            executor_id: "a".into(),
            reason: "executor process exited (signal: 9)".into(),
        });
        let message = result
            .try_recv()
            .expect("job ended")
            .expect_err("job aborted")
            .to_string();
        assert!(message.contains("no executor is left"), "{message}");
        assert!(
            message.contains("a: executor process exited (signal: 9)"),
            "{message}"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_lost_executor_loses_its_running_tasks_and_needed_outputs() {
        let mut h = Harness::new(1, 4);
        h.add_executor("a");
        h.add_executor("b");
        let _result = h.submit(&[(0, &[], 2), (1, &[0], 1)]);
        let (reduce_executor, _reduce) = run_map_stage(&mut h).await;
        // Lose the executor running the reduce task; it also holds one map output.
        h.state.handle(Event::ExecutorLost {
            executor_id: reduce_executor.clone(),
            reason: "exited".into(),
        });
        h.state.schedule();
        let relaunched = h.launched().await;
        assert_eq!(
            relaunched.len(),
            1,
            "only one executor is left with one slot"
        );
        assert_eq!(
            relaunched[0].1.stage_id, 0,
            "the lost map output comes first"
        );
        assert_ne!(relaunched[0].0, reduce_executor);
    }
}
