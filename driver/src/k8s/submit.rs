//! Cluster mode: `ember submit --master k8s://... --deploy-mode cluster app.sql`.
//!
//! As `spark-submit` does, the submitter creates the driver pod (`<prefix>-driver`) and, owned
//! by it, a config map holding the application (`app.sql`) and its configuration
//! (`spark-defaults.conf`) and a headless service named after the driver. The driver pod runs
//! `ember submit` in client mode with that configuration; it creates the executor pods itself.
//! The submitter then reports the driver pod's phase until it ends
//! (`spark.kubernetes.submission.waitAppCompletion`), and its exit code is the application's.
//! Deleting the driver pod (`ember submit --kill NS:NAME`) deletes everything else with it
//! through owner references.
//!
//! With [`BACKOFF_LIMIT_KEY`] set, the driver runs as a Job instead (Spark has no equivalent):
//! Kubernetes starts a new driver pod when one fails, up to the backoff limit. The config map
//! and service are then owned by the Job, which is what `--status` and `--kill` name, and each
//! driver pod learns its own (generated) name from the downward API.

use std::collections::BTreeMap;
use std::path::Path;

use futures::StreamExt;
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, Container, EnvVar, LocalObjectReference, Pod, PodSpec,
    PodTemplateSpec, ResourceRequirements, Service, ServicePort, ServiceSpec, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::Api;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};

use crate::config::SparkConf;

use super::KubernetesError;
use super::conf::{ExecutorPodConf, prefixed};
use super::names::{check_label_key, check_label_value, check_name, label_value};
use super::pod::{LABEL_APP_NAME, LABEL_APP_SELECTOR, LABEL_ROLE, field_env, mib_quantity};

/// The driver's gRPC port in cluster mode (Spark's default driver port).
pub const DRIVER_PORT: u16 = 7078;
/// Where the application's config map is mounted in the driver pod.
pub const APP_MOUNT: &str = "/opt/ember/app";
/// The driver container's name (Spark's).
pub const DRIVER_CONTAINER: &str = "spark-kubernetes-driver";

/// Runs the driver as a Job with this backoff limit (retries after a failed driver pod) instead
/// of a bare pod. Ember's own key: Spark never restarts a cluster-mode driver.
pub const BACKOFF_LIMIT_KEY: &str = "spark.kubernetes.driver.backoffLimit";

/// Keys the submitter sets for the driver and does not pass through.
const SUBMITTER_ONLY: &[&str] = &["spark.master", "spark.submit.deployMode"];

/// Whether a key stays with the submitter: its own API credentials (a config map is readable
/// by anyone who may read config maps in the namespace, and the driver uses its own service
/// account) and secrets given inline (the driver generates the application's authentication
/// secret itself; other secrets reach it as files).
fn submitter_only(key: &str) -> bool {
    SUBMITTER_ONLY.contains(&key)
        || key.starts_with("spark.kubernetes.authenticate.submission.")
        || crate::security::is_secret_key(key)
}

/// What runs the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverKind {
    /// One pod, as Spark does: a failed driver fails the application.
    Pod,
    /// A Job that replaces failed driver pods up to its backoff limit.
    Job,
}

impl std::fmt::Display for DriverKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DriverKind::Pod => "driver pod",
            DriverKind::Job => "driver job",
        })
    }
}

/// A submitted application: where its driver pod (or Job) is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub namespace: String,
    /// The driver pod's name, or the Job's.
    pub driver: String,
    pub kind: DriverKind,
    pub app_id: String,
}

impl std::fmt::Display for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.namespace, self.driver)
    }
}

/// The resources of one submission, built before anything is sent.
#[derive(Debug, Clone)]
pub struct DriverResources {
    /// The driver pod; with a Job, the pod its template describes (name left to the Job).
    pub pod: Pod,
    /// The Job running the driver, when [`BACKOFF_LIMIT_KEY`] is set.
    pub job: Option<Job>,
    pub config_map: ConfigMap,
    pub service: Service,
    pub submission: Submission,
}

