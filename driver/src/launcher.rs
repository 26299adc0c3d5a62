//! Launchers: where executors come from. One per master kind.
//!
//! - `local[N]`: one executor with N slots inside the driver process (the embedded default). It
//!   still registers over gRPC and exchanges data through shuffle files, so it is the same engine.
//! - `local-cluster[E,C,M]`: E `ember-executor` processes on this host. A process that exits is
//!   reported to the scheduler at once.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use ember_executor::memory::Codec;
use ember_executor::{ExecutorConfig, ExecutorHandle};
use tokio::process::Command;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::error::{EmberError, Result};
use crate::master::Master;
use crate::scheduler::{SchedulerEvent, SchedulerHandle};

/// What every executor needs to know, whatever launches it.
#[derive(Debug, Clone)]
pub struct LaunchSettings {
    pub driver_url: String,
    pub host: String,
    pub local_dirs: Vec<PathBuf>,
    pub read_host_local: bool,
    pub max_message_bytes: usize,
    pub heartbeat_interval: Duration,
    pub driver_timeout: Duration,
    /// `spark.rpc.askTimeout`: bound on an RPC until its response starts.
    pub rpc_timeout: Duration,
    /// Memory pool per executor for `local[N]` (`None`: unbounded).
    pub local_memory_pool: Option<usize>,
    /// Share of executor memory given to the pool (`spark.memory.fraction`).
    pub memory_fraction: f64,
    /// Every local dir is memory-backed (`spark.kubernetes.local.dirs.tmpfs`).
    pub local_dirs_tmpfs: bool,
    /// Compression of shuffle files.
    pub shuffle_codec: Codec,
    /// `spark.reducer.maxSizeInFlight`.
    pub max_bytes_in_flight: usize,
    /// `spark.ember.executor.command`: what starts an executor process instead of the binary.
    pub executor_command: Option<String>,
    /// How long to wait for executors to register.
    pub registration_timeout: Duration,
    /// The whole configuration, for launchers with keys of their own (Kubernetes).
    pub conf: crate::config::SparkConf,
    /// The application id: labels Kubernetes resources.
    pub app_id: String,
    /// `spark.dynamicAllocation.*`: executors come and go with the scheduler's target.
    pub dynamic_allocation: Option<crate::scheduler::allocation::DynamicAllocation>,
    /// The application's credentials, when RPCs are authenticated (`spark.authenticate`).
    pub auth: Option<Arc<crate::security::Authentication>>,
    /// TLS of every connection (`spark.ssl.rpc.*`), when on.
    pub tls: Option<Arc<ember_proto::tls::RpcTls>>,
}

/// A running executor process.
#[derive(Debug)]
pub struct ChildExecutor {
    executor_id: String,
    pid: u32,
    kill: Option<oneshot::Sender<()>>,
    exited: Option<oneshot::Receiver<()>>,
}

/// `local-cluster` executor processes; with dynamic allocation, a task follows the scheduler's
/// target.
#[derive(Debug)]
pub struct LocalCluster {
    children: Arc<std::sync::Mutex<Vec<ChildExecutor>>>,
    scaler: Option<tokio::task::JoinHandle<()>>,
    /// The secret handed to the executor processes; removed with the cluster.
    _secret_file: Option<crate::security::SecretFile>,
}

impl ChildExecutor {
    /// Stops the process (the scheduler has asked it to shut down; it is killed if it has not
    /// exited within 2 s) and waits for it.
    async fn stop(mut self) {
        if let Some(kill) = self.kill.take() {
            let _ = kill.send(());
        }
        if let Some(exited) = self.exited.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), exited).await;
        }
    }
}

/// Starts `local-cluster` executor processes with one configuration.
#[derive(Debug, Clone)]
struct ChildSpawner {
    program: ExecutorProgram,
    settings: LaunchSettings,
    /// Where the executors read the application's secret (`--auth-secret-file`).
    secret_path: Option<PathBuf>,
    cores: usize,
    memory_mib: u64,
    scheduler: SchedulerHandle,
}

