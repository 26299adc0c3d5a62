//! The shuffle benchmark's report: `shuffle.json` (every run's time) and `shuffle.md` (the table
//! of rates, each also as a ratio to the `memcpy` rate of the same run).

use std::path::Path;

use serde::Serialize;

use crate::shuffle::{Check, MIB, Medium, ShuffleArgs, ShuffleBenchError, Step};

/// One measured step.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    pub step: Step,
    pub medium: Medium,
    /// `None` for the baselines.
    pub codec: Option<&'static str>,
    /// Arrow buffer bytes moved.
    pub logical_bytes: u64,
    /// Encoded bytes: the file (or `Vec`) written or read, the bytes fetched over gRPC; the
    /// logical bytes for the baselines.
    pub encoded_bytes: u64,
    /// Seconds of each timed run (the warm-up is not included).
    pub runs_s: Vec<f64>,
    pub best_s: f64,
    pub median_s: f64,
    /// Logical MiB per second of the best and of the median run.
    pub logical_mib_s_best: f64,
    pub logical_mib_s_median: f64,
    /// Encoded MiB per second of the best run.
    pub encoded_mib_s_best: f64,
    /// The rates above divided by the `memcpy` rate of the same statistic.
    pub memcpy_ratio_best: f64,
    pub memcpy_ratio_median: f64,
    pub encoded_memcpy_ratio_best: f64,
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn rate(bytes: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        bytes as f64 / MIB / seconds
    } else {
        0.0
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

impl Measurement {
    /// A step's times; the ratios to `memcpy` are set by [`ShuffleReport::new`] (1 until then,
    /// so that progress lines of the baseline read right).
    pub fn new(
        step: Step,
        medium: Medium,
        codec: Option<&'static str>,
        logical_bytes: u64,
        encoded_bytes: u64,
        runs_s: Vec<f64>,
    ) -> Self {
        let mut sorted = runs_s.clone();
        sorted.sort_by(f64::total_cmp);
        let best_s = sorted.first().copied().unwrap_or(0.0);
        let median_s = median(&sorted);
        Self {
            step,
            medium,
            codec,
            logical_bytes,
            encoded_bytes,
            runs_s,
            best_s,
            median_s,
            logical_mib_s_best: rate(logical_bytes, best_s),
            logical_mib_s_median: rate(logical_bytes, median_s),
            encoded_mib_s_best: rate(encoded_bytes, best_s),
            memcpy_ratio_best: 1.0,
            memcpy_ratio_median: 1.0,
            encoded_memcpy_ratio_best: 1.0,
        }
    }

    /// What the row measured, for the table.
    fn label(&self) -> String {
        match (self.step, self.medium) {
            (Step::Memcpy, _) => "memcpy of every buffer (baseline)".into(),
            (Step::Scan, _) => "scan of every buffer".into(),
            (Step::Write, Medium::Memory) => "write → memory (IPC into `Vec`)".into(),
            (Step::Write, m) => format!("write → {} file", m.name()),
            (Step::Read, Medium::Memory) => "read ← memory (decode)".into(),
            (Step::Read, m) => format!("read ← {} file (mmap + decode)", m.name()),
            (Step::Fetch, m) => format!("fetch ← {} file (gRPC loopback + decode)", m.name()),
        }
    }
}

/// Everything `ember-benches shuffle` measured.
#[derive(Debug, Clone, Serialize)]
pub struct ShuffleReport {
    pub mib: usize,
    pub partitions: usize,
    pub batch_rows: usize,
    pub iterations: usize,
    /// Cores of this machine.
    pub cores: usize,
    pub codecs: Vec<&'static str>,
    pub tmpfs_dir: String,
    pub tmpfs_memory_backed: bool,
    pub disk_dir: String,
    pub disk_memory_backed: bool,
    pub batches: usize,
    /// Arrow buffer bytes of the map output.
    pub logical_bytes: u64,
    /// Rows and key sum of the map output, which every read matched.
    pub check: Check,
    pub memcpy_mib_s_best: f64,
    pub memcpy_mib_s_median: f64,
    pub measurements: Vec<Measurement>,
}

impl ShuffleReport {
    /// The report, with every rate's ratio to the `memcpy` measurement.
    pub fn new(
        args: &ShuffleArgs,
        check: Check,
        batches: usize,
        logical_bytes: u64,
        [tmpfs_memory_backed, disk_memory_backed]: [bool; 2],
        mut measurements: Vec<Measurement>,
    ) -> Self {
        let memcpy = measurements
            .iter()
            .find(|m| m.step == Step::Memcpy)
            .map_or((0.0, 0.0), |m| {
                (m.logical_mib_s_best, m.logical_mib_s_median)
            });
        for m in &mut measurements {
            m.memcpy_ratio_best = ratio(m.logical_mib_s_best, memcpy.0);
            m.memcpy_ratio_median = ratio(m.logical_mib_s_median, memcpy.1);
            m.encoded_memcpy_ratio_best = ratio(m.encoded_mib_s_best, memcpy.0);
        }
        let path = |p: &Path| {
            std::path::absolute(p)
                .unwrap_or_else(|_| p.to_path_buf())
                .display()
                .to_string()
        };
        Self {
            mib: args.mib,
            partitions: args.partitions,
            batch_rows: args.batch_rows,
            iterations: args.iterations,
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            codecs: args.codecs.iter().map(|c| c.name()).collect(),
            tmpfs_dir: path(&args.tmpfs_dir),
            tmpfs_memory_backed,
            disk_dir: path(&args.disk_dir),
            disk_memory_backed,
            batches,
            logical_bytes,
            check,
            memcpy_mib_s_best: memcpy.0,
            memcpy_mib_s_median: memcpy.1,
            measurements,
        }
    }

    /// The Markdown report.
    pub fn markdown(&self) -> String {
        let mut out = String::from("# Shuffle path against memory bandwidth\n\n");
        out.push_str(&format!(
            "{:.1} MiB of Arrow buffers (TPC-H lineitem, {} rows in {} batches of {} rows) in {} \
             reduce partitions; one thread per step; best and median of {} runs after one \
             warm-up; {} cores. Rates are logical (Arrow) MiB/s unless marked encoded; \
             × memcpy is the rate divided by the memcpy rate of this run \
             ({:.0} MiB/s best, {:.0} MiB/s median).\n\n",
            self.logical_bytes as f64 / MIB,
            self.check.rows,
            self.batches,
            self.batch_rows,
            self.partitions,
            self.iterations,
            self.cores,
            self.memcpy_mib_s_best,
            self.memcpy_mib_s_median,
        ));
        out.push_str(&format!(
            "tmpfs: `{}`{}; disk: `{}`{} (written without fsync, read through the page cache).\n\n",
            self.tmpfs_dir,
            if self.tmpfs_memory_backed {
                ""
            } else {
                " (**not memory-backed**)"
            },
            self.disk_dir,
            if self.disk_memory_backed {
                " (**memory-backed**)"
            } else {
                ""
            },
        ));
        out.push_str(
            "| step | codec | encoded MiB | best s | median s | MiB/s (best) | × memcpy | \
             MiB/s (median) | × memcpy | encoded MiB/s (best) | × memcpy |\n",
        );
        out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for m in &self.measurements {
            out.push_str(&format!(
                "| {} | {} | {:.1} | {:.3} | {:.3} | {:.0} | {:.2} | {:.0} | {:.2} | {:.0} | {:.2} |\n",
                m.label(),
                m.codec.unwrap_or("–"),
                m.encoded_bytes as f64 / MIB,
                m.best_s,
                m.median_s,
                m.logical_mib_s_best,
                m.memcpy_ratio_best,
                m.logical_mib_s_median,
                m.memcpy_ratio_median,
                m.encoded_mib_s_best,
                m.encoded_memcpy_ratio_best,
            ));
        }
        out.push_str(&format!(
            "\nEvery read and fetch touched every byte it got back and matched the written \
             data: {} rows, sum of l_orderkey {}.\n",
            self.check.rows, self.check.key_sum
        ));
        out
    }
}

/// Writes `shuffle.json` and `shuffle.md` into `out` and prints the Markdown on stdout.
///
/// # Errors
/// `out` cannot be created or written.
pub fn write(report: &ShuffleReport, out: &Path) -> Result<(), ShuffleBenchError> {
    std::fs::create_dir_all(out).map_err(|e| ShuffleBenchError::io(out, e))?;
    let json = serde_json::to_string_pretty(report)?;
    let path = out.join("shuffle.json");
    std::fs::write(&path, json).map_err(|e| ShuffleBenchError::io(&path, e))?;
    let markdown = report.markdown();
    let path = out.join("shuffle.md");
    std::fs::write(&path, &markdown).map_err(|e| ShuffleBenchError::io(&path, e))?;
    println!("{markdown}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_rates() {
        assert_eq!(median(&[1.0, 2.0, 4.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 8.0]), 3.0);
        let m = Measurement::new(
            Step::Read,
            Medium::Tmpfs,
            Some("lz4"),
            (4.0 * MIB) as u64,
            (2.0 * MIB) as u64,
            vec![2.0, 1.0, 4.0],
        );
        assert_eq!(m.best_s, 1.0);
        assert_eq!(m.median_s, 2.0);
        assert_eq!(m.logical_mib_s_best, 4.0);
        assert_eq!(m.logical_mib_s_median, 2.0);
        assert_eq!(m.encoded_mib_s_best, 2.0);
    }
}
