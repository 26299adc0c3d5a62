//! Spark-style configuration: `spark.*` keys as strings, with typed, validated accessors for the
//! keys Ember understands.
//!
//! Every key is accepted and kept (Spark jobs carry many keys Ember does not use); the keys in
//! [`KNOWN_KEYS`] are validated when set, so a bad value is an error naming the key.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::error::{EmberError, Result};

/// The value type of a known key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A non-negative integer.
    Count,
    /// A positive integer.
    PositiveCount,
    /// A byte size such as `4g`, `512m`, `1024k`; a bare number is in `unit` bytes.
    Bytes { unit: u64 },
    /// A duration such as `120s`, `500ms`; a bare number is in `unit` milliseconds.
    Duration { unit_ms: u64 },
    /// `true` or `false`.
    Bool,
    /// A fraction in (0, 1].
    Fraction,
    /// Free text.
    Text,
}

/// A key Ember reads, with its default (as Spark would print it) and what it does.
#[derive(Debug, Clone, Copy)]
pub struct KnownKey {
    pub key: &'static str,
    pub kind: ValueKind,
    pub default: &'static str,
    pub doc: &'static str,
}

const MIB: u64 = 1024 * 1024;

/// The keys Ember understands.
pub const KNOWN_KEYS: &[KnownKey] = &[
    KnownKey {
        key: "spark.master",
        kind: ValueKind::Text,
        default: "local[*]",
        doc: "Where executors run: local[N], local[*], local-cluster[E,C,M].",
    },
    KnownKey {
        key: "spark.app.name",
        kind: ValueKind::Text,
        default: "ember",
        doc: "Application name, shown in logs and used to label executors.",
    },
    KnownKey {
        key: "spark.sql.shuffle.partitions",
        kind: ValueKind::PositiveCount,
        default: "",
        doc: "Partitions of every shuffle (hash exchange). Ember's default is the total number of executor cores (Spark: 200, reduced by AQE).",
    },
    KnownKey {
        key: "spark.executor.cores",
        kind: ValueKind::PositiveCount,
        default: "1",
        doc: "Task slots per executor.",
    },
    KnownKey {
        key: "spark.executor.memory",
        kind: ValueKind::Bytes { unit: MIB },
        default: "1g",
        doc: "Executor memory; sizes the operator memory pool together with spark.memory.fraction (see docs/memory.md). For local-cluster[E,C,M] the M of the master wins.",
    },
    KnownKey {
        key: "spark.executor.memoryOverhead",
        kind: ValueKind::Bytes { unit: MIB },
        default: "",
        doc: "Memory beyond spark.executor.memory that an executor process may use (code, allocator slack, stacks); a container limit is memory + overhead. Default: max(10% of spark.executor.memory, 64m).",
    },
    KnownKey {
        key: "spark.memory.fraction",
        kind: ValueKind::Fraction,
        default: "0.6",
        doc: "Share of executor memory (minus 300 MiB above 600 MiB) given to the memory pool that operators and tmpfs files share.",
    },
    KnownKey {
        key: "spark.task.maxFailures",
        kind: ValueKind::PositiveCount,
        default: "4",
        doc: "Attempts of one task before its job fails (default 1 on `local[N]`, as in Spark). Fetch failures and lost executors do not count.",
    },
    KnownKey {
        key: "spark.stage.maxConsecutiveAttempts",
        kind: ValueKind::PositiveCount,
        default: "4",
        doc: "Consecutive fetch-failure attempts of one stage before its job fails.",
    },
    KnownKey {
        key: "spark.executor.heartbeatInterval",
        kind: ValueKind::Duration { unit_ms: 1 },
        default: "1s",
        doc: "Executor heartbeat interval (Spark: 10s).",
    },
    KnownKey {
        key: "spark.network.timeout",
        kind: ValueKind::Duration { unit_ms: 1000 },
        default: "30s",
        doc: "An executor silent for this long is declared lost (Spark: 120s). Broken connections and exited processes are detected at once.",
    },
    KnownKey {
        key: "spark.rpc.askTimeout",
        kind: ValueKind::Duration { unit_ms: 1000 },
        default: "120s",
        doc: "Bound on every RPC, served or made by the driver and executors, until its response starts (a streamed shuffle fetch may take longer to deliver).",
    },
    KnownKey {
        key: "spark.rpc.message.maxSize",
        kind: ValueKind::Bytes { unit: MIB },
        default: "128m",
        doc: "Largest gRPC message between driver and executors (a bare number is MiB, as in Spark).",
    },
    KnownKey {
        key: "spark.local.dir",
        kind: ValueKind::Text,
        default: "/tmp",
        doc: "Comma-separated folders for shuffle and spill files, used round-robin (SPARK_LOCAL_DIRS overrides). Folders on tmpfs are found in /proc/mounts and their files charged to the memory pool.",
    },
    KnownKey {
        key: "spark.kubernetes.namespace",
        kind: ValueKind::Text,
        default: "default",
        doc: "Namespace of executor pods (and of the driver in cluster mode).",
    },
    KnownKey {
        key: "spark.kubernetes.container.image",
        kind: ValueKind::Text,
        default: "",
        doc: "Image of driver and executor pods (built from images/Dockerfile).",
    },
    KnownKey {
        key: "spark.kubernetes.executor.container.image",
        kind: ValueKind::Text,
        default: "",
        doc: "Executor image; overrides spark.kubernetes.container.image.",
    },
    KnownKey {
        key: "spark.kubernetes.container.image.pullPolicy",
        kind: ValueKind::Text,
        default: "IfNotPresent",
        doc: "Always, IfNotPresent or Never.",
    },
    KnownKey {
        key: "spark.kubernetes.container.image.pullSecrets",
        kind: ValueKind::Text,
        default: "",
        doc: "Comma-separated image pull secrets.",
    },
    KnownKey {
        key: "spark.kubernetes.executor.podNamePrefix",
        kind: ValueKind::Text,
        default: "",
        doc: "Executor pods are named <prefix>-exec-<id>; default: the sanitized app name and 8 characters of the app id (a DNS label of at most 47 characters).",
    },
    KnownKey {
        key: "spark.kubernetes.authenticate.driver.serviceAccountName",
        kind: ValueKind::Text,
        default: "",
        doc: "Service account of the driver pod; executors use it too unless the executor key is set.",
    },
    KnownKey {
        key: "spark.kubernetes.authenticate.executor.serviceAccountName",
        kind: ValueKind::Text,
        default: "",
        doc: "Service account of executor pods.",
    },
    KnownKey {
        key: "spark.kubernetes.executor.podTemplateFile",
        kind: ValueKind::Text,
        default: "",
        doc: "A YAML pod to start executor pods from (merge rules in docs/kubernetes.md).",
    },
    KnownKey {
        key: "spark.kubernetes.executor.podTemplateContainerName",
        kind: ValueKind::Text,
        default: "",
        doc: "The template container that becomes the executor (default: the first).",
    },
    KnownKey {
        key: "spark.kubernetes.executor.request.cores",
        kind: ValueKind::Text,
        default: "",
        doc: "CPU request of executor pods (default: spark.executor.cores), e.g. 0.5 or 500m.",
    },
    KnownKey {
        key: "spark.kubernetes.executor.limit.cores",
        kind: ValueKind::Text,
        default: "",
        doc: "CPU limit of executor pods (default: none).",
    },
    KnownKey {
        key: "spark.executor.memoryOverheadFactor",
        kind: ValueKind::Text,
        default: "",
        doc: "Overhead as a factor of spark.executor.memory when spark.executor.memoryOverhead is not set (also read as spark.kubernetes.memoryOverheadFactor). Default: max(10%, 64m).",
    },
    KnownKey {
        key: "spark.kubernetes.driver.pod.name",
        kind: ValueKind::Text,
        default: "",
        doc: "The driver's pod: executor pods and claims are owned by it, so Kubernetes deletes them with it.",
    },
    KnownKey {
        key: "spark.kubernetes.executor.deleteOnTermination",
        kind: ValueKind::Bool,
        default: "true",
        doc: "Delete executor pods when the application ends (false keeps them for debugging).",
    },
    KnownKey {
        key: "spark.executor.instances",
        kind: ValueKind::PositiveCount,
        default: "2",
        doc: "Executors to run on Kubernetes.",
    },
    KnownKey {
        key: "spark.executor.maxNumFailures",
        kind: ValueKind::PositiveCount,
        default: "",
        doc: "Executor failures (failed, evicted, unpullable or lost pods) after which the application fails. Default: max(2 x spark.executor.instances, 3).",
    },
    KnownKey {
        key: "spark.kubernetes.context",
        kind: ValueKind::Text,
        default: "",
        doc: "The kubeconfig context to use (default: the current one).",
    },
    KnownKey {
        key: "spark.kubernetes.allocation.batch.size",
        kind: ValueKind::PositiveCount,
        default: "5",
        doc: "Executor pods created at once.",
    },
    KnownKey {
        key: "spark.kubernetes.allocation.batch.delay",
        kind: ValueKind::Duration { unit_ms: 1000 },
        default: "1s",
        doc: "Pause between allocation rounds.",
    },
    KnownKey {
        key: "spark.kubernetes.allocation.maxPendingPods",
        kind: ValueKind::PositiveCount,
        default: "",
        doc: "Most executor pods pending at once (default: no limit).",
    },
    KnownKey {
        key: "spark.kubernetes.allocation.executor.timeout",
        kind: ValueKind::Duration { unit_ms: 1000 },
        default: "600s",
        doc: "An executor pod still pending after this long is deleted, counted as a failure and replaced.",
    },
    KnownKey {
        key: "spark.dynamicAllocation.enabled",
        kind: ValueKind::Bool,
        default: "false",
        doc: "Grow and shrink the executors with the work (local-cluster and Kubernetes; ignored on local[N]).",
    },
    KnownKey {
        key: "spark.dynamicAllocation.minExecutors",
        kind: ValueKind::Count,
        default: "0",
        doc: "Fewest executors dynamic allocation keeps.",
    },
    KnownKey {
        key: "spark.dynamicAllocation.maxExecutors",
        kind: ValueKind::Count,
        default: "",
        doc: "Most executors dynamic allocation asks for (default: E of local-cluster[E,C,M]; unbounded on Kubernetes).",
    },
    KnownKey {
        key: "spark.dynamicAllocation.initialExecutors",
        kind: ValueKind::Count,
        default: "",
        doc: "Executors at start (default: the largest of minExecutors and spark.executor.instances).",
    },
    KnownKey {
        key: "spark.dynamicAllocation.schedulerBacklogTimeout",
        kind: ValueKind::Duration { unit_ms: 1000 },
        default: "1s",
        doc: "Tasks waiting this long for a slot raise the target to what the backlog needs (pending + running tasks over spark.executor.cores).",
    },
    KnownKey {
        key: "spark.dynamicAllocation.executorIdleTimeout",
        kind: ValueKind::Duration { unit_ms: 1000 },
        default: "60s",
        doc: "An executor without tasks for this long is removed, unless it holds shuffle output a running job still reads (shuffle tracking) or minExecutors would be crossed.",
    },
    KnownKey {
        key: "spark.app.id",
        kind: ValueKind::Text,
        default: "",
        doc: "Application id (default: generated); labels Kubernetes resources. Set by ember submit for cluster-mode drivers.",
    },
    KnownKey {
        key: "spark.driver.memory",
        kind: ValueKind::Bytes { unit: MIB },
        default: "1g",
        doc: "Driver pod memory in cluster mode (plus spark.driver.memoryOverhead, default max(10%, 64m)).",
    },
    KnownKey {
        key: "spark.driver.memoryOverhead",
        kind: ValueKind::Bytes { unit: MIB },
        default: "",
        doc: "Driver pod memory beyond spark.driver.memory in cluster mode.",
    },
    KnownKey {
        key: "spark.driver.cores",
        kind: ValueKind::PositiveCount,
        default: "1",
        doc: "Driver pod CPU request in cluster mode.",
    },
    KnownKey {
        key: "spark.kubernetes.driver.request.cores",
        kind: ValueKind::Text,
        default: "",
        doc: "Driver pod CPU request (overrides spark.driver.cores).",
    },
    KnownKey {
        key: "spark.kubernetes.driver.container.image",
        kind: ValueKind::Text,
        default: "",
        doc: "Driver image in cluster mode (default: spark.kubernetes.container.image).",
    },
    KnownKey {
        key: "spark.kubernetes.driver.master",
        kind: ValueKind::Text,
        default: "https://kubernetes.default.svc",
        doc: "The API server as the cluster-mode driver pod reaches it.",
    },
    KnownKey {
        key: "spark.kubernetes.driver.backoffLimit",
        kind: ValueKind::Count,
        default: "",
        doc: "Ember only: run the cluster-mode driver as a Kubernetes Job that replaces a failed driver pod up to this many times (unset: one driver pod, as Spark).",
    },
    KnownKey {
        key: "spark.kubernetes.submission.waitAppCompletion",
        kind: ValueKind::Bool,
        default: "true",
        doc: "ember submit --deploy-mode cluster waits for the driver pod to end, reports its phase and exits with its outcome.",
    },
    KnownKey {
        key: "spark.authenticate",
        kind: ValueKind::Bool,
        default: "",
        doc: "Authenticate every RPC (driver, executors, shuffle fetches) with the application's secret. Default: true when executors run outside the driver process (local-cluster, Kubernetes), false for local[N]. See docs/security.md.",
    },
    KnownKey {
        key: "spark.authenticate.secret",
        kind: ValueKind::Text,
        default: "",
        doc: "The application's secret, inline (at least 16 bytes; never shown by SET or logs). Default: generated per application.",
    },
    KnownKey {
        key: "spark.authenticate.secret.file",
        kind: ValueKind::Text,
        default: "",
        doc: "File holding the secret, read by the driver and by executors (at the same path on their side).",
    },
    KnownKey {
        key: "spark.authenticate.secret.driver.file",
        kind: ValueKind::Text,
        default: "",
        doc: "File the driver reads the secret from (overrides spark.authenticate.secret.file for the driver).",
    },
    KnownKey {
        key: "spark.authenticate.secret.executor.file",
        kind: ValueKind::Text,
        default: "",
        doc: "File executors read the secret from, provided by the user (e.g. a mounted Kubernetes secret); otherwise the driver hands it over.",
    },
    KnownKey {
        key: "spark.ssl.rpc.enabled",
        kind: ValueKind::Bool,
        default: "",
        doc: "TLS (rustls) on every RPC: driver, executors, shuffle fetches. Default: spark.ssl.enabled, else false. Each spark.ssl.rpc.* key below falls back to its spark.ssl.* form. See docs/security.md.",
    },
    KnownKey {
        key: "spark.ssl.enabled",
        kind: ValueKind::Bool,
        default: "false",
        doc: "TLS on every protocol Ember speaks (for now: RPC).",
    },
    KnownKey {
        key: "spark.ssl.rpc.certChain",
        kind: ValueKind::Text,
        default: "",
        doc: "PEM certificate chain (leaf first) every process presents.",
    },
    KnownKey {
        key: "spark.ssl.rpc.privateKey",
        kind: ValueKind::Text,
        default: "",
        doc: "PEM private key of the certificate, unencrypted (PKCS#8, PKCS#1 or SEC1); password keys are refused.",
    },
    KnownKey {
        key: "spark.ssl.rpc.trustStore",
        kind: ValueKind::Text,
        default: "",
        doc: "PEM CA certificates peers' certificates must chain to (Ember reads PEM, not Java key stores).",
    },
    KnownKey {
        key: "spark.ssl.rpc.needClientAuth",
        kind: ValueKind::Bool,
        default: "false",
        doc: "Mutual TLS: servers refuse clients without a certificate chaining to the trust store.",
    },
    KnownKey {
        key: "spark.ember.ssl.rpc.serverName",
        kind: ValueKind::Text,
        default: "",
        doc: "Ember only: the name clients check in server certificates, instead of the host they connect to (pod IPs are not known when certificates are issued).",
    },
    KnownKey {
        key: "spark.kubernetes.local.dirs.tmpfs",
        kind: ValueKind::Bool,
        default: "false",
        doc: "Treat every local dir as memory-backed (emptyDir medium: Memory on Kubernetes): its files count against the executor's memory pool.",
    },
    KnownKey {
        key: "spark.shuffle.compress",
        kind: ValueKind::Bool,
        default: "true",
        doc: "Compress shuffle files with spark.io.compression.codec. Uncompressed files are read in place through memmap2, without copying.",
    },
    KnownKey {
        key: "spark.shuffle.spill.compress",
        kind: ValueKind::Bool,
        default: "true",
        doc: "Compress the spill files of sorts, aggregations and joins with spark.io.compression.codec.",
    },
    KnownKey {
        key: "spark.io.compression.codec",
        kind: ValueKind::Text,
        default: "lz4",
        doc: "Codec of shuffle and spill files: lz4 or zstd (snappy and lzf are not supported).",
    },
    KnownKey {
        key: "spark.reducer.maxSizeInFlight",
        kind: ValueKind::Bytes { unit: MIB },
        default: "48m",
        doc: "Shuffle bytes an executor fetches from other executors at once.",
    },
    KnownKey {
        key: "spark.sql.join.preferSortMergeJoin",
        kind: ValueKind::Bool,
        default: "true",
        doc: "Plan joins that are not broadcast as sort-merge joins, which spill when memory runs out; false plans hash joins, faster but held in memory.",
    },
    KnownKey {
        key: "spark.ember.executor.command",
        kind: ValueKind::Text,
        default: "",
        doc: "local-cluster only: the command that starts an executor, in place of the ember-executor binary, e.g. `docker run --rm --network host --memory 512m IMAGE`; `{id}` is replaced by the executor id. Executor arguments are appended.",
    },
    KnownKey {
        key: "spark.shuffle.readHostLocalDisk",
        kind: ValueKind::Bool,
        default: "",
        doc: "Read shuffle files of executors on the same host directly from disk instead of over the network. Default: true, except on Kubernetes (pods sharing an address do not share local dirs); a file not visible locally is fetched over the network anyway.",
    },
    KnownKey {
        key: "spark.sql.autoBroadcastJoinThreshold",
        kind: ValueKind::Bytes { unit: 1 },
        default: "10m",
        doc: "Joins whose smaller side is estimated below this size broadcast it to every task; -1 disables.",
    },
    KnownKey {
        key: "spark.sql.ansi.enabled",
        kind: ValueKind::Bool,
        default: "true",
        doc: "ANSI SQL mode (Spark 4 default): overflow, division by zero and invalid casts raise errors instead of returning NULL.",
    },
    KnownKey {
        key: "spark.sql.session.timeZone",
        kind: ValueKind::Text,
        default: "UTC",
        doc: "Session time zone (Spark: the JVM's zone). `TIMESTAMP` values are instants parsed, shown and taken apart in it; `TIMESTAMP_NTZ` values are wall-clock times without one.",
    },
    KnownKey {
        key: "spark.sql.caseSensitive",
        kind: ValueKind::Bool,
        default: "false",
        doc: "Whether identifiers are resolved case-sensitively.",
    },
    KnownKey {
        key: "spark.sql.warehouse.dir",
        kind: ValueKind::Text,
        default: "spark-warehouse",
        doc: "Folder of managed tables (`<dir>/<table>`, `<dir>/<db>.db/<table>`) and of Ember's table catalog (`<dir>/.ember-catalog`), relative to the working directory unless absolute.",
    },
    KnownKey {
        key: "spark.sql.sources.default",
        kind: ValueKind::Text,
        default: "parquet",
        doc: "Data source of `CREATE TABLE` without `USING`.",
    },
    KnownKey {
        key: "spark.sql.sources.partitionOverwriteMode",
        kind: ValueKind::Text,
        default: "static",
        doc: "`INSERT OVERWRITE` of a partitioned table: `static` replaces every partition, `dynamic` only the partitions the query writes.",
    },
    KnownKey {
        key: "spark.ui.showConsoleProgress",
        kind: ValueKind::Bool,
        default: "true",
        doc: "Show Spark's console progress bar (on a terminal) for stages running longer than 0.5 s.",
    },
    KnownKey {
        key: "spark.driver.host",
        kind: ValueKind::Text,
        default: "127.0.0.1",
        doc: "Address the driver binds and advertises to executors.",
    },
    KnownKey {
        key: "spark.driver.port",
        kind: ValueKind::Count,
        default: "0",
        doc: "Driver gRPC port (0: any free port).",
    },
    KnownKey {
        key: "spark.driver.bindAddress",
        kind: ValueKind::Text,
        default: "",
        doc: "Address the driver listens on (default: spark.driver.host); executors connect to spark.driver.host.",
    },
];

