//! Test certificates for TLS (`spark.ssl.rpc.*`), made with rcgen: a CA and a certificate it
//! signs for the loopback hosts, and a second, unrelated CA with a certificate of its own (a
//! peer the application must not trust). Written as the PEM files Ember reads.

use std::path::{Path, PathBuf};

use ember_proto::tls::TlsFiles;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// Why test certificates could not be made.
#[derive(Debug)]
pub enum PkiError {
    Generate(rcgen::Error),
    Write(std::io::Error),
}

impl From<rcgen::Error> for PkiError {
    fn from(e: rcgen::Error) -> Self {
        Self::Generate(e)
    }
}

impl From<std::io::Error> for PkiError {
    fn from(e: std::io::Error) -> Self {
        Self::Write(e)
    }
}

/// One CA's files: its certificate, and a leaf certificate (with key) it signed.
#[derive(Debug, Clone)]
pub struct Authority {
    /// The CA certificate (a trust store).
    pub ca: PathBuf,
    /// The leaf's certificate chain (leaf, then CA).
    pub cert_chain: PathBuf,
    /// The leaf's private key.
    pub private_key: PathBuf,
}

impl Authority {
    /// The files as Ember's TLS settings: present this CA's leaf, trust this CA.
    pub fn files(&self, need_client_auth: bool) -> TlsFiles {
        TlsFiles {
            cert_chain: self.cert_chain.clone(),
            private_key: self.private_key.clone(),
            trust_store: self.ca.clone(),
            need_client_auth,
            server_name: None,
        }
    }

    /// The same as `spark.ssl.rpc.*` configuration.
    pub fn conf(&self, need_client_auth: bool) -> Vec<(String, String)> {
        let path = |p: &Path| p.display().to_string();
        vec![
            ("spark.ssl.rpc.enabled".into(), "true".into()),
            ("spark.ssl.rpc.certChain".into(), path(&self.cert_chain)),
            ("spark.ssl.rpc.privateKey".into(), path(&self.private_key)),
            ("spark.ssl.rpc.trustStore".into(), path(&self.ca)),
            (
                "spark.ssl.rpc.needClientAuth".into(),
                need_client_auth.to_string(),
            ),
        ]
    }
}

/// The application's CA and an unrelated one, in a folder removed on drop.
#[derive(Debug)]
pub struct TestPki {
    /// The application's.
    pub ours: Authority,
    /// A stranger's: trusted by nobody in the application.
    pub other: Authority,
    _dir: tempfile::TempDir,
}

impl TestPki {
    /// Makes both authorities; their leaves name `localhost` and `127.0.0.1`.
    ///
    /// # Errors
    /// Key generation or a file write failed.
    pub fn generate() -> Result<Self, PkiError> {
        let dir = tempfile::tempdir()?;
        let ours = authority(dir.path(), "ours")?;
        let other = authority(dir.path(), "other")?;
        Ok(Self {
            ours,
            other,
            _dir: dir,
        })
    }
}

fn authority(dir: &Path, name: &str) -> Result<Authority, PkiError> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, format!("Ember test CA {name}"));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let mut leaf_params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, format!("ember {name}"));
    leaf_params.use_authority_key_identifier_extension = true;
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    // The same certificate serves and, with mutual TLS, calls.
    leaf_params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let leaf_key = KeyPair::generate()?;
    let leaf = leaf_params.signed_by(&leaf_key, &issuer)?;

    let at = |file: &str| dir.join(format!("{name}-{file}"));
    let authority = Authority {
        ca: at("ca.pem"),
        cert_chain: at("cert.pem"),
        private_key: at("key.pem"),
    };
    std::fs::write(&authority.ca, ca_cert.pem())?;
    std::fs::write(
        &authority.cert_chain,
        format!("{}{}", leaf.pem(), ca_cert.pem()),
    )?;
    std::fs::write(&authority.private_key, leaf_key.serialize_pem())?;
    Ok(authority)
}
