//! Watch responses: newline-delimited JSON events streamed over a chunked response until the
//! client leaves, `timeoutSeconds` passes or the server stops.
//!
//! kube-runtime's default watcher lists first and then watches from the list's
//! resourceVersion (`?watch=true&resourceVersion=N&allowWatchBookmarks=true`); its streaming-list
//! mode instead sends `sendInitialEvents=true&resourceVersion=0` and waits for a BOOKMARK
//! annotated `k8s.io/initial-events-end`. Both are served here.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::time::Instant;

use super::http::Body;
use super::resources::ResourceType;
use super::selector::Selectors;
use super::store::{Event, EventType, Store};

/// Where a watch starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// No resourceVersion or "0": the current objects first, as ADDED events, then changes;
    /// with `initial_events_end` a BOOKMARK marks the end of the initial objects.
    Current { initial_events_end: bool },
    /// Changes after this resourceVersion.
    After(u64),
}

/// What one watch request asked for.
pub struct WatchRequest {
    /// The resource type.
    pub rt: ResourceType,
    /// The namespace, or all.
    pub namespace: Option<String>,
    /// Selected objects only.
    pub selectors: Selectors,
    /// Where to start.
    pub start: Start,
    /// When to end the response (from `timeoutSeconds`).
    pub deadline: Option<Instant>,
}

struct Stream {
    store: Arc<Store>,
    request: WatchRequest,
    queue: VecDeque<Bytes>,
    last_rv: u64,
    changed: watch::Receiver<u64>,
    shutdown: watch::Receiver<bool>,
    done: bool,
}

fn line(kind: &str, object: &Value) -> Bytes {
    let mut text = json!({"type": kind, "object": object}).to_string();
    text.push('\n');
    Bytes::from(text)
}

impl Stream {
    fn in_scope(&self, event: &Event) -> bool {
        event.plural == self.request.rt.plural
            && self
                .request
                .namespace
                .as_deref()
                .is_none_or(|ns| ns == event.namespace)
    }

    /// The event this watcher sees, if any: an object that stops matching the selectors is
    /// DELETED for it, one that starts matching is ADDED.
    fn render(&self, event: &Event) -> Option<Bytes> {
        if !self.in_scope(event) {
            return None;
        }
        let selected = |o: &Value| self.request.selectors.matches(o);
        let kind = match event.kind {
            EventType::Added | EventType::Deleted => selected(&event.object).then_some(event.kind),
            EventType::Modified => {
                let before = event.previous.as_ref().is_some_and(selected);
                match (before, selected(&event.object)) {
                    (true, true) => Some(EventType::Modified),
                    (false, true) => Some(EventType::Added),
                    (true, false) => Some(EventType::Deleted),
                    (false, false) => None,
                }
            }
        }?;
        Some(line(kind.as_str(), &event.object))
    }

    fn catch_up(&mut self) {
        match self.store.events_since(self.last_rv) {
            Ok(events) => {
                for event in events {
                    self.last_rv = event.rv;
                    if let Some(bytes) = self.render(&event) {
                        self.queue.push_back(bytes);
                    }
                }
            }
            Err(e) => {
                self.queue.push_back(line("ERROR", &e.status()));
                self.done = true;
            }
        }
    }

    async fn next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(bytes) = self.queue.pop_front() {
                return Some(bytes);
            }
            if self.done || *self.shutdown.borrow() {
                return None;
            }
            // Mark the current version seen before reading, so a change made after the read
            // wakes the wait below.
            self.changed.borrow_and_update();
            self.catch_up();
            if !self.queue.is_empty() {
                continue;
            }
            let deadline = self.request.deadline;
            let timeout = async move {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                changed = self.changed.changed() => if changed.is_err() { return None },
                _ = self.shutdown.changed() => return None,
                _ = timeout => return None,
            }
        }
    }
}

/// The streaming body of a watch response.
pub fn body(store: Arc<Store>, request: WatchRequest, shutdown: watch::Receiver<bool>) -> Body {
    let changed = store.subscribe();
    let mut stream = Stream {
        store,
        request,
        queue: VecDeque::new(),
        last_rv: 0,
        changed,
        shutdown,
        done: false,
    };
    match stream.request.start {
        Start::Current { initial_events_end } => {
            let (items, rv) = stream.store.list(
                &stream.request.rt,
                stream.request.namespace.as_deref(),
                &stream.request.selectors,
            );
            stream.last_rv = rv;
            stream
                .queue
                .extend(items.iter().map(|item| line("ADDED", item)));
            if initial_events_end {
                let rt = stream.request.rt;
                let bookmark = json!({
                    "kind": rt.kind,
                    "apiVersion": rt.api_version(),
                    "metadata": {
                        "resourceVersion": rv.to_string(),
                        "annotations": {"k8s.io/initial-events-end": "true"},
                    },
                });
                stream.queue.push_back(line("BOOKMARK", &bookmark));
            }
        }
        Start::After(rv) => stream.last_rv = rv,
    }
    let frames = futures::stream::unfold(stream, |mut stream| async move {
        let bytes = stream.next().await?;
        Some((Ok::<_, Infallible>(Frame::data(bytes)), stream))
    });
    BodyExt::boxed_unsync(StreamBody::new(frames))
}
