//! Errors of the executor crate.

use std::path::PathBuf;

use datafusion::error::DataFusionError;

/// Result alias for the executor crate.
pub type Result<T, E = ExecutorError> = std::result::Result<T, E>;

/// Everything that can go wrong inside an executor, split by who is at fault.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    /// The executor's own settings are wrong (bad arguments, unusable local dir).
    #[error("invalid executor configuration: {0}")]
    Configuration(String),
    /// A local file could not be read or written.
    #[error("i/o error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The driver could not be reached or refused us.
    #[error("cannot reach the driver at {url}: {message}")]
    DriverUnreachable { url: String, message: String },
    /// A gRPC transport failure (bind, connect).
    #[error("transport error: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// A plan or data error raised while running a task.
    #[error(transparent)]
    DataFusion(#[from] DataFusionError),
    /// A task message was malformed (a bug or a hostile peer).
    #[error("malformed request: {0}")]
    InvalidRequest(String),
}

impl ExecutorError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// Raised by a shuffle reader when an input cannot be fetched. It travels inside DataFusion's
/// `External` error through the operator tree and is recovered by the task runner, so that the
/// driver learns a *fetch* failed (rerun the producer) rather than that the task failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "failed to fetch shuffle output of stage {stage_id} map partition {map_partition} from executor {executor_id}: {message}"
)]
pub struct FetchFailedError {
    pub stage_id: u32,
    pub map_partition: u32,
    pub executor_id: String,
    pub message: String,
}

/// Finds a [`FetchFailedError`] anywhere in a DataFusion error chain.
pub fn find_fetch_failure(err: &DataFusionError) -> Option<&FetchFailedError> {
    let mut current: &(dyn std::error::Error + 'static) = err;
    loop {
        if let Some(f) = current.downcast_ref::<FetchFailedError>() {
            return Some(f);
        }
        if let Some(DataFusionError::External(inner)) = current.downcast_ref::<DataFusionError>()
            && let Some(f) = inner.downcast_ref::<FetchFailedError>()
        {
            return Some(f);
        }
        match current.source() {
            Some(next) => current = next,
            None => return None,
        }
    }
}

/// Runs a decoder over bytes from another process (`what` names them in the error), turning a
/// panic inside it into an error. Arrow's and datafusion-proto's decoders check most malformed
/// input but still panic on some (the fuzz targets in `tests/tests/fuzz.rs` found both): a
/// corrupted block or plan must fail its task, not take the executor down.
pub fn contain_panic<T>(
    what: &str,
    decode: impl FnOnce() -> datafusion::error::Result<T>,
) -> datafusion::error::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "no message".into());
        Err(DataFusionError::Execution(format!(
            "malformed {what}: its decoder failed ({message})"
        )))
    })
}
