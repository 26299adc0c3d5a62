//! The stand-in's Job controller: what kube-controller-manager does for a non-indexed Job with
//! one completion and parallelism 1 (Ember's driver Job). It runs the pod template until one
//! pod succeeds (condition `Complete`) or more than `spec.backoffLimit` pods have failed
//! (condition `Failed`, reason `BackoffLimitExceeded`), one pod at a time, and keeps the Job's
//! `status` counters (`active`, `succeeded`, `failed`) up to date.
//!
//! Simplifications: a failed pod is replaced at once (no exponential back-off delay), and
//! `activeDeadlineSeconds`, pod failure policies and suspension are ignored.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::resources::{ResourceType, by_plural};
use super::store::{EventType, Store, now};

/// The running controller.
pub struct JobController {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl JobController {
    /// Starts following the store's Jobs and their pods.
    pub fn start(store: Arc<Store>) -> Option<Self> {
        let jobs = by_plural("jobs")?;
        let pods = by_plural("pods")?;
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(follow(store, jobs, pods, stop_rx));
        Some(Self { stop, task })
    }

    /// Stops following (pods already created are left to the node agent).
    pub async fn stop(self) {
        self.stop.send_replace(true);
        let _ = self.task.await;
    }

    /// Stops following without waiting.
    pub fn abandon(self) {
        self.stop.send_replace(true);
    }
}

async fn follow(
    store: Arc<Store>,
    jobs: ResourceType,
    pods: ResourceType,
    mut stop: watch::Receiver<bool>,
) {
    let mut changes = store.subscribe();
    let mut last = 0;
    loop {
        changes.borrow_and_update();
        let mut touched: Vec<(String, String)> = Vec::new();
        match store.events_since(last) {
            Ok(events) => {
                for event in events {
                    last = event.rv;
                    match (event.plural, &event.kind) {
                        ("jobs", EventType::Added | EventType::Modified) => {
                            let name = event.object["metadata"]["name"].as_str();
                            touched.push((event.namespace.clone(), name.unwrap_or("").into()));
                        }
                        ("pods", EventType::Modified | EventType::Deleted) => {
                            if let Some(job) = controlling_job(&event.object) {
                                touched.push((event.namespace.clone(), job));
                            }
                        }
                        _ => {}
                    }
                }
            }
            Err(_) => {
                // Fell behind the store's history: look at every Job again.
                last = store.resource_version();
                let (all, _) = store.list(&jobs, None, &Default::default());
                touched.extend(all.iter().map(|job| {
                    let meta = &job["metadata"];
                    (
                        meta["namespace"].as_str().unwrap_or("").to_string(),
                        meta["name"].as_str().unwrap_or("").to_string(),
                    )
                }));
            }
        }
        touched.dedup();
        for (namespace, name) in touched {
            if let Err(e) = reconcile(&store, &jobs, &pods, &namespace, &name) {
                eprintln!("[k8s stand-in] job controller, job {namespace}/{name}: {e}");
            }
        }
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return },
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// The name of the Job that controls `pod`, if any.
fn controlling_job(pod: &Value) -> Option<String> {
    pod["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["kind"] == "Job" && r["controller"] == true)
        .and_then(|r| r["name"].as_str())
        .map(str::to_string)
}

/// Brings Job `name` one step towards its goal: records its pods' outcomes in its status, ends
/// it, or starts its next pod.
fn reconcile(
    store: &Store,
    jobs: &ResourceType,
    pods: &ResourceType,
    namespace: &str,
    name: &str,
) -> Result<(), super::ApiError> {
    let Ok(job) = store.get(jobs, namespace, name) else {
        return Ok(());
    };
    let conditions = job["status"]["conditions"].as_array().cloned();
    if conditions.is_some_and(|c| c.iter().any(|c| c["status"] == "True")) {
        return Ok(());
    }
    let uid = job["metadata"]["uid"].as_str().unwrap_or_default();
    let (all_pods, _) = store.list(pods, Some(namespace), &Default::default());
    let owned: Vec<&Value> = all_pods
        .iter()
        .filter(|p| {
            p["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
        })
        .collect();
    let phase = |p: &&Value| {
        p["status"]["phase"]
            .as_str()
            .unwrap_or("Pending")
            .to_string()
    };
    let succeeded = owned.iter().filter(|p| phase(p) == "Succeeded").count();
    let failed = owned.iter().filter(|p| phase(p) == "Failed").count();
    let mut active = owned.len() - succeeded - failed;
    let backoff_limit = job["spec"]["backoffLimit"].as_u64().unwrap_or(6) as usize;

    let mut condition = None;
    if succeeded > 0 {
        condition = Some(json!({
            "type": "Complete", "status": "True", "lastTransitionTime": now(),
        }));
    } else if failed > backoff_limit {
        condition = Some(json!({
            "type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
            "message": "Job has reached the specified backoff limit",
            "lastTransitionTime": now(),
        }));
    } else if active == 0 {
        store.create(pods, namespace, pod_from_template(&job, name, uid))?;
        active = 1;
    }
    store.update(jobs, namespace, name, true, |current| {
        let mut next = current.clone();
        let status = &mut next["status"];
        if status["startTime"].is_null() {
            status["startTime"] = json!(now());
        }
        status["active"] = json!(active);
        status["succeeded"] = json!(succeeded);
        status["failed"] = json!(failed);
        if let Some(condition) = &condition {
            status["conditions"] = json!([condition]);
            if succeeded > 0 {
                status["completionTime"] = json!(now());
            }
        }
        Ok(next)
    })?;
    Ok(())
}

/// A pod of Job `name` from its template, named and labelled as the Job controller does.
fn pod_from_template(job: &Value, name: &str, uid: &str) -> Value {
    let template = &job["spec"]["template"];
    let mut metadata = template["metadata"].clone();
    if !metadata.is_object() {
        metadata = json!({});
    }
    metadata["generateName"] = json!(format!("{name}-"));
    if let Some(m) = metadata.as_object_mut() {
        m.remove("name");
    }
    if !metadata["labels"].is_object() {
        metadata["labels"] = json!({});
    }
    for (key, value) in [
        ("job-name", name),
        ("batch.kubernetes.io/job-name", name),
        ("controller-uid", uid),
        ("batch.kubernetes.io/controller-uid", uid),
    ] {
        metadata["labels"][key] = json!(value);
    }
    metadata["ownerReferences"] = json!([{
        "apiVersion": "batch/v1", "kind": "Job", "name": name, "uid": uid,
        "controller": true, "blockOwnerDeletion": true,
    }]);
    json!({"metadata": metadata, "spec": template["spec"].clone()})
}
