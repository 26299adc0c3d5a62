//! The executor pod: what the driver asks Kubernetes to run for executor `<id>`, built from the
//! configuration ([`ExecutorPodConf`]) over an optional pod template with Spark's merge rules.
//!
//! Merge rules (as Spark's `KubernetesExecutorBuilder`): the template is the starting point;
//! the executor container is the template's container named by
//! `spark.kubernetes.executor.podTemplateContainerName` (else its first one) and every other
//! container is kept as it is. Ember then sets what it owns (name, namespace, image, pull
//! policy, args, CPU and memory, restart policy, host name, Ember's labels) and adds to what
//! both may hold (labels, annotations, env, volumes, mounts, node selector, pull secrets,
//! owner references); where both set the same key, Ember's value wins.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, EmptyDirVolumeSource, EnvVar, EnvVarSource, HostPathVolumeSource,
    LocalObjectReference, ObjectFieldSelector, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeClaimVolumeSource, Pod, PodSpec, ResourceRequirements, Secret,
    SecretKeySelector, SecretVolumeSource, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::KubernetesError;
use super::conf::{ExecutorPodConf, VolumeConf, VolumeSource};
use super::names::{check_name, label_value};

/// Labels Ember sets on every executor pod; users cannot override them.
pub const RESERVED_LABELS: &[&str] = &[
    LABEL_APP_SELECTOR,
    LABEL_ROLE,
    LABEL_EXECUTOR_ID,
    LABEL_APP_NAME,
];
/// The application id (Spark's label).
pub const LABEL_APP_SELECTOR: &str = "spark-app-selector";
/// `driver` or `executor` (Spark's label).
pub const LABEL_ROLE: &str = "spark-role";
/// The executor id (Spark's label).
pub const LABEL_EXECUTOR_ID: &str = "spark-exec-id";
/// The application name, made a valid label value (Spark's label).
pub const LABEL_APP_NAME: &str = "spark-app-name";

/// The executor container's name when no template names one (Spark's default).
pub const EXECUTOR_CONTAINER: &str = "spark-kubernetes-executor";
/// Arguments before the executor's own: the image's entrypoint is `ember`, whose `executor`
/// subcommand runs an executor.
pub const EXECUTOR_ENTRY_ARGS: &[&str] = &["executor"];
/// Where the application's authentication secret is mounted in executor pods.
pub const AUTH_SECRET_MOUNT: &str = "/etc/ember/auth";

/// The environment variables Ember sets; `spark.executorEnv.*` may not redefine them.
const RESERVED_ENV: &[&str] = &[
    "SPARK_APPLICATION_ID",
    "SPARK_EXECUTOR_ID",
    "SPARK_EXECUTOR_CORES",
    "SPARK_EXECUTOR_MEMORY",
    "SPARK_EXECUTOR_POD_IP",
    "SPARK_EXECUTOR_POD_NAME",
    "SPARK_LOCAL_DIRS",
    "EMBER_AUTH_SECRET_FILE",
];

/// The driver pod, which owns executor pods and their claims so that Kubernetes deletes them
/// with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverOwner {
    pub name: String,
    pub uid: String,
}

/// One executor's resources: the pod and the claims to create before it (`OnDemand` volumes).
#[derive(Debug, Clone)]
pub struct ExecutorPod {
    pub pod: Pod,
    pub claims: Vec<PersistentVolumeClaim>,
}

/// What varies per executor and per application beyond the configuration.
#[derive(Debug, Clone, Default)]
pub struct ExecutorPodInputs<'a> {
    pub executor_id: &'a str,
    /// The executor's own arguments (`launcher::executor_args`).
    pub args: Vec<String>,
    pub owner: Option<&'a DriverOwner>,
    pub template: Option<&'a Pod>,
    /// The application's Secret (authentication secret, TLS files), when there is one.
    pub auth_secret: Option<&'a AppSecretMount>,
}

/// The Secret the driver creates for its executors, mounted at [`AUTH_SECRET_MOUNT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSecretMount {
    /// Name of the Kubernetes Secret.
    pub name: String,
    /// It holds the authentication secret (key `secret`): executors are pointed at it.
    pub auth: bool,
}

