//! An executor process killed (SIGKILL) in the middle of a multi-stage query: its tasks are
//! retried elsewhere, the shuffle output it held is recomputed, and the answer is still right.

use std::collections::HashSet;

use ember::Session;
use ember::scheduler::SchedulerEvent;
use ember_tests::{check_tpch, register_tpch, shared_tpch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_executor_is_replaced_by_recomputation() {
    let dir = shared_tpch(0.1);
    let session = Session::builder()
        .master("local-cluster[2,1,1024]")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.shuffle.readHostLocalDisk", "false")
        .build()
        .await
        .expect("session starts");
    register_tpch(&session, &dir).await;
    let pids = session.executor_pids().await;
    let (victim, victim_pid) = pids
        .iter()
        .find(|(id, _)| id == "1")
        .cloned()
        .expect("executor 1 exists");

    let mut events = session.subscribe();
    let victim_id = victim.clone();
    let watcher = tokio::spawn(async move {
        let mut completed_before_kill: HashSet<u32> = HashSet::new();
        // Stages in which the victim produced map output.
        let mut victim_outputs: HashSet<u32> = HashSet::new();
        let mut killed = false;
        let mut reran = Vec::new();
        let mut removed = None;
        while let Ok(event) = events.recv().await {
            match event {
                SchedulerEvent::TaskEnded {
                    stage_id,
                    executor_id,
                    failure: None,
                    ..
                } if executor_id == victim_id => {
                    victim_outputs.insert(stage_id);
                }
                SchedulerEvent::StageCompleted { stage_id, .. } if !killed => {
                    completed_before_kill.insert(stage_id);
                    if !victim_outputs.contains(&stage_id) {
                        continue;
                    }
                    let status = std::process::Command::new("kill")
                        .arg("-9")
                        .arg(victim_pid.to_string())
                        .status()
                        .expect("run kill");
                    assert!(status.success());
                    killed = true;
                }
                SchedulerEvent::ExecutorRemoved {
                    executor_id,
                    reason,
                } => {
                    removed = Some((executor_id, reason));
                }
                SchedulerEvent::TaskStarted { stage_id, .. }
                    if killed && completed_before_kill.contains(&stage_id) =>
                {
                    reran.push(stage_id);
                }
                SchedulerEvent::JobEnded { .. } => break,
                _ => {}
            }
        }
        (killed, removed, reran)
    });

    let failures = check_tpch(&session, 0.1, [18]).await;
    let (killed, removed, reran) = watcher.await.expect("watcher");
    session.stop().await;
    assert!(
        failures.is_empty(),
        "wrong result after executor loss: {failures:?}"
    );
    assert!(
        killed,
        "no completed stage had output on the victim before the job ended"
    );
    let (removed_id, reason) = removed.expect("the dead executor was detected");
    assert_eq!(removed_id, victim);
    assert!(
        reason.contains("exited") || reason.contains("unreachable"),
        "{reason}"
    );
    assert!(
        !reran.is_empty(),
        "no map task of a completed stage was rerun to regenerate the lost output"
    );
}
