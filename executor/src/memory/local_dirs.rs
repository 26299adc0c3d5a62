//! [`LocalDirs`]: the folders where an executor writes shuffle and spill files (Spark's
//! `spark.local.dir` / `SPARK_LOCAL_DIRS`), which of them are memory-backed, and their cleanup.
//!
//! Each configured root gets one work folder `ember-executor-<id>-<uuid>` holding a locked
//! `.lock` file for as long as the executor lives. A starting executor deletes the work folders
//! whose lock nobody holds: leftovers of executors that were killed before they could clean up.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::budget::MemoryBudget;
use crate::error::{ExecutorError, Result};

const WORK_DIR_PREFIX: &str = "ember-executor-";
const LOCK_FILE: &str = ".lock";
/// Hidden name of a work folder until its lock is held.
const STAGING_PREFIX: &str = ".starting-";
/// How long a staging folder may exist before a starting executor treats it as abandoned.
const STAGING_GRACE: std::time::Duration = std::time::Duration::from_secs(600);

/// One local dir: the executor's work folder inside a configured root.
#[derive(Debug)]
pub struct LocalDir {
    /// `<root>/ember-executor-<id>-<uuid>`.
    pub path: PathBuf,
    /// Files here are RAM (tmpfs/ramfs): they are charged to the memory budget.
    pub memory_backed: bool,
    /// Size of a memory-backed dir's filesystem (tmpfs `size=`), when known.
    pub capacity: Option<u64>,
    /// Bytes Ember's files take in this dir (tracked for memory-backed dirs).
    used: AtomicU64,
    /// Held (locked) while the executor runs; released by the kernel if the process dies.
    _lock: File,
}

impl LocalDir {
    /// Takes `bytes` of this dir's capacity; `false` (taking nothing) when they do not fit in
    /// 95% of it (the rest is left for the filesystem's own needs).
    pub fn try_take(&self, bytes: u64) -> bool {
        let Some(capacity) = self.capacity else {
            self.used.fetch_add(bytes, Ordering::Relaxed);
            return true;
        };
        let limit = capacity / 20 * 19;
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(bytes).filter(|after| *after <= limit)
            })
            .is_ok()
    }

    /// Takes `bytes` whatever the capacity (a file already written is there).
    pub fn take(&self, bytes: u64) {
        self.used.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Gives back bytes taken with [`Self::try_take`].
    pub fn give_back(&self, bytes: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                Some(used.saturating_sub(bytes))
            });
    }
}

/// The executor's local dirs, used round-robin.
#[derive(Debug)]
pub struct LocalDirs {
    dirs: Vec<LocalDir>,
    next: AtomicUsize,
}

impl LocalDirs {
    /// Creates a work folder in every root, after removing stale ones. `all_memory_backed`
    /// declares every root RAM (Spark's `spark.kubernetes.local.dirs.tmpfs`); otherwise each
    /// root is checked against `/proc/mounts`.
    ///
    /// # Errors
    /// No roots, or a root where the work folder cannot be created or locked.
    pub fn create(roots: &[PathBuf], executor_id: &str, all_memory_backed: bool) -> Result<Self> {
        if roots.is_empty() {
            return Err(ExecutorError::Configuration("no local dir given".into()));
        }
        let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
        let mut dirs = Vec::with_capacity(roots.len());
        for root in roots {
            std::fs::create_dir_all(root).map_err(|e| ExecutorError::io(root, e))?;
            remove_stale_work_dirs(root);
            let (path, lock) = create_locked_work_dir(root, executor_id)?;
            let mount = mount_of(root, &mounts);
            let memory_backed = all_memory_backed || mount.is_some_and(|m| m.memory_backed);
            dirs.push(LocalDir {
                path,
                memory_backed,
                capacity: mount.and_then(|m| m.size),
                used: AtomicU64::new(0),
                _lock: lock,
            });
        }
        Ok(Self {
            dirs,
            next: AtomicUsize::new(0),
        })
    }

    /// Dir `index` of [`Self::dirs`].
    pub fn dir(&self, index: usize) -> Option<&LocalDir> {
        self.dirs.get(index)
    }

