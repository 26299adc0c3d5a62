//! Spill files: where DataFusion's operators (sort, aggregation, sort-merge join) and Ember's
//! shuffle writer put what does not fit in memory.
//!
//! [`SpillFiles`] is the [`TempFileFactory`] of a task's disk manager. It places each file in
//! the next local dir (round-robin); in a memory-backed dir every byte written is charged to the
//! [`MemoryBudget`], and when the budget refuses, the file continues in a disk-backed dir. With
//! no disk-backed dir left the write fails with an "out of executor memory" error instead of
//! growing until the kernel kills the process.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use datafusion::common::DataFusionError;
use datafusion::error::Result;
use datafusion::execution::{SpillFile, SpillWriter, TempFileFactory};
use futures::Stream;

use super::budget::MemoryBudget;
use super::local_dirs::{LocalDir, LocalDirs};

/// Spill counters of one task.
#[derive(Debug, Default)]
pub struct SpillMetrics {
    /// Spill files created.
    pub files: AtomicU64,
    /// Bytes written to spill files.
    pub bytes: AtomicU64,
    /// Of those, bytes written into memory-backed local dirs.
    pub memory_bytes: AtomicU64,
}

/// Creates a task's spill files. One per task, so that its counters are the task's.
#[derive(Debug, Clone)]
pub struct SpillFiles {
    dirs: Arc<LocalDirs>,
    budget: Arc<MemoryBudget>,
    job_id: String,
    metrics: Arc<SpillMetrics>,
}

impl SpillFiles {
    /// Spill files of a task of `job_id`, inside the job's folders (so that they go when the
    /// job's files are removed, even if a file was leaked).
    pub fn new(
        dirs: Arc<LocalDirs>,
        budget: Arc<MemoryBudget>,
        job_id: &str,
        metrics: Arc<SpillMetrics>,
    ) -> Self {
        Self {
            dirs,
            budget,
            job_id: job_id.to_string(),
            metrics,
        }
    }

    fn open_part(&self, dir: &LocalDir) -> std::io::Result<Part> {
        let folder = LocalDirs::job_dir(dir, &self.job_id);
        std::fs::create_dir_all(&folder)?;
        let path = folder.join(format!("spill-{}.arrow", uuid::Uuid::new_v4().simple()));
        let file = File::create(&path)?;
        Ok(Part {
            path,
            file: Some(file),
            bytes: 0,
            memory_backed: dir.memory_backed,
            dir: self.dirs.index_of(dir),
        })
    }
}

impl TempFileFactory for SpillFiles {
    fn create_temp_file(&self, description: &str) -> Result<Arc<dyn SpillFile>> {
        let dir = self
            .dirs
            .rotation()
            .next()
            .ok_or_else(|| DataFusionError::Internal("no local dirs".into()))?;
        let part = self.open_part(dir).map_err(|e| {
            DataFusionError::Execution(format!("cannot create a spill file for {description}: {e}"))
        })?;
        self.metrics.files.fetch_add(1, Ordering::Relaxed);
        Ok(Arc::new(TieredSpillFile {
            inner: Arc::new(Mutex::new(Parts {
                parts: vec![part],
                factory: self.clone(),
            })),
        }))
    }
}

/// One piece of a spill file, in one local dir.
#[derive(Debug)]
struct Part {
    path: PathBuf,
    /// Open while the file is being written.
    file: Option<File>,
    bytes: u64,
    memory_backed: bool,
    /// Index of its local dir.
    dir: usize,
}

#[derive(Debug)]
struct Parts {
    parts: Vec<Part>,
    factory: SpillFiles,
}

