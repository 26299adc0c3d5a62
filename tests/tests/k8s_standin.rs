//! The Kubernetes API server stand-in (`ember_tests::k8s`) against the real kube-rs client: if
//! kube-rs can create, read, list, patch, watch and delete through it, and parses its errors,
//! the launcher's tests exercise the same requests a real cluster would receive.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use ember_tests::k8s::{FakeApiServer, NodeAgentKind};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::watcher;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

async fn client(server: &FakeApiServer) -> kube::Client {
    let kubeconfig =
        kube::config::Kubeconfig::read_from(server.kubeconfig()).expect("read the kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("kube config");
    assert_eq!(config.default_namespace, "default");
    kube::Client::try_from(config).expect("kube client")
}

fn pod(name: &str, labels: Value, image: &str, args: &[&str]) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "main", "image": image, "args": args}],
        },
    }))
    .expect("pod")
}

fn api_error(result: Result<impl std::fmt::Debug, kube::Error>) -> (u16, String) {
    match result {
        Err(kube::Error::Api(status)) => (status.code, status.reason.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn kube_client_creates_reads_lists_patches_and_deletes() {
    let server = FakeApiServer::start(NodeAgentKind::None).await;
    let pods: Api<Pod> = Api::default_namespaced(client(&server).await);

    let created = pods
        .create(
            &PostParams::default(),
            &pod(
                "exec-1",
                json!({"app": "x", "role": "executor"}),
                "img",
                &[],
            ),
        )
        .await
        .expect("create");
    let meta = &created.metadata;
    assert_eq!(meta.namespace.as_deref(), Some("default"));
    assert!(meta.uid.as_deref().is_some_and(|u| u.len() == 36));
    assert!(meta.creation_timestamp.is_some());
    let rv: u64 = meta
        .resource_version
        .as_deref()
        .and_then(|v| v.parse().ok())
        .expect("numeric resourceVersion");
    assert_eq!(
        created.status.and_then(|s| s.phase).as_deref(),
        Some("Pending")
    );

    pods.create(
        &PostParams::default(),
        &pod("exec-2", json!({"app": "x", "role": "driver"}), "img", &[]),
    )
    .await
    .expect("create");
    pods.create(
        &PostParams::default(),
        &pod("other", json!({"app": "y"}), "img", &[]),
    )
    .await
    .expect("create");

    let got = pods.get("exec-1").await.expect("get");
    assert_eq!(got.metadata.uid, meta.uid);

    let names = |list: kube::core::ObjectList<Pod>| -> Vec<String> {
        list.items
            .into_iter()
            .filter_map(|p| p.metadata.name)
            .collect()
    };
    let list = |selector: &'static str| {
        let pods = pods.clone();
        async move {
            pods.list(&ListParams::default().labels(selector))
                .await
                .expect("list")
        }
    };
    assert_eq!(names(list("app=x").await), ["exec-1", "exec-2"]);
    assert_eq!(names(list("app=x,role!=driver").await), ["exec-1"]);
    assert_eq!(
        names(list("role in (driver,executor)").await),
        ["exec-1", "exec-2"]
    );
    assert_eq!(names(list("!role").await), ["other"]);
    let by_field = pods
        .list(&ListParams::default().fields("metadata.name=other"))
        .await
        .expect("list by field");
    assert_eq!(names(by_field), ["other"]);
    let page = pods
        .list(&ListParams::default().limit(2))
        .await
        .expect("first page");
    let token = page.metadata.continue_.clone().expect("continue token");
    assert_eq!(names(page), ["exec-1", "exec-2"]);
    let rest = pods
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .expect("second page");
    assert_eq!(names(rest), ["other"]);

    let patched = pods
        .patch(
            "exec-1",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"role": null, "lost": "true"}}})),
        )
        .await
        .expect("merge patch");
    let labels = patched.metadata.labels.expect("labels");
    assert_eq!(labels.get("lost").map(String::as_str), Some("true"));
    assert!(!labels.contains_key("role"));
    let patched_rv: u64 = patched
        .metadata
        .resource_version
        .as_deref()
        .and_then(|v| v.parse().ok())
        .expect("resourceVersion");
    assert!(patched_rv > rv);
    assert_eq!(names(list("lost=true").await), ["exec-1"]);

    let status = pods
        .patch_status(
            "exec-2",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"phase": "Running"}})),
        )
        .await
        .expect("status patch");
    assert_eq!(
        status.status.and_then(|s| s.phase).as_deref(),
        Some("Running")
    );

    let deleted = pods
        .delete("exec-1", &DeleteParams::default())
        .await
        .expect("delete");
    let deleted = deleted.left().expect("the deleted pod");
    assert_eq!(deleted.metadata.name.as_deref(), Some("exec-1"));
    assert_eq!(
        api_error(pods.get("exec-1").await),
        (404, "NotFound".into())
    );
    assert_eq!(
        names(list("app=x").await),
        ["exec-2"],
        "only the undeleted pod is left"
    );

    let collection = pods
        .delete_collection(
            &DeleteParams::default(),
            &ListParams::default().labels("app"),
        )
        .await
        .expect("delete collection");
    let removed: Vec<String> = collection
        .left()
        .expect("the deleted pods")
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    assert_eq!(removed, ["exec-2", "other"]);
    assert!(server.objects("default", "pods").is_empty());
    server.stop().await;
}

