//! What the node agent needs to start a pod's first container, worked out from the pod spec the
//! way the kubelet does: environment (plain values, field, Secret and ConfigMap references,
//! `$(VAR)` expansion), volumes as host directories, and resource limits.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine;
use serde_json::Value;
use tempfile::TempDir;

use crate::k8s::resources::by_plural;
use crate::k8s::store::Store;

/// The node's IP, which is also every process pod's IP and the IP of Docker pods with
/// `hostNetwork: true` (other Docker pods get a loopback address of their own).
pub const POD_IP: &str = "127.0.0.1";

/// Why a pod cannot start yet: it stays Pending with this waiting reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    /// `ContainerCreating` (a volume cannot be set up), `CreateContainerConfigError`,
    /// `ErrImagePull`...
    pub reason: String,
    /// What is missing.
    pub message: String,
}

impl Wait {
    /// A wait with `reason`.
    pub fn new(reason: &str, message: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            message: message.into(),
        }
    }
}

/// A volume mount, with the host directory that stands for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mount {
    /// The `mountPath` inside the container.
    pub path: String,
    /// The host directory (or file) that holds the volume.
    pub host: PathBuf,
    /// `readOnly` (Secret and ConfigMap volumes always are).
    pub read_only: bool,
    /// `Some(sizeLimit)` for an `emptyDir` of medium `Memory`, which Docker mounts as tmpfs.
    pub tmpfs: Option<Option<u64>>,
}

/// Everything needed to start the first container of a pod.
#[derive(Debug)]
pub struct Launch {
    /// The image name.
    pub image: String,
    /// `command`, expanded (empty: the image's entrypoint).
    pub command: Vec<String>,
    /// `args`, expanded.
    pub args: Vec<String>,
    /// The container's environment, in definition order.
    pub env: Vec<(String, String)>,
    /// The volume mounts.
    pub mounts: Vec<Mount>,
    /// `workingDir`.
    pub working_dir: Option<String>,
    /// `resources.limits.memory` in bytes.
    pub memory_limit: Option<u64>,
    /// `resources.limits.cpu` in cores.
    pub cpu_limit: Option<f64>,
    /// The pod's own temporary directories (emptyDir, Secret and ConfigMap files), removed
    /// when the launch is dropped, i.e. when the pod is deleted.
    #[allow(dead_code, reason = "held for its Drop, which removes the directories")]
    pub dirs: Vec<TempDir>,
}