impl ChildSpawner {
    fn spawn(
        &self,
        executor_id: &str,
        exits: mpsc::UnboundedSender<(String, String)>,
    ) -> Result<ChildExecutor> {
        let mut config = executor_config(executor_id, &self.settings);
        config.cores = self.cores;
        config.memory_pool_bytes = Some(ember_executor::memory::pool_bytes(
            self.memory_mib * 1024 * 1024,
            self.settings.memory_fraction,
        ) as usize);
        spawn_child(
            &self.program,
            &config,
            self.secret_path.as_deref(),
            &self.scheduler,
            exits,
        )
    }
}

/// Dynamic allocation on `local-cluster`: starts processes up to the scheduler's target,
/// stops the ones it removed, and replaces ones that died while the target still wants them.
async fn follow_allocation_target(
    spawner: ChildSpawner,
    children: Arc<std::sync::Mutex<Vec<ChildExecutor>>>,
    initial: usize,
    mut events: broadcast::Receiver<SchedulerEvent>,
) {
    let mut target = initial;
    let mut next_id = initial;
    // Processes that exit (before or after registering) leave the list and are replaced while
    // the target wants them, up to a limit, as on Kubernetes.
    let (exits, mut exited) = mpsc::unbounded_channel::<(String, String)>();
    let mut failures = 0usize;
    loop {
        let event = tokio::select! {
            event = events.recv() => match event {
                Ok(event) => event,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            Some((id, reason)) = exited.recv() => {
                // Processes stopped on purpose (removed when idle) left the list already.
                let unexpected = children
                    .lock()
                    .map(|l| l.iter().any(|c| c.executor_id == id))
                    .unwrap_or(false);
                if !unexpected {
                    continue;
                }
                failures += 1;
                SchedulerEvent::ExecutorRemoved { executor_id: id, reason }
            }
        };
        if failures > (2 * target).max(3) {
            spawner.scheduler.abort_all(format!(
                "{failures} executor processes failed; not starting more"
            ));
            return;
        }
        let mut stopping = Vec::new();
        match event {
            SchedulerEvent::AllocationTarget { executors, removed } => {
                target = executors;
                if let Ok(mut list) = children.lock() {
                    let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut *list)
                        .into_iter()
                        .partition(|c| removed.contains(&c.executor_id));
                    *list = kept;
                    stopping = gone;
                }
            }
            SchedulerEvent::ExecutorRemoved { executor_id, .. } => {
                if let Ok(mut list) = children.lock() {
                    list.retain(|c| c.executor_id != executor_id);
                }
            }
            _ => continue,
        }
        for child in stopping {
            tokio::spawn(child.stop());
        }
        loop {
            let live = children.lock().map(|l| l.len()).unwrap_or(target);
            if live >= target {
                break;
            }
            let id = next_id.to_string();
            next_id += 1;
            match spawner.spawn(&id, exits.clone()) {
                Ok(child) => {
                    if let Ok(mut list) = children.lock() {
                        list.push(child);
                    }
                }
                Err(e) => {
                    tracing::warn!("cannot start executor {id}: {e}");
                    break;
                }
            }
        }
    }
}

/// The executors of one session.
#[derive(Debug)]
pub enum Launcher {
    Local(Option<ExecutorHandle>),
    LocalCluster(LocalCluster),
    Kubernetes(Box<crate::k8s::launcher::KubernetesLauncher>),
}

