//! Dynamic allocation on `local-cluster`: an application that starts with no executor gets
//! them when tasks wait (schedulerBacklogTimeout), runs its queries correctly, and gives them
//! back when they are idle (executorIdleTimeout); the next query scales up again.

use std::time::Duration;

use ember::Session;
use ember::scheduler::SchedulerEvent;
use ember_tests::{check_tpch, register_tpch, shared_tpch};
use tokio::sync::broadcast::Receiver;

/// Collects events until `done` says so (or 30 s pass); returns them.
async fn events_until(
    events: &mut Receiver<SchedulerEvent>,
    mut done: impl FnMut(&[SchedulerEvent]) -> bool,
) -> Vec<SchedulerEvent> {
    let mut seen = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(event) = events.recv().await {
            seen.push(event);
            if done(&seen) {
                break;
            }
        }
    })
    .await;
    seen
}

fn idle_removals(events: &[SchedulerEvent]) -> usize {
    events
        .iter()
        .filter(|e| {
            matches!(e, SchedulerEvent::ExecutorRemoved { reason, .. }
                if reason.contains("executorIdleTimeout"))
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executors_scale_up_under_backlog_and_down_when_idle() {
    let session = Session::builder()
        .master("local-cluster[3,1,512]")
        .config("spark.dynamicAllocation.enabled", "true")
        .config("spark.dynamicAllocation.minExecutors", "0")
        .config("spark.dynamicAllocation.schedulerBacklogTimeout", "100ms")
        .config("spark.dynamicAllocation.executorIdleTimeout", "1s")
        .config("spark.sql.shuffle.partitions", "6")
        .build()
        .await
        .expect("the session starts without executors");
    assert!(session.executor_pids().await.is_empty());
    let dir = shared_tpch(0.01);
    register_tpch(&session, &dir).await;

    for round in 0..2 {
        let mut events = session.subscribe();
        let failures = check_tpch(&session, 0.01, [3]).await;
        assert!(
            failures.is_empty(),
            "round {round}: {}",
            failures.join("\n")
        );
        // Up to 3 executors (maxExecutors = the cluster's 3) came for the backlog...
        let seen = events_until(&mut events, |seen| idle_removals(seen) >= 3).await;
        let added = seen
            .iter()
            .filter(|e| matches!(e, SchedulerEvent::ExecutorAdded { .. }))
            .count();
        let targets: Vec<usize> = seen
            .iter()
            .filter_map(|e| match e {
                SchedulerEvent::AllocationTarget { executors, .. } => Some(*executors),
                _ => None,
            })
            .collect();
        eprintln!("round {round}: {added} executors added, targets {targets:?}");
        assert!(added >= 1, "round {round}: executors were added");
        assert_eq!(targets.iter().max(), Some(&3), "round {round}: {targets:?}");
        // ...and all went once idle.
        assert_eq!(idle_removals(&seen), added, "round {round}: {seen:?}");
        assert_eq!(targets.last(), Some(&0), "round {round}: {targets:?}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while !session.executor_pids().await.is_empty() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "round {round}: executor processes still running"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    session.stop().await;
}