/// Builds the driver pod, config map and service for `sql` with `conf`.
///
/// # Errors
/// [`KubernetesError`] naming the key for a value Kubernetes would reject.
pub fn driver_resources(
    conf: &SparkConf,
    sql: &str,
    app_id: &str,
) -> Result<DriverResources, KubernetesError> {
    // The executor pod configuration carries the checks shared by both roles (namespace,
    // image, pull policy, name prefix); the driver's own keys are read here.
    let shared = ExecutorPodConf::from_conf(conf, app_id)?;
    let text = |key: &str| conf.get(key).map(str::trim).filter(|v| !v.is_empty());
    let namespace = shared.namespace.clone();
    let prefix = shared.pod_name_prefix.clone();
    let driver_pod = format!("{prefix}-driver");
    check_name("driver pod name", &driver_pod)?;
    let backoff_limit = match text(BACKOFF_LIMIT_KEY) {
        None => None,
        Some(v) => Some(v.parse::<i32>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            KubernetesError::Config {
                key: BACKOFF_LIMIT_KEY.into(),
                value: v.into(),
                reason: "must be a whole number of retries, 0 or more".into(),
            }
        })?),
    };
    let image = text("spark.kubernetes.driver.container.image")
        .unwrap_or(&shared.image)
        .to_string();
    // The API server as seen from the driver pod (Spark's spark.kubernetes.driver.master).
    let driver_master = text("spark.kubernetes.driver.master")
        .and_then(|m| {
            let master = if m.starts_with("k8s://") {
                m.to_string()
            } else {
                format!("k8s://{m}")
            };
            super::client::api_url(&master)
        })
        .unwrap_or_else(|| "https://kubernetes.default.svc".to_string());

    let mut labels = prefixed(conf, "spark.kubernetes.driver.label.");
    for (k, v) in &labels {
        check_label_key(k)?;
        check_label_value(k, v)?;
    }
    labels.insert(LABEL_APP_SELECTOR.into(), app_id.to_string());
    labels.insert(LABEL_ROLE.into(), "driver".into());
    labels.insert(LABEL_APP_NAME.into(), label_value(&shared.app_name));
    let annotations = prefixed(conf, "spark.kubernetes.driver.annotation.");
    for k in annotations.keys() {
        check_label_key(k)?;
    }

    // The driver's configuration: everything the user set, plus where it runs.
    let mut properties: BTreeMap<String, String> = conf
        .iter()
        .filter(|(k, _)| !submitter_only(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    properties.insert("spark.app.id".into(), app_id.into());
    // A Job's driver pods have generated names, passed from the downward API below.
    if backoff_limit.is_none() {
        properties.insert(
            "spark.kubernetes.driver.pod.name".into(),
            driver_pod.clone(),
        );
    } else {
        properties.remove("spark.kubernetes.driver.pod.name");
    }
    properties.insert("spark.kubernetes.namespace".into(), namespace.clone());
    properties.insert(
        "spark.kubernetes.executor.podNamePrefix".into(),
        prefix.clone(),
    );
    properties.insert("spark.driver.port".into(), DRIVER_PORT.to_string());
    if let Some((k, v)) = properties.iter().find(|(_, v)| v.contains(['\n', '\r'])) {
        return Err(KubernetesError::Config {
            key: k.clone(),
            value: v.clone(),
            reason: "a value passed to a cluster-mode driver cannot span lines".into(),
        });
    }
    let defaults: String = properties
        .iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect();

    let memory = conf
        .get_bytes("spark.driver.memory")
        .ok()
        .flatten()
        .unwrap_or(1024 << 20);
    let overhead = conf
        .get("spark.driver.memoryOverhead")
        .and_then(|v| crate::config::parse_bytes(v, 1 << 20).ok().flatten())
        .unwrap_or_else(|| ember_executor::memory::default_overhead_bytes(memory));
    let cores = text("spark.kubernetes.driver.request.cores")
        .map(str::to_string)
        .unwrap_or_else(|| conf.get("spark.driver.cores").unwrap_or("1").to_string());
    let pod_memory = mib_quantity(memory + overhead);

    let mut env = vec![
        field_env("SPARK_DRIVER_POD_IP", "status.podIP"),
        field_env("SPARK_DRIVER_POD_NAME", "metadata.name"),
        EnvVar {
            name: "SPARK_APPLICATION_ID".into(),
            value: Some(app_id.into()),
            ..Default::default()
        },
    ];
    env.extend(
        prefixed(conf, "spark.kubernetes.driverEnv.")
            .into_iter()
            .map(|(name, value)| EnvVar {
                name,
                value: Some(value),
                ..Default::default()
            }),
    );
    let container = Container {
        name: DRIVER_CONTAINER.into(),
        image: Some(image),
        image_pull_policy: Some(shared.pull_policy.clone()),
        args: Some(vec![
            "submit".into(),
            "--master".into(),
            format!("k8s://{driver_master}"),
            "--properties-file".into(),
            format!("{APP_MOUNT}/spark-defaults.conf"),
            // Executors reach the driver at its pod IP, expanded by Kubernetes.
            "--conf".into(),
            "spark.driver.host=$(SPARK_DRIVER_POD_IP)".into(),
            "--conf".into(),
            "spark.driver.bindAddress=$(SPARK_DRIVER_POD_IP)".into(),
            // Executor pods are owned by the pod that created them.
            "--conf".into(),
            "spark.kubernetes.driver.pod.name=$(SPARK_DRIVER_POD_NAME)".into(),
            format!("{APP_MOUNT}/app.sql"),
        ]),
        env: Some(env),
        resources: Some(ResourceRequirements {
            requests: Some(BTreeMap::from([
                ("cpu".to_string(), Quantity(cores)),
                ("memory".to_string(), pod_memory.clone()),
            ])),
            limits: Some(BTreeMap::from([("memory".to_string(), pod_memory)])),
            ..Default::default()
        }),
        volume_mounts: Some(vec![VolumeMount {
            name: "ember-app".into(),
            mount_path: APP_MOUNT.into(),
            read_only: Some(true),
            ..Default::default()
        }]),
        ..Default::default()
    };
    // spark.kubernetes.driver.volumes.*: hostPath, emptyDir and named claims (an OnDemand claim
    // is for executors only).
    let mut volumes = vec![Volume {
        name: "ember-app".into(),
        config_map: Some(ConfigMapVolumeSource {
            name: format!("{prefix}-app"),
            ..Default::default()
        }),
        ..Default::default()
    }];
    let mut container = container;
    for (index, volume) in super::conf::volumes(conf, "driver")?.iter().enumerate() {
        let (v, claim) =
            super::pod::configured_volume(&shared, volume, &driver_pod, "driver", index, None)?;
        if claim.is_some() {
            return Err(KubernetesError::Config {
                key: format!(
                    "spark.kubernetes.driver.volumes.persistentVolumeClaim.{}.options.claimName",
                    volume.name
                ),
                value: "OnDemand".into(),
                reason: "on-demand claims are created for executors only".into(),
            });
        }
        volumes.push(v);
        container
            .volume_mounts
            .get_or_insert_with(Vec::new)
            .push(super::pod::volume_mount(volume));
    }
    let config_map_name = format!("{prefix}-app");
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(driver_pod.clone()),
            namespace: Some(namespace.clone()),
            labels: Some(labels.clone()),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..Default::default()
        },
        spec: Some(PodSpec {
            restart_policy: Some("Never".into()),
            service_account_name: text("spark.kubernetes.authenticate.driver.serviceAccountName")
                .map(str::to_string),
            image_pull_secrets: (!shared.pull_secrets.is_empty()).then(|| {
                shared
                    .pull_secrets
                    .iter()
                    .map(|name| LocalObjectReference { name: name.clone() })
                    .collect()
            }),
            node_selector: {
                let mut s = prefixed(conf, "spark.kubernetes.node.selector.");
                s.extend(prefixed(conf, "spark.kubernetes.driver.node.selector."));
                (!s.is_empty()).then_some(s)
            },
            containers: vec![container],
            volumes: Some(volumes),
            ..Default::default()
        }),
        ..Default::default()
    };
    let config_map = ConfigMap {
        metadata: ObjectMeta {
            name: Some(config_map_name),
            namespace: Some(namespace.clone()),
            labels: Some(BTreeMap::from([(
                LABEL_APP_SELECTOR.to_string(),
                app_id.to_string(),
            )])),
            ..Default::default()
        },
        data: Some(BTreeMap::from([
            ("app.sql".to_string(), sql.to_string()),
            ("spark-defaults.conf".to_string(), defaults),
        ])),
        ..Default::default()
    };
    let service = Service {
        metadata: ObjectMeta {
            name: Some(format!("{driver_pod}-svc")),
            namespace: Some(namespace.clone()),
            labels: Some(BTreeMap::from([(
                LABEL_APP_SELECTOR.to_string(),
                app_id.to_string(),
            )])),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            selector: Some(BTreeMap::from([
                (LABEL_APP_SELECTOR.to_string(), app_id.to_string()),
                (LABEL_ROLE.to_string(), "driver".to_string()),
            ])),
            ports: Some(vec![ServicePort {
                name: Some("driver-rpc".into()),
                port: i32::from(DRIVER_PORT),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let job = backoff_limit.map(|limit| driver_job(&pod, &driver_pod, limit));
    Ok(DriverResources {
        pod,
        submission: Submission {
            namespace,
            driver: driver_pod,
            kind: if job.is_some() {
                DriverKind::Job
            } else {
                DriverKind::Pod
            },
            app_id: app_id.to_string(),
        },
        job,
        config_map,
        service,
    })
}

/// The Job named `name` whose pods are `pod` (without its name: the Job controller names
/// them `<name>-<suffix>`), retried `backoff_limit` times.
fn driver_job(pod: &Pod, name: &str, backoff_limit: i32) -> Job {
    let mut template_meta = pod.metadata.clone();
    template_meta.name = None;
    template_meta.namespace = None;
    Job {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: pod.metadata.namespace.clone(),
            labels: pod.metadata.labels.clone(),
            ..Default::default()
        },
        spec: Some(JobSpec {
            backoff_limit: Some(backoff_limit),
            completions: Some(1),
            parallelism: Some(1),
            template: PodTemplateSpec {
                metadata: Some(template_meta),
                spec: pod.spec.clone(),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn api_error(action: String) -> impl FnOnce(kube::Error) -> KubernetesError {
    move |source| KubernetesError::Api { action, source }
}

/// Creates the driver pod (or Job), then the config map and service owned by it.
///
/// # Errors
/// [`KubernetesError::Api`] when the API server refuses a resource; the driver pod (or Job)
/// is deleted again if its config map or service cannot be created.
pub async fn create(
    client: kube::Client,
    resources: &DriverResources,
) -> Result<(), KubernetesError> {
    let ns = &resources.submission.namespace;
    let name = &resources.submission.driver;
    let owner = match &resources.job {
        None => {
            let created = Api::<Pod>::namespaced(client.clone(), ns)
                .create(&PostParams::default(), &resources.pod)
                .await
                .map_err(api_error(format!("cannot create the driver pod {name}")))?;
            OwnerReference {
                api_version: "v1".into(),
                kind: "Pod".into(),
                name: name.clone(),
                uid: created.metadata.uid.clone().unwrap_or_default(),
                controller: Some(true),
                ..Default::default()
            }
        }
        Some(job) => {
            let created = Api::<Job>::namespaced(client.clone(), ns)
                .create(&PostParams::default(), job)
                .await
                .map_err(api_error(format!("cannot create the driver job {name}")))?;
            OwnerReference {
                api_version: "batch/v1".into(),
                kind: "Job".into(),
                name: name.clone(),
                uid: created.metadata.uid.clone().unwrap_or_default(),
                controller: Some(true),
                ..Default::default()
            }
        }
    };
    let mut config_map = resources.config_map.clone();
    config_map.metadata.owner_references = Some(vec![owner.clone()]);
    let mut service = resources.service.clone();
    service.metadata.owner_references = Some(vec![owner]);
    let rest = async {
        Api::<ConfigMap>::namespaced(client.clone(), ns)
            .create(&PostParams::default(), &config_map)
            .await
            .map_err(api_error(
                "cannot create the application's config map".into(),
            ))?;
        Api::<Service>::namespaced(client.clone(), ns)
            .create(&PostParams::default(), &service)
            .await
            .map_err(api_error("cannot create the driver's service".into()))?;
        Ok::<(), KubernetesError>(())
    };
    if let Err(e) = rest.await {
        let _ = delete_driver(&client, &resources.submission).await;
        return Err(e);
    }
    Ok(())
}

/// Deletes the driver pod or Job; dependents go with it (a Job's pods too: deleting a Job
/// through the API orphans its pods unless told otherwise).
async fn delete_driver(client: &kube::Client, target: &Submission) -> Result<(), kube::Error> {
    match target.kind {
        DriverKind::Pod => Api::<Pod>::namespaced(client.clone(), &target.namespace)
            .delete(&target.driver, &DeleteParams::default())
            .await
            .map(|_| ()),
        DriverKind::Job => Api::<Job>::namespaced(client.clone(), &target.namespace)
            .delete(&target.driver, &DeleteParams::background())
            .await
            .map(|_| ()),
    }
}

/// The phase of a driver and, once it ended, its container's exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverStatus {
    /// The pod's phase; for a Job, `Succeeded` or `Failed` once it ended, else the phase of
    /// its latest pod.
    pub phase: String,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    /// Driver pods a Job started so far (`None` for a bare driver pod).
    pub attempts: Option<usize>,
    /// How many of them failed.
    pub failed_attempts: usize,
}

impl std::fmt::Display for DriverStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "phase {}", self.phase)?;
        if let Some(attempts) = self.attempts {
            write!(f, ", attempt {attempts}")?;
            if self.failed_attempts > 0 {
                write!(f, " ({} failed)", self.failed_attempts)?;
            }
        }
        if let Some(code) = self.exit_code {
            write!(f, ", exit code {code}")?;
        }
        if let Some(reason) = &self.reason {
            write!(f, ", {reason}")?;
        }
        Ok(())
    }
}

fn driver_status(pod: &Pod) -> DriverStatus {
    let status = pod.status.clone().unwrap_or_default();
    let state = status
        .container_statuses
        .as_ref()
        .and_then(|c| c.iter().find(|c| c.name == DRIVER_CONTAINER).or(c.first()))
        .and_then(|c| c.state.clone());
    let terminated = state.as_ref().and_then(|s| s.terminated.clone());
    let waiting = state.as_ref().and_then(|s| s.waiting.clone());
    DriverStatus {
        phase: status.phase.unwrap_or_else(|| "Pending".into()),
        exit_code: terminated.as_ref().map(|t| t.exit_code),
        reason: terminated
            .and_then(|t| t.reason)
            .or(waiting.and_then(|w| w.reason)),
        attempts: None,
        failed_attempts: 0,
    }
}

/// A driver Job's status from the Job and its pods: ended once it has a `Complete` or
/// `Failed` condition; the exit code is that of its latest pod.
fn job_status(job: &Job, pods: &[Pod]) -> DriverStatus {
    // The current attempt: the pod still running, else the newest (timestamps have
    // one-second resolution, so a running pod is the better guide).
    let statuses: Vec<(Option<_>, DriverStatus)> = pods
        .iter()
        .map(|p| {
            (
                p.metadata.creation_timestamp.clone().map(|t| t.0),
                driver_status(p),
            )
        })
        .collect();
    let latest = statuses
        .iter()
        .find(|(_, s)| !ended(s))
        .or_else(|| statuses.iter().max_by_key(|(created, _)| *created))
        .map(|(_, s)| s.clone());
    let ended_condition = job
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.status == "True" && matches!(c.type_.as_str(), "Complete" | "Failed"));
    let mut status = latest.unwrap_or(DriverStatus {
        phase: "Pending".into(),
        exit_code: None,
        reason: None,
        attempts: None,
        failed_attempts: 0,
    });
    match ended_condition {
        Some(condition) => {
            status.phase = if condition.type_ == "Complete" {
                "Succeeded".into()
            } else {
                "Failed".into()
            };
            if condition.reason.is_some() {
                status.reason = condition.reason.clone();
            }
        }
        // A pod ended but the Job goes on: the next attempt is being started.
        None if ended(&status) => {
            status.phase = "Pending".into();
            status.exit_code = None;
            status.reason = Some("starting the next attempt".into());
        }
        None => {}
    }
    status.attempts = Some(pods.len());
    status.failed_attempts = statuses.iter().filter(|(_, s)| s.phase == "Failed").count();
    status
}

fn ended(status: &DriverStatus) -> bool {
    matches!(status.phase.as_str(), "Succeeded" | "Failed")
}

/// Reports the driver's status changes on stderr until it ends; returns the last status.
///
/// # Errors
/// [`KubernetesError`] when the driver cannot be watched or disappears.
pub async fn wait(
    client: kube::Client,
    submission: &Submission,
) -> Result<DriverStatus, KubernetesError> {
    let ns = &submission.namespace;
    let mut statuses = match submission.kind {
        DriverKind::Pod => versions(Api::<Pod>::namespaced(client, ns), submission)
            .map(|pod| pod.map(|pod| driver_status(&pod)))
            .boxed(),
        DriverKind::Job => {
            let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
            let name = submission.driver.clone();
            versions(Api::<Job>::namespaced(client, ns), submission)
                .then(move |job| {
                    let (pods, name) = (pods.clone(), name.clone());
                    async move { Ok(job_status(&job?, &job_pods(&pods, &name).await?)) }
                })
                .boxed()
        }
    };
    let mut last: Option<DriverStatus> = None;
    while let Some(status) = statuses.next().await {
        let status = status?;
        if last.as_ref() != Some(&status) {
            eprintln!(
                "Application status for {} ({} {submission}): {status}",
                submission.app_id, submission.kind
            );
        }
        if ended(&status) {
            return Ok(status);
        }
        last = Some(status);
    }
    Err(KubernetesError::Executors(format!(
        "stopped watching the {} {submission}",
        submission.kind
    )))
}

/// Each version of the driver pod or Job as it changes; an error once it is deleted.
fn versions<K>(
    api: Api<K>,
    submission: &Submission,
) -> impl futures::Stream<Item = Result<K, KubernetesError>> + Send + use<K>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    let config = watcher::Config::default().fields(&format!("metadata.name={}", submission.driver));
    let target = format!("{} {submission}", submission.kind);
    watcher(api, config)
        .default_backoff()
        .filter_map(move |event| {
            let item = match event {
                Ok(watcher::Event::Apply(object) | watcher::Event::InitApply(object)) => {
                    Some(Ok(object))
                }
                Ok(watcher::Event::Delete(_)) => Some(Err(KubernetesError::Executors(format!(
                    "the {target} was deleted"
                )))),
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!("watching the {target}: {e}");
                    None
                }
            };
            futures::future::ready(item)
        })
}

/// The pods of the driver Job `name` (the Job controller labels them `job-name`).
async fn job_pods(pods: &Api<Pod>, name: &str) -> Result<Vec<Pod>, KubernetesError> {
    Ok(pods
        .list(&ListParams::default().labels(&format!("job-name={name}")))
        .await
        .map_err(api_error(format!(
            "cannot list the pods of driver job {name}"
        )))?
        .items)
}

/// Parses `NAMESPACE:NAME` (or `NAME` in `default_namespace`), naming a driver pod or Job.
pub fn parse_target(target: &str, default_namespace: &str) -> Submission {
    let (namespace, name) = target
        .split_once(':')
        .unwrap_or((default_namespace, target));
    Submission {
        namespace: namespace.to_string(),
        driver: name.to_string(),
        kind: DriverKind::Pod,
        app_id: String::new(),
    }
}

fn not_found(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(status) if status.code == 404)
}

