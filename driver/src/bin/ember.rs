//! `ember`: run Spark SQL on Ember from the command line. See [`ember::cli`].

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EMBER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
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
