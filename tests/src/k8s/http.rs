//! The HTTP side: an HTTP/1.1 server on hyper that routes the Kubernetes REST paths kube-rs
//! requests to the store, and answers errors as `Status` objects.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::error::ApiError;
use super::resources::{RESOURCES, ResourceType, lookup};
use super::selector::{FieldSelector, LabelSelector, Selectors};
use super::store::{Propagation, Store, merge_patch};
use super::watch::{self as watching, Start, WatchRequest};

/// A response body: a whole JSON document or a watch stream.
pub type Body = UnsyncBoxBody<Bytes, Infallible>;

/// What every request handler shares.
pub struct Server {
    /// The objects.
    pub store: Arc<Store>,
    /// Becomes true when the server stops; ends connections and watches.
    pub shutdown: watch::Receiver<bool>,
    /// `METHOD path?query` of every request, in arrival order.
    pub requests: Mutex<Vec<String>>,
}

/// Accepts connections until shutdown.
pub async fn serve(listener: TcpListener, server: Arc<Server>) {
    let mut shutdown = server.shutdown.clone();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = shutdown.wait_for(|stop| *stop) => return,
        };
        let server = Arc::clone(&server);
        tokio::spawn(async move {
            let mut shutdown = server.shutdown.clone();
            let service = hyper::service::service_fn(move |req| {
                let server = Arc::clone(&server);
                async move { Ok::<_, Infallible>(handle(&server, req).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = shutdown.wait_for(|stop| *stop) => {}
            }
        });
    }
}

fn json_response(code: StatusCode, value: &Value) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(value.to_string())).boxed_unsync());
    *response.status_mut() = code;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn error_response(error: &ApiError) -> Response<Body> {
    let code = StatusCode::from_u16(error.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(code, &error.status())
}

async fn handle(server: &Server, req: Request<Incoming>) -> Response<Body> {
    let line = format!(
        "{} {}",
        req.method(),
        req.uri().path_and_query().map_or("", |p| p.as_str())
    );
    server
        .requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(line);
    match dispatch(server, req).await {
        Ok(response) => response,
        Err(error) => error_response(&error),
    }
}

/// What a path names.
#[derive(Debug, PartialEq)]
enum Route {
    Version,
    CoreVersions,
    Groups,
    Resources(&'static str),
    Namespace(String),
    Collection {
        rt: ResourceType,
        namespace: Option<String>,
    },
    Object {
        rt: ResourceType,
        namespace: String,
        name: String,
        status: bool,
    },
}

fn route(path: &str) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let not_found = || ApiError::NotFound {
        resource: path.to_string(),
        name: String::new(),
    };
    let (group, rest) = match segments.as_slice() {
        ["version"] => return Ok(Route::Version),
        ["api"] => return Ok(Route::CoreVersions),
        ["apis"] => return Ok(Route::Groups),
        ["api", "v1"] => return Ok(Route::Resources("")),
        ["apis", "batch", "v1"] => return Ok(Route::Resources("batch")),
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", "batch", "v1", rest @ ..] => ("batch", rest),
        _ => return Err(not_found()),
    };
    let rt = |plural: &str| lookup(group, plural).ok_or_else(not_found);
    match rest {
        [plural] => Ok(Route::Collection {
            rt: rt(plural)?,
            namespace: None,
        }),
        ["namespaces", ns] if group.is_empty() => Ok(Route::Namespace(ns.to_string())),
        ["namespaces", ns, plural] => Ok(Route::Collection {
            rt: rt(plural)?,
            namespace: Some(ns.to_string()),
        }),
        ["namespaces", ns, plural, name] => Ok(Route::Object {
            rt: rt(plural)?,
            namespace: ns.to_string(),
            name: name.to_string(),
            status: false,
        }),
        ["namespaces", ns, plural, name, "status"] => {
            let rt = rt(plural)?;
            if !rt.has_status {
                return Err(not_found());
            }
            Ok(Route::Object {
                rt,
                namespace: ns.to_string(),
                name: name.to_string(),
                status: true,
            })
        }
        _ => Err(not_found()),
    }
}

fn query(req: &Request<Incoming>) -> HashMap<String, String> {
    form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn selectors(query: &HashMap<String, String>) -> Result<Selectors, ApiError> {
    let get = |k: &str| query.get(k).map_or("", String::as_str);
    Ok(Selectors {
        labels: LabelSelector::parse(get("labelSelector"))?,
        fields: FieldSelector::parse(get("fieldSelector"))?,
    })
}

async fn read_body(req: Request<Incoming>) -> Result<Bytes, ApiError> {
    req.into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| ApiError::BadRequest(format!("cannot read the request body: {e}")))
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))
}

