//! The object store: every object as JSON, one global resourceVersion counter, the history of
//! changes that watches replay, and owner-reference garbage collection.
//!
//! Watches and the node agent read the history rather than a broadcast channel, so a slow reader
//! never loses events: it asks for everything after the last resourceVersion it saw, and is told
//! 410 Expired only if that is older than the kept history.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine;
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use super::error::ApiError;
use super::resources::ResourceType;
use super::selector::Selectors;
use super::validate;

/// How many changes are kept for watches that resume from a resourceVersion.
const HISTORY: usize = 100_000;

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Created.
    Added,
    /// Changed.
    Modified,
    /// Deleted (directly or by garbage collection).
    Deleted,
}

impl EventType {
    /// The watch event type: `ADDED`.
    pub fn as_str(&self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as watches replay it.
#[derive(Debug)]
pub struct Event {
    /// The resourceVersion the change produced.
    pub rv: u64,
    /// What happened.
    pub kind: EventType,
    /// The object's plural (`pods`).
    pub plural: &'static str,
    /// The object's namespace.
    pub namespace: String,
    /// The object after the change (for deletions: as it was, with `deletionTimestamp`).
    pub object: Value,
    /// The object before a modification, so that a selecting watch can tell an object that
    /// stopped matching (sent as DELETED) from one that changed.
    pub previous: Option<Value>,
}

/// What to do with dependents when their owner is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    /// Delete dependents (Background and Foreground: the stand-in deletes at once).
    Delete,
    /// Keep dependents and remove their owner reference.
    Orphan,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    plural: &'static str,
    namespace: String,
    name: String,
}

#[derive(Default)]
struct State {
    rv: u64,
    objects: BTreeMap<Key, Value>,
    history: VecDeque<Arc<Event>>,
    next_cluster_ip: u32,
}

/// The store shared by the HTTP server, the node agent and the test-facing helpers.
pub struct Store {
    state: Mutex<State>,
    changed: watch::Sender<u64>,
}

/// Now, as the API server writes times (RFC 3339, seconds, UTC).
pub fn now() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Applies a JSON merge patch (RFC 7386) to `target`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

fn random_suffix() -> String {
    // The API server's alphabet for generated names: no vowels, no look-alikes.
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    uuid::Uuid::new_v4().as_bytes()[..5]
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

impl Default for Store {
    fn default() -> Self {
        Self {
            state: Mutex::new(State::default()),
            changed: watch::Sender::new(0),
        }
    }
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A receiver that wakes up on every change (its value is the latest resourceVersion).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// The latest resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    /// Records a change under a new resourceVersion (already written into `object`).
    fn record(
        &self,
        state: &mut State,
        kind: EventType,
        plural: &'static str,
        object: Value,
        previous: Option<Value>,
    ) {
        let namespace = object["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        state.history.push_back(Arc::new(Event {
            rv: state.rv,
            kind,
            plural,
            namespace,
            object,
            previous,
        }));
        while state.history.len() > HISTORY {
            state.history.pop_front();
        }
        self.changed.send_replace(state.rv);
    }

    /// Every change after `rv` (of every type), or 410 Expired if some were dropped.
    pub fn events_since(&self, rv: u64) -> Result<Vec<Arc<Event>>, ApiError> {
        let state = self.lock();
        let oldest = state.history.front().map_or(state.rv + 1, |e| e.rv);
        if rv + 1 < oldest && rv < state.rv {
            return Err(ApiError::Expired(format!(
                "too old resource version: {rv} ({})",
                oldest - 1
            )));
        }
        Ok(state
            .history
            .iter()
            .filter(|e| e.rv > rv)
            .cloned()
            .collect())
    }

    /// One object.
    pub fn get(&self, rt: &ResourceType, namespace: &str, name: &str) -> Result<Value, ApiError> {
        self.lock()
            .objects
            .get(&key(rt, namespace, name))
            .cloned()
            .ok_or_else(|| not_found(rt, name))
    }

    /// The objects of a type, in one namespace or all (`None`), that `selectors` select, sorted
    /// by namespace and name, with the resourceVersion the list is as of.
    pub fn list(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        selectors: &Selectors,
    ) -> (Vec<Value>, u64) {
        let state = self.lock();
        let items = state
            .objects
            .iter()
            .filter(|(k, _)| k.plural == rt.plural && namespace.is_none_or(|ns| k.namespace == ns))
            .map(|(_, v)| v)
            .filter(|v| selectors.matches(v))
            .cloned()
            .collect();
        (items, state.rv)
    }