/// `ember submit --status NS:NAME`: the status of the driver pod, or else of the driver Job,
/// of that name; returns the target with its kind found.
///
/// # Errors
/// [`KubernetesError::Api`] when neither can be read (for example, neither exists).
pub async fn status(
    client: kube::Client,
    target: &Submission,
) -> Result<(Submission, DriverStatus), KubernetesError> {
    let action = || format!("cannot read the driver pod or job {target}");
    match Api::<Pod>::namespaced(client.clone(), &target.namespace)
        .get(&target.driver)
        .await
    {
        Ok(pod) => Ok((target.clone(), driver_status(&pod))),
        Err(e) if not_found(&e) => {
            let job = Api::<Job>::namespaced(client.clone(), &target.namespace)
                .get(&target.driver)
                .await
                .map_err(api_error(action()))?;
            let pods = Api::<Pod>::namespaced(client, &target.namespace);
            let status = job_status(&job, &job_pods(&pods, &target.driver).await?);
            let target = Submission {
                kind: DriverKind::Job,
                ..target.clone()
            };
            Ok((target, status))
        }
        Err(e) => Err(api_error(action())(e)),
    }
}

/// `ember submit --kill NS:NAME`: deletes the driver pod, or else the driver Job, of that
/// name; its executors, config map and service go with it (owner references). Returns what
/// was deleted.
///
/// # Errors
/// [`KubernetesError::Api`] when neither can be deleted.
pub async fn kill(
    client: kube::Client,
    target: &Submission,
) -> Result<Submission, KubernetesError> {
    let action = || format!("cannot delete the driver pod or job {target}");
    match delete_driver(&client, target).await {
        Ok(()) => Ok(target.clone()),
        Err(e) if not_found(&e) && target.kind == DriverKind::Pod => {
            let job = Submission {
                kind: DriverKind::Job,
                ..target.clone()
            };
            delete_driver(&client, &job)
                .await
                .map_err(api_error(action()))?;
            Ok(job)
        }
        Err(e) => Err(api_error(action())(e)),
    }
}

