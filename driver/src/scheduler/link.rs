//! [`ExecutorLink`]: how the scheduler reaches one executor. In production it is the executor's
//! gRPC client; the scheduler's tests use a recorder, so every rule of the state machine can be
//! exercised without processes or sockets.

use std::fmt::Debug;

use ember_proto::auth::SignedChannel;
use ember_proto::executor_service_client::ExecutorServiceClient;
use ember_proto::{
    CancelTasksRequest, LaunchTaskRequest, LaunchTaskResponse, RemoveJobRequest, ShutdownRequest,
};

/// The calls the scheduler makes on an executor.
#[tonic::async_trait]
pub trait ExecutorLink: Send + Sync + Debug {
    /// Starts a task. `Err` means the executor could not be reached or refused the call.
    async fn launch_task(
        &self,
        request: LaunchTaskRequest,
    ) -> Result<LaunchTaskResponse, tonic::Status>;
    /// Cancels a job's tasks and deletes its files; best effort.
    async fn remove_job(&self, job_id: &str);
    /// Asks the executor to exit; best effort.
    async fn shutdown(&self);
}

/// The production link: the executor's gRPC service.
#[derive(Debug, Clone)]
pub struct GrpcExecutorLink(pub ExecutorServiceClient<SignedChannel>);

#[tonic::async_trait]
impl ExecutorLink for GrpcExecutorLink {
    async fn launch_task(
        &self,
        request: LaunchTaskRequest,
    ) -> Result<LaunchTaskResponse, tonic::Status> {
        let mut client = self.0.clone();
        client.launch_task(request).await.map(|r| r.into_inner())
    }

    async fn remove_job(&self, job_id: &str) {
        let mut client = self.0.clone();
        let _ = client
            .cancel_tasks(CancelTasksRequest {
                job_id: job_id.to_string(),
            })
            .await;
        let _ = client
            .remove_job(RemoveJobRequest {
                job_id: job_id.to_string(),
            })
            .await;
    }

    async fn shutdown(&self) {
        let mut client = self.0.clone();
        let _ = client.shutdown(ShutdownRequest {}).await;
    }
}
