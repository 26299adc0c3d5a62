//! TLS for every Ember gRPC connection (Spark's `spark.ssl.rpc.*` keys), with rustls.
//!
//! Authentication ([`crate::auth`]) proves who sent a call but leaves its body readable and
//! modifiable by anyone on the path; TLS encrypts and protects the whole stream. Every process
//! of an application (driver, executors) holds the same kind of material, as in Spark: a
//! certificate chain and its private key, presented when it serves and, with mutual TLS, when
//! it calls; and a trust store (CA certificates) that the peers' certificates must chain to.
//! All three are PEM files.
//!
//! Clients check the server's certificate against the host they connect to, or against a
//! fixed name ([`TlsFiles::server_name`]) when the hosts are not known in advance (pod IPs).

use std::fmt;
use std::path::{Path, PathBuf};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};

/// Why the TLS material cannot be used. Messages name files, never their content.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file that cannot be read.
    #[error("cannot read the TLS {what} {}: {source}", path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file without the PEM blocks it should hold.
    #[error("the TLS {what} {} holds no PEM {expected}: {reason}", path.display())]
    NotPem {
        what: &'static str,
        path: PathBuf,
        expected: &'static str,
        reason: String,
    },
}

/// Where an application's TLS material lives and how it is checked: what the driver resolves
/// from `spark.ssl.rpc.*` and hands to executors as command-line flags (paths only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain presented by this process, leaf first (`spark.ssl.rpc.certChain`).
    pub cert_chain: PathBuf,
    /// PEM private key of the leaf certificate, unencrypted (`spark.ssl.rpc.privateKey`).
    pub private_key: PathBuf,
    /// PEM CA certificates that peers' certificates must chain to (`spark.ssl.rpc.trustStore`).
    pub trust_store: PathBuf,
    /// Servers require a client certificate chaining to the trust store (mutual TLS,
    /// `spark.ssl.rpc.needClientAuth`).
    pub need_client_auth: bool,
    /// Name checked in server certificates instead of the host connected to.
    pub server_name: Option<String>,
}

impl TlsFiles {
    /// Reads and checks the three files.
    ///
    /// # Errors
    /// A file that cannot be read or holds no certificate / key.
    pub fn load(&self) -> Result<RpcTls, TlsError> {
        let cert_chain = read(&self.cert_chain, "certificate chain")?;
        let private_key = read(&self.private_key, "private key")?;
        let trust_store = read(&self.trust_store, "trust store")?;
        certificates(&cert_chain, &self.cert_chain, "certificate chain")?;
        certificates(&trust_store, &self.trust_store, "trust store")?;
        PrivateKeyDer::from_pem_slice(&private_key).map_err(|e| TlsError::NotPem {
            what: "private key",
            path: self.private_key.clone(),
            expected: "private key (PKCS#8, PKCS#1 or SEC1, unencrypted)",
            reason: e.to_string(),
        })?;
        Ok(RpcTls {
            files: self.clone(),
            cert_chain,
            private_key,
            trust_store,
        })
    }
}

fn read(path: &Path, what: &'static str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        what,
        path: path.to_path_buf(),
        source,
    })
}

/// Checks that `pem` holds at least one certificate and nothing malformed.
fn certificates(pem: &[u8], path: &Path, what: &'static str) -> Result<(), TlsError> {
    let not_pem = |reason: String| TlsError::NotPem {
        what,
        path: path.to_path_buf(),
        expected: "certificate",
        reason,
    };
    let mut count = 0;
    for cert in CertificateDer::pem_slice_iter(pem) {
        cert.map_err(|e| not_pem(e.to_string()))?;
        count += 1;
    }
    if count == 0 {
        return Err(not_pem("no CERTIFICATE block".into()));
    }
    Ok(())
}

/// Loaded TLS material, ready to configure servers and channels. `Debug` does not show the
/// private key.
#[derive(Clone)]
pub struct RpcTls {
    files: TlsFiles,
    cert_chain: Vec<u8>,
    private_key: Vec<u8>,
    trust_store: Vec<u8>,
}

impl fmt::Debug for RpcTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpcTls")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl RpcTls {
    /// The files this was loaded from (what executors are told to load).
    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    /// The certificate chain's PEM text (handed to executor pods in the application's Secret).
    pub fn cert_chain_pem(&self) -> &[u8] {
        &self.cert_chain
    }

    /// The private key's PEM text (handed to executor pods in the application's Secret).
    pub fn private_key_pem(&self) -> &[u8] {
        &self.private_key
    }

    /// The trust store's PEM text (handed to executor pods in the application's Secret).
    pub fn trust_store_pem(&self) -> &[u8] {
        &self.trust_store
    }

    fn identity(&self) -> Identity {
        Identity::from_pem(&self.cert_chain, &self.private_key)
    }

    /// How servers present themselves and, with mutual TLS, which clients they accept.
    pub fn server_config(&self) -> ServerTlsConfig {
        let config = ServerTlsConfig::new().identity(self.identity());
        if self.files.need_client_auth {
            config
                .client_ca_root(Certificate::from_pem(&self.trust_store))
                .client_auth_optional(false)
        } else {
            config
        }
    }

    /// How channels check servers and, with mutual TLS, present themselves.
    pub fn client_config(&self) -> ClientTlsConfig {
        let mut config = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(&self.trust_store))
            .assume_http2(true);
        if self.files.need_client_auth {
            config = config.identity(self.identity());
        }
        if let Some(name) = &self.files.server_name {
            config = config.domain_name(name.clone());
        }
        config
    }
}
