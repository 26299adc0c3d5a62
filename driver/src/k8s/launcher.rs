//! The Kubernetes launcher: keeps `spark.executor.instances` executor pods alive for the
//! application. Pods are created in batches, watched, replaced when they fail or vanish, and
//! deleted when the application ends.
//!
//! One allocation loop owns the pods' state. It reacts to pod events from a kube-runtime
//! watcher (selected by the application's labels) and to a timer (`…allocation.batch.delay`):
//!
//! - it creates missing pods, at most `…allocation.batch.size` at once and never more than
//!   `…allocation.maxPendingPods` pending;
//! - a pod that fails (image pull errors, a container that cannot be created, an exit, an
//!   eviction, `OOMKilled`) or stays pending past `…allocation.executor.timeout` is deleted,
//!   reported to the scheduler as a lost executor with its reason, and replaced;
//! - after `spark.executor.maxNumFailures` failures the application fails: running jobs are
//!   aborted with the last reasons and no more pods are created.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Secret};
use kube::Api;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::{broadcast, watch};

use crate::config::SparkConf;
use crate::launcher::{LaunchSettings, executor_args, executor_config, tls_args, wait_registered};
use crate::scheduler::{SchedulerEvent, SchedulerHandle};

use super::KubernetesError;
use super::conf::ExecutorPodConf;
use super::pod::{
    AppSecretMount, DriverOwner, ExecutorPodInputs, LABEL_APP_SELECTOR, LABEL_EXECUTOR_ID,
    LABEL_ROLE, executor_pod, mounted_tls_files, pod_executor_config,
};

/// Container states that mean the pod will not run without someone fixing something.
const FATAL_WAITING_REASONS: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "CrashLoopBackOff",
];

/// How the allocation loop sizes and paces its work.
#[derive(Debug, Clone)]
pub struct AllocationSettings {
    pub instances: usize,
    pub batch_size: usize,
    pub batch_delay: Duration,
    pub max_pending: usize,
    pub pending_timeout: Duration,
    pub max_failures: usize,
}

impl AllocationSettings {
    /// Reads `spark.executor.instances` and the `spark.kubernetes.allocation.*` keys.
    ///
    /// # Errors
    /// A configuration error naming the key.
    pub fn from_conf(conf: &SparkConf) -> crate::Result<Self> {
        let instances = conf.get_usize("spark.executor.instances")?.unwrap_or(2);
        Ok(Self {
            instances,
            batch_size: conf
                .get_usize("spark.kubernetes.allocation.batch.size")?
                .unwrap_or(5)
                .max(1),
            batch_delay: conf
                .get_duration("spark.kubernetes.allocation.batch.delay")?
                .unwrap_or(Duration::from_secs(1))
                .max(Duration::from_millis(10)),
            max_pending: conf
                .get_usize("spark.kubernetes.allocation.maxPendingPods")?
                .unwrap_or(usize::MAX)
                .max(1),
            pending_timeout: conf
                .get_duration("spark.kubernetes.allocation.executor.timeout")?
                .unwrap_or(Duration::from_secs(600)),
            max_failures: conf
                .get_usize("spark.executor.maxNumFailures")?
                .unwrap_or((2 * instances).max(3)),
        })
    }
}

/// What the allocation loop reports to whoever waits on it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AllocationStatus {
    Running,
    /// Too many executor failures: the application cannot go on.
    Failed(String),
}

