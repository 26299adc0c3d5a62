//! `ember-benches shuffle`: Ember's shuffle data path alone, against memory bandwidth.
//!
//! ```text
//! cargo run --release -p ember-benches -- shuffle --mib 512 --partitions 8 --codec all
//! ```
//!
//! One map task's output (TPC-H lineitem batches from `tpchgen-arrow`, `--mib` MiB of Arrow
//! buffers, dealt round-robin by batch into `--partitions` reduce partitions) goes through each
//! part of the shuffle path, one thread at a time, with Ember's own functions:
//!
//! | step | medium | what runs |
//! |---|---|---|
//! | `memcpy` | memory | every Arrow buffer copied into one preallocated `Vec<u8>`: the baseline |
//! | `scan` | memory | every Arrow buffer read once (the consumer's touch below, on the source batches) |
//! | `write` | memory | [`write_segment`] per reduce partition into a reused `Vec<u8>` (no file) |
//! | `write` | tmpfs, disk | [`write_shuffle_file`], as a map task writes its file (no fsync) |
//! | `read` | memory, tmpfs, disk | [`map_file`] + [`segment_bytes`] + [`decode_segment`] of every segment |
//! | `fetch` | tmpfs, disk | [`ShuffleEnv::read_segment`] of every segment from a loopback gRPC server answering with [`serve_fetch`] |
//!
//! Every read and fetch touches every byte of the batches it gets back (a wrapping sum of 8-byte
//! words over every buffer), so zero-copy decoding is not mistaken for free reading, and checks
//! the rows and the sum of `l_orderkey` against the written data: a run that reads back anything
//! else fails instead of reporting a rate.
//!
//! Each step runs once to warm up, then `--iterations` times; rates are logical bytes (the Arrow
//! buffers in memory) per second, and encoded bytes (file or wire) per second, each also as a
//! ratio to the `memcpy` rate of the same run.
//!
//! [`serve_fetch`]: ember_executor::service::serve_fetch

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use arrow::array::{Array, ArrayData, Int64Array, RecordBatch};
use arrow::datatypes::SchemaRef;
use bytes::Bytes;
use datafusion::error::DataFusionError;
use ember_executor::ExecutorError;
use ember_executor::memory::{Codec, LocalDirs};
use ember_executor::shuffle::ShuffleEnv;
use ember_executor::shuffle::file::{
    CountingWriter, Segment, decode_segment, ipc_options, map_file, segment_bytes, write_segment,
    write_shuffle_file,
};
use ember_proto::MapOutput;
use serde::Serialize;

use crate::shuffle_report::{self, Measurement, ShuffleReport};
use crate::shuffle_server::FetchServer;

/// The job whose folder holds the benchmark's shuffle files.
const JOB_ID: &str = "shuffle-bench";
/// Executor id of the loopback server that owns the files.
const SERVER_ID: &str = "bench-server";
/// Executor id of the reading side: differs from the server's, so every read is a remote fetch.
const READER_ID: &str = "bench-reader";
/// The column whose sum checks what is read back.
const KEY_COLUMN: &str = "l_orderkey";

pub(crate) const MIB: f64 = 1024.0 * 1024.0;

/// Why `ember-benches shuffle` failed.
#[derive(Debug, thiserror::Error)]
pub enum ShuffleBenchError {
    /// The command line asks for something that cannot run.
    #[error("invalid arguments: {0}")]
    Arguments(String),
    /// A file or folder of the benchmark could not be read or written.
    #[error("i/o error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The executor's work folders could not be created.
    #[error("cannot create the shuffle folders: {0}")]
    LocalDirs(#[source] ExecutorError),
    /// Ember's shuffle writer or reader failed.
    #[error("{step}: {source}")]
    Shuffle {
        step: String,
        #[source]
        source: DataFusionError,
    },
    /// A remote fetch failed (the message is the fetch failure's).
    #[error("fetch of segment {offset}+{length} failed: {message}")]
    Fetch {
        offset: u64,
        length: u64,
        message: String,
    },
    /// The loopback fetch server could not start or stopped with an error.
    #[error("loopback fetch server: {0}")]
    Server(String),
    /// The data read back is not the data written: the benchmark would measure the wrong thing.
    #[error("{step} read back {got:?}, expected {expected:?}")]
    Mismatch {
        step: String,
        expected: Check,
        got: Check,
    },
    /// The generated data does not look like lineitem.
    #[error("generated data: {0}")]
    Data(String),
    /// The JSON report could not be serialised.
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
}

impl ShuffleBenchError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    fn shuffle(step: impl Into<String>) -> impl FnOnce(DataFusionError) -> Self {
        let step = step.into();
        move |source| Self::Shuffle { step, source }
    }
}

