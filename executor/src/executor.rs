//! The executor process: binds its gRPC server, registers with the driver, sends heartbeats and
//! owns the folder where its shuffle files live.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionState;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionConfig;
use ember_proto::auth::{
    AppCredentials, AuthCounters, AuthLayer, RequestSigner, SignedChannel, Verifier,
};
use ember_proto::driver_service_client::DriverServiceClient;
use ember_proto::executor_service_server::ExecutorServiceServer;
use ember_proto::rpc::RpcSettings;
use ember_proto::tls::RpcTls;
use ember_proto::{ExecutorMetadata, ExecutorMetrics, HeartbeatRequest, RegisterExecutorRequest};
use tokio::net::TcpListener;
use tokio::sync::{Mutex, Notify};
use tokio::task::JoinHandle;

use crate::error::{ExecutorError, Result};
use crate::memory::{Codec, LocalDirs, MemoryBudget};
use crate::service::ExecutorGrpc;
use crate::shuffle::ShuffleEnv;

/// How an executor is set up. Built from command-line flags by `ember-executor`, or directly by a
/// driver that runs executors inside its own process (`local[N]`).
#[derive(Debug, Clone)]
pub struct ExecutorConfig {
    /// Unique within the application; assigned by the launcher.
    pub executor_id: String,
    /// The driver's gRPC address, e.g. `http://127.0.0.1:7078`.
    pub driver_url: String,
    /// Address to bind and to advertise to the driver and other executors.
    pub host: String,
    /// Port to bind; 0 picks a free one.
    pub port: u16,
    /// Task slots (Spark's `spark.executor.cores`).
    pub cores: usize,
    /// Memory pool size for operators and tmpfs files (`None`: unbounded). See
    /// [`crate::memory`] for how the driver derives it from `spark.executor.memory`.
    pub memory_pool_bytes: Option<usize>,
    /// Folders for shuffle and spill files, used round-robin.
    pub local_dirs: Vec<PathBuf>,
    /// Treat every local dir as memory-backed (`spark.kubernetes.local.dirs.tmpfs`); otherwise
    /// tmpfs dirs are found in `/proc/mounts`.
    pub local_dirs_tmpfs: bool,
    /// Compression of shuffle files.
    pub shuffle_codec: Codec,
    /// Bound on shuffle bytes being fetched from other executors at once
    /// (`spark.reducer.maxSizeInFlight`).
    pub max_bytes_in_flight: usize,
    /// Map files of other executors on the same host instead of fetching them over gRPC.
    pub read_host_local: bool,
    /// Bound on one gRPC message.
    pub max_message_bytes: usize,
    /// How often to tell the driver we are alive.
    pub heartbeat_interval: Duration,
    /// Give up on a silent driver after this long and exit.
    pub driver_timeout: Duration,
    /// Bound on an RPC until its response starts, served or made (`spark.rpc.askTimeout`).
    pub rpc_timeout: Duration,
    /// The application's credentials: every call this executor makes is signed with them and
    /// every call it serves must be (`None`: authentication off, Spark's
    /// `spark.authenticate=false`).
    pub credentials: Option<AppCredentials>,
    /// TLS for every connection served or made (`spark.ssl.rpc.enabled`; `None`: plaintext).
    pub tls: Option<Arc<RpcTls>>,
}

impl ExecutorConfig {
    /// The transport bounds of this executor's servers and channels.
    pub fn rpc(&self) -> RpcSettings {
        RpcSettings {
            max_message_bytes: self.max_message_bytes,
            request_timeout: self.rpc_timeout,
            tls: self.tls.clone(),
            ..RpcSettings::default()
        }
    }

