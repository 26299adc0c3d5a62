//! `ember-benches`: TPC-H on Ember, JVM Spark and single-node DataFusion, side by side; and
//! Ember's shuffle path alone against memory bandwidth.
//!
//! ```text
//! cargo run --release -p ember-benches -- tpch --scale 1 --engines ember,spark,datafusion
//! cargo run --release -p ember-benches -- shuffle --mib 512 --partitions 8 --codec all
//! cargo run --release -p ember-benches -- k8s --iterations 5 --executors 2
//! ```
//!
//! `tpch`:
//! Data is generated once with `tpchgen` into `--data-dir`. Every engine runs in its own fresh
//! worker process, one at a time: Ember on `local[N]` and on `local-cluster[E,C,M]` (through its
//! public `Session` API), JVM Spark through pyspark in a virtual environment created on first
//! use, and DataFusion with the same partitions. Each query runs once to warm up, then
//! `--iterations` times; medians are reported. Results are compared with JVM Spark's (or
//! DataFusion's when Spark does not run); the command fails if an Ember result differs.
//! Reports go to `--out`: `report.json`, `report.md` and SVG charts.
//!
//! `shuffle` (see [`shuffle`]): one map output written, read locally and fetched over gRPC with
//! Ember's shuffle functions, against a copy of the same bytes; `shuffle.md` and `shuffle.json`
//! go to `--out`.

mod k8s_startup;
mod procmem;
mod report;
mod runner;
mod shuffle;
mod shuffle_report;
mod shuffle_server;
mod spark;
mod worker;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use ember_tests::results;

use crate::report::ScaleReport;
use crate::runner::{RunSpec, WorkerCommand};

#[derive(Debug, Parser)]
#[command(
    name = "ember-benches",
    about = "Benchmarks: TPC-H on Ember, JVM Spark and DataFusion; Ember's shuffle path"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run TPC-H on each engine in turn and write the report
    Tpch {
        /// Scale factors, comma-separated (several: the scaling mode, with a chart of total time
        /// against scale)
        #[arg(long, value_delimiter = ',', default_value = "1")]
        scale: Vec<f64>,
        /// Engines: ember (both masters below), ember-local, ember-cluster, ember-cluster-noauth
        /// (authentication off, to measure its cost), ember-cluster-tls (mutual TLS on as well,
        /// with certificates made for the run), spark, datafusion
        #[arg(long, value_delimiter = ',', default_value = "ember,spark,datafusion")]
        engines: Vec<String>,
        /// Master of the in-process Ember run, and of JVM Spark
        #[arg(long, default_value = "local[2]")]
        local: String,
        /// Masters of the multi-process Ember runs, `;`-separated (several executor counts for the
        /// scaling mode)
        #[arg(long, value_delimiter = ';', default_value = "local-cluster[2,1,4096]")]
        cluster: Vec<String>,
        /// Shuffle partitions (Ember, Spark) and target partitions (DataFusion)
        #[arg(long, default_value_t = 2)]
        partitions: usize,
        /// Timed runs per query (after one warm-up)
        #[arg(long, default_value_t = 3)]
        iterations: usize,
        /// Queries to run, e.g. 1,3,18 (default all 22)
        #[arg(long, value_delimiter = ',')]
        queries: Vec<usize>,
        /// Where generated data is cached
        #[arg(long, default_value = "target/tpch-data")]
        data_dir: PathBuf,
        /// Where the report and the engines' results go
        #[arg(long, default_value = "target/bench-report")]
        out: PathBuf,
    },
    /// Measure the shuffle path alone (write, local read, remote fetch) against memcpy
    Shuffle {
        /// Arrow bytes of the map output, MiB
        #[arg(long, default_value_t = 512)]
        mib: usize,
        /// Reduce partitions (segments per shuffle file)
        #[arg(long, default_value_t = 8)]
        partitions: usize,
        /// Codecs: none, lz4, zstd, or all
        #[arg(long, value_delimiter = ',', default_value = "all")]
        codec: Vec<String>,
        /// Timed runs per step (after one warm-up)
        #[arg(long, default_value_t = 3)]
        iterations: usize,
        /// Rows per generated batch
        #[arg(long, default_value_t = 8192)]
        batch_rows: usize,
        /// Memory-backed folder for the tmpfs rows
        #[arg(long, default_value = "/dev/shm")]
        tmpfs_dir: PathBuf,
        /// Disk-backed folder for the disk rows
        #[arg(long, default_value = "target/bench-shuffle")]
        disk_dir: PathBuf,
        /// Where shuffle.md and shuffle.json go
        #[arg(long, default_value = "target/bench-report")]
        out: PathBuf,
    },
    /// Time from submission to running executors on the Kubernetes stand-in (Docker pods)
    K8s {
        /// Runs per mode (the median is reported)
        #[arg(long, default_value_t = 5)]
        iterations: usize,
        /// Executor pods per application
        #[arg(long, default_value_t = 2)]
        executors: usize,
        /// The ember binary the image is built from (default: the one beside this program)
        #[arg(long)]
        binary: Option<PathBuf>,
        /// Where k8s.md goes
        #[arg(long, default_value = "target/bench-report")]
        out: PathBuf,
    },
    /// One engine's worker process (started by `tpch`)
    #[command(hide = true)]
    Worker {
        #[arg(long)]
        engine: String,
        #[arg(long, default_value = "")]
        master: String,
        #[arg(long)]
        partitions: usize,
        #[arg(long)]
        iterations: usize,
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        queries_dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_delimiter = ',')]
        queries: Vec<usize>,
    },
}

