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
struct CountingWriter<W> {
    inner: W,
    written: u64,
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

/// Writes `partitions[i]` as the segment of reduce partition `i` (empty partitions get no segment)
/// and returns the segment table. Blocking: call from `spawn_blocking`.
pub fn write_shuffle_file(
    path: &Path,
    schema: &SchemaRef,
    partitions: Vec<Vec<RecordBatch>>,
) -> Result<Vec<Segment>> {
    let tmp = path.with_extension("tmp");
    let file = File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
    let mut out = CountingWriter {
        inner: BufWriter::with_capacity(1 << 20, file),
        written: 0,
    };
    let options = IpcWriteOptions::try_new(ALIGNMENT, false, MetadataVersion::V5)?;
    let mut segments = Vec::new();
    for (reduce_partition, batches) in partitions.into_iter().enumerate() {
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        if rows == 0 {
            continue;
        }
        let padding = (ALIGNMENT - (out.written as usize % ALIGNMENT)) % ALIGNMENT;
        out.write_all(&[0u8; ALIGNMENT][..padding])
            .map_err(|e| io_err(&tmp, e))?;
        let offset = out.written;
        let mut writer = StreamWriter::try_new_with_options(&mut out, schema, options.clone())?;
        for batch in &batches {
            if batch.num_rows() > 0 {
                writer.write(batch)?;
            }
        }
        writer.finish()?;
        drop(writer);
        segments.push(Segment {
            reduce_partition: reduce_partition as u32,
            offset,
            length: out.written - offset,
            rows: rows as u64,
        });
    }
    let file = out
        .inner
        .into_inner()
        .map_err(|e| io_err(&tmp, e.into_error()))?;
    // No fsync: shuffle files are scratch data that is regenerated if the host goes away.
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
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
            if let Some(batch) = self.decoder.decode(&mut buffer)? {
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

/// Decodes a complete segment.
pub fn decode_segment(bytes: Bytes) -> Result<Vec<RecordBatch>> {
    let mut decoder = SegmentDecoder::default();
    let mut batches = Vec::new();
    decoder.push(bytes, &mut batches)?;
    decoder.finish()?;
    Ok(batches)
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
        let segments = write_shuffle_file(&path, &schema, parts)?;
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
        let segments =
            write_shuffle_file(&path, &schema, vec![vec![batch(0, 1000), batch(5, 10)]])?;
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
    fn out_of_bounds_segments_are_errors() {
        let file = Bytes::from_static(b"0123456789");
        assert!(segment_bytes(&file, 8, 5).is_err());
        assert!(segment_bytes(&file, u64::MAX, 2).is_err());
        assert!(decode_segment(Bytes::from_static(b"\xff\xff\xff\xff\x10\x00")).is_err());
    }
}
