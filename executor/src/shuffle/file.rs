//! The on-disk shuffle format.
//!
//! One map task writes one file. The file is a sequence of *segments*, one per non-empty reduce
//! partition; each segment is a complete Arrow IPC stream starting at a 64-byte aligned offset, so
//! that a reader mapping the file with memmap2 gets aligned buffers and builds arrays over the
//! mapping without copying. The segment table (offset, length, rows per reduce partition) is not
//! stored in the file: it travels to the driver in the task's status and from there to readers.
//!
//! Files are written under a temporary name and renamed into place when complete, so a reader never
//! sees a partial file. Once renamed, a file is immutable until its job's folder is deleted.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use arrow::array::RecordBatch;
use arrow::buffer::Buffer;
use arrow::datatypes::SchemaRef;
use arrow::ipc::MetadataVersion;
use arrow::ipc::reader::StreamDecoder;
use arrow::ipc::writer::{IpcWriteOptions, StreamWriter};
use bytes::Bytes;
use datafusion::error::{DataFusionError, Result};

use crate::error::contain_panic;
use crate::memory::Codec;

/// Alignment of every segment and of every buffer inside it.
const ALIGNMENT: usize = 64;

/// Where one reduce partition's data sits inside a shuffle file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub reduce_partition: u32,
    pub offset: u64,
    pub length: u64,
    pub rows: u64,
}

/// Counts bytes as they pass, so segment offsets need no `seek`.
#[derive(Debug)]
pub struct CountingWriter<W> {
    inner: W,
    written: u64,
}