/// The TPC-H queries (Spark SQL, from the specification with its validation parameters).
fn queries_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/tpch")
}

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Worker {
            engine,
            master,
            partitions,
            iterations,
            data,
            queries_dir,
            out,
            queries,
        } => {
            worker::run(worker::WorkerArgs {
                engine,
                master,
                partitions,
                iterations,
                data,
                queries_dir,
                out,
                queries,
            })
            .await
        }
        Command::Shuffle {
            mib,
            partitions,
            codec,
            iterations,
            batch_rows,
            tmpfs_dir,
            disk_dir,
            out,
        } => match shuffle::parse_codecs(&codec) {
            Ok(codecs) => shuffle::run(&shuffle::ShuffleArgs {
                mib,
                partitions,
                batch_rows,
                codecs,
                iterations,
                tmpfs_dir,
                disk_dir,
                out,
            })
            .await
            .map(|_report| ())
            .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        },
        Command::K8s {
            iterations,
            executors,
            binary,
            out,
        } => match binary.map_or_else(|| ember_tests::built_binary("ember"), Ok) {
            Ok(binary) => {
                k8s_startup::run(&k8s_startup::K8sArgs {
                    iterations: iterations.max(1),
                    executors: executors.max(1),
                    binary,
                    out,
                })
                .await
            }
            Err(e) => Err(e),
        },
        tpch => run_tpch(tpch),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ember-benches: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_specs(engines: &[String], local: &str, cluster: &[String]) -> Result<Vec<RunSpec>, String> {
    let mut specs = Vec::new();
    let ember = |master: &str| RunSpec {
        label: format!("ember {master}"),
        engine: "ember".into(),
        master: master.into(),
    };
    for engine in engines {
        match engine.as_str() {
            "ember" => {
                specs.push(ember(local));
                specs.extend(cluster.iter().map(|m| ember(m)));
            }
            "ember-local" => specs.push(ember(local)),
            "ember-cluster" => specs.extend(cluster.iter().map(|m| ember(m))),
            // The cost of RPC authentication: the same masters with it off.
            "ember-cluster-noauth" => specs.extend(cluster.iter().map(|m| RunSpec {
                label: format!("ember {m} spark.authenticate=false"),
                engine: "ember-noauth".into(),
                master: m.clone(),
            })),
            // The cost of TLS: the same masters with mutual TLS on every connection, on top of
            // authentication.
            "ember-cluster-tls" => specs.extend(cluster.iter().map(|m| RunSpec {
                label: format!("ember {m} spark.ssl.rpc.enabled=true (mutual)"),
                engine: "ember-tls".into(),
                master: m.clone(),
            })),
            "spark" => specs.push(RunSpec {
                label: format!("JVM Spark {local}"),
                engine: "spark".into(),
                master: local.into(),
            }),
            "datafusion" => specs.push(RunSpec {
                label: "DataFusion".into(),
                engine: "datafusion".into(),
                master: String::new(),
            }),
            other => return Err(format!("unknown engine {other}")),
        }
    }
    Ok(specs)
}

