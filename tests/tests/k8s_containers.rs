//! `--master k8s://...` with executor pods run as Docker containers of Ember's real image.
//!
//! The image is built the way users build it without a registry: the shipped
//! `images/build-from-binaries.sh` with the `ember` binary of this build (`FROM scratch`, uid
//! 185). The stand-in API server (`ember_tests::k8s`) runs each executor pod as a container on
//! the host network; the driver is this test process (client mode) and talks to the stand-in
//! through its real kube-rs client. What is checked is what a container really sees: its
//! mounts, environment, files and memory limit, read on the host under `/proc/<pid>/`.
//!
//! - Scenario A: TPC-H Q1, Q3 and Q18 at SF0.01 match JVM Spark with two executor containers
//!   that have a tmpfs local dir, a secret mounted as files and exposed as a variable (whose
//!   value never appears in the pod spec), an emptyDir, an on-demand claim owned by the driver
//!   pod, a hostPath with the data and a pod template (label, annotation, sidecar); the
//!   container's memory limit is the pod's; everything is gone after `stop`.
//! - Scenario B: an executor container killed from outside (`docker kill`) in the middle of
//!   TPC-H Q18 at SF0.1 is reported lost, replaced by a new pod, and the query still succeeds.
//!
//! The tests need a Docker engine (CI has one and runs them); `EMBER_SKIP_DOCKER_TESTS=1` skips
//! them on machines without one.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use ember::Session;
use ember_tests::docker::{build_ember_image, docker, docker_available};
use ember_tests::events::watch_first_executor;
use ember_tests::k8s::{FakeApiServer, NodeAgentKind};
use ember_tests::{built_binary, check_tpch, register_tpch, shared_tpch};
use serde_json::{Value, json};

/// The image's user (images/Dockerfile.binaries).
const IMAGE_UID: u32 = 185;
/// The default local dir of executor pods (docs/kubernetes.md).
const LOCAL_DIR: &str = "/var/data/spark-local-dir-1";
const SECRET: &str = "db-creds";
const SECRET_VALUE: &str = "s3cr3t-value";
const DRIVER_POD: &str = "ember-driver";

/// Whether the test runs: false when `EMBER_SKIP_DOCKER_TESTS` is set; otherwise a Docker
/// engine must answer.
fn docker_required() -> bool {
    if std::env::var_os("EMBER_SKIP_DOCKER_TESTS").is_some() {
        eprintln!("skipped: EMBER_SKIP_DOCKER_TESTS is set");
        return false;
    }
    assert!(
        docker_available(),
        "no Docker engine answers; set EMBER_SKIP_DOCKER_TESTS=1 to skip this test"
    );
    true
}

/// A short random id, so that parallel runs use their own image tag, namespace and container
/// names.
fn run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

/// Ember's image, shared by the tests of this process that run at the same time: built by the
/// first, removed (however the tests end) when the last drops it. Images built from the same
/// binary have the same id, so one test removing its own tag with `rmi -f` while another builds
/// would delete the image from under the other.
struct Image(String);

/// How many tests hold the image, and its tag while they do.
static IMAGE_USERS: std::sync::Mutex<(usize, Option<String>)> = std::sync::Mutex::new((0, None));

impl Image {
    fn build(run: &str) -> Image {
        let mut users = IMAGE_USERS.lock().unwrap_or_else(|e| e.into_inner());
        let tag = match &users.1 {
            Some(tag) => tag.clone(),
            None => {
                let tag = format!("ember-k8s-containers:{run}");
                let started = Instant::now();
                build_ember_image(&tag).expect("images/build-from-binaries.sh builds the image");
                let size = docker(&["image", "ls", "--format", "{{.Size}}", &tag])
                    .expect("docker image ls");
                assert!(!size.is_empty(), "the image {tag} exists");
                eprintln!(
                    "image {tag} built by images/build-from-binaries.sh in {} ms: {size}",
                    started.elapsed().as_millis()
                );
                users.1 = Some(tag.clone());
                tag
            }
        };
        users.0 += 1;
        Image(tag)
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        let mut users = IMAGE_USERS.lock().unwrap_or_else(|e| e.into_inner());
        users.0 = users.0.saturating_sub(1);
        if users.0 == 0 {
            let _ = docker(&["rmi", "-f", &self.0]);
            users.1 = None;
        }
    }
}