fn method_not_allowed(method: &Method) -> ApiError {
    ApiError::MethodNotAllowed(format!(
        "the server does not allow this method on the requested resource ({method})"
    ))
}

async fn dispatch(server: &Server, req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
    let route = route(req.uri().path())?;
    let query = query(&req);
    let method = req.method().clone();
    let ok = |v: &Value| Ok(json_response(StatusCode::OK, v));
    match (route, &method) {
        (Route::Version, &Method::GET) => ok(&json!({
            "major": "1", "minor": "33", "gitVersion": "v1.33.0-ember-standin",
            "gitCommit": "", "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z",
            "goVersion": "go1.24", "compiler": "gc", "platform": "linux/amd64",
        })),
        (Route::CoreVersions, &Method::GET) => ok(&json!({
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
        })),
        (Route::Groups, &Method::GET) => ok(&json!({
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": [{
                "name": "batch",
                "versions": [{"groupVersion": "batch/v1", "version": "v1"}],
                "preferredVersion": {"groupVersion": "batch/v1", "version": "v1"},
            }],
        })),
        (Route::Resources(group), &Method::GET) => ok(&resource_list(group)),
        (Route::Namespace(ns), &Method::GET) => ok(&json!({
            "kind": "Namespace", "apiVersion": "v1",
            "metadata": {"name": ns}, "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        })),
        (Route::Collection { rt, namespace }, &Method::GET) => {
            let selectors = selectors(&query)?;
            if matches!(query.get("watch").map(String::as_str), Some("true" | "1")) {
                return watch(server, rt, namespace, selectors, &query);
            }
            list(server, &rt, namespace.as_deref(), &selectors, &query)
        }
        (
            Route::Collection {
                rt,
                namespace: Some(ns),
            },
            &Method::POST,
        ) => {
            let object = parse_json(&read_body(req).await?)?;
            let created = server.store.create(&rt, &ns, object)?;
            Ok(json_response(StatusCode::CREATED, &created))
        }
        (
            Route::Collection {
                rt,
                namespace: Some(ns),
            },
            &Method::DELETE,
        ) => {
            let selectors = selectors(&query)?;
            let propagation = propagation(&rt, &query, &read_body(req).await?)?;
            let items = server
                .store
                .delete_collection(&rt, &ns, &selectors, propagation);
            ok(&json!({
                "kind": rt.list_kind(), "apiVersion": rt.api_version(),
                "metadata": {"resourceVersion": server.store.resource_version().to_string()},
                "items": items,
            }))
        }
        (
            Route::Object {
                rt,
                namespace,
                name,
                ..
            },
            &Method::GET,
        ) => ok(&server.store.get(&rt, &namespace, &name)?),
        (
            Route::Object {
                rt,
                namespace,
                name,
                status,
            },
            &Method::PUT,
        ) => {
            let object = parse_json(&read_body(req).await?)?;
            ok(&server
                .store
                .update(&rt, &namespace, &name, status, |_| Ok(object))?)
        }
        (
            Route::Object {
                rt,
                namespace,
                name,
                status,
            },
            &Method::PATCH,
        ) => {
            let content_type = req
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let patch = parse_json(&read_body(req).await?)?;
            let media = content_type.split(';').next().unwrap_or_default().trim();
            match media {
                "application/merge-patch+json" | "application/strategic-merge-patch+json" => {}
                "application/apply-patch+yaml" => {
                    // Server-side apply creates a missing object; otherwise it merges.
                    if !status && server.store.get(&rt, &namespace, &name).is_err() {
                        let mut object = patch;
                        merge_patch(&mut object, &json!({"metadata": {"name": name}}));
                        let created = server.store.create(&rt, &namespace, object)?;
                        return Ok(json_response(StatusCode::CREATED, &created));
                    }
                }
                other => {
                    return Err(ApiError::UnsupportedMediaType(format!(
                        "the stand-in does not serve patch type \"{other}\"; use a merge patch"
                    )));
                }
            }
            ok(&server
                .store
                .update(&rt, &namespace, &name, status, |current| {
                    let mut next = current.clone();
                    merge_patch(&mut next, &patch);
                    Ok(next)
                })?)
        }
        (
            Route::Object {
                rt,
                namespace,
                name,
                status: false,
            },
            &Method::DELETE,
        ) => {
            let propagation = propagation(&rt, &query, &read_body(req).await?)?;
            ok(&server.store.delete(&rt, &namespace, &name, propagation)?)
        }
        (_, method) => Err(method_not_allowed(method)),
    }
}

/// The propagation policy of a delete, from its `DeleteOptions` body or its query. Without
/// one, dependents are deleted, except for Jobs: batch/v1 keeps the old default of orphaning
/// a Job's pods.
fn propagation(
    rt: &ResourceType,
    query: &HashMap<String, String>,
    body: &[u8],
) -> Result<Propagation, ApiError> {
    let options = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        parse_json(body)?
    };
    let policy = options["propagationPolicy"]
        .as_str()
        .or_else(|| query.get("propagationPolicy").map(String::as_str));
    let orphan = options["orphanDependents"].as_bool() == Some(true);
    match policy {
        Some("Orphan") => Ok(Propagation::Orphan),
        Some("Background" | "Foreground") => Ok(Propagation::Delete),
        None if orphan || rt.plural == "jobs" => Ok(Propagation::Orphan),
        None => Ok(Propagation::Delete),
        Some(other) => Err(ApiError::BadRequest(format!(
            "unknown propagationPolicy \"{other}\""
        ))),
    }
}