/// Expands `$(VAR)` references as Kubernetes does: a defined variable is replaced, an undefined
/// one is left as written, and `$$` stands for a literal `$` (so `$$(VAR)` gives `$(VAR)`).
pub fn expand(input: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('(') {
            match tail.find(')') {
                Some(end) => {
                    let name = &tail[..end];
                    match lookup(name) {
                        Some(value) => out.push_str(&value),
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = &tail[end + 1..];
                }
                None => {
                    out.push_str(&rest[i..]);
                    rest = "";
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// A Kubernetes quantity (`512Mi`, `1G`, `500m`, `1.5`, `2e3`) as a number.
pub fn parse_quantity(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(q.len());
    let (number, suffix) = q.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0_f64.powi(2),
        "Gi" => 1024.0_f64.powi(3),
        "Ti" => 1024.0_f64.powi(4),
        "Pi" => 1024.0_f64.powi(5),
        "Ei" => 1024.0_f64.powi(6),
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse().ok()?),
        _ => return None,
    };
    Some(number * factor)
}

/// A quantity in whole bytes (rounded up).
pub fn quantity_bytes(q: &str) -> Option<u64> {
    parse_quantity(q).map(|v| v.ceil().max(0.0) as u64)
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// The stored object `plural`/`name` in the pod's namespace.
fn stored(store: &Store, plural: &str, namespace: &str, name: &str) -> Option<Value> {
    let rt = by_plural(plural)?;
    store.get(&rt, namespace, name).ok()
}

/// The entries of a Secret (`data` decoded, then `stringData`) or a ConfigMap (`data`, then
/// `binaryData` decoded).
fn entries(object: &Value) -> HashMap<String, Vec<u8>> {
    let mut out = HashMap::new();
    let fields: [(&str, bool); 2] = if object["kind"] == "Secret" {
        [("data", true), ("stringData", false)]
    } else {
        [("data", false), ("binaryData", true)]
    };
    for (field, encoded) in fields {
        if let Some(map) = object[field].as_object() {
            for (k, v) in map {
                let text = v.as_str().unwrap_or_default();
                let bytes = if encoded {
                    base64_decode(text)
                } else {
                    Some(text.as_bytes().to_vec())
                };
                if let Some(bytes) = bytes {
                    out.insert(k.clone(), bytes);
                }
            }
        }
    }
    out
}

/// The value of a `fieldRef` path.
fn field_value(pod: &Value, path: &str) -> Option<String> {
    let meta = &pod["metadata"];
    let keyed = |prefix: &str, map: &Value| {
        let key = path.strip_prefix(prefix)?.strip_suffix("']")?;
        Some(map[key].as_str().unwrap_or_default().to_string())
    };
    let text = |v: &Value| Some(v.as_str().unwrap_or_default().to_string());
    match path {
        "metadata.name" => text(&meta["name"]),
        "metadata.namespace" => text(&meta["namespace"]),
        "metadata.uid" => text(&meta["uid"]),
        "spec.nodeName" => Some(super::NODE_NAME.to_string()),
        "spec.serviceAccountName" => Some(
            pod["spec"]["serviceAccountName"]
                .as_str()
                .unwrap_or("default")
                .to_string(),
        ),
        // The IP the node agent gave the pod (see `Context::pod_ip`).
        "status.podIP" | "status.podIPs" => Some(
            pod["status"]["podIP"]
                .as_str()
                .unwrap_or(POD_IP)
                .to_string(),
        ),
        "status.hostIP" | "status.hostIPs" => Some(POD_IP.to_string()),
        _ => keyed("metadata.labels['", &meta["labels"])
            .or_else(|| keyed("metadata.annotations['", &meta["annotations"])),
    }
}

fn config_error(message: String) -> Wait {
    Wait::new("CreateContainerConfigError", message)
}

/// One key of a Secret or ConfigMap for `secretKeyRef` / `configMapKeyRef`; `Ok(None)` when
/// the reference is optional and missing.
fn key_ref(
    store: &Store,
    pod: &Value,
    reference: &Value,
    plural: &str,
) -> Result<Option<String>, Wait> {
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = reference["name"].as_str().unwrap_or_default();
    let key = reference["key"].as_str().unwrap_or_default();
    let optional = reference["optional"].as_bool() == Some(true);
    let kind = if plural == "secrets" {
        "secret"
    } else {
        "configmap"
    };
    let Some(object) = stored(store, plural, namespace, name) else {
        return if optional {
            Ok(None)
        } else {
            Err(config_error(format!("{kind} \"{name}\" not found")))
        };
    };
    match entries(&object).remove(key) {
        Some(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        None if optional => Ok(None),
        None => Err(config_error(format!(
            "couldn't find key {key} in {} {namespace}/{name}",
            object["kind"].as_str().unwrap_or(kind)
        ))),
    }
}

/// The environment of `container`: `envFrom` first, then `env` in order, each value expanded
/// against the variables defined before it.
pub fn environment(
    store: &Store,
    pod: &Value,
    container: &Value,
) -> Result<Vec<(String, String)>, Wait> {
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let mut env: Vec<(String, String)> = Vec::new();
    let set = |env: &mut Vec<(String, String)>, name: String, value: String| {
        env.retain(|(n, _)| *n != name);
        env.push((name, value));
    };
    for source in container["envFrom"].as_array().into_iter().flatten() {
        let prefix = source["prefix"].as_str().unwrap_or_default();
        for (field, plural) in [("secretRef", "secrets"), ("configMapRef", "configmaps")] {
            let reference = &source[field];
            if reference.is_null() {
                continue;
            }
            let name = reference["name"].as_str().unwrap_or_default();
            match stored(store, plural, namespace, name) {
                Some(object) => {
                    let mut keys: Vec<_> = entries(&object).into_iter().collect();
                    keys.sort();
                    for (k, v) in keys {
                        set(
                            &mut env,
                            format!("{prefix}{k}"),
                            String::from_utf8_lossy(&v).into_owned(),
                        );
                    }
                }
                None if reference["optional"].as_bool() == Some(true) => {}
                None => {
                    let kind = if plural == "secrets" {
                        "secret"
                    } else {
                        "configmap"
                    };
                    return Err(config_error(format!("{kind} \"{name}\" not found")));
                }
            }
        }
    }
    for var in container["env"].as_array().into_iter().flatten() {
        let name = var["name"].as_str().unwrap_or_default().to_string();
        let from = &var["valueFrom"];
        let value = if from.is_null() {
            let lookup = |n: &str| env.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
            Some(expand(var["value"].as_str().unwrap_or_default(), lookup))
        } else if let Some(path) = from["fieldRef"]["fieldPath"].as_str() {
            Some(field_value(pod, path).ok_or_else(|| {
                config_error(format!("unsupported fieldRef fieldPath \"{path}\""))
            })?)
        } else if from["secretKeyRef"].is_object() {
            key_ref(store, pod, &from["secretKeyRef"], "secrets")?
        } else if from["configMapKeyRef"].is_object() {
            key_ref(store, pod, &from["configMapKeyRef"], "configmaps")?
        } else if let Some(resource) = from["resourceFieldRef"]["resource"].as_str() {
            let (section, what) = resource.split_once('.').unwrap_or(("limits", resource));
            let q = container["resources"][section][what]
                .as_str()
                .and_then(parse_quantity);
            Some(match what {
                "cpu" => q.map_or(1.0, f64::ceil).to_string(),
                _ => q.map_or(0, |v| v.ceil() as u64).to_string(),
            })
        } else {
            return Err(config_error(format!("env {name}: unsupported valueFrom")));
        };
        if let Some(value) = value {
            set(&mut env, name, value);
        }
    }
    Ok(env)
}

fn temp_dir(mode: u32) -> Result<TempDir, Wait> {
    let dir = tempfile::Builder::new()
        .prefix("ember-pod-volume-")
        .tempdir()
        .map_err(|e| {
            Wait::new(
                "ContainerCreating",
                format!("cannot create a volume directory: {e}"),
            )
        })?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).map_err(|e| {
        Wait::new(
            "ContainerCreating",
            format!("cannot set volume permissions: {e}"),
        )
    })?;
    Ok(dir)
}

/// Writes a Secret's or ConfigMap's entries as files, as the kubelet projects them.
fn project(dir: &Path, volume: &Value, object: &Value) -> Result<(), Wait> {
    let entries = entries(object);
    let default_mode = volume["defaultMode"].as_u64().unwrap_or(0o644) as u32;
    let files: Vec<(String, String, u32)> = match volume["items"].as_array() {
        Some(items) => items
            .iter()
            .map(|i| {
                (
                    i["key"].as_str().unwrap_or_default().to_string(),
                    i["path"].as_str().unwrap_or_default().to_string(),
                    i["mode"].as_u64().map_or(default_mode, |m| m as u32),
                )
            })
            .collect(),
        None => entries
            .keys()
            .map(|k| (k.clone(), k.clone(), default_mode))
            .collect(),
    };
    for (key, path, mode) in files {
        let Some(bytes) = entries.get(&key) else {
            return Err(Wait::new(
                "ContainerCreating",
                format!("volume key \"{key}\" not found"),
            ));
        };
        if path.is_empty() || path.split('/').any(|p| p == "..") {
            return Err(Wait::new(
                "ContainerCreating",
                format!("invalid volume item path \"{path}\""),
            ));
        }
        let file = dir.join(&path);
        let io = |e: std::io::Error| {
            Wait::new(
                "ContainerCreating",
                format!("cannot write {}: {e}", file.display()),
            )
        };
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&file, bytes).map_err(io)?;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).map_err(io)?;
    }
    Ok(())
}

/// The host directories of the first container's volume mounts. PersistentVolumeClaims get one
/// directory per claim, kept in `claims` for the life of the server.
pub fn volumes(
    store: &Store,
    pod: &Value,
    container: &Value,
    claims: &Mutex<HashMap<String, TempDir>>,
) -> Result<(Vec<Mount>, Vec<TempDir>), Wait> {
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let mut dirs: Vec<TempDir> = Vec::new();
    let mut hosts: HashMap<String, (PathBuf, bool, Option<Option<u64>>)> = HashMap::new();
    let mut mounts = Vec::new();
    for mount in container["volumeMounts"].as_array().into_iter().flatten() {
        let volume_name = mount["name"].as_str().unwrap_or_default();
        let path = mount["mountPath"].as_str().unwrap_or_default().to_string();
        if !hosts.contains_key(volume_name) {
            let volume = pod["spec"]["volumes"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|v| v["name"] == volume_name)
                .ok_or_else(|| {
                    Wait::new(
                        "ContainerCreating",
                        format!("volume \"{volume_name}\" is not defined"),
                    )
                })?;
            let failed = |what: String| {
                Wait::new(
                    "ContainerCreating",
                    format!("MountVolume.SetUp failed for volume \"{volume_name}\" : {what}"),
                )
            };
            let entry = if volume["emptyDir"].is_object() {
                let dir = temp_dir(0o777)?;
                let host = dir.path().to_path_buf();
                dirs.push(dir);
                let tmpfs = (volume["emptyDir"]["medium"] == "Memory").then(|| {
                    volume["emptyDir"]["sizeLimit"]
                        .as_str()
                        .and_then(quantity_bytes)
                });
                (host, false, tmpfs)
            } else if volume["secret"].is_object() || volume["configMap"].is_object() {
                let (source, plural, name_field) = if volume["secret"].is_object() {
                    (&volume["secret"], "secrets", "secretName")
                } else {
                    (&volume["configMap"], "configmaps", "name")
                };
                let name = source[name_field].as_str().unwrap_or_default();
                let dir = temp_dir(0o755)?;
                match stored(store, plural, namespace, name) {
                    Some(object) => project(dir.path(), source, &object)?,
                    None if source["optional"].as_bool() == Some(true) => {}
                    None => {
                        let kind = if plural == "secrets" {
                            "secret"
                        } else {
                            "configmap"
                        };
                        return Err(failed(format!("{kind} \"{name}\" not found")));
                    }
                }
                let host = dir.path().to_path_buf();
                dirs.push(dir);
                (host, true, None)
            } else if let Some(host) = volume["hostPath"]["path"].as_str() {
                (PathBuf::from(host), false, None)
            } else if let Some(claim) = volume["persistentVolumeClaim"]["claimName"].as_str() {
                if stored(store, "persistentvolumeclaims", namespace, claim).is_none() {
                    return Err(Wait::new(
                        "ContainerCreating",
                        format!("persistentvolumeclaim \"{claim}\" not found"),
                    ));
                }
                let mut claims = claims.lock().unwrap_or_else(|e| e.into_inner());
                let key = format!("{namespace}/{claim}");
                let host = match claims.get(&key) {
                    Some(dir) => dir.path().to_path_buf(),
                    None => {
                        let dir = temp_dir(0o777)?;
                        let host = dir.path().to_path_buf();
                        claims.insert(key, dir);
                        host
                    }
                };
                let read_only = volume["persistentVolumeClaim"]["readOnly"].as_bool() == Some(true);
                (host, read_only, None)
            } else {
                eprintln!(
                    "[k8s stand-in] volume \"{volume_name}\" of an unsupported type: an empty directory stands for it"
                );
                let dir = temp_dir(0o777)?;
                let host = dir.path().to_path_buf();
                dirs.push(dir);
                (host, false, None)
            };
            hosts.insert(volume_name.to_string(), entry);
        }
        let Some((host, read_only, tmpfs)) = hosts.get(volume_name).cloned() else {
            continue;
        };
        let sub_path = mount["subPath"].as_str().unwrap_or_default();
        mounts.push(Mount {
            path,
            host: if sub_path.is_empty() {
                host
            } else {
                host.join(sub_path)
            },
            read_only: read_only || mount["readOnly"].as_bool() == Some(true),
            tmpfs: if sub_path.is_empty() { tmpfs } else { None },
        });
    }
    Ok((mounts, dirs))
}

/// Everything to start the first container, or why it must wait. Volumes are set up before the
/// environment is resolved, as the kubelet does.
pub fn launch(
    store: &Store,
    pod: &Value,
    claims: &Mutex<HashMap<String, TempDir>>,
) -> Result<Launch, Wait> {
    let container = &pod["spec"]["containers"][0];
    let (mounts, dirs) = volumes(store, pod, container, claims)?;
    let env = environment(store, pod, container)?;
    let lookup = |n: &str| env.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let strings = |field: &str| -> Vec<String> {
        container[field]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| expand(s.as_str().unwrap_or_default(), lookup))
            .collect()
    };
    let limits = &container["resources"]["limits"];
    Ok(Launch {
        image: container["image"].as_str().unwrap_or_default().to_string(),
        command: strings("command"),
        args: strings("args"),
        working_dir: container["workingDir"].as_str().map(str::to_string),
        memory_limit: limits["memory"].as_str().and_then(quantity_bytes),
        cpu_limit: limits["cpu"].as_str().and_then(parse_quantity),
        env,
        mounts,
        dirs,
    })
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')
}

/// Rewrites every occurrence of a mount path (as a whole path or a path prefix) in `text` to
/// the host directory standing for it. Processes cannot mount, so this is how a process sees
/// its volumes; a path the program builds at run time from pieces is not rewritten.
pub fn rewrite_paths(text: &str, mounts: &[Mount]) -> String {
    let mut sorted: Vec<&Mount> = mounts.iter().filter(|m| m.path.len() > 1).collect();
    sorted.sort_by_key(|m| std::cmp::Reverse(m.path.len()));
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let boundary_before = text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !is_path_char(c));
        let hit = boundary_before
            .then(|| {
                sorted.iter().find(|m| {
                    text[i..].starts_with(m.path.as_str())
                        && text[i + m.path.len()..]
                            .chars()
                            .next()
                            .is_none_or(|c| c == '/' || !is_path_char(c))
                })
            })
            .flatten();
        match hit {
            Some(m) => {
                out.push_str(&m.host.to_string_lossy());
                i += m.path.len();
            }
            None => {
                let c = text[i..].chars().next().unwrap_or_default();
                out.push(c);
                i += c.len_utf8().max(1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expansion_follows_kubernetes() {
        let vars = |n: &str| match n {
            "A" => Some("1".to_string()),
            "B" => Some("two".to_string()),
            _ => None,
        };
        assert_eq!(expand("x$(A)y$(B)", vars), "x1ytwo");
        assert_eq!(expand("$(MISSING)", vars), "$(MISSING)");
        assert_eq!(expand("$$(A)", vars), "$(A)");
        assert_eq!(expand("$$$(A)", vars), "$1");
        assert_eq!(expand("cost $5 $(A", vars), "cost $5 $(A");
        assert_eq!(expand("é$(A)é", vars), "é1é");
    }

    #[test]
    fn quantities_parse_as_kubernetes() {
        assert_eq!(quantity_bytes("512Mi"), Some(512 * 1024 * 1024));
        assert_eq!(quantity_bytes("1Gi"), Some(1 << 30));
        assert_eq!(quantity_bytes("1G"), Some(1_000_000_000));
        assert_eq!(quantity_bytes("2k"), Some(2000));
        assert_eq!(quantity_bytes("1.5Ki"), Some(1536));
        assert_eq!(quantity_bytes("1e3"), Some(1000));
        assert_eq!(quantity_bytes("100"), Some(100));
        assert_eq!(parse_quantity("500m"), Some(0.5));
        assert_eq!(parse_quantity("12Qi"), None);
    }

    #[test]
    fn mount_paths_are_rewritten_at_path_boundaries() {
        let mount = |p: &str, h: &str| Mount {
            path: p.into(),
            host: h.into(),
            read_only: false,
            tmpfs: None,
        };
        let mounts = [mount("/data", "/tmp/d"), mount("/data/deep", "/tmp/x")];
        assert_eq!(rewrite_paths("/data", &mounts), "/tmp/d");
        assert_eq!(
            rewrite_paths("--dir=/data/a,/data/deep/b", &mounts),
            "--dir=/tmp/d/a,/tmp/x/b"
        );
        assert_eq!(
            rewrite_paths("/database /foo/data", &mounts),
            "/database /foo/data"
        );
    }

    #[test]
    fn environment_resolves_references() {
        let store = Store::default();
        let secrets = by_plural("secrets").expect("secrets");
        store
            .create(
                &secrets,
                "ns",
                json!({"metadata": {"name": "s"}, "stringData": {"token": "t0p"}}),
            )
            .expect("secret");
        let pod = json!({"metadata": {"name": "p", "namespace": "ns", "labels": {"app": "x"}}});
        let container = json!({"env": [
            {"name": "A", "value": "a"},
            {"name": "B", "value": "$(A)-b-$$(A)"},
            {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
            {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "token"}}},
        ]});
        let env = environment(&store, &pod, &container).expect("env");
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("B"), Some("a-b-$(A)"));
        assert_eq!(get("IP"), Some("127.0.0.1"));
        assert_eq!(get("APP"), Some("x"));
        assert_eq!(get("TOKEN"), Some("t0p"));
        let missing = json!({"env": [{"name": "T", "valueFrom": {"secretKeyRef": {"name": "nope", "key": "k"}}}]});
        let wait = environment(&store, &pod, &missing).expect_err("missing secret");
        assert_eq!(wait.reason, "CreateContainerConfigError");
    }
}
