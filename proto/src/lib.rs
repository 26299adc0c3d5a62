//! Ember's wire formats.
//!
//! Everything that crosses a process boundary is declared in `proto/ember.proto` and generated
//! here with `tonic-prost-build` (compiled by `protox`, so no system `protoc` is needed):
//!
//! - [`DriverService`](driver_service_client::DriverServiceClient): executors register, send
//!   heartbeats and report task status to the driver.
//! - [`ExecutorService`](executor_service_client::ExecutorServiceClient): the driver launches and
//!   cancels tasks and removes jobs; executors fetch shuffle data from each other.
//! - [`EmberPlanNode`]: Ember's own physical operators (shuffle writer and reader) as carried inside
//!   a datafusion-proto plan. The codec that turns them into operators lives next to the operators,
//!   in the executor crate, so this crate stays free of execution logic.
//!
//! Message sizes are bounded explicitly by the callers (see [`DEFAULT_MAX_MESSAGE_BYTES`]).

pub mod auth;
pub mod rpc;
pub mod tls;

/// The code generated from `proto/ember.proto`, re-exported at the crate root.
#[allow(clippy::all)]
#[allow(missing_docs)]
mod generated {
    tonic::include_proto!("ember.v1");
}

pub use generated::*;

pub use datafusion_proto::protobuf as datafusion_protobuf;

/// Default bound for one gRPC message in either direction (Spark's `spark.rpc.message.maxSize`
/// default, 128 MiB). Plans are sent once per stage and shuffle data is streamed in chunks, so
/// real messages stay far below it.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 128 * 1024 * 1024;

/// Size of one streamed shuffle chunk.
pub const SHUFFLE_CHUNK_BYTES: usize = 1024 * 1024;
