//! All 22 TPC-H queries on `local-cluster[2,1,1024]` (two executor processes), checked against
//! JVM Spark's committed answers (column types included); afterwards no shuffle file is left
//! behind.

use ember::Session;
use ember_tests::local_dirs::{entries_left, files_left};
use ember_tests::{check_tpch, register_tpch, shared_tpch};

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
    let failures = check_tpch(&session, 0.01, 1..=22).await;
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));

    // Every job's shuffle files are deleted once its result has been read.
    assert_eq!(files_left(local_dir.path()).await, Vec::<String>::new());
    session.stop().await;
    // Executors remove their own folders when they stop.
    let left = entries_left(local_dir.path()).await;
    assert!(left.is_empty(), "left behind: {left:?}");
}
