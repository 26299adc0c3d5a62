//! Kubernetes naming rules, checked before a request is sent: an API server rejects a pod whose
//! name or labels break them, and its error arrives late and far from the key that caused it.

use super::KubernetesError;

/// Longest DNS label (RFC 1123): pod host names, service names, label names.
pub const MAX_LABEL: usize = 63;

/// Longest pod name prefix: leaves room for `-exec-<id>` within a DNS label (Spark uses 47).
pub const MAX_POD_NAME_PREFIX: usize = 47;

/// Whether `s` is an RFC 1123 DNS label: lowercase letters, digits and `-`, starting and ending
/// with a letter or digit, at most 63 characters.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_LABEL
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Whether `s` is an RFC 1123 DNS subdomain: dot-separated DNS labels, at most 253 characters.
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// Checks a resource name (pods, secrets, config maps, claims: DNS subdomains).
pub fn check_name(what: &str, name: &str) -> Result<(), KubernetesError> {
    if is_dns_subdomain(name) {
        Ok(())
    } else {
        Err(KubernetesError::InvalidName {
            what: what.to_string(),
            value: name.to_string(),
            reason: "must be lowercase letters, digits, '-' and '.', start and end with a letter or digit, at most 253 characters".into(),
        })
    }
}

/// Checks a label (or annotation) key: an optional DNS-subdomain prefix and `/`, then a name of
/// at most 63 letters, digits, `-`, `_` and `.` starting and ending with a letter or digit.
pub fn check_label_key(key: &str) -> Result<(), KubernetesError> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let name_ok = !name.is_empty()
        && name.len() <= MAX_LABEL
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric();
    if name_ok && prefix.is_none_or(is_dns_subdomain) {
        Ok(())
    } else {
        Err(KubernetesError::InvalidName {
            what: "label key".into(),
            value: key.to_string(),
            reason:
                "must be [prefix/]name with a name of at most 63 letters, digits, '-', '_' and '.'"
                    .into(),
        })
    }
}

/// Checks a label value: empty, or at most 63 letters, digits, `-`, `_` and `.` starting and
/// ending with a letter or digit.
pub fn check_label_value(key: &str, value: &str) -> Result<(), KubernetesError> {
    let ok = value.is_empty()
        || (value.len() <= MAX_LABEL
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && value.as_bytes()[0].is_ascii_alphanumeric()
            && value.as_bytes()[value.len() - 1].is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(KubernetesError::InvalidName {
            what: format!("value of label {key}"),
            value: value.to_string(),
            reason: "must be at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit".into(),
        })
    }
}

/// Turns free text (an application name) into a DNS label fragment: lowercase, runs of other
/// characters become one `-`, no `-` at either end, at most `max` characters. Empty input
/// gives `"ember"`.
pub fn sanitize(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out: String = out.trim_matches('-').chars().take(max).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "ember".to_string()
    } else {
        out
    }
}

/// A label value made from free text (an application name): invalid characters become `-`,
/// cut to 63 characters, trimmed to start and end with a letter or digit.
pub fn label_value(text: &str) -> String {
    let replaced: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(MAX_LABEL)
        .collect();
    replaced
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels_and_subdomains() {
        assert!(is_dns_label("ember-1a2b-exec-3"));
        assert!(!is_dns_label("Ember"));
        assert!(!is_dns_label("-x"));
        assert!(!is_dns_label(&"a".repeat(64)));
        assert!(is_dns_subdomain("ember.example.com"));
        assert!(!is_dns_subdomain("ember..x"));
        assert!(check_name("pod name", "my_pod").is_err());
    }

    #[test]
    fn label_keys_and_values() {
        assert!(check_label_key("spark-role").is_ok());
        assert!(check_label_key("example.com/team").is_ok());
        assert!(check_label_key("Example.com/team").is_err());
        assert!(check_label_key("team/").is_err());
        assert!(check_label_value("k", "").is_ok());
        assert!(check_label_value("k", "A_b.c-1").is_ok());
        assert!(check_label_value("k", "bad value").is_err());
        assert!(check_label_value("k", &"v".repeat(64)).is_err());
    }

    #[test]
    fn free_text_is_sanitized() {
        assert_eq!(sanitize("My Spark App!", 47), "my-spark-app");
        assert_eq!(sanitize("__", 47), "ember");
        assert_eq!(sanitize("abc-def", 4), "abc");
        assert_eq!(label_value("TPC-H Q1 (SF 1)"), "TPC-H-Q1--SF-1");
    }
}