type Result<T, E = ShuffleBenchError> = std::result::Result<T, E>;

/// What `ember-benches shuffle` runs.
#[derive(Debug, Clone)]
pub struct ShuffleArgs {
    /// Arrow bytes of the map output, MiB.
    pub mib: usize,
    /// Reduce partitions (segments in the file).
    pub partitions: usize,
    /// Rows per generated batch.
    pub batch_rows: usize,
    pub codecs: Vec<Codec>,
    /// Timed runs per step, after one warm-up.
    pub iterations: usize,
    /// Memory-backed folder (`/dev/shm`).
    pub tmpfs_dir: PathBuf,
    /// Disk-backed folder.
    pub disk_dir: PathBuf,
    /// Where `shuffle.md` and `shuffle.json` go.
    pub out: PathBuf,
}

/// Parses `--codec`: `none`, `lz4`, `zstd`, or `all` for the three.
pub fn parse_codecs(names: &[String]) -> Result<Vec<Codec>> {
    let mut codecs = Vec::new();
    for name in names {
        if name.trim().eq_ignore_ascii_case("all") {
            codecs.extend([Codec::None, Codec::Lz4, Codec::Zstd]);
        } else {
            codecs.push(Codec::parse(name).ok_or_else(|| {
                ShuffleBenchError::Arguments(format!(
                    "unknown codec {name} (none, lz4, zstd or all)"
                ))
            })?);
        }
    }
    codecs.dedup();
    if codecs.is_empty() {
        return Err(ShuffleBenchError::Arguments("no codec given".into()));
    }
    Ok(codecs)
}

/// What a read gives back, compared with what was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Check {
    pub rows: u64,
    /// Wrapping sum of `l_orderkey`.
    pub key_sum: i64,
}

/// A map task's output: the batches of each reduce partition.
#[derive(Debug)]
struct MapData {
    schema: SchemaRef,
    partitions: Vec<Vec<RecordBatch>>,
    batches: usize,
    /// Bytes of every Arrow buffer.
    logical_bytes: u64,
    check: Check,
}

/// Where shuffle bytes are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Medium {
    /// A `Vec<u8>` (or the source batches themselves).
    Memory,
    /// A file in the memory-backed folder.
    Tmpfs,
    /// A file in the disk-backed folder (through the page cache).
    Disk,
}

impl Medium {
    pub fn name(self) -> &'static str {
        match self {
            Self::Memory => "memory",
            Self::Tmpfs => "tmpfs",
            Self::Disk => "disk",
        }
    }
}

/// One part of the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// Baseline: copy every buffer.
    Memcpy,
    /// Baseline: read every buffer.
    Scan,
    /// Encode to Arrow IPC segments.
    Write,
    /// Map (or slice) and decode locally.
    Read,
    /// Fetch over gRPC and decode.
    Fetch,
}

/// Calls `f` on every buffer of `batch`: validity, values/offsets/views, variadic data, children.
fn for_each_buffer(batch: &RecordBatch, f: &mut impl FnMut(&[u8])) {
    fn visit(data: &ArrayData, f: &mut impl FnMut(&[u8])) {
        if let Some(nulls) = data.nulls() {
            f(nulls.buffer().as_slice());
        }
        for buffer in data.buffers() {
            f(buffer.as_slice());
        }
        for child in data.child_data() {
            visit(child, f);
        }
    }
    for column in batch.columns() {
        visit(&column.to_data(), f);
    }
}

