//! `ember`: run Spark SQL on Ember from the command line.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ember::Session;

/// A native, Spark-compatible distributed SQL runtime.
#[derive(Debug, Parser)]
#[command(name = "ember", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run SQL statements, like spark-sql
    Sql(SqlArgs),
}

#[derive(Debug, Args)]
struct SqlArgs {
    /// Where executors run: local[N], local[*], local-cluster[E,C,M]
    #[arg(long, default_value = "local[*]")]
    master: String,
    /// A spark.* setting, key=value (repeatable)
    #[arg(long = "conf", value_name = "KEY=VALUE")]
    conf: Vec<String>,
    /// SQL text to run
    #[arg(short = 'e', conflicts_with = "file")]
    execute: Option<String>,
    /// File of ;-separated SQL statements
    #[arg(short = 'f')]
    file: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EMBER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ember: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ember: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let Command::Sql(args) = cli.command;
    let text = match (&args.execute, &args.file) {
        (Some(sql), _) => sql.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        (None, None) => return Err("give SQL with -e or a file with -f".into()),
    };
    let mut builder = Session::builder().master(&args.master);
    for pair in &args.conf {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("--conf expects key=value, got {pair:?}"))?;
        builder = builder.config(key.trim(), value.trim());
    }
    let session = builder.build().await?;
    let result = run_statements(&session, &text).await;
    session.stop().await;
    result
}

async fn run_statements(session: &Session, text: &str) -> Result<(), Box<dyn std::error::Error>> {
    for statement in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let started = std::time::Instant::now();
        let batches = session.sql(statement).await?.collect().await?;
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        let formatted = arrow::util::pretty::pretty_format_batches(&batches)?;
        if rows > 0 {
            println!("{formatted}");
        }
        eprintln!(
            "Time taken: {:.3} seconds, Fetched {rows} row(s)",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