/// Executor pods of one application.
#[derive(Debug)]
pub struct KubernetesLauncher {
    pods: Api<Pod>,
    claims: Api<PersistentVolumeClaim>,
    secrets: Api<Secret>,
    /// The application's Secret (authentication secret, TLS files), deleted at the end
    /// whatever `deleteOnTermination` says (it is no use to anyone afterwards).
    auth_secret: Option<AppSecretMount>,
    selector: String,
    delete_on_termination: bool,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl KubernetesLauncher {
    /// Starts the allocation loop and waits until `spark.executor.instances` executors have
    /// registered with the driver.
    ///
    /// # Errors
    /// [`KubernetesError`] when the configuration is invalid, the API refuses the driver's
    /// requests, or executors keep failing (the reasons are in the message); the pods created so
    /// far are deleted first.
    pub async fn start(
        api_url: &str,
        settings: &LaunchSettings,
        scheduler: &SchedulerHandle,
    ) -> crate::Result<Self> {
        let conf = &settings.conf;
        let pod_conf = ExecutorPodConf::from_conf(conf, &settings.app_id)?;
        let mut allocation = AllocationSettings::from_conf(conf)?;
        if let Some(dynamic) = &settings.dynamic_allocation {
            allocation.instances = dynamic.initial;
        }
        let template = match &pod_conf.template_file {
            Some(path) => Some(super::read_pod_template(path)?),
            None => None,
        };
        let client = super::client::client(api_url, conf).await?;
        let namespace = pod_conf.namespace.clone();
        let pods: Api<Pod> = Api::namespaced(client.clone(), &namespace);
        let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &namespace);
        let owner = driver_owner(&pods, pod_conf.driver_pod_name.as_deref()).await?;
        let selector = format!(
            "{LABEL_APP_SELECTOR}={},{LABEL_ROLE}=executor",
            settings.app_id
        );
        let next_id = first_free_executor_id(&pods, &selector).await?;
        let secrets: Api<Secret> = Api::namespaced(client.clone(), &namespace);
        // The secret goes in the Secret unless the user mounts it; TLS files always do.
        let handed_secret = settings
            .auth
            .as_ref()
            .filter(|a| a.executor_secret_file.is_none())
            .map(|a| &a.secret);
        let auth_secret = if handed_secret.is_some() || settings.tls.is_some() {
            Some(
                create_auth_secret(
                    &secrets,
                    &pod_conf.pod_name_prefix,
                    &settings.app_id,
                    owner.as_ref(),
                    handed_secret,
                    settings.tls.as_deref(),
                )
                .await?,
            )
        } else {
            None
        };
        let secret_file = settings
            .auth
            .as_ref()
            .and_then(|a| a.executor_secret_file.as_ref())
            .map(|p| p.display().to_string());
        let (stop_tx, stop_rx) = watch::channel(false);
        let (status_tx, mut status_rx) = watch::channel(AllocationStatus::Running);
        let mut registered = scheduler.subscribe();
        let base = executor_config("0", settings);
        let allocator = Allocator {
            pods: pods.clone(),
            claims: claims.clone(),
            conf: Arc::new(pod_conf.clone()),
            template,
            owner,
            base,
            auth_secret: auth_secret.clone(),
            secret_file,
            settings: allocation.clone(),
            scheduler: scheduler.clone(),
            executors: BTreeMap::new(),
            next_id,
            failures: Vec::new(),
            status: status_tx,
        };
        let task = tokio::spawn(allocator.run(selector.clone(), stop_rx, scheduler.subscribe()));
        let launcher = Self {
            pods,
            claims,
            secrets,
            auth_secret,
            selector,
            delete_on_termination: pod_conf.delete_on_termination,
            stop: stop_tx,
            task,
        };
        let allocation_failed = async {
            loop {
                if status_rx.changed().await.is_err() {
                    return "executor allocation stopped".to_string();
                }
                if let AllocationStatus::Failed(reason) = status_rx.borrow().clone() {
                    return reason;
                }
            }
        };
        let wait = wait_registered(
            allocation.instances,
            &mut registered,
            allocation_failed,
            // Pods may wait for a node or an image pull: as long as a pending pod is allowed.
            settings
                .registration_timeout
                .max(allocation.pending_timeout),
        )
        .await;
        if let Err(e) = wait {
            launcher.stop().await;
            return Err(KubernetesError::Executors(e).into());
        }
        Ok(launcher)
    }

    /// Stops creating and replacing pods, so executors that exit while the application shuts
    /// down are not taken for failures.
    pub fn halt(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops allocating and deletes the application's executor pods and on-demand claims
    /// (unless `spark.kubernetes.executor.deleteOnTermination=false`).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        if let Some(AppSecretMount { name, .. }) = &self.auth_secret
            && let Err(e) = self.secrets.delete(name, &DeleteParams::default()).await
        {
            tracing::warn!("cannot delete the authentication secret {name}: {e}");
        }
        if self.delete_on_termination {
            let list = ListParams::default().labels(&self.selector);
            if let Err(e) = self
                .pods
                .delete_collection(&DeleteParams::default(), &list)
                .await
            {
                tracing::warn!("cannot delete executor pods ({}): {e}", self.selector);
            }
            let app_claims = ListParams::default().labels(
                self.selector
                    .split(',')
                    .next()
                    .unwrap_or(self.selector.as_str()),
            );
            if let Err(e) = self
                .claims
                .delete_collection(&DeleteParams::default(), &app_claims)
                .await
            {
                tracing::warn!("cannot delete executor volume claims: {e}");
            }
        }
    }
}