/// Bytes of every Arrow buffer of `batches`.
fn logical_bytes<'a>(batches: impl IntoIterator<Item = &'a RecordBatch>) -> u64 {
    let mut bytes = 0u64;
    for batch in batches {
        for_each_buffer(batch, &mut |b| bytes += b.len() as u64);
    }
    bytes
}

/// Wrapping sum of `bytes` as little-endian 8-byte words (the tail zero-padded), in four lanes
/// so that the loop vectorises.
fn word_sum(bytes: &[u8]) -> u64 {
    let mut lanes = [0u64; 4];
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (lane, word) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            *lane = lane.wrapping_add(<[u8; 8]>::try_from(word).map_or(0, u64::from_le_bytes));
        }
    }
    let mut tail = [0u8; 32];
    let rest = blocks.remainder();
    tail[..rest.len()].copy_from_slice(rest);
    for (lane, word) in lanes.iter_mut().zip(tail.chunks_exact(8)) {
        *lane = lane.wrapping_add(<[u8; 8]>::try_from(word).map_or(0, u64::from_le_bytes));
    }
    lanes.iter().fold(0, |a, l| a.wrapping_add(*l))
}

/// What a consumer does with a batch it received: reads every byte (returned: the word sum, so
/// that the reads cannot be optimised away) and checks rows and the key column.
fn touch(batch: &RecordBatch, check: &mut Check) -> Result<u64> {
    let mut sum = 0u64;
    for_each_buffer(batch, &mut |b| sum = sum.wrapping_add(word_sum(b)));
    let keys = batch
        .column_by_name(KEY_COLUMN)
        .and_then(|c| c.as_any().downcast_ref::<Int64Array>())
        .ok_or_else(|| ShuffleBenchError::Data(format!("no Int64 column {KEY_COLUMN}")))?;
    check.rows += batch.num_rows() as u64;
    check.key_sum = keys
        .values()
        .iter()
        .fold(check.key_sum, |a, v| a.wrapping_add(*v));
    Ok(sum)
}

/// Touches every batch; fails unless rows and key sum are `expected`.
fn verify<'a>(
    step: &str,
    batches: impl IntoIterator<Item = &'a RecordBatch>,
    expected: Check,
) -> Result<Check> {
    let mut got = Check {
        rows: 0,
        key_sum: 0,
    };
    let mut sum = 0u64;
    for batch in batches {
        sum = sum.wrapping_add(touch(batch, &mut got)?);
    }
    std::hint::black_box(sum);
    if got == expected {
        Ok(got)
    } else {
        Err(ShuffleBenchError::Mismatch {
            step: step.to_string(),
            expected,
            got,
        })
    }
}

/// Generates lineitem batches until they hold `mib` MiB, dealt round-robin (by batch) into
/// `partitions` reduce partitions.
fn generate(mib: usize, partitions: usize, batch_rows: usize) -> Result<MapData> {
    use tpchgen::generators::LineItemGenerator;
    use tpchgen_arrow::{LineItemArrow, RecordBatchIterator};

    let target = (mib as f64 * MIB) as u64;
    // About 200 bytes a row, 6M rows per unit of scale: twice what is needed (generation is
    // lazy, so a larger scale costs nothing).
    let scale = (mib as f64 / 500.0).max(0.01);
    let lineitem =
        LineItemArrow::new(LineItemGenerator::new(scale, 1, 1)).with_batch_size(batch_rows);
    let schema = Arc::clone(lineitem.schema());
    let mut parts = vec![Vec::new(); partitions];
    let mut check = Check {
        rows: 0,
        key_sum: 0,
    };
    let mut bytes = 0u64;
    let mut batches = 0;
    for batch in lineitem {
        if bytes >= target {
            break;
        }
        bytes += logical_bytes([&batch]);
        touch(&batch, &mut check)?;
        parts[batches % partitions].push(batch);
        batches += 1;
    }
    if bytes < target {
        return Err(ShuffleBenchError::Data(format!(
            "lineitem at scale {scale} has only {bytes} bytes"
        )));
    }
    Ok(MapData {
        schema,
        partitions: parts,
        batches,
        logical_bytes: bytes,
        check,
    })
}

