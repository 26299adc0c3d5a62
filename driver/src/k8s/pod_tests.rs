//! Executor pods against golden manifests (`driver/tests/k8s-golden/*.json`), one per key
//! family, and the errors a bad key or template must give. `EMBER_UPDATE_GOLDEN=1` rewrites
//! the files; review the diff before committing it.

use std::path::PathBuf;

use k8s_openapi::api::core::v1::Pod;

use super::*;
use crate::config::SparkConf;
use crate::k8s::{ExecutorPodConf, KubernetesError};
use crate::launcher::executor_args;

const APP_ID: &str = "ember-app-20261126-0a1b2c3d";

fn conf(pairs: &[(&str, &str)]) -> SparkConf {
    let mut conf = SparkConf::new();
    conf.set("spark.app.name", "TPC-H Q1").expect("valid");
    conf.set("spark.kubernetes.container.image", "ember:0.1.0")
        .expect("valid");
    for (k, v) in pairs {
        conf.set(k, v).expect("valid value");
    }
    conf
}

fn build(
    pairs: &[(&str, &str)],
    template: Option<&Pod>,
    auth_secret: Option<&str>,
) -> Result<ExecutorPod, KubernetesError> {
    let auth_secret = auth_secret.map(|name| AppSecretMount {
        name: name.to_string(),
        auth: true,
    });
    let pod_conf = ExecutorPodConf::from_conf(&conf(pairs), APP_ID)?;
    let base = ember_executor::ExecutorConfig::new("3", "http://ember-driver-svc.spark:7078");
    let args = executor_args(&pod_executor_config(&pod_conf, base));
    let owner = DriverOwner {
        name: "tpch-q1-driver".into(),
        uid: "6f1c0c52-1d5e-4c1e-9d8e-3b8f6c1f2a90".into(),
    };
    executor_pod(
        &pod_conf,
        &ExecutorPodInputs {
            executor_id: "3",
            args,
            owner: Some(&owner),
            template,
            auth_secret: auth_secret.as_ref(),
        },
    )
}

fn check_golden(name: &str, built: &ExecutorPod) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/k8s-golden")
        .join(format!("{name}.json"));
    let actual = serde_json::to_string_pretty(&serde_json::json!({
        "pod": built.pod,
        "claims": built.claims,
    }))
    .expect("serializes")
        + "\n";
    if std::env::var_os("EMBER_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("golden dir");
        std::fs::write(&path, &actual).expect("write golden");
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{} differs from the built pod (EMBER_UPDATE_GOLDEN=1 rewrites it):\n{actual}",
        path.display()
    );
}

fn template(yaml: &str) -> Pod {
    serde_saphyr::from_str(yaml).expect("template parses")
}

#[test]
fn basic_executor_pod() {
    let built = build(
        &[
            ("spark.kubernetes.namespace", "spark"),
            ("spark.executor.cores", "2"),
            ("spark.executor.memory", "2g"),
        ],
        None,
        None,
    )
    .expect("builds");
    check_golden("basic", &built);
    let pod = &built.pod;
    assert_eq!(
        pod.metadata.name.as_deref(),
        Some("tpc-h-q1-0a1b2c3d-exec-3")
    );
    let spec = pod.spec.as_ref().expect("spec");
    assert_eq!(spec.restart_policy.as_deref(), Some("Never"));
    let limits = spec.containers[0]
        .resources
        .as_ref()
        .and_then(|r| r.limits.as_ref())
        .expect("limits");
    // 2 GiB + max(10%, 64 MiB) = 2048 + 204.8 -> 2253 MiB.
    assert_eq!(limits["memory"].0, "2253Mi");
}

#[test]
fn labels_annotations_and_owner() {
    let built = build(
        &[
            ("spark.kubernetes.executor.label.team", "analytics"),
            ("spark.kubernetes.executor.label.example.com/tier", "batch"),
            (
                "spark.kubernetes.executor.annotation.example.com/owner",
                "Data Team <data@example.com>",
            ),
        ],
        None,
        None,
    )
    .expect("builds");
    check_golden("labels", &built);
}

#[test]
fn image_name_prefix_service_account_and_node_selector() {
    let built = build(
        &[
            (
                "spark.kubernetes.executor.container.image",
                "registry.example.com/ember-exec:1",
            ),
            ("spark.kubernetes.container.image.pullPolicy", "Always"),
            (
                "spark.kubernetes.container.image.pullSecrets",
                "regcred, other-cred",
            ),
            ("spark.kubernetes.executor.podNamePrefix", "nightly-etl"),
            (
                "spark.kubernetes.authenticate.executor.serviceAccountName",
                "ember-executor",
            ),
            ("spark.kubernetes.node.selector.disktype", "ssd"),
            ("spark.kubernetes.executor.node.selector.pool", "spot"),
        ],
        None,
        None,
    )
    .expect("builds");
    check_golden("image", &built);
    assert_eq!(
        built.pod.metadata.name.as_deref(),
        Some("nightly-etl-exec-3")
    );
}

