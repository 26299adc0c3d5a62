//! The application's authentication settings (Spark's `spark.authenticate*` keys): whether
//! RPCs are authenticated, with which secret, and how executors get it.
//!
//! The secret is read from, in order, `spark.authenticate.secret.driver.file`,
//! `spark.authenticate.secret.file` and `spark.authenticate.secret`; without any, the driver
//! generates one for the application. Executors read
//! `spark.authenticate.secret.executor.file` (or `spark.authenticate.secret.file`) when set,
//! a path the user provides on their side; otherwise the launcher hands the secret over:
//! `local-cluster` in a file only the user can read, Kubernetes in a Secret mounted into
//! executor pods (`docs/security.md`). The secret never goes on a command line, in an
//! environment variable's value or in a log.

use std::path::{Path, PathBuf};

use ember_proto::auth::{AppCredentials, AppSecret};
use ember_proto::tls::{RpcTls, TlsFiles};

use crate::config::SparkConf;
use crate::error::{EmberError, Result};
use crate::master::Master;

/// Keys whose values are secrets: never printed (`SET`, logs, errors), never copied into a
/// Kubernetes config map.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "password", "token", "accesskey", "access.key"]
        .iter()
        .any(|word| key.contains(word))
        && !key.ends_with(".file")
        && !key.ends_with("file")
}

/// What a session's RPCs are authenticated with.
#[derive(Debug, Clone)]
pub struct Authentication {
    /// The application id and the key derived from the secret.
    pub credentials: AppCredentials,
    /// The secret itself, for the launcher to hand to executors.
    pub secret: AppSecret,
    /// Where executors read the secret when the user provides it on their side.
    pub executor_secret_file: Option<PathBuf>,
}

/// Resolves the authentication of application `app_id`: `None` when `spark.authenticate` is
/// false. Its default is true whenever executors run outside the driver process
/// (`local-cluster`, Kubernetes) and false for `local[N]`, whose executor is in-process.
///
/// # Errors
/// A secret file that cannot be read, or a secret that is too short.
pub fn authentication(
    conf: &SparkConf,
    master: &Master,
    app_id: &str,
) -> Result<Option<Authentication>> {
    let enabled = conf
        .get_bool("spark.authenticate")?
        .unwrap_or(!matches!(master, Master::Local { .. }));
    if !enabled {
        return Ok(None);
    }
    let text = |key: &str| {
        conf.get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let shared_file = text("spark.authenticate.secret.file");
    let secret = if let Some(path) =
        text("spark.authenticate.secret.driver.file").or_else(|| shared_file.clone())
    {
        read_secret(Path::new(&path))?
    } else if let Some(inline) = conf.get("spark.authenticate.secret") {
        AppSecret::new(inline).map_err(|e| {
            EmberError::config("spark.authenticate.secret", "[redacted]", e.to_string())
        })?
    } else {
        AppSecret::generate().map_err(|e| EmberError::Internal(e.to_string()))?
    };
    Ok(Some(Authentication {
        credentials: AppCredentials::new(app_id, &secret),
        secret,
        executor_secret_file: text("spark.authenticate.secret.executor.file")
            .or(shared_file)
            .map(PathBuf::from),
    }))
}

/// TLS of every RPC (Spark's `spark.ssl.rpc.*` keys, each falling back to `spark.ssl.*`):
/// `None` unless `spark.ssl.rpc.enabled` (default: `spark.ssl.enabled`, false) is true. The
/// files are PEM; executors read them at the same paths, except on Kubernetes, where the
/// driver hands them over in the application's Secret.
///
/// # Errors
/// A missing key, a Java key store or password (Ember reads unencrypted PEM only), or a file
/// that cannot be read or holds no certificate or key.
pub fn rpc_tls(conf: &SparkConf) -> Result<Option<RpcTls>> {
    let enabled = match conf.get_bool("spark.ssl.rpc.enabled")? {
        Some(enabled) => enabled,
        None => conf.get_bool("spark.ssl.enabled")?.unwrap_or(false),
    };
    if !enabled {
        return Ok(None);
    }
    // The key that names `name`: spark.ssl.rpc.NAME, else spark.ssl.NAME.
    let lookup = |name: &str| {
        [format!("spark.ssl.rpc.{name}"), format!("spark.ssl.{name}")]
            .into_iter()
            .find_map(|key| {
                let value = conf.get(&key)?.trim().to_string();
                (!value.is_empty()).then_some((key, value))
            })
    };
    for name in ["privateKeyPassword", "keyPassword", "keyStorePassword"] {
        if let Some((key, _)) = lookup(name) {
            return Err(EmberError::config(
                &key,
                "[redacted]",
                "encrypted keys are not supported: give spark.ssl.rpc.privateKey an unencrypted \
                 PEM key (e.g. openssl pkey -in encrypted.pem -out key.pem) in a file only the \
                 application's user can read",
            ));
        }
    }
    let path = |name: &str| {
        lookup(name).map(|(_, v)| PathBuf::from(v)).ok_or_else(|| {
            let hint = if lookup("keyStore").is_some() || lookup("trustStoreType").is_some() {
                " (Ember reads PEM files, not Java key stores)"
            } else {
                ""
            };
            EmberError::config(
                &format!("spark.ssl.rpc.{name}"),
                "",
                format!("required with spark.ssl.rpc.enabled=true: a PEM file{hint}"),
            )
        })
    };
    let need_client_auth = match conf.get_bool("spark.ssl.rpc.needClientAuth")? {
        Some(need) => need,
        None => conf.get_bool("spark.ssl.needClientAuth")?.unwrap_or(false),
    };
    let files = TlsFiles {
        cert_chain: path("certChain")?,
        private_key: path("privateKey")?,
        trust_store: path("trustStore")?,
        need_client_auth,
        server_name: conf
            .get("spark.ember.ssl.rpc.serverName")
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string),
    };
    let tls = files
        .load()
        .map_err(|e| EmberError::config("spark.ssl.rpc.enabled", "true", e.to_string()))?;
    Ok(Some(tls))
}

