//! The benchmark runner: one worker process per engine and run, one at a time, with start-up,
//! per-query times, results and peak memory measured from outside the worker.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::Serialize;

use crate::procmem::PeakSampler;

/// One engine configuration to run.
#[derive(Debug, Clone, Serialize)]
pub struct RunSpec {
    /// Label in reports, e.g. `ember local-cluster[2,1,4096]`.
    pub label: String,
    /// `ember`, `spark` or `datafusion`.
    pub engine: String,
    /// Master (Ember, Spark); empty for DataFusion.
    pub master: String,
}

/// One query of one run.
#[derive(Debug, Clone, Serialize)]
pub struct QueryResult {
    pub q: usize,
    pub times: Vec<f64>,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub rows: usize,
    /// `None` when the query ran; the error otherwise.
    pub error: Option<String>,
    /// Comparison with the reference engine: `None` when this run is the reference.
    pub check: Option<String>,
}

/// Everything measured for one run.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub spec: RunSpec,
    /// Process start to the first `SELECT 1` result, seconds.
    pub startup_s: f64,
    /// Ember: session build (executors started and registered), seconds.
    pub executors_s: Option<f64>,
    pub peak_memory_bytes: u64,
    pub queries: Vec<QueryResult>,
    /// Where the result files are.
    pub results_dir: PathBuf,
}

impl RunResult {
    /// Sum of medians of the queries that ran.
    pub fn total(&self) -> f64 {
        self.queries
            .iter()
            .filter(|q| q.error.is_none())
            .map(|q| q.median)
            .sum()
    }

    /// Geometric mean of the medians of the queries that ran.
    pub fn geomean(&self) -> f64 {
        let ok: Vec<f64> = self
            .queries
            .iter()
            .filter(|q| q.error.is_none() && q.median > 0.0)
            .map(|q| q.median.ln())
            .collect();
        if ok.is_empty() {
            return 0.0;
        }
        (ok.iter().sum::<f64>() / ok.len() as f64).exp()
    }
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// The worker command of a run.
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
}

/// Runs one worker to completion, printing progress on stderr.
///
/// # Errors
/// The worker cannot start, or exits before it is ready.
pub fn run_worker(
    spec: &RunSpec,
    command: WorkerCommand,
    results_dir: &Path,
    total: usize,
) -> Result<RunResult, String> {
    let started = Instant::now();
    let mut child = Command::new(&command.program)
        .args(&command.args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", command.program.display()))?;
    let sampler = PeakSampler::start(child.id());
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| "worker has no stdout".to_string())?;
    let mut startup_s = None;
    let mut executors_s = None;
    let mut queries = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        match event["event"].as_str() {
            Some("ready") => {
                startup_s = Some(started.elapsed().as_secs_f64());
                executors_s = event["executors_s"].as_f64();
                eprintln!(
                    "  [{}] ready after {:.2} s",
                    spec.label,
                    started.elapsed().as_secs_f64()
                );
            }
            Some("query") => {
                let q = event["q"].as_u64().unwrap_or(0) as usize;
                let times: Vec<f64> = event["times"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|t| t.as_f64()).collect())
                    .unwrap_or_default();
                let error = event["error"].as_str().map(str::to_string);
                let result = QueryResult {
                    q,
                    median: median(&times),
                    min: times
                        .iter()
                        .copied()
                        .fold(f64::INFINITY, f64::min)
                        .min(f64::MAX),
                    max: times.iter().copied().fold(0.0, f64::max),
                    rows: event["rows"].as_u64().unwrap_or(0) as usize,
                    times,
                    error: error.clone(),
                    check: None,
                };
                match &error {
                    Some(e) => eprintln!(
                        "  [{}] q{q} ({}/{total}) FAILED: {e}",
                        spec.label,
                        queries.len() + 1
                    ),
                    None => eprintln!(
                        "  [{}] q{q} ({}/{total}) {:.3} s",
                        spec.label,
                        queries.len() + 1,
                        result.median
                    ),
                }
                queries.push(result);
            }
            _ => {}
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let peak_memory_bytes = sampler.finish();
    let Some(startup_s) = startup_s else {
        return Err(format!(
            "{} exited ({status}) before it was ready",
            spec.label
        ));
    };
    if !status.success() {
        eprintln!("  [{}] worker exited with {status}", spec.label);
    }
    Ok(RunResult {
        spec: spec.clone(),
        startup_s,
        executors_s,
        peak_memory_bytes,
        queries,
        results_dir: results_dir.to_path_buf(),
    })
}
