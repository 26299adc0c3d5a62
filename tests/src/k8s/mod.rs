//! A Kubernetes API server stand-in for end-to-end tests.
//!
//! No Kubernetes cluster can run on the machines this project builds on, yet the driver's
//! Kubernetes launcher talks to a cluster through the real kube-rs client. [`FakeApiServer`]
//! serves, in process on 127.0.0.1, the REST paths and JSON that kube-rs uses for pods,
//! services, configmaps, secrets, persistentvolumeclaims (core/v1) and jobs (batch/v1): create,
//! get, list and watch with label and field selectors, merge patch, replace, delete and
//! deletecollection, with `Status` errors, resourceVersions, generated names and owner-reference
//! garbage collection. A pluggable node agent runs the pods as local processes or Docker
//! containers and reports their status as the kubelet would.
//!
//! Deliberate simplifications (a launcher should not depend on them):
//! - Deletion is immediate: no grace period, no finalizers, no Terminating phase; Foreground and
//!   Background propagation both delete dependents at once.
//! - Strategic merge patch and server-side apply are treated as JSON merge patches (lists are
//!   replaced, not merged by key); JSON Patch is answered 415.
//! - The only controller is a Job controller for one-pod Jobs (see [`jobs`]): a failed pod is
//!   replaced at once, without back-off delay. Services get a made-up cluster IP.
//! - No authentication, admission, quotas or scheduling; every pod "runs" on one node (host IP
//!   127.0.0.1). Process pods share the node's IP; Docker pods get a loopback address each.
//! - The node agent runs only a pod's first container, once (restart policies are ignored).
//! - In process mode a process cannot mount volumes: every occurrence of a volume's mountPath
//!   (at a path boundary) in the expanded command, args, env values and workingDir is rewritten
//!   to the host directory standing for the volume. Paths built at run time are not rewritten.
//!   Processes inherit the test's environment under the pod's variables.

mod agent;
mod error;
mod http;
mod jobs;
mod resources;
mod selector;
mod store;
mod validate;
mod watch;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

pub use error::ApiError;

use resources::by_plural;
use store::{Propagation, Store};

/// How pods are run once created.
#[derive(Debug, Clone)]
pub enum NodeAgentKind {
    /// Pods are not run; they stay Pending (for API-only tests).
    None,
    /// Each pod's first container runs as a local process: `images` maps an image name to the
    /// host binary that stands for the image's entrypoint. A `command` whose first element has
    /// the same file name as that binary runs the binary; another `command` runs the host path
    /// it names.
    Process {
        /// Image name → host binary.
        images: HashMap<String, PathBuf>,
    },
    /// Each pod runs as a Docker container of the named image, on the host network (image names
    /// pass through; the test builds the image, nothing is pulled). Each pod has a loopback
    /// address of its own as its IP (`127.a.b.c`; `hostNetwork: true`: the node's 127.0.0.1),
    /// since containers, like pods, do not see each other's files.
    Docker,
}

/// A running stand-in API server with its node agent.
pub struct FakeApiServer {
    addr: SocketAddr,
    store: Arc<Store>,
    server: Arc<http::Server>,
    shutdown: tokio::sync::watch::Sender<bool>,
    accept: Option<tokio::task::JoinHandle<()>>,
    agent: Option<agent::NodeAgent>,
    jobs: Option<jobs::JobController>,
    dir: tempfile::TempDir,
    kubeconfig: Mutex<Option<PathBuf>>,
}

/// The namespace the written kubeconfig's context uses.
pub const DEFAULT_NAMESPACE: &str = "default";