/// Looks up a known key.
pub fn known_key(key: &str) -> Option<&'static KnownKey> {
    KNOWN_KEYS.iter().find(|k| k.key == key)
}

/// Parses a Spark byte size (`4g`, `512m`, `10MB`, `1024`); a bare number is in `unit` bytes.
/// `-1` is accepted and returned as `None` (Spark's "disabled").
pub fn parse_bytes(value: &str, unit: u64) -> std::result::Result<Option<u64>, String> {
    let v = value.trim().to_ascii_lowercase();
    if v == "-1" {
        return Ok(None);
    }
    let digits = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (number, suffix) = v.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| "expected a size such as 512m, 4g or 1048576".to_string())?;
    let factor = match suffix.trim() {
        "" => unit,
        "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        "p" | "pb" | "pib" => 1 << 50,
        other => return Err(format!("unknown size unit {other:?}")),
    };
    number
        .checked_mul(factor)
        .map(Some)
        .ok_or_else(|| "size is too large".to_string())
}

/// Parses a Spark duration (`120s`, `500ms`, `5min`, `1h`); a bare number is in `unit_ms`.
pub fn parse_duration(value: &str, unit_ms: u64) -> std::result::Result<Duration, String> {
    let v = value.trim().to_ascii_lowercase();
    let digits = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (number, suffix) = v.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| "expected a duration such as 500ms, 120s or 5min".to_string())?;
    let ms = match suffix.trim() {
        "" => unit_ms,
        "us" => return Ok(Duration::from_micros(number)),
        "ms" => 1,
        "s" => 1000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        other => return Err(format!("unknown time unit {other:?}")),
    };
    number
        .checked_mul(ms)
        .map(Duration::from_millis)
        .ok_or_else(|| "duration is too large".to_string())
}

