//! [`TaskMemory`]: what one task sees of the executor's memory and local dirs, and what it
//! reports back: its peak reservation and its spills.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use datafusion::error::Result;
use datafusion::execution::disk_manager::DiskManagerBuilder;
use datafusion::execution::memory_pool::{
    MemoryConsumer, MemoryLimit, MemoryPool, MemoryReservation,
};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};

use super::budget::MemoryBudget;
use super::local_dirs::LocalDirs;
use super::spill::{SpillFiles, SpillMetrics};

/// The memory side of one task: a runtime environment whose pool and disk manager count what
/// this task does, on top of the executor's shared budget and local dirs.
#[derive(Debug)]
pub struct TaskMemory {
    pub runtime: Arc<RuntimeEnv>,
    pool: Arc<TaskPool>,
    pub spills: Arc<SpillMetrics>,
}

impl TaskMemory {
    /// Builds the runtime of a task of `job_id` from the executor's `base` runtime.
    pub fn new(
        base: &RuntimeEnv,
        budget: &Arc<MemoryBudget>,
        dirs: &Arc<LocalDirs>,
        job_id: &str,
    ) -> Result<Self> {
        let pool = Arc::new(TaskPool {
            inner: Arc::clone(&base.memory_pool),
            current: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        });
        let spills = Arc::new(SpillMetrics::default());
        let files = SpillFiles::new(
            Arc::clone(dirs),
            Arc::clone(budget),
            job_id,
            Arc::clone(&spills),
        );
        let runtime = RuntimeEnvBuilder::from_runtime_env(base)
            .with_memory_pool(Arc::clone(&pool) as Arc<dyn MemoryPool>)
            .with_disk_manager_builder(
                DiskManagerBuilder::default().with_temp_file_factory(Arc::new(files)),
            )
            .build_arc()?;
        Ok(Self {
            runtime,
            pool,
            spills,
        })
    }

    /// The most this task had reserved at once.
    pub fn peak_reserved(&self) -> usize {
        self.pool.peak.load(Ordering::Relaxed)
    }
}

/// Forwards to the executor's pool and keeps this task's current and peak reservation.
#[derive(Debug)]
struct TaskPool {
    inner: Arc<dyn MemoryPool>,
    current: AtomicUsize,
    peak: AtomicUsize,
}

impl TaskPool {
    fn add(&self, bytes: usize) {
        let now = self.current.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }
}

impl std::fmt::Display for TaskPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "task(reserved={}, peak={}) in {}",
            self.current.load(Ordering::Relaxed),
            self.peak.load(Ordering::Relaxed),
            self.inner
        )
    }
}

impl MemoryPool for TaskPool {
    fn name(&self) -> &str {
        "ember-task"
    }

    fn register(&self, consumer: &MemoryConsumer) {
        self.inner.register(consumer);
    }

    fn unregister(&self, consumer: &MemoryConsumer) {
        self.inner.unregister(consumer);
    }

    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        self.inner.grow(reservation, additional);
        self.add(additional);
    }

    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        self.inner.shrink(reservation, shrink);
        let _ = self
            .current
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some(v.saturating_sub(shrink))
            });
    }

    fn try_grow(&self, reservation: &MemoryReservation, additional: usize) -> Result<()> {
        self.inner.try_grow(reservation, additional)?;
        self.add(additional);
        Ok(())
    }

    fn reserved(&self) -> usize {
        self.inner.reserved()
    }

    fn memory_limit(&self) -> MemoryLimit {
        self.inner.memory_limit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_reports_its_own_peak() -> Result<()> {
        let budget = MemoryBudget::new(Some(1 << 20));
        let base = RuntimeEnvBuilder::new()
            .with_memory_pool(budget.pool())
            .build()?;
        let root = tempfile::tempdir()?;
        let dirs = Arc::new(
            LocalDirs::create(&[root.path().into()], "t", false)
                .map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))?,
        );
        let a = TaskMemory::new(&base, &budget, &dirs, "j")?;
        let b = TaskMemory::new(&base, &budget, &dirs, "j")?;
        let ra = MemoryConsumer::new("a").register(&a.runtime.memory_pool);
        let rb = MemoryConsumer::new("b").register(&b.runtime.memory_pool);
        ra.try_grow(1000)?;
        rb.try_grow(300)?;
        ra.shrink(600);
        ra.try_grow(100)?;
        assert_eq!(a.peak_reserved(), 1000);
        assert_eq!(b.peak_reserved(), 300);
        assert_eq!(
            budget.reserved(),
            800,
            "both tasks share the executor budget"
        );
        dirs.remove_all();
        Ok(())
    }
}
