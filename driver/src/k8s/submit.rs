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

use std::collections::BTreeMap;
use std::path::Path;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, Container, EnvVar, LocalObjectReference, Pod, PodSpec,
    ResourceRequirements, Service, ServicePort, ServiceSpec, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::Api;
use kube::api::{DeleteParams, PostParams};
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

/// Keys the submitter sets for the driver and does not pass through.
const SUBMITTER_ONLY: &[&str] = &["spark.master", "spark.submit.deployMode"];

/// Whether a key stays with the submitter: its own API credentials (a config map is readable
/// by anyone who may read config maps in the namespace, and the driver uses its own service
/// account) and secrets given inline.
fn submitter_only(key: &str) -> bool {
    SUBMITTER_ONLY.contains(&key)
        || key.starts_with("spark.kubernetes.authenticate.submission.")
        || key.ends_with(".oauthToken")
        || key == "spark.authenticate.secret"
}

/// A submitted application: where its driver pod is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub namespace: String,
    pub driver_pod: String,
    pub app_id: String,
}

impl std::fmt::Display for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.namespace, self.driver_pod)
    }
}

/// The resources of one submission, built before anything is sent.
#[derive(Debug, Clone)]
pub struct DriverResources {
    pub pod: Pod,
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
    properties.insert(
        "spark.kubernetes.driver.pod.name".into(),
        driver_pod.clone(),
    );
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
    Ok(DriverResources {
        pod,
        config_map,
        service,
        submission: Submission {
            namespace,
            driver_pod,
            app_id: app_id.to_string(),
        },
    })
}

fn api_error(action: String) -> impl FnOnce(kube::Error) -> KubernetesError {
    move |source| KubernetesError::Api { action, source }
}

/// Creates the driver pod, then its config map and service owned by it.
///
/// # Errors
/// [`KubernetesError::Api`] when the API server refuses a resource; the driver pod is deleted
/// again if its config map or service cannot be created.
pub async fn create(
    client: kube::Client,
    resources: &DriverResources,
) -> Result<(), KubernetesError> {
    let ns = &resources.submission.namespace;
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let created = pods
        .create(&PostParams::default(), &resources.pod)
        .await
        .map_err(api_error(format!(
            "cannot create the driver pod {}",
            resources.submission.driver_pod
        )))?;
    let owner = OwnerReference {
        api_version: "v1".into(),
        kind: "Pod".into(),
        name: resources.submission.driver_pod.clone(),
        uid: created.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        ..Default::default()
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
        let _ = pods
            .delete(&resources.submission.driver_pod, &DeleteParams::default())
            .await;
        return Err(e);
    }
    Ok(())
}

/// The phase of a driver pod and, once it ended, its container's exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverStatus {
    pub phase: String,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
}

fn driver_status(pod: &Pod) -> DriverStatus {
    let status = pod.status.clone().unwrap_or_default();
    let state = status
        .container_statuses
        .as_ref()
        .and_then(|c| c.first())
        .and_then(|c| c.state.clone());
    let terminated = state.as_ref().and_then(|s| s.terminated.clone());
    let waiting = state.as_ref().and_then(|s| s.waiting.clone());
    DriverStatus {
        phase: status.phase.unwrap_or_else(|| "Pending".into()),
        exit_code: terminated.as_ref().map(|t| t.exit_code),
        reason: terminated
            .and_then(|t| t.reason)
            .or(waiting.and_then(|w| w.reason)),
    }
}

/// Reports the driver pod's status changes on stderr until it ends; returns the last status.
///
/// # Errors
/// [`KubernetesError`] when the pod cannot be watched or disappears.
pub async fn wait(
    client: kube::Client,
    submission: &Submission,
) -> Result<DriverStatus, KubernetesError> {
    let pods: Api<Pod> = Api::namespaced(client, &submission.namespace);
    let config =
        watcher::Config::default().fields(&format!("metadata.name={}", submission.driver_pod));
    let mut events = watcher(pods, config).default_backoff().boxed();
    let mut last: Option<DriverStatus> = None;
    while let Some(event) = events.next().await {
        let pod = match event {
            Ok(watcher::Event::Apply(pod) | watcher::Event::InitApply(pod)) => pod,
            Ok(watcher::Event::Delete(_)) => {
                return Err(KubernetesError::Executors(format!(
                    "the driver pod {submission} was deleted"
                )));
            }
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!("watching the driver pod: {e}");
                continue;
            }
        };
        let status = driver_status(&pod);
        if last.as_ref() != Some(&status) {
            eprintln!(
                "Application status for {} (driver pod {submission}): phase {}{}",
                submission.app_id,
                status.phase,
                status
                    .reason
                    .as_ref()
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default()
            );
        }
        if matches!(status.phase.as_str(), "Succeeded" | "Failed") {
            return Ok(status);
        }
        last = Some(status);
    }
    Err(KubernetesError::Executors(format!(
        "stopped watching the driver pod {submission}"
    )))
}

/// Parses `NAMESPACE:DRIVER_POD` (or `DRIVER_POD` in `default_namespace`).
pub fn parse_target(target: &str, default_namespace: &str) -> Submission {
    let (namespace, pod) = target
        .split_once(':')
        .unwrap_or((default_namespace, target));
    Submission {
        namespace: namespace.to_string(),
        driver_pod: pod.to_string(),
        app_id: String::new(),
    }
}

/// `ember submit --status NS:NAME`: the driver pod's status.
///
/// # Errors
/// [`KubernetesError::Api`] when the pod cannot be read (for example, it does not exist).
pub async fn status(
    client: kube::Client,
    target: &Submission,
) -> Result<DriverStatus, KubernetesError> {
    let pod = Api::<Pod>::namespaced(client, &target.namespace)
        .get(&target.driver_pod)
        .await
        .map_err(api_error(format!("cannot read the driver pod {target}")))?;
    Ok(driver_status(&pod))
}

/// `ember submit --kill NS:NAME`: deletes the driver pod; its executors, config map and
/// service go with it (owner references).
///
/// # Errors
/// [`KubernetesError::Api`] when the pod cannot be deleted.
pub async fn kill(client: kube::Client, target: &Submission) -> Result<(), KubernetesError> {
    Api::<Pod>::namespaced(client, &target.namespace)
        .delete(&target.driver_pod, &DeleteParams::default())
        .await
        .map_err(api_error(format!("cannot delete the driver pod {target}")))?;
    Ok(())
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
        assert_eq!(r.submission.driver_pod, "nightly-etl-89abcdef-driver");
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
    fn targets_name_a_namespace_and_a_pod() {
        let t = parse_target("team-a:etl-driver", "default");
        assert_eq!(
            (t.namespace.as_str(), t.driver_pod.as_str()),
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