/// Reads a secret file.
///
/// # Errors
/// A file that cannot be read, or whose secret is too short (the error names the file, never
/// its content).
pub fn read_secret(path: &Path) -> Result<AppSecret> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        EmberError::io(
            format!("cannot read the authentication secret {}", path.display()),
            e,
        )
    })?;
    AppSecret::new(&text).map_err(|e| {
        EmberError::config(
            "spark.authenticate.secret.file",
            &path.display().to_string(),
            e.to_string(),
        )
    })
}

/// A file holding the secret that only this user can read, in a folder of its own removed
/// when the value is dropped: how `local-cluster` executor processes get the secret.
#[derive(Debug)]
pub struct SecretFile {
    dir: tempfile::TempDir,
}

impl SecretFile {
    /// Writes `secret` into a new private folder.
    ///
    /// # Errors
    /// The folder or file cannot be created.
    pub fn write(secret: &AppSecret) -> Result<Self> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let io = |e| EmberError::io("cannot write the authentication secret file", e);
        // tempfile creates the folder with mode 0700.
        let dir = tempfile::Builder::new()
            .prefix("ember-auth-")
            .tempdir()
            .map_err(io)?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(dir.path().join("secret"))
            .map_err(io)?;
        file.write_all(secret.expose()).map_err(io)?;
        Ok(Self { dir })
    }

    /// The file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("secret")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(pairs: &[(&str, &str)]) -> SparkConf {
        let mut conf = SparkConf::new();
        for (k, v) in pairs {
            conf.set(k, v).expect("valid");
        }
        conf
    }

    const LOCAL: Master = Master::Local { cores: 2 };
    const CLUSTER: Master = Master::LocalCluster {
        executors: 2,
        cores: 1,
        memory_mib: 512,
    };

    #[test]
    fn on_by_default_only_when_executors_are_other_processes() -> Result<()> {
        assert!(authentication(&conf(&[]), &LOCAL, "a")?.is_none());
        let auth = authentication(&conf(&[]), &CLUSTER, "a")?.expect("on");
        assert_eq!(auth.secret.expose().len(), 64, "a generated secret");
        assert!(
            authentication(&conf(&[("spark.authenticate", "false")]), &CLUSTER, "a")?.is_none()
        );
        assert!(authentication(&conf(&[("spark.authenticate", "true")]), &LOCAL, "a")?.is_some());
        Ok(())
    }

    #[test]
    fn secrets_come_from_files_or_the_configuration() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| EmberError::io("tempdir", e))?;
        let driver_file = dir.path().join("driver");
        std::fs::write(&driver_file, "from-the-driver-file\n")
            .map_err(|e| EmberError::io("write", e))?;
        let auth = authentication(
            &conf(&[
                (
                    "spark.authenticate.secret.driver.file",
                    &driver_file.display().to_string(),
                ),
                (
                    "spark.authenticate.secret.executor.file",
                    "/mnt/secret/auth",
                ),
                ("spark.authenticate.secret", "ignored-inline-secret"),
            ]),
            &CLUSTER,
            "a",
        )?
        .expect("on");
        assert_eq!(auth.secret.expose(), b"from-the-driver-file");
        assert_eq!(
            auth.executor_secret_file,
            Some(PathBuf::from("/mnt/secret/auth"))
        );

        let auth = authentication(
            &conf(&[("spark.authenticate.secret", "an-inline-secret-value")]),
            &CLUSTER,
            "a",
        )?
        .expect("on");
        assert_eq!(auth.secret.expose(), b"an-inline-secret-value");
        assert_eq!(auth.executor_secret_file, None);

        let err = authentication(
            &conf(&[("spark.authenticate.secret", "short")]),
            &CLUSTER,
            "a",
        )
        .expect_err("too short")
        .to_string();
        assert!(!err.contains("short\""), "the value is not echoed: {err}");
        Ok(())
    }

    #[test]
    fn the_secret_file_is_private_and_removed_with_its_owner() -> Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let secret = AppSecret::generate().map_err(|e| EmberError::Internal(e.to_string()))?;
        let file = SecretFile::write(&secret)?;
        let path = file.path();
        let mode = std::fs::metadata(&path)
            .map_err(|e| EmberError::io("stat", e))?
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(read_secret(&path)?.expose(), secret.expose());
        drop(file);
        assert!(!path.exists());
        Ok(())
    }

    #[test]
    fn secret_keys_are_recognised() {
        for key in [
            "spark.authenticate.secret",
            "spark.ssl.keyPassword",
            "spark.kubernetes.authenticate.submission.oauthToken",
            "spark.hadoop.fs.s3a.access.key",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "spark.authenticate.secret.file",
            "spark.kubernetes.authenticate.driver.oauthTokenFile",
            "spark.app.name",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
