//! The node agent: the stand-in's kubelet. It follows pod creations and deletions in the store,
//! runs each pod's first container as a local process or a Docker container, and writes the pod
//! status a launcher watches for (Pending with a waiting reason, Running with an IP, Succeeded
//! or Failed with the exit code).
//!
//! Not modelled: restart policies (a pod's container runs once), init containers, sidecar
//! containers (only the first container runs), probes, grace periods.

pub mod docker;
pub mod process;
pub mod spec;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::NodeAgentKind;
use super::error::ApiError;
use super::resources::{ResourceType, by_plural};
use super::store::{EventType, Store, now};
use spec::{Launch, POD_IP, Wait};

/// The node every pod runs on.
pub const NODE_NAME: &str = "ember-standin-node";

/// How a container ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Exit {
    /// The exit code (128 + signal for a signal death).
    pub code: i32,
    /// `Completed`, `Error` or `OOMKilled`.
    pub reason: String,
    /// Details, if any.
    pub message: Option<String>,
}

impl Exit {
    /// The exit of a container with `code`, OOM-killed or not.
    pub fn from_code(code: i32, oom_killed: bool) -> Self {
        let reason = match (oom_killed, code) {
            (true, _) => "OOMKilled",
            (false, 0) => "Completed",
            _ => "Error",
        };
        Self {
            code,
            reason: reason.into(),
            message: None,
        }
    }
}

/// Something the agent started that must not outlive the server.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resource {
    /// A pod process's group.
    ProcessGroup(u32),
    /// A pod container, by name.
    Container(String),
}

impl Resource {
    /// Kills it, synchronously.
    pub fn kill(&self) {
        let mut command = match self {
            Resource::ProcessGroup(pgid) => {
                let mut c = std::process::Command::new("kill");
                c.args(["-KILL", "--", &format!("-{pgid}")]);
                c
            }
            Resource::Container(name) => {
                let mut c = std::process::Command::new("docker");
                c.args(["rm", "-f", name]);
                c
            }
        };
        let _ = command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// The processes and containers still alive, killed when the agent is dropped without
/// `stop` (a test that panicked), so that none outlives the test.
#[derive(Default)]
pub struct Reaper(Mutex<HashSet<Resource>>);

impl Reaper {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<Resource>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a started process group or container.
    pub fn add(&self, resource: Resource) {
        self.lock().insert(resource);
    }

    /// Forgets a killed one.
    pub fn remove(&self, resource: &Resource) {
        self.lock().remove(resource);
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        for resource in self.lock().drain() {
            resource.kill();
        }
    }
}

/// Copies a pod's output, line by line, to stderr with the pod's name in front.
pub fn forward_output(label: String, output: impl AsyncRead + Unpin + Send + 'static) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(output).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("[{label}] {line}");
        }
    });
}

enum Runtime {
    None,
    Process(HashMap<String, PathBuf>),
    Docker,
}

enum Running {
    Process(process::Running),
    Docker(docker::Running),
}

impl Running {
    fn id(&self) -> String {
        match self {
            Running::Process(r) => r.id(),
            Running::Docker(r) => r.id(),
        }
    }

    async fn wait(&mut self) -> Exit {
        match self {
            Running::Process(r) => r.wait().await,
            Running::Docker(r) => r.wait().await,
        }
    }

    async fn kill(&mut self) {
        match self {
            Running::Process(r) => r.kill().await,
            Running::Docker(r) => r.kill().await,
        }
    }
}

struct Context {
    store: Arc<Store>,
    runtime: Runtime,
    claims: Mutex<HashMap<String, TempDir>>,
    reaper: Arc<Reaper>,
    pods: ResourceType,
    /// Pod IPs handed out so far (Docker pods get their own loopback address).
    next_ip: AtomicU32,
}

