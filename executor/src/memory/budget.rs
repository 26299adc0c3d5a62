//! [`MemoryBudget`]: the one memory budget of an executor, shared by operators (through a
//! DataFusion [`MemoryPool`]) and by files in memory-backed local dirs (tmpfs), whose pages are
//! RAM charged to the same container as the heap.
//!
//! The rule: `operator reservations + tmpfs bytes <= pool size`. Operators are refused memory
//! (and spill) once tmpfs files take their share; a write into tmpfs is refused once tmpfs files
//! would hold more than half the pool, or the budget would go more than a quarter over the pool
//! size (operators still hold their memory while they write the spill that frees it), and goes
//! to a disk-backed local dir instead.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use datafusion::error::{DataFusionError, Result};
use datafusion::execution::memory_pool::{
    FairSpillPool, MemoryConsumer, MemoryLimit, MemoryPool, MemoryReservation, TrackConsumersPool,
    UnboundedMemoryPool,
};

use super::local_dirs::LocalDir;

/// An executor's memory budget. Cheap to share; all counters are atomic.
#[derive(Debug)]
pub struct MemoryBudget {
    /// `None`: unbounded (an embedded `local[N]` executor without `spark.executor.memory`).
    pool_size: Option<usize>,
    inner: Arc<dyn MemoryPool>,
    tmpfs_bytes: AtomicUsize,
    tmpfs_peak: AtomicUsize,
}

impl MemoryBudget {
    /// A budget of `pool_size` bytes shared fairly by spilling operators (DataFusion's
    /// [`FairSpillPool`]), or an unbounded one.
    pub fn new(pool_size: Option<usize>) -> Arc<Self> {
        let inner: Arc<dyn MemoryPool> = match pool_size {
            // Errors name the largest consumers: "who holds the memory" is the first question.
            Some(bytes) => Arc::new(TrackConsumersPool::new(
                FairSpillPool::new(bytes),
                NonZeroUsize::new(5).unwrap_or(NonZeroUsize::MIN),
            )),
            None => Arc::new(UnboundedMemoryPool::default()),
        };
        Arc::new(Self {
            pool_size,
            inner,
            tmpfs_bytes: AtomicUsize::new(0),
            tmpfs_peak: AtomicUsize::new(0),
        })
    }

    /// The operator pool size, if bounded.
    pub fn pool_size(&self) -> Option<usize> {
        self.pool_size
    }

    /// Bytes reserved by operators right now.
    pub fn reserved(&self) -> usize {
        self.inner.reserved()
    }

    /// Bytes held by files in memory-backed local dirs right now.
    pub fn tmpfs_bytes(&self) -> usize {
        self.tmpfs_bytes.load(Ordering::Relaxed)
    }

    /// Highest value of [`Self::tmpfs_bytes`] since start.
    pub fn tmpfs_peak(&self) -> usize {
        self.tmpfs_peak.load(Ordering::Relaxed)
    }

    /// The pool operators reserve from: the budget seen through DataFusion's interface.
    pub fn pool(self: &Arc<Self>) -> Arc<dyn MemoryPool> {
        Arc::new(BudgetPool {
            budget: Arc::clone(self),
        })
    }

    /// Charges `bytes` written into a memory-backed local dir. Returns `false`, charging nothing,
    /// when the budget cannot take them.
    pub fn try_charge_tmpfs(&self, bytes: usize) -> bool {
        let Some(size) = self.pool_size else {
            self.add_tmpfs(bytes);
            return true;
        };
        let ceiling = size + size / 4;
        let mut current = self.tmpfs_bytes.load(Ordering::Relaxed);
        loop {
            let after = current.saturating_add(bytes);
            // tmpfs files take at most half the pool: operators that cannot spill (merges,
            // broadcast build sides) keep the other half.
            if after > size / 2 || self.inner.reserved().saturating_add(after) > ceiling {
                return false;
            }
            match self.tmpfs_bytes.compare_exchange_weak(
                current,
                after,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    self.tmpfs_peak.fetch_max(after, Ordering::Relaxed);
                    return true;
                }
                Err(now) => current = now,
            }
        }
    }

    /// Charges `bytes` of a file in memory-backed `dir` to the dir's capacity and to the
    /// budget together, or to neither (`false`).
    pub fn try_charge_file(&self, dir: &LocalDir, bytes: u64) -> bool {
        if !dir.try_take(bytes) {
            return false;
        }
        if !self.try_charge_tmpfs(bytes as usize) {
            dir.give_back(bytes);
            return false;
        }
        true
    }

    /// Charges `bytes` of a file in memory-backed `dir` whatever the budget says: a file
    /// already written there is RAM in use, refused or not.
    pub fn force_charge_file(&self, dir: &LocalDir, bytes: u64) {
        dir.take(bytes);
        self.add_tmpfs(bytes as usize);
    }

    /// Returns bytes charged with [`Self::try_charge_file`] (the file was deleted or shrank).
    pub fn release_file(&self, dir: &LocalDir, bytes: u64) {
        dir.give_back(bytes);
        self.release_tmpfs(bytes as usize);
    }

    fn add_tmpfs(&self, bytes: usize) {
        let after = self.tmpfs_bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.tmpfs_peak.fetch_max(after, Ordering::Relaxed);
    }

    /// Returns bytes charged with [`Self::try_charge_tmpfs`] (the file was deleted or shrank).
    pub fn release_tmpfs(&self, bytes: usize) {
        let _ = self
            .tmpfs_bytes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some(v.saturating_sub(bytes))
            });
    }
}