fn validate(kind: ValueKind, value: &str) -> std::result::Result<(), String> {
    match kind {
        ValueKind::Count => value
            .trim()
            .parse::<u64>()
            .map(|_| ())
            .map_err(|_| "expected a non-negative integer".into()),
        ValueKind::PositiveCount => match value.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(()),
            _ => Err("expected a positive integer".into()),
        },
        ValueKind::Bytes { unit } => parse_bytes(value, unit).map(|_| ()),
        ValueKind::Duration { unit_ms } => parse_duration(value, unit_ms).map(|_| ()),
        ValueKind::Bool => match value.trim().to_ascii_lowercase().as_str() {
            "true" | "false" => Ok(()),
            _ => Err("expected true or false".into()),
        },
        ValueKind::Fraction => match value.trim().parse::<f64>() {
            Ok(f) if f > 0.0 && f <= 1.0 => Ok(()),
            _ => Err("expected a number in (0, 1]".into()),
        },
        ValueKind::Text => Ok(()),
    }
}

/// A set of `spark.*` settings.
#[derive(Debug, Clone, Default)]
pub struct SparkConf {
    values: BTreeMap<String, String>,
}

impl SparkConf {
    /// An empty configuration (every key at its default).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a key, validating it if Ember knows it.
    ///
    /// # Errors
    /// [`EmberError::Config`] naming the key when the value does not parse.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        if let Some(known) = known_key(key) {
            validate(known.kind, value).map_err(|reason| EmberError::config(key, value, reason))?;
        }
        self.values.insert(key.to_string(), value.to_string());
        Ok(())
    }

    /// Removes an explicit setting (the key returns to its default).
    pub fn remove(&mut self, key: &str) {
        self.values.remove(key);
    }

    /// The raw value, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// The value, or the known default.
    pub fn get_or_default(&self, key: &str) -> Option<&str> {
        self.get(key)
            .or_else(|| known_key(key).map(|k| k.default).filter(|d| !d.is_empty()))
    }

    /// All explicitly set pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn typed<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> std::result::Result<T, String>,
    ) -> Result<Option<T>> {
        match self.get_or_default(key) {
            None => Ok(None),
            Some(v) => parse(v)
                .map(Some)
                .map_err(|reason| EmberError::config(key, v, reason)),
        }
    }

    /// An integer setting.
    pub fn get_usize(&self, key: &str) -> Result<Option<usize>> {
        self.typed(key, |v| {
            v.trim()
                .parse::<usize>()
                .map_err(|_| "expected a non-negative integer".to_string())
        })
    }

    /// A byte-size setting (`None` when unset without default or `-1`).
    pub fn get_bytes(&self, key: &str) -> Result<Option<u64>> {
        let unit = match known_key(key).map(|k| k.kind) {
            Some(ValueKind::Bytes { unit }) => unit,
            _ => 1,
        };
        Ok(self.typed(key, |v| parse_bytes(v, unit))?.flatten())
    }

    /// A duration setting.
    pub fn get_duration(&self, key: &str) -> Result<Option<Duration>> {
        let unit = match known_key(key).map(|k| k.kind) {
            Some(ValueKind::Duration { unit_ms }) => unit_ms,
            _ => 1000,
        };
        self.typed(key, |v| parse_duration(v, unit))
    }

    /// A boolean setting.
    pub fn get_bool(&self, key: &str) -> Result<Option<bool>> {
        self.typed(key, |v| match v.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("expected true or false".to_string()),
        })
    }

    /// A fraction setting.
    pub fn get_f64(&self, key: &str) -> Result<Option<f64>> {
        self.typed(key, |v| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| "expected a number".to_string())
        })
    }
}

