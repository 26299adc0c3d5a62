//! Errors of the driver crate, split by who is at fault.

use datafusion::error::DataFusionError;

/// Result alias for the driver crate.
pub type Result<T, E = EmberError> = std::result::Result<T, E>;

/// Everything a caller of Ember can see go wrong.
#[derive(Debug, thiserror::Error)]
pub enum EmberError {
    /// A `spark.*` setting has a value Ember cannot use.
    #[error("invalid value {value:?} for {key}: {reason}")]
    Config {
        key: String,
        value: String,
        reason: String,
    },
    /// The `--master` / `spark.master` string is not one Ember knows.
    #[error("invalid master {master:?}: {reason}")]
    InvalidMaster { master: String, reason: String },
    /// The query is wrong (SQL syntax, unknown table, type errors) or failed in planning.
    #[error("{0}")]
    Plan(#[from] DataFusionError),
    /// Executors could not be started or reached.
    #[error("cannot start executors: {0}")]
    Launch(String),
    /// A job ran and failed; the message names the stage and task.
    #[error("job failed: {0}")]
    JobFailed(String),
    /// The job was cancelled before it finished.
    #[error("job {0} was cancelled")]
    Cancelled(String),
    /// The session was stopped.
    #[error("the session is stopped")]
    Stopped,
    /// Reading results back from the executors failed.
    #[error("cannot read job results: {0}")]
    Results(String),
    /// A local I/O error (binding the driver port, reading a file).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// Kubernetes rejected or could not run what Ember asked for.
    #[error("kubernetes: {0}")]
    Kubernetes(#[from] crate::k8s::KubernetesError),
    /// A bug in Ember.
    #[error("internal error: {0}. This is a bug in Ember; please report it")]
    Internal(String),
}

impl EmberError {
    /// An analysis error: a statement that is well formed but wrong (a missing table, a
    /// column count that does not match), with Spark's error class at the start of `message`.
    pub fn analysis(message: impl Into<String>) -> Self {
        Self::Plan(DataFusionError::Plan(message.into()))
    }

    /// An I/O error with what Ember was doing.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    /// Builds a configuration error.
    pub fn config(key: &str, value: &str, reason: impl Into<String>) -> Self {
        Self::Config {
            key: key.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}
