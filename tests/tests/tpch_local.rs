//! All 22 TPC-H queries on the embedded default (`local[2]`), checked against JVM Spark's
//! committed answers (column types included).

use ember::Session;
use ember_tests::{check_tpch, register_tpch, shared_tpch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tpch_all_queries_on_local_2() {
    let dir = shared_tpch(0.01);
    let session = Session::builder()
        .master("local[2]")
        .config("spark.sql.shuffle.partitions", "4")
        .build()
        .await
        .expect("session starts");
    register_tpch(&session, &dir).await;
    let failures = check_tpch(&session, 0.01, 1..=22).await;
    session.stop().await;
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}