/// Keys of the application's Secret that hold the TLS files (`kubernetes.io/tls` names), and
/// so their file names under [`AUTH_SECRET_MOUNT`].
pub const TLS_CERT_CHAIN_KEY: &str = "tls.crt";
/// See [`TLS_CERT_CHAIN_KEY`].
pub const TLS_PRIVATE_KEY_KEY: &str = "tls.key";
/// See [`TLS_CERT_CHAIN_KEY`].
pub const TLS_TRUST_STORE_KEY: &str = "ca.crt";

/// Where executor pods find the TLS files of `files` (same checks, mounted copies).
pub fn mounted_tls_files(files: &ember_proto::tls::TlsFiles) -> ember_proto::tls::TlsFiles {
    let at = |key: &str| std::path::PathBuf::from(format!("{AUTH_SECRET_MOUNT}/{key}"));
    ember_proto::tls::TlsFiles {
        cert_chain: at(TLS_CERT_CHAIN_KEY),
        private_key: at(TLS_PRIVATE_KEY_KEY),
        trust_store: at(TLS_TRUST_STORE_KEY),
        ..files.clone()
    }
}

/// The executor settings inside a pod: it advertises the pod IP (expanded by Kubernetes from
/// the `SPARK_EXECUTOR_POD_IP` variable), sizes its pool from `spark.executor.memory` and uses
/// the pod's local dirs. Other settings come from `base` (the launcher's).
pub fn pod_executor_config(
    conf: &ExecutorPodConf,
    mut base: ember_executor::ExecutorConfig,
) -> ember_executor::ExecutorConfig {
    base.host = "$(SPARK_EXECUTOR_POD_IP)".into();
    base.cores = conf.cores;
    base.memory_pool_bytes = Some(conf.pool_bytes() as usize);
    base.local_dirs = conf.local_dirs.clone();
    base.local_dirs_tmpfs = conf.local_dirs_tmpfs;
    base
}

/// The name of executor `id`'s pod.
pub fn executor_pod_name(conf: &ExecutorPodConf, id: &str) -> String {
    format!("{}-exec-{id}", conf.pod_name_prefix)
}