#[tokio::test]
async fn kube_client_gets_kubernetes_errors() {
    let server = FakeApiServer::start(NodeAgentKind::None).await;
    let pods: Api<Pod> = Api::default_namespaced(client(&server).await);
    let post = PostParams::default();

    let invalid = pod("Not_A_Name", json!({}), "img", &[]);
    assert_eq!(
        api_error(pods.create(&post, &invalid).await),
        (422, "Invalid".into())
    );
    let bad_label = pod("ok", json!({"app": "-leading-dash"}), "img", &[]);
    assert_eq!(
        api_error(pods.create(&post, &bad_label).await),
        (422, "Invalid".into())
    );
    let long_label = pod("ok", json!({"app": "v".repeat(64)}), "img", &[]);
    assert_eq!(
        api_error(pods.create(&post, &long_label).await),
        (422, "Invalid".into())
    );
    let no_containers: Pod =
        serde_json::from_value(json!({"metadata": {"name": "empty"}, "spec": {"containers": []}}))
            .expect("pod");
    assert_eq!(
        api_error(pods.create(&post, &no_containers).await),
        (422, "Invalid".into())
    );

    let good = pod("twice", json!({}), "img", &[]);
    let first = pods.create(&post, &good).await.expect("first create");
    let stale_rv = first.metadata.resource_version.expect("resourceVersion");
    assert_eq!(
        api_error(pods.create(&post, &good).await),
        (409, "AlreadyExists".into())
    );
    assert_eq!(
        api_error(pods.get("missing").await),
        (404, "NotFound".into())
    );
    assert_eq!(
        api_error(pods.delete("missing", &DeleteParams::default()).await),
        (404, "NotFound".into())
    );
    assert_eq!(
        api_error(pods.list(&ListParams::default().labels("app in x")).await),
        (400, "BadRequest".into())
    );
    // A stale resourceVersion is a conflict, as for a real optimistic-concurrency update.
    pods.patch(
        "twice",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"a": "b"}}})),
    )
    .await
    .expect("patch");
    assert_eq!(
        api_error(
            pods.patch(
                "twice",
                &PatchParams::default(),
                &Patch::Merge(
                    json!({"metadata": {"resourceVersion": stale_rv, "labels": {"a": "c"}}})
                ),
            )
            .await
        ),
        (409, "Conflict".into())
    );

    let generated: Pod = serde_json::from_value(json!({
        "metadata": {"generateName": "spark-exec-"},
        "spec": {"containers": [{"name": "main", "image": "img"}]},
    }))
    .expect("pod");
    let created = pods.create(&post, &generated).await.expect("generateName");
    let name = created.metadata.name.expect("generated name");
    assert!(
        name.starts_with("spark-exec-") && name.len() == "spark-exec-".len() + 5,
        "{name}"
    );
    server.stop().await;
}