    /// Creates an object: fills in name (from `generateName`), namespace, uid, resourceVersion,
    /// creationTimestamp and the defaults the API server sets, after validating it.
    pub fn create(
        &self,
        rt: &ResourceType,
        namespace: &str,
        mut object: Value,
    ) -> Result<Value, ApiError> {
        check_shape(rt, &object)?;
        if !object["metadata"].is_object() {
            object["metadata"] = json!({});
        }
        match object["metadata"]["namespace"].as_str() {
            Some(ns) if !ns.is_empty() && ns != namespace => {
                return Err(ApiError::BadRequest(
                    "the namespace of the provided object does not match the namespace sent on \
                     the request"
                        .into(),
                ));
            }
            _ => {}
        }
        let meta = &mut object["metadata"];
        meta["namespace"] = json!(namespace);
        if meta["name"].as_str().is_none_or(str::is_empty)
            && let Some(prefix) = meta["generateName"].as_str()
        {
            meta["name"] = json!(format!("{prefix}{}", random_suffix()));
        }
        object["apiVersion"] = json!(rt.api_version());
        object["kind"] = json!(rt.kind);
        let causes = validate::validate(rt, &object);
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !causes.is_empty() {
            return Err(invalid(rt, &name, causes));
        }
        let mut state = self.lock();
        let k = key(rt, namespace, &name);
        if state.objects.contains_key(&k) {
            return Err(ApiError::AlreadyExists {
                resource: rt.plural.into(),
                name,
            });
        }
        set_defaults(rt, &mut object, &mut state)?;
        state.rv += 1;
        let meta = &mut object["metadata"];
        meta["uid"] = json!(uuid::Uuid::new_v4().to_string());
        meta["resourceVersion"] = json!(state.rv.to_string());
        meta["creationTimestamp"] = json!(now());
        meta["generation"] = json!(1);
        if let Some(m) = meta.as_object_mut() {
            m.remove("deletionTimestamp");
        }
        state.objects.insert(k, object.clone());
        self.record(
            &mut state,
            EventType::Added,
            rt.plural,
            object.clone(),
            None,
        );
        Ok(object)
    }

    /// Replaces an object by a new version computed from the current one by `change`, which may
    /// refuse. Only `status` changes when `status_only`; otherwise `status` is kept for types
    /// with a status subresource. Immutable metadata is kept, and an unchanged object is not
    /// rewritten (no new resourceVersion, no event), as the API server does.
    pub fn update(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        status_only: bool,
        change: impl FnOnce(&Value) -> Result<Value, ApiError>,
    ) -> Result<Value, ApiError> {
        let mut state = self.lock();
        let k = key(rt, namespace, name);
        let current = state
            .objects
            .get(&k)
            .cloned()
            .ok_or_else(|| not_found(rt, name))?;
        let proposed = change(&current)?;
        check_shape(rt, &proposed)?;
        if let Some(rv) = proposed["metadata"]["resourceVersion"].as_str()
            && !rv.is_empty()
            && Some(rv) != current["metadata"]["resourceVersion"].as_str()
        {
            return Err(ApiError::Conflict {
                resource: rt.plural.into(),
                name: name.into(),
            });
        }
        match proposed["metadata"]["name"].as_str() {
            Some(n) if n != name => {
                return Err(invalid(
                    rt,
                    name,
                    vec![format!(
                        "metadata.name: Invalid value: \"{n}\": field is immutable"
                    )],
                ));
            }
            _ => {}
        }
        let mut next = if status_only {
            let mut next = current.clone();
            next["status"] = proposed["status"].clone();
            next
        } else {
            let mut next = proposed;
            if rt.has_status {
                next["status"] = current["status"].clone();
            }
            next
        };
        next["apiVersion"] = json!(rt.api_version());
        next["kind"] = json!(rt.kind);
        for field in [
            "name",
            "namespace",
            "uid",
            "creationTimestamp",
            "generation",
        ] {
            next["metadata"][field] = current["metadata"][field].clone();
        }
        next["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"].clone();
        if rt.plural == "secrets" {
            fold_string_data(&mut next)?;
        }
        let causes = validate::validate(rt, &next);
        if !causes.is_empty() {
            return Err(invalid(rt, name, causes));
        }
        if next == current {
            return Ok(current);
        }
        if !status_only && next["spec"] != current["spec"] {
            let generation = current["metadata"]["generation"].as_i64().unwrap_or(1);
            next["metadata"]["generation"] = json!(generation + 1);
        }
        state.rv += 1;
        next["metadata"]["resourceVersion"] = json!(state.rv.to_string());
        state.objects.insert(k, next.clone());
        self.record(
            &mut state,
            EventType::Modified,
            rt.plural,
            next.clone(),
            Some(current),
        );
        Ok(next)
    }

