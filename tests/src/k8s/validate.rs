//! Kubernetes name and label validation, so that a launcher that would be refused by a real
//! cluster (an upper-case pod name, a label value longer than 63 characters) is refused here too,
//! with the same 422 Invalid.

use serde_json::Value;

use super::resources::{NameRule, ResourceType};

fn alnum_lower(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// RFC 1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric, ≤ 63.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| alnum_lower(c) || c == '-')
        && s.starts_with(alnum_lower)
        && s.ends_with(alnum_lower)
}

/// RFC 1035 label: an RFC 1123 label that starts with a letter (service names).
pub fn is_dns1035_label(s: &str) -> bool {
    is_dns_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// RFC 1123 subdomain: dot-separated labels, ≤ 253 in all.
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// A label value: empty, or ≤ 63 of `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`.
pub fn is_label_value(s: &str) -> bool {
    s.is_empty() || is_qualified_name_part(s)
}

fn is_qualified_name_part(s: &str) -> bool {
    let inner = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(inner)
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// A label (or annotation) key: an optional DNS-subdomain prefix and '/', then a name of ≤ 63
/// characters with the label-value charset.
pub fn is_label_key(s: &str) -> bool {
    match s.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_qualified_name_part(name),
        None => is_qualified_name_part(s),
    }
}

/// Every validation failure of `object` of type `rt`, as messages worded like the API server's.
pub fn validate(rt: &ResourceType, object: &Value) -> Vec<String> {
    let mut causes = Vec::new();
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    let name_ok = match rt.name_rule {
        NameRule::Subdomain => is_dns_subdomain(name),
        NameRule::Label1035 => is_dns1035_label(name),
    };
    if !name_ok {
        causes.push(match rt.name_rule {
            NameRule::Subdomain => format!(
                "metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must \
                 consist of lower case alphanumeric characters, '-' or '.', and must start and \
                 end with an alphanumeric character"
            ),
            NameRule::Label1035 => format!(
                "metadata.name: Invalid value: \"{name}\": a DNS-1035 label must consist of lower \
                 case alphanumeric characters or '-', start with an alphabetic character, and \
                 end with an alphanumeric character"
            ),
        });
    }
    match &object["metadata"]["labels"] {
        Value::Null => {}
        Value::Object(labels) => {
            for (key, value) in labels {
                if !is_label_key(key) {
                    causes.push(format!(
                        "metadata.labels: Invalid value: \"{key}\": name part must consist of \
                         alphanumeric characters, '-', '_' or '.', and must start and end with an \
                         alphanumeric character (at most 63 characters, with an optional DNS \
                         subdomain prefix and '/')"
                    ));
                }
                match value.as_str() {
                    Some(v) if is_label_value(v) => {}
                    Some(v) => causes.push(format!(
                        "metadata.labels: Invalid value: \"{v}\": a valid label must be an empty \
                         string or consist of alphanumeric characters, '-', '_' or '.', and must \
                         start and end with an alphanumeric character (at most 63 characters)"
                    )),
                    None => causes.push(format!("metadata.labels.{key}: must be a string")),
                }
            }
        }
        _ => causes.push("metadata.labels: must be a map of strings".to_string()),
    }
    match &object["metadata"]["annotations"] {
        Value::Null => {}
        Value::Object(annotations) => {
            for (key, value) in annotations {
                if !is_label_key(key) {
                    causes.push(format!("metadata.annotations: Invalid value: \"{key}\""));
                }
                if !value.is_string() {
                    causes.push(format!("metadata.annotations.{key}: must be a string"));
                }
            }
        }
        _ => causes.push("metadata.annotations: must be a map of strings".to_string()),
    }
    if rt.plural == "pods" {
        validate_pod_spec(&object["spec"], &mut causes);
    }
    causes
}

fn validate_pod_spec(spec: &Value, causes: &mut Vec<String>) {
    let containers = spec["containers"].as_array().map(Vec::as_slice);
    match containers {
        None | Some([]) => causes.push("spec.containers: Required value".to_string()),
        Some(containers) => {
            let mut names = std::collections::HashSet::new();
            for (i, c) in containers.iter().enumerate() {
                let name = c["name"].as_str().unwrap_or_default();
                if !is_dns_label(name) {
                    causes.push(format!(
                        "spec.containers[{i}].name: Invalid value: \"{name}\": a lowercase RFC \
                         1123 label is required"
                    ));
                } else if !names.insert(name) {
                    causes.push(format!(
                        "spec.containers[{i}].name: Duplicate value: \"{name}\""
                    ));
                }
                if c["image"].as_str().is_none_or(str::is_empty) {
                    causes.push(format!("spec.containers[{i}].image: Required value"));
                }
            }
        }
    }
    if let Some(volumes) = spec["volumes"].as_array() {
        for (i, v) in volumes.iter().enumerate() {
            let name = v["name"].as_str().unwrap_or_default();
            if !is_dns_label(name) {
                causes.push(format!("spec.volumes[{i}].name: Invalid value: \"{name}\""));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rfc_1123() {
        assert!(is_dns_subdomain("spark-exec-1"));
        assert!(is_dns_subdomain("a.b-c.d"));
        assert!(!is_dns_subdomain("Upper"));
        assert!(!is_dns_subdomain("-lead"));
        assert!(!is_dns_subdomain("trail-"));
        assert!(!is_dns_subdomain("a..b"));
        assert!(!is_dns_subdomain(&"a".repeat(64)));
        assert!(is_dns_subdomain(
            &["a".repeat(63), "b".repeat(63)].join(".")
        ));
        assert!(!is_dns_subdomain(&vec!["a".repeat(63); 4].join(".")));
        assert!(is_dns1035_label("svc-1"));
        assert!(!is_dns1035_label("1svc"));
    }

    #[test]
    fn labels_follow_kubernetes_rules() {
        assert!(is_label_value(""));
        assert!(is_label_value("Spark_App.1-x"));
        assert!(!is_label_value("-x"));
        assert!(!is_label_value(&"v".repeat(64)));
        assert!(is_label_key("spark-role"));
        assert!(is_label_key("spark.apache.org/app-id"));
        assert!(!is_label_key("Bad Prefix/x"));
        assert!(!is_label_key("a/b/c"));
        assert!(!is_label_key("/x"));
    }
}