#[tokio::test]
async fn kube_runtime_watcher_sees_applies_and_deletes() {
    let server = FakeApiServer::start(NodeAgentKind::None).await;
    let pods: Api<Pod> = Api::default_namespaced(client(&server).await);
    let post = PostParams::default();
    pods.create(&post, &pod("before", json!({"app": "x"}), "img", &[]))
        .await
        .expect("create");

    let stream = watcher(pods.clone(), watcher::Config::default().labels("app=x"));
    let mut stream = Box::pin(stream);
    let mut next = async || {
        tokio::time::timeout(WAIT, stream.try_next())
            .await
            .expect("a watch event in time")
            .expect("watch ok")
            .expect("the watch goes on")
    };
    let describe = |event: &watcher::Event<Pod>| -> String {
        let name = |p: &Pod| p.metadata.name.clone().unwrap_or_default();
        match event {
            watcher::Event::Init => "Init".into(),
            watcher::Event::InitApply(p) => format!("InitApply {}", name(p)),
            watcher::Event::InitDone => "InitDone".into(),
            watcher::Event::Apply(p) => format!("Apply {}", name(p)),
            watcher::Event::Delete(p) => format!("Delete {}", name(p)),
        }
    };
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(describe(&next().await));
    }
    assert_eq!(seen, ["Init", "InitApply before", "InitDone"]);

    // Changes after the initial list reach the watch, filtered by the selector.
    pods.create(&post, &pod("other", json!({"app": "y"}), "img", &[]))
        .await
        .expect("create");
    pods.create(&post, &pod("after", json!({"app": "x"}), "img", &[]))
        .await
        .expect("create");
    pods.patch(
        "after",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"annotations": {"seen": "yes"}}})),
    )
    .await
    .expect("patch");
    pods.delete("before", &DeleteParams::default())
        .await
        .expect("delete");
    // Relabelled out of the selection: the watcher is told it is gone.
    pods.patch(
        "after",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"app": "z"}}})),
    )
    .await
    .expect("relabel");
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(describe(&next().await));
    }
    assert_eq!(
        seen,
        [
            "Apply after",
            "Apply after",
            "Delete before",
            "Delete after"
        ]
    );

    let requests = server.requests();
    eprintln!("requests kube-rs made:\n{}", requests.join("\n"));
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("GET /api/v1/namespaces/default/pods?")
                && r.contains("watch=true")
                && r.contains("labelSelector=app%3Dx")),
        "{requests:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn streaming_list_watcher_gets_initial_events_and_a_bookmark() {
    let server = FakeApiServer::start(NodeAgentKind::None).await;
    let pods: Api<Pod> = Api::default_namespaced(client(&server).await);
    pods.create(&PostParams::default(), &pod("p", json!({}), "img", &[]))
        .await
        .expect("create");
    let config = watcher::Config::default().streaming_lists();
    let events: Vec<String> = watcher(pods, config)
        .take(3)
        .map(|e| match e.expect("watch ok") {
            watcher::Event::Init => "Init".to_string(),
            watcher::Event::InitApply(p) => {
                format!("InitApply {}", p.metadata.name.unwrap_or_default())
            }
            watcher::Event::InitDone => "InitDone".to_string(),
            other => format!("{other:?}"),
        })
        .collect()
        .await;
    assert_eq!(events, ["Init", "InitApply p", "InitDone"]);
    server.stop().await;
}