    /// A configuration with Ember's defaults for everything but identity and driver address.
    pub fn new(executor_id: impl Into<String>, driver_url: impl Into<String>) -> Self {
        Self {
            executor_id: executor_id.into(),
            driver_url: driver_url.into(),
            host: "127.0.0.1".into(),
            port: 0,
            cores: 1,
            memory_pool_bytes: None,
            local_dirs: vec![std::env::temp_dir()],
            local_dirs_tmpfs: false,
            shuffle_codec: Codec::default(),
            max_bytes_in_flight: 48 * 1024 * 1024,
            read_host_local: true,
            max_message_bytes: ember_proto::DEFAULT_MAX_MESSAGE_BYTES,
            heartbeat_interval: Duration::from_secs(1),
            driver_timeout: Duration::from_secs(30),
            rpc_timeout: Duration::from_secs(120),
            credentials: None,
            tls: None,
        }
    }
}

/// Counters reported with heartbeats.
#[derive(Debug, Default)]
pub struct Counters {
    pub tasks_succeeded: AtomicU64,
    pub tasks_failed: AtomicU64,
    pub shuffle_bytes_written: AtomicU64,
    pub spilled_bytes: AtomicU64,
    pub spill_files: AtomicU64,
    /// Calls refused by the authentication layer, by reason.
    pub auth: Arc<AuthCounters>,
}

/// A stage as an executor keeps it: the decoded plan and the session options it runs with.
#[derive(Debug, Clone)]
pub struct StagePlan {
    pub plan: Arc<dyn ExecutionPlan>,
    pub config: SessionConfig,
}

/// Everything the gRPC handlers and task runners share.
#[derive(Debug)]
pub struct ExecutorState {
    pub config: ExecutorConfig,
    /// `<local dir>/ember-executor-<id>-<uuid>` in every local dir: shuffle and spill files live
    /// below them, one folder per job.
    pub dirs: Arc<LocalDirs>,
    /// The memory budget operators and tmpfs files share.
    pub budget: Arc<MemoryBudget>,
    pub shuffle: Arc<ShuffleEnv>,
    /// Functions and the memory pool every task runs with.
    pub session: SessionState,
    /// Decoded stage plans by (job id, stage id): sent once per stage, reused by its tasks.
    pub plans: Mutex<HashMap<(String, u32), StagePlan>>,
    /// Signalled when a plan is added to `plans`: a stage's later tasks can arrive before the
    /// launch request that carries its plan (requests travel on concurrent streams).
    pub plan_arrived: Notify,
    /// Running tasks by job, so that a job can be cancelled.
    pub running: std::sync::Mutex<HashMap<String, HashMap<u64, tokio::task::AbortHandle>>>,
    pub running_count: AtomicUsize,
    /// The port the gRPC server listens on.
    pub port: u32,
    pub counters: Counters,
    pub driver: DriverServiceClient<SignedChannel>,
    pub shutdown: Notify,
}

/// A started executor.
#[derive(Debug)]
pub struct ExecutorHandle {
    pub executor_id: String,
    pub address: SocketAddr,
    state: Arc<ExecutorState>,
    server: JoinHandle<()>,
}

impl ExecutorHandle {
    /// Asks the executor to stop and waits for its server to finish. Deletes its work folder.
    pub async fn stop(self) {
        self.state.shutdown.notify_one();
        let _ = self.server.await;
    }

    /// Waits until the executor stops by itself (driver gone, Shutdown RPC).
    pub async fn wait(self) {
        let _ = self.server.await;
    }
}

/// Opens a channel to the driver with Ember's limits (`rpc`); `signer` authenticates every
/// call.
pub async fn connect_driver(
    url: &str,
    rpc: &RpcSettings,
    signer: RequestSigner,
) -> Result<DriverServiceClient<SignedChannel>> {
    let max_message_bytes = rpc.max_message_bytes;
    let unreachable = |message: String| ExecutorError::DriverUnreachable {
        url: url.to_string(),
        message,
    };
    let endpoint = rpc
        .endpoint(url.to_string())
        .map_err(|e| unreachable(e.to_string()))?;
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| unreachable(format!("{e}")))?;
    Ok(DriverServiceClient::with_interceptor(channel, signer)
        .max_decoding_message_size(max_message_bytes)
        .max_encoding_message_size(max_message_bytes))
}

