//! `--master k8s://...` end to end against the Kubernetes stand-in (`ember_tests::k8s`): the
//! driver creates executor pods through its real kube-rs client, the stand-in's node agent runs
//! each pod's container (`ember executor ...`) as a local process, and the scenarios mirror
//! Spark's Kubernetes integration suite: TPC-H with executor pods, labels, env and owner
//! references on the pods, a pod deleted in the middle of a job, a bad image, clean-up.

use std::collections::HashMap;
use std::time::Duration;

use ember::Session;
use ember::scheduler::SchedulerEvent;
use ember_tests::events::watch_first_executor;
use ember_tests::k8s::{FakeApiServer, NodeAgentKind};
use ember_tests::{built_binary, check_tpch, register_tpch, shared_tpch};
use serde_json::{Value, json};

const NAMESPACE: &str = "spark";
const IMAGE: &str = "ember:test";

async fn server() -> FakeApiServer {
    let ember = built_binary("ember").expect("the ember binary is built");
    FakeApiServer::start(NodeAgentKind::Process {
        images: HashMap::from([(IMAGE.to_string(), ember)]),
    })
    .await
}

/// A driver pod to own the executors (the test's driver itself runs here, in client mode).
fn driver_pod(server: &FakeApiServer) -> Value {
    server.insert(
        NAMESPACE,
        "pods",
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "tpch-driver", "namespace": NAMESPACE},
            "spec": {"containers": [{"name": "driver", "image": "not-run-by-this-test"}]}
        }),
    )
}

fn executor_pods(server: &FakeApiServer) -> Vec<Value> {
    server
        .objects(NAMESPACE, "pods")
        .into_iter()
        .filter(|p| p["metadata"]["labels"]["spark-role"] == "executor")
        .collect()
}

fn session_builder(server: &FakeApiServer, image: &str) -> ember::SessionBuilder {
    Session::builder()
        .master(&format!("k8s://{}", server.url()))
        .app_name("TPC-H on k8s")
        .config("spark.kubernetes.namespace", NAMESPACE)
        .config("spark.kubernetes.container.image", image)
        .config("spark.executor.instances", "2")
        .config("spark.executor.memory", "512m")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.kubernetes.allocation.batch.delay", "200ms")
        .config("spark.kubernetes.driver.pod.name", "tpch-driver")
}

async fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Stops the session and waits until its executor pods and its Secret are gone.
async fn stop_and_check_cleanup(session: Session, server: FakeApiServer) {
    session.stop().await;
    wait_for("executor pods and the secret deleted", || {
        executor_pods(&server).is_empty() && server.objects(NAMESPACE, "secrets").is_empty()
    })
    .await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executor_pods_run_tpch_with_spark_labels_and_are_deleted_at_the_end() {
    let server = server().await;
    let driver = driver_pod(&server);
    let started = std::time::Instant::now();
    let session = session_builder(&server, IMAGE)
        .config("spark.kubernetes.executor.label.team", "analytics")
        .config(
            "spark.kubernetes.executor.annotation.example.com/owner",
            "data-team",
        )
        .config("spark.executorEnv.TZ", "UTC")
        .build()
        .await
        .expect("executor pods start and register");
    eprintln!(
        "2 executor pods created and registered in {:?}",
        started.elapsed()
    );

    let pods = server.running_executor_pods(NAMESPACE).await;
    assert_eq!(pods.len(), 2, "{pods:#?}");
    for pod in &pods {
        let meta = &pod["metadata"];
        let name = meta["name"].as_str().unwrap_or_default();
        assert!(
            name.starts_with("tpc-h-on-k8s-") && name.contains("-exec-"),
            "{name}"
        );
        assert_eq!(meta["labels"]["team"], "analytics");
        assert_eq!(meta["labels"]["spark-role"], "executor");
        assert_eq!(meta["annotations"]["example.com/owner"], "data-team");
        assert_eq!(meta["ownerReferences"][0]["uid"], driver["metadata"]["uid"]);
        assert_eq!(pod["status"]["phase"], "Running");
        let env = pod["spec"]["containers"][0]["env"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(env.iter().any(|e| e["name"] == "TZ" && e["value"] == "UTC"));
    }

    // RPCs are authenticated (on by default on Kubernetes): the application's secret is a
    // Kubernetes Secret owned by the driver pod, mounted into the executor pods as a file; its
    // value is in no pod spec.
    let secrets = server.objects(NAMESPACE, "secrets");
    assert_eq!(secrets.len(), 1, "{secrets:#?}");
    let auth = &secrets[0];
    assert_eq!(
        auth["metadata"]["ownerReferences"][0]["uid"],
        driver["metadata"]["uid"]
    );
    assert_eq!(
        auth["metadata"]["labels"]["spark-app-selector"],
        session.application_id()
    );
    let encoded = auth["data"]["secret"].as_str().unwrap_or_default();
    assert!(!encoded.is_empty(), "{auth:#}");
    let secret_name = auth["metadata"]["name"].as_str().unwrap_or_default();
    for pod in &pods {
        let text = pod.to_string();
        assert!(
            !text.contains(encoded),
            "the secret's value is not in the pod"
        );
        let volumes = pod["spec"]["volumes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            volumes
                .iter()
                .any(|v| v["secret"]["secretName"] == secret_name),
            "{pod:#}"
        );
    }

    // At this scale the answers are compared with JVM Spark's (tests/tpch/spark/sf0.01).
    let dir = shared_tpch(0.01);
    register_tpch(&session, &dir).await;
    let failures = check_tpch(&session, 0.01, [1, 3, 18]).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    stop_and_check_cleanup(session, server).await;
}

/// Mutual TLS on Kubernetes: the driver copies the TLS files into the application's Secret,
/// executor pods read them from its mount (checking the server name configured, not the pod
/// IP), and TPC-H runs with every connection on TLS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executor_pods_get_the_tls_files_from_the_applications_secret() {
    let server = server().await;
    driver_pod(&server);
    let pki = ember_tests::pki::TestPki::generate().expect("test certificates");
    let mut builder =
        session_builder(&server, IMAGE).config("spark.ember.ssl.rpc.serverName", "localhost");
    for (key, value) in pki.ours.conf(true) {
        builder = builder.config(&key, &value);
    }
    let session = builder.build().await.expect("executor pods start with TLS");

    let secrets = server.objects(NAMESPACE, "secrets");
    assert_eq!(secrets.len(), 1, "{secrets:#?}");
    let data = &secrets[0]["data"];
    for key in ["secret", "tls.crt", "tls.key", "ca.crt"] {
        assert!(data[key].as_str().is_some_and(|v| !v.is_empty()), "{key}");
    }
    let key_pem = std::fs::read_to_string(&pki.ours.private_key).expect("key file");
    let key_body = key_pem.lines().nth(1).expect("a PEM body line");
    for pod in executor_pods(&server) {
        let args = pod["spec"]["containers"][0]["args"].to_string();
        for expected in [
            "/etc/ember/auth/tls.crt",
            "/etc/ember/auth/tls.key",
            "/etc/ember/auth/ca.crt",
            "--tls-need-client-auth",
            "localhost",
        ] {
            assert!(args.contains(expected), "{expected} in {args}");
        }
        assert!(
            !pod.to_string().contains(key_body),
            "the private key is not in the pod"
        );
    }

    let dir = shared_tpch(0.01);
    register_tpch(&session, &dir).await;
    let failures = check_tpch(&session, 0.01, [3]).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    stop_and_check_cleanup(session, server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_executor_pod_is_replaced_and_the_job_still_succeeds() {
    let server = server().await;
    driver_pod(&server);
    let session = session_builder(&server, IMAGE)
        .build()
        .await
        .expect("executor pods start");
    let dir = shared_tpch(0.1);
    register_tpch(&session, &dir).await;

    // Delete the pod of the first executor that finishes a task, in the middle of the job, and
    // see the driver lose that executor before the job ends.
    let watch = watch_first_executor(session.subscribe());
    let (failures, deleted) = tokio::join!(check_tpch(&session, 0.1, [18]), async {
        let id = watch.victim.await.expect("a task ended");
        let pod = executor_pods(&server)
            .into_iter()
            .find(|p| p["metadata"]["labels"]["spark-exec-id"] == id.as_str())
            .expect("the executor's pod");
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        server.delete(NAMESPACE, "pods", &name);
        name
    });
    let reason = watch
        .lost
        .await
        .expect("event watcher")
        .expect("the executor of the deleted pod was lost during the job");
    eprintln!("executor of {deleted} lost: {reason}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A replacement pod (a new executor id) runs.
    wait_for("a replacement executor pod", || {
        let pods = executor_pods(&server);
        pods.len() == 2
            && pods
                .iter()
                .all(|p| p["metadata"]["name"] != deleted.as_str())
            && pods.iter().all(|p| p["status"]["phase"] == "Running")
    })
    .await;
    session.stop().await;
    wait_for("executor pods deleted", || {
        executor_pods(&server).is_empty()
    })
    .await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_image_ends_the_application_with_a_clear_error_and_no_pods() {
    let server = server().await;
    driver_pod(&server);
    let err = match session_builder(&server, "ember:no-such-tag").build().await {
        Ok(_) => panic!("the application must not start without its image"),
        Err(e) => e.to_string(),
    };
    eprintln!("{err}");
    assert!(
        err.contains("ErrImagePull") || err.contains("ImagePullBackOff"),
        "{err}"
    );
    assert!(err.contains("spark.executor.maxNumFailures"), "{err}");
    wait_for("no executor pods left", || {
        executor_pods(&server).is_empty()
    })
    .await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_allocation_adds_pods_under_backlog_and_deletes_idle_ones() {
    let server = server().await;
    driver_pod(&server);
    let session = session_builder(&server, IMAGE)
        .config("spark.dynamicAllocation.enabled", "true")
        .config("spark.dynamicAllocation.minExecutors", "1")
        .config("spark.dynamicAllocation.maxExecutors", "3")
        .config("spark.dynamicAllocation.schedulerBacklogTimeout", "100ms")
        .config("spark.dynamicAllocation.executorIdleTimeout", "1s")
        .config("spark.executor.instances", "1")
        .config("spark.executor.heartbeatInterval", "100ms")
        .config("spark.sql.shuffle.partitions", "6")
        .build()
        .await
        .expect("executor pods start");
    // The larger of minExecutors and spark.executor.instances is the initial size.
    assert_eq!(executor_pods(&server).len(), 1);
    let mut events = session.subscribe();
    let dir = shared_tpch(0.1);
    register_tpch(&session, &dir).await;
    let failures = check_tpch(&session, 0.1, [18]).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let mut most = 0;
    let mut targets = Vec::new();
    while let Ok(Ok(event)) = tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
        if let SchedulerEvent::AllocationTarget { executors, .. } = event {
            targets.push(executors);
            most = most.max(executors);
            if executors == 1 {
                break;
            }
        }
    }
    eprintln!("allocation targets: {targets:?}");
    assert_eq!(most, 3, "the backlog asked for maxExecutors: {targets:?}");
    assert_eq!(targets.last(), Some(&1), "idle executors went: {targets:?}");
    wait_for("one executor pod left", || {
        executor_pods(&server).len() == 1
    })
    .await;
    session.stop().await;
    wait_for("executor pods deleted", || {
        executor_pods(&server).is_empty()
    })
    .await;
    server.stop().await;
}