/// Times of one step: one warm-up, then `iterations` runs of `run`, each after `setup` (not
/// timed). Returns the times and the last run's output.
async fn measure<S, T>(
    label: &str,
    iterations: usize,
    mut setup: impl FnMut() -> Result<S>,
    mut run: impl AsyncFnMut(S) -> Result<T>,
) -> Result<(Vec<f64>, T)> {
    eprint!("shuffle: {label:<22}");
    let mut last = run(setup()?).await?;
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let input = setup()?;
        let started = Instant::now();
        last = run(input).await?;
        times.push(started.elapsed().as_secs_f64());
    }
    Ok((times, last))
}

/// The folders of both media, deleted when dropped.
struct WorkDirs(Arc<LocalDirs>);

impl Drop for WorkDirs {
    fn drop(&mut self) {
        self.0.remove_all();
    }
}

/// One written shuffle file.
#[derive(Debug, Clone)]
struct WrittenFile {
    name: String,
    path: PathBuf,
    segments: Vec<Segment>,
    length: u64,
}

/// Runs every step and writes `shuffle.md` and `shuffle.json` into `args.out`; the report is
/// also printed on stdout, progress on stderr.
///
/// # Errors
/// Bad arguments, I/O errors, shuffle errors, and any read that returns other data than was
/// written.
pub async fn run(args: &ShuffleArgs) -> Result<ShuffleReport> {
    if args.mib == 0 || args.partitions == 0 || args.batch_rows == 0 || args.iterations == 0 {
        return Err(ShuffleBenchError::Arguments(
            "--mib, --partitions, --batch-rows and --iterations must be at least 1".into(),
        ));
    }
    let started = Instant::now();
    eprintln!(
        "shuffle: generating {} MiB of lineitem in {} partitions",
        args.mib, args.partitions
    );
    let data = generate(args.mib, args.partitions, args.batch_rows)?;
    eprintln!(
        "shuffle: {} rows, {} batches, {:.1} MiB in {:.1} s",
        data.check.rows,
        data.batches,
        data.logical_bytes as f64 / MIB,
        started.elapsed().as_secs_f64()
    );
    let roots = [args.tmpfs_dir.clone(), args.disk_dir.clone()];
    let dirs = Arc::new(
        LocalDirs::create(&roots, SERVER_ID, false).map_err(ShuffleBenchError::LocalDirs)?,
    );
    let dirs = WorkDirs(dirs);
    let [tmpfs, disk] = dirs.0.dirs() else {
        return Err(ShuffleBenchError::Arguments(format!(
            "--tmpfs-dir and --disk-dir gave {} work folders instead of 2",
            dirs.0.dirs().len()
        )));
    };
    if !tmpfs.memory_backed {
        eprintln!(
            "shuffle: warning: {} is not a tmpfs: the tmpfs rows measure a disk",
            args.tmpfs_dir.display()
        );
    }
    if disk.memory_backed {
        eprintln!(
            "shuffle: warning: {} is memory-backed: the disk rows measure memory",
            args.disk_dir.display()
        );
    }
    let job_dirs = [tmpfs, disk].map(|d| LocalDirs::job_dir(d, JOB_ID));
    for dir in &job_dirs {
        std::fs::create_dir_all(dir).map_err(|e| ShuffleBenchError::io(dir, e))?;
    }
    let config = ember_executor::ExecutorConfig::new(READER_ID, "");
    let server = FetchServer::start(Arc::clone(&dirs.0), config.max_message_bytes).await?;
    let env = ShuffleEnv::new(
        READER_ID,
        "127.0.0.1",
        false,
        config.max_message_bytes,
        config.max_bytes_in_flight,
    );

    let mut measurements = Vec::new();
    let result = measure_all(args, &data, &job_dirs, &server, &env, &mut measurements).await;
    let stopped = server.stop().await;
    result?;
    stopped?;

    let report = ShuffleReport::new(
        args,
        data.check,
        data.batches,
        data.logical_bytes,
        [tmpfs.memory_backed, disk.memory_backed],
        measurements,
    );
    shuffle_report::write(&report, &args.out)?;
    eprintln!(
        "shuffle: done in {:.1} s; report in {}",
        started.elapsed().as_secs_f64(),
        args.out.join("shuffle.md").display()
    );
    Ok(report)
}