fn list(
    server: &Server,
    rt: &ResourceType,
    namespace: Option<&str>,
    selectors: &Selectors,
    query: &HashMap<String, String>,
) -> Result<Response<Body>, ApiError> {
    let (items, rv) = server.store.list(rt, namespace, selectors);
    let limit = match query.get("limit") {
        Some(l) => l
            .parse::<usize>()
            .map_err(|_| ApiError::BadRequest(format!("invalid limit \"{l}\"")))?,
        None => 0,
    };
    // The continue token is the namespace/name of the last object returned.
    let after = query.get("continue").filter(|c| !c.is_empty());
    let position = |item: &Value| {
        let meta = &item["metadata"];
        format!(
            "{}/{}",
            meta["namespace"].as_str().unwrap_or_default(),
            meta["name"].as_str().unwrap_or_default()
        )
    };
    let mut items: Vec<Value> = items
        .into_iter()
        .filter(|item| after.is_none_or(|a| position(item).as_str() > a.as_str()))
        .collect();
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if limit > 0 && items.len() > limit {
        let remaining = items.len() - limit;
        items.truncate(limit);
        if let Some(last) = items.last() {
            metadata["continue"] = json!(position(last));
            metadata["remainingItemCount"] = json!(remaining);
        }
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "kind": rt.list_kind(),
            "apiVersion": rt.api_version(),
            "metadata": metadata,
            "items": items,
        }),
    ))
}

