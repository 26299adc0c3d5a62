//! `ember`: run Spark SQL on Ember from the command line. See [`ember::cli`].
//!
//! Invoked under the name `ember-executor` (a link, as in the container image), it is the
//! executor binary, with `ember-executor`'s arguments: one file serves both.

use std::process::ExitCode;

use clap::Parser;

/// `ember-executor`'s command line, for the busybox-style link.
#[derive(Debug, Parser)]
#[command(
    name = "ember-executor",
    version,
    about = "Runs tasks for an Ember driver"
)]
struct ExecutorCli {
    #[command(flatten)]
    args: ember_executor::cli::ExecutorArgs,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EMBER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let invoked_as = std::env::args_os()
        .next()
        .map(std::path::PathBuf::from)
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    if invoked_as.as_deref() == Some("ember-executor") {
        return ember_executor::cli::run(ExecutorCli::parse().args);
    }
    let cli = ember::cli::Cli::parse();
    // The executor builds its own runtime, sized to its cores.
    if let ember::cli::Command::Executor(args) = cli.command {
        return ember_executor::cli::run(args);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(ember::cli::main(cli));
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
