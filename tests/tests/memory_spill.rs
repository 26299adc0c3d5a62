//! Memory-bounded executors: TPC-H SF0.5 Q18, Q9, Q21 and a sort of all of `lineitem` on two
//! executor processes whose memory is far below the data. The answers must be right, the jobs
//! must spill, every executor's peak RSS must stay under its memory plus the documented
//! overhead, and no shuffle or spill file may outlive its job.

use arrow::array::Array;
use ember::Session;
use ember_executor::memory::{default_overhead_bytes, process::status_kib};
use ember_tests::local_dirs::{entries_left, files_left};
use ember_tests::sorted::sort_lineitem_checked;
use ember_tests::{check_tpch, register_tpch, shared_tpch};

const EXECUTOR_MIB: u64 = 192;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_larger_than_executor_memory_spill_and_succeed() {
    let dir = shared_tpch(0.5);
    let local_dir = tempfile::tempdir().expect("temp dir");
    let session = Session::builder()
        .master(&format!("local-cluster[2,1,{EXECUTOR_MIB}]"))
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.local.dir", &local_dir.path().display().to_string())
        .build()
        .await
        .expect("session starts");
    register_tpch(&session, &dir).await;

    // The three TPC-H queries with the largest joins and aggregations.
    let mut spilled = 0u64;
    for q in [18, 9, 21] {
        let failures = check_tpch(&session, 0.5, [q]).await;
        assert!(failures.is_empty(), "q{q}:\n{}", failures.join("\n"));
        let metrics = session.last_job_metrics();
        let bytes: u64 = metrics.iter().map(|s| s.spilled_bytes).sum();
        let peak = metrics
            .iter()
            .map(|s| s.peak_memory_bytes)
            .max()
            .unwrap_or(0);
        eprintln!("q{q}: spilled {bytes} bytes, peak task reservation {peak} bytes");
        spilled += bytes;
        assert_eq!(files_left(local_dir.path()).await, Vec::<String>::new());
    }

    // A sort of every lineitem row: far more than an executor holds. The order is checked as
    // the rows stream in, and the row count and key sum against the table.
    let sorted = sort_lineitem_checked(&session, "l_orderkey, l_linenumber, l_comment").await;
    let rows = sorted.rows;
    let sort_spill: u64 = session
        .last_job_metrics()
        .iter()
        .map(|s| s.spilled_bytes)
        .sum();
    eprintln!("sort: {rows} rows, spilled {sort_spill} bytes");
    assert!(sort_spill > 0, "the sort must spill");
    spilled += sort_spill;
    assert!(spilled > 0);

    // EXPLAIN ANALYZE shows the same metrics.
    let analyze = session
        .sql("EXPLAIN ANALYZE SELECT l_comment FROM lineitem ORDER BY l_comment")
        .await
        .expect("plans")
        .collect()
        .await
        .expect("runs");
    let text: String = analyze
        .iter()
        .flat_map(|b| {
            let plans = b
                .column(1)
                .as_any()
                .downcast_ref::<arrow::array::StringArray>()
                .expect("plan text");
            (0..plans.len())
                .map(|i| plans.value(i).to_string())
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!("{text}");
    assert!(text.contains("spill files"), "{text}");
    assert!(text.contains("peak memory"), "{text}");

    // Every executor stayed within its memory plus overhead.
    let limit = EXECUTOR_MIB * 1024 * 1024 + default_overhead_bytes(EXECUTOR_MIB * 1024 * 1024);
    let pids = session.executor_pids().await;
    assert_eq!(pids.len(), 2);
    for (id, pid) in &pids {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
        let peak = status_kib(&status, "VmHWM:").expect("VmHWM") * 1024;
        eprintln!(
            "executor {id}: peak RSS {} MiB (limit {} MiB)",
            peak >> 20,
            limit >> 20
        );
        assert!(
            peak <= limit,
            "executor {id} peaked at {peak} bytes, over {limit}"
        );
    }

    assert_eq!(files_left(local_dir.path()).await, Vec::<String>::new());
    session.stop().await;
    let left = entries_left(local_dir.path()).await;
    assert!(left.is_empty(), "left behind: {left:?}");
}