impl Parts {
    /// Appends `buf`, moving on to a disk-backed dir when the memory budget refuses it.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let len = buf.len();
        let needs_disk = match self.parts.last() {
            Some(part) if part.memory_backed => !self.charge(part.dir, len),
            Some(_) => false,
            None => true,
        };
        if needs_disk {
            let Some(dir) = self.factory.dirs.next_disk_dir() else {
                return Err(std::io::Error::other(format!(
                    "out of executor memory: spilling {len} more bytes would exceed the memory budget (operators hold {} bytes, tmpfs local dirs {} bytes of a {}-byte pool) and no disk-backed local dir is configured; raise spark.executor.memory or add a disk folder to spark.local.dir",
                    self.factory.budget.reserved(),
                    self.factory.budget.tmpfs_bytes(),
                    self.factory.budget.pool_size().unwrap_or(0),
                )));
            };
            if let Some(last) = self.parts.last_mut() {
                last.file = None;
            }
            let part = self.factory.open_part(dir)?;
            self.parts.push(part);
        }
        let Some(part) = self.parts.last_mut() else {
            return Err(std::io::Error::other("spill file has no part"));
        };
        let written = match part.file.as_mut() {
            Some(file) => file.write_all(buf),
            None => Err(std::io::Error::other("spill file already finished")),
        };
        if let Err(e) = written {
            if part.memory_backed {
                let dir = part.dir;
                self.uncharge(dir, len as u64);
            }
            return Err(e);
        }
        part.bytes += len as u64;
        let metrics = &self.factory.metrics;
        metrics.bytes.fetch_add(len as u64, Ordering::Relaxed);
        if part.memory_backed {
            metrics
                .memory_bytes
                .fetch_add(len as u64, Ordering::Relaxed);
        }
        Ok(())
    }
}

impl Parts {
    /// Charges `len` bytes written into memory-backed dir `dir` (see
    /// [`MemoryBudget::try_charge_file`]).
    fn charge(&self, dir: usize, len: usize) -> bool {
        self.factory
            .dirs
            .dir(dir)
            .is_some_and(|local| self.factory.budget.try_charge_file(local, len as u64))
    }

    fn uncharge(&self, dir: usize, len: u64) {
        if let Some(local) = self.factory.dirs.dir(dir) {
            self.factory.budget.release_file(local, len);
        }
    }
}

impl Drop for Parts {
    fn drop(&mut self) {
        let parts = std::mem::take(&mut self.parts);
        for mut part in parts {
            part.file = None;
            if let Err(e) = std::fs::remove_file(&part.path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!("cannot remove spill file {}: {e}", part.path.display());
            }
            if part.memory_backed {
                self.uncharge(part.dir, part.bytes);
            }
        }
    }
}

/// A spill file made of one or more parts. Deleted (and its tmpfs bytes returned to the
/// budget) when the last reference goes.
#[derive(Debug)]
pub struct TieredSpillFile {
    inner: Arc<Mutex<Parts>>,
}

fn poisoned() -> DataFusionError {
    DataFusionError::Internal("spill file lock poisoned".into())
}

impl SpillFile for TieredSpillFile {
    fn path(&self) -> Option<&Path> {
        None
    }

    fn size(&self) -> Option<u64> {
        let parts = self.inner.lock().ok()?;
        Some(parts.parts.iter().map(|p| p.bytes).sum())
    }

    /// The file mapped with memmap2, one chunk per IPC message: the decoder reads the pages in
    /// place.
    fn read_stream(&self) -> Result<Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>> {
        let paths: Vec<PathBuf> = {
            let mut parts = self.inner.lock().map_err(|_| poisoned())?;
            for part in &mut parts.parts {
                if let Some(file) = part.file.as_mut() {
                    file.flush().map_err(DataFusionError::IoError)?;
                }
            }
            parts.parts.iter().map(|p| p.path.clone()).collect()
        };
        // One chunk per IPC message (see `shuffle::file::decode_segment` for why); a file
        // continued in a second dir is joined first, as a message may straddle the parts.
        let mut mapped = paths
            .iter()
            .map(|path| crate::shuffle::file::map_file(path))
            .collect::<Result<Vec<Bytes>>>()?;
        let whole = if mapped.len() == 1 {
            mapped.pop().unwrap_or_default()
        } else {
            let mut joined = bytes::BytesMut::new();
            for part in &mapped {
                joined.extend_from_slice(part);
            }
            joined.freeze()
        };
        let chunks = crate::shuffle::file::split_messages(&whole)?;
        Ok(Box::pin(futures::stream::iter(chunks.into_iter().map(Ok))))
    }

