//! All 22 TPC-H queries on `local-cluster[2,1,1024]` (two executor processes), checked against
//! single-node DataFusion on the same data.

use ember::Session;
use ember_tests::{check_tpch, register_tpch, shared_tpch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tpch_all_queries_on_local_cluster() {
    let dir = shared_tpch(0.01);
    let session = Session::builder()
        .master("local-cluster[2,1,1024]")
        .config("spark.sql.shuffle.partitions", "4")
        // Exercise the network path between executor processes, not host-local reads.
        .config("spark.shuffle.readHostLocalDisk", "false")
        .build()
        .await
        .expect("session starts");
    assert_eq!(session.executor_pids().await.len(), 2);
    register_tpch(&session, &dir).await;
    let failures = check_tpch(&session, &dir, 1..=22).await;
    session.stop().await;
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}