impl Context {
    /// The IP of a new pod. A container does not see other containers' files, so each Docker
    /// pod gets its own address, as pods do in a cluster: a loopback address `127.a.b.c` of its
    /// own (all of 127.0.0.0/8 is the host's loopback, which containers on the host network
    /// share), so that code under test cannot take two pods for one host. A pod with
    /// `spec.hostNetwork: true` has the node's address, 127.0.0.1, as in a cluster. Processes
    /// share the host's files, and all have 127.0.0.1.
    fn pod_ip(&self, pod: &Value) -> String {
        if !matches!(self.runtime, Runtime::Docker) || pod["spec"]["hostNetwork"] == true {
            return POD_IP.to_string();
        }
        let n = self.next_ip.fetch_add(1, Ordering::Relaxed);
        let (a, b, c) = (1 + (n / (254 * 256)) % 254, (n / 254) % 256, 1 + n % 254);
        format!("127.{a}.{b}.{c}")
    }
}

struct PodTask {
    kill: watch::Sender<bool>,
    handle: JoinHandle<()>,
}

/// The running agent.
pub struct NodeAgent {
    stop: watch::Sender<bool>,
    pods: Arc<Mutex<HashMap<String, PodTask>>>,
    finished: Arc<Mutex<Vec<JoinHandle<()>>>>,
    follower: JoinHandle<()>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl NodeAgent {
    /// Starts following the store's pods.
    pub fn start(store: Arc<Store>, kind: NodeAgentKind) -> Self {
        let runtime = match kind {
            NodeAgentKind::None => Runtime::None,
            NodeAgentKind::Process { images } => Runtime::Process(images),
            NodeAgentKind::Docker => Runtime::Docker,
        };
        let context = Arc::new(Context {
            store,
            runtime,
            claims: Mutex::new(HashMap::new()),
            reaper: Arc::new(Reaper::default()),
            pods: by_plural("pods").unwrap_or(super::resources::RESOURCES[0]),
            next_ip: AtomicU32::new(0),
        });
        let (stop, stop_rx) = watch::channel(false);
        let pods = Arc::new(Mutex::new(HashMap::new()));
        let finished = Arc::new(Mutex::new(Vec::new()));
        let follower = tokio::spawn(follow(
            context,
            stop_rx,
            Arc::clone(&pods),
            Arc::clone(&finished),
        ));
        Self {
            stop,
            pods,
            finished,
            follower,
        }
    }

    /// Stops following and tells every pod task to kill its pod, without waiting.
    pub fn abandon(self) {
        self.stop.send_replace(true);
        for (_, task) in lock(&self.pods).drain() {
            task.kill.send_replace(true);
        }
    }

    /// Stops following and kills every pod, waiting until each is gone.
    pub async fn stop(self) {
        self.stop.send_replace(true);
        let _ = self.follower.await;
        let mut handles: Vec<JoinHandle<()>> = lock(&self.finished).drain(..).collect();
        for (_, task) in lock(&self.pods).drain() {
            task.kill.send_replace(true);
            handles.push(task.handle);
        }
        for handle in handles {
            let _ = handle.await;
        }
    }
}

async fn follow(
    context: Arc<Context>,
    mut stop: watch::Receiver<bool>,
    pods: Arc<Mutex<HashMap<String, PodTask>>>,
    finished: Arc<Mutex<Vec<JoinHandle<()>>>>,
) {
    if matches!(context.runtime, Runtime::None) {
        return;
    }
    let mut changes = context.store.subscribe();
    let mut last = 0;
    loop {
        changes.borrow_and_update();
        let events = match context.store.events_since(last) {
            Ok(events) => events,
            Err(e) => {
                eprintln!("[k8s stand-in] node agent fell behind: {e}");
                last = context.store.resource_version();
                Vec::new()
            }
        };
        for event in events {
            last = event.rv;
            if event.plural != "pods" {
                continue;
            }
            let meta = &event.object["metadata"];
            let uid = meta["uid"].as_str().unwrap_or_default().to_string();
            match event.kind {
                EventType::Added => {
                    let (kill, kill_rx) = watch::channel(false);
                    let pod = PodRef {
                        namespace: event.namespace.clone(),
                        name: meta["name"].as_str().unwrap_or_default().to_string(),
                        uid: uid.clone(),
                    };
                    let handle = tokio::spawn(run_pod(Arc::clone(&context), pod, kill_rx));
                    lock(&pods).insert(uid, PodTask { kill, handle });
                }
                EventType::Deleted => {
                    if let Some(task) = lock(&pods).remove(&uid) {
                        task.kill.send_replace(true);
                        lock(&finished).push(task.handle);
                    }
                }
                EventType::Modified => {}
            }
        }
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return },
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

#[derive(Clone)]
struct PodRef {
    namespace: String,
    name: String,
    uid: String,
}

impl PodRef {
    fn label(&self) -> String {
        format!("pod {}/{}", self.namespace, self.name)
    }

    /// The pod, if it still exists as this incarnation.
    fn get(&self, context: &Context) -> Option<Value> {
        let pod = context
            .store
            .get(&context.pods, &self.namespace, &self.name)
            .ok()?;
        (pod["metadata"]["uid"] == self.uid.as_str()).then_some(pod)
    }

    /// Rewrites the pod's status (nothing happens if the pod is gone).
    fn set_status(&self, context: &Context, status: impl FnOnce(&Value) -> Value) {
        let _ = context.store.update(
            &context.pods,
            &self.namespace,
            &self.name,
            true,
            |current| {
                if current["metadata"]["uid"] != self.uid.as_str() {
                    return Err(ApiError::NotFound {
                        resource: "pods".into(),
                        name: self.name.clone(),
                    });
                }
                let mut next = current.clone();
                next["status"] = status(current);
                Ok(next)
            },
        );
    }
}

fn container_status(pod: &Value, ready: bool, state: Value, id: Option<&str>) -> Value {
    let container = &pod["spec"]["containers"][0];
    let mut status = json!({
        "name": container["name"], "image": container["image"], "imageID": "",
        "ready": ready, "started": ready, "restartCount": 0, "state": state,
    });
    if let Some(id) = id {
        status["containerID"] = json!(id);
    }
    status
}

fn conditions(ready: bool) -> Value {
    let ready = if ready { "True" } else { "False" };
    let t = now();
    json!([
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": t},
        {"type": "Initialized", "status": "True", "lastTransitionTime": t},
        {"type": "ContainersReady", "status": ready, "lastTransitionTime": t},
        {"type": "Ready", "status": ready, "lastTransitionTime": t},
    ])
}

fn waiting_status(pod: &Value, wait: &Wait) -> Value {
    let mut status = pod["status"].clone();
    status["phase"] = json!("Pending");
    status["hostIP"] = json!(POD_IP);
    status["conditions"] = conditions(false);
    if status["startTime"].is_null() {
        status["startTime"] = json!(now());
    }
    let state = json!({"waiting": {"reason": wait.reason, "message": wait.message}});
    status["containerStatuses"] = json!([container_status(pod, false, state, None)]);
    status
}

fn running_status(pod: &Value, id: &str, started: &str, ip: &str) -> Value {
    let state = json!({"running": {"startedAt": started}});
    json!({
        "phase": "Running",
        "hostIP": POD_IP, "hostIPs": [{"ip": POD_IP}],
        "podIP": ip, "podIPs": [{"ip": ip}],
        "startTime": pod["status"]["startTime"].as_str().unwrap_or(started),
        "qosClass": pod["status"]["qosClass"],
        "conditions": conditions(true),
        "containerStatuses": [container_status(pod, true, state, Some(id))],
    })
}

fn terminated_status(pod: &Value, id: &str, started: &str, exit: &Exit) -> Value {
    let mut terminated = json!({
        "exitCode": exit.code, "reason": exit.reason, "startedAt": started,
        "finishedAt": now(), "containerID": id,
    });
    if let Some(message) = &exit.message {
        terminated["message"] = json!(message);
    }
    let mut status = pod["status"].clone();
    status["phase"] = json!(if exit.code == 0 {
        "Succeeded"
    } else {
        "Failed"
    });
    status["conditions"] = conditions(false);
    status["containerStatuses"] = json!([container_status(
        pod,
        false,
        json!({"terminated": terminated}),
        Some(id)
    )]);
    status
}

/// Why a pod cannot start now, checking in the kubelet's order: volumes, image, configuration.
async fn prepare(context: &Context, pod: &Value, ip: &str) -> Result<Launch, Wait> {
    // The kubelet knows the pod's IP (for `status.podIP` references) before it starts the
    // containers.
    let mut pod = pod.clone();
    pod["status"]["podIP"] = json!(ip);
    let pod = &pod;
    let image = pod["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let launch = spec::launch(&context.store, pod, &context.claims);
    // Volume errors come first; an image error wins over a configuration error.
    if let Err(wait) = &launch
        && wait.reason == "ContainerCreating"
    {
        return Err(wait.clone());
    }
    match &context.runtime {
        Runtime::Process(images) => process::check_image(images, &image)?,
        Runtime::Docker => docker::check_image(&image).await?,
        Runtime::None => {}
    }
    launch
}

async fn start(context: &Context, pod: &PodRef, launch: &Launch) -> Result<Running, String> {
    let label = pod.label();
    match &context.runtime {
        Runtime::Process(images) => {
            process::start(images, launch, &label, Arc::clone(&context.reaper))
                .map(Running::Process)
        }
        Runtime::Docker => {
            let suffix = &uuid::Uuid::new_v4().simple().to_string()[..8];
            let name = format!("ember-pod-{}-{}-{suffix}", pod.namespace, pod.name);
            docker::start(&name, launch, &label, Arc::clone(&context.reaper))
                .await
                .map(Running::Docker)
        }
        Runtime::None => Err("no node agent".into()),
    }
}

/// Runs one pod until it is deleted: waits until it can start (retrying when the store changes,
/// and every two seconds for images), runs it, records its exit.
async fn run_pod(context: Arc<Context>, pod: PodRef, mut kill: watch::Receiver<bool>) {
    let mut changes = context.store.subscribe();
    let mut ip = None;
    let launch = loop {
        changes.borrow_and_update();
        let Some(current) = pod.get(&context) else {
            return;
        };
        let ip = ip.get_or_insert_with(|| context.pod_ip(&current));
        match prepare(&context, &current, ip).await {
            Ok(launch) => break launch,
            Err(wait) => {
                let waiting = &current["status"]["containerStatuses"][0]["state"]["waiting"];
                if wait.reason == "ErrImagePull" {
                    // After a failed pull the kubelet backs off, and says so.
                    if waiting["reason"] != "ImagePullBackOff" {
                        pod.set_status(&context, |p| waiting_status(p, &wait));
                        tokio::select! {
                            _ = kill.wait_for(|k| *k) => return,
                            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                        }
                        let back_off = Wait::new(
                            "ImagePullBackOff",
                            format!("Back-off pulling image: {}", wait.message),
                        );
                        pod.set_status(&context, |p| waiting_status(p, &back_off));
                    }
                } else if waiting["reason"] != wait.reason.as_str()
                    || waiting["message"] != wait.message.as_str()
                {
                    pod.set_status(&context, |p| waiting_status(p, &wait));
                }
            }
        }
        tokio::select! {
            _ = kill.wait_for(|k| *k) => return,
            _ = changes.changed() => {}
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    };
    let ip = ip.unwrap_or_else(|| POD_IP.to_string());
    let started = now();
    let mut running = match start(&context, &pod, &launch).await {
        Ok(running) => running,
        Err(message) => {
            let exit = Exit {
                code: 128,
                reason: "StartError".into(),
                message: Some(message),
            };
            pod.set_status(&context, |p| terminated_status(p, "", &started, &exit));
            let _ = kill.wait_for(|k| *k).await;
            return;
        }
    };
    let id = running.id();
    pod.set_status(&context, |p| running_status(p, &id, &started, &ip));
    let exit = tokio::select! {
        exit = running.wait() => Some(exit),
        _ = kill.wait_for(|k| *k) => None,
    };
    if let Some(exit) = exit {
        pod.set_status(&context, |p| terminated_status(p, &id, &started, &exit));
        // A finished pod keeps its container and volumes until it is deleted.
        let _ = kill.wait_for(|k| *k).await;
    }
    running.kill().await;
    drop(launch);
}