/// Starts an executor: binds, registers with the driver, then serves until stopped.
///
/// # Errors
/// An unusable local dir, a port that cannot be bound, or a driver that cannot be reached or
/// refuses the registration.
pub async fn start(config: ExecutorConfig) -> Result<ExecutorHandle> {
    if config.cores == 0 {
        return Err(ExecutorError::Configuration(
            "cores must be at least 1".into(),
        ));
    }
    let dirs = Arc::new(LocalDirs::create(
        &config.local_dirs,
        &config.executor_id,
        config.local_dirs_tmpfs,
    )?);
    let budget = MemoryBudget::new(config.memory_pool_bytes);

    let bind = format!("{}:{}", config.host, config.port);
    let listener = TcpListener::bind(&bind)
        .await
        .map_err(|e| ExecutorError::io(PathBuf::from(&bind), e))?;
    let address = listener
        .local_addr()
        .map_err(|e| ExecutorError::io(PathBuf::from(&bind), e))?;

    // Tasks get their own runtime over this one (see `memory::TaskMemory`): the same pool, and
    // spill files placed by Ember in the local dirs.
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(budget.pool())
        .build_arc()?;
    let session = executor_session_state(runtime);

    let signer = RequestSigner::new(config.credentials.clone());
    let driver = connect_driver(&config.driver_url, &config.rpc(), signer.clone()).await?;
    let shuffle = Arc::new(
        ShuffleEnv::new(
            config.executor_id.clone(),
            config.host.clone(),
            config.read_host_local,
            config.max_message_bytes,
            config.max_bytes_in_flight,
        )
        .with_signer(signer)
        .with_rpc(config.rpc()),
    );
    let counters = Counters::default();
    let auth = AuthLayer::new(
        config
            .credentials
            .clone()
            .map(|c| Arc::new(Verifier::new(c, Arc::clone(&counters.auth)))),
    );
    let state = Arc::new(ExecutorState {
        config: config.clone(),
        dirs,
        budget,
        shuffle,
        session,
        plans: Mutex::new(HashMap::new()),
        plan_arrived: Notify::new(),
        running: std::sync::Mutex::new(HashMap::new()),
        running_count: AtomicUsize::new(0),
        port: u32::from(address.port()),
        counters,
        driver,
        shutdown: Notify::new(),
    });

    let service = ExecutorServiceServer::new(ExecutorGrpc::new(Arc::clone(&state)))
        .max_decoding_message_size(config.max_message_bytes)
        .max_encoding_message_size(config.max_message_bytes);
    let incoming = config.rpc().incoming(listener);
    let server_state = Arc::clone(&state);
    let server_builder = config.rpc().server().map_err(|e| {
        ExecutorError::Configuration(format!(
            "cannot set up TLS: {}",
            ember_proto::rpc::error_chain(&e)
        ))
    })?;
    let server = tokio::spawn(async move {
        let shutdown_state = Arc::clone(&server_state);
        let result = server_builder
            .layer(auth)
            .add_service(service)
            .serve_with_incoming_shutdown(incoming, async move {
                shutdown_state.shutdown.notified().await;
            })
            .await;
        if let Err(e) = result {
            tracing::error!("executor server failed: {e}");
        }
        server_state.abort_all();
        server_state.dirs.remove_all();
    });

    let register = RegisterExecutorRequest {
        executor: Some(ExecutorMetadata {
            executor_id: config.executor_id.clone(),
            host: config.host.clone(),
            port: u32::from(address.port()),
            cores: config.cores as u32,
            memory_bytes: config.memory_pool_bytes.unwrap_or(0) as u64,
            pid: std::process::id(),
        }),
    };
    let mut driver = state.driver.clone();
    if let Err(status) = driver.register_executor(register).await {
        state.shutdown.notify_one();
        let _ = server.await;
        return Err(ExecutorError::DriverUnreachable {
            url: config.driver_url.clone(),
            message: format!("registration refused: {}", status.message()),
        });
    }
    tracing::info!(executor = %config.executor_id, %address, "executor registered");
    // Heartbeats start only once the driver knows us: an earlier one would be answered
    // "unknown executor" and stop us.
    let heartbeat = tokio::spawn(heartbeat_loop(Arc::clone(&state)));
    let heartbeat_abort = heartbeat.abort_handle();
    let server = tokio::spawn(async move {
        let _ = server.await;
        heartbeat_abort.abort();
    });
    Ok(ExecutorHandle {
        executor_id: config.executor_id,
        address,
        state,
        server,
    })
}

