//! Kubernetes: executor pods launched and managed by the driver through kube-rs.
//!
//! - [`conf`]: the `spark.kubernetes.*` keys, typed and checked up front;
//! - [`pod`]: the executor pod (and its on-demand claims) from the configuration and an
//!   optional pod template, with Spark's merge rules;
//! - [`names`]: Kubernetes naming rules, checked before anything is sent.

pub mod client;
pub mod conf;
pub mod launcher;
pub mod names;
pub mod pod;
pub mod submit;

use std::path::Path;

use k8s_openapi::api::core::v1::Pod;

pub use conf::ExecutorPodConf;
pub use pod::{DriverOwner, ExecutorPod, ExecutorPodInputs, executor_pod, executor_pod_name};

/// What can go wrong between Ember and Kubernetes.
#[derive(Debug, thiserror::Error)]
pub enum KubernetesError {
    /// A `spark.kubernetes.*` (or related) key has a value Kubernetes or Ember cannot use.
    #[error("invalid value {value:?} for {key}: {reason}")]
    Config {
        key: String,
        value: String,
        reason: String,
    },
    /// A name or label the API server would reject.
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidName {
        what: String,
        value: String,
        reason: String,
    },
    /// A pod template file that cannot be read or used.
    #[error("pod template {path}: {reason}")]
    Template { path: String, reason: String },
    /// No usable client: kubeconfig, credentials or API server URL.
    #[error("cannot reach the Kubernetes API: {0}")]
    Client(String),
    /// The API server refused or failed a request.
    #[error("{action}: {source}")]
    Api {
        action: String,
        #[source]
        source: kube::Error,
    },
    /// Executor pods could not be run (bad image, crash loop, never scheduled).
    #[error("{0}")]
    Executors(String),
}

/// Reads a pod template (`spark.kubernetes.executor.podTemplateFile`): a YAML or JSON `Pod`.
///
/// # Errors
/// [`KubernetesError::Template`] naming the file when it cannot be read or is not a pod.
pub fn read_pod_template(path: &Path) -> Result<Pod, KubernetesError> {
    let err = |reason: String| KubernetesError::Template {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let pod: Pod = serde_saphyr::from_str(&text).map_err(|e| err(e.to_string()))?;
    Ok(pod)
}