#[test]
fn env_secrets_and_auth_secret() {
    let built = build(
        &[
            ("spark.executorEnv.TZ", "UTC"),
            ("spark.executorEnv.EMBER_LOG", "info"),
            (
                "spark.kubernetes.executor.secrets.s3-creds",
                "/etc/secrets/s3",
            ),
            (
                "spark.kubernetes.executor.secretKeyRef.DB_PASSWORD",
                "db-secret:password",
            ),
        ],
        None,
        Some("ember-app-20261126-0a1b2c3d-auth"),
    )
    .expect("builds");
    check_golden("env_secrets", &built);
    let text = serde_json::to_string(&built.pod).expect("json");
    assert!(!text.contains("password\":\"") && text.contains("secretKeyRef"));
}

#[test]
fn volumes_of_every_kind() {
    let p = "spark.kubernetes.executor.volumes";
    let built = build(
        &[
            (&format!("{p}.hostPath.data.mount.path"), "/data"),
            (&format!("{p}.hostPath.data.mount.readOnly"), "true"),
            (&format!("{p}.hostPath.data.options.path"), "/mnt/tpch"),
            (&format!("{p}.emptyDir.scratch.mount.path"), "/scratch"),
            (&format!("{p}.emptyDir.scratch.options.sizeLimit"), "1Gi"),
            (
                &format!("{p}.persistentVolumeClaim.ckpt.mount.path"),
                "/ckpt",
            ),
            (
                &format!("{p}.persistentVolumeClaim.ckpt.options.claimName"),
                "ckpt-SPARK_EXECUTOR_ID",
            ),
            (
                &format!("{p}.persistentVolumeClaim.work.mount.path"),
                "/work",
            ),
            (
                &format!("{p}.persistentVolumeClaim.work.options.claimName"),
                "OnDemand",
            ),
            (
                &format!("{p}.persistentVolumeClaim.work.options.storageClass"),
                "standard",
            ),
            (
                &format!("{p}.persistentVolumeClaim.work.options.sizeLimit"),
                "10Gi",
            ),
        ],
        None,
        None,
    )
    .expect("builds");
    check_golden("volumes", &built);
    assert_eq!(built.claims.len(), 1, "one on-demand claim");
}

#[test]
fn resources_cores_and_overhead() {
    let built = build(
        &[
            ("spark.executor.cores", "4"),
            ("spark.kubernetes.executor.request.cores", "3500m"),
            ("spark.kubernetes.executor.limit.cores", "4"),
            ("spark.executor.memory", "4g"),
            ("spark.executor.memoryOverhead", "512m"),
        ],
        None,
        None,
    )
    .expect("builds");
    check_golden("resources", &built);
    let factor = build(
        &[
            ("spark.executor.memory", "1000m"),
            ("spark.kubernetes.memoryOverheadFactor", "0.25"),
        ],
        None,
        None,
    )
    .expect("builds");
    let limits = factor.pod.spec.as_ref().expect("spec").containers[0]
        .resources
        .as_ref()
        .and_then(|r| r.limits.clone())
        .expect("limits");
    assert_eq!(limits["memory"].0, "1250Mi");
}

#[test]
fn tmpfs_local_dirs_are_memory_empty_dirs_sized_within_the_pool() {
    let built = build(
        &[
            ("spark.kubernetes.local.dirs.tmpfs", "true"),
            ("spark.local.dir", "/ember/local-1,/ember/local-2"),
            ("spark.executor.memory", "1g"),
        ],
        None,
        None,
    )
    .expect("builds");
    check_golden("tmpfs", &built);
    let spec = built.pod.spec.as_ref().expect("spec");
    let dirs: Vec<_> = spec
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| v.empty_dir.as_ref())
        .collect();
    assert_eq!(dirs.len(), 2);
    // Pool = (1024 - 300) * 0.6 = 434.4 MiB; tmpfs files may take half of it.
    assert!(dirs.iter().all(|d| d.medium.as_deref() == Some("Memory")
        && d.size_limit.as_ref().map(|q| q.0.as_str()) == Some("218Mi")));
    let args = spec.containers[0].args.clone().unwrap_or_default();
    assert!(args.contains(&"--local-dirs-tmpfs".to_string()), "{args:?}");
}

