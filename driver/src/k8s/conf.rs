//! The `spark.kubernetes.*` (and related `spark.executor*`) keys that shape executor pods, read
//! once from a [`SparkConf`] into typed values, so that a bad key fails before any pod exists.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::{SparkConf, parse_bytes};
use ember_executor::memory::default_overhead_bytes;

use super::KubernetesError;
use super::names::{MAX_POD_NAME_PREFIX, check_label_key, check_label_value, check_name, sanitize};

const MIB: u64 = 1024 * 1024;

/// Where Spark puts local dirs in a pod when `spark.local.dir` is not set.
pub const DEFAULT_LOCAL_DIR: &str = "/var/data/spark-local-dir-1";

/// One `spark.kubernetes.executor.volumes.TYPE.NAME.*` family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeConf {
    pub name: String,
    pub source: VolumeSource,
    pub mount_path: String,
    pub read_only: bool,
    pub sub_path: Option<String>,
}

/// The kind of a configured volume and its `options.*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeSource {
    /// `hostPath`: `options.path`, `options.type`.
    HostPath { path: String, kind: Option<String> },
    /// `emptyDir`: `options.medium`, `options.sizeLimit`.
    EmptyDir {
        medium: Option<String>,
        size_limit: Option<String>,
    },
    /// `persistentVolumeClaim`: `options.claimName` (`OnDemand`: one claim per executor, created
    /// with `options.storageClass` and `options.sizeLimit` and owned by the driver pod);
    /// `SPARK_EXECUTOR_ID` in a claim name is replaced by the executor id.
    PersistentVolumeClaim {
        claim_name: String,
        storage_class: Option<String>,
        size_limit: Option<String>,
    },
}

/// Everything the executor pod builder needs from the configuration.
#[derive(Debug, Clone)]
pub struct ExecutorPodConf {
    pub app_id: String,
    pub app_name: String,
    pub namespace: String,
    pub image: String,
    pub pull_policy: String,
    pub pull_secrets: Vec<String>,
    /// Pods are named `<prefix>-exec-<id>`.
    pub pod_name_prefix: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub service_account: Option<String>,
    pub node_selector: BTreeMap<String, String>,
    /// `spark.executorEnv.*`.
    pub env: BTreeMap<String, String>,
    /// `spark.kubernetes.executor.secrets.NAME=PATH`.
    pub secrets: BTreeMap<String, String>,
    /// `spark.kubernetes.executor.secretKeyRef.ENV=NAME:KEY`: ENV -> (NAME, KEY).
    pub secret_env: BTreeMap<String, (String, String)>,
    pub volumes: Vec<VolumeConf>,
    pub template_file: Option<PathBuf>,
    pub template_container: Option<String>,
    pub cores: usize,
    pub request_cores: Option<String>,
    pub limit_cores: Option<String>,
    pub memory_bytes: u64,
    pub overhead_bytes: u64,
    pub memory_fraction: f64,
    /// Local dirs inside the pod, each an `emptyDir`.
    pub local_dirs: Vec<PathBuf>,
    pub local_dirs_tmpfs: bool,
    /// `spark.kubernetes.driver.pod.name`: executors are owned by it (garbage collection).
    pub driver_pod_name: Option<String>,
    pub delete_on_termination: bool,
}

