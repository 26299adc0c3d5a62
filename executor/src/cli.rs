//! The executor's command line, shared by the `ember-executor` binary and the `ember executor`
//! subcommand (the container image has one entrypoint, `ember`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use ember_proto::auth::{AppCredentials, AppSecret};
use ember_proto::tls::TlsFiles;

use crate::memory::{Codec, default_overhead_bytes, pool_bytes, process};
use crate::{ExecutorConfig, start};

/// Runs tasks for an Ember driver and serves their shuffle output.
#[derive(Debug, Clone, clap::Args)]
pub struct ExecutorArgs {
    /// The driver's gRPC address, e.g. http://127.0.0.1:7078
    #[arg(long)]
    pub driver_url: String,
    /// Executor id, unique within the application
    #[arg(long)]
    pub executor_id: String,
    /// Address to bind and advertise
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind (0: any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Task slots
    #[arg(long, default_value_t = 1)]
    pub cores: usize,
    /// Memory pool for operators and tmpfs files, in bytes (when absent: sized from the
    /// cgroup's memory limit if there is one, else unbounded)
    #[arg(long)]
    pub memory_pool_bytes: Option<usize>,
    /// Folder for shuffle and spill files (repeatable; used round-robin)
    #[arg(long = "local-dir")]
    pub local_dirs: Vec<PathBuf>,
    /// Treat every local dir as memory-backed (tmpfs) and charge its files to the memory pool
    #[arg(long)]
    pub local_dirs_tmpfs: bool,
    /// Compression of shuffle files: lz4, zstd or none
    #[arg(long, default_value = "lz4")]
    pub shuffle_codec: String,
    /// Bound on shuffle bytes fetched from other executors at once
    #[arg(long, default_value_t = 48 * 1024 * 1024)]
    pub max_bytes_in_flight: usize,
    /// Always fetch other executors' shuffle output over gRPC, even on the same host
    #[arg(long)]
    pub no_host_local_reads: bool,
    /// Bound on one gRPC message, in bytes
    #[arg(long, default_value_t = ember_proto::DEFAULT_MAX_MESSAGE_BYTES)]
    pub max_message_bytes: usize,
    /// Heartbeat interval in milliseconds
    #[arg(long, default_value_t = 1000)]
    pub heartbeat_interval_ms: u64,
    /// Exit when the driver has not answered for this many milliseconds
    #[arg(long, default_value_t = 30_000)]
    pub driver_timeout_ms: u64,
    /// Bound on an RPC until its response starts, in milliseconds (spark.rpc.askTimeout)
    #[arg(long, default_value_t = 120_000)]
    pub rpc_timeout_ms: u64,
    /// The application's id (default: $SPARK_APPLICATION_ID); calls are signed for it
    #[arg(long)]
    pub app_id: Option<String>,
    /// File holding the application's authentication secret (default:
    /// $EMBER_AUTH_SECRET_FILE). Without one, calls are neither signed nor checked. The secret
    /// itself is never taken on the command line, where other users could read it.
    #[arg(long)]
    pub auth_secret_file: Option<PathBuf>,
    /// PEM certificate chain for TLS (spark.ssl.rpc.certChain); with --tls-private-key and
    /// --tls-trust-store, every connection served or made uses TLS
    #[arg(long, requires_all = ["tls_private_key", "tls_trust_store"])]
    pub tls_cert_chain: Option<PathBuf>,
    /// PEM private key of the TLS certificate (spark.ssl.rpc.privateKey)
    #[arg(long, requires = "tls_cert_chain")]
    pub tls_private_key: Option<PathBuf>,
    /// PEM CA certificates peers must chain to (spark.ssl.rpc.trustStore)
    #[arg(long, requires = "tls_cert_chain")]
    pub tls_trust_store: Option<PathBuf>,
    /// Require client certificates (mutual TLS, spark.ssl.rpc.needClientAuth)
    #[arg(long, requires = "tls_cert_chain")]
    pub tls_need_client_auth: bool,
    /// Name checked in server certificates instead of the host connected to
    #[arg(long, requires = "tls_cert_chain")]
    pub tls_server_name: Option<String>,
}

impl ExecutorArgs {
    /// The TLS files named by the `--tls-*` flags (`None`: plaintext).
    pub fn tls_files(&self) -> Option<TlsFiles> {
        Some(TlsFiles {
            cert_chain: self.tls_cert_chain.clone()?,
            private_key: self.tls_private_key.clone()?,
            trust_store: self.tls_trust_store.clone()?,
            need_client_auth: self.tls_need_client_auth,
            server_name: self.tls_server_name.clone(),
        })
    }
}

/// The application's credentials from `--auth-secret-file` (or `$EMBER_AUTH_SECRET_FILE`) and
/// `--app-id` (or `$SPARK_APPLICATION_ID`); `None` when no secret file is named.
fn credentials(args: &ExecutorArgs) -> Result<Option<AppCredentials>, String> {
    let Some(path) = args
        .auth_secret_file
        .clone()
        .or_else(|| std::env::var_os("EMBER_AUTH_SECRET_FILE").map(PathBuf::from))
    else {
        return Ok(None);
    };
    let app_id = args
        .app_id
        .clone()
        .or_else(|| std::env::var("SPARK_APPLICATION_ID").ok())
        .filter(|id| !id.trim().is_empty())
        .ok_or("an authentication secret needs the application id (--app-id)")?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read the authentication secret {}: {e}",
            path.display()
        )
    })?;
    let secret = AppSecret::new(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Some(AppCredentials::new(app_id, &secret)))
}

