//! The in-process benchmark workers (`ember-benches worker`): Ember through its public `Session`
//! API, or single-node DataFusion. The runner starts one worker process per engine, so that each
//! engine starts fresh and the runner can measure its start-up and memory from outside.
//!
//! Protocol: JSON lines on stdout, as the JVM Spark worker (`scripts/spark_tpch.py`) prints them.

use std::path::{Path, PathBuf};
use std::time::Instant;

use arrow::array::RecordBatch;
use datafusion::prelude::{SessionConfig, SessionContext};
use ember::Session;
use serde_json::json;

use ember_tests::results::write_batches;

/// What a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerArgs {
    /// `ember` or `datafusion`.
    pub engine: String,
    pub master: String,
    pub partitions: usize,
    pub iterations: usize,
    pub data: PathBuf,
    pub queries_dir: PathBuf,
    pub out: PathBuf,
    pub queries: Vec<usize>,
}

fn emit(value: serde_json::Value) {
    println!("{value}");
}

enum Engine {
    Ember(Session),
    DataFusion(SessionContext),
}

impl Engine {
    async fn run(&self, sql: &str) -> Result<Vec<RecordBatch>, String> {
        match self {
            Engine::Ember(s) => s
                .sql(sql)
                .await
                .map_err(|e| e.to_string())?
                .collect()
                .await
                .map_err(|e| e.to_string()),
            Engine::DataFusion(ctx) => ctx
                .sql(sql)
                .await
                .map_err(|e| e.to_string())?
                .collect()
                .await
                .map_err(|e| e.to_string()),
        }
    }
}

/// Runs the worker; errors end the process with a message on stderr.
///
/// # Errors
/// The engine cannot start or the tables cannot be registered.
pub async fn run(args: WorkerArgs) -> Result<(), String> {
    let started = Instant::now();
    // Certificates for `ember-tls`, kept (on disk) while the session runs.
    let pki = match args.engine.as_str() {
        "ember-tls" => Some(
            ember_tests::pki::TestPki::generate()
                .map_err(|e| format!("cannot make test certificates: {e:?}"))?,
        ),
        _ => None,
    };
    let engine = match args.engine.as_str() {
        "ember" | "ember-noauth" | "ember-tls" => Engine::Ember({
            let mut builder = Session::builder()
                .master(&args.master)
                .app_name("ember-bench")
                .config("spark.sql.shuffle.partitions", &args.partitions.to_string());
            // `ember` keeps the default (authentication on outside local[N]); `ember-tls` adds
            // mutual TLS on every connection.
            if args.engine == "ember-noauth" {
                builder = builder.config("spark.authenticate", "false");
            }
            if let Some(pki) = &pki {
                for (key, value) in pki.ours.conf(true) {
                    builder = builder.config(&key, &value);
                }
            }
            builder.build().await.map_err(|e| e.to_string())?
        }),
        "datafusion" => Engine::DataFusion(SessionContext::new_with_config(
            SessionConfig::new().with_target_partitions(args.partitions),
        )),
        other => return Err(format!("unknown engine {other}")),
    };
    // Session built: for Ember this includes starting executors and waiting for them to register.
    let executors_s = started.elapsed().as_secs_f64();
    engine.run("SELECT 1").await?;
    emit(json!({"event": "ready", "executors_s": executors_s}));
    for table in ember_tests::TABLES {
        let path = args.data.join(table);
        let sql = match &engine {
            Engine::Ember(_) => format!(
                "CREATE OR REPLACE TEMPORARY VIEW {table} USING parquet OPTIONS (path '{}')",
                path.display()
            ),
            Engine::DataFusion(_) => format!(
                "CREATE EXTERNAL TABLE {table} STORED AS PARQUET LOCATION '{}/'",
                path.display()
            ),
        };
        engine.run(&sql).await?;
    }
    std::fs::create_dir_all(&args.out).map_err(|e| e.to_string())?;
    for q in &args.queries {
        let sql = std::fs::read_to_string(args.queries_dir.join(format!("q{q}.sql")))
            .map_err(|e| format!("cannot read query {q}: {e}"))?;
        match time_query(&engine, &sql, args.iterations, &args.out, *q).await {
            Ok((times, rows)) => {
                emit(json!({"event": "query", "q": q, "times": times, "rows": rows}))
            }
            Err(e) => {
                emit(json!({"event": "query", "q": q, "error": e.lines().next().unwrap_or("")}))
            }
        }
    }
    if let Engine::Ember(session) = &engine {
        session.stop().await;
    }
    Ok(())
}

async fn time_query(
    engine: &Engine,
    sql: &str,
    iterations: usize,
    out: &Path,
    q: usize,
) -> Result<(Vec<f64>, usize), String> {
    let mut result = engine.run(sql).await?;
    let mut times = Vec::new();
    for _ in 0..iterations.max(1) {
        let started = Instant::now();
        result = engine.run(sql).await?;
        times.push(started.elapsed().as_secs_f64());
    }
    write_batches(&out.join(format!("q{q}.tsv")), &result)?;
    Ok((times, result.iter().map(RecordBatch::num_rows).sum()))
}
