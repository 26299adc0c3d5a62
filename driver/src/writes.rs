//! Distributed writes, driver side: a query becomes a job whose tasks each write their files
//! into a staging folder ([`ember_executor::write::WriteFilesExec`]); once the whole job has
//! succeeded the driver commits exactly the files the tasks reported.
//!
//! The commit moves replaced data aside first and only deletes it after the new files are in
//! place, so a failed `INSERT OVERWRITE` (failed job, or failed commit) leaves the old data as
//! it was; the staging folder is removed whatever happens.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, Int64Array, StringArray};
use datafusion::logical_expr::LogicalPlan;
use ember_executor::write::{WriteFilesExec, WriteSpec};
use futures::TryStreamExt;

use crate::error::{EmberError, Result};
use crate::session::Session;

/// Which existing data a write replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SaveMode {
    /// Keep everything; add the new files (`INSERT INTO`).
    Append,
    /// Replace all data (`INSERT OVERWRITE`, static mode, `CREATE TABLE AS`).
    Overwrite,
    /// Replace only the partition folders the job wrote (dynamic partition overwrite).
    OverwriteWritten,
    /// Replace one partition folder such as `p=x` (a static `PARTITION (p='x')` spec).
    OverwritePrefix(String),
}

/// Where and how a write lands.
#[derive(Debug, Clone)]
pub(crate) struct WriteTarget {
    /// The table or directory folder.
    pub location: PathBuf,
    /// `parquet`, `csv` or `json`.
    pub format: String,
    /// Writer options (lower-case keys).
    pub options: BTreeMap<String, String>,
    /// How many trailing columns of the plan are partition columns.
    pub partition_columns: usize,
    pub mode: SaveMode,
}

/// A folder next to `location` named for this job, hidden from readers of `location`.
fn sibling(location: &Path, what: &str, job: &str) -> PathBuf {
    let name = location
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = location.parent().unwrap_or(location);
    parent.join(format!(".{name}-ember-{what}-{job}"))
}

/// Removes a folder when dropped (staging and replaced data).
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if self.0.exists()
            && let Err(e) = std::fs::remove_dir_all(&self.0)
        {
            tracing::warn!("cannot remove {}: {e}", self.0.display());
        }
    }
}

impl Session {
    /// Runs `plan` (already in the target's column order and types) on the executors, writing
    /// its rows as files, and commits them. Returns the number of rows written.
    pub(crate) async fn write_plan(&self, plan: LogicalPlan, target: &WriteTarget) -> Result<u64> {
        let job = uuid::Uuid::new_v4().simple().to_string();
        let staging = sibling(&target.location, "staging", &job);
        let _cleanup = RemoveOnDrop(staging.clone());
        let physical = self.physical_plan(&plan).await?;
        let spec = WriteSpec {
            staging_dir: staging.clone(),
            format: target.format.clone(),
            options: target.options.clone(),
            partition_columns: target.partition_columns,
            file_id: job.clone(),
        };
        let write = Arc::new(WriteFilesExec::try_new(physical, spec)?);
        let batches: Vec<_> = self.run(write).await?.try_collect().await?;
        let mut files = Vec::new();
        let mut rows = 0u64;
        for batch in &batches {
            let paths = batch.column(0).as_any().downcast_ref::<StringArray>();
            let counts = batch.column(1).as_any().downcast_ref::<Int64Array>();
            let (Some(paths), Some(counts)) = (paths, counts) else {
                return Err(EmberError::Internal(
                    "a write task returned an unexpected result".into(),
                ));
            };
            for i in 0..batch.num_rows() {
                files.push(paths.value(i).to_string());
                rows += counts.value(i).max(0) as u64;
            }
        }
        commit(&staging, target, &files, &job)?;
        Ok(rows)
    }
}

/// Removes every data file of a table folder (`TRUNCATE TABLE`), with the same set-aside
/// commit as an overwrite.
pub(crate) fn truncate(location: &Path) -> Result<()> {
    let job = uuid::Uuid::new_v4().simple().to_string();
    let target = WriteTarget {
        location: location.to_path_buf(),
        format: String::new(),
        options: BTreeMap::new(),
        partition_columns: 0,
        mode: SaveMode::Overwrite,
    };
    commit(location, &target, &[], &job)
}

/// The entries of `location` that hold data (not `_SUCCESS`, not hidden files).
fn data_entries(location: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(location) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(EmberError::io(
                format!("cannot list {}", location.display()),
                e,
            ));
        }
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| EmberError::io(format!("cannot list {}", location.display()), e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with('.') && !name.starts_with('_') {
            out.push(entry.path());
        }
    }
    Ok(out)
}

/// Removes `dir` and the folders below it if they hold no files.
fn remove_empty_dirs(dir: &Path) {
    if !dir.is_dir() {
        return;
    }
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        remove_empty_dirs(&entry.path());
    }
    let _ = std::fs::remove_dir(dir);
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| EmberError::io(format!("cannot create {}", parent.display()), e))?;
    }
    std::fs::rename(from, to).map_err(|e| {
        EmberError::io(
            format!("cannot move {} to {}", from.display(), to.display()),
            e,
        )
    })
}

