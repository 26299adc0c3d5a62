//! The errors the stand-in answers with, as Kubernetes `Status` objects.
//!
//! kube-rs turns a non-2xx response whose body parses as a `Status` into `kube::Error::Api`, and
//! callers match on its `code` and `reason` (409 AlreadyExists, 404 NotFound...), so every error
//! carries the code and reason the real API server would use.

use serde_json::{Value, json};

/// An API error, answered as a `Status` with the matching HTTP code.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 404: no such object (or no such resource type when `name` is empty).
    NotFound { resource: String, name: String },
    /// 409: creating an object whose name is taken.
    AlreadyExists { resource: String, name: String },
    /// 409: an update carried a stale `metadata.resourceVersion`.
    Conflict { resource: String, name: String },
    /// 422: the object fails validation; one message per invalid field.
    Invalid {
        kind: String,
        name: String,
        causes: Vec<String>,
    },
    /// 400: a request that cannot be parsed (body, selector, query).
    BadRequest(String),
    /// 405: a verb the path does not support.
    MethodNotAllowed(String),
    /// 410: a watch asked for events older than the kept history.
    Expired(String),
    /// 415: a patch type the stand-in does not implement (JSON Patch).
    UnsupportedMediaType(String),
}

impl ApiError {
    /// The HTTP status code.
    pub fn code(&self) -> u16 {
        match self {
            ApiError::NotFound { .. } => 404,
            ApiError::AlreadyExists { .. } | ApiError::Conflict { .. } => 409,
            ApiError::Invalid { .. } => 422,
            ApiError::BadRequest(_) => 400,
            ApiError::MethodNotAllowed(_) => 405,
            ApiError::Expired(_) => 410,
            ApiError::UnsupportedMediaType(_) => 415,
        }
    }

    fn reason(&self) -> &'static str {
        match self {
            ApiError::NotFound { .. } => "NotFound",
            ApiError::AlreadyExists { .. } => "AlreadyExists",
            ApiError::Conflict { .. } => "Conflict",
            ApiError::Invalid { .. } => "Invalid",
            ApiError::BadRequest(_) => "BadRequest",
            ApiError::MethodNotAllowed(_) => "MethodNotAllowed",
            ApiError::Expired(_) => "Expired",
            ApiError::UnsupportedMediaType(_) => "UnsupportedMediaType",
        }
    }

    /// The message, worded as the real API server words it.
    pub fn message(&self) -> String {
        match self {
            ApiError::NotFound { resource, name } if name.is_empty() => {
                format!("the server could not find the requested resource ({resource})")
            }
            ApiError::NotFound { resource, name } => format!("{resource} \"{name}\" not found"),
            ApiError::AlreadyExists { resource, name } => {
                format!("{resource} \"{name}\" already exists")
            }
            ApiError::Conflict { resource, name } => format!(
                "Operation cannot be fulfilled on {resource} \"{name}\": the object has been \
                 modified; please apply your changes to the latest version and try again"
            ),
            ApiError::Invalid { kind, name, causes } => {
                format!("{kind} \"{name}\" is invalid: {}", causes.join(", "))
            }
            ApiError::BadRequest(m)
            | ApiError::MethodNotAllowed(m)
            | ApiError::Expired(m)
            | ApiError::UnsupportedMediaType(m) => m.clone(),
        }
    }

    /// The `Status` object kube-rs parses into `kube::Error::Api`.
    pub fn status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message(),
            "reason": self.reason(),
            "code": self.code(),
        });
        let details = match self {
            ApiError::NotFound { resource, name }
            | ApiError::AlreadyExists { resource, name }
            | ApiError::Conflict { resource, name } => {
                Some(json!({"name": name, "kind": resource}))
            }
            ApiError::Invalid { kind, name, causes } => Some(json!({
                "name": name,
                "kind": kind,
                "causes": causes.iter().map(|c| json!({"message": c})).collect::<Vec<_>>(),
            })),
            _ => None,
        };
        if let Some(details) = details {
            status["details"] = details;
        }
        status
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message(), self.code())
    }
}

impl std::error::Error for ApiError {}