    fn open_writer(&self) -> Result<Box<dyn SpillWriter>> {
        Ok(Box::new(TieredWriter {
            inner: Arc::clone(&self.inner),
        }))
    }
}

/// Appends to a [`TieredSpillFile`].
struct TieredWriter {
    inner: Arc<Mutex<Parts>>,
}

impl Write for TieredWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut parts = self
            .inner
            .lock()
            .map_err(|_| std::io::Error::other("spill file lock poisoned"))?;
        parts.write(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SpillWriter for TieredWriter {
    fn finish(&mut self) -> Result<()> {
        let mut parts = self.inner.lock().map_err(|_| poisoned())?;
        for part in &mut parts.parts {
            part.file = None;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    fn dirs(memory_first: bool) -> (tempfile::TempDir, tempfile::TempDir, Arc<LocalDirs>) {
        let a = tempfile::tempdir().expect("tempdir");
        let b = tempfile::tempdir().expect("tempdir");
        let mut local =
            LocalDirs::create(&[a.path().into(), b.path().into()], "t", false).expect("local dirs");
        local.set_memory_backed_for_tests(0, memory_first);
        (a, b, Arc::new(local))
    }

    #[tokio::test]
    async fn a_refused_tmpfs_write_continues_on_disk_and_reads_back_whole() -> Result<()> {
        let (_a, _b, dirs) = dirs(true);
        let budget = MemoryBudget::new(Some(2000));
        let metrics = Arc::new(SpillMetrics::default());
        let files = SpillFiles::new(
            Arc::clone(&dirs),
            Arc::clone(&budget),
            "job1",
            Arc::clone(&metrics),
        );
        // The first file starts in the memory-backed dir (rotation starts at dir 0).
        let file = files.create_temp_file("test")?;
        let mut writer = file.open_writer()?;
        writer.write_all(&[1u8; 600])?;
        assert_eq!(budget.tmpfs_bytes(), 600);
        writer.write_all(&[2u8; 600])?; // 1200 > half of 2000: goes to disk
        writer.finish()?;
        assert_eq!(budget.tmpfs_bytes(), 600);
        assert_eq!(file.size(), Some(1200));
        let chunks: Vec<Bytes> = file.read_stream()?.try_collect().await?;
        let all: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
        assert_eq!(all.len(), 1200);
        assert!(all[..600].iter().all(|b| *b == 1) && all[600..].iter().all(|b| *b == 2));
        assert_eq!(metrics.bytes.load(Ordering::Relaxed), 1200);
        assert_eq!(metrics.memory_bytes.load(Ordering::Relaxed), 600);
        drop(writer);
        drop(file);
        assert_eq!(
            budget.tmpfs_bytes(),
            0,
            "deleting the file returns its bytes"
        );
        let job = LocalDirs::job_dir(&dirs.dirs()[0], "job1");
        assert_eq!(std::fs::read_dir(job).map(|d| d.count()).unwrap_or(0), 0);
        dirs.remove_all();
        Ok(())
    }

    #[test]
    fn without_a_disk_dir_an_exhausted_budget_is_a_clear_error() {
        let a = tempfile::tempdir().expect("tempdir");
        let local = LocalDirs::create(&[a.path().into()], "t", true).expect("local dirs");
        let budget = MemoryBudget::new(Some(100));
        let files = SpillFiles::new(Arc::new(local), budget, "j", Arc::default());
        let file = files.create_temp_file("sort").expect("file");
        let mut writer = file.open_writer().expect("writer");
        let err = writer.write_all(&[0u8; 200]).expect_err("over budget");
        assert!(err.to_string().contains("out of executor memory"), "{err}");
    }
}
