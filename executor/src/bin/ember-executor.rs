//! `ember-executor`: one Ember executor process. Started by the driver's launchers
//! (`local-cluster[...]`) or by hand; in containers, `ember executor` runs the same code.

use std::process::ExitCode;

use clap::Parser;
use ember_executor::cli::ExecutorArgs;

/// Runs tasks for an Ember driver and serves their shuffle output.
#[derive(Debug, Parser)]
#[command(name = "ember-executor", version, about)]
struct Cli {
    #[command(flatten)]
    args: ExecutorArgs,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EMBER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    ember_executor::cli::run(Cli::parse().args)
}