#[test]
fn pod_template_is_merged_with_spark_rules() {
    let template = template(
        r#"
apiVersion: v1
kind: Pod
metadata:
  labels:
    team: analytics
    spark-role: overridden-by-ember
  annotations:
    sidecar.istio.io/inject: "false"
spec:
  priorityClassName: batch-low
  tolerations:
    - key: dedicated
      operator: Equal
      value: spark
      effect: NoSchedule
  volumes:
    - name: fast-disk
      hostPath:
        path: /mnt/nvme
  containers:
    - name: log-shipper
      image: fluent-bit:3
    - name: executor
      image: replaced:latest
      env:
        - name: TZ
          value: Europe/Paris
        - name: SPARK_EXECUTOR_ID
          value: replaced
      resources:
        limits:
          nvidia.com/gpu: "1"
          memory: 99Gi
      volumeMounts:
        - name: fast-disk
          mountPath: /var/data/spark-local-dir-1
"#,
    );
    let built = build(
        &[(
            "spark.kubernetes.executor.podTemplateContainerName",
            "executor",
        )],
        Some(&template),
        None,
    )
    .expect("builds");
    check_golden("template", &built);
    let spec = built.pod.spec.as_ref().expect("spec");
    assert_eq!(spec.containers.len(), 2, "the sidecar is kept");
    assert_eq!(spec.containers[0].name, "executor");
    assert_eq!(spec.containers[1].name, "log-shipper");
    assert_eq!(spec.priority_class_name.as_deref(), Some("batch-low"));
    let labels = built.pod.metadata.labels.as_ref().expect("labels");
    assert_eq!(labels["team"], "analytics");
    assert_eq!(labels["spark-role"], "executor");
    let limits = spec.containers[0]
        .resources
        .as_ref()
        .and_then(|r| r.limits.as_ref())
        .expect("limits");
    assert_eq!(limits["nvidia.com/gpu"].0, "1");
    assert_ne!(limits["memory"].0, "99Gi");
    // The template already mounts the local dir: no emptyDir is added for it.
    assert!(
        !spec
            .volumes
            .iter()
            .flatten()
            .any(|v| v.name.starts_with("spark-local-dir"))
    );
}

#[test]
fn bad_keys_are_errors_naming_the_key() {
    let err = |pairs: &[(&str, &str)]| {
        build(pairs, None, None)
            .expect_err("must be refused")
            .to_string()
    };
    let e = err(&[("spark.kubernetes.executor.label.bad key", "x")]);
    assert!(e.contains("label key"), "{e}");
    let e = err(&[("spark.kubernetes.executor.label.team", "not valid!")]);
    assert!(e.contains("value of label team"), "{e}");
    let e = err(&[("spark.kubernetes.executor.label.spark-role", "driver")]);
    assert!(e.contains("set by Ember"), "{e}");
    let e = err(&[("spark.kubernetes.executor.podNamePrefix", "Bad_Prefix")]);
    assert!(e.contains("podNamePrefix"), "{e}");
    let e = err(&[("spark.kubernetes.executor.secretKeyRef.PW", "no-colon")]);
    assert!(e.contains("SECRET_NAME:KEY"), "{e}");
    let e = err(&[("spark.kubernetes.container.image.pullPolicy", "Sometimes")]);
    assert!(e.contains("pullPolicy"), "{e}");
    let e = err(&[("spark.executorEnv.SPARK_EXECUTOR_ID", "7")]);
    assert!(e.contains("Ember sets this variable"), "{e}");
    let e = err(&[("spark.kubernetes.executor.volumes.nfs.x.mount.path", "/x")]);
    assert!(e.contains("volume types"), "{e}");
    let e = err(&[(
        "spark.kubernetes.executor.volumes.persistentVolumeClaim.w.mount.path",
        "/w",
    )]);
    assert!(e.contains("claimName"), "{e}");
    let e = err(&[("spark.kubernetes.executor.request.cores", "lots")]);
    assert!(e.contains("CPU quantity"), "{e}");
    let e = err(&[("spark.local.dir", "relative/dir")]);
    assert!(e.contains("absolute"), "{e}");

    let mut no_image = SparkConf::new();
    no_image.set("spark.app.name", "x").expect("valid");
    let e = ExecutorPodConf::from_conf(&no_image, APP_ID)
        .expect_err("no image")
        .to_string();
    assert!(e.contains("spark.kubernetes.container.image"), "{e}");

    let t = template("spec:\n  containers:\n    - name: main\n");
    let e = build(
        &[(
            "spark.kubernetes.executor.podTemplateContainerName",
            "executor",
        )],
        Some(&t),
        None,
    )
    .expect_err("no such container")
    .to_string();
    assert!(e.contains("no container named \"executor\""), "{e}");
}

#[test]
fn pod_templates_are_read_from_yaml_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("exec.yaml");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Pod\nspec:\n  containers: []\n",
    )
    .expect("write");
    assert!(crate::k8s::read_pod_template(&path).is_ok());
    std::fs::write(&path, "apiVersion: v1\nkind: Service\n").expect("write");
    let e = crate::k8s::read_pod_template(&path)
        .expect_err("not a pod")
        .to_string();
    assert!(e.contains("exec.yaml"), "{e}");
}
