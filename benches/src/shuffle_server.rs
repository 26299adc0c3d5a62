//! A loopback gRPC server that answers `FetchShuffle` exactly as an executor does
//! ([`serve_fetch`]) and refuses everything else, so that `ember-benches shuffle` measures the
//! remote read path without a driver or a task runner.

use std::sync::Arc;

use ember_executor::memory::LocalDirs;
use ember_executor::service::{ChunkStream, serve_fetch};
use ember_proto::executor_service_server::{ExecutorService, ExecutorServiceServer};
use ember_proto::{
    CancelTasksRequest, CancelTasksResponse, FetchShuffleRequest, LaunchTaskRequest,
    LaunchTaskResponse, RemoveJobRequest, RemoveJobResponse, ShutdownRequest, ShutdownResponse,
};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::{Request, Response, Status};

use crate::shuffle::ShuffleBenchError;

/// The executor service, fetch only.
#[derive(Debug)]
struct FetchOnly {
    dirs: Arc<LocalDirs>,
}

#[tonic::async_trait]
impl ExecutorService for FetchOnly {
    async fn launch_task(
        &self,
        _request: Request<LaunchTaskRequest>,
    ) -> Result<Response<LaunchTaskResponse>, Status> {
        Err(Status::unimplemented("fetch-only benchmark server"))
    }

    async fn cancel_tasks(
        &self,
        _request: Request<CancelTasksRequest>,
    ) -> Result<Response<CancelTasksResponse>, Status> {
        Err(Status::unimplemented("fetch-only benchmark server"))
    }

    async fn remove_job(
        &self,
        _request: Request<RemoveJobRequest>,
    ) -> Result<Response<RemoveJobResponse>, Status> {
        Err(Status::unimplemented("fetch-only benchmark server"))
    }

    type FetchShuffleStream = ChunkStream;

    async fn fetch_shuffle(
        &self,
        request: Request<FetchShuffleRequest>,
    ) -> Result<Response<Self::FetchShuffleStream>, Status> {
        Ok(Response::new(serve_fetch(&self.dirs, request.get_ref())?))
    }

    async fn shutdown(
        &self,
        _request: Request<ShutdownRequest>,
    ) -> Result<Response<ShutdownResponse>, Status> {
        Err(Status::unimplemented("fetch-only benchmark server"))
    }
}

/// A running fetch server on `127.0.0.1`, serving the files of `dirs`.
#[derive(Debug)]
pub struct FetchServer {
    port: u16,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

impl FetchServer {
    /// Binds an ephemeral loopback port and serves with Ember's message limits.
    ///
    /// # Errors
    /// The port cannot be bound.
    pub async fn start(
        dirs: Arc<LocalDirs>,
        max_message_bytes: usize,
    ) -> Result<Self, ShuffleBenchError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| ShuffleBenchError::Server(format!("cannot bind 127.0.0.1:0: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| ShuffleBenchError::Server(e.to_string()))?
            .port();
        let service = ExecutorServiceServer::new(FetchOnly { dirs })
            .max_decoding_message_size(max_message_bytes)
            .max_encoding_message_size(max_message_bytes);
        // Ember's own server settings, so the fetch measured is the one executors serve.
        let rpc = ember_proto::rpc::RpcSettings {
            max_message_bytes,
            ..Default::default()
        };
        let incoming = rpc.incoming(listener);
        let mut server = rpc
            .server()
            .map_err(|e| ShuffleBenchError::Server(e.to_string()))?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.add_service(service).serve_with_incoming_shutdown(
            incoming,
            async {
                // A dropped sender stops the server too.
                let _ = stopped.await;
            },
        ));
        Ok(Self {
            port,
            shutdown,
            task,
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops serving and waits for the server to finish.
    ///
    /// # Errors
    /// The server failed while it ran.
    pub async fn stop(self) -> Result<(), ShuffleBenchError> {
        let _ = self.shutdown.send(());
        match self.task.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ShuffleBenchError::Server(e.to_string())),
            Err(e) => Err(ShuffleBenchError::Server(format!("server task: {e}"))),
        }
    }
}