impl<W: Write> CountingWriter<W> {
    /// Wraps `inner`, counting from 0.
    pub fn new(inner: W) -> Self {
        Self { inner, written: 0 }
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The wrapped writer.
    pub fn into_inner(self) -> W {
        self.inner
    }

    /// Pads with zeros to the next [`ALIGNMENT`] boundary; returns the aligned offset.
    fn align(&mut self) -> Result<u64> {
        let padding = (ALIGNMENT - (self.written as usize % ALIGNMENT)) % ALIGNMENT;
        self.write_all(&[0u8; ALIGNMENT][..padding])
            .map_err(|e| DataFusionError::Execution(format!("shuffle write: {e}")))?;
        Ok(self.written)
    }
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn io_err(path: &Path, e: std::io::Error) -> DataFusionError {
    DataFusionError::Execution(format!("shuffle file {}: {e}", path.display()))
}

/// Arrow IPC options of every shuffle segment: 64-byte alignment, compressed per `codec`.
pub fn ipc_options(codec: Codec) -> Result<IpcWriteOptions> {
    Ok(
        IpcWriteOptions::try_new(ALIGNMENT, false, MetadataVersion::V5)?
            .try_with_compression(codec.ipc())?,
    )
}

/// Appends `batches` as one aligned segment of `reduce_partition` (nothing if they hold no
/// rows).
pub fn write_segment<W: Write>(
    out: &mut CountingWriter<W>,
    schema: &SchemaRef,
    reduce_partition: usize,
    batches: &[RecordBatch],
    options: &IpcWriteOptions,
) -> Result<Option<Segment>> {
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    if rows == 0 {
        return Ok(None);
    }
    let offset = out.align()?;
    let mut writer = StreamWriter::try_new_with_options(&mut *out, schema, options.clone())?;
    for batch in batches {
        if batch.num_rows() > 0 {
            writer.write(batch)?;
        }
    }
    writer.finish()?;
    drop(writer);
    Ok(Some(Segment {
        reduce_partition: reduce_partition as u32,
        offset,
        length: out.written - offset,
        rows: rows as u64,
    }))
}

/// A spill run of the shuffle writer: segments (at most one per reduce partition) in a file
/// whose bytes are given as consecutive chunks.
#[derive(Debug, Clone)]
pub struct RunBytes {
    pub chunks: Vec<Bytes>,
    pub segments: Vec<Segment>,
}

impl RunBytes {
    /// Copies `length` bytes from `offset` of the run into `out`.
    fn copy_range<W: Write>(&self, offset: u64, length: u64, out: &mut W) -> Result<()> {
        let mut position = 0u64;
        let (mut start, end) = (offset, offset + length);
        for chunk in &self.chunks {
            let chunk_end = position + chunk.len() as u64;
            if start < chunk_end && start < end {
                let from = (start - position) as usize;
                let to = (end.min(chunk_end) - position) as usize;
                out.write_all(&chunk[from..to])
                    .map_err(|e| DataFusionError::Execution(format!("shuffle merge: {e}")))?;
                start = chunk_end.min(end);
            }
            position = chunk_end;
        }
        if start != end {
            return Err(DataFusionError::Execution(format!(
                "shuffle spill run is shorter than its segment table ({offset}+{length})"
            )));
        }
        Ok(())
    }
}

/// Writes the shuffle file of one map task: for each reduce partition `i`, its segments from
/// every spill run (copied as they are), then `partitions[i]` from memory. Empty partitions get
/// no segment; a partition may get several. Returns the segment table. Blocking: call from
/// `spawn_blocking`.
pub fn write_shuffle_file(
    path: &Path,
    schema: &SchemaRef,
    runs: &[RunBytes],
    partitions: Vec<Vec<RecordBatch>>,
    codec: Codec,
) -> Result<Vec<Segment>> {
    let tmp = path.with_extension("tmp");
    let result = write_to(&tmp, schema, runs, partitions, codec);
    match result {
        Ok(segments) => {
            std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
            Ok(segments)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn write_to(
    tmp: &Path,
    schema: &SchemaRef,
    runs: &[RunBytes],
    partitions: Vec<Vec<RecordBatch>>,
    codec: Codec,
) -> Result<Vec<Segment>> {
    let file = File::create(tmp).map_err(|e| io_err(tmp, e))?;
    let mut out = CountingWriter::new(BufWriter::with_capacity(1 << 20, file));
    let options = ipc_options(codec)?;
    let mut segments = Vec::new();
    let reduce_partitions = runs
        .iter()
        .flat_map(|r| r.segments.iter().map(|s| s.reduce_partition as usize + 1))
        .max()
        .unwrap_or(0)
        .max(partitions.len());
    let mut partitions = partitions.into_iter();
    for reduce_partition in 0..reduce_partitions {
        for run in runs {
            for seg in run
                .segments
                .iter()
                .filter(|s| s.reduce_partition as usize == reduce_partition)
            {
                let offset = out.align()?;
                run.copy_range(seg.offset, seg.length, &mut out)?;
                segments.push(Segment { offset, ..*seg });
            }
        }
        let batches = partitions.next().unwrap_or_default();
        if let Some(seg) = write_segment(&mut out, schema, reduce_partition, &batches, &options)? {
            segments.push(seg);
        }
    }
    let file = out
        .inner
        .into_inner()
        .map_err(|e| io_err(tmp, e.into_error()))?;
    // No fsync: shuffle files are scratch data that is regenerated if the host goes away.
    drop(file);
    Ok(segments)
}

/// Maps a whole shuffle file into memory. The returned bytes borrow the mapping, so slices of it
/// and the Arrow arrays decoded from them share the page cache instead of copying it.
pub fn map_file(path: &Path) -> Result<Bytes> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let len = file.metadata().map_err(|e| io_err(path, e))?.len();
    if len == 0 {
        return Ok(Bytes::new());
    }
    // SAFETY: shuffle files are renamed into place only once complete and never modified
    // afterwards; they are deleted only when their job ends, after which no reader uses them.
    // A concurrent truncation by another process would be a bug outside Ember's control.
    let mmap = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| io_err(path, e))?;
    Ok(Bytes::from_owner(mmap))
}

/// Returns one segment's bytes out of a mapped (or fetched) file, checking its bounds.
pub fn segment_bytes(file: &Bytes, offset: u64, length: u64) -> Result<Bytes> {
    let end = offset
        .checked_add(length)
        .filter(|end| *end <= file.len() as u64);
    match end {
        Some(end) => Ok(file.slice(offset as usize..end as usize)),
        None => Err(DataFusionError::Execution(format!(
            "shuffle segment {offset}+{length} lies outside a file of {} bytes",
            file.len()
        ))),
    }
}

/// Incrementally decodes an Arrow IPC stream that arrives in chunks (or in one piece). Arrays
/// reference the chunks' memory where alignment allows.
#[derive(Debug, Default)]
pub struct SegmentDecoder {
    decoder: StreamDecoder,
}

impl SegmentDecoder {
    /// Feeds one chunk and appends every batch it completes to `out`.
    pub fn push(&mut self, chunk: Bytes, out: &mut Vec<RecordBatch>) -> Result<()> {
        let mut buffer = Buffer::from(chunk);
        while !buffer.is_empty() {
            let decoder = &mut self.decoder;
            let decoded = contain_panic("shuffle block", || Ok(decoder.decode(&mut buffer)?))?;
            if let Some(batch) = decoded {
                out.push(batch);
            }
        }
        Ok(())
    }

    /// Fails when the stream stopped in the middle of a message.
    pub fn finish(mut self) -> Result<()> {
        self.decoder.finish()?;
        Ok(())
    }
}

/// Decodes a complete segment, one IPC message at a time, lazily: a reader holds one decoded
/// batch of a segment at a time, not the whole segment (which, decompressed, can be many times
/// the memory its task reserved).
///
/// Each message is handed to the decoder as its own buffer, so that arrays which reference the
/// segment's bytes (uncompressed buffers, read in place) hold a buffer the size of their own
/// message: memory accounting measures an array by its buffers' capacity, and arrays sharing one
/// buffer the size of the whole segment would each be counted as the whole segment.
#[derive(Debug)]
pub struct SegmentBatches {
    messages: std::collections::VecDeque<Bytes>,
    decoder: Option<StreamDecoder>,
}

impl SegmentBatches {
    /// Frames `bytes` into messages; decoding happens as batches are taken.
    pub fn new(bytes: &Bytes) -> Result<Self> {
        Ok(Self {
            messages: split_messages(bytes)?.into(),
            decoder: Some(StreamDecoder::new()),
        })
    }
}

impl Iterator for SegmentBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let decoder = self.decoder.as_mut()?;
            let Some(message) = self.messages.pop_front() else {
                // End of the segment: a stream cut in the middle of a message is an error.
                let result = decoder.finish();
                self.decoder = None;
                return result.err().map(|e| Err(e.into()));
            };
            let mut buffer = Buffer::from(message);
            while !buffer.is_empty() {
                let decoded = contain_panic("shuffle block", || Ok(decoder.decode(&mut buffer)?));
                match decoded {
                    Ok(Some(batch)) => {
                        if !buffer.is_empty() {
                            // One message holds at most one batch; keep what follows.
                            self.messages
                                .push_front(Bytes::copy_from_slice(buffer.as_slice()));
                        }
                        return Some(Ok(batch));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        self.decoder = None;
                        return Some(Err(e));
                    }
                }
            }
        }
    }
}