impl Launcher {
    /// Starts the executors of `master` and waits until they are registered.
    ///
    /// # Errors
    /// [`EmberError::Launch`] when the executor binary is missing, a process exits early or the
    /// executors do not register in time.
    pub async fn start(
        master: &Master,
        settings: &LaunchSettings,
        scheduler: &SchedulerHandle,
    ) -> Result<Self> {
        match master {
            Master::Local { cores } => {
                let mut config = executor_config("driver-local-0", settings);
                config.cores = *cores;
                config.memory_pool_bytes = settings.local_memory_pool;
                let handle = ember_executor::start(config)
                    .await
                    .map_err(|e| EmberError::Launch(e.to_string()))?;
                Ok(Launcher::Local(Some(handle)))
            }
            Master::LocalCluster {
                executors,
                cores,
                memory_mib,
            } => {
                let program = match &settings.executor_command {
                    Some(command) => ExecutorProgram::Command(command.clone()),
                    None => ExecutorProgram::Binary(find_executor_binary()?),
                };
                let initial = settings
                    .dynamic_allocation
                    .as_ref()
                    .map_or(*executors, |d| d.initial);
                let mut registered = scheduler.subscribe();
                let (exit_tx, mut exit_rx) = mpsc::unbounded_channel();
                // Executors read the secret where the user put it, or from a private file.
                let (secret_file, secret_path) = match &settings.auth {
                    None => (None, None),
                    Some(auth) => match &auth.executor_secret_file {
                        Some(path) => (None, Some(path.clone())),
                        None => {
                            let file = crate::security::SecretFile::write(&auth.secret)?;
                            let path = file.path();
                            (Some(file), Some(path))
                        }
                    },
                };
                let spawner = ChildSpawner {
                    program,
                    settings: settings.clone(),
                    secret_path,
                    cores: *cores,
                    memory_mib: *memory_mib,
                    scheduler: scheduler.clone(),
                };
                let mut children = Vec::new();
                for i in 0..initial {
                    children.push(spawner.spawn(&i.to_string(), exit_tx.clone())?);
                }
                let children = Arc::new(std::sync::Mutex::new(children));
                let scaler = settings.dynamic_allocation.as_ref().map(|_| {
                    tokio::spawn(follow_allocation_target(
                        spawner,
                        Arc::clone(&children),
                        initial,
                        scheduler.subscribe(),
                    ))
                });
                let launcher = Launcher::LocalCluster(LocalCluster {
                    children,
                    scaler,
                    _secret_file: secret_file,
                });
                let exited = async {
                    match exit_rx.recv().await {
                        Some((id, reason)) => {
                            format!("executor {id} stopped before registering: {reason}")
                        }
                        None => std::future::pending().await,
                    }
                };
                let wait = wait_registered(
                    initial,
                    &mut registered,
                    exited,
                    settings.registration_timeout,
                )
                .await;
                if let Err(e) = wait {
                    launcher.stop().await;
                    return Err(EmberError::Launch(e));
                }
                Ok(launcher)
            }
            Master::Kubernetes { api_url } => Ok(Launcher::Kubernetes(Box::new(
                crate::k8s::launcher::KubernetesLauncher::start(api_url, settings, scheduler)
                    .await?,
            ))),
        }
    }