/// Every step, appended to `out` as it is measured.
async fn measure_all(
    args: &ShuffleArgs,
    data: &MapData,
    job_dirs: &[PathBuf; 2],
    server: &FetchServer,
    env: &ShuffleEnv,
    out: &mut Vec<Measurement>,
) -> Result<()> {
    let n = args.iterations;
    let logical = data.logical_bytes;
    let all: Vec<&RecordBatch> = data.partitions.iter().flatten().collect();

    // Baselines: the same buffers, copied and scanned.
    let mut target = vec![0u8; logical as usize];
    let (times, copied) = measure(
        "memcpy",
        n,
        || Ok(()),
        async |()| {
            let mut at = 0;
            for batch in &all {
                for_each_buffer(batch, &mut |b| {
                    target[at..at + b.len()].copy_from_slice(b);
                    at += b.len();
                });
            }
            std::hint::black_box(&target);
            Ok(at as u64)
        },
    )
    .await?;
    if copied != logical {
        return Err(ShuffleBenchError::Data(format!(
            "memcpy copied {copied} bytes of {logical}"
        )));
    }
    drop(target);
    record(
        Measurement::new(Step::Memcpy, Medium::Memory, None, logical, logical, times),
        out,
    );
    let (times, _) = measure(
        "scan",
        n,
        || Ok(()),
        async |()| verify("scan", all.iter().copied(), data.check),
    )
    .await?;
    record(
        Measurement::new(Step::Scan, Medium::Memory, None, logical, logical, times),
        out,
    );

    for (codec_index, &codec) in args.codecs.iter().enumerate() {
        let c = codec.name();
        let codec_name = Some(c);

        // Writes.
        let mut encoded = Vec::new();
        let (times, memory_segments) = measure(
            &format!("write memory {c}"),
            n,
            || Ok(()),
            async |()| write_memory(&mut encoded, &data.schema, &data.partitions, codec),
        )
        .await?;
        let memory = Bytes::from(encoded);
        record(
            Measurement::new(
                Step::Write,
                Medium::Memory,
                codec_name,
                logical,
                memory.len() as u64,
                times,
            ),
            out,
        );
        let mut files = Vec::new();
        for (medium_index, medium) in [Medium::Tmpfs, Medium::Disk].into_iter().enumerate() {
            let name = format!("s{codec_index}-m{medium_index}-a0.data");
            let path = job_dirs[medium_index].join(&name);
            let (times, segments) = measure(
                &format!("write {} {c}", medium.name()),
                n,
                || {
                    match std::fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(ShuffleBenchError::io(&path, e)),
                    }
                    Ok(data.partitions.clone())
                },
                async |parts| {
                    write_shuffle_file(&path, &data.schema, &[], parts, codec).map_err(
                        ShuffleBenchError::shuffle(format!("writing {}", path.display())),
                    )
                },
            )
            .await?;
            let length = std::fs::metadata(&path)
                .map_err(|e| ShuffleBenchError::io(&path, e))?
                .len();
            let rows: u64 = segments.iter().map(|s| s.rows).sum();
            if rows != data.check.rows {
                return Err(ShuffleBenchError::Data(format!(
                    "{} holds {rows} rows of {}",
                    path.display(),
                    data.check.rows
                )));
            }
            record(
                Measurement::new(Step::Write, medium, codec_name, logical, length, times),
                out,
            );
            files.push((
                medium,
                WrittenFile {
                    name,
                    path,
                    segments,
                    length,
                },
            ));
        }

        // Local reads.
        let label = format!("read memory {c}");
        let (times, _) = measure(
            &label,
            n,
            || Ok(()),
            async |()| {
                let mut batches = Vec::new();
                for s in &memory_segments {
                    let bytes = segment_bytes(&memory, s.offset, s.length)
                        .map_err(ShuffleBenchError::shuffle(&label))?;
                    batches
                        .extend(decode_segment(bytes).map_err(ShuffleBenchError::shuffle(&label))?);
                }
                verify(&label, &batches, data.check)
            },
        )
        .await?;
        record(
            Measurement::new(
                Step::Read,
                Medium::Memory,
                codec_name,
                logical,
                memory.len() as u64,
                times,
            ),
            out,
        );
        drop(memory);
        for (medium, file) in &files {
            let label = format!("read {} {c}", medium.name());
            let (times, _) = measure(
                &label,
                n,
                || Ok(()),
                async |()| read_local(&label, file, data.check),
            )
            .await?;
            record(
                Measurement::new(Step::Read, *medium, codec_name, logical, file.length, times),
                out,
            );
        }

        // Remote fetches.
        for (medium, file) in &files {
            let label = format!("fetch {} {c}", medium.name());
            let output = MapOutput {
                map_partition: 0,
                executor_id: SERVER_ID.into(),
                host: "127.0.0.1".into(),
                port: u32::from(server.port()),
                file: file.name.clone(),
                path: file.path.display().to_string(),
                segments: Vec::new(),
            };
            let before = env.bytes_fetched();
            let (times, _) = measure(
                &label,
                n,
                || Ok(()),
                async |()| {
                    let mut batches = Vec::new();
                    for s in &file.segments {
                        let got = env
                            .read_segment(JOB_ID, &output, s.offset, s.length)
                            .await
                            .map_err(|message| ShuffleBenchError::Fetch {
                                offset: s.offset,
                                length: s.length,
                                message,
                            })?;
                        batches.extend(
                            decode_segment(got.bytes().clone())
                                .map_err(ShuffleBenchError::shuffle(&label))?,
                        );
                    }
                    verify(&label, &batches, data.check)
                },
            )
            .await?;
            let fetched = (env.bytes_fetched() - before) / (n as u64 + 1);
            record(
                Measurement::new(Step::Fetch, *medium, codec_name, logical, fetched, times),
                out,
            );
        }
        for (_, file) in &files {
            std::fs::remove_file(&file.path).map_err(|e| ShuffleBenchError::io(&file.path, e))?;
        }
    }
    Ok(())
}