/// Decodes a complete segment into batches (see [`SegmentBatches`] to take them one at a time).
pub fn decode_segment(bytes: Bytes) -> Result<Vec<RecordBatch>> {
    SegmentBatches::new(&bytes)?.collect()
}

/// Cuts an Arrow IPC stream into its messages (framing prefix, metadata and body each), ending
/// with the end-of-stream marker. Bytes that do not frame as IPC are left to the decoder,
/// which reports them.
pub fn split_messages(bytes: &Bytes) -> Result<Vec<Bytes>> {
    let mut messages = Vec::new();
    let mut position = 0usize;
    let read_i32 = |at: usize| -> Option<i32> {
        let raw: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(i32::from_le_bytes(raw))
    };
    while position < bytes.len() {
        // `0xFFFFFFFF` continuation marker then the metadata length (older streams: the length
        // alone).
        let (prefix, meta_len) = match read_i32(position) {
            Some(-1) => (8, read_i32(position + 4)),
            other => (4, other),
        };
        let Some(meta_len) = meta_len.and_then(|l| usize::try_from(l).ok()) else {
            break;
        };
        let meta_start = position + prefix;
        let Some(meta) = bytes.get(meta_start..meta_start + meta_len) else {
            break;
        };
        let parsed = if meta_len == 0 {
            None
        } else {
            match arrow::ipc::root_as_message(meta) {
                Ok(message) => Some(message),
                Err(_) => break,
            }
        };
        let body_len = parsed.map_or(0, |m| usize::try_from(m.bodyLength()).unwrap_or(usize::MAX));
        let body_start = meta_start + meta_len;
        let Some(end) = body_start
            .checked_add(body_len)
            .filter(|end| *end <= bytes.len())
        else {
            break;
        };
        if let Some(message) = parsed {
            check_decompressed_lengths(&message, &bytes[body_start..end])?;
        }
        messages.push(bytes.slice(position..end));
        position = end;
    }
    if position < bytes.len() {
        messages.push(bytes.slice(position..));
    }
    Ok(messages)
}

