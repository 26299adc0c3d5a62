//! The `ember` command line: `ember sql` (like `spark-sql`) and `ember submit` (like
//! `spark-submit` for SQL applications).
//!
//! Configuration is layered as in Spark: `$SPARK_CONF_DIR/spark-defaults.conf` (or
//! `--properties-file`), then `--conf key=value`, then `--master` and `--name`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::config::SparkConf;
use crate::error::{EmberError, Result};
use crate::format::{OutputFormat, render};
use crate::progress::ConsoleProgress;
use crate::properties::{default_properties_file, load_properties};
use crate::session::Session;
use crate::sql::split::split_statements;
use ember_spark::errors::spark_message;

/// A native, Spark-compatible distributed SQL runtime.
#[derive(Debug, Parser)]
#[command(name = "ember", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run SQL statements interactively, from -e or from a file, like spark-sql
    Sql(SqlArgs),
    /// Run a SQL application (a file of statements), like spark-submit
    Submit(SubmitArgs),
    /// Run an executor for a driver (what executor pods run; see `ember-executor`)
    Executor(ember_executor::cli::ExecutorArgs),
}

/// Options shared by `sql` and `submit`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Where executors run: local[N], local[*], local-cluster[E,C,M]
    #[arg(long)]
    pub master: Option<String>,
    /// Application name (spark.app.name)
    #[arg(long)]
    pub name: Option<String>,
    /// A spark.* setting, key=value (repeatable)
    #[arg(long = "conf", short = 'c', value_name = "KEY=VALUE")]
    pub conf: Vec<String>,
    /// Properties file to read instead of $SPARK_CONF_DIR/spark-defaults.conf
    #[arg(long)]
    pub properties_file: Option<PathBuf>,
}

/// `ember sql` options.
#[derive(Debug, Args)]
pub struct SqlArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// SQL statements to run (;-separated)
    #[arg(short = 'e', conflicts_with = "file")]
    pub execute: Option<String>,
    /// File of ;-separated SQL statements
    #[arg(short = 'f')]
    pub file: Option<PathBuf>,
    /// How results are printed: tsv (spark-sql's default), csv (with a header), json, table
    #[arg(long, default_value = "tsv")]
    pub output_format: OutputFormat,
}

/// `ember submit` options.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// client (the driver runs here) or cluster (the driver runs in a pod: k8s:// masters)
    #[arg(long, default_value = "client")]
    pub deploy_mode: String,
    /// Print the status of a cluster-mode application's driver pod (or driver Job),
    /// NAMESPACE:NAME
    #[arg(long, value_name = "NS:NAME", conflicts_with_all = ["kill", "app"])]
    pub status: Option<String>,
    /// Stop a cluster-mode application by deleting its driver pod (or driver Job),
    /// NAMESPACE:NAME
    #[arg(long, value_name = "NS:NAME", conflicts_with = "app")]
    pub kill: Option<String>,
    /// The SQL application: a file of ;-separated statements
    #[arg(required_unless_present_any = ["status", "kill"])]
    pub app: Option<PathBuf>,
}

/// Builds the configuration from the layered sources.
fn configuration(common: &CommonArgs) -> Result<SparkConf> {
    let mut conf = SparkConf::new();
    if let Some(path) = common
        .properties_file
        .clone()
        .or_else(default_properties_file)
    {
        load_properties(&path, &mut conf)?;
    }
    for pair in &common.conf {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| EmberError::config("--conf", pair, "expected key=value"))?;
        conf.set(key.trim(), value.trim())?;
    }
    if let Some(master) = &common.master {
        conf.set("spark.master", master)?;
    }
    if let Some(name) = &common.name {
        conf.set("spark.app.name", name)?;
    }
    for (key, _) in conf.iter() {
        if !crate::config::is_used(key) && !key.starts_with("datafusion.") {
            eprintln!("Warning: {key} is not used by Ember; it is kept and visible to SET");
        }
    }
    Ok(conf)
}