/// The [`MemoryPool`] face of a [`MemoryBudget`]: DataFusion's fair pool, with the bytes of
/// tmpfs files taken off its capacity.
#[derive(Debug)]
struct BudgetPool {
    budget: Arc<MemoryBudget>,
}

impl std::fmt::Display for BudgetPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.budget.pool_size {
            Some(size) => write!(
                f,
                "ember-budget(size={size}, reserved={}, tmpfs={})",
                self.budget.reserved(),
                self.budget.tmpfs_bytes()
            ),
            None => write!(
                f,
                "ember-budget(unbounded, reserved={})",
                self.budget.reserved()
            ),
        }
    }
}

impl MemoryPool for BudgetPool {
    fn name(&self) -> &str {
        "ember-budget"
    }

    fn register(&self, consumer: &MemoryConsumer) {
        self.budget.inner.register(consumer);
    }

    fn unregister(&self, consumer: &MemoryConsumer) {
        self.budget.inner.unregister(consumer);
    }

    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        self.budget.inner.grow(reservation, additional);
    }

    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        self.budget.inner.shrink(reservation, shrink);
    }

    fn try_grow(&self, reservation: &MemoryReservation, additional: usize) -> Result<()> {
        if let Some(size) = self.budget.pool_size {
            let tmpfs = self.budget.tmpfs_bytes();
            let wanted = self
                .budget
                .inner
                .reserved()
                .saturating_add(tmpfs)
                .saturating_add(additional);
            if wanted > size {
                let top = self
                    .budget
                    .inner
                    .downcast_ref::<TrackConsumersPool<FairSpillPool>>()
                    .map(|t| t.report_top(5))
                    .unwrap_or_default();
                return Err(DataFusionError::ResourcesExhausted(format!(
                    "out of executor memory: {} cannot reserve {additional} more bytes: operators hold {} and tmpfs local dirs {tmpfs} of a {size}-byte pool; largest consumers: {top}",
                    reservation.consumer().name(),
                    self.budget.inner.reserved(),
                )));
            }
        }
        self.budget.inner.try_grow(reservation, additional)
    }

    fn reserved(&self) -> usize {
        self.budget.inner.reserved()
    }

    fn memory_limit(&self) -> MemoryLimit {
        match self.budget.pool_size {
            Some(size) => MemoryLimit::Finite(size),
            None => MemoryLimit::Infinite,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmpfs_bytes_shrink_what_operators_may_reserve() {
        let budget = MemoryBudget::new(Some(1000));
        let pool = budget.pool();
        let r = MemoryConsumer::new("sort").register(&pool);
        assert!(budget.try_charge_tmpfs(400));
        assert!(
            !budget.try_charge_tmpfs(101),
            "tmpfs files take at most half the pool"
        );
        assert!(r.try_grow(700).is_err(), "400 + 700 > 1000");
        r.try_grow(600).expect("400 + 600 fits");
        // Operators hold 600: a tmpfs write may overshoot the pool by a quarter, not more.
        assert!(budget.try_charge_tmpfs(50));
        assert!(!budget.try_charge_tmpfs(51));
        budget.release_tmpfs(450);
        assert_eq!(budget.tmpfs_bytes(), 0);
        assert_eq!(budget.tmpfs_peak(), 450);
        r.try_grow(400).expect("the whole pool is free again");
    }

    #[test]
    fn unbounded_budget_charges_everything() {
        let budget = MemoryBudget::new(None);
        assert!(budget.try_charge_tmpfs(usize::MAX / 4));
        let pool = budget.pool();
        let r = MemoryConsumer::new("agg").register(&pool);
        r.try_grow(1 << 40).expect("unbounded");
    }
}