/// The first executor id above those of the application's existing executor pods: pods an
/// earlier driver of the same application left (a driver Job's failed attempt) keep their
/// names, so new pods must not reuse them.
async fn first_free_executor_id(pods: &Api<Pod>, selector: &str) -> Result<u64, KubernetesError> {
    let existing = pods
        .list(&ListParams::default().labels(selector))
        .await
        .map_err(|source| KubernetesError::Api {
            action: format!("cannot list executor pods ({selector})"),
            source,
        })?;
    Ok(existing
        .items
        .iter()
        .filter_map(|pod| executor_id(pod)?.parse::<u64>().ok())
        .max()
        .map_or(1, |max| max + 1))
}

/// Creates the Kubernetes Secret holding the application's authentication secret (key
/// `secret`), owned by the driver pod when there is one; returns its name. The name has a
/// random part: a restarted driver of the same application makes its own.
async fn create_auth_secret(
    secrets: &Api<Secret>,
    prefix: &str,
    app_id: &str,
    owner: Option<&DriverOwner>,
    secret: Option<&ember_proto::auth::AppSecret>,
    tls: Option<&ember_proto::tls::RpcTls>,
) -> Result<AppSecretMount, KubernetesError> {
    let name = format!(
        "{prefix}-auth-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let object = super::pod::auth_secret_object(&name, app_id, owner, secret, tls);
    secrets
        .create(&PostParams::default(), &object)
        .await
        .map_err(|source| KubernetesError::Api {
            action: format!("cannot create the authentication secret {name}"),
            source,
        })?;
    Ok(AppSecretMount {
        name,
        auth: secret.is_some(),
    })
}

/// The driver pod (when the driver runs in one), read to own executor pods.
async fn driver_owner(
    pods: &Api<Pod>,
    name: Option<&str>,
) -> Result<Option<DriverOwner>, KubernetesError> {
    let Some(name) = name else {
        return Ok(None);
    };
    let pod = pods
        .get(name)
        .await
        .map_err(|source| KubernetesError::Api {
            action: format!("cannot read the driver pod {name} (spark.kubernetes.driver.pod.name)"),
            source,
        })?;
    let uid = pod
        .metadata
        .uid
        .ok_or_else(|| KubernetesError::Executors(format!("the driver pod {name} has no uid")))?;
    Ok(Some(DriverOwner {
        name: name.to_string(),
        uid,
    }))
}

/// One executor pod as the allocation loop sees it.
#[derive(Debug, Clone)]
struct ExecutorPodState {
    pod_name: String,
    created: Instant,
    running: bool,
}

struct Allocator {
    pods: Api<Pod>,
    claims: Api<PersistentVolumeClaim>,
    conf: Arc<ExecutorPodConf>,
    template: Option<Pod>,
    owner: Option<DriverOwner>,
    base: ember_executor::ExecutorConfig,
    /// The Kubernetes Secret with the application's authentication secret and TLS files,
    /// mounted into every executor pod.
    auth_secret: Option<AppSecretMount>,
    /// Where executors read the secret when the user mounts it (`…secret.executor.file`).
    secret_file: Option<String>,
    settings: AllocationSettings,
    scheduler: SchedulerHandle,
    /// Live executor pods by executor id.
    executors: BTreeMap<String, ExecutorPodState>,
    next_id: u64,
    failures: Vec<String>,
    status: watch::Sender<AllocationStatus>,
}

impl Allocator {
    async fn run(
        mut self,
        selector: String,
        mut stop: watch::Receiver<bool>,
        mut scheduler_events: broadcast::Receiver<SchedulerEvent>,
    ) {
        let config = watcher::Config::default().labels(&selector);
        let events = watcher(self.pods.clone(), config).default_backoff();
        tokio::pin!(events);
        let mut tick = tokio::time::interval(self.settings.batch_delay);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.changed() => return,
                _ = tick.tick() => {
                    self.expire_pending().await;
                    self.allocate().await;
                }
                event = scheduler_events.recv() => match event {
                    Ok(SchedulerEvent::AllocationTarget { executors, removed }) => {
                        self.follow_target(executors, &removed).await;
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                event = events.next() => match event {
                    Some(Ok(watcher::Event::Apply(pod) | watcher::Event::InitApply(pod))) => {
                        self.on_pod(&pod).await;
                    }
                    Some(Ok(watcher::Event::Delete(pod))) => self.on_deleted(&pod),
                    Some(Ok(watcher::Event::Init | watcher::Event::InitDone)) => {}
                    Some(Err(e)) => tracing::warn!("watching executor pods: {e}"),
                    None => return,
                },
            }
            if matches!(*self.status.borrow(), AllocationStatus::Failed(_)) {
                // Nothing more to do; keep the task alive until stopped so pods are not
                // recreated and the launcher can still clean up.
                let _ = stop.changed().await;
                return;
            }
        }
    }

    /// Dynamic allocation: the scheduler wants `target` executors and removed `removed` (idle):
    /// their pods are deleted without counting as failures.
    async fn follow_target(&mut self, target: usize, removed: &[String]) {
        self.settings.instances = target;
        for id in removed {
            if let Some(state) = self.executors.remove(id) {
                tracing::info!(executor = %id, pod = %state.pod_name, "idle executor pod deleted");
                if let Err(e) = self
                    .pods
                    .delete(&state.pod_name, &DeleteParams::default())
                    .await
                {
                    tracing::warn!("cannot delete executor pod {}: {e}", state.pod_name);
                }
            }
        }
    }

    /// Creates missing executor pods, one batch at a time.
    async fn allocate(&mut self) {
        let live = self.executors.len();
        let pending = self.executors.values().filter(|e| !e.running).count();
        let wanted = self
            .settings
            .instances
            .saturating_sub(live)
            .min(self.settings.batch_size)
            .min(self.settings.max_pending.saturating_sub(pending));
        if wanted == 0 {
            return;
        }
        let mut creations = Vec::new();
        for _ in 0..wanted {
            let id = self.next_id.to_string();
            self.next_id += 1;
            creations.push(self.create(id));
        }
        let results = futures::future::join_all(creations).await;
        for result in results {
            match result {
                Ok((id, pod_name)) => {
                    self.executors.insert(
                        id,
                        ExecutorPodState {
                            pod_name,
                            created: Instant::now(),
                            running: false,
                        },
                    );
                }
                Err(e) => self.record_failure(e.to_string()),
            }
        }
    }

    /// Creates executor `id`'s claims and pod; returns the id and pod name.
    fn create(
        &self,
        id: String,
    ) -> impl std::future::Future<Output = Result<(String, String), KubernetesError>> + use<> {
        let conf = Arc::clone(&self.conf);
        let template = self.template.clone();
        let owner = self.owner.clone();
        let base = self.base.clone();
        let pods = self.pods.clone();
        let claims = self.claims.clone();
        let auth_secret = self.auth_secret.clone();
        let secret_file = self.secret_file.clone();
        async move {
            let mut config = pod_executor_config(&conf, base);
            config.executor_id = id.clone();
            // Executors read the TLS files from the application's Secret, not the driver's
            // paths.
            let tls = config.tls.take();
            let mut args = executor_args(&config);
            if let Some(tls) = tls {
                args.extend(tls_args(&mounted_tls_files(tls.files())));
            }
            if let Some(path) = secret_file {
                args.extend(["--auth-secret-file".to_string(), path]);
            }
            let built = executor_pod(
                &conf,
                &ExecutorPodInputs {
                    executor_id: &id,
                    args,
                    owner: owner.as_ref(),
                    template: template.as_ref(),
                    auth_secret: auth_secret.as_ref(),
                },
            )?;
            for claim in &built.claims {
                claims
                    .create(&PostParams::default(), claim)
                    .await
                    .map_err(|source| KubernetesError::Api {
                        action: format!(
                            "cannot create volume claim {}",
                            claim.metadata.name.clone().unwrap_or_default()
                        ),
                        source,
                    })?;
            }
            let name = built.pod.metadata.name.clone().unwrap_or_default();
            pods.create(&PostParams::default(), &built.pod)
                .await
                .map_err(|source| KubernetesError::Api {
                    action: format!("cannot create executor pod {name}"),
                    source,
                })?;
            tracing::info!(executor = %id, pod = %name, "executor pod created");
            Ok((id, name))
        }
    }

    /// Pods still pending after the allocation timeout are given up on and replaced.
    async fn expire_pending(&mut self) {
        let timeout = self.settings.pending_timeout;
        let expired: Vec<(String, String)> = self
            .executors
            .iter()
            .filter(|(_, e)| !e.running && e.created.elapsed() > timeout)
            .map(|(id, e)| (id.clone(), e.pod_name.clone()))
            .collect();
        for (id, pod_name) in expired {
            self.fail_executor(
                &id,
                format!("executor pod {pod_name} was still pending after {timeout:?}"),
            )
            .await;
        }
    }

    async fn on_pod(&mut self, pod: &Pod) {
        let Some(id) = executor_id(pod) else { return };
        let Some(state) = self.executors.get_mut(&id) else {
            return;
        };
        // A pod of an earlier driver of this application (a restarted driver Job) may carry
        // the same executor id; only the pod created here counts.
        if pod.metadata.name.as_deref() != Some(state.pod_name.as_str()) {
            return;
        }
        let name = state.pod_name.clone();
        let status = pod.status.clone().unwrap_or_default();
        let phase = status.phase.clone().unwrap_or_default();
        // The executor container is the pod's first in the spec (sidecars follow); statuses
        // are not in spec order, so it is found by name.
        let executor_container = pod
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let container = status
            .container_statuses
            .as_ref()
            .and_then(|c| c.iter().find(|c| c.name == executor_container));
        let waiting = container
            .and_then(|c| c.state.as_ref())
            .and_then(|s| s.waiting.as_ref());
        let terminated = container
            .and_then(|c| c.state.as_ref())
            .and_then(|s| s.terminated.as_ref());
        if let Some(w) = waiting
            && let Some(reason) = w.reason.as_deref()
            && FATAL_WAITING_REASONS.contains(&reason)
        {
            let message = w.message.clone().unwrap_or_default();
            self.fail_executor(&id, format!("executor pod {name}: {reason}: {message}"))
                .await;
            return;
        }
        // An executor container that ended while a sidecar keeps the pod running is gone too.
        let ended = matches!(phase.as_str(), "Failed" | "Succeeded") || terminated.is_some();
        match phase.as_str() {
            _ if ended => {
                let detail = match terminated {
                    Some(t) => format!(
                        "{} (exit code {})",
                        t.reason.clone().unwrap_or_else(|| "terminated".into()),
                        t.exit_code
                    ),
                    None => status
                        .reason
                        .clone()
                        .or(status.message.clone())
                        .unwrap_or_else(|| phase.clone()),
                };
                self.fail_executor(&id, format!("executor pod {name} ended: {detail}"))
                    .await;
            }
            "Running" => state.running = true,
            _ => {}
        }
    }

    /// A pod deleted by someone else: its executor is lost and will be replaced.
    fn on_deleted(&mut self, pod: &Pod) {
        let Some(id) = executor_id(pod) else { return };
        let ours = self
            .executors
            .get(&id)
            .is_some_and(|state| pod.metadata.name.as_deref() == Some(state.pod_name.as_str()));
        if ours && let Some(state) = self.executors.remove(&id) {
            let reason = format!("executor pod {} was deleted", state.pod_name);
            self.scheduler.executor_lost(&id, reason.clone());
            self.record_failure(reason);
        }
    }

    /// Reports executor `id` lost, deletes its pod and counts the failure.
    async fn fail_executor(&mut self, id: &str, reason: String) {
        let Some(state) = self.executors.remove(id) else {
            return;
        };
        tracing::warn!(executor = %id, "{reason}");
        self.scheduler.executor_lost(id, reason.clone());
        if self.conf.delete_on_termination
            && let Err(e) = self
                .pods
                .delete(&state.pod_name, &DeleteParams::default())
                .await
        {
            tracing::warn!("cannot delete executor pod {}: {e}", state.pod_name);
        }
        self.record_failure(reason);
    }

    fn record_failure(&mut self, reason: String) {
        self.failures.push(reason);
        if self.failures.len() >= self.settings.max_failures {
            let last: Vec<&str> = self
                .failures
                .iter()
                .rev()
                .take(3)
                .map(String::as_str)
                .collect();
            let message = format!(
                "{} executor failures (spark.executor.maxNumFailures = {}); last: {}",
                self.failures.len(),
                self.settings.max_failures,
                last.join("; ")
            );
            self.scheduler.abort_all(message.clone());
            let _ = self.status.send(AllocationStatus::Failed(message));
        }
    }
}

fn executor_id(pod: &Pod) -> Option<String> {
    pod.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(LABEL_EXECUTOR_ID))
        .cloned()
}
