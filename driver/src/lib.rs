//! Ember: a native, Spark-compatible distributed SQL runtime.
//!
//! This crate is the driver: the library applications embed and the `ember` command.
//!
//! ```text
//! SQL text + spark.* conf
//!   -> Session (DataFusion SessionContext)            session.rs, config.rs
//!   -> logical plan -> physical plan (shuffle partitions = spark.sql.shuffle.partitions)
//!   -> stage DAG, cut at exchanges                    planner.rs
//!   -> tasks on executor slots, retries, recovery     scheduler/
//!   -> executors: in-process or processes             launcher.rs, master.rs
//!        (gRPC: driver_service.rs here, ember-executor's service on the other side)
//!   -> final stage output streamed back to the caller session.rs
//! ```
//!
//! # Example
//! ```no_run
//! # async fn example() -> ember::Result<()> {
//! let session = ember::Session::builder().master("local[2]").build().await?;
//! let df = session.sql("SELECT 40 + 2 AS answer").await?;
//! let batches = df.collect().await?;
//! session.stop().await;
//! # Ok(()) }
//! ```

pub mod catalog;
pub mod cli;
pub mod config;
pub mod datasource;
pub mod driver_service;
pub mod error;
pub mod format;
pub mod k8s;
pub mod launcher;
pub mod master;
pub mod planner;
pub mod progress;
pub mod properties;
pub mod scheduler;
pub mod security;
pub mod session;
pub mod sql;
pub mod variables;
mod writes;

pub use config::SparkConf;
pub use error::{EmberError, Result};
pub use master::Master;
pub use session::{DataFrame, Session, SessionBuilder};
