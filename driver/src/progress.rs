//! Spark's console progress bar: `[Stage 3:=====>      (12 + 4) / 200]`, for stages that have
//! run longer than half a second, several side by side, cleared when they finish. Shown by the
//! CLI when stderr is a terminal and `spark.ui.showConsoleProgress` is true.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::scheduler::SchedulerEvent;

/// Stages younger than this are not shown (as in Spark).
const SHOW_AFTER: Duration = Duration::from_millis(500);
/// Redraw interval.
const TICK: Duration = Duration::from_millis(200);
/// Total width of the bar line.
const WIDTH: usize = 80;

/// Progress of one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageProgress {
    pub stage_id: u32,
    pub total: usize,
    pub running: usize,
    pub done: usize,
}

/// Renders the bar line for `stages` within `width` columns.
pub fn render_bar(stages: &[StageProgress], width: usize) -> String {
    if stages.is_empty() {
        return String::new();
    }
    let each = width / stages.len();
    let mut out = String::new();
    for s in stages {
        let header = format!("[Stage {}:", s.stage_id);
        let tail = format!("({} + {}) / {}]", s.done, s.running, s.total);
        let bar_width = each.saturating_sub(header.len() + tail.len());
        if bar_width > 0 && s.total > 0 {
            let percent = bar_width * s.done / s.total;
            let mut bar = "=".repeat(percent);
            if percent < bar_width {
                bar.push('>');
                bar.push_str(&" ".repeat(bar_width - percent - 1));
            }
            out.push_str(&format!("{header}{bar}{tail}"));
        } else {
            out.push_str(&format!("{header}{tail}"));
        }
    }
    out
}

#[derive(Debug)]
struct Tracked {
    progress: StageProgress,
    since: Instant,
}

/// Draws progress on stderr until dropped.
#[derive(Debug)]
pub struct ConsoleProgress {
    task: JoinHandle<()>,
}

impl ConsoleProgress {
    /// Starts drawing from scheduler events.
    pub fn start(mut events: broadcast::Receiver<SchedulerEvent>) -> Self {
        let task = tokio::spawn(async move {
            let mut stages: BTreeMap<(String, u32), Tracked> = BTreeMap::new();
            let mut shown = false;
            let mut ticker = tokio::time::interval(TICK);
            loop {
                tokio::select! {
                    event = events.recv() => match event {
                        Ok(event) => update(&mut stages, event),
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                    _ = ticker.tick() => {
                        let visible: Vec<StageProgress> = stages
                            .values()
                            .filter(|t| t.since.elapsed() >= SHOW_AFTER)
                            .map(|t| t.progress)
                            .collect();
                        let mut err = std::io::stderr().lock();
                        if visible.is_empty() {
                            if shown {
                                let _ = write!(err, "\r{}\r", " ".repeat(WIDTH));
                                shown = false;
                            }
                        } else {
                            let _ = write!(err, "\r{}", render_bar(&visible, WIDTH));
                            shown = true;
                        }
                        let _ = err.flush();
                    }
                }
            }
        });
        Self { task }
    }
}

impl Drop for ConsoleProgress {
    fn drop(&mut self) {
        self.task.abort();
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{}\r", " ".repeat(WIDTH));
        let _ = err.flush();
    }
}

fn update(stages: &mut BTreeMap<(String, u32), Tracked>, event: SchedulerEvent) {
    match event {
        SchedulerEvent::StageSubmitted {
            job_id,
            stage_id,
            tasks,
            ..
        } => {
            stages.entry((job_id, stage_id)).or_insert(Tracked {
                progress: StageProgress {
                    stage_id,
                    total: tasks,
                    running: 0,
                    done: 0,
                },
                since: Instant::now(),
            });
        }
        SchedulerEvent::TaskStarted {
            job_id, stage_id, ..
        } => {
            if let Some(t) = stages.get_mut(&(job_id, stage_id)) {
                t.progress.running += 1;
            }
        }
        SchedulerEvent::TaskEnded {
            job_id,
            stage_id,
            failure,
            ..
        } => {
            if let Some(t) = stages.get_mut(&(job_id, stage_id)) {
                t.progress.running = t.progress.running.saturating_sub(1);
                if failure.is_none() {
                    t.progress.done = (t.progress.done + 1).min(t.progress.total);
                }
            }
        }
        SchedulerEvent::StageCompleted { job_id, stage_id } => {
            stages.remove(&(job_id, stage_id));
        }
        SchedulerEvent::JobEnded { job_id, .. } => stages.retain(|(j, _), _| *j != job_id),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_look_like_spark() {
        let one = render_bar(
            &[StageProgress {
                stage_id: 3,
                total: 200,
                running: 4,
                done: 12,
            }],
            40,
        );
        assert_eq!(one, "[Stage 3:>               (12 + 4) / 200]");
        assert_eq!(one.len(), 40);
        let two = render_bar(
            &[
                StageProgress {
                    stage_id: 1,
                    total: 2,
                    running: 0,
                    done: 2,
                },
                StageProgress {
                    stage_id: 2,
                    total: 4,
                    running: 2,
                    done: 0,
                },
            ],
            60,
        );
        assert!(two.starts_with("[Stage 1:===="), "{two}");
        assert!(two.contains("[Stage 2:>"), "{two}");
        assert!(render_bar(&[], 80).is_empty());
    }
}
