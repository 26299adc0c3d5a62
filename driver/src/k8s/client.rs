//! The kube-rs client for `--master k8s://URL`: credentials from a kubeconfig (`KUBECONFIG`,
//! else `~/.kube/config`, context from `spark.kubernetes.context`), else the pod's service
//! account (in-cluster), else none; `spark.kubernetes.authenticate.*` keys override either. The
//! master URL always names the API server, as in Spark.

use kube::config::{
    AuthInfo, Cluster, Context, KubeConfigOptions, Kubeconfig, NamedAuthInfo, NamedCluster,
    NamedContext,
};

use crate::config::SparkConf;

use super::KubernetesError;

/// The API server URL of a `k8s://` master: `k8s://https://host:port`, `k8s://http://...` (a
/// local proxy or test server), or `k8s://host:port` (https, as Spark assumes).
pub fn api_url(master: &str) -> Option<String> {
    let rest = master.trim().strip_prefix("k8s://")?;
    if rest.is_empty() {
        return None;
    }
    Some(
        if rest.starts_with("https://") || rest.starts_with("http://") {
            rest.trim_end_matches('/').to_string()
        } else {
            format!("https://{}", rest.trim_end_matches('/'))
        },
    )
}

/// The Spark keys for API credentials, read under `spark.kubernetes.authenticate.driver.` first
/// (a driver in a pod), then `spark.kubernetes.authenticate.submission.`, then
/// `spark.kubernetes.authenticate.`.
fn auth_key(conf: &SparkConf, name: &str) -> Option<String> {
    auth_key_under(
        conf,
        &[
            "spark.kubernetes.authenticate.driver.",
            "spark.kubernetes.authenticate.submission.",
            "spark.kubernetes.authenticate.",
        ],
        name,
    )
}

fn auth_key_under(conf: &SparkConf, prefixes: &[&str], name: &str) -> Option<String> {
    prefixes
        .iter()
        .find_map(|prefix| conf.get(&format!("{prefix}{name}")))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Builds a client for the API server at `api_url`.
///
/// # Errors
/// [`KubernetesError::Client`] when the kubeconfig or credentials cannot be used.
pub async fn client(api_url: &str, conf: &SparkConf) -> Result<kube::Client, KubernetesError> {
    let fail = |e: String| KubernetesError::Client(e);
    let kubeconfig = match Kubeconfig::read() {
        Ok(kc) => Some(kc),
        // A KUBECONFIG that cannot be read is a mistake worth reporting.
        Err(e) if std::env::var_os("KUBECONFIG").is_some() => {
            return Err(fail(format!("cannot read KUBECONFIG: {e}")));
        }
        Err(_) => None,
    };
    let in_cluster = kubeconfig.is_none() && std::env::var_os("KUBERNETES_SERVICE_HOST").is_some();
    let mut config = if in_cluster {
        kube::Config::incluster().map_err(|e| fail(format!("in-cluster credentials: {e}")))?
    } else {
        let (kubeconfig, context) = match kubeconfig {
            Some(kc) => {
                let context = conf
                    .get("spark.kubernetes.context")
                    .map(str::to_string)
                    .or_else(|| kc.current_context.clone());
                (kc, context)
            }
            None => (empty_kubeconfig(api_url), Some("ember".to_string())),
        };
        let kubeconfig = with_spark_credentials(kubeconfig, context.as_deref(), conf);
        let options = KubeConfigOptions {
            context,
            ..Default::default()
        };
        kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| fail(format!("kubeconfig: {e}")))?
    };
    config.cluster_url = api_url
        .parse()
        .map_err(|e| fail(format!("invalid API server URL {api_url}: {e}")))?;
    // In a pod, only the driver's own keys may replace its service account's token (the
    // submitter's credentials are not the driver's).
    if in_cluster
        && let Some(token) = auth_key_under(
            conf,
            &["spark.kubernetes.authenticate.driver."],
            "oauthToken",
        )
    {
        config.auth_info.token = Some(token.into());
    }
    kube::Client::try_from(config).map_err(|e| fail(format!("cannot create the client: {e}")))
}