#[tokio::test]
async fn deleting_an_owner_garbage_collects_its_dependents() {
    let server = FakeApiServer::start(NodeAgentKind::None).await;
    let client = client(&server).await;
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let secrets: Api<Secret> = Api::default_namespaced(client);
    let driver = server.insert(
        "default",
        "pods",
        json!({
            "metadata": {"name": "driver"},
            "spec": {"containers": [{"name": "driver", "image": "img"}]},
        }),
    );
    let owner = json!([{
        "apiVersion": "v1", "kind": "Pod", "name": "driver",
        "uid": driver["metadata"]["uid"], "controller": true,
    }]);
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": "auth", "ownerReferences": owner},
        "stringData": {"token": "s3cret"},
    }))
    .expect("secret");
    let stored = secrets
        .create(&PostParams::default(), &secret)
        .await
        .expect("create secret");
    let data = stored.data.expect("stringData folded into data");
    assert_eq!(
        data.get("token").map(|b| b.0.as_slice()),
        Some(&b"s3cret"[..])
    );
    let kept: Secret =
        serde_json::from_value(json!({"metadata": {"name": "kept"}})).expect("secret");
    secrets
        .create(&PostParams::default(), &kept)
        .await
        .expect("create secret");

    pods.delete("driver", &DeleteParams::background())
        .await
        .expect("delete the owner");
    assert_eq!(
        api_error(secrets.get("auth").await),
        (404, "NotFound".into())
    );
    let left: Vec<Value> = server.objects("default", "secrets");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["metadata"]["name"], "kept");
    server.stop().await;
}

fn process_agent() -> NodeAgentKind {
    let images: HashMap<String, PathBuf> = [
        ("busybox-sleep", "/bin/sleep"),
        ("failing", "/bin/false"),
        ("shell", "/bin/sh"),
    ]
    .into_iter()
    .map(|(image, binary)| (image.to_string(), PathBuf::from(binary)))
    .collect();
    NodeAgentKind::Process { images }
}

type PodWatch = std::pin::Pin<
    Box<dyn futures::Stream<Item = Result<watcher::Event<Pod>, watcher::Error>> + Send>,
>;

/// A watch on pod `name` that has done its initial list, so that it sees every later change.
async fn watch_pod(api: &Api<Pod>, name: &str) -> PodWatch {
    let config = watcher::Config::default().fields(&format!("metadata.name={name}"));
    let mut stream: PodWatch = Box::pin(watcher(api.clone(), config));
    tokio::time::timeout(WAIT, async {
        while let Some(event) = stream.try_next().await.expect("watch ok") {
            if matches!(event, watcher::Event::InitDone) {
                return;
            }
        }
    })
    .await
    .expect("the initial list");
    stream
}

/// Every state the watched pod is seen in, until `done` holds.
async fn pod_states(stream: &mut PodWatch, done: impl Fn(&Pod) -> bool) -> Vec<Pod> {
    let mut seen = Vec::new();
    let finished = tokio::time::timeout(WAIT, async {
        while let Some(event) = stream.try_next().await.expect("watch ok") {
            if let watcher::Event::Apply(p) | watcher::Event::InitApply(p) = event {
                let finished = done(&p);
                seen.push(p);
                if finished {
                    return;
                }
            }
        }
    })
    .await;
    assert!(
        finished.is_ok(),
        "the pod did not reach the awaited state; saw {seen:?}"
    );
    seen
}

fn phase(p: &Pod) -> String {
    p.status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_default()
}

fn container_state(p: &Pod) -> k8s_openapi::api::core::v1::ContainerState {
    p.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|c| c.first())
        .and_then(|c| c.state.clone())
        .unwrap_or_default()
}

fn waiting_reason(p: &Pod) -> Option<String> {
    container_state(p).waiting.and_then(|w| w.reason)
}