impl ExecutorPodConf {
    /// Reads and checks the keys. `app_id` labels every pod (`spark-app-selector`).
    ///
    /// # Errors
    /// [`KubernetesError::Config`] naming the key for a value Kubernetes would reject or Ember
    /// cannot use.
    pub fn from_conf(conf: &SparkConf, app_id: &str) -> Result<Self, KubernetesError> {
        let bad = |key: &str, value: &str, reason: &str| KubernetesError::Config {
            key: key.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
        };
        let text = |key: &str| conf.get(key).map(str::trim).filter(|v| !v.is_empty());
        let app_name = conf
            .get_or_default("spark.app.name")
            .unwrap_or("ember")
            .to_string();
        let namespace = text("spark.kubernetes.namespace")
            .unwrap_or("default")
            .to_string();
        check_name("namespace", &namespace)?;
        let image = text("spark.kubernetes.executor.container.image")
            .or_else(|| text("spark.kubernetes.container.image"))
            .ok_or_else(|| {
                bad(
                    "spark.kubernetes.container.image",
                    "",
                    "an image is required to run executors on Kubernetes (or set spark.kubernetes.executor.container.image)",
                )
            })?
            .to_string();
        let pull_policy = text("spark.kubernetes.container.image.pullPolicy")
            .unwrap_or("IfNotPresent")
            .to_string();
        if !matches!(pull_policy.as_str(), "Always" | "IfNotPresent" | "Never") {
            return Err(bad(
                "spark.kubernetes.container.image.pullPolicy",
                &pull_policy,
                "expected Always, IfNotPresent or Never",
            ));
        }
        let pull_secrets = text("spark.kubernetes.container.image.pullSecrets")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for s in &pull_secrets {
            check_name("image pull secret", s)?;
        }
        let pod_name_prefix = match text("spark.kubernetes.executor.podNamePrefix") {
            Some(prefix) => {
                if prefix.len() > MAX_POD_NAME_PREFIX || !super::names::is_dns_label(prefix) {
                    return Err(bad(
                        "spark.kubernetes.executor.podNamePrefix",
                        prefix,
                        "must be a DNS label (lowercase letters, digits and '-') of at most 47 characters",
                    ));
                }
                prefix.to_string()
            }
            None => {
                // `<app>-<8 hex of the app id>`, as Spark's resource name prefix.
                let alphanumeric: Vec<char> = app_id
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                let suffix: String = alphanumeric[alphanumeric.len().saturating_sub(8)..]
                    .iter()
                    .collect();
                let app = sanitize(&app_name, MAX_POD_NAME_PREFIX - suffix.len() - 1);
                format!("{app}-{suffix}")
            }
        };
        let labels = prefixed(conf, "spark.kubernetes.executor.label.");
        for (k, v) in &labels {
            check_label_key(k)?;
            check_label_value(k, v)?;
            if super::pod::RESERVED_LABELS.contains(&k.as_str()) {
                return Err(bad(
                    &format!("spark.kubernetes.executor.label.{k}"),
                    v,
                    "this label is set by Ember and cannot be overridden",
                ));
            }
        }
        let annotations = prefixed(conf, "spark.kubernetes.executor.annotation.");
        for k in annotations.keys() {
            check_label_key(k)?;
        }
        let service_account = text("spark.kubernetes.authenticate.executor.serviceAccountName")
            .or_else(|| text("spark.kubernetes.authenticate.driver.serviceAccountName"))
            .map(str::to_string);
        if let Some(sa) = &service_account {
            check_name("service account", sa)?;
        }
        let mut node_selector = prefixed(conf, "spark.kubernetes.node.selector.");
        node_selector.extend(prefixed(conf, "spark.kubernetes.executor.node.selector."));
        let env = prefixed(conf, "spark.executorEnv.");
        for name in env.keys() {
            check_env_name(name)?;
        }
        let secrets = prefixed(conf, "spark.kubernetes.executor.secrets.");
        for (name, path) in &secrets {
            check_name("secret name", name)?;
            if !path.starts_with('/') {
                return Err(bad(
                    &format!("spark.kubernetes.executor.secrets.{name}"),
                    path,
                    "expected an absolute mount path",
                ));
            }
        }
        let mut secret_env = BTreeMap::new();
        for (env_name, reference) in prefixed(conf, "spark.kubernetes.executor.secretKeyRef.") {
            check_env_name(&env_name)?;
            let Some((name, key)) = reference
                .split_once(':')
                .filter(|(n, k)| !n.is_empty() && !k.is_empty())
            else {
                return Err(bad(
                    &format!("spark.kubernetes.executor.secretKeyRef.{env_name}"),
                    &reference,
                    "expected SECRET_NAME:KEY",
                ));
            };
            check_name("secret name", name)?;
            secret_env.insert(env_name.clone(), (name.to_string(), key.to_string()));
        }
        let volumes = volumes(conf, "executor")?;
        let template_file = text("spark.kubernetes.executor.podTemplateFile").map(PathBuf::from);
        let template_container =
            text("spark.kubernetes.executor.podTemplateContainerName").map(str::to_string);
        let cores = conf
            .get_usize("spark.executor.cores")
            .map_err(|e| bad("spark.executor.cores", "", &e.to_string()))?
            .unwrap_or(1);
        let request_cores = text("spark.kubernetes.executor.request.cores").map(str::to_string);
        let limit_cores = text("spark.kubernetes.executor.limit.cores").map(str::to_string);
        for (key, value) in [
            ("spark.kubernetes.executor.request.cores", &request_cores),
            ("spark.kubernetes.executor.limit.cores", &limit_cores),
        ] {
            if let Some(v) = value
                && !is_cpu_quantity(v)
            {
                return Err(bad(
                    key,
                    v,
                    "expected a CPU quantity such as 2, 0.5 or 500m",
                ));
            }
        }
        let memory_bytes = conf
            .get_bytes("spark.executor.memory")
            .map_err(|e| bad("spark.executor.memory", "", &e.to_string()))?
            .unwrap_or(1024 * MIB);
        let overhead_bytes = overhead(conf, memory_bytes)?;
        let memory_fraction = conf
            .get_f64("spark.memory.fraction")
            .map_err(|e| bad("spark.memory.fraction", "", &e.to_string()))?
            .unwrap_or(0.6);
        // The driver's own SPARK_LOCAL_DIRS describes the driver's machine, not the pods.
        let local_dirs: Vec<PathBuf> = match conf.get("spark.local.dir") {
            Some(dirs) => dirs
                .split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .collect(),
            None => vec![PathBuf::from(DEFAULT_LOCAL_DIR)],
        };
        if let Some(d) = local_dirs.iter().find(|d| !d.is_absolute()) {
            return Err(bad(
                "spark.local.dir",
                &d.display().to_string(),
                "local dirs in a pod must be absolute paths",
            ));
        }
        let local_dirs_tmpfs = conf
            .get_bool("spark.kubernetes.local.dirs.tmpfs")
            .map_err(|e| bad("spark.kubernetes.local.dirs.tmpfs", "", &e.to_string()))?
            .unwrap_or(false);
        let driver_pod_name = text("spark.kubernetes.driver.pod.name").map(str::to_string);
        let delete_on_termination = conf
            .get_bool("spark.kubernetes.executor.deleteOnTermination")
            .map_err(|e| {
                bad(
                    "spark.kubernetes.executor.deleteOnTermination",
                    "",
                    &e.to_string(),
                )
            })?
            .unwrap_or(true);
        Ok(Self {
            app_id: app_id.to_string(),
            app_name,
            namespace,
            image,
            pull_policy,
            pull_secrets,
            pod_name_prefix,
            labels,
            annotations,
            service_account,
            node_selector,
            env,
            secrets,
            secret_env,
            volumes,
            template_file,
            template_container,
            cores,
            request_cores,
            limit_cores,
            memory_bytes,
            overhead_bytes,
            memory_fraction,
            local_dirs,
            local_dirs_tmpfs,
            driver_pod_name,
            delete_on_termination,
        })
    }