/// Reads the application file for submission.
///
/// # Errors
/// An I/O error naming the file.
pub fn read_app(path: &Path) -> crate::Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| crate::EmberError::io(format!("cannot read {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(pairs: &[(&str, &str)]) -> SparkConf {
        let mut conf = SparkConf::new();
        for (k, v) in [
            ("spark.app.name", "Nightly ETL"),
            ("spark.master", "k8s://https://10.0.0.1:6443"),
            ("spark.kubernetes.namespace", "team-a"),
            ("spark.kubernetes.container.image", "ember:0.1.0"),
        ]
        .iter()
        .chain(pairs)
        {
            conf.set(k, v).expect("valid");
        }
        conf
    }

    #[test]
    fn the_driver_pod_carries_the_application_and_its_configuration() {
        let r = driver_resources(
            &conf(&[
                ("spark.kubernetes.driver.label.team", "etl"),
                ("spark.kubernetes.driverEnv.TZ", "UTC"),
                (
                    "spark.kubernetes.authenticate.driver.serviceAccountName",
                    "ember-driver",
                ),
                (
                    "spark.kubernetes.driver.volumes.hostPath.data.mount.path",
                    "/data",
                ),
                (
                    "spark.kubernetes.driver.volumes.hostPath.data.options.path",
                    "/mnt/data",
                ),
                ("spark.executor.instances", "3"),
                (
                    "spark.kubernetes.authenticate.submission.oauthToken",
                    "tok-123",
                ),
            ]),
            "SELECT 1;",
            "ember-0123456789abcdef",
        )
        .expect("builds");
        assert_eq!(r.submission.driver, "nightly-etl-89abcdef-driver");
        assert_eq!(r.submission.kind, DriverKind::Pod);
        assert!(r.job.is_none());
        assert_eq!(
            r.submission.to_string(),
            "team-a:nightly-etl-89abcdef-driver"
        );
        let labels = r.pod.metadata.labels.clone().expect("labels");
        assert_eq!(labels["spark-role"], "driver");
        assert_eq!(labels["spark-app-selector"], "ember-0123456789abcdef");
        assert_eq!(labels["team"], "etl");
        let spec = r.pod.spec.clone().expect("spec");
        assert_eq!(spec.service_account_name.as_deref(), Some("ember-driver"));
        assert_eq!(spec.restart_policy.as_deref(), Some("Never"));
        let args = spec.containers[0].args.clone().expect("args");
        assert_eq!(args[0], "submit");
        assert!(args.contains(&"k8s://https://kubernetes.default.svc".to_string()));
        assert_eq!(
            args.last().map(String::as_str),
            Some("/opt/ember/app/app.sql")
        );
        let mounts = spec.containers[0].volume_mounts.clone().expect("mounts");
        assert!(mounts.iter().any(|m| m.mount_path == "/data"));
        let data = r.config_map.data.clone().expect("data");
        assert_eq!(data["app.sql"], "SELECT 1;");
        let defaults = &data["spark-defaults.conf"];
        assert!(defaults.contains("spark.app.id=ember-0123456789abcdef\n"));
        assert!(
            defaults.contains("spark.kubernetes.driver.pod.name=nightly-etl-89abcdef-driver\n")
        );
        assert!(defaults.contains("spark.executor.instances=3\n"));
        assert!(!defaults.contains("spark.master="), "{defaults}");
        assert!(
            !defaults.contains("tok-123"),
            "the submitter's token stays with it"
        );
        let service = r.service.spec.clone().expect("service");
        assert_eq!(service.cluster_ip.as_deref(), Some("None"));
        assert_eq!(service.selector.expect("selector")["spark-role"], "driver");
    }

    #[test]
    fn a_backoff_limit_runs_the_driver_as_a_job() {
        let r = driver_resources(
            &conf(&[(BACKOFF_LIMIT_KEY, "2")]),
            "SELECT 1;",
            "ember-0123456789abcdef",
        )
        .expect("builds");
        assert_eq!(r.submission.kind, DriverKind::Job);
        let job = r.job.clone().expect("a job");
        assert_eq!(
            job.metadata.name.as_deref(),
            Some("nightly-etl-89abcdef-driver")
        );
        let spec = job.spec.clone().expect("spec");
        assert_eq!(spec.backoff_limit, Some(2));
        let template = spec.template.clone();
        let meta = template.metadata.clone().expect("template metadata");
        assert_eq!(meta.name, None, "the Job controller names its pods");
        assert_eq!(meta.labels.expect("labels")["spark-role"], "driver");
        let pod_spec = template.spec.expect("pod spec");
        assert_eq!(pod_spec.restart_policy.as_deref(), Some("Never"));
        let args = pod_spec.containers[0].args.clone().expect("args");
        assert!(
            args.contains(&"spark.kubernetes.driver.pod.name=$(SPARK_DRIVER_POD_NAME)".to_string())
        );
        let defaults = &r.config_map.data.clone().expect("data")["spark-defaults.conf"];
        assert!(
            !defaults.contains("spark.kubernetes.driver.pod.name="),
            "{defaults}"
        );

        for bad in ["-1", "many"] {
            let err = SparkConf::new()
                .set(BACKOFF_LIMIT_KEY, bad)
                .expect_err("refused")
                .to_string();
            assert!(err.contains(BACKOFF_LIMIT_KEY), "{err}");
        }
    }

    fn pod_in(phase: &str, exit_code: Option<i32>) -> Pod {
        let state = match exit_code {
            Some(code) => serde_json::json!({"terminated": {"exitCode": code, "reason": "Error"}}),
            None => serde_json::json!({"running": {}}),
        };
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("d-{phase}"), "creationTimestamp": "2026-11-26T00:00:00Z"},
            "status": {"phase": phase, "containerStatuses": [{
                "name": DRIVER_CONTAINER, "image": "i", "imageID": "", "ready": false,
                "restartCount": 0, "state": state,
            }]},
        }))
        .expect("pod")
    }

    fn job_with(condition: Option<(&str, &str)>) -> Job {
        let conditions: Vec<serde_json::Value> = condition
            .into_iter()
            .map(|(t, reason)| serde_json::json!({"type": t, "status": "True", "reason": reason}))
            .collect();
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "d"}, "status": {"conditions": conditions},
        }))
        .expect("job")
    }

    #[test]
    fn a_driver_job_ends_only_with_its_condition() {
        // The first driver failed; the Job has not started the next one yet.
        let s = job_status(&job_with(None), &[pod_in("Failed", Some(1))]);
        assert_eq!(
            (s.phase.as_str(), s.attempts, s.failed_attempts, s.exit_code),
            ("Pending", Some(1), 1, None)
        );
        assert!(!ended(&s));
        // The second runs.
        let s = job_status(
            &job_with(None),
            &[pod_in("Failed", Some(1)), pod_in("Running", None)],
        );
        assert_eq!((s.phase.as_str(), s.attempts), ("Running", Some(2)));
        assert_eq!(s.to_string(), "phase Running, attempt 2 (1 failed)");
        // Every attempt failed.
        let s = job_status(
            &job_with(Some(("Failed", "BackoffLimitExceeded"))),
            &[pod_in("Failed", Some(1)), pod_in("Failed", Some(1))],
        );
        assert_eq!(
            (s.phase.as_str(), s.reason.as_deref(), s.failed_attempts),
            ("Failed", Some("BackoffLimitExceeded"), 2)
        );
        let s = job_status(
            &job_with(Some(("Complete", ""))),
            &[pod_in("Succeeded", Some(0))],
        );
        assert_eq!((s.phase.as_str(), s.exit_code), ("Succeeded", Some(0)));
    }

    #[test]
    fn targets_name_a_namespace_and_a_pod() {
        let t = parse_target("team-a:etl-driver", "default");
        assert_eq!(
            (t.namespace.as_str(), t.driver.as_str()),
            ("team-a", "etl-driver")
        );
        let t = parse_target("etl-driver", "default");
        assert_eq!(t.namespace, "default");
    }

    #[test]
    fn an_on_demand_claim_is_refused_for_the_driver() {
        let p = "spark.kubernetes.driver.volumes.persistentVolumeClaim.w";
        let err = driver_resources(
            &conf(&[
                (&format!("{p}.mount.path"), "/w"),
                (&format!("{p}.options.claimName"), "OnDemand"),
                (&format!("{p}.options.sizeLimit"), "1Gi"),
            ]),
            "",
            "ember-1",
        )
        .expect_err("refused")
        .to_string();
        assert!(err.contains("executors only"), "{err}");
    }
}