async fn start(common: &CommonArgs) -> Result<Session> {
    let conf = configuration(common)?;
    Session::builder().conf(conf).build().await
}

/// Runs one statement and prints its result. Returns the number of rows. `printed` says whether
/// an earlier statement of the script printed a result set: in CSV, result sets are separated by
/// a blank line (each keeps its header), so that scripts can split them.
async fn run_statement(
    session: &Session,
    sql: &str,
    format: OutputFormat,
    out: &mut impl Write,
    printed: &mut bool,
) -> Result<usize> {
    let started = Instant::now();
    let df = session.sql(sql).await?;
    let schema = df.schema();
    let display = df.spark_sql_display().map(<[String]>::to_vec);
    let batches = df.collect().await?;
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    if !schema.fields().is_empty() {
        let columns: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let text = match display {
            Some(lines) if format == OutputFormat::Tsv => {
                lines.iter().map(|l| format!("{l}\n")).collect()
            }
            _ => render(format, &columns, &batches),
        };
        let text = if format == OutputFormat::Csv && *printed {
            format!("\n{text}")
        } else {
            text
        };
        *printed = true;
        out.write_all(text.as_bytes())
            .and_then(|_| out.flush())
            .map_err(|e| EmberError::Io {
                context: "cannot write results".into(),
                source: e,
            })?;
    }
    eprintln!(
        "Time taken: {:.3} seconds, Fetched {rows} row(s)",
        started.elapsed().as_secs_f64()
    );
    Ok(rows)
}

/// Runs every statement of `script`, stopping at the first failure (as spark-sql does).
async fn run_script(session: &Session, script: &str, format: OutputFormat) -> Result<()> {
    let show_progress = std::io::stderr().is_terminal()
        && session
            .conf()
            .get_bool("spark.ui.showConsoleProgress")?
            .unwrap_or(true);
    let _progress = show_progress.then(|| ConsoleProgress::start(session.subscribe()));
    let mut stdout = std::io::stdout().lock();
    let mut printed = false;
    for statement in split_statements(script) {
        let run = run_statement(session, &statement, format, &mut stdout, &mut printed);
        tokio::select! {
            result = run => { result?; }
            _ = tokio::signal::ctrl_c() => {
                // Dropping the statement cancels its job on every executor.
                return Err(EmberError::Cancelled("interrupted".into()));
            }
        }
    }
    Ok(())
}

/// The interactive shell: line editing and history when stdin is a terminal.
async fn run_interactive(session: &Session, format: OutputFormat) -> Result<()> {
    let mut editor = rustyline::DefaultEditor::new()
        .map_err(|e| EmberError::Internal(format!("cannot start line editor: {e}")))?;
    let history = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".ember_history"));
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() {
            "ember-sql> "
        } else {
            "         > "
        };
        match editor.readline(prompt) {
            Ok(line) => {
                buffer.push_str(&line);
                buffer.push('\n');
                if !line.trim_end().ends_with(';') {
                    continue;
                }
                let _ = editor.add_history_entry(buffer.trim());
                let script = std::mem::take(&mut buffer);
                if let Err(e) = run_script(session, &script, format).await {
                    eprintln!("Error: {}", spark_message(&e.to_string()));
                }
            }
            Err(rustyline::error::ReadlineError::Interrupted) => buffer.clear(),
            Err(_) => break,
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    Ok(())
}