    /// The pod's memory request and limit: executor memory plus overhead. Files in tmpfs local
    /// dirs are inside the executor memory's pool (docs/memory.md), so they need no more.
    pub fn pod_memory_bytes(&self) -> u64 {
        self.memory_bytes + self.overhead_bytes
    }

    /// The executor's memory pool (operators plus tmpfs files).
    pub fn pool_bytes(&self) -> u64 {
        ember_executor::memory::pool_bytes(self.memory_bytes, self.memory_fraction)
    }
}

/// `spark.executor.memoryOverhead`, else memory times `spark.executor.memoryOverheadFactor`
/// (or its older name `spark.kubernetes.memoryOverheadFactor`), else Ember's default
/// `max(10%, 64 MiB)`: a native executor needs far less than the JVM's 384 MiB floor.
fn overhead(conf: &SparkConf, memory: u64) -> Result<u64, KubernetesError> {
    if let Some(v) = conf.get("spark.executor.memoryOverhead") {
        return parse_bytes(v, MIB)
            .map_err(|reason| KubernetesError::Config {
                key: "spark.executor.memoryOverhead".into(),
                value: v.into(),
                reason,
            })
            .map(|b| b.unwrap_or(0));
    }
    for key in [
        "spark.executor.memoryOverheadFactor",
        "spark.kubernetes.memoryOverheadFactor",
    ] {
        if let Some(v) = conf.get(key) {
            return match v.trim().parse::<f64>() {
                Ok(f) if (0.0..=10.0).contains(&f) => Ok((memory as f64 * f) as u64),
                _ => Err(KubernetesError::Config {
                    key: key.into(),
                    value: v.into(),
                    reason: "expected a factor such as 0.1".into(),
                }),
            };
        }
    }
    Ok(default_overhead_bytes(memory))
}

