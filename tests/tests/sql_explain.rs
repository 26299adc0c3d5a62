//! `EXPLAIN` shows the stage DAG: stages, their tasks, exchanges and operators.

use arrow::array::StringArray;
use ember::Session;
use ember_tests::{register_tpch, shared_tpch, tpch_query};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_prints_the_stage_dag() {
    let dir = shared_tpch(0.01);
    let session = Session::builder()
        .master("local[2]")
        .config("spark.sql.shuffle.partitions", "3")
        .build()
        .await
        .expect("session starts");
    register_tpch(&session, &dir).await;
    let batches = session
        .sql(&format!("EXPLAIN {}", tpch_query(3)))
        .await
        .expect("explain plans")
        .collect()
        .await
        .expect("explain runs");
    let mut distributed = None;
    for batch in &batches {
        let kinds = batch
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("utf8");
        let plans = batch
            .column(1)
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("utf8");
        for i in 0..batch.num_rows() {
            if kinds.value(i) == "distributed_plan" {
                distributed = Some(plans.value(i).to_string());
            }
        }
    }
    let text = distributed.expect("a distributed_plan row");
    assert!(text.contains("Stage 0 ("), "{text}");
    assert!(text.contains("into 3 partitions"), "{text}");
    assert!(text.contains("ShuffleReaderExec"), "{text}");
    assert!(text.contains("-> result to the driver"), "{text}");
    // The final stage of an ORDER BY ... LIMIT query is a single task merging sorted partitions.
    let last = text.split("Stage ").last().expect("stages");
    assert!(last.contains("(1 task"), "{last}");
    assert!(last.contains("SortPreservingMergeExec"), "{last}");
    session.stop().await;
}
