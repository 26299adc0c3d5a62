//! Spark SQL text to what DataFusion's SQL planner accepts.
//!
//! DataFusion parses with sqlparser's Spark dialect; Spark syntax it does not plan is rewritten
//! here, on the text ([`literals`]) or on the AST ([`rewrite`], [`pivot`]), and select items get
//! the column names Spark generates ([`names`]).

pub mod ctes;
pub mod dialect;
pub mod functions;
pub mod literals;
pub mod names;
pub mod pipes;
pub mod pivot;
pub mod rewrite;
pub mod setops;
pub mod using;
pub mod variables;