/// TPC-H data at `scale`, readable by the image's user (the generated folder is a private
/// temporary directory).
fn tpch_data(scale: f64) -> std::path::PathBuf {
    let dir = shared_tpch(scale);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
        .expect("make the TPC-H folder readable by the image's user");
    dir
}

/// A driver pod to own the executor pods and their claims (the driver itself is this test
/// process; the agent never starts this pod, whose image does not exist).
fn driver_pod(server: &FakeApiServer, ns: &str) -> Value {
    server.insert(
        ns,
        "pods",
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": DRIVER_POD, "namespace": ns},
            "spec": {"containers": [{"name": "driver", "image": "not-run-by-this-test"}]}
        }),
    )
}

fn executor_pods(server: &FakeApiServer, ns: &str) -> Vec<Value> {
    server
        .objects(ns, "pods")
        .into_iter()
        .filter(|p| p["metadata"]["labels"]["spark-role"] == "executor")
        .collect()
}

/// The names of the containers (running or not) the stand-in started for pods of `ns`.
fn pod_containers(ns: &str) -> Vec<String> {
    docker(&[
        "ps",
        "-a",
        "--filter",
        &format!("name=ember-pod-{ns}-"),
        "--format",
        "{{.Names}}",
    ])
    .expect("docker ps")
    .lines()
    .map(str::to_string)
    .collect()
}

fn session_builder(
    server: &FakeApiServer,
    ns: &str,
    image: &str,
    data: &Path,
) -> ember::SessionBuilder {
    let data = data.display().to_string();
    Session::builder()
        .master(&format!("k8s://{}", server.url()))
        .app_name("k8s containers")
        .config("spark.kubernetes.namespace", ns)
        .config("spark.kubernetes.container.image", image)
        .config("spark.kubernetes.container.image.pullPolicy", "Never")
        .config("spark.executor.instances", "2")
        .config("spark.executor.memory", "512m")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.kubernetes.allocation.batch.delay", "200ms")
        .config("spark.kubernetes.driver.pod.name", DRIVER_POD)
        // The data, at the same path inside the containers.
        .config(
            "spark.kubernetes.executor.volumes.hostPath.tpch.mount.path",
            &data,
        )
        .config(
            "spark.kubernetes.executor.volumes.hostPath.tpch.options.path",
            &data,
        )
        .config(
            "spark.kubernetes.executor.volumes.hostPath.tpch.mount.readOnly",
            "true",
        )
}

async fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `docker://ID` of a pod's (first) container, as the pod status shows it.
fn container_id(pod: &Value) -> String {
    let id = pod["status"]["containerStatuses"][0]["containerID"]
        .as_str()
        .unwrap_or_default();
    id.strip_prefix("docker://")
        .unwrap_or_else(|| panic!("a docker:// container ID in {pod:#}"))
        .to_string()
}

/// A Kubernetes memory quantity as Ember writes them (`576Mi`, `1Gi`, bytes) in bytes.
fn quantity_bytes(q: &str) -> u64 {
    let (number, factor) = if let Some(n) = q.strip_suffix("Mi") {
        (n, 1 << 20)
    } else if let Some(n) = q.strip_suffix("Gi") {
        (n, 1 << 30)
    } else if let Some(n) = q.strip_suffix("Ki") {
        (n, 1 << 10)
    } else {
        (q, 1)
    };
    number.parse::<u64>().expect("an integer quantity") * factor
}

/// One line of `/proc/<pid>/mounts`: mount point, file system type, options.
struct MountLine {
    path: String,
    fs: String,
    options: String,
}

fn mounts(pid: &str) -> Vec<MountLine> {
    std::fs::read_to_string(format!("/proc/{pid}/mounts"))
        .expect("read the container's mounts")
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _source = fields.next()?;
            Some(MountLine {
                path: fields.next()?.to_string(),
                fs: fields.next()?.to_string(),
                options: fields.next()?.to_string(),
            })
        })
        .collect()
}