impl FakeApiServer {
    /// Starts the server (on the current tokio runtime) with a node agent, listening on a
    /// random port of 127.0.0.1.
    ///
    /// Panics if it cannot bind a port or create its temporary directory: a test cannot go on
    /// without them.
    pub async fn start(agent: NodeAgentKind) -> FakeApiServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the stand-in API server to 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let store = Arc::new(Store::default());
        let (shutdown, shutdown_rx) = tokio::sync::watch::channel(false);
        let server = Arc::new(http::Server {
            store: Arc::clone(&store),
            shutdown: shutdown_rx,
            requests: Mutex::new(Vec::new()),
        });
        let accept = tokio::spawn(http::serve(listener, Arc::clone(&server)));
        let agent = agent::NodeAgent::start(Arc::clone(&store), agent);
        let jobs = jobs::JobController::start(Arc::clone(&store));
        let dir = tempfile::Builder::new()
            .prefix("ember-k8s-standin-")
            .tempdir()
            .expect("temporary directory for the kubeconfig");
        FakeApiServer {
            addr,
            store,
            server,
            shutdown,
            accept: Some(accept),
            agent: Some(agent),
            jobs,
            dir,
            kubeconfig: Mutex::new(None),
        }
    }

    /// `http://127.0.0.1:PORT`, the API server URL a client connects to.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Writes a kubeconfig (cluster server = [`url`](Self::url), a context `ember-standin` with
    /// namespace `default`, a user with a dummy token) into a temporary directory owned by the
    /// server, and returns its path, so that code under test configures kube-rs exactly as it
    /// would for a real cluster (`KUBECONFIG`).
    ///
    /// Panics if the file cannot be written.
    pub fn kubeconfig(&self) -> PathBuf {
        let mut written = self.kubeconfig.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(path) = written.as_ref() {
            return path.clone();
        }
        // JSON is YAML, which kubeconfig readers parse.
        let config = json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "ember-standin", "cluster": {"server": self.url()}}],
            "users": [{"name": "ember-standin", "user": {"token": "ember-standin-token"}}],
            "contexts": [{"name": "ember-standin", "context": {
                "cluster": "ember-standin", "user": "ember-standin", "namespace": DEFAULT_NAMESPACE,
            }}],
            "current-context": "ember-standin",
            "preferences": {},
        });
        let path = self.dir.path().join("kubeconfig");
        std::fs::write(&path, config.to_string()).expect("write the kubeconfig");
        *written = Some(path.clone());
        path
    }

    /// A snapshot of the stored objects of a plural kind (`pods`, `secrets`, ...) in a
    /// namespace, as JSON, sorted by name: what a test asserts on after the code under test
    /// talked to the API. Unknown plurals have no objects.
    /// The executor pods of `namespace` (label `spark-role=executor`) once the node agent has
    /// reported each `Running`, or as they are after 30 s. The agent records the phase (with the
    /// pod's IP) when it has seen the container start, which can come after the executor in it
    /// has registered with the driver.
    pub async fn running_executor_pods(&self, namespace: &str) -> Vec<Value> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let pods: Vec<Value> = self
                .objects(namespace, "pods")
                .into_iter()
                .filter(|p| p["metadata"]["labels"]["spark-role"] == "executor")
                .collect();
            if pods.iter().all(|p| p["status"]["phase"] == "Running")
                || std::time::Instant::now() > deadline
            {
                return pods;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    pub fn objects(&self, namespace: &str, plural: &str) -> Vec<Value> {
        match by_plural(plural) {
            Some(rt) => self.store.list(&rt, Some(namespace), &Default::default()).0,
            None => Vec::new(),
        }
    }

    /// Creates an object directly, as `kubectl create` would (validated, with uid and
    /// resourceVersion), e.g. a driver pod that executor pods name as their owner. Returns the
    /// stored object.
    ///
    /// Panics if the object is refused, since that is a mistake in the test.
    pub fn insert(&self, namespace: &str, plural: &str, object: Value) -> Value {
        let rt = by_plural(plural).unwrap_or_else(|| panic!("the stand-in serves no {plural}"));
        self.store
            .create(&rt, namespace, object)
            .unwrap_or_else(|e| panic!("insert {plural}: {e}"))
    }

    /// Deletes an object as `kubectl delete` would (dependents are garbage-collected; a pod's
    /// process or container is killed by the agent), e.g. for "executor lost" tests. Deleting
    /// a missing object does nothing.
    pub fn delete(&self, namespace: &str, plural: &str, name: &str) {
        if let Some(rt) = by_plural(plural) {
            let _ = self.store.delete(&rt, namespace, name, Propagation::Delete);
        }
    }

    /// `METHOD path?query` of every request served so far, in order, so that a test can check
    /// how the code under test used the API (e.g. that it watched rather than polled).
    pub fn requests(&self) -> Vec<String> {
        self.server
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Stops the server (open watches end, connections close) and kills every pod the agent
    /// runs, waiting until they are gone.
    pub async fn stop(mut self) {
        self.shutdown.send_replace(true);
        if let Some(accept) = self.accept.take() {
            let _ = accept.await;
        }
        if let Some(jobs) = self.jobs.take() {
            jobs.stop().await;
        }
        if let Some(agent) = self.agent.take() {
            agent.stop().await;
        }
    }
}

impl Drop for FakeApiServer {
    /// A server dropped without `stop` (a failed test) still closes its connections and has
    /// its pods killed (by the agent's tasks, or synchronously when the runtime drops them).
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
        if let Some(jobs) = self.jobs.take() {
            jobs.abandon();
        }
        if let Some(agent) = self.agent.take() {
            agent.abandon();
        }
    }
}
