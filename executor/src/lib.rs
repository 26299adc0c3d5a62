//! The Ember executor: runs tasks the driver sends, writes and serves shuffle files.
//!
//! An executor is a gRPC server ([`service`]) plus a task runner ([`task`]). It registers with
//! the driver and sends heartbeats ([`executor`]); each task is a stage plan rooted at a
//! [`ShuffleWriterExec`](shuffle::ShuffleWriterExec) whose output lands in one shuffle file
//! ([`shuffle`]). Downstream tasks read it through a
//! [`ShuffleReaderExec`](shuffle::ShuffleReaderExec): mapped with memmap2 when the file is on this
//! host, streamed over gRPC otherwise.
//!
//! The same code runs inside the driver process for `local[N]` and as the `ember-executor`
//! binary for `local-cluster[...]` and Kubernetes.

pub mod cli;
pub mod codec;
pub mod error;
pub mod executor;
pub mod memory;
pub mod service;
pub mod shuffle;
pub mod task;
pub mod write;

pub use error::{ExecutorError, FetchFailedError, Result};
pub use executor::{ExecutorConfig, ExecutorHandle, start};