/// Moves the written files from `staging` into `target.location`, replacing what the mode
/// says; on failure everything moved so far is moved back.
fn commit(staging: &Path, target: &WriteTarget, files: &[String], job: &str) -> Result<()> {
    let location = &target.location;
    std::fs::create_dir_all(location)
        .map_err(|e| EmberError::io(format!("cannot create {}", location.display()), e))?;
    let replaced: Vec<PathBuf> = match &target.mode {
        SaveMode::Append => Vec::new(),
        SaveMode::Overwrite => data_entries(location)?,
        SaveMode::OverwritePrefix(prefix) => vec![location.join(prefix)],
        SaveMode::OverwriteWritten => files
            .iter()
            .filter_map(|f| Path::new(f).parent().map(Path::to_path_buf))
            .filter(|p| !p.as_os_str().is_empty())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|p| location.join(p))
            .collect(),
    };
    let old = sibling(location, "replaced", job);
    let _cleanup = RemoveOnDrop(old.clone());
    let mut set_aside: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut moved_in: Vec<PathBuf> = Vec::new();
    let result = (|| {
        for path in replaced.iter().filter(|p| p.exists()) {
            let relative = path.strip_prefix(location).unwrap_or(path);
            let aside = old.join(relative);
            rename(path, &aside)?;
            set_aside.push((path.clone(), aside));
        }
        for file in files {
            let to = location.join(file);
            rename(&staging.join(file), &to)?;
            moved_in.push(to);
        }
        std::fs::write(location.join("_SUCCESS"), b"")
            .map_err(|e| EmberError::io(format!("cannot write {}", location.display()), e))
    })();
    if let Err(error) = result {
        for path in &moved_in {
            let _ = std::fs::remove_file(path);
        }
        let mut restored = true;
        for (original, aside) in set_aside.iter().rev() {
            // Folders the new files needed are left empty by the removal above.
            remove_empty_dirs(original);
            if let Err(e) = std::fs::rename(aside, original) {
                restored = false;
                tracing::error!(
                    "cannot restore {} from {}: {e}",
                    original.display(),
                    aside.display()
                );
            }
        }
        if !restored {
            // Keep the set-aside data: it is the only copy left.
            std::mem::forget(_cleanup);
            return Err(EmberError::Internal(format!(
                "{error}; the replaced data could not be fully restored and is kept in {}",
                old.display()
            )));
        }
        return Err(error);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(dir: &Path, mode: SaveMode) -> WriteTarget {
        WriteTarget {
            location: dir.join("t"),
            format: "csv".into(),
            options: BTreeMap::new(),
            partition_columns: 1,
            mode,
        }
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut out: Vec<String> = walk(dir)
            .into_iter()
            .filter_map(|p| p.strip_prefix(dir).ok().map(|r| r.display().to_string()))
            .collect();
        out.sort();
        out
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
        out
    }

    fn stage(staging: &Path, files: &[&str]) {
        for f in files {
            let p = staging.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, b"new").expect("write");
        }
    }

    #[test]
    fn overwrite_modes_replace_what_they_say() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path();
        stage(&base.join("t"), &["p=1/old.csv", "p=2/old.csv"]);
        // Dynamic: only p=2 is replaced.
        let staging = base.join("s1");
        stage(&staging, &["p=2/new.csv", "p=3/new.csv"]);
        let files = vec!["p=2/new.csv".to_string(), "p=3/new.csv".to_string()];
        commit(
            &staging,
            &target(base, SaveMode::OverwriteWritten),
            &files,
            "j1",
        )
        .expect("commit");
        assert_eq!(
            listing(&base.join("t")),
            ["_SUCCESS", "p=1/old.csv", "p=2/new.csv", "p=3/new.csv"]
        );
        // Static prefix: p=1 emptied even though nothing new lands there.
        commit(
            &staging,
            &target(base, SaveMode::OverwritePrefix("p=1".into())),
            &[],
            "j2",
        )
        .expect("commit");
        assert_eq!(
            listing(&base.join("t")),
            ["_SUCCESS", "p=2/new.csv", "p=3/new.csv"]
        );
        // Append then full overwrite.
        let staging = base.join("s2");
        stage(&staging, &["p=9/x.csv"]);
        commit(
            &staging,
            &target(base, SaveMode::Overwrite),
            &["p=9/x.csv".into()],
            "j3",
        )
        .expect("commit");
        assert_eq!(listing(&base.join("t")), ["_SUCCESS", "p=9/x.csv"]);
        // Nothing of the replaced data is left next to the table.
        assert_eq!(
            std::fs::read_dir(base)
                .expect("list")
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().contains("replaced"))
                .count(),
            0
        );
    }

    #[test]
    fn a_failed_commit_restores_the_old_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path();
        stage(&base.join("t"), &["p=1/old.csv"]);
        let staging = base.join("s");
        stage(&staging, &["p=1/new.csv"]);
        // The second file does not exist in staging: the commit fails half way.
        let files = vec!["p=1/new.csv".to_string(), "p=2/missing.csv".to_string()];
        let result = commit(&staging, &target(base, SaveMode::Overwrite), &files, "j");
        assert!(result.is_err());
        assert_eq!(listing(&base.join("t")), ["p=1/old.csv"]);
    }
}
