//! The executor's gRPC service: task control from the driver and shuffle fetch from peers.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use ember_proto::executor_service_server::ExecutorService;
use ember_proto::{
    CancelTasksRequest, CancelTasksResponse, FetchShuffleRequest, LaunchTaskRequest,
    LaunchTaskResponse, RemoveJobRequest, RemoveJobResponse, SHUFFLE_CHUNK_BYTES, ShuffleChunk,
    ShutdownRequest, ShutdownResponse,
};
use futures::Stream;
use tonic::{Request, Response, Status};

use crate::executor::ExecutorState;
use crate::memory::LocalDirs;
use crate::shuffle::file::{map_file, segment_bytes};
use crate::task;

/// gRPC front of an executor.
#[derive(Debug, Clone)]
pub struct ExecutorGrpc {
    state: Arc<ExecutorState>,
}

impl ExecutorGrpc {
    pub fn new(state: Arc<ExecutorState>) -> Self {
        Self { state }
    }

    /// Aborts every running task of a job; returns how many.
    fn cancel_job(&self, job_id: &str) -> usize {
        let tasks = match self.state.running.lock() {
            Ok(mut running) => running.remove(job_id).unwrap_or_default(),
            Err(_) => return 0,
        };
        for handle in tasks.values() {
            handle.abort();
        }
        tasks.len()
    }
}

/// A stream of shuffle bytes, as `FetchShuffle` answers.
pub type ChunkStream = Pin<Box<dyn Stream<Item = Result<ShuffleChunk, Status>> + Send>>;

/// Whether a job id from a request is one the driver could have made: it names a folder, so an
/// empty or odd id (which would name the executor's whole work folder, or another) is refused.
pub(crate) fn is_valid_job_id(job_id: &str) -> bool {
    !job_id.is_empty()
        && job_id.len() <= 64
        && job_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Resolves a fetch request to a file of that job in one of `dirs`. Only plain names built like
/// the task runner's are accepted, so a request cannot walk out of the executor's folders.
fn shuffle_path(dirs: &LocalDirs, job_id: &str, file: &str) -> Result<PathBuf, Status> {
    let valid_job = is_valid_job_id(job_id);
    let valid_file = file.len() <= 128
        && file.starts_with('s')
        && file.ends_with(".data")
        && file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !file.contains("..");
    if !valid_job || !valid_file {
        return Err(Status::invalid_argument("invalid shuffle block name"));
    }
    dirs.find_job_file(job_id, file)
        .ok_or_else(|| Status::not_found(format!("no shuffle block {file} of job {job_id}")))
}

/// Answers a `FetchShuffle` request from the files in `dirs`: the segment, mapped with
/// memmap2, cut into [`SHUFFLE_CHUNK_BYTES`] messages that borrow the mapping.
pub fn serve_fetch(dirs: &LocalDirs, request: &FetchShuffleRequest) -> Result<ChunkStream, Status> {
    let path = shuffle_path(dirs, &request.job_id, &request.file)?;
    let file = map_file(&path).map_err(|e| Status::not_found(e.to_string()))?;
    let segment = segment_bytes(&file, request.offset, request.length)
        .map_err(|e| Status::out_of_range(e.to_string()))?;
    let chunks: Vec<Result<ShuffleChunk, Status>> = (0..segment.len())
        .step_by(SHUFFLE_CHUNK_BYTES)
        .map(|start| {
            let end = (start + SHUFFLE_CHUNK_BYTES).min(segment.len());
            Ok(ShuffleChunk {
                data: segment.slice(start..end),
            })
        })
        .collect();
    Ok(Box::pin(futures::stream::iter(chunks)))
}

#[tonic::async_trait]
impl ExecutorService for ExecutorGrpc {
    async fn launch_task(
        &self,
        request: Request<LaunchTaskRequest>,
    ) -> Result<Response<LaunchTaskResponse>, Status> {
        match task::launch(&self.state, request.into_inner()).await {
            Ok(()) => Ok(Response::new(LaunchTaskResponse {
                accepted: true,
                reason: String::new(),
            })),
            Err(e) => Ok(Response::new(LaunchTaskResponse {
                accepted: false,
                reason: e.to_string(),
            })),
        }
    }

    async fn cancel_tasks(
        &self,
        request: Request<CancelTasksRequest>,
    ) -> Result<Response<CancelTasksResponse>, Status> {
        let n = self.cancel_job(&request.into_inner().job_id);
        Ok(Response::new(CancelTasksResponse {
            cancelled: n as u32,
        }))
    }

    async fn remove_job(
        &self,
        request: Request<RemoveJobRequest>,
    ) -> Result<Response<RemoveJobResponse>, Status> {
        let job_id = request.into_inner().job_id;
        if !is_valid_job_id(&job_id) {
            return Err(Status::invalid_argument("invalid job id"));
        }
        self.cancel_job(&job_id);
        self.state
            .plans
            .lock()
            .await
            .retain(|(job, _), _| *job != job_id);
        let state = Arc::clone(&self.state);
        tokio::task::spawn_blocking(move || state.dirs.remove_job(&job_id, &state.budget))
            .await
            .map_err(|e| Status::internal(format!("cannot remove job files: {e}")))?
            .map_err(|e| Status::internal(format!("cannot remove job files: {e}")))?;
        Ok(Response::new(RemoveJobResponse {}))
    }

    type FetchShuffleStream = ChunkStream;

    async fn fetch_shuffle(
        &self,
        request: Request<FetchShuffleRequest>,
    ) -> Result<Response<Self::FetchShuffleStream>, Status> {
        Ok(Response::new(serve_fetch(
            &self.state.dirs,
            request.get_ref(),
        )?))
    }

    async fn shutdown(
        &self,
        _request: Request<ShutdownRequest>,
    ) -> Result<Response<ShutdownResponse>, Status> {
        self.state.shutdown.notify_one();
        Ok(Response::new(ShutdownResponse {}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crafted_block_names_and_job_ids_are_refused() -> crate::error::Result<()> {
        let root = tempfile::tempdir().map_err(|e| crate::error::ExecutorError::io("tmp", e))?;
        let dirs = LocalDirs::create(&[root.path().to_path_buf()], "1", false)?;
        let job_dir = LocalDirs::job_dir(&dirs.dirs()[0], "job-1");
        std::fs::create_dir_all(&job_dir).map_err(|e| crate::error::ExecutorError::io("mk", e))?;
        std::fs::write(job_dir.join("s1-p0-a0.data"), b"x")
            .map_err(|e| crate::error::ExecutorError::io("write", e))?;
        assert!(shuffle_path(&dirs, "job-1", "s1-p0-a0.data").is_ok());
        for (job, file) in [
            ("job-1", "../../../etc/passwd"),
            ("job-1", "s1/../../x.data"),
            ("job-1", "s..data"),
            ("job-1", "/etc/shadow"),
            ("../job-1", "s1-p0-a0.data"),
            ("", "s1-p0-a0.data"),
            ("job-1", "s1-p0-a0.data\0"),
        ] {
            let refused = shuffle_path(&dirs, job, file).expect_err("refused");
            assert_eq!(
                refused.code(),
                tonic::Code::InvalidArgument,
                "{job:?} {file:?}"
            );
        }
        let missing = shuffle_path(&dirs, "job-2", "s1-p0-a0.data").expect_err("missing");
        assert_eq!(missing.code(), tonic::Code::NotFound);
        for job in ["", ".", "..", "a/b", "x".repeat(65).as_str()] {
            assert!(!is_valid_job_id(job), "{job:?}");
        }
        dirs.remove_all();
        Ok(())
    }
}