/// Whether uid [`IMAGE_UID`] may write into `dir` (as the container's root sees it).
fn writable_by_image_user(dir: &Path) -> bool {
    let meta = std::fs::metadata(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mode = meta.mode();
    (meta.uid() == IMAGE_UID && mode & 0o300 == 0o300) || mode & 0o003 == 0o003
}

const POD_TEMPLATE: &str = r#"apiVersion: v1
kind: Pod
metadata:
  labels:
    team: analytics
  annotations:
    example.com/owner: data-team
spec:
  containers:
    - name: executor
      env:
        - name: FROM_TEMPLATE
          value: "yes"
    - name: log-shipper
      image: log-shipper:not-run-by-the-stand-in
      args: ["--ship", "/var/log/ember"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executor_containers_see_their_volumes_secrets_and_limits_and_run_tpch() {
    if !docker_required() {
        return;
    }
    let run = run_id();
    let image = Image::build(&run);
    let ns = format!("k8sc-{run}");
    let dir = tpch_data(0.01);
    let template_dir = tempfile::tempdir().expect("temp dir");
    let template = template_dir.path().join("executor-template.yaml");
    std::fs::write(&template, POD_TEMPLATE).expect("write the pod template");

    let server = FakeApiServer::start(NodeAgentKind::Docker).await;
    let driver = driver_pod(&server, &ns);
    server.insert(
        &ns,
        "secrets",
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": SECRET, "namespace": ns},
            "stringData": {"password": SECRET_VALUE, "token": "abc"}
        }),
    );

    let volumes = "spark.kubernetes.executor.volumes";
    let started = Instant::now();
    let session = session_builder(&server, &ns, &image.0, &dir)
        .config("spark.kubernetes.local.dirs.tmpfs", "true")
        .config(
            &format!("spark.kubernetes.executor.secrets.{SECRET}"),
            "/etc/db",
        )
        .config(
            "spark.kubernetes.executor.secretKeyRef.DB_PASSWORD",
            &format!("{SECRET}:password"),
        )
        .config(
            &format!("{volumes}.emptyDir.scratch.mount.path"),
            "/scratch",
        )
        .config(
            &format!("{volumes}.persistentVolumeClaim.data.options.claimName"),
            "OnDemand",
        )
        .config(
            &format!("{volumes}.persistentVolumeClaim.data.options.sizeLimit"),
            "1Gi",
        )
        .config(
            &format!("{volumes}.persistentVolumeClaim.data.mount.path"),
            "/data",
        )
        .config(
            "spark.kubernetes.executor.podTemplateFile",
            &template.display().to_string(),
        )
        .build()
        .await
        .expect("executor containers start and register");
    let registration = started.elapsed();

    let pods = server.running_executor_pods(&ns).await;
    assert_eq!(pods.len(), 2, "{pods:#?}");
    eprintln!(
        "{} executor containers registered in {} ms",
        pods.len(),
        registration.as_millis()
    );

    // The stored pods: template and Ember's metadata, the sidecar, no secret value.
    let claims = server.objects(&ns, "persistentvolumeclaims");
    assert_eq!(
        claims.len(),
        2,
        "one on-demand claim per executor: {claims:#?}"
    );
    let driver_uid = &driver["metadata"]["uid"];
    for claim in &claims {
        assert_eq!(claim["metadata"]["ownerReferences"][0]["uid"], *driver_uid);
        assert_eq!(claim["spec"]["resources"]["requests"]["storage"], "1Gi");
    }
    for pod in &pods {
        let meta = &pod["metadata"];
        let name = meta["name"].as_str().unwrap_or_default();
        assert_eq!(meta["labels"]["team"], "analytics", "{name}");
        assert_eq!(meta["labels"]["spark-role"], "executor", "{name}");
        assert!(meta["labels"]["spark-app-selector"].is_string(), "{name}");
        assert!(meta["labels"]["spark-exec-id"].is_string(), "{name}");
        assert_eq!(meta["labels"]["spark-app-name"], "k8s-containers", "{name}");
        assert_eq!(meta["annotations"]["example.com/owner"], "data-team");
        assert_eq!(meta["ownerReferences"][0]["uid"], *driver_uid);
        assert_eq!(pod["status"]["phase"], "Running", "{name}");
        let containers = pod["spec"]["containers"].as_array().expect("containers");
        assert_eq!(containers.len(), 2, "{name}: executor and sidecar");
        assert_eq!(containers[0]["image"], image.0.as_str());
        assert_eq!(containers[1]["name"], "log-shipper");
        assert_eq!(
            containers[1]["image"],
            "log-shipper:not-run-by-the-stand-in"
        );
        let env = containers[0]["env"].as_array().cloned().unwrap_or_default();
        assert!(
            env.iter().any(|e| e["name"] == "FROM_TEMPLATE"),
            "{name}: the template's env is kept"
        );
        let password = env
            .iter()
            .find(|e| e["name"] == "DB_PASSWORD")
            .unwrap_or_else(|| panic!("{name}: DB_PASSWORD in {env:#?}"));
        assert_eq!(password["valueFrom"]["secretKeyRef"]["name"], SECRET);
        assert_eq!(password["valueFrom"]["secretKeyRef"]["key"], "password");
        let text = serde_json::to_string(pod).expect("pod JSON");
        assert!(
            !text.contains(SECRET_VALUE),
            "{name}: the secret's value is in the pod spec"
        );
        let claim = pod["spec"]["volumes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|v| v["name"] == "data")
            .and_then(|v| v["persistentVolumeClaim"]["claimName"].as_str())
            .unwrap_or_else(|| panic!("{name}: a claim volume"));
        assert!(
            claims.iter().any(|c| c["metadata"]["name"] == claim),
            "{name}: its claim {claim} exists"
        );
    }

    // What each container really has, read on the host under /proc/<pid>/.
    for pod in &pods {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let id = container_id(pod);
        let pid = docker(&["inspect", "-f", "{{.State.Pid}}", &id]).expect("docker inspect");
        assert_ne!(pid, "0", "{name}: the container runs");
        let root = Path::new("/proc").join(&pid).join("root");

        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
        let uid = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or_default();
        assert_eq!(
            uid,
            IMAGE_UID.to_string(),
            "{name}: runs as the image's user"
        );

        let mounts = mounts(&pid);
        let mount = |path: &str| {
            mounts
                .iter()
                .find(|m| m.path == path)
                .unwrap_or_else(|| panic!("{name}: {path} is not mounted"))
        };
        let local = mount(LOCAL_DIR);
        assert_eq!(local.fs, "tmpfs", "{name}: {LOCAL_DIR} is memory-backed");
        let size_limit = pod["spec"]["volumes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|v| v["name"] == "spark-local-dir-1")
            .and_then(|v| v["emptyDir"]["sizeLimit"].as_str())
            .unwrap_or_else(|| panic!("{name}: the local dir's sizeLimit"));
        let size_kib = local
            .options
            .split(',')
            .find_map(|o| o.strip_prefix("size="))
            .and_then(|s| s.strip_suffix('k'))
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("{name}: tmpfs size in {}", local.options));
        assert_eq!(size_kib * 1024, quantity_bytes(size_limit), "{name}");
        for path in ["/scratch", "/data", "/etc/db", &dir.display().to_string()] {
            mount(path);
        }
        assert!(mount(&dir.display().to_string()).options.starts_with("ro"));
        for path in [LOCAL_DIR, "/scratch", "/data"] {
            let inside = root.join(path.trim_start_matches('/'));
            assert!(
                writable_by_image_user(&inside),
                "{name}: {path} is not writable by uid {IMAGE_UID}"
            );
        }

        let environ = std::fs::read(format!("/proc/{pid}/environ")).expect("environ");
        let password = format!("DB_PASSWORD={SECRET_VALUE}");
        assert!(
            environ
                .split(|b| *b == 0)
                .any(|var| var == password.as_bytes()),
            "{name}: DB_PASSWORD in the container's environment"
        );
        let file = std::fs::read_to_string(root.join("etc/db/password")).expect("secret file");
        assert_eq!(file, SECRET_VALUE, "{name}: /etc/db/password");
        let token = std::fs::read_to_string(root.join("etc/db/token")).expect("secret file");
        assert_eq!(token, "abc");

        let limit = pod["spec"]["containers"][0]["resources"]["limits"]["memory"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: a memory limit"));
        let memory = docker(&["inspect", "-f", "{{.HostConfig.Memory}}", &id]).expect("inspect");
        assert_eq!(
            memory,
            quantity_bytes(limit).to_string(),
            "{name}: the container's memory limit is the pod's ({limit})"
        );
    }

    // At this scale the answers are compared with JVM Spark's (tests/tpch/spark/sf0.01).
    register_tpch(&session, &dir).await;
    let failures = check_tpch(&session, 0.01, [1, 3, 18]).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let shuffled: u64 = session
        .last_job_metrics()
        .iter()
        .map(|s| s.shuffle_bytes_written)
        .sum();
    assert!(shuffled > 0, "Q18 shuffles through the tmpfs local dirs");

    session.stop().await;
    wait_for("executor pods deleted", || {
        executor_pods(&server, &ns).is_empty()
    })
    .await;
    wait_for("on-demand claims deleted", || {
        server.objects(&ns, "persistentvolumeclaims").is_empty()
    })
    .await;
    wait_for("executor containers removed", || {
        pod_containers(&ns).is_empty()
    })
    .await;
    server.stop().await;
    assert_eq!(pod_containers(&ns), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_executor_container_is_replaced_and_the_job_still_succeeds() {
    if !docker_required() {
        return;
    }
    let run = run_id();
    let image = Image::build(&run);
    let ns = format!("k8sc-{run}");
    let dir = tpch_data(0.1);
    let server = FakeApiServer::start(NodeAgentKind::Docker).await;
    driver_pod(&server, &ns);
    let session = session_builder(&server, &ns, &image.0, &dir)
        .build()
        .await
        .expect("executor containers start and register");
    register_tpch(&session, &dir).await;

    // Kill the container of the first executor that finishes a task, in the middle of the job,
    // and see the driver lose that executor before the job ends.
    let watch = watch_first_executor(session.subscribe());
    let (failures, killed) = tokio::join!(check_tpch(&session, 0.1, [18]), async {
        let id = watch.victim.await.expect("a task ended");
        let pod = executor_pods(&server, &ns)
            .into_iter()
            .find(|p| p["metadata"]["labels"]["spark-exec-id"] == id.as_str())
            .expect("the executor's pod");
        let container = container_id(&pod);
        let killed = tokio::task::spawn_blocking(move || docker(&["kill", &container]))
            .await
            .expect("docker kill task");
        killed.expect("docker kill the executor's container");
        pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    });
    let reason = watch
        .lost
        .await
        .expect("event watcher")
        .expect("the executor of the killed container was lost during the job");
    eprintln!("executor of {killed} lost: {reason}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A replacement pod (a new executor id) runs in a new container.
    wait_for("a replacement executor pod", || {
        let pods = executor_pods(&server, &ns);
        pods.len() == 2
            && pods
                .iter()
                .all(|p| p["metadata"]["name"] != killed.as_str())
            && pods.iter().all(|p| p["status"]["phase"] == "Running")
    })
    .await;
    for pod in executor_pods(&server, &ns) {
        let id = container_id(&pod);
        let running = docker(&["inspect", "-f", "{{.State.Running}}", &id]).expect("inspect");
        assert_eq!(running, "true", "{}", pod["metadata"]["name"]);
    }
    session.stop().await;
    wait_for("executor pods deleted", || {
        executor_pods(&server, &ns).is_empty()
    })
    .await;
    wait_for("executor containers removed", || {
        pod_containers(&ns).is_empty()
    })
    .await;
    server.stop().await;
}

/// Executor pods on the node's network (`hostNetwork: true`, e.g. from a pod template, as
/// clusters without an overlay network or latency-sensitive deployments use) share the node's
/// IP but not their local dirs (each pod has its own emptyDir). Executors and the client-mode
/// driver on that node must fetch each other's shuffle output over gRPC, not look for the
/// files on their own disk (host-local reads are off by default on Kubernetes, and a file not
/// visible locally is fetched anyway).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_network_executor_pods_run_tpch() {
    if !docker_required() {
        return;
    }
    let run = run_id();
    let image = Image::build(&run);
    let ns = format!("k8sc-{run}");
    let dir = tpch_data(0.01);
    let template_dir = tempfile::tempdir().expect("temp dir");
    let template = template_dir.path().join("host-network.yaml");
    std::fs::write(
        &template,
        "apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: true\n  containers:\n    - name: executor\n",
    )
    .expect("write the pod template");
    let server = FakeApiServer::start(NodeAgentKind::Docker).await;
    driver_pod(&server, &ns);
    let session = session_builder(&server, &ns, &image.0, &dir)
        .config(
            "spark.kubernetes.executor.podTemplateFile",
            &template.display().to_string(),
        )
        .build()
        .await
        .expect("executor containers start and register");
    for pod in server.running_executor_pods(&ns).await {
        assert_eq!(pod["status"]["podIP"], "127.0.0.1", "the node's IP");
    }
    register_tpch(&session, &dir).await;
    let failures = check_tpch(&session, 0.01, [3]).await;
    session.stop().await;
    server.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Lines of the CSV files an `INSERT OVERWRITE DIRECTORY ... USING csv` wrote into `dir`,
/// sorted (file order is the task order).
fn csv_lines(dir: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(dir).expect("output folder").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "csv") {
            let text = std::fs::read_to_string(&path).expect("csv file");
            lines.extend(text.lines().map(str::to_string));
        }
    }
    lines.sort();
    lines
}

/// `ember submit --deploy-mode cluster` of `app` named "tpch q1" against the stand-in, with
/// two executors, `conf`, and `host_paths` (name, path, read-only) mounted at the same path in
/// the driver and executor pods.
fn cluster_submit(
    server: &FakeApiServer,
    home: &Path,
    conf: &[(&str, &str)],
    host_paths: &[(&str, &str, bool)],
    app: &Path,
) -> std::process::Command {
    let mut command = std::process::Command::new(built_binary("ember").expect("ember binary"));
    command
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .args(["submit", "--deploy-mode", "cluster"])
        .args(["--master", &format!("k8s://{}", server.url())])
        .args(["--name", "tpch q1"]);
    let api = server.url();
    for (key, value) in [
        ("spark.kubernetes.container.image.pullPolicy", "Never"),
        ("spark.kubernetes.driver.master", api.as_str()),
        ("spark.executor.instances", "2"),
        ("spark.executor.memory", "512m"),
        ("spark.driver.memory", "512m"),
        ("spark.sql.shuffle.partitions", "4"),
    ]
    .iter()
    .chain(conf)
    {
        command.arg("--conf").arg(format!("{key}={value}"));
    }
    for role in ["driver", "executor"] {
        for (name, path, read_only) in host_paths {
            let p = format!("spark.kubernetes.{role}.volumes.hostPath.{name}");
            command.arg("--conf").arg(format!("{p}.mount.path={path}"));
            command
                .arg("--conf")
                .arg(format!("{p}.options.path={path}"));
            command
                .arg("--conf")
                .arg(format!("{p}.mount.readOnly={read_only}"));
        }
    }
    command.arg(app);
    command
}

/// Runs `command` off the async runtime; returns whether it succeeded and its stderr.
async fn run_submit(mut command: std::process::Command) -> (bool, String) {
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("submit task")
        .expect("ember submit runs");
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    eprintln!(
        "ember submit --deploy-mode cluster took {} ms:\n{stderr}",
        started.elapsed().as_millis()
    );
    (output.status.success(), stderr)
}

/// `ember submit --master <stand-in> ARGS` (`--status`, `--kill`); its stdout.
fn ember_submit(server: &FakeApiServer, home: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new(built_binary("ember").expect("ember binary"))
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .args(["submit", "--master", &format!("k8s://{}", server.url())])
        .args(args)
        .output()
        .expect("ember submit runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// Cluster mode: `ember submit --deploy-mode cluster` puts the application in a config map,
/// creates the driver pod (a container of Ember's image) and its headless service, and waits;
/// the driver creates executor pods, runs TPC-H Q1, Q3 and Q18 into a shared folder and ends.
/// The answers are the ones a local session writes; `--status` and `--kill` act on the driver pod, and deleting
/// it removes the config map and service (owner references).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_mode_submission_runs_the_application_in_a_driver_pod() {
    if !docker_required() {
        return;
    }
    let run = run_id();
    let image = Image::build(&run);
    let ns = format!("k8sc-{run}");
    let data = tpch_data(0.01);
    let out = tempfile::tempdir().expect("output folder");
    std::fs::set_permissions(out.path(), std::fs::Permissions::from_mode(0o777))
        .expect("output folder writable by the image's user");
    let out_path = out.path().display().to_string();
    const QUERIES: [usize; 3] = [1, 3, 18];
    let mut app = ember_tests::tpch_ddl(&data).join(";\n");
    app.push_str(";\n");
    for q in QUERIES {
        app.push_str(&format!(
            "INSERT OVERWRITE DIRECTORY '{out_path}/q{q}' USING csv {};\n",
            ember_tests::tpch_query(q)
        ));
    }
    let app_file = out.path().join("app.sql");
    std::fs::write(&app_file, &app).expect("write app.sql");

    let server = FakeApiServer::start(NodeAgentKind::Docker).await;
    let home = tempfile::tempdir().expect("empty HOME: no kubeconfig");
    let data_s = data.display().to_string();
    let command = cluster_submit(
        &server,
        home.path(),
        &[
            ("spark.kubernetes.namespace", ns.as_str()),
            ("spark.kubernetes.container.image", image.0.as_str()),
        ],
        &[("tpch", &data_s, true), ("out", &out_path, false)],
        &app_file,
    );
    let (succeeded, stderr) = run_submit(command).await;
    assert!(succeeded, "submission failed:\n{stderr}");
    assert!(stderr.contains("phase Succeeded"), "{stderr}");

    // The answer is the one a local session writes.
    let local = Session::builder()
        .master("local[2]")
        .build()
        .await
        .expect("local session");
    register_tpch(&local, &data).await;
    for q in QUERIES {
        let expected_dir = out.path().join(format!("expected-q{q}"));
        local
            .sql(&format!(
                "INSERT OVERWRITE DIRECTORY '{}' USING csv {}",
                expected_dir.display(),
                ember_tests::tpch_query(q)
            ))
            .await
            .expect("plans")
            .collect()
            .await
            .expect("runs");
        let expected = csv_lines(&expected_dir);
        assert!(!expected.is_empty(), "q{q} has rows");
        assert_eq!(
            csv_lines(&out.path().join(format!("q{q}"))),
            expected,
            "q{q}"
        );
    }
    local.stop().await;

    // The driver pod ran Ember's image, owns its config map and service, and outlives its
    // executors (Spark keeps a finished driver pod for its logs).
    let drivers: Vec<Value> = server
        .objects(&ns, "pods")
        .into_iter()
        .filter(|p| p["metadata"]["labels"]["spark-role"] == "driver")
        .collect();
    assert_eq!(drivers.len(), 1, "{drivers:#?}");
    let driver = &drivers[0];
    let driver_name = driver["metadata"]["name"].as_str().unwrap_or_default();
    assert!(driver_name.starts_with("tpch-q1-") && driver_name.ends_with("-driver"));
    assert_eq!(driver["status"]["phase"], "Succeeded");
    wait_for("executor pods deleted by the driver", || {
        executor_pods(&server, &ns).is_empty()
    })
    .await;
    let owned_by_driver = |plural: &str| {
        server
            .objects(&ns, plural)
            .into_iter()
            .filter(|o| o["metadata"]["ownerReferences"][0]["uid"] == driver["metadata"]["uid"])
            .count()
    };
    assert_eq!(owned_by_driver("configmaps"), 1);
    assert_eq!(owned_by_driver("services"), 1);

    let ember = |args: &[&str]| ember_submit(&server, home.path(), args);
    let target = format!("{ns}:{driver_name}");
    let status = ember(&["--status", &target]);
    assert!(status.contains("phase: Succeeded"), "{status}");
    ember(&["--kill", &target]);
    wait_for("driver pod, config map and service deleted", || {
        server.objects(&ns, "pods").is_empty()
            && owned_by_driver("configmaps") == 0
            && owned_by_driver("services") == 0
    })
    .await;
    server.stop().await;
}

/// Cluster mode with `spark.kubernetes.driver.backoffLimit`: the driver runs as a Job, and a
/// driver that fails is replaced by Kubernetes. The application fails on its first run (it
/// divides by the number of earlier runs it finds in a table on a shared volume) and succeeds
/// on the second; the submitter reports both attempts and succeeds. `--status` and `--kill`
/// name the Job, and killing it removes its driver pods, config map and service.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_mode_driver_job_restarts_a_failed_driver() {
    if !docker_required() {
        return;
    }
    let run = run_id();
    let image = Image::build(&run);
    let ns = format!("k8sj-{run}");
    let out = tempfile::tempdir().expect("output folder");
    std::fs::set_permissions(out.path(), std::fs::Permissions::from_mode(0o777))
        .expect("output folder writable by the image's user");
    let out_path = out.path().display().to_string();
    let app = format!(
        "CREATE TABLE IF NOT EXISTS runs (n INT) USING parquet LOCATION '{out_path}/runs';\n\
         INSERT INTO runs VALUES (1);\n\
         INSERT OVERWRITE DIRECTORY '{out_path}/result' USING csv \
         SELECT count(*) AS runs, 10 / (count(*) - 1) AS ratio FROM runs;\n"
    );
    let app_file = out.path().join("app.sql");
    std::fs::write(&app_file, &app).expect("write app.sql");

    let server = FakeApiServer::start(NodeAgentKind::Docker).await;
    let home = tempfile::tempdir().expect("empty HOME: no kubeconfig");
    let command = cluster_submit(
        &server,
        home.path(),
        &[
            ("spark.kubernetes.namespace", ns.as_str()),
            ("spark.kubernetes.container.image", image.0.as_str()),
            ("spark.kubernetes.driver.backoffLimit", "1"),
            ("spark.executor.instances", "1"),
        ],
        &[("out", &out_path, false)],
        &app_file,
    );
    let (succeeded, stderr) = run_submit(command).await;
    assert!(succeeded, "the second driver succeeds:\n{stderr}");
    assert!(stderr.contains("driver job"), "{stderr}");
    assert!(stderr.contains("attempt 2"), "{stderr}");
    assert!(stderr.contains("1 failed"), "{stderr}");
    // Spark's `/` divides as doubles.
    assert_eq!(csv_lines(&out.path().join("result")), ["2,10.0"]);

    let jobs = server.objects(&ns, "jobs");
    assert_eq!(jobs.len(), 1, "{jobs:#?}");
    let job = &jobs[0];
    let job_name = job["metadata"]["name"].as_str().unwrap_or_default();
    assert_eq!(job["status"]["failed"], 1);
    assert_eq!(job["status"]["succeeded"], 1);
    let drivers: Vec<Value> = server
        .objects(&ns, "pods")
        .into_iter()
        .filter(|p| p["metadata"]["labels"]["spark-role"] == "driver")
        .collect();
    let mut phases: Vec<&str> = drivers
        .iter()
        .map(|p| p["status"]["phase"].as_str().unwrap_or_default())
        .collect();
    phases.sort();
    assert_eq!(phases, ["Failed", "Succeeded"], "{drivers:#?}");
    // Each driver owned the executors it created; none is left.
    wait_for("executor pods deleted by the drivers", || {
        executor_pods(&server, &ns).is_empty()
    })
    .await;
    let owned_by_job = |plural: &str| {
        server
            .objects(&ns, plural)
            .into_iter()
            .filter(|o| o["metadata"]["ownerReferences"][0]["uid"] == job["metadata"]["uid"])
            .count()
    };
    assert_eq!(owned_by_job("configmaps"), 1);
    assert_eq!(owned_by_job("services"), 1);

    let target = format!("{ns}:{job_name}");
    let status = ember_submit(&server, home.path(), &["--status", &target]);
    assert!(status.contains("driver job"), "{status}");
    assert!(status.contains("phase: Succeeded"), "{status}");
    assert!(status.contains("attempts: 2"), "{status}");
    ember_submit(&server, home.path(), &["--kill", &target]);
    wait_for(
        "driver job, its pods, config map and service deleted",
        || {
            server.objects(&ns, "jobs").is_empty()
                && server.objects(&ns, "pods").is_empty()
                && owned_by_job("configmaps") == 0
                && owned_by_job("services") == 0
        },
    )
    .await;
    server.stop().await;
}