    /// Position of `dir` in [`Self::dirs`].
    pub fn index_of(&self, dir: &LocalDir) -> usize {
        self.dirs
            .iter()
            .position(|d| std::ptr::eq(d, dir))
            .unwrap_or(0)
    }

    /// All dirs, in configuration order.
    pub fn dirs(&self) -> &[LocalDir] {
        &self.dirs
    }

    /// The dirs in the order a new file should try them: round-robin over the configured dirs,
    /// so successive files spread over all of them.
    pub fn rotation(&self) -> impl Iterator<Item = &LocalDir> {
        let start = self.next.fetch_add(1, Ordering::Relaxed) % self.dirs.len();
        self.dirs.iter().cycle().skip(start).take(self.dirs.len())
    }

    /// The next disk-backed dir in rotation order, if any.
    pub fn next_disk_dir(&self) -> Option<&LocalDir> {
        self.rotation().find(|d| !d.memory_backed)
    }

    /// Where a job's files go inside `dir`.
    pub fn job_dir(dir: &LocalDir, job_id: &str) -> PathBuf {
        dir.path.join(crate::executor::sanitize(job_id))
    }

    /// Finds an existing file of a job by name, in any dir.
    pub fn find_job_file(&self, job_id: &str, file: &str) -> Option<PathBuf> {
        self.dirs
            .iter()
            .map(|d| Self::job_dir(d, job_id).join(file))
            .find(|p| p.is_file())
    }

    /// Deletes a job's folders in every dir, returning the charge of its shuffle outputs in
    /// memory-backed dirs to `budget` (spill files return theirs when dropped).
    pub fn remove_job(&self, job_id: &str, budget: &MemoryBudget) -> std::io::Result<()> {
        for dir in &self.dirs {
            let path = Self::job_dir(dir, job_id);
            if dir.memory_backed {
                let held: u64 = std::fs::read_dir(&path)
                    .map(|entries| {
                        entries
                            .flatten()
                            .filter(|e| e.file_name().to_string_lossy().ends_with(".data"))
                            .filter_map(|e| e.metadata().ok())
                            .map(|m| m.len())
                            .sum()
                    })
                    .unwrap_or(0);
                budget.release_file(dir, held);
            }
            match std::fs::remove_dir_all(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Marks dir `index` memory-backed or not, whatever its mount (tests on machines whose
    /// temporary folder is or is not a tmpfs).
    #[cfg(test)]
    pub(crate) fn set_memory_backed_for_tests(&mut self, index: usize, memory_backed: bool) {
        self.dirs[index].memory_backed = memory_backed;
        for (i, d) in self.dirs.iter_mut().enumerate() {
            if i != index {
                d.memory_backed = false;
            }
        }
    }

    /// Deletes every work folder (executor shutdown).
    pub fn remove_all(&self) {
        for dir in &self.dirs {
            if let Err(e) = std::fs::remove_dir_all(&dir.path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!("cannot remove {}: {e}", dir.path.display());
            }
        }
    }
}

/// Creates `<root>/ember-executor-<id>-<uuid>` with its lock already held when the folder
/// appears under that name: it is built under a hidden name and renamed once locked, so another
/// executor starting in the same root at the same moment can never take it for a stale one
/// (a lock probe there would both steal the lock and delete the folder).
fn create_locked_work_dir(root: &Path, executor_id: &str) -> Result<(PathBuf, File)> {
    let name = format!(
        "{WORK_DIR_PREFIX}{}-{}",
        crate::executor::sanitize(executor_id),
        uuid::Uuid::new_v4().simple()
    );
    let staging = root.join(format!("{STAGING_PREFIX}{name}"));
    std::fs::create_dir(&staging).map_err(|e| ExecutorError::io(&staging, e))?;
    let lock_path = staging.join(LOCK_FILE);
    let lock = File::create(&lock_path).map_err(|e| ExecutorError::io(&lock_path, e))?;
    lock.try_lock().map_err(|e| {
        ExecutorError::Configuration(format!("cannot lock {}: {e}", lock_path.display()))
    })?;
    let path = root.join(name);
    std::fs::rename(&staging, &path).map_err(|e| ExecutorError::io(&path, e))?;
    Ok((path, lock))
}

/// Removes `ember-executor-*` folders in `root` whose lock file is not held by a live process,
/// and staging folders of executors that died while starting.
fn remove_stale_work_dirs(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            continue;
        }
        let path = entry.path();
        if name.starts_with(STAGING_PREFIX) {
            remove_abandoned_staging_dir(&path);
            continue;
        }
        if !name.starts_with(WORK_DIR_PREFIX) {
            continue;
        }
        // Work folders are renamed into place with their lock held, so one without a lock
        // file was not made by Ember; leave it alone.
        let Ok(lock) = File::open(path.join(LOCK_FILE)) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            tracing::info!("removing stale executor files in {}", path.display());
            if let Err(e) = std::fs::remove_dir_all(&path) {
                tracing::warn!("cannot remove stale {}: {e}", path.display());
            }
        }
    }
}

/// Removes a staging folder older than [`STAGING_GRACE`] whose lock nobody holds: its executor
/// died between creating and renaming it. Younger ones may still be starting.
fn remove_abandoned_staging_dir(path: &Path) {
    let age = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| modified.elapsed().ok());
    if age.is_none_or(|age| age < STAGING_GRACE) {
        return;
    }
    let held = File::open(path.join(LOCK_FILE)).is_ok_and(|lock| lock.try_lock().is_err());
    if !held && let Err(e) = std::fs::remove_dir_all(path) {
        tracing::warn!("cannot remove abandoned {}: {e}", path.display());
    }
}