/// Appends `m` to `out` and shows it on stderr, with its ratio to the memcpy row (the first).
fn record(m: Measurement, out: &mut Vec<Measurement>) {
    let memcpy = out
        .first()
        .map_or(m.logical_mib_s_best, |b| b.logical_mib_s_best);
    eprintln!(
        " best {:>7.3} s  median {:>7.3} s  {:>6.0} MiB/s  {:.3} x memcpy",
        m.best_s,
        m.median_s,
        m.logical_mib_s_best,
        m.logical_mib_s_best / memcpy.max(f64::MIN_POSITIVE)
    );
    out.push(m);
}

/// Encodes every partition as one aligned segment into `out` (cleared first, its capacity
/// reused as memcpy's target is), as [`write_shuffle_file`] does into a file.
fn write_memory(
    out: &mut Vec<u8>,
    schema: &SchemaRef,
    partitions: &[Vec<RecordBatch>],
    codec: Codec,
) -> Result<Vec<Segment>> {
    let step = "writing into memory";
    let options = ipc_options(codec).map_err(ShuffleBenchError::shuffle(step))?;
    out.clear();
    let mut out = CountingWriter::new(out);
    let mut segments = Vec::new();
    for (p, batches) in partitions.iter().enumerate() {
        segments.extend(
            write_segment(&mut out, schema, p, batches, &options)
                .map_err(ShuffleBenchError::shuffle(step))?,
        );
    }
    Ok(segments)
}

