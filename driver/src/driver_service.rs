//! The driver's gRPC service: executors register, beat and report here. Every call becomes a
//! scheduler event.

use ember_executor::shuffle::fetch::connect_executor;
use ember_proto::auth::RequestSigner;
use ember_proto::driver_service_server::DriverService;
use ember_proto::rpc::RpcSettings;
use ember_proto::{
    HeartbeatRequest, HeartbeatResponse, RegisterExecutorRequest, RegisterExecutorResponse,
    TaskStatus, TaskStatusAck,
};
use tokio::sync::oneshot;
use tonic::{Request, Response, Status};

use std::sync::Arc;

use crate::scheduler::{Event, GrpcExecutorLink, SchedulerHandle};

/// gRPC front of the driver.
#[derive(Debug, Clone)]
pub struct DriverGrpc {
    scheduler: SchedulerHandle,
    application_id: String,
    heartbeat_interval_ms: u64,
    /// Limits of the channels to executors.
    rpc: RpcSettings,
    /// Signs the driver's calls to executors.
    signer: RequestSigner,
}

impl DriverGrpc {
    pub fn new(
        scheduler: SchedulerHandle,
        application_id: String,
        heartbeat_interval_ms: u64,
        rpc: RpcSettings,
        signer: RequestSigner,
    ) -> Self {
        Self {
            scheduler,
            application_id,
            heartbeat_interval_ms,
            rpc,
            signer,
        }
    }
}

#[tonic::async_trait]
impl DriverService for DriverGrpc {
    async fn register_executor(
        &self,
        request: Request<RegisterExecutorRequest>,
    ) -> Result<Response<RegisterExecutorResponse>, Status> {
        let metadata = request
            .into_inner()
            .executor
            .ok_or_else(|| Status::invalid_argument("registration without executor metadata"))?;
        if metadata.executor_id.is_empty() || metadata.port == 0 {
            return Err(Status::invalid_argument(
                "executor id and port are required",
            ));
        }
        // Connect back before accepting, so a registered executor is always reachable.
        let client = connect_executor(
            &metadata.host,
            metadata.port,
            &self.rpc,
            self.signer.clone(),
        )
        .await
        .map_err(Status::unavailable)?;
        self.scheduler.send(Event::ExecutorRegistered {
            metadata,
            link: Arc::new(GrpcExecutorLink(client)),
        });
        Ok(Response::new(RegisterExecutorResponse {
            application_id: self.application_id.clone(),
            heartbeat_interval_ms: self.heartbeat_interval_ms,
        }))
    }

    async fn heartbeat(
        &self,
        request: Request<HeartbeatRequest>,
    ) -> Result<Response<HeartbeatResponse>, Status> {
        let (reply, rx) = oneshot::channel();
        let request = request.into_inner();
        self.scheduler.send(Event::Heartbeat {
            executor_id: request.executor_id,
            metrics: request.metrics,
            reply,
        });
        let known = rx
            .await
            .map_err(|_| Status::unavailable("the driver is stopping"))?;
        Ok(Response::new(HeartbeatResponse {
            unknown_executor: !known,
        }))
    }

    async fn update_task_status(
        &self,
        request: Request<TaskStatus>,
    ) -> Result<Response<TaskStatusAck>, Status> {
        self.scheduler.send(Event::TaskStatus(request.into_inner()));
        Ok(Response::new(TaskStatusAck {}))
    }
}