/// Builds executor `inputs.executor_id`'s pod.
///
/// # Errors
/// [`KubernetesError`] when a name would be rejected by the API server, the template has no
/// container of the configured name, or `spark.executorEnv.*` redefines a variable Ember sets.
pub fn executor_pod(
    conf: &ExecutorPodConf,
    inputs: &ExecutorPodInputs<'_>,
) -> Result<ExecutorPod, KubernetesError> {
    let id = inputs.executor_id;
    let name = executor_pod_name(conf, id);
    check_name("executor pod name", &name)?;
    if let Some(env) = conf.env.keys().find(|k| RESERVED_ENV.contains(&k.as_str())) {
        return Err(KubernetesError::Config {
            key: format!("spark.executorEnv.{env}"),
            value: conf.env[env].clone(),
            reason: "Ember sets this variable itself".into(),
        });
    }

    let mut pod = inputs.template.cloned().unwrap_or_default();
    let mut spec = pod.spec.take().unwrap_or_default();
    let (mut container, others) = take_executor_container(&mut spec, conf)?;

    // Metadata.
    let meta = &mut pod.metadata;
    meta.name = Some(name.clone());
    meta.namespace = Some(conf.namespace.clone());
    meta.generate_name = None;
    meta.resource_version = None;
    meta.uid = None;
    let labels = meta.labels.get_or_insert_with(BTreeMap::new);
    labels.extend(conf.labels.clone());
    labels.insert(LABEL_APP_SELECTOR.into(), conf.app_id.clone());
    labels.insert(LABEL_ROLE.into(), "executor".into());
    labels.insert(LABEL_EXECUTOR_ID.into(), id.to_string());
    labels.insert(LABEL_APP_NAME.into(), label_value(&conf.app_name));
    if !conf.annotations.is_empty() {
        meta.annotations
            .get_or_insert_with(BTreeMap::new)
            .extend(conf.annotations.clone());
    }
    if let Some(owner) = inputs.owner {
        meta.owner_references
            .get_or_insert_with(Vec::new)
            .push(owner_reference(owner));
    }

    // Pod spec.
    spec.restart_policy = Some("Never".into());
    spec.hostname = Some(name.clone());
    if let Some(sa) = &conf.service_account {
        spec.service_account_name = Some(sa.clone());
    }
    if !conf.node_selector.is_empty() {
        spec.node_selector
            .get_or_insert_with(BTreeMap::new)
            .extend(conf.node_selector.clone());
    }
    if !conf.pull_secrets.is_empty() {
        let secrets = spec.image_pull_secrets.get_or_insert_with(Vec::new);
        for s in &conf.pull_secrets {
            if !secrets.iter().any(|r| r.name == *s) {
                secrets.push(LocalObjectReference { name: s.clone() });
            }
        }
    }

    // The executor container.
    container.image = Some(conf.image.clone());
    container.image_pull_policy = Some(conf.pull_policy.clone());
    container.args = Some(
        EXECUTOR_ENTRY_ARGS
            .iter()
            .map(|s| s.to_string())
            .chain(inputs.args.iter().cloned())
            .collect(),
    );
    container.resources = Some(resources(conf, container.resources.take()));
    let mut env = executor_env(conf, id, &name);
    if inputs.auth_secret.is_some_and(|s| s.auth) {
        env.push(plain_env(
            "EMBER_AUTH_SECRET_FILE",
            &format!("{AUTH_SECRET_MOUNT}/secret"),
        ));
    }
    merge_env(&mut container, env);

    let mut volumes = Vec::new();
    let mut mounts = Vec::new();
    let mut claims = Vec::new();
    for (index, volume) in conf.volumes.iter().enumerate() {
        let (v, claim) = configured_volume(conf, volume, &name, id, index, inputs.owner)?;
        volumes.push(v);
        claims.extend(claim);
        mounts.push(volume_mount(volume));
    }
    for (secret, path) in &conf.secrets {
        let volume_name = format!("{secret}-volume");
        volumes.push(Volume {
            name: volume_name.clone(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret.clone()),
                ..Default::default()
            }),
            ..Default::default()
        });
        mounts.push(VolumeMount {
            name: volume_name,
            mount_path: path.clone(),
            ..Default::default()
        });
    }
    if let Some(secret) = inputs.auth_secret {
        volumes.push(Volume {
            name: "ember-auth".into(),
            secret: Some(SecretVolumeSource {
                // Kubernetes' default mode (0644): the file belongs to root, and the image
                // runs as another user; the pod is the boundary.
                secret_name: Some(secret.name.clone()),
                ..Default::default()
            }),
            ..Default::default()
        });
        mounts.push(VolumeMount {
            name: "ember-auth".into(),
            mount_path: AUTH_SECRET_MOUNT.into(),
            read_only: Some(true),
            ..Default::default()
        });
    }
    // Local dirs: one emptyDir per dir not already mounted by the template or a volume key.
    let mounted: Vec<String> = container
        .volume_mounts
        .iter()
        .flatten()
        .chain(mounts.iter())
        .map(|m| m.mount_path.clone())
        .collect();
    let tmpfs_limit = conf
        .local_dirs_tmpfs
        .then(|| mib_quantity(conf.pool_bytes() / 2));
    for (i, dir) in conf.local_dirs.iter().enumerate() {
        let path = dir.display().to_string();
        if mounted.contains(&path) {
            continue;
        }
        let volume_name = format!("spark-local-dir-{}", i + 1);
        volumes.push(Volume {
            name: volume_name.clone(),
            empty_dir: Some(EmptyDirVolumeSource {
                medium: conf.local_dirs_tmpfs.then(|| "Memory".to_string()),
                size_limit: tmpfs_limit.clone(),
            }),
            ..Default::default()
        });
        mounts.push(VolumeMount {
            name: volume_name,
            mount_path: path,
            ..Default::default()
        });
    }
    let existing = spec.volumes.get_or_insert_with(Vec::new);
    for v in volumes {
        if existing.iter().any(|e| e.name == v.name) {
            return Err(KubernetesError::Config {
                key: "spark.kubernetes.executor.volumes".into(),
                value: v.name,
                reason: "a volume of this name is already in the pod template".into(),
            });
        }
        existing.push(v);
    }
    container
        .volume_mounts
        .get_or_insert_with(Vec::new)
        .extend(mounts);

    spec.containers = std::iter::once(container).chain(others).collect();
    pod.spec = Some(spec);
    Ok(ExecutorPod { pod, claims })
}