/// Maps a file and decodes every segment, as a reduce task on the same executor does.
fn read_local(label: &str, file: &WrittenFile, expected: Check) -> Result<Check> {
    let mapped = map_file(&file.path).map_err(ShuffleBenchError::shuffle(label))?;
    let mut batches = Vec::new();
    for s in &file.segments {
        let bytes = segment_bytes(&mapped, s.offset, s.length)
            .map_err(ShuffleBenchError::shuffle(label))?;
        batches.extend(decode_segment(bytes).map_err(ShuffleBenchError::shuffle(label))?);
    }
    verify(label, &batches, expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn args(root: &Path) -> ShuffleArgs {
        ShuffleArgs {
            mib: 2,
            partitions: 3,
            batch_rows: 1000,
            codecs: vec![Codec::None, Codec::Lz4, Codec::Zstd],
            iterations: 1,
            tmpfs_dir: root.join("tmpfs"),
            disk_dir: root.join("disk"),
            out: root.join("out"),
        }
    }

    #[test]
    fn codecs_parse_with_all() -> Result<()> {
        assert_eq!(
            parse_codecs(&["all".into()])?,
            vec![Codec::None, Codec::Lz4, Codec::Zstd]
        );
        assert_eq!(parse_codecs(&["LZ4".into()])?, vec![Codec::Lz4]);
        assert!(parse_codecs(&["snappy".into()]).is_err());
        Ok(())
    }

    #[test]
    fn word_sum_reads_every_byte() {
        let bytes: Vec<u8> = (0..77u8).collect();
        let expected = bytes.chunks(8).fold(0u64, |a, c| {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            a.wrapping_add(u64::from_le_bytes(w))
        });
        assert_eq!(word_sum(&bytes), expected);
    }

    #[test]
    fn generated_data_is_dealt_round_robin() -> Result<()> {
        let data = generate(1, 4, 500)?;
        assert!(data.logical_bytes >= MIB as u64);
        assert_eq!(data.partitions.len(), 4);
        assert_eq!(
            data.partitions.iter().map(Vec::len).sum::<usize>(),
            data.batches
        );
        assert!(data.partitions.iter().all(|p| !p.is_empty()));
        let rows: usize = data.partitions.iter().flatten().map(|b| b.num_rows()).sum();
        assert_eq!(rows as u64, data.check.rows);
        Ok(())
    }

    /// The whole benchmark on tiny data: every path reads back what was written (rows and key
    /// sum, checked inside each step and again here), every row of the report is there.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shuffle_bench_reads_back_what_it_wrote() -> Result<()> {
        let root = tempfile::tempdir().map_err(|e| ShuffleBenchError::io("tempdir", e))?;
        let args = args(root.path());
        let report = run(&args).await?;
        assert!(report.logical_bytes >= 2 * MIB as u64);
        assert!(report.check.rows > 0);
        let expected = 2 + args.codecs.len() * (3 + 3 + 2);
        assert_eq!(report.measurements.len(), expected);
        for m in &report.measurements {
            assert_eq!(m.runs_s.len(), 1);
            assert!(m.encoded_bytes > 0, "{m:?}");
            assert!(m.memcpy_ratio_best.is_finite(), "{m:?}");
        }
        // Compressed files are smaller than uncompressed ones; remote fetches moved the bytes.
        let encoded = |step, medium, codec: &str| {
            report
                .measurements
                .iter()
                .find(|m| m.step == step && m.medium == medium && m.codec == Some(codec))
                .map(|m| m.encoded_bytes)
        };
        let none = encoded(Step::Write, Medium::Tmpfs, "none");
        let zstd = encoded(Step::Write, Medium::Tmpfs, "zstd");
        assert!(zstd < none, "zstd {zstd:?}, none {none:?}");
        assert!(encoded(Step::Fetch, Medium::Disk, "lz4") > Some(0));
        assert!(args.out.join("shuffle.md").is_file());
        let json = std::fs::read_to_string(args.out.join("shuffle.json"))
            .map_err(|e| ShuffleBenchError::io("shuffle.json", e))?;
        let value: serde_json::Value = serde_json::from_str(&json)?;
        assert_eq!(value["check"]["rows"], report.check.rows);
        // The work folders are gone.
        for dir in [&args.tmpfs_dir, &args.disk_dir] {
            let left = std::fs::read_dir(dir)
                .map_err(|e| ShuffleBenchError::io(dir, e))?
                .count();
            assert_eq!(left, 0, "{}", dir.display());
        }
        Ok(())
    }
}