    /// Process ids of executor processes (empty for `local[N]`), for tests and tools.
    pub fn executor_pids(&self) -> Vec<(String, u32)> {
        match self {
            Launcher::Local(_) | Launcher::Kubernetes(_) => Vec::new(),
            Launcher::LocalCluster(cluster) => cluster
                .children
                .lock()
                .map(|children| {
                    children
                        .iter()
                        .map(|c| (c.executor_id.clone(), c.pid))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Stops starting or replacing executors (the application is shutting down).
    pub fn halt(&self) {
        match self {
            Launcher::Kubernetes(k8s) => k8s.halt(),
            Launcher::LocalCluster(cluster) => {
                if let Some(scaler) = &cluster.scaler {
                    scaler.abort();
                }
            }
            Launcher::Local(_) => {}
        }
    }

    /// Stops every executor and waits for it to be gone.
    pub async fn stop(self) {
        match self {
            Launcher::Local(handle) => {
                if let Some(h) = handle {
                    h.stop().await;
                }
            }
            Launcher::LocalCluster(cluster) => {
                if let Some(scaler) = cluster.scaler {
                    scaler.abort();
                }
                let children = cluster
                    .children
                    .lock()
                    .map(|mut c| std::mem::take(&mut *c))
                    .unwrap_or_default();
                for child in children {
                    child.stop().await;
                }
            }
            Launcher::Kubernetes(launcher) => launcher.stop().await,
        }
    }
}

/// The `ember-executor` command line for `config`: the one place that turns an executor's
/// settings into arguments, for processes and for Kubernetes pods alike.
pub fn executor_args(config: &ExecutorConfig) -> Vec<String> {
    let mut args = vec![
        "--driver-url".to_string(),
        config.driver_url.clone(),
        "--executor-id".to_string(),
        config.executor_id.clone(),
        "--host".to_string(),
        config.host.clone(),
        "--cores".to_string(),
        config.cores.to_string(),
        "--max-message-bytes".to_string(),
        config.max_message_bytes.to_string(),
        "--heartbeat-interval-ms".to_string(),
        config.heartbeat_interval.as_millis().to_string(),
        "--driver-timeout-ms".to_string(),
        config.driver_timeout.as_millis().to_string(),
        "--rpc-timeout-ms".to_string(),
        config.rpc_timeout.as_millis().to_string(),
    ];
    // Signing needs the application id; the secret itself reaches the executor as a file.
    if let Some(credentials) = &config.credentials {
        args.extend(["--app-id".to_string(), credentials.app_id().to_string()]);
    }
    // TLS material goes by path: the executor reads the same files.
    if let Some(tls) = &config.tls {
        args.extend(tls_args(tls.files()));
    }
    if let Some(bytes) = config.memory_pool_bytes {
        args.extend(["--memory-pool-bytes".to_string(), bytes.to_string()]);
    }
    for dir in &config.local_dirs {
        args.extend(["--local-dir".to_string(), dir.display().to_string()]);
    }
    if !config.read_host_local {
        args.push("--no-host-local-reads".to_string());
    }
    if config.local_dirs_tmpfs {
        args.push("--local-dirs-tmpfs".to_string());
    }
    args.extend([
        "--shuffle-codec".to_string(),
        config.shuffle_codec.name().to_string(),
        "--max-bytes-in-flight".to_string(),
        config.max_bytes_in_flight.to_string(),
    ]);
    args
}

/// The `--tls-*` arguments that make an executor load `files`.
pub fn tls_args(files: &ember_proto::tls::TlsFiles) -> Vec<String> {
    let mut args = vec![
        "--tls-cert-chain".to_string(),
        files.cert_chain.display().to_string(),
        "--tls-private-key".to_string(),
        files.private_key.display().to_string(),
        "--tls-trust-store".to_string(),
        files.trust_store.display().to_string(),
    ];
    if files.need_client_auth {
        args.push("--tls-need-client-auth".to_string());
    }
    if let Some(name) = &files.server_name {
        args.extend(["--tls-server-name".to_string(), name.clone()]);
    }
    args
}

/// The executor settings every launcher starts from.
pub fn executor_config(executor_id: &str, settings: &LaunchSettings) -> ExecutorConfig {
    let mut config = ExecutorConfig::new(executor_id, settings.driver_url.clone());
    config.host = settings.host.clone();
    config.local_dirs = settings.local_dirs.clone();
    config.local_dirs_tmpfs = settings.local_dirs_tmpfs;
    config.shuffle_codec = settings.shuffle_codec;
    config.max_bytes_in_flight = settings.max_bytes_in_flight;
    config.read_host_local = settings.read_host_local;
    config.max_message_bytes = settings.max_message_bytes;
    config.heartbeat_interval = settings.heartbeat_interval;
    config.driver_timeout = settings.driver_timeout;
    config.rpc_timeout = settings.rpc_timeout;
    config.credentials = settings.auth.as_ref().map(|a| a.credentials.clone());
    config.tls = settings.tls.clone();
    config
}

/// Finds `ember-executor`: `$EMBER_EXECUTOR_BIN`, else beside the running program (or one
/// folder up, where cargo puts binaries relative to test executables).
pub fn find_executor_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("EMBER_EXECUTOR_BIN") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(EmberError::Launch(format!(
                "EMBER_EXECUTOR_BIN points to {}, which is not a file",
                path.display()
            )))
        };
    }
    let name = format!("ember-executor{}", std::env::consts::EXE_SUFFIX);
    let exe = std::env::current_exe().map_err(|e| EmberError::Io {
        context: "cannot locate the running program".into(),
        source: e,
    })?;
    let mut looked = Vec::new();
    for dir in exe.ancestors().skip(1).take(2) {
        let candidate = dir.join(&name);
        if candidate.is_file() {
            return Ok(candidate);
        }
        looked.push(dir.display().to_string());
    }
    Err(EmberError::Launch(format!(
        "cannot find the {name} binary (looked in {}); build it with `cargo build -p ember-executor` or set EMBER_EXECUTOR_BIN",
        looked.join(", ")
    )))
}

/// What a `local-cluster` launcher runs for each executor.
#[derive(Debug, Clone)]
enum ExecutorProgram {
    /// The `ember-executor` binary.
    Binary(PathBuf),
    /// `spark.ember.executor.command`: whitespace-separated words, `{id}` replaced by the
    /// executor id; the executor's arguments follow.
    Command(String),
}

impl ExecutorProgram {
    fn command(&self, executor_id: &str) -> Result<Command> {
        match self {
            ExecutorProgram::Binary(path) => Ok(Command::new(path)),
            ExecutorProgram::Command(line) => {
                let mut words = line
                    .split_whitespace()
                    .map(|w| w.replace("{id}", executor_id));
                let program = words.next().ok_or_else(|| {
                    EmberError::Launch("spark.ember.executor.command is empty".into())
                })?;
                let mut command = Command::new(program);
                command.args(words);
                Ok(command)
            }
        }
    }
}

fn spawn_child(
    program: &ExecutorProgram,
    config: &ExecutorConfig,
    secret_path: Option<&std::path::Path>,
    scheduler: &SchedulerHandle,
    exits: mpsc::UnboundedSender<(String, String)>,
) -> Result<ChildExecutor> {
    let mut command = program.command(&config.executor_id)?;
    command.args(executor_args(config));
    if let Some(path) = secret_path {
        command.arg("--auth-secret-file").arg(path);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .map_err(|e| EmberError::Launch(format!("cannot start {program:?}: {e}")))?;
    let pid = child.id().unwrap_or(0);
    let (kill_tx, mut kill_rx) = oneshot::channel::<()>();
    let (exited_tx, exited_rx) = oneshot::channel::<()>();
    let executor_id = config.executor_id.clone();
    let scheduler = scheduler.clone();
    tokio::spawn(async move {
        tokio::select! {
            status = child.wait() => {
                let reason = match status {
                    Ok(s) => format!("executor process exited ({s})"),
                    Err(e) => format!("executor process lost: {e}"),
                };
                let _ = exits.send((executor_id.clone(), reason.clone()));
                scheduler.executor_lost(&executor_id, reason);
            }
            _ = &mut kill_rx => {
                // Ask nicely through the scheduler's Shutdown first; then make sure.
                if tokio::time::timeout(Duration::from_secs(2), child.wait()).await.is_err() {
                    let _ = child.kill().await;
                }
            }
        }
        let _ = exited_tx.send(());
    });
    Ok(ChildExecutor {
        executor_id: config.executor_id.clone(),
        pid,
        kill: Some(kill_tx),
        exited: Some(exited_rx),
    })
}

/// Waits until `expected` executors have registered with the scheduler. Fails with the
/// message of `failed` if it completes first (a launcher's own view of executors failing),
/// or after `timeout`.
pub(crate) async fn wait_registered(
    expected: usize,
    events: &mut broadcast::Receiver<SchedulerEvent>,
    failed: impl std::future::Future<Output = String>,
    timeout: Duration,
) -> std::result::Result<(), String> {
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    tokio::pin!(failed);
    let mut registered = 0;
    while registered < expected {
        tokio::select! {
            event = events.recv() => match event {
                Ok(SchedulerEvent::ExecutorAdded { .. }) => registered += 1,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => {
                    return Err("the scheduler stopped".into());
                }
            },
            reason = &mut failed => return Err(reason),
            _ = &mut deadline => {
                return Err(format!(
                    "only {registered} of {expected} executors registered within {timeout:?}"
                ));
            }
        }
    }
    Ok(())
}