#[tokio::test]
async fn process_pods_run_and_finish() {
    let server = FakeApiServer::start(process_agent()).await;
    let pods: Api<Pod> = Api::default_namespaced(client(&server).await);
    let post = PostParams::default();

    let mut watch = watch_pod(&pods, "sleeper").await;
    pods.create(&post, &pod("sleeper", json!({}), "busybox-sleep", &["0.2"]))
        .await
        .expect("create");
    let states = pod_states(&mut watch, |p| phase(p) == "Succeeded").await;
    let phases: Vec<String> = states.iter().map(phase).collect();
    assert!(phases.contains(&"Running".to_string()), "{phases:?}");
    let running = states
        .iter()
        .find(|p| phase(p) == "Running")
        .expect("running");
    let status = running.status.as_ref().expect("status");
    assert_eq!(status.pod_ip.as_deref(), Some("127.0.0.1"));
    assert!(
        container_state(running)
            .running
            .is_some_and(|r| r.started_at.is_some())
    );
    let terminated = states
        .last()
        .map(container_state)
        .and_then(|s| s.terminated)
        .expect("terminated state");
    assert_eq!(
        (terminated.exit_code, terminated.reason.as_deref()),
        (0, Some("Completed"))
    );

    let mut watch = watch_pod(&pods, "failer").await;
    pods.create(&post, &pod("failer", json!({}), "failing", &[]))
        .await
        .expect("create");
    let states = pod_states(&mut watch, |p| phase(p) == "Failed").await;
    let terminated = states
        .last()
        .map(container_state)
        .and_then(|s| s.terminated)
        .expect("terminated state");
    assert_eq!(
        (terminated.exit_code, terminated.reason.as_deref()),
        (1, Some("Error"))
    );

    let mut watch = watch_pod(&pods, "nowhere").await;
    pods.create(&post, &pod("nowhere", json!({}), "no-such-image", &[]))
        .await
        .expect("create");
    let states = pod_states(&mut watch, |p| {
        waiting_reason(p).as_deref() == Some("ImagePullBackOff")
    })
    .await;
    let reasons: Vec<String> = states.iter().filter_map(waiting_reason).collect();
    assert_eq!(reasons, ["ErrImagePull", "ImagePullBackOff"]);
    assert!(states.iter().all(|p| phase(p) == "Pending"));
    server.stop().await;
}

#[tokio::test]
async fn process_pods_get_secrets_volumes_and_expanded_args() {
    let server = FakeApiServer::start(process_agent()).await;
    let client = client(&server).await;
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let secrets: Api<Secret> = Api::default_namespaced(client);
    // The shell checks what it was given and exits 0 only if everything is right.
    let script = r#"test "$TOKEN" = "s3cret" && test "$(cat /etc/auth/token)" = "s3cret" \
        && test "$POD" = "configured" && test "$ME" = 'configured-$$(POD)' \
        && echo ok > /scratch/out && test -f /scratch/out"#;
    let spec: Pod = serde_json::from_value(json!({
        "metadata": {"name": "configured"},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{
                "name": "main", "image": "shell",
                "command": ["/bin/sh", "-c"],
                "args": [script],
                "env": [
                    {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    {"name": "ME", "value": "$(POD)-$$(POD)"},
                    {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "auth", "key": "token"}}},
                ],
                "volumeMounts": [
                    {"name": "auth", "mountPath": "/etc/auth"},
                    {"name": "scratch", "mountPath": "/scratch"},
                ],
            }],
            "volumes": [
                {"name": "auth", "secret": {"secretName": "auth"}},
                {"name": "scratch", "emptyDir": {}},
            ],
        },
    }))
    .expect("pod");
    let mut watch = watch_pod(&pods, "configured").await;
    pods.create(&PostParams::default(), &spec)
        .await
        .expect("create");
    // Without its secret the pod cannot start: first the volume, ...
    let states = pod_states(&mut watch, |p| waiting_reason(p).is_some()).await;
    assert_eq!(
        states.last().and_then(waiting_reason).as_deref(),
        Some("ContainerCreating")
    );
    assert_eq!(states.last().map(phase).as_deref(), Some("Pending"));
    // ... and it starts once the secret exists.
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": "auth"}, "stringData": {"token": "s3cret"},
    }))
    .expect("secret");
    secrets
        .create(&PostParams::default(), &secret)
        .await
        .expect("create secret");
    let states = pod_states(&mut watch, |p| {
        matches!(phase(p).as_str(), "Succeeded" | "Failed")
    })
    .await;
    let last = states.last().expect("a state");
    assert_eq!(phase(last), "Succeeded", "{:?}", container_state(last));
    server.stop().await;
}