fn run_tpch(command: Command) -> Result<(), String> {
    let Command::Tpch {
        scale,
        engines,
        local,
        cluster,
        partitions,
        iterations,
        queries,
        data_dir,
        out,
    } = command
    else {
        return Err("not a tpch command".into());
    };
    let queries: Vec<usize> = if queries.is_empty() {
        (1..=22).collect()
    } else {
        queries
    };
    let specs = run_specs(&engines, &local, &cluster)?;
    let python = if specs.iter().any(|s| s.engine == "spark") {
        Some(spark::ensure_venv()?)
    } else {
        None
    };
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    if specs.iter().any(|s| s.master.starts_with("local-cluster")) {
        ensure_executor_binary(&exe)?;
    }
    let query_list = queries
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut reports = Vec::new();
    let mut ember_mismatches = 0;
    for &sf in &scale {
        let data = data_dir.join(format!("sf{sf}"));
        if !data.join("lineitem").exists() {
            eprintln!("generating TPC-H SF{sf} into {}", data.display());
            let started = Instant::now();
            ember_tests::generate_tpch(&data, sf, 4)
                .map_err(|e| format!("generating data: {e}"))?;
            eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
        }
        let data = std::path::absolute(&data).map_err(|e| e.to_string())?;
        let mut runs = Vec::new();
        for spec in &specs {
            let slug: String = spec
                .label
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let results_dir = std::path::absolute(out.join(format!("sf{sf}")).join(slug))
                .map_err(|e| e.to_string())?;
            let _ = std::fs::remove_dir_all(&results_dir);
            std::fs::create_dir_all(&results_dir).map_err(|e| e.to_string())?;
            eprintln!("SF{sf}: {} ({} queries)", spec.label, queries.len());
            let command = match spec.engine.as_str() {
                "spark" => WorkerCommand {
                    program: python.clone().ok_or("no Python for Spark")?,
                    args: vec![
                        spark::script().display().to_string(),
                        data.display().to_string(),
                        queries_dir().display().to_string(),
                        results_dir.display().to_string(),
                        spec.master.clone(),
                        partitions.to_string(),
                        iterations.to_string(),
                    ]
                    .into_iter()
                    .chain(queries.iter().map(ToString::to_string))
                    .collect(),
                },
                engine => WorkerCommand {
                    program: exe.clone(),
                    args: vec![
                        "worker".into(),
                        "--engine".into(),
                        engine.into(),
                        "--master".into(),
                        spec.master.clone(),
                        "--partitions".into(),
                        partitions.to_string(),
                        "--iterations".into(),
                        iterations.to_string(),
                        "--data".into(),
                        data.display().to_string(),
                        "--queries-dir".into(),
                        queries_dir().display().to_string(),
                        "--out".into(),
                        results_dir.display().to_string(),
                        "--queries".into(),
                        query_list.clone(),
                    ],
                },
            };
            runs.push(runner::run_worker(
                spec,
                command,
                &results_dir,
                queries.len(),
            )?);
        }
        ember_mismatches += check_results(&mut runs);
        reports.push(ScaleReport { scale: sf, runs });
    }
    write_reports(&out, &reports, partitions, iterations)?;
    if ember_mismatches > 0 {
        return Err(format!(
            "{ember_mismatches} Ember results differ from the reference engine (see the report)"
        ));
    }
    Ok(())
}

/// Builds `ember-executor` beside this binary (same profile) when it is missing: Ember's
/// `local-cluster` runs start executor processes from it.
fn ensure_executor_binary(exe: &Path) -> Result<(), String> {
    if exe.with_file_name("ember-executor").exists() {
        return Ok(());
    }
    let release = exe
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "release");
    eprintln!("building ember-executor for the local-cluster runs (once)");
    let mut cargo =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.args(["build", "-p", "ember-executor"]);
    if release {
        cargo.arg("--release");
    }
    let status = cargo
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .status()
        .map_err(|e| format!("cannot run cargo to build ember-executor: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("building ember-executor failed ({status})"))
    }
}

/// Compares every run's results with the reference run (JVM Spark, else DataFusion); returns
/// how many Ember queries failed or differ from JVM Spark.
fn check_results(runs: &mut [runner::RunResult]) -> usize {
    let reference = runs
        .iter()
        .position(|r| r.spec.engine == "spark")
        .or_else(|| runs.iter().position(|r| r.spec.engine == "datafusion"));
    let Some(reference) = reference else {
        return 0;
    };
    let reference_dir = runs[reference].results_dir.clone();
    // Only JVM Spark's answers are the truth: DataFusion differs from Spark on decimals, so
    // against it differences are marked but not counted.
    let spark_reference = runs[reference].spec.engine == "spark";
    let mut ember_bad = 0;
    for (i, run) in runs.iter_mut().enumerate() {
        if i == reference {
            continue;
        }
        for q in &mut run.queries {
            if q.error.is_some() {
                if run.spec.engine.starts_with("ember") {
                    ember_bad += 1;
                }
                continue;
            }
            let file = format!("q{}.tsv", q.q);
            let verdict = match (
                results::read(&run.results_dir.join(&file)),
                results::read(&reference_dir.join(&file)),
            ) {
                (Ok(a), Ok(r)) => results::compare(&a, &r).map(|()| "same".to_string()),
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
            let verdict = verdict.unwrap_or_else(|e| format!("differs: {e}"));
            if verdict != "same" && run.spec.engine.starts_with("ember") && spark_reference {
                ember_bad += 1;
            }
            q.check = Some(verdict);
        }
    }
    ember_bad
}

fn write_reports(
    out: &Path,
    reports: &[ScaleReport],
    partitions: usize,
    iterations: usize,
) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(reports).map_err(|e| e.to_string())?;
    std::fs::write(out.join("report.json"), json).map_err(|e| e.to_string())?;
    let mut markdown = String::from("# TPC-H: Ember, JVM Spark and DataFusion\n\n");
    for r in reports {
        markdown.push_str(&report::markdown(r, partitions, iterations));
        let chart = out.join(format!("sf{}-queries.svg", r.scale));
        report::query_chart(r, &chart)?;
        markdown.push_str(&format!(
            "\n![per-query times](sf{}-queries.svg)\n\n",
            r.scale
        ));
    }
    if reports.len() > 1 {
        report::scaling_chart(reports, &out.join("scaling.svg"))?;
        markdown.push_str("![total time against scale factor](scaling.svg)\n");
    }
    std::fs::write(out.join("report.md"), &markdown).map_err(|e| e.to_string())?;
    println!("{markdown}");
    eprintln!("report written to {}", out.join("report.md").display());
    Ok(())
}
