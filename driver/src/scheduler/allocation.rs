//! Dynamic allocation (`spark.dynamicAllocation.*`): how many executors the application wants,
//! decided from the scheduler's backlog, and which idle executors it gives back.
//!
//! The policy is Spark's, simplified: while tasks have waited for a slot longer than
//! `schedulerBacklogTimeout`, the target grows to what the backlog needs (pending plus running
//! tasks over `spark.executor.cores`), within `[minExecutors, maxExecutors]`; an executor with
//! no task for `executorIdleTimeout` is removed unless the target would drop below
//! `minExecutors` or it holds shuffle output a running job still needs (shuffle tracking: Ember
//! has no external shuffle service, so such output lives only on its executor).
//!
//! The scheduler runs the policy on every tick and announces each change as
//! [`SchedulerEvent::AllocationTarget`](super::SchedulerEvent::AllocationTarget); launchers
//! that can add and remove executors (`local-cluster`, Kubernetes) follow it.

use std::time::{Duration, Instant};

use crate::config::SparkConf;

/// The `spark.dynamicAllocation.*` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicAllocation {
    pub min: usize,
    pub max: usize,
    pub initial: usize,
    pub backlog_timeout: Duration,
    pub idle_timeout: Duration,
    pub cores_per_executor: usize,
}

impl DynamicAllocation {
    /// The settings when `spark.dynamicAllocation.enabled` is true, else `None`. `default_max`
    /// bounds the executors when `maxExecutors` is not set (a `local-cluster`'s E).
    ///
    /// # Errors
    /// A configuration error naming the key (including `minExecutors > maxExecutors`).
    pub fn from_conf(conf: &SparkConf, default_max: usize) -> crate::Result<Option<Self>> {
        if !conf
            .get_bool("spark.dynamicAllocation.enabled")?
            .unwrap_or(false)
        {
            return Ok(None);
        }
        let min = conf
            .get_usize("spark.dynamicAllocation.minExecutors")?
            .unwrap_or(0);
        let max = conf
            .get_usize("spark.dynamicAllocation.maxExecutors")?
            .unwrap_or(default_max);
        if min > max {
            return Err(crate::EmberError::config(
                "spark.dynamicAllocation.minExecutors",
                &min.to_string(),
                format!("must not exceed spark.dynamicAllocation.maxExecutors ({max})"),
            ));
        }
        // Spark starts with the largest of minExecutors, initialExecutors and instances.
        let initial = [
            Some(min),
            conf.get_usize("spark.dynamicAllocation.initialExecutors")?,
            conf.get("spark.executor.instances")
                .map(|_| conf.get_usize("spark.executor.instances"))
                .transpose()?
                .flatten(),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(min)
        .min(max);
        Ok(Some(Self {
            min,
            max,
            initial,
            backlog_timeout: conf
                .get_duration("spark.dynamicAllocation.schedulerBacklogTimeout")?
                .unwrap_or(Duration::from_secs(1)),
            idle_timeout: conf
                .get_duration("spark.dynamicAllocation.executorIdleTimeout")?
                .unwrap_or(Duration::from_secs(60)),
            cores_per_executor: conf.get_usize("spark.executor.cores")?.unwrap_or(1).max(1),
        }))
    }
}

/// One live executor as the policy sees it.
#[derive(Debug, Clone)]
pub(crate) struct ExecutorView {
    pub id: String,
    pub busy: bool,
    pub idle_since: Instant,
    pub holds_needed_shuffle: bool,
}

/// A change of plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Decision {
    /// The new target, when it changed.
    pub target: Option<usize>,
    /// Idle executors to remove now.
    pub remove: Vec<String>,
}

/// The policy's state: the current target and since when tasks have been waiting.
#[derive(Debug)]
pub(crate) struct AllocationPolicy {
    config: DynamicAllocation,
    target: usize,
    backlog_since: Option<Instant>,
}

impl AllocationPolicy {
    pub fn new(config: DynamicAllocation) -> Self {
        let target = config.initial;
        Self {
            config,
            target,
            backlog_since: None,
        }
    }

