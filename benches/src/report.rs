//! The benchmark report: `report.json` (everything measured), `report.md` (per-query table with
//! ratios against JVM Spark and DataFusion, totals, start-up, peak memory) and SVG charts.

use std::path::Path;

use plotters::prelude::*;
use serde::Serialize;

use crate::runner::RunResult;

/// All runs at one scale factor.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleReport {
    pub scale: f64,
    pub runs: Vec<RunResult>,
}

fn ratio(a: f64, b: f64) -> String {
    if a > 0.0 && b > 0.0 {
        format!("{:.2}", a / b)
    } else {
        "–".to_string()
    }
}

fn find<'a>(runs: &'a [RunResult], engine: &str) -> Option<&'a RunResult> {
    runs.iter().find(|r| r.spec.engine == engine)
}

/// The Markdown report of one scale.
pub fn markdown(report: &ScaleReport, partitions: usize, iterations: usize) -> String {
    let runs = &report.runs;
    let spark = find(runs, "spark");
    let datafusion = find(runs, "datafusion");
    let mut out = format!(
        "## TPC-H SF{} — {partitions} shuffle/target partitions, median of {iterations} runs after one warm-up\n\n",
        report.scale
    );
    out.push_str("| engine | total s | geomean s | start-up s (process start to first result) | executors s | peak memory MiB | vs JVM Spark (total) | vs DataFusion (total) | results |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for r in runs {
        let mismatches = r
            .queries
            .iter()
            .filter(|q| q.error.is_some() || q.check.as_deref().is_some_and(|c| c != "same"))
            .count();
        let results = if r.queries.iter().all(|q| q.check.is_none()) {
            "reference".to_string()
        } else if mismatches == 0 {
            format!("{} / {} same", r.queries.len(), r.queries.len())
        } else {
            format!("**{mismatches} differ or failed**")
        };
        out.push_str(&format!(
            "| {} | {:.2} | {:.3} | {:.2} | {} | {:.0} | {} | {} | {results} |\n",
            r.spec.label,
            r.total(),
            r.geomean(),
            r.startup_s,
            r.executors_s.map_or("–".into(), |s| format!("{s:.3}")),
            r.peak_memory_bytes as f64 / (1024.0 * 1024.0),
            spark.map_or("–".into(), |s| ratio(s.total(), r.total()) + "x faster"),
            datafusion.map_or("–".into(), |d| ratio(r.total(), d.total()) + "x time"),
        ));
    }
    out.push_str("\nPer query, median seconds (min–max); ratios are Ember time / other engine time.\n\n| query |");
    for r in runs {
        out.push_str(&format!(" {} |", r.spec.label));
    }
    let embers: Vec<&RunResult> = runs.iter().filter(|r| r.spec.engine == "ember").collect();
    for e in &embers {
        if spark.is_some() {
            out.push_str(&format!(" {} / Spark |", e.spec.label));
        }
        if datafusion.is_some() {
            out.push_str(&format!(" {} / DataFusion |", e.spec.label));
        }
    }
    out.push_str(" rows |\n|---|");
    let columns =
        runs.len() + embers.len() * (spark.is_some() as usize + datafusion.is_some() as usize) + 1;
    out.push_str(&"---:|".repeat(columns));
    out.push('\n');
    let queries: Vec<usize> = runs
        .first()
        .map(|r| r.queries.iter().map(|q| q.q).collect())
        .unwrap_or_default();
    let median_of = |r: &RunResult, q: usize| {
        r.queries
            .iter()
            .find(|x| x.q == q && x.error.is_none())
            .map(|x| x.median)
    };
    for q in queries {
        out.push_str(&format!("| q{q} |"));
        let mut rows = 0;
        for r in runs {
            match r.queries.iter().find(|x| x.q == q) {
                Some(x) if x.error.is_none() => {
                    rows = x.rows;
                    let mark = match x.check.as_deref() {
                        Some("same") | None => "",
                        Some(_) => " ≠",
                    };
                    out.push_str(&format!(
                        " {:.3} ({:.3}–{:.3}){mark} |",
                        x.median, x.min, x.max
                    ));
                }
                _ => out.push_str(" failed |"),
            }
        }
        for e in &embers {
            let t = median_of(e, q).unwrap_or(0.0);
            if let Some(s) = spark {
                out.push_str(&format!(" {} |", ratio(t, median_of(s, q).unwrap_or(0.0))));
            }
            if let Some(d) = datafusion {
                out.push_str(&format!(" {} |", ratio(t, median_of(d, q).unwrap_or(0.0))));
            }
        }
        out.push_str(&format!(" {rows} |\n"));
    }
    let notes: Vec<String> = runs
        .iter()
        .flat_map(|r| {
            r.queries.iter().filter_map(move |q| {
                let why = q
                    .error
                    .clone()
                    .or_else(|| q.check.clone().filter(|c| c != "same"))?;
                Some(format!("- {} q{}: {why}", r.spec.label, q.q))
            })
        })
        .collect();
    if !notes.is_empty() {
        out.push_str("\n≠ marks a result that differs from the reference engine's (JVM Spark when it ran):\n\n");
        out.push_str(&notes.join("\n"));
        out.push('\n');
    }
    out
}

