//! The gated tier: the same cluster-mode path as `k8s_containers.rs`, against a real cluster.
//! It runs only with `EMBER_K8S_E2E=1`, a `KUBECONFIG` whose current context may create pods,
//! services and config maps in `EMBER_K8S_NAMESPACE` (default `default`), and
//! `EMBER_K8S_IMAGE`, an Ember image the cluster can run (for kind:
//! `images/build-from-binaries.sh ember:e2e && kind load docker-image ember:e2e`). The machines
//! this project is built on have no cluster, so it is skipped there; see docs/kubernetes.md.

use std::process::Command;

use ember_tests::built_binary;

/// The API server of the kubeconfig's current context.
fn api_server() -> String {
    let kubeconfig = kube::config::Kubeconfig::read().expect("KUBECONFIG is readable");
    let context = kubeconfig
        .current_context
        .clone()
        .expect("a current context");
    let cluster = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone())
        .expect("the current context exists");
    kubeconfig
        .clusters
        .iter()
        .find(|c| c.name == cluster)
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .expect("the cluster has a server")
}

fn ember(args: &[&str]) -> std::process::Output {
    Command::new(built_binary("ember").expect("ember binary"))
        .args(args)
        .output()
        .expect("ember runs")
}

#[test]
fn cluster_mode_on_a_real_cluster() {
    if std::env::var_os("EMBER_K8S_E2E").is_none() {
        eprintln!("skipped: set EMBER_K8S_E2E=1 (with KUBECONFIG and EMBER_K8S_IMAGE) to run");
        return;
    }
    let image = std::env::var("EMBER_K8S_IMAGE").expect("EMBER_K8S_IMAGE names an image");
    let namespace = std::env::var("EMBER_K8S_NAMESPACE").unwrap_or_else(|_| "default".into());
    let master = format!("k8s://{}", api_server());
    let dir = tempfile::tempdir().expect("temp dir");
    let app = dir.path().join("app.sql");
    std::fs::write(
        &app,
        "SELECT 1;\nSELECT count(*) FROM (VALUES (1), (2), (3)) AS t(x);\n",
    )
    .expect("app");
    let app = app.display().to_string();
    let conf = |k: &str, v: &str| format!("{k}={v}");
    let output = ember(&[
        "submit",
        "--deploy-mode",
        "cluster",
        "--master",
        &master,
        "--name",
        "ember e2e",
        "--conf",
        &conf("spark.kubernetes.namespace", &namespace),
        "--conf",
        &conf("spark.kubernetes.container.image", &image),
        "--conf",
        &conf("spark.executor.instances", "2"),
        "--conf",
        &conf("spark.executor.memory", "512m"),
        "--conf",
        &conf("spark.driver.memory", "512m"),
        &app,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    eprintln!("{stderr}");
    assert!(output.status.success(), "{stderr}");
    let driver = stderr
        .lines()
        .find_map(|l| l.split("driver pod ").nth(1))
        .map(|s| s.trim().to_string())
        .expect("the submitter names the driver pod");
    let status = ember(&["submit", "--master", &master, "--status", &driver]);
    let status = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(status.contains("phase: Succeeded"), "{status}");
    let killed = ember(&["submit", "--master", &master, "--kill", &driver]);
    assert!(killed.status.success(), "{killed:?}");
}
