//! Shuffle: the exchange of data between stages.
//!
//! - [`writer::ShuffleWriterExec`] roots every stage and writes one file per map task.
//! - [`reader::ShuffleReaderExec`] is the leaf through which a stage reads an upstream stage.
//! - [`file`] is the on-disk format (aligned Arrow IPC segments, read through memmap2).
//! - [`fetch::ShuffleEnv`] decides between a local mapping and a remote gRPC stream.

pub mod fetch;
pub mod file;
pub mod reader;
pub mod writer;

pub use fetch::{SegmentBytes, ShuffleEnv};
pub use reader::{ShuffleReaderExec, TaskInputs};
pub use writer::{ShuffleWriteResult, ShuffleWriterExec};