fn watch(
    server: &Server,
    rt: ResourceType,
    namespace: Option<String>,
    selectors: Selectors,
    query: &HashMap<String, String>,
) -> Result<Response<Body>, ApiError> {
    let initial_events = query.get("sendInitialEvents").map(String::as_str) == Some("true");
    let start = match query.get("resourceVersion").map(String::as_str) {
        None | Some("" | "0") => Start::Current {
            initial_events_end: initial_events,
        },
        Some(_) if initial_events => Start::Current {
            initial_events_end: true,
        },
        Some(rv) => Start::After(
            rv.parse()
                .map_err(|_| ApiError::BadRequest(format!("invalid resourceVersion \"{rv}\"")))?,
        ),
    };
    let deadline = match query.get("timeoutSeconds") {
        Some(t) => Some(
            tokio::time::Instant::now()
                + Duration::from_secs(t.parse().map_err(|_| {
                    ApiError::BadRequest(format!("invalid timeoutSeconds \"{t}\""))
                })?),
        ),
        None => None,
    };
    let request = WatchRequest {
        rt,
        namespace,
        selectors,
        start,
        deadline,
    };
    let body = watching::body(Arc::clone(&server.store), request, server.shutdown.clone());
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}

/// The discovery document of a group version (`/api/v1`, `/apis/batch/v1`).
fn resource_list(group: &str) -> Value {
    let verbs = [
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    ];
    let mut resources = Vec::new();
    for rt in RESOURCES.iter().filter(|r| r.group == group) {
        resources.push(json!({
            "name": rt.plural, "singularName": rt.kind.to_lowercase(), "namespaced": true,
            "kind": rt.kind, "verbs": verbs,
        }));
        if rt.has_status {
            resources.push(json!({
                "name": format!("{}/status", rt.plural), "singularName": "", "namespaced": true,
                "kind": rt.kind, "verbs": ["get", "patch", "update"],
            }));
        }
    }
    let group_version = if group.is_empty() {
        "v1".to_string()
    } else {
        format!("{group}/v1")
    };
    json!({
        "kind": "APIResourceList", "apiVersion": "v1",
        "groupVersion": group_version, "resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_route_like_the_api_server() {
        let pods = lookup("", "pods").expect("pods");
        let jobs = lookup("batch", "jobs").expect("jobs");
        assert_eq!(route("/version"), Ok(Route::Version));
        assert_eq!(
            route("/api/v1/pods"),
            Ok(Route::Collection {
                rt: pods,
                namespace: None
            })
        );
        assert_eq!(
            route("/api/v1/namespaces/ns/pods/p/status"),
            Ok(Route::Object {
                rt: pods,
                namespace: "ns".into(),
                name: "p".into(),
                status: true
            })
        );
        assert_eq!(
            route("/apis/batch/v1/namespaces/ns/jobs"),
            Ok(Route::Collection {
                rt: jobs,
                namespace: Some("ns".into())
            })
        );
        for missing in [
            "/api/v1/namespaces/ns/jobs",
            "/apis/apps/v1/deployments",
            "/x",
        ] {
            assert_eq!(route(missing).map_err(|e| e.code()), Err(404), "{missing}");
        }
        assert!(route("/api/v1/namespaces/ns/secrets/s/status").is_err());
    }

    #[test]
    fn delete_options_choose_propagation() {
        let q = HashMap::new();
        let pods = lookup("", "pods").expect("pods");
        let jobs = lookup("batch", "jobs").expect("jobs");
        assert_eq!(propagation(&pods, &q, b""), Ok(Propagation::Delete));
        assert_eq!(propagation(&jobs, &q, b""), Ok(Propagation::Orphan));
        assert_eq!(
            propagation(&jobs, &q, br#"{"propagationPolicy":"Background"}"#),
            Ok(Propagation::Delete)
        );
        assert_eq!(
            propagation(&pods, &q, br#"{"propagationPolicy":"Orphan"}"#),
            Ok(Propagation::Orphan)
        );
        assert_eq!(
            propagation(&pods, &q, br#"{"orphanDependents":true}"#),
            Ok(Propagation::Orphan)
        );
        assert_eq!(
            propagation(&pods, &q, b"{oops").map_err(|e| e.code()),
            Err(400)
        );
    }
}