#[tokio::test]
async fn missing_env_secret_is_a_create_container_config_error() {
    let server = FakeApiServer::start(process_agent()).await;
    let pods: Api<Pod> = Api::default_namespaced(client(&server).await);
    let spec: Pod = serde_json::from_value(json!({
        "metadata": {"name": "unconfigured"},
        "spec": {"containers": [{
            "name": "main", "image": "busybox-sleep", "args": ["0"],
            "env": [{"name": "T", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "k"}}}],
        }]},
    }))
    .expect("pod");
    let mut watch = watch_pod(&pods, "unconfigured").await;
    pods.create(&PostParams::default(), &spec)
        .await
        .expect("create");
    let states = pod_states(&mut watch, |p| waiting_reason(p).is_some()).await;
    let last = states.last().expect("a state");
    assert_eq!(
        waiting_reason(last).as_deref(),
        Some("CreateContainerConfigError")
    );
    assert_eq!(phase(last), "Pending");
    server.stop().await;
}

#[tokio::test]
async fn deleting_a_running_pod_kills_its_process() {
    let server = FakeApiServer::start(process_agent()).await;
    let pods: Api<Pod> = Api::default_namespaced(client(&server).await);
    let mut watch = watch_pod(&pods, "long").await;
    pods.create(
        &PostParams::default(),
        &pod("long", json!({}), "busybox-sleep", &["1000"]),
    )
    .await
    .expect("create");
    let states = pod_states(&mut watch, |p| phase(p) == "Running").await;
    let id = states
        .last()
        .and_then(|p| p.status.as_ref())
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|c| c.first())
        .and_then(|c| c.container_id.clone())
        .expect("container id");
    let pid = id.strip_prefix("process://").expect("a process id");
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    assert!(proc_dir.exists());
    server.delete("default", "pods", "long");
    tokio::time::timeout(WAIT, async {
        // The process is gone once it is reaped (a zombie still has a /proc entry).
        while std::fs::read_to_string(proc_dir.join("stat"))
            .is_ok_and(|stat| !stat.contains(") Z "))
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the pod's process is killed");
    assert!(server.objects("default", "pods").is_empty());
    server.stop().await;
}

/// Builds `tag` FROM scratch with `/bin/sh`, `/bin/cat` and the libraries they link: no
/// registry is reachable here.
fn build_shell_image(tag: &str) -> Result<(), String> {
    let context = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut files: Vec<PathBuf> = vec!["/bin/sh".into(), "/bin/cat".into()];
    for binary in files.clone() {
        let output = std::process::Command::new("ldd")
            .arg(&binary)
            .output()
            .map_err(|e| format!("ldd: {e}"))?;
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let path = match line.split_once("=>") {
                Some((_, right)) => right.split_whitespace().next(),
                None => line.split_whitespace().next(),
            };
            if let Some(path) = path.filter(|p| p.starts_with('/')) {
                files.push(path.into());
            }
        }
    }
    for file in &files {
        let target = context
            .path()
            .join(file.strip_prefix("/").map_err(|e| e.to_string())?);
        std::fs::create_dir_all(target.parent().ok_or("no parent")?).map_err(|e| e.to_string())?;
        // Follow symlinks (/bin/sh -> dash): the image gets the real file under the link's name.
        std::fs::copy(file, &target).map_err(|e| format!("copy {}: {e}", file.display()))?;
    }
    std::fs::write(
        context.path().join("Dockerfile"),
        "FROM scratch\nCOPY . /\n",
    )
    .map_err(|e| e.to_string())?;
    let dir = context.path().display().to_string();
    ember_tests::docker::docker(&["build", "-q", "-t", tag, &dir]).map(|_| ())
}