/// Cluster mode, `--status` and `--kill`: the driver runs in a pod (see `k8s::submit`).
async fn submit_to_kubernetes(args: SubmitArgs) -> Result<()> {
    use crate::k8s::submit;
    let conf = configuration(&args.common)?;
    let master = conf.get_or_default("spark.master").unwrap_or_default();
    let api_url = crate::k8s::client::api_url(master).ok_or_else(|| {
        EmberError::config(
            "--master",
            master,
            "cluster mode, --status and --kill need a k8s://https://HOST:PORT master",
        )
    })?;
    let client = crate::k8s::client::client(&api_url, &conf).await?;
    let namespace = conf
        .get("spark.kubernetes.namespace")
        .unwrap_or("default")
        .to_string();
    if let Some(target) = &args.status {
        let target = submit::parse_target(target, &namespace);
        let (target, status) = submit::status(client, &target).await?;
        println!(
            "{target}\t{}\tphase: {}{}{}{}",
            target.kind,
            status.phase,
            status
                .attempts
                .map(|a| format!("\tattempts: {a}"))
                .unwrap_or_default(),
            status
                .exit_code
                .map(|c| format!("\texit code: {c}"))
                .unwrap_or_default(),
            status
                .reason
                .map(|r| format!("\treason: {r}"))
                .unwrap_or_default()
        );
        return Ok(());
    }
    if let Some(target) = &args.kill {
        let target = submit::parse_target(target, &namespace);
        let killed = submit::kill(client, &target).await?;
        eprintln!(
            "Deleted {} {killed}; its executors and resources go with it",
            killed.kind
        );
        return Ok(());
    }
    let app = args
        .app
        .as_ref()
        .ok_or_else(|| EmberError::config("app", "", "a SQL file to run is required"))?;
    let sql = submit::read_app(app)?;
    let app_id = format!("ember-{}", uuid::Uuid::new_v4().simple());
    let resources = submit::driver_resources(&conf, &sql, &app_id)?;
    submit::create(client.clone(), &resources).await?;
    let submission = &resources.submission;
    eprintln!(
        "Submitted application {app_id}: {} {submission}",
        submission.kind
    );
    if !conf
        .get_bool("spark.kubernetes.submission.waitAppCompletion")?
        .unwrap_or(true)
    {
        return Ok(());
    }
    let status = submit::wait(client, submission).await?;
    if status.phase == "Succeeded" {
        Ok(())
    } else {
        Err(EmberError::JobFailed(format!(
            "{} {submission} ended: {status}",
            submission.kind
        )))
    }
}

/// Runs the command line. Returns the process exit code.
pub async fn main(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Sql(args) => sql(args).await,
        Command::Submit(args) => submit(args).await,
        Command::Executor(_) => Err(EmberError::Internal(
            "`ember executor` runs outside the driver's runtime; call ember_executor::cli::run"
                .into(),
        )),
    };
    match result {
        Ok(()) => 0,
        Err(EmberError::Cancelled(_)) => {
            eprintln!("Cancelled");
            130
        }
        Err(e) => {
            eprintln!("Error: {}", spark_message(&e.to_string()));
            1
        }
    }
}

async fn sql(args: SqlArgs) -> Result<()> {
    let script = match (&args.execute, &args.file) {
        (Some(sql), _) => Some(sql.clone()),
        (None, Some(path)) => Some(std::fs::read_to_string(path).map_err(|e| EmberError::Io {
            context: format!("cannot read {}", path.display()),
            source: e,
        })?),
        (None, None) if !std::io::stdin().is_terminal() => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| EmberError::Io {
                    context: "cannot read standard input".into(),
                    source: e,
                })?;
            Some(text)
        }
        (None, None) => None,
    };
    let session = start(&args.common).await?;
    let result = match script {
        Some(script) => run_script(&session, &script, args.output_format).await,
        None => run_interactive(&session, args.output_format).await,
    };
    session.stop().await;
    result
}

async fn submit(args: SubmitArgs) -> Result<()> {
    if args.status.is_some() || args.kill.is_some() || args.deploy_mode == "cluster" {
        return submit_to_kubernetes(args).await;
    }
    if args.deploy_mode != "client" {
        return Err(EmberError::config(
            "--deploy-mode",
            &args.deploy_mode,
            "expected client or cluster",
        ));
    }
    let app = args
        .app
        .clone()
        .ok_or_else(|| EmberError::config("app", "", "a SQL file to run is required"))?;
    let script = std::fs::read_to_string(&app).map_err(|e| EmberError::Io {
        context: format!("cannot read {}", app.display()),
        source: e,
    })?;
    let session = start(&args.common).await?;
    let result = run_script(&session, &script, OutputFormat::Tsv).await;
    session.stop().await;
    result
}
