//! Spark's own TPC-DS queries (all 103 files) on the embedded default (`local[2]`) and on
//! `local-cluster[2,1,1024]` (two executor processes, so every stage plan crosses the wire),
//! checked against JVM Spark's committed answers: rows, column types and error classes.
//!
//! The data is generated in the test at SF0.01 (`EMBER_TPCDS_SCALE=1` runs SF1 against the
//! committed SF1 answers; `EMBER_TPCDS_QUERIES=q14a,q47` runs a few).

use ember::Session;
use ember_tests::tpcds;

fn scale() -> f64 {
    std::env::var("EMBER_TPCDS_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.01)
}

fn queries() -> Vec<String> {
    match std::env::var("EMBER_TPCDS_QUERIES") {
        Ok(list) if !list.trim().is_empty() => {
            list.split(',').map(|q| q.trim().to_string()).collect()
        }
        _ => tpcds::query_names(),
    }
}

async fn check_on(master: &str) {
    let scale = scale();
    let dir = tpcds::shared(scale);
    let session = Session::builder()
        .master(master)
        .config("spark.sql.shuffle.partitions", "4")
        .build()
        .await
        .expect("session starts");
    tpcds::register(&session, &dir).await;
    let names = queries();
    let failures = tpcds::check(&session, scale, &names).await;
    session.stop().await;

    eprintln!(
        "TPC-DS SF{scale} on {master}: {} of {} queries return JVM Spark's answer",
        names.len() - failures.len(),
        names.len()
    );
    assert!(
        failures.is_empty(),
        "differ from JVM Spark:\n{}",
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tpcds_on_local_2() {
    check_on("local[2]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tpcds_on_local_cluster() {
    check_on("local-cluster[2,1,1024]").await;
}