#[tokio::test]
async fn docker_pods_run_with_env_volumes_and_limits() {
    if std::env::var_os("EMBER_SKIP_DOCKER_TESTS").is_some() {
        eprintln!("EMBER_SKIP_DOCKER_TESTS is set: skipped");
        return;
    }
    assert!(
        ember_tests::docker::docker_available(),
        "no Docker engine answers (set EMBER_SKIP_DOCKER_TESTS to skip)"
    );
    let image = "ember-k8s-standin-shell:test";
    build_shell_image(image).expect("build the test image");
    let server = FakeApiServer::start(NodeAgentKind::Docker).await;
    let client = client(&server).await;
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let secrets: Api<Secret> = Api::default_namespaced(client);
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": "auth"}, "stringData": {"token": "s3cret"},
    }))
    .expect("secret");
    secrets
        .create(&PostParams::default(), &secret)
        .await
        .expect("create secret");
    // Exits 3 only if env, the secret volume and the memory-backed emptyDir are all right.
    let script = r#"test "$TOKEN" = s3cret && test "$(cat /etc/auth/token)" = s3cret \
        && echo hi > /scratch/x && test "$(cat /scratch/x)" = hi && exit 3"#;
    let spec: Pod = serde_json::from_value(json!({
        "metadata": {"name": "in-docker"},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{
                "name": "main", "image": image,
                "command": ["/bin/sh", "-c"], "args": [script],
                "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "auth", "key": "token"}}}],
                "resources": {"limits": {"memory": "64Mi", "cpu": "500m"}},
                "volumeMounts": [
                    {"name": "auth", "mountPath": "/etc/auth"},
                    {"name": "scratch", "mountPath": "/scratch"},
                ],
            }],
            "volumes": [
                {"name": "auth", "secret": {"secretName": "auth"}},
                {"name": "scratch", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}},
            ],
        },
    }))
    .expect("pod");
    let mut watch = watch_pod(&pods, "in-docker").await;
    pods.create(&PostParams::default(), &spec)
        .await
        .expect("create");
    let states = pod_states(&mut watch, |p| {
        matches!(phase(p).as_str(), "Succeeded" | "Failed")
    })
    .await;
    let last = states.last().expect("a state");
    let terminated = container_state(last).terminated.expect("terminated");
    assert_eq!(
        (
            phase(last).as_str(),
            terminated.exit_code,
            terminated.reason.as_deref()
        ),
        ("Failed", 3, Some("Error"))
    );
    let id = terminated.container_id.expect("container id");
    let id = id.strip_prefix("docker://").expect("a Docker container");
    let memory = ember_tests::docker::docker(&["inspect", "-f", "{{.HostConfig.Memory}}", id])
        .expect("the exited container is kept until the pod is deleted");
    assert_eq!(memory, (64u64 << 20).to_string());

    server.delete("default", "pods", "in-docker");
    tokio::time::timeout(WAIT, async {
        while ember_tests::docker::docker(&["inspect", id]).is_ok() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the container is removed with its pod");

    let mut watch = watch_pod(&pods, "unpulled").await;
    pods.create(
        &PostParams::default(),
        &pod("unpulled", json!({}), "ember-no-such-image:never", &[]),
    )
    .await
    .expect("create");
    let states = pod_states(&mut watch, |p| {
        waiting_reason(p).as_deref() == Some("ImagePullBackOff")
    })
    .await;
    let reasons: Vec<String> = states.iter().filter_map(waiting_reason).collect();
    assert_eq!(reasons, ["ErrImagePull", "ImagePullBackOff"]);
    server.stop().await;
}

#[tokio::test]
async fn a_dropped_server_kills_its_pods() {
    let server = FakeApiServer::start(process_agent()).await;
    let pods: Api<Pod> = Api::default_namespaced(client(&server).await);
    let mut watch = watch_pod(&pods, "orphan").await;
    pods.create(
        &PostParams::default(),
        &pod("orphan", json!({}), "busybox-sleep", &["1000"]),
    )
    .await
    .expect("create");
    let states = pod_states(&mut watch, |p| phase(p) == "Running").await;
    let id = states
        .last()
        .and_then(|p| p.status.as_ref())
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|c| c.first())
        .and_then(|c| c.container_id.clone())
        .expect("container id");
    let stat = PathBuf::from(format!(
        "/proc/{}/stat",
        id.trim_start_matches("process://")
    ));
    // As when a test panics before `stop`.
    drop(server);
    tokio::time::timeout(WAIT, async {
        while std::fs::read_to_string(&stat).is_ok_and(|s| !s.contains(") Z ")) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the pod's process is killed");
}

fn job(
    name: &str,
    backoff_limit: i32,
    image: &str,
    args: &[&str],
) -> k8s_openapi::api::batch::v1::Job {
    serde_json::from_value(json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "backoffLimit": backoff_limit,
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "main", "image": image, "args": args}],
                },
            },
        },
    }))
    .expect("job")
}