    /// Deletes an object and, unless orphaning, every object it owns (recursively). Returns the
    /// deleted object.
    pub fn delete(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        propagation: Propagation,
    ) -> Result<Value, ApiError> {
        let mut state = self.lock();
        let k = key(rt, namespace, name);
        if !state.objects.contains_key(&k) {
            return Err(not_found(rt, name));
        }
        Ok(self.delete_locked(&mut state, k, propagation))
    }

    /// Deletes every object of a type in a namespace that `selectors` select; returns them.
    pub fn delete_collection(
        &self,
        rt: &ResourceType,
        namespace: &str,
        selectors: &Selectors,
        propagation: Propagation,
    ) -> Vec<Value> {
        let mut state = self.lock();
        let keys: Vec<Key> = state
            .objects
            .iter()
            .filter(|(k, v)| {
                k.plural == rt.plural && k.namespace == namespace && selectors.matches(v)
            })
            .map(|(k, _)| k.clone())
            .collect();
        let mut deleted = Vec::new();
        for k in keys {
            // Garbage collection may have deleted it already.
            if state.objects.contains_key(&k) {
                deleted.push(self.delete_locked(&mut state, k, propagation));
            }
        }
        deleted
    }

    fn delete_locked(&self, state: &mut State, first: Key, propagation: Propagation) -> Value {
        let mut pending = VecDeque::from([first]);
        let mut deleted_first = None;
        while let Some(k) = pending.pop_front() {
            let Some(mut object) = state.objects.remove(&k) else {
                continue;
            };
            state.rv += 1;
            object["metadata"]["resourceVersion"] = json!(state.rv.to_string());
            object["metadata"]["deletionTimestamp"] = json!(now());
            object["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            let uid = object["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            self.record(state, EventType::Deleted, k.plural, object.clone(), None);
            deleted_first.get_or_insert(object);
            let dependents: Vec<Key> = state
                .objects
                .iter()
                .filter(|(_, v)| owned_by(v, &uid))
                .map(|(k, _)| k.clone())
                .collect();
            match propagation {
                Propagation::Delete => pending.extend(dependents),
                Propagation::Orphan => {
                    for dk in dependents {
                        self.drop_owner(state, &dk, &uid);
                    }
                }
            }
        }
        deleted_first.unwrap_or(Value::Null)
    }

    fn drop_owner(&self, state: &mut State, k: &Key, uid: &str) {
        let Some(current) = state.objects.get(k).cloned() else {
            return;
        };
        let mut next = current.clone();
        if let Some(refs) = next["metadata"]["ownerReferences"].as_array_mut() {
            refs.retain(|r| r["uid"].as_str() != Some(uid));
        }
        state.rv += 1;
        next["metadata"]["resourceVersion"] = json!(state.rv.to_string());
        state.objects.insert(k.clone(), next.clone());
        self.record(state, EventType::Modified, k.plural, next, Some(current));
    }
}

fn owned_by(object: &Value, uid: &str) -> bool {
    object["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| refs.iter().any(|r| r["uid"].as_str() == Some(uid)))
}

fn key(rt: &ResourceType, namespace: &str, name: &str) -> Key {
    Key {
        plural: rt.plural,
        namespace: namespace.to_string(),
        name: name.to_string(),
    }
}

fn not_found(rt: &ResourceType, name: &str) -> ApiError {
    ApiError::NotFound {
        resource: rt.plural.into(),
        name: name.into(),
    }
}

fn invalid(rt: &ResourceType, name: &str, causes: Vec<String>) -> ApiError {
    ApiError::Invalid {
        kind: rt.kind.into(),
        name: name.into(),
        causes,
    }
}

/// Refuses a body that is not an object with object `metadata`, `spec` and `status` (when
/// present), or of another kind or apiVersion than the path names.
fn check_shape(rt: &ResourceType, object: &Value) -> Result<(), ApiError> {
    if !object.is_object() {
        return Err(ApiError::BadRequest("the body is not a JSON object".into()));
    }
    for field in ["metadata", "spec", "status"] {
        if !(object[field].is_null() || object[field].is_object()) {
            return Err(ApiError::BadRequest(format!("{field} must be an object")));
        }
    }
    let kind = object["kind"].as_str().unwrap_or(rt.kind);
    let api_version = object["apiVersion"].as_str().unwrap_or(rt.api_version());
    if kind != rt.kind || api_version != rt.api_version() {
        return Err(ApiError::BadRequest(format!(
            "the API version in the data ({api_version}) and kind ({kind}) do not match the \
             {} {} of the request path",
            rt.api_version(),
            rt.kind
        )));
    }
    Ok(())
}

/// Moves a Secret's `stringData` into `data`, base64-encoded, as the API server does on write.
fn fold_string_data(secret: &mut Value) -> Result<(), ApiError> {
    let Some(string_data) = secret.as_object_mut().and_then(|o| o.remove("stringData")) else {
        return Ok(());
    };
    let Value::Object(entries) = string_data else {
        return Err(ApiError::BadRequest(
            "stringData must be a map of strings".into(),
        ));
    };
    if !secret["data"].is_object() {
        secret["data"] = json!({});
    }
    for (k, v) in entries {
        let text = v
            .as_str()
            .ok_or_else(|| ApiError::BadRequest(format!("stringData.{k} must be a string")))?;
        secret["data"][k] = json!(base64::engine::general_purpose::STANDARD.encode(text));
    }
    Ok(())
}

/// The defaults the API server fills in on create.
fn set_defaults(rt: &ResourceType, object: &mut Value, state: &mut State) -> Result<(), ApiError> {
    match rt.plural {
        "pods" => {
            if object["spec"]["restartPolicy"].is_null() {
                object["spec"]["restartPolicy"] = json!("Always");
            }
            object["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"});
        }
        "secrets" => {
            fold_string_data(object)?;
            if object["type"].is_null() {
                object["type"] = json!("Opaque");
            }
        }
        "services" => {
            if object["spec"]["clusterIP"].is_null() {
                state.next_cluster_ip += 1;
                let n = state.next_cluster_ip;
                let ip = format!("10.96.{}.{}", (n >> 8) & 0xff, n & 0xff);
                object["spec"]["clusterIP"] = json!(ip);
                object["spec"]["clusterIPs"] = json!([ip]);
            }
            if object["spec"]["type"].is_null() {
                object["spec"]["type"] = json!("ClusterIP");
            }
            object["status"] = json!({"loadBalancer": {}});
        }
        "persistentvolumeclaims" => object["status"] = json!({"phase": "Bound"}),
        "jobs" if object["status"].is_null() => object["status"] = json!({}),
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::resources::by_plural;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}, "l": [1, 2]});
        merge_patch(
            &mut target,
            &json!({"a": "z", "c": {"f": null}, "l": [3], "n": {"x": 1}}),
        );
        assert_eq!(
            target,
            json!({"a": "z", "c": {"d": "e"}, "l": [3], "n": {"x": 1}})
        );
    }

    #[test]
    fn deleting_an_owner_deletes_its_dependents_recursively() {
        let store = Store::default();
        let pods = by_plural("pods").expect("pods");
        let secrets = by_plural("secrets").expect("secrets");
        let cms = by_plural("configmaps").expect("configmaps");
        let owner = store
            .create(
                &pods,
                "ns",
                json!({"metadata": {"name": "driver"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}),
            )
            .expect("create pod");
        let uid = owner["metadata"]["uid"].as_str().expect("uid").to_string();
        let secret = store
            .create(
                &secrets,
                "ns",
                json!({"metadata": {"name": "s", "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "driver", "uid": uid}]},
                       "stringData": {"k": "v"}}),
            )
            .expect("create secret");
        assert_eq!(secret["data"]["k"], "dg==");
        let suid = secret["metadata"]["uid"].as_str().expect("uid").to_string();
        store
            .create(
                &cms,
                "ns",
                json!({"metadata": {"name": "grandchild", "ownerReferences": [{"apiVersion": "v1", "kind": "Secret", "name": "s", "uid": suid}]}}),
            )
            .expect("create configmap");
        store
            .create(&cms, "ns", json!({"metadata": {"name": "unrelated"}}))
            .expect("create configmap");
        let before = store.resource_version();
        store
            .delete(&pods, "ns", "driver", Propagation::Delete)
            .expect("delete");
        let deleted: Vec<String> = store
            .events_since(before)
            .expect("history")
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e.kind.as_str(),
                    e.object["metadata"]["name"].as_str().unwrap_or("?")
                )
            })
            .collect();
        assert_eq!(
            deleted,
            ["DELETED driver", "DELETED s", "DELETED grandchild"]
        );
        let (left, _) = store.list(&cms, Some("ns"), &Selectors::default());
        assert_eq!(left.len(), 1);
        assert_eq!(left[0]["metadata"]["name"], "unrelated");
    }
}