    /// Decides from `pending` tasks waiting for a slot, `running` tasks and the executors.
    pub fn tick(
        &mut self,
        now: Instant,
        pending: usize,
        running: usize,
        executors: &[ExecutorView],
    ) -> Decision {
        let mut decision = Decision::default();
        if pending > 0 {
            let since = *self.backlog_since.get_or_insert(now);
            if now.duration_since(since) >= self.config.backlog_timeout {
                let needed = (pending + running).div_ceil(self.config.cores_per_executor);
                let wanted = needed.clamp(self.config.min, self.config.max);
                if wanted > self.target {
                    self.target = wanted;
                    decision.target = Some(wanted);
                }
                // A sustained backlog is looked at again after the same timeout.
                self.backlog_since = Some(now);
            }
            return decision;
        }
        self.backlog_since = None;
        let mut remaining = executors.len();
        let mut idle: Vec<&ExecutorView> = executors
            .iter()
            .filter(|e| {
                !e.busy
                    && !e.holds_needed_shuffle
                    && now.duration_since(e.idle_since) >= self.config.idle_timeout
            })
            .collect();
        idle.sort_by(|a, b| a.id.cmp(&b.id));
        for e in idle {
            if remaining <= self.config.min {
                break;
            }
            decision.remove.push(e.id.clone());
            remaining -= 1;
        }
        if !decision.remove.is_empty() {
            let target = remaining.max(self.config.min);
            if target != self.target {
                self.target = target;
                decision.target = Some(target);
            }
        }
        decision
    }

    /// The current target.
    pub fn target(&self) -> usize {
        self.target
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> DynamicAllocation {
        DynamicAllocation {
            min: 1,
            max: 4,
            initial: 1,
            backlog_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(60),
            cores_per_executor: 2,
        }
    }

    fn executor(id: &str, busy: bool, idle_for: Duration, now: Instant) -> ExecutorView {
        ExecutorView {
            id: id.into(),
            busy,
            idle_since: now - idle_for,
            holds_needed_shuffle: false,
        }
    }

    #[test]
    fn a_backlog_older_than_the_timeout_raises_the_target_within_max() {
        let mut p = AllocationPolicy::new(config());
        let t0 = Instant::now();
        let one = [executor("1", true, Duration::ZERO, t0)];
        assert_eq!(p.tick(t0, 7, 2, &one), Decision::default(), "not yet");
        let d = p.tick(t0 + Duration::from_millis(1500), 7, 2, &one);
        // (7 + 2) tasks over 2 cores = 5 executors, capped at 4.
        assert_eq!(d.target, Some(4));
        assert_eq!(p.target(), 4);
    }

    #[test]
    fn idle_executors_go_but_not_below_min_nor_with_needed_shuffle_output() {
        let mut p = AllocationPolicy::new(DynamicAllocation {
            initial: 3,
            ..config()
        });
        let now = Instant::now();
        let long = Duration::from_secs(120);
        let mut holder = executor("1", false, long, now);
        holder.holds_needed_shuffle = true;
        let executors = [
            holder,
            executor("2", false, long, now),
            executor("3", false, long, now),
        ];
        let d = p.tick(now, 0, 0, &executors);
        // Executor 1 keeps shuffle output and stays; it also satisfies min = 1, so 2 and 3 go.
        assert_eq!(d.remove, vec!["2".to_string(), "3".to_string()]);
        assert_eq!(d.target, Some(1));
        // With min = 3 nothing may go.
        let mut strict = AllocationPolicy::new(DynamicAllocation {
            min: 3,
            initial: 3,
            ..config()
        });
        assert!(strict.tick(now, 0, 0, &executors).remove.is_empty());
        let busy = [executor("4", true, long, now)];
        assert_eq!(p.tick(now, 0, 1, &busy).remove, Vec::<String>::new());
    }

    #[test]
    fn settings_follow_spark_keys() {
        let mut conf = SparkConf::new();
        assert_eq!(DynamicAllocation::from_conf(&conf, 8).ok().flatten(), None);
        conf.set("spark.dynamicAllocation.enabled", "true")
            .expect("valid");
        conf.set("spark.dynamicAllocation.minExecutors", "1")
            .expect("valid");
        conf.set("spark.executor.instances", "3").expect("valid");
        let da = DynamicAllocation::from_conf(&conf, 8)
            .expect("valid")
            .expect("enabled");
        assert_eq!((da.min, da.max, da.initial), (1, 8, 3));
        conf.set("spark.dynamicAllocation.maxExecutors", "0")
            .expect("valid");
        assert!(DynamicAllocation::from_conf(&conf, 8).is_err());
    }
}