/// The Job's `Complete` or `Failed` condition, once it has one.
async fn job_outcome(
    jobs: &Api<k8s_openapi::api::batch::v1::Job>,
    name: &str,
) -> k8s_openapi::api::batch::v1::Job {
    tokio::time::timeout(WAIT, async {
        loop {
            let job = jobs.get(name).await.expect("get job");
            let ended = job
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| c.iter().any(|c| c.status == "True"));
            if ended {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the job ends")
}

/// The stand-in's Job controller replaces a failed pod until one succeeds or the backoff limit
/// is passed, labels and owns the pods as Kubernetes does, and deleting a Job with background
/// propagation deletes its pods.
#[tokio::test]
async fn jobs_retry_failed_pods_up_to_their_backoff_limit() {
    use k8s_openapi::api::batch::v1::Job;
    let server = FakeApiServer::start(process_agent()).await;
    let client = client(&server).await;
    let jobs: Api<Job> = Api::default_namespaced(client.clone());
    let pods: Api<Pod> = Api::default_namespaced(client);
    let post = PostParams::default();
    let dir = tempfile::tempdir().expect("temporary folder");
    let mark = dir.path().join("first-attempt-ran");
    let script = format!("test -e {0} && exit 0; touch {0}; exit 3", mark.display());

    // Fails once, then succeeds.
    jobs.create(
        &post,
        &job("second-time-lucky", 2, "shell", &["-c", &script]),
    )
    .await
    .expect("create job");
    let done = job_outcome(&jobs, "second-time-lucky").await;
    let status = done.status.clone().expect("status");
    let conditions = status.conditions.clone().expect("conditions");
    assert_eq!(conditions[0].type_, "Complete");
    assert_eq!((status.succeeded, status.failed), (Some(1), Some(1)));
    let attempts = pods
        .list(&ListParams::default().labels("job-name=second-time-lucky"))
        .await
        .expect("list")
        .items;
    let mut phases: Vec<String> = attempts.iter().map(phase).collect();
    phases.sort();
    assert_eq!(phases, ["Failed", "Succeeded"]);
    for p in &attempts {
        let name = p.metadata.name.clone().unwrap_or_default();
        assert!(name.starts_with("second-time-lucky-"), "{name}");
        let labels = p.metadata.labels.clone().unwrap_or_default();
        assert_eq!(labels["app"], "second-time-lucky", "template labels kept");
        let owner = &p.metadata.owner_references.clone().unwrap_or_default()[0];
        assert_eq!((owner.kind.as_str(), owner.controller), ("Job", Some(true)));
        assert_eq!(Some(&owner.uid), done.metadata.uid.as_ref());
    }

    // Always fails: 1 + backoffLimit pods, then the Job fails.
    jobs.create(&post, &job("hopeless", 2, "failing", &[]))
        .await
        .expect("create job");
    let done = job_outcome(&jobs, "hopeless").await;
    let status = done.status.clone().expect("status");
    let condition = &status.conditions.clone().expect("conditions")[0];
    assert_eq!(
        (condition.type_.as_str(), condition.reason.as_deref()),
        ("Failed", Some("BackoffLimitExceeded"))
    );
    assert_eq!(status.failed, Some(3));
    let hopeless = ListParams::default().labels("job-name=hopeless");
    assert_eq!(pods.list(&hopeless).await.expect("list").items.len(), 3);

    jobs.delete("hopeless", &DeleteParams::background())
        .await
        .expect("delete job");
    assert!(pods.list(&hopeless).await.expect("list").items.is_empty());
    server.stop().await;
}
