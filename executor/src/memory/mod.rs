//! Memory: the owner of how much an executor may use and where data goes when it does not fit.
//!
//! Sizing (documented in `docs/memory.md`), for `M = spark.executor.memory`:
//! - **pool** = `(M - reserved) * spark.memory.fraction` (default 0.6), with `reserved` = 300 MiB
//!   when `M > 600 MiB` (Spark's reserved memory) and 0 below, where 300 MiB would be most of a
//!   small executor. Operators (sorts, aggregations, joins, the shuffle writer's buffers) reserve
//!   from it and spill when refused; files in memory-backed local dirs are charged to it too.
//! - the rest of `M` covers what is not reserved: batches moving between operators, decoded
//!   shuffle input, gRPC buffers.
//! - **overhead** = `spark.executor.memoryOverhead`, default `max(M * 0.10, 64 MiB)`: code,
//!   allocator slack, thread stacks. A container limit of `M + overhead` holds the executor.
//!
//! [`budget::MemoryBudget`] enforces the pool and the tmpfs charge, [`local_dirs::LocalDirs`]
//! owns the local dirs, [`spill::SpillFiles`] places spill files, [`task::TaskMemory`] measures
//! one task.

pub mod budget;
pub mod local_dirs;
pub mod process;
pub mod spill;
pub mod task;

pub use budget::MemoryBudget;
pub use local_dirs::LocalDirs;
pub use spill::SpillMetrics;
pub use task::TaskMemory;

const MIB: u64 = 1024 * 1024;

/// Spark's reserved memory, kept out of the pool of executors larger than twice its size.
const RESERVED_BYTES: u64 = 300 * MIB;

/// The operator pool of an executor with `executor_memory` bytes (see the module doc).
pub fn pool_bytes(executor_memory: u64, fraction: f64) -> u64 {
    let usable = if executor_memory > 2 * RESERVED_BYTES {
        executor_memory - RESERVED_BYTES
    } else {
        executor_memory
    };
    (usable as f64 * fraction.clamp(0.0, 1.0)) as u64
}

/// Default `spark.executor.memoryOverhead` for `executor_memory` bytes: 10%, at least 64 MiB.
pub fn default_overhead_bytes(executor_memory: u64) -> u64 {
    (executor_memory / 10).max(64 * MIB)
}

/// Compression of shuffle and spill files (`spark.shuffle.compress`,
/// `spark.io.compression.codec`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Codec {
    /// Uncompressed: local readers build arrays over the mapped file without copying.
    None,
    /// LZ4 frames (Spark's default codec).
    #[default]
    Lz4,
    /// Zstandard: smaller files, more CPU.
    Zstd,
}

impl Codec {
    /// Parses Spark's codec names (`lz4`, `zstd`, `none`; `snappy`/`lzf` are refused).
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "none" | "uncompressed" => Some(Self::None),
            "lz4" => Some(Self::Lz4),
            "zstd" => Some(Self::Zstd),
            _ => None,
        }
    }

    /// The name [`Self::parse`] accepts.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Lz4 => "lz4",
            Self::Zstd => "zstd",
        }
    }

    /// Arrow IPC's compression for this codec.
    pub fn ipc(self) -> Option<arrow::ipc::CompressionType> {
        match self {
            Self::None => None,
            Self::Lz4 => Some(arrow::ipc::CompressionType::LZ4_FRAME),
            Self::Zstd => Some(arrow::ipc::CompressionType::ZSTD),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_sizing_follows_the_documented_formula() {
        assert_eq!(pool_bytes(256 * MIB, 0.5), 128 * MIB);
        assert_eq!(
            pool_bytes(4096 * MIB, 0.6),
            ((3796 * MIB) as f64 * 0.6) as u64
        );
        assert_eq!(default_overhead_bytes(256 * MIB), 64 * MIB);
        assert_eq!(default_overhead_bytes(4096 * MIB), 4096 * MIB / 10);
        assert_eq!(Codec::parse("LZ4"), Some(Codec::Lz4));
        assert_eq!(Codec::parse("snappy"), None);
    }
}
