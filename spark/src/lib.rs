//! What Spark SQL means, on top of DataFusion.
//!
//! One crate owns Spark's semantics so that every front end (SQL text from the CLI or the Rust
//! API, and later Spark Connect plans) and every executor agree on them:
//!
//! - [`parser`]: the Spark dialect of sqlparser and the rewrites of Spark-only syntax into what
//!   DataFusion's SQL planner accepts, with Spark's generated column names;
//! - [`coercion`]: Spark's operators, casts and ANSI rules as a DataFusion expression planner;
//! - [`functions`]: Spark's built-in functions that DataFusion and `datafusion-spark` lack or
//!   implement differently;
//! - [`plan`]: Spark's semantics applied to a planned query (casts, ANSI sums, scalar
//!   subqueries, window flags) before DataFusion optimizes it;
//! - [`subqueries`]: scalar subqueries that must return one row;
//! - [`state`]: the one builder of DataFusion session state, for planning and for executors;
//! - [`options`]: the `spark.sql.*` settings these layers read, typed;
//! - [`format`]: values and type names as `spark-sql` prints them;
//! - [`errors`]: Spark's error classes for errors raised anywhere below.
//!
//! It depends on DataFusion only: the driver and the executor depend on it, never the reverse.

pub mod coercion;
pub mod errors;
pub mod format;
pub mod functions;
pub mod limits;
pub mod options;
pub mod parser;
pub mod plan;
pub mod state;
pub mod subqueries;

pub use options::SqlOptions;
