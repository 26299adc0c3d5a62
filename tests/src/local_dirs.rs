//! What executors leave in their local dirs: tests check that shuffle and spill files go with
//! their job, and work folders with their executor.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long file removal (asynchronous, after a job or an executor ends) may take.
const SETTLE: Duration = Duration::from_secs(10);

/// Files below `dir`, without the executors' lock files (held while an executor lives).
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if path.file_name().is_some_and(|n| n != ".lock") {
            out.push(path.display().to_string());
        }
    }
    out
}

/// Waits until no file (lock files aside) is left below `dir`; returns what is left after
/// the wait.
pub async fn files_left(dir: &Path) -> Vec<String> {
    let deadline = Instant::now() + SETTLE;
    while !files_under(dir).is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    files_under(dir)
}

/// Waits until `dir` itself is empty (the executors removed their work folders); returns the
/// entries left after the wait.
pub async fn entries_left(dir: &Path) -> Vec<PathBuf> {
    let entries = || -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    let deadline = Instant::now() + SETTLE;
    while !entries().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    entries()
}
