//! All 22 TPC-H queries on `local-cluster[2,1,1024]` (two executor processes), checked against
//! single-node DataFusion on the same data; afterwards no shuffle file is left behind.

use std::path::Path;
use std::time::{Duration, Instant};

use ember::Session;
use ember_tests::{check_tpch, register_tpch, shared_tpch};

fn files_under(dir: &Path) -> Vec<String> {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tpch_all_queries_on_local_cluster() {
    let dir = shared_tpch(0.01);
    let local_dir = tempfile::tempdir().expect("temp dir");
    let session = Session::builder()
        .master("local-cluster[2,1,1024]")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.local.dir", &local_dir.path().display().to_string())
        // Exercise the network path between executor processes, not host-local reads.
        .config("spark.shuffle.readHostLocalDisk", "false")
        .build()
        .await
        .expect("session starts");
    assert_eq!(session.executor_pids().await.len(), 2);
    register_tpch(&session, &dir).await;
    let failures = check_tpch(&session, &dir, 0.01, 1..=22).await;
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));

    // Every job's shuffle files are deleted once its result has been read.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !files_under(local_dir.path()).is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(files_under(local_dir.path()), Vec::<String>::new());
    session.stop().await;
    // Executors remove their own folders when they stop.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(local_dir.path())
        .map(|d| d.count())
        .unwrap_or(0)
        > 0
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let left: Vec<_> = std::fs::read_dir(local_dir.path())
        .expect("read dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