/// Removes the executor container from `spec` and returns it with the other containers.
fn take_executor_container(
    spec: &mut PodSpec,
    conf: &ExecutorPodConf,
) -> Result<(Container, Vec<Container>), KubernetesError> {
    let mut containers = std::mem::take(&mut spec.containers);
    let index = match &conf.template_container {
        Some(name) => Some(containers.iter().position(|c| c.name == *name).ok_or_else(
            || KubernetesError::Template {
                path: conf
                    .template_file
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                reason: format!("no container named {name:?} (spark.kubernetes.executor.podTemplateContainerName)"),
            },
        )?),
        None => (!containers.is_empty()).then_some(0),
    };
    let container = match index {
        Some(i) => containers.remove(i),
        None => Container {
            name: EXECUTOR_CONTAINER.into(),
            ..Default::default()
        },
    };
    Ok((container, containers))
}

fn owner_reference(owner: &DriverOwner) -> OwnerReference {
    OwnerReference {
        api_version: "v1".into(),
        kind: "Pod".into(),
        name: owner.name.clone(),
        uid: owner.uid.clone(),
        controller: Some(true),
        ..Default::default()
    }
}

/// The Kubernetes Secret carrying the application's authentication secret and TLS files to
/// executor pods (mounted as files under [`AUTH_SECRET_MOUNT`]: `secret`, and the TLS keys;
/// never in an environment value or an argument), labelled with the application and owned by
/// the driver pod when there is one.
pub fn auth_secret_object(
    name: &str,
    app_id: &str,
    owner: Option<&DriverOwner>,
    secret: Option<&ember_proto::auth::AppSecret>,
    tls: Option<&ember_proto::tls::RpcTls>,
) -> Secret {
    let mut data = BTreeMap::new();
    if let Some(secret) = secret {
        data.insert(
            "secret".to_string(),
            k8s_openapi::ByteString(secret.expose().to_vec()),
        );
    }
    if let Some(tls) = tls {
        for (key, pem) in [
            (TLS_CERT_CHAIN_KEY, tls.cert_chain_pem()),
            (TLS_PRIVATE_KEY_KEY, tls.private_key_pem()),
            (TLS_TRUST_STORE_KEY, tls.trust_store_pem()),
        ] {
            data.insert(key.to_string(), k8s_openapi::ByteString(pem.to_vec()));
        }
    }
    Secret {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(BTreeMap::from([(
                LABEL_APP_SELECTOR.to_string(),
                app_id.to_string(),
            )])),
            owner_references: owner.map(|o| vec![owner_reference(o)]),
            ..Default::default()
        },
        immutable: Some(true),
        type_: Some("Opaque".into()),
        data: Some(data),
        ..Default::default()
    }
}

/// `n` bytes as a Kubernetes quantity in MiB, rounded up.
pub fn mib_quantity(bytes: u64) -> Quantity {
    Quantity(format!("{}Mi", bytes.div_ceil(1024 * 1024)))
}

/// CPU and memory from the configuration over the template's (other resources are kept).
fn resources(
    conf: &ExecutorPodConf,
    template: Option<ResourceRequirements>,
) -> ResourceRequirements {
    let mut r = template.unwrap_or_default();
    let memory = mib_quantity(conf.pod_memory_bytes());
    let requests = r.requests.get_or_insert_with(BTreeMap::new);
    requests.insert(
        "cpu".into(),
        Quantity(
            conf.request_cores
                .clone()
                .unwrap_or_else(|| conf.cores.to_string()),
        ),
    );
    requests.insert("memory".into(), memory.clone());
    let limits = r.limits.get_or_insert_with(BTreeMap::new);
    limits.insert("memory".into(), memory);
    if let Some(limit) = &conf.limit_cores {
        limits.insert("cpu".into(), Quantity(limit.clone()));
    }
    r
}

fn plain_env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..Default::default()
    }
}