/// Families of keys Ember reads by prefix (`spark.executorEnv.TZ`, labels, volumes...); the
/// key after the prefix is the user's. docs/kubernetes.md lists what each does.
pub const KNOWN_PREFIXES: &[&str] = &[
    "spark.executorEnv.",
    "spark.kubernetes.driverEnv.",
    "spark.kubernetes.executor.label.",
    "spark.kubernetes.executor.annotation.",
    "spark.kubernetes.driver.label.",
    "spark.kubernetes.driver.annotation.",
    "spark.kubernetes.node.selector.",
    "spark.kubernetes.executor.node.selector.",
    "spark.kubernetes.driver.node.selector.",
    "spark.kubernetes.executor.secrets.",
    "spark.kubernetes.executor.secretKeyRef.",
    "spark.kubernetes.executor.volumes.",
    "spark.kubernetes.driver.volumes.",
    "spark.kubernetes.authenticate.",
];

/// Whether Ember reads `key` (a known key or one of a known family).
pub fn is_used(key: &str) -> bool {
    known_key(key).is_some() || KNOWN_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// Renders the table of known keys for `docs/configuration.md`.
pub fn configuration_markdown() -> String {
    let mut out = String::from(
        "# Configuration\n\n\
         Generated from `driver/src/config.rs` (`KNOWN_KEYS`); the test \
         `config::tests::configuration_docs_are_current` fails when this file is stale \
         (`EMBER_UPDATE_DOCS=1 cargo test -p ember --lib configuration_docs` rewrites it).\n\n\
         Settings come from `$SPARK_CONF_DIR/spark-defaults.conf` (or `--properties-file`), then \
         `--conf key=value`, then `--master` / `--name`, and can be changed in SQL with \
         `SET key=value` and `RESET`. Every `spark.*` key is accepted; the keys below are typed \
         and validated, and a bad value is an error naming the key. Sizes accept `k`, `m`, `g`, \
         `t` suffixes, durations `ms`, `s`, `min`, `h`, `d`.\n\n\
         | key | default | type | meaning |\n|---|---|---|---|\n",
    );
    for k in KNOWN_KEYS {
        let kind = match k.kind {
            ValueKind::Count => "integer >= 0".to_string(),
            ValueKind::PositiveCount => "integer >= 1".to_string(),
            ValueKind::Bytes { unit } if unit == MIB => "size (bare number: MiB)".to_string(),
            ValueKind::Bytes { .. } => "size (bare number: bytes)".to_string(),
            ValueKind::Duration { unit_ms: 1 } => "duration (bare number: ms)".to_string(),
            ValueKind::Duration { .. } => "duration (bare number: s)".to_string(),
            ValueKind::Bool => "boolean".to_string(),
            ValueKind::Fraction => "fraction".to_string(),
            ValueKind::Text => "text".to_string(),
        };
        let default = if k.default.is_empty() {
            "(see meaning)"
        } else {
            k.default
        };
        out.push_str(&format!(
            "| `{}` | `{default}` | {kind} | {} |\n",
            k.key, k.doc
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_docs_are_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/configuration.md");
        let expected = configuration_markdown();
        if std::env::var_os("EMBER_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &expected).expect("write docs/configuration.md");
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "docs/configuration.md is stale; run EMBER_UPDATE_DOCS=1 cargo test -p ember --lib configuration_docs"
        );
    }

    #[test]
    fn sizes_follow_spark_units() {
        assert_eq!(parse_bytes("4g", MIB), Ok(Some(4 << 30)));
        assert_eq!(parse_bytes("512", MIB), Ok(Some(512 << 20)));
        assert_eq!(parse_bytes("10MB", 1), Ok(Some(10 << 20)));
        assert_eq!(parse_bytes("-1", 1), Ok(None));
        assert!(parse_bytes("lots", 1).is_err());
        assert!(parse_bytes("4x", 1).is_err());
        assert!(parse_bytes("99999999999999999999g", 1).is_err());
    }

    #[test]
    fn durations_follow_spark_units() {
        assert_eq!(parse_duration("120s", 1), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500", 1), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2min", 1), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon", 1).is_err());
    }

    #[test]
    fn bad_values_name_the_key() {
        let mut conf = SparkConf::new();
        let err = conf
            .set("spark.executor.memory", "lots")
            .expect_err("lots is not a size");
        assert!(err.to_string().contains("spark.executor.memory"), "{err}");
        assert!(conf.set("spark.task.maxFailures", "0").is_err());
        conf.set("spark.some.unknown.key", "anything")
            .expect("unknown keys are kept");
        assert_eq!(conf.get("spark.some.unknown.key"), Some("anything"));
        assert_eq!(
            conf.get_usize("spark.task.maxFailures").expect("valid"),
            Some(4)
        );
    }
}