/// Runs an executor until its driver tells it to stop or goes away. Both `ember-executor` and
/// `ember executor` (the container image's entrypoint) call this.
pub fn run(args: ExecutorArgs) -> ExitCode {
    let credentials = match credentials(&args) {
        Ok(credentials) => credentials,
        Err(e) => {
            eprintln!("ember-executor: {e}");
            return ExitCode::FAILURE;
        }
    };
    let tls = match args.tls_files().map(|files| files.load()).transpose() {
        Ok(tls) => tls.map(std::sync::Arc::new),
        Err(e) => {
            eprintln!("ember-executor: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut config = ExecutorConfig::new(args.executor_id, args.driver_url);
    config.credentials = credentials;
    config.tls = tls;
    config.host = args.host;
    config.port = args.port;
    config.cores = args.cores;
    config.memory_pool_bytes = args.memory_pool_bytes.or_else(pool_from_cgroup);
    if !args.local_dirs.is_empty() {
        config.local_dirs = args.local_dirs;
    } else if let Ok(dirs) = std::env::var("SPARK_LOCAL_DIRS") {
        config.local_dirs = dirs
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .collect();
    }
    config.local_dirs_tmpfs = args.local_dirs_tmpfs;
    config.shuffle_codec = match Codec::parse(&args.shuffle_codec) {
        Some(codec) => codec,
        None => {
            eprintln!(
                "ember-executor: unknown shuffle codec {:?} (lz4, zstd or none)",
                args.shuffle_codec
            );
            return ExitCode::FAILURE;
        }
    };
    config.max_bytes_in_flight = args.max_bytes_in_flight;
    config.read_host_local = !args.no_host_local_reads;
    config.max_message_bytes = args.max_message_bytes;
    config.heartbeat_interval = Duration::from_millis(args.heartbeat_interval_ms.max(10));
    config.driver_timeout = Duration::from_millis(args.driver_timeout_ms);
    config.rpc_timeout = Duration::from_millis(args.rpc_timeout_ms.max(1));

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.cores.max(2))
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ember-executor: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match start(config).await {
            Ok(handle) => {
                handle.wait().await;
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("ember-executor: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Without `--memory-pool-bytes`, an executor in a cgroup with a memory limit (a container, a
/// pod) sizes its pool as if `spark.executor.memory` were the limit minus the default overhead.
fn pool_from_cgroup() -> Option<usize> {
    let limit = process::cgroup_memory_limit()?;
    let memory = limit.saturating_sub(default_overhead_bytes(limit));
    Some(pool_bytes(memory, 0.6) as usize)
}
