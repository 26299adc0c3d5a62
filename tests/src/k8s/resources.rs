//! The resource types the stand-in serves: where they live in the REST API and what they are
//! called, so that routing, list kinds and discovery documents come from one table.

/// How an object's `metadata.name` is validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// RFC 1123 subdomain (most resources).
    Subdomain,
    /// RFC 1035 label: services, whose names become DNS labels.
    Label1035,
}

/// One served resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceType {
    /// The path segment: `pods`.
    pub plural: &'static str,
    /// The object kind: `Pod`.
    pub kind: &'static str,
    /// The API group: `""` for core, `batch` for jobs.
    pub group: &'static str,
    /// Whether PATCH/PUT on `/status` is served (objects with a status the client may not set
    /// through the main resource).
    pub has_status: bool,
    /// How names are validated.
    pub name_rule: NameRule,
}

impl ResourceType {
    /// `v1` or `batch/v1`.
    pub fn api_version(&self) -> &'static str {
        match self.group {
            "batch" => "batch/v1",
            _ => "v1",
        }
    }

    /// `PodList`.
    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }
}

/// Every served type.
pub const RESOURCES: [ResourceType; 6] = [
    ResourceType {
        plural: "pods",
        kind: "Pod",
        group: "",
        has_status: true,
        name_rule: NameRule::Subdomain,
    },
    ResourceType {
        plural: "services",
        kind: "Service",
        group: "",
        has_status: true,
        name_rule: NameRule::Label1035,
    },
    ResourceType {
        plural: "configmaps",
        kind: "ConfigMap",
        group: "",
        has_status: false,
        name_rule: NameRule::Subdomain,
    },
    ResourceType {
        plural: "secrets",
        kind: "Secret",
        group: "",
        has_status: false,
        name_rule: NameRule::Subdomain,
    },
    ResourceType {
        plural: "persistentvolumeclaims",
        kind: "PersistentVolumeClaim",
        group: "",
        has_status: true,
        name_rule: NameRule::Subdomain,
    },
    ResourceType {
        plural: "jobs",
        kind: "Job",
        group: "batch",
        has_status: true,
        name_rule: NameRule::Subdomain,
    },
];

/// The type served at `group`/`plural`, if any.
pub fn lookup(group: &str, plural: &str) -> Option<ResourceType> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.plural == plural)
        .copied()
}

/// The type of a plural in any group (for the test-facing helpers, which name only the plural).
pub fn by_plural(plural: &str) -> Option<ResourceType> {
    RESOURCES.iter().find(|r| r.plural == plural).copied()
}