/// A grouped bar chart of per-query medians (log scale).
///
/// # Errors
/// The chart cannot be drawn or written.
pub fn query_chart(report: &ScaleReport, path: &Path) -> Result<(), String> {
    let runs = &report.runs;
    let queries: Vec<usize> = runs
        .first()
        .map(|r| r.queries.iter().map(|q| q.q).collect())
        .unwrap_or_default();
    let max = runs
        .iter()
        .flat_map(|r| r.queries.iter().map(|q| q.median))
        .fold(0.01_f64, f64::max);
    let root = SVGBackend::new(path, (1200, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let groups = runs.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("TPC-H SF{}: median seconds per query", report.scale),
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..queries.len() as f64, (0.001..max * 2.0).log_scale())
        .map_err(|e| e.to_string())?;
    let labels = queries.clone();
    chart
        .configure_mesh()
        .x_labels(queries.len())
        .x_label_formatter(&|x| {
            labels
                .get(x.floor() as usize)
                .map_or(String::new(), |q| format!("q{q}"))
        })
        .y_desc("seconds")
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, r) in runs.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let bars = queries.iter().enumerate().filter_map(|(k, q)| {
            let x = r.queries.iter().find(|x| x.q == *q && x.error.is_none())?;
            let left = k as f64 + 0.1 + 0.8 * i as f64 / groups;
            let right = left + 0.8 / groups;
            Some(Rectangle::new(
                [(left, 0.001), (right, x.median.max(0.001))],
                color.filled(),
            ))
        });
        chart
            .draw_series(bars)
            .map_err(|e| e.to_string())?
            .label(r.spec.label.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

/// Total time against scale factor for every run label (the scaling mode).
///
/// # Errors
/// The chart cannot be drawn or written.
pub fn scaling_chart(reports: &[ScaleReport], path: &Path) -> Result<(), String> {
    let mut labels: Vec<String> = Vec::new();
    for r in reports.iter().flat_map(|s| &s.runs) {
        if !labels.contains(&r.spec.label) {
            labels.push(r.spec.label.clone());
        }
    }
    let max_total = reports
        .iter()
        .flat_map(|s| s.runs.iter().map(RunResult::total))
        .fold(0.01_f64, f64::max);
    let min_scale = reports.iter().map(|s| s.scale).fold(f64::MAX, f64::min);
    let max_scale = reports.iter().map(|s| s.scale).fold(0.0_f64, f64::max);
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "TPC-H total seconds against scale factor",
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (min_scale * 0.8..max_scale * 1.25).log_scale(),
            (0.01..max_total * 2.0).log_scale(),
        )
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("scale factor")
        .y_desc("total seconds")
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, label) in labels.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let points: Vec<(f64, f64)> = reports
            .iter()
            .filter_map(|s| {
                let r = s.runs.iter().find(|r| &r.spec.label == label)?;
                Some((s.scale, r.total().max(0.01)))
            })
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(|e| e.to_string())?
            .label(label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], color));
        chart
            .draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 3, color.filled())),
            )
            .map_err(|e| e.to_string())?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}
