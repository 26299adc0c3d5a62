//! Scheduler events for failure tests: pick an executor while a job runs, then see whether the
//! driver lost it before the job ended.

use ember::scheduler::SchedulerEvent;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

/// The first executor to finish a task of the job (`victim`), and the reason the driver gave
/// for losing it before the job ended, if it did (`lost`).
pub struct VictimWatch {
    pub victim: oneshot::Receiver<String>,
    pub lost: JoinHandle<Option<String>>,
}

/// Starts watching `events` (subscribe before the job starts).
pub fn watch_first_executor(mut events: broadcast::Receiver<SchedulerEvent>) -> VictimWatch {
    let (victim_tx, victim_rx) = oneshot::channel();
    let lost = tokio::spawn(async move {
        let mut victim_tx = Some(victim_tx);
        let mut victim = None;
        let mut lost = None;
        while let Ok(event) = events.recv().await {
            match event {
                SchedulerEvent::TaskEnded {
                    executor_id,
                    failure: None,
                    ..
                } if victim.is_none() => {
                    victim = Some(executor_id.clone());
                    if let Some(tx) = victim_tx.take() {
                        let _ = tx.send(executor_id);
                    }
                }
                SchedulerEvent::ExecutorRemoved {
                    executor_id,
                    reason,
                } if victim.as_ref() == Some(&executor_id) && lost.is_none() => {
                    lost = Some(reason);
                }
                SchedulerEvent::JobEnded { .. } if victim.is_some() => break,
                _ => {}
            }
        }
        lost
    });
    VictimWatch {
        victim: victim_rx,
        lost,
    }
}