/// Largest buffer a compressed shuffle block may claim to decompress to: Arrow's 32-bit offsets
/// cap a variable-width buffer there, and no batch Ember writes comes near it.
const MAX_DECOMPRESSED_BUFFER: i64 = i32::MAX as i64;

/// Refuses a message whose compressed buffers claim more than [`MAX_DECOMPRESSED_BUFFER`]
/// bytes once decompressed. Arrow's decoder allocates what the 8-byte prefix of a compressed
/// buffer claims before decompressing it; a corrupted or forged prefix would otherwise make it
/// allocate without bound (the process aborts, no error can be returned).
fn check_decompressed_lengths(message: &arrow::ipc::Message<'_>, body: &[u8]) -> Result<()> {
    let batch = message.header_as_record_batch().or_else(|| {
        message
            .header_as_dictionary_batch()
            .and_then(|dictionary| dictionary.data())
    });
    let Some(batch) = batch.filter(|b| b.compression().is_some()) else {
        return Ok(());
    };
    for buffer in batch.buffers().into_iter().flatten() {
        let start = usize::try_from(buffer.offset()).unwrap_or(usize::MAX);
        let Some(prefix) = start.checked_add(8).and_then(|end| body.get(start..end)) else {
            continue;
        };
        if buffer.length() < 8 {
            continue;
        }
        let mut raw = [0u8; 8];
        raw.copy_from_slice(prefix);
        let claimed = i64::from_le_bytes(raw);
        if claimed > MAX_DECOMPRESSED_BUFFER {
            return Err(DataFusionError::Execution(format!(
                "malformed shuffle block: a buffer claims {claimed} bytes decompressed"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;

    fn batch(start: i64, n: i64) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int64, false),
            Field::new("b", DataType::Utf8, true),
        ]));
        let a = Int64Array::from_iter_values(start..start + n);
        let b = StringArray::from_iter((start..start + n).map(|v| Some(format!("v{v}"))));
        RecordBatch::try_new(schema, vec![Arc::new(a), Arc::new(b)]).expect("valid batch")
    }

    #[test]
    fn segments_round_trip_through_a_mapped_file() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| DataFusionError::External(e.into()))?;
        let path = dir.path().join("m0.data");
        let schema = batch(0, 1).schema();
        let parts = vec![vec![batch(0, 3), batch(3, 2)], vec![], vec![batch(100, 7)]];
        let segments = write_shuffle_file(&path, &schema, &[], parts, Codec::None)?;
        assert_eq!(segments.len(), 2);
        assert_eq!(segments[0].rows, 5);
        assert_eq!(segments[1].reduce_partition, 2);
        assert_eq!(segments[1].offset % ALIGNMENT as u64, 0);
        let file = map_file(&path)?;
        let first = decode_segment(segment_bytes(
            &file,
            segments[0].offset,
            segments[0].length,
        )?)?;
        assert_eq!(first, vec![batch(0, 3), batch(3, 2)]);
        let third = decode_segment(segment_bytes(
            &file,
            segments[1].offset,
            segments[1].length,
        )?)?;
        assert_eq!(third, vec![batch(100, 7)]);
        // The int column of the mapped batch points into the mapping: no copy was made.
        let values = third[0].column(0).to_data().buffers()[0].as_ptr() as usize;
        let base = file.as_ptr() as usize;
        assert!(values >= base && values < base + file.len());
        Ok(())
    }

    #[test]
    fn chunked_decoding_matches_whole_decoding() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| DataFusionError::External(e.into()))?;
        let path = dir.path().join("m1.data");
        let schema = batch(0, 1).schema();
        let segments = write_shuffle_file(
            &path,
            &schema,
            &[],
            vec![vec![batch(0, 1000), batch(5, 10)]],
            Codec::Lz4,
        )?;
        let file = map_file(&path)?;
        let seg = segment_bytes(&file, segments[0].offset, segments[0].length)?;
        let mut decoder = SegmentDecoder::default();
        let mut out = Vec::new();
        for chunk in seg.chunks(97) {
            decoder.push(Bytes::copy_from_slice(chunk), &mut out)?;
        }
        decoder.finish()?;
        assert_eq!(out, vec![batch(0, 1000), batch(5, 10)]);
        Ok(())
    }

    #[test]
    fn spill_runs_are_merged_partition_by_partition() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| DataFusionError::External(e.into()))?;
        let schema = batch(0, 1).schema();
        // A run written as a spill would be: a plain stream of segments, in two chunks.
        let mut run = CountingWriter::new(Vec::new());
        let options = ipc_options(Codec::Zstd)?;
        let mut run_segments = Vec::new();
        for (p, b) in [(0, batch(0, 4)), (1, batch(10, 3))] {
            run_segments.extend(write_segment(&mut run, &schema, p, &[b], &options)?);
        }
        let bytes = Bytes::from(run.into_inner());
        let cut = 37;
        let runs = [RunBytes {
            chunks: vec![bytes.slice(..cut), bytes.slice(cut..)],
            segments: run_segments,
        }];
        let path = dir.path().join("m2.data");
        let memory = vec![vec![batch(100, 2)], vec![], vec![batch(200, 1)]];
        let segments = write_shuffle_file(&path, &schema, &runs, memory, Codec::Lz4)?;
        let file = map_file(&path)?;
        let read = |p: u32| -> Result<Vec<RecordBatch>> {
            let mut out = Vec::new();
            for s in segments.iter().filter(|s| s.reduce_partition == p) {
                assert_eq!(s.offset % ALIGNMENT as u64, 0);
                out.extend(decode_segment(segment_bytes(&file, s.offset, s.length)?)?);
            }
            Ok(out)
        };
        assert_eq!(read(0)?, vec![batch(0, 4), batch(100, 2)]);
        assert_eq!(read(1)?, vec![batch(10, 3)]);
        assert_eq!(read(2)?, vec![batch(200, 1)]);
        assert!(!path.with_extension("tmp").exists());
        Ok(())
    }

    #[test]
    fn out_of_bounds_segments_are_errors() {
        let file = Bytes::from_static(b"0123456789");
        assert!(segment_bytes(&file, 8, 5).is_err());
        assert!(segment_bytes(&file, u64::MAX, 2).is_err());
        assert!(decode_segment(Bytes::from_static(b"\xff\xff\xff\xff\x10\x00")).is_err());
    }
}