impl ExecutorState {
    fn abort_all(&self) {
        if let Ok(mut running) = self.running.lock() {
            for (_, tasks) in running.drain() {
                for (_, handle) in tasks {
                    handle.abort();
                }
            }
        }
    }

    /// Free task slots right now.
    pub fn free_slots(&self) -> usize {
        self.config
            .cores
            .saturating_sub(self.running_count.load(Ordering::Relaxed))
    }
}

/// The function registry tasks decode plans against: Spark's, as the driver plans with it
/// (see [`ember_spark::state::executor_state`]).
pub fn executor_session_state(
    runtime: Arc<datafusion::execution::runtime_env::RuntimeEnv>,
) -> SessionState {
    ember_spark::state::executor_state(SessionConfig::new(), runtime).build()
}

/// Keeps only characters that are safe in a file name.
pub(crate) fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Sends heartbeats; stops the executor when the driver forgot it or stayed silent too long.
async fn heartbeat_loop(state: Arc<ExecutorState>) {
    let mut driver = state.driver.clone();
    let mut last_ok = tokio::time::Instant::now();
    let mut ticker = tokio::time::interval(state.config.heartbeat_interval);
    loop {
        ticker.tick().await;
        let c = &state.counters;
        let request = HeartbeatRequest {
            executor_id: state.config.executor_id.clone(),
            free_slots: state.free_slots() as u32,
            running_tasks: state.running_count.load(Ordering::Relaxed) as u32,
            metrics: Some(ExecutorMetrics {
                tasks_succeeded: c.tasks_succeeded.load(Ordering::Relaxed),
                tasks_failed: c.tasks_failed.load(Ordering::Relaxed),
                shuffle_bytes_written: c.shuffle_bytes_written.load(Ordering::Relaxed),
                shuffle_bytes_fetched: state.shuffle.bytes_fetched(),
                spilled_bytes: c.spilled_bytes.load(Ordering::Relaxed),
                spill_files: c.spill_files.load(Ordering::Relaxed),
                memory_reserved_bytes: state.budget.reserved() as u64,
                tmpfs_bytes: state.budget.tmpfs_bytes() as u64,
                peak_rss_bytes: crate::memory::process::peak_rss_bytes().unwrap_or(0),
                peak_tmpfs_bytes: state.budget.tmpfs_peak() as u64,
                auth_refused: c.auth.total(),
            }),
        };
        let call = tokio::time::timeout(
            state.config.heartbeat_interval * 5,
            driver.heartbeat(request),
        );
        match call.await {
            Ok(Ok(response)) if response.get_ref().unknown_executor => {
                tracing::warn!("the driver no longer knows this executor; exiting");
                break;
            }
            Ok(Ok(_)) => last_ok = tokio::time::Instant::now(),
            Ok(Err(status)) => tracing::debug!("heartbeat failed: {}", status.message()),
            Err(_) => tracing::debug!("heartbeat timed out"),
        }
        if last_ok.elapsed() > state.config.driver_timeout {
            tracing::error!(
                "no answer from the driver at {} for {:?}; exiting",
                state.config.driver_url,
                state.config.driver_timeout
            );
            break;
        }
    }
    state.shutdown.notify_one();
}
