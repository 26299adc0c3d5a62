//! A task that fails on every attempt fails its job after `spark.task.maxFailures` attempts, with
//! an error that names the stage and the task and carries the executor's failure message.

use ember::scheduler::SchedulerEvent;
use ember::{EmberError, Session};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_attempt_failing_aborts_the_job_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "s\n12\nabc\n7\n").expect("write csv");
    let session = Session::builder()
        .master("local[2]")
        .config("spark.task.maxFailures", "3")
        .build()
        .await
        .expect("session starts");
    session
        .sql(&format!(
            "CREATE EXTERNAL TABLE t (s VARCHAR) STORED AS CSV LOCATION '{}' OPTIONS ('format.has_header' 'true')",
            csv.display()
        ))
        .await
        .expect("register csv");
    let mut events = session.subscribe();
    let result = session
        .sql("SELECT CAST(s AS INT) AS n FROM t")
        .await
        .expect("plans")
        .collect()
        .await;
    let err = result.expect_err("the cast of 'abc' must fail");
    let message = err.to_string();
    assert!(matches!(err, EmberError::JobFailed(_)), "{err:?}");
    assert!(
        message.contains("task 0 in stage 0 failed 3 times"),
        "{message}"
    );
    assert!(
        message.contains("abc"),
        "the executor's message is lost: {message}"
    );

    let mut failed_attempts = 0;
    while let Ok(event) = events.try_recv() {
        if let SchedulerEvent::TaskEnded {
            failure: Some(_), ..
        } = event
        {
            failed_attempts += 1;
        }
    }
    assert_eq!(failed_attempts, 3);
    session.stop().await;
}