/// Keys under `prefix`, with the prefix removed.
pub fn prefixed(conf: &SparkConf, prefix: &str) -> BTreeMap<String, String> {
    conf.iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(prefix)
                .filter(|rest| !rest.is_empty())
                .map(|rest| (rest.to_string(), v.to_string()))
        })
        .collect()
}

fn check_env_name(name: &str) -> Result<(), KubernetesError> {
    let ok = !name.is_empty()
        && !name.as_bytes()[0].is_ascii_digit()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(KubernetesError::InvalidName {
            what: "environment variable name".into(),
            value: name.into(),
            reason: "must be letters, digits, '_', '-' and '.', not starting with a digit".into(),
        })
    }
}

fn is_cpu_quantity(v: &str) -> bool {
    let number = v.strip_suffix('m').unwrap_or(v);
    !number.is_empty() && number.parse::<f64>().is_ok_and(|n| n > 0.0)
}

/// Reads `spark.kubernetes.<role>.volumes.TYPE.NAME.{mount.*,options.*}` (`role`: `executor`
/// or `driver`).
pub(crate) fn volumes(conf: &SparkConf, role: &str) -> Result<Vec<VolumeConf>, KubernetesError> {
    let prefix = format!("spark.kubernetes.{role}.volumes.");
    let prefix = prefix.as_str();
    let mut by_volume: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    for (rest, value) in prefixed(conf, prefix) {
        let mut parts = rest.splitn(3, '.');
        let (Some(kind), Some(name), Some(field)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(KubernetesError::Config {
                key: format!("{prefix}{rest}"),
                value,
                reason:
                    "expected spark.kubernetes.executor.volumes.TYPE.NAME.(mount|options).FIELD"
                        .into(),
            });
        };
        by_volume
            .entry((kind.to_string(), name.to_string()))
            .or_default()
            .insert(field.to_string(), value);
    }
    let mut out = Vec::new();
    for ((kind, name), fields) in by_volume {
        let key = |field: &str| format!("{prefix}{kind}.{name}.{field}");
        check_name("volume name", &name)?;
        let get = |field: &str| fields.get(field).cloned();
        let mount_path = get("mount.path").ok_or_else(|| KubernetesError::Config {
            key: key("mount.path"),
            value: String::new(),
            reason: "every volume needs a mount path".into(),
        })?;
        let read_only = match get("mount.readOnly").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(KubernetesError::Config {
                    key: key("mount.readOnly"),
                    value: other.into(),
                    reason: "expected true or false".into(),
                });
            }
        };
        let source = match kind.as_str() {
            "hostPath" => VolumeSource::HostPath {
                path: get("options.path").ok_or_else(|| KubernetesError::Config {
                    key: key("options.path"),
                    value: String::new(),
                    reason: "a hostPath volume needs options.path".into(),
                })?,
                kind: get("options.type"),
            },
            "emptyDir" => VolumeSource::EmptyDir {
                medium: get("options.medium"),
                size_limit: get("options.sizeLimit"),
            },
            "persistentVolumeClaim" => VolumeSource::PersistentVolumeClaim {
                claim_name: get("options.claimName").ok_or_else(|| KubernetesError::Config {
                    key: key("options.claimName"),
                    value: String::new(),
                    reason: "a persistentVolumeClaim volume needs options.claimName (OnDemand creates one per executor)".into(),
                })?,
                storage_class: get("options.storageClass"),
                size_limit: get("options.sizeLimit"),
            },
            other => {
                return Err(KubernetesError::Config {
                    key: format!("{prefix}{other}.{name}"),
                    value: String::new(),
                    reason: "volume types are hostPath, emptyDir and persistentVolumeClaim".into(),
                });
            }
        };
        out.push(VolumeConf {
            name,
            source,
            mount_path,
            read_only,
            sub_path: get("mount.subPath"),
        });
    }
    Ok(out)
}