/// A kubeconfig with one cluster and an anonymous user, for an API server reached without any.
fn empty_kubeconfig(api_url: &str) -> Kubeconfig {
    Kubeconfig {
        clusters: vec![NamedCluster {
            name: "ember".into(),
            cluster: Some(Cluster {
                server: Some(api_url.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        }],
        auth_infos: vec![NamedAuthInfo {
            name: "ember".into(),
            auth_info: Some(AuthInfo::default()),
            ..Default::default()
        }],
        contexts: vec![NamedContext {
            name: "ember".into(),
            context: Some(Context {
                cluster: "ember".into(),
                user: Some("ember".into()),
                ..Default::default()
            }),
            ..Default::default()
        }],
        current_context: Some("ember".into()),
        ..Default::default()
    }
}

/// Applies `spark.kubernetes.authenticate.*` (token, token file, CA, client certificate and
/// key) to the context's cluster and user.
fn with_spark_credentials(
    mut kubeconfig: Kubeconfig,
    context: Option<&str>,
    conf: &SparkConf,
) -> Kubeconfig {
    let Some(ctx) = kubeconfig
        .contexts
        .iter()
        .find(|c| Some(c.name.as_str()) == context)
        .and_then(|c| c.context.clone())
    else {
        return kubeconfig;
    };
    if let Some(ca) = auth_key(conf, "caCertFile")
        && let Some(cluster) = kubeconfig
            .clusters
            .iter_mut()
            .find(|c| c.name == ctx.cluster)
            .and_then(|c| c.cluster.as_mut())
    {
        cluster.certificate_authority = Some(ca);
        cluster.certificate_authority_data = None;
    }
    let user_name = ctx.user.clone().unwrap_or_default();
    if let Some(user) = kubeconfig
        .auth_infos
        .iter_mut()
        .find(|u| u.name == user_name)
    {
        let auth = user.auth_info.get_or_insert_with(AuthInfo::default);
        if let Some(token) = auth_key(conf, "oauthToken") {
            auth.token = Some(token.into());
            auth.token_file = None;
        } else if let Some(file) = auth_key(conf, "oauthTokenFile") {
            auth.token_file = Some(file);
            auth.token = None;
        }
        if let Some(cert) = auth_key(conf, "clientCertFile") {
            auth.client_certificate = Some(cert);
            auth.client_certificate_data = None;
        }
        if let Some(key) = auth_key(conf, "clientKeyFile") {
            auth.client_key = Some(key);
            auth.client_key_data = None;
        }
    }
    kubeconfig
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_urls_follow_spark() {
        assert_eq!(
            api_url("k8s://https://10.0.0.1:6443").as_deref(),
            Some("https://10.0.0.1:6443")
        );
        assert_eq!(
            api_url("k8s://10.0.0.1:6443").as_deref(),
            Some("https://10.0.0.1:6443")
        );
        assert_eq!(
            api_url("k8s://http://127.0.0.1:8001/").as_deref(),
            Some("http://127.0.0.1:8001")
        );
        assert_eq!(api_url("k8s://"), None);
        assert_eq!(api_url("local[2]"), None);
    }

    #[test]
    fn spark_credentials_override_the_kubeconfig_user() {
        let mut conf = SparkConf::new();
        conf.set(
            "spark.kubernetes.authenticate.submission.oauthTokenFile",
            "/var/run/token",
        )
        .expect("valid");
        conf.set("spark.kubernetes.authenticate.caCertFile", "/etc/ca.pem")
            .expect("valid");
        let kc = with_spark_credentials(empty_kubeconfig("https://k"), Some("ember"), &conf);
        let auth = kc.auth_infos[0].auth_info.clone().expect("user");
        assert_eq!(auth.token_file.as_deref(), Some("/var/run/token"));
        let cluster = kc.clusters[0].cluster.clone().expect("cluster");
        assert_eq!(
            cluster.certificate_authority.as_deref(),
            Some("/etc/ca.pem")
        );
    }
}