/// What `/proc/mounts` says about the filesystem of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MountInfo {
    /// tmpfs or ramfs.
    pub memory_backed: bool,
    /// The `size=` mount option, in bytes.
    pub size: Option<u64>,
}

/// Whether `path` lies on a tmpfs or ramfs mount, per a `/proc/mounts` listing: the mount with
/// the longest mount point that contains the path decides.
pub fn is_memory_backed(path: &Path, mounts: &str) -> bool {
    mount_of(path, mounts).is_some_and(|m| m.memory_backed)
}

/// The mount holding `path`: the one with the longest mount point containing it.
pub fn mount_of(path: &Path, mounts: &str) -> Option<MountInfo> {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut best: Option<(usize, MountInfo)> = None;
    for line in mounts.lines() {
        let mut fields = line.split_whitespace();
        let (Some(_device), Some(mount_point), Some(fs_type)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let options = fields.next().unwrap_or("");
        // /proc/mounts escapes spaces and other characters as octal (`\040`).
        let mount_point = mount_point.replace("\\040", " ");
        if path.starts_with(&mount_point) {
            let len = mount_point.len();
            if best.is_none_or(|(l, _)| len >= l) {
                let size = options
                    .split(',')
                    .find_map(|o| o.strip_prefix("size="))
                    .and_then(parse_size);
                let info = MountInfo {
                    memory_backed: matches!(fs_type, "tmpfs" | "ramfs"),
                    size,
                };
                best = Some((len, info));
            }
        }
    }
    best.map(|(_, info)| info)
}

/// A mount option size: bytes, or with a `k`, `m`, `g` suffix.
fn parse_size(text: &str) -> Option<u64> {
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let value: u64 = digits.parse().ok()?;
    let scale = match unit.to_ascii_lowercase().as_str() {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => return None,
    };
    value.checked_mul(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: &str = "\
overlay / overlay rw 0 0
tmpfs /dev/shm tmpfs rw,nosuid,size=32768k 0 0
/dev/sda1 /dev/shm/disk ext4 rw 0 0
tmpfs /mnt/my\\040dir tmpfs rw 0 0
";

    #[test]
    fn the_longest_matching_mount_decides() {
        assert!(is_memory_backed(Path::new("/dev/shm/x"), MOUNTS));
        assert!(!is_memory_backed(Path::new("/dev/shm/disk/y"), MOUNTS));
        assert!(!is_memory_backed(Path::new("/home/u"), MOUNTS));
        assert!(is_memory_backed(Path::new("/mnt/my dir/z"), MOUNTS));
        assert_eq!(
            mount_of(Path::new("/dev/shm/x"), MOUNTS).and_then(|m| m.size),
            Some(32 << 20)
        );
        assert!(!is_memory_backed(Path::new("/dev/shmother"), MOUNTS));
    }

    #[test]
    fn stale_work_dirs_are_removed_and_live_ones_kept() -> Result<()> {
        let root = tempfile::tempdir().map_err(|e| ExecutorError::io("tempdir", e))?;
        let live = LocalDirs::create(&[root.path().to_path_buf()], "0", false)?;
        // A folder left by a killed executor: a lock file nobody holds.
        let stale = root.path().join("ember-executor-1-dead");
        std::fs::create_dir_all(stale.join("job")).map_err(|e| ExecutorError::io(&stale, e))?;
        File::create(stale.join(LOCK_FILE)).map_err(|e| ExecutorError::io(&stale, e))?;
        let second = LocalDirs::create(&[root.path().to_path_buf()], "1", false)?;
        assert!(!stale.exists(), "stale folder removed");
        assert!(
            live.dirs()[0].path.exists(),
            "a live executor's folder is kept"
        );
        assert!(second.dirs()[0].path.exists());
        second.remove_all();
        live.remove_all();
        Ok(())
    }

    /// Executors starting together in one root (local-cluster) must not take each other's
    /// fresh folders for stale ones: every start succeeds and every folder survives.
    #[test]
    fn executors_starting_together_keep_their_folders() -> Result<()> {
        let root = tempfile::tempdir().map_err(|e| ExecutorError::io("tempdir", e))?;
        for _round in 0..20 {
            let started: Vec<Result<LocalDirs>> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..4)
                    .map(|id| {
                        let root = root.path().to_path_buf();
                        scope.spawn(move || LocalDirs::create(&[root], &id.to_string(), false))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(ExecutorError::Configuration("panic".into())))
                    })
                    .collect()
            });
            let started: Vec<LocalDirs> = started.into_iter().collect::<Result<_>>()?;
            for dirs in &started {
                assert!(dirs.dirs()[0].path.join(LOCK_FILE).exists());
            }
            for dirs in started {
                dirs.remove_all();
            }
        }
        Ok(())
    }

    #[test]
    fn abandoned_staging_folders_are_removed_only_when_old() -> Result<()> {
        let root = tempfile::tempdir().map_err(|e| ExecutorError::io("tempdir", e))?;
        let young = root
            .path()
            .join(format!("{STAGING_PREFIX}ember-executor-7-young"));
        std::fs::create_dir(&young).map_err(|e| ExecutorError::io(&young, e))?;
        let old = root
            .path()
            .join(format!("{STAGING_PREFIX}ember-executor-8-old"));
        std::fs::create_dir(&old).map_err(|e| ExecutorError::io(&old, e))?;
        File::create(old.join(LOCK_FILE)).map_err(|e| ExecutorError::io(&old, e))?;
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        File::open(&old)
            .and_then(|dir| dir.set_modified(an_hour_ago))
            .map_err(|e| ExecutorError::io(&old, e))?;
        let dirs = LocalDirs::create(&[root.path().to_path_buf()], "0", false)?;
        assert!(
            young.exists(),
            "a starting executor's staging folder is kept"
        );
        assert!(!old.exists(), "an abandoned staging folder is removed");
        dirs.remove_all();
        Ok(())
    }

    #[test]
    fn rotation_visits_every_dir_once() -> Result<()> {
        let a = tempfile::tempdir().map_err(|e| ExecutorError::io("tempdir", e))?;
        let b = tempfile::tempdir().map_err(|e| ExecutorError::io("tempdir", e))?;
        let dirs = LocalDirs::create(&[a.path().into(), b.path().into()], "x", false)?;
        let first: Vec<_> = dirs.rotation().map(|d| d.path.clone()).collect();
        let second: Vec<_> = dirs.rotation().map(|d| d.path.clone()).collect();
        assert_eq!(first.len(), 2);
        assert_ne!(first[0], second[0]);
        dirs.remove_all();
        Ok(())
    }
}