/// A variable from the pod's own fields (downward API), e.g. `status.podIP`.
pub(crate) fn field_env(name: &str, path: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                field_path: path.into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Ember's variables, then `spark.executorEnv.*`, then `secretKeyRef` variables.
fn executor_env(conf: &ExecutorPodConf, id: &str, pod_name: &str) -> Vec<EnvVar> {
    let local_dirs = conf
        .local_dirs
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut env = vec![
        plain_env("SPARK_APPLICATION_ID", &conf.app_id),
        plain_env("SPARK_EXECUTOR_ID", id),
        plain_env("SPARK_EXECUTOR_CORES", &conf.cores.to_string()),
        plain_env(
            "SPARK_EXECUTOR_MEMORY",
            &format!("{}m", conf.memory_bytes / (1024 * 1024)),
        ),
        field_env("SPARK_EXECUTOR_POD_IP", "status.podIP"),
        plain_env("SPARK_EXECUTOR_POD_NAME", pod_name),
        plain_env("SPARK_LOCAL_DIRS", &local_dirs),
    ];
    env.extend(conf.env.iter().map(|(k, v)| plain_env(k, v)));
    env.extend(conf.secret_env.iter().map(|(var, (name, key))| EnvVar {
        name: var.clone(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: name.clone(),
                key: key.clone(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }));
    env
}

/// The mount of a configured volume.
pub(crate) fn volume_mount(volume: &VolumeConf) -> VolumeMount {
    VolumeMount {
        name: volume.name.clone(),
        mount_path: volume.mount_path.clone(),
        read_only: volume.read_only.then_some(true),
        sub_path: volume.sub_path.clone(),
        ..Default::default()
    }
}

/// Adds `env` to the container's, replacing the template's variables of the same name.
fn merge_env(container: &mut Container, env: Vec<EnvVar>) {
    let existing = container.env.get_or_insert_with(Vec::new);
    existing.retain(|e| !env.iter().any(|n| n.name == e.name));
    existing.extend(env);
}

/// A configured volume as a pod volume, and the claim to create for an `OnDemand` one.
pub(crate) fn configured_volume(
    conf: &ExecutorPodConf,
    volume: &VolumeConf,
    pod_name: &str,
    id: &str,
    index: usize,
    owner: Option<&DriverOwner>,
) -> Result<(Volume, Option<PersistentVolumeClaim>), KubernetesError> {
    let mut v = Volume {
        name: volume.name.clone(),
        ..Default::default()
    };
    let mut claim = None;
    match &volume.source {
        VolumeSource::HostPath { path, kind } => {
            v.host_path = Some(HostPathVolumeSource {
                path: path.clone(),
                type_: kind.clone(),
            });
        }
        VolumeSource::EmptyDir { medium, size_limit } => {
            v.empty_dir = Some(EmptyDirVolumeSource {
                medium: medium.clone(),
                size_limit: size_limit.clone().map(Quantity),
            });
        }
        VolumeSource::PersistentVolumeClaim {
            claim_name,
            storage_class,
            size_limit,
        } => {
            let name = if claim_name == "OnDemand" {
                let name = format!("{pod_name}-pvc-{index}");
                let Some(size) = size_limit else {
                    return Err(KubernetesError::Config {
                        key: format!(
                            "spark.kubernetes.executor.volumes.persistentVolumeClaim.{}.options.sizeLimit",
                            volume.name
                        ),
                        value: String::new(),
                        reason: "an OnDemand claim needs a size".into(),
                    });
                };
                claim = Some(PersistentVolumeClaim {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        namespace: Some(conf.namespace.clone()),
                        labels: Some(BTreeMap::from([
                            (LABEL_APP_SELECTOR.to_string(), conf.app_id.clone()),
                            (LABEL_EXECUTOR_ID.to_string(), id.to_string()),
                        ])),
                        owner_references: owner.map(|o| vec![owner_reference(o)]),
                        ..Default::default()
                    },
                    spec: Some(PersistentVolumeClaimSpec {
                        access_modes: Some(vec!["ReadWriteOnce".into()]),
                        storage_class_name: storage_class.clone(),
                        resources: Some(VolumeResourceRequirements {
                            requests: Some(BTreeMap::from([(
                                "storage".to_string(),
                                Quantity(size.clone()),
                            )])),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                });
                name
            } else {
                claim_name.replace("SPARK_EXECUTOR_ID", id)
            };
            check_name("persistent volume claim", &name)?;
            v.persistent_volume_claim = Some(PersistentVolumeClaimVolumeSource {
                claim_name: name,
                read_only: volume.read_only.then_some(true),
            });
        }
    }
    Ok((v, claim))
}

#[cfg(test)]
#[path = "pod_tests.rs"]
mod tests;
