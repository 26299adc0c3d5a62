//! `ember-benches`: TPC-H on Ember and on single-node DataFusion, same data, same run.
//!
//! ```text
//! cargo run --release -p ember-benches -- tpch --scale 1 --master 'local-cluster[2,1,4096]' --partitions 2
//! ```
//!
//! Data is generated once with `tpchgen` into `--data-dir` (default `target/tpch-data`). Each
//! query runs once to warm up, then `--iterations` times; the median is reported. Every Ember
//! result is compared with DataFusion's, and mismatches are marked in the table.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use arrow::array::RecordBatch;
use clap::{Parser, Subcommand};
use datafusion::prelude::{SessionConfig, SessionContext};
use ember::Session;
use ember_tests::{compare_results, generate_tpch, tpch_ddl, tpch_query};

#[derive(Debug, Parser)]
#[command(name = "ember-benches", about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// TPC-H: Ember vs single-node DataFusion
    Tpch {
        /// Scale factor
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Ember master
        #[arg(long, default_value = "local-cluster[2,1,4096]")]
        master: String,
        /// Partitions for both engines (Ember: spark.sql.shuffle.partitions; DataFusion: target partitions)
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
    },
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn time_runs<F, Fut>(iterations: usize, mut run: F) -> Result<(f64, Vec<RecordBatch>), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<RecordBatch>, String>>,
{
    let mut result = run().await?;
    let mut times = Vec::new();
    for _ in 0..iterations.max(1) {
        let started = Instant::now();
        result = run().await?;
        times.push(started.elapsed().as_secs_f64());
    }
    Ok((median(times), result))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ember-benches: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let Command::Tpch {
        scale,
        master,
        partitions,
        iterations,
        queries,
        data_dir,
    } = cli.command;
    let queries: Vec<usize> = if queries.is_empty() {
        (1..=22).collect()
    } else {
        queries
    };
    let dir = data_dir.join(format!("sf{scale}"));
    if !dir.join("lineitem").exists() {
        eprintln!("generating TPC-H SF{scale} into {}", dir.display());
        let started = Instant::now();
        generate_tpch(&dir, scale, 4).map_err(|e| format!("generating data: {e}"))?;
        eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    }

    let df =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    for ddl in tpch_ddl(&dir) {
        df.sql(&ddl).await.map_err(|e| e.to_string())?;
    }
    let started = Instant::now();
    let session = Session::builder()
        .master(&master)
        .config("spark.sql.shuffle.partitions", &partitions.to_string())
        .build()
        .await
        .map_err(|e| e.to_string())?;
    let startup = started.elapsed().as_secs_f64();
    for ddl in tpch_ddl(&dir) {
        session.sql(&ddl).await.map_err(|e| e.to_string())?;
    }

    println!(
        "TPC-H SF{scale}: Ember on {master} vs DataFusion single process, {partitions} partitions, median of {iterations}"
    );
    println!("Ember session start-up (executors registered): {startup:.3} s\n");
    println!("| query | DataFusion s | Ember s | Ember / DataFusion | rows | result |");
    println!("|---|---:|---:|---:|---:|---|");
    let (mut total_df, mut total_ember) = (0.0, 0.0);
    let mut mismatches = 0;
    for q in queries {
        let sql = tpch_query(q);
        let (t_df, expected) = time_runs(iterations, || async {
            df.sql(&sql)
                .await
                .map_err(|e| e.to_string())?
                .collect()
                .await
                .map_err(|e| e.to_string())
        })
        .await?;
        let (t_ember, actual) = time_runs(iterations, || async {
            session
                .sql(&sql)
                .await
                .map_err(|e| e.to_string())?
                .collect()
                .await
                .map_err(|e| e.to_string())
        })
        .await?;
        let check = match compare_results(&actual, &expected) {
            Ok(_) => "same".to_string(),
            Err(diff) => {
                mismatches += 1;
                format!("MISMATCH: {diff}")
            }
        };
        let rows: usize = actual.iter().map(|b| b.num_rows()).sum();
        total_df += t_df;
        total_ember += t_ember;
        println!(
            "| q{q} | {t_df:.3} | {t_ember:.3} | {:.2} | {rows} | {check} |",
            t_ember / t_df
        );
    }
    println!(
        "| **total** | **{total_df:.2}** | **{total_ember:.2}** | **{:.2}** | | {mismatches} mismatches |",
        total_ember / total_df
    );
    session.stop().await;
    if mismatches > 0 {
        return Err(format!("{mismatches} queries returned different results"));
    }
    Ok(())
}
