//! `k8s`: how long Ember takes to get executors running on Kubernetes, measured on the
//! Kubernetes stand-in of the test tree with container-backed pods (Ember's image, built by
//! `images/build-from-binaries.sh` from the `ember` binary of this build).
//!
//! Two figures, each the median of `--iterations` runs:
//! - client mode: `Session::builder().master("k8s://...").build()`, which returns once every
//!   executor pod is running and registered with the driver;
//! - cluster mode: `ember submit --deploy-mode cluster` of a one-statement application
//!   (`SELECT 1`) until the command returns: the driver pod starts, creates its executor pods,
//!   waits for all of them to register (a driver does not run statements before), runs the
//!   statement and ends.
//!
//! JVM Spark cannot run on the stand-in (its client needs a real API server), so its figure is
//! the published one the project started from (about 23 s from submission to running
//! executors), not a measurement of this run; the report says so.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ember::Session;
use ember_tests::docker::docker;
use ember_tests::k8s::{FakeApiServer, NodeAgentKind};

/// JVM Spark's submit-to-running-executors time quoted in the project's Kubernetes issue.
const SPARK_PUBLISHED_SECONDS: f64 = 23.0;

/// What `ember-benches k8s` runs.
#[derive(Debug, Clone)]
pub struct K8sArgs {
    pub iterations: usize,
    pub executors: usize,
    /// The `ember` binary the image is built from.
    pub binary: PathBuf,
    pub out: PathBuf,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

async fn wait_until(what: &str, mut check: impl FnMut() -> bool) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check() {
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

fn pods_with_role(server: &FakeApiServer, ns: &str, role: &str) -> usize {
    server
        .objects(ns, "pods")
        .iter()
        .filter(|p| p["metadata"]["labels"]["spark-role"] == role)
        .count()
}

/// Runs the benchmark and writes `k8s.md` into `args.out`.
///
/// # Errors
/// A message when Docker, the image build or a run fails.
pub async fn run(args: &K8sArgs) -> Result<(), String> {
    let tag = format!("ember-bench:{}", std::process::id());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../images/build-from-binaries.sh");
    let built = std::process::Command::new(&script)
        .arg(&tag)
        .arg(&args.binary)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !built.status.success() {
        return Err(format!(
            "image build failed: {}",
            String::from_utf8_lossy(&built.stderr)
        ));
    }
    let size = docker(&["image", "ls", "--format", "{{.Size}}", &tag])?;
    eprintln!("image {tag}: {size}");
    let result = measure(args, &tag).await;
    let _ = docker(&["rmi", "-f", &tag]);
    let (client, cluster) = result?;
    let ratio = |d: Duration| SPARK_PUBLISHED_SECONDS / d.as_secs_f64().max(1e-9);
    let report = format!(
        "# Executors on Kubernetes: time to running executors\n\n\
         Kubernetes stand-in (`tests/src/k8s`), pods as Docker containers of Ember's image \
         ({size}, built from `{}`), {} executors of 1 core, median of {} runs.\n\n\
         | path | Ember | JVM Spark (published, not measured here) | Spark / Ember |\n\
         |---|---|---|---|\n\
         | client mode: session start until every executor registered | {:.0} ms | ~{SPARK_PUBLISHED_SECONDS:.0} s | {:.0}x |\n\
         | cluster mode: `ember submit` of `SELECT 1` until it returns (driver pod, executor pods registered, statement, exit) | {:.0} ms | ~{SPARK_PUBLISHED_SECONDS:.0} s (to running executors only) | {:.0}x |\n\n\
         The stand-in starts containers at once (no scheduling, no image pull), so these times \
         are Ember's own start-up: a real cluster adds its scheduling and pull time to both \
         engines.\n",
        args.binary.display(),
        args.executors,
        args.iterations,
        client.as_secs_f64() * 1000.0,
        ratio(client),
        cluster.as_secs_f64() * 1000.0,
        ratio(cluster),
    );
    std::fs::create_dir_all(&args.out).map_err(|e| e.to_string())?;
    let path = args.out.join("k8s.md");
    std::fs::write(&path, &report).map_err(|e| e.to_string())?;
    println!("{report}");
    eprintln!("wrote {}", path.display());
    Ok(())
}

async fn measure(args: &K8sArgs, image: &str) -> Result<(Duration, Duration), String> {
    let server = FakeApiServer::start(NodeAgentKind::Docker).await;
    let url = server.url();
    let executors = args.executors.to_string();
    let mut client_times = Vec::new();
    for i in 0..args.iterations {
        let ns = format!("bench-client-{i}");
        let started = Instant::now();
        let session = Session::builder()
            .master(&format!("k8s://{url}"))
            .config("spark.kubernetes.namespace", &ns)
            .config("spark.kubernetes.container.image", image)
            .config("spark.kubernetes.container.image.pullPolicy", "Never")
            .config("spark.executor.instances", &executors)
            .config("spark.executor.memory", "512m")
            .build()
            .await
            .map_err(|e| format!("client-mode session: {e}"))?;
        client_times.push(started.elapsed());
        session.stop().await;
        wait_until("executor pods deleted", || {
            pods_with_role(&server, &ns, "executor") == 0
        })
        .await?;
    }
    let app_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let app = app_dir.path().join("app.sql");
    std::fs::write(&app, "SELECT 1;\n").map_err(|e| e.to_string())?;
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut cluster_times = Vec::new();
    for i in 0..args.iterations {
        let ns = format!("bench-cluster-{i}");
        let mut command = std::process::Command::new(&args.binary);
        command
            .env("HOME", home.path())
            .env_remove("KUBECONFIG")
            .args(["submit", "--deploy-mode", "cluster"])
            .args(["--master", &format!("k8s://{url}")]);
        for (k, v) in [
            ("spark.kubernetes.namespace", ns.as_str()),
            ("spark.kubernetes.container.image", image),
            ("spark.kubernetes.container.image.pullPolicy", "Never"),
            ("spark.kubernetes.driver.master", url.as_str()),
            ("spark.executor.instances", executors.as_str()),
            ("spark.executor.memory", "512m"),
            ("spark.driver.memory", "512m"),
        ] {
            command.arg("--conf").arg(format!("{k}={v}"));
        }
        command.arg(&app);
        let started = Instant::now();
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot run ember submit: {e}"))?;
        let elapsed = started.elapsed();
        if !output.status.success() {
            return Err(format!(
                "ember submit failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        cluster_times.push(elapsed);
        // Clean up as a user would: deleting the driver pod removes the rest.
        for pod in server.objects(&ns, "pods") {
            if let Some(name) = pod["metadata"]["name"].as_str() {
                server.delete(&ns, "pods", name);
            }
        }
    }
    server.stop().await;
    eprintln!("client mode runs: {client_times:?}\ncluster mode runs: {cluster_times:?}");
    Ok((median(client_times), median(cluster_times)))
}
