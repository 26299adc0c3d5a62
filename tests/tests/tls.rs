//! TLS on every RPC (`spark.ssl.rpc.*`) on `local-cluster`: queries run with the driver,
//! executors and shuffle fetches all on TLS; a plaintext client is refused even with a valid
//! signature, and so is a client that does not trust the application's CA; with mutual TLS,
//! clients without a certificate from the application's CA are refused; bad TLS settings stop
//! the session with an error naming the key or file.

use std::sync::Arc;

use ember::Session;
use ember_executor::shuffle::fetch::connect_executor;
use ember_proto::RemoveJobRequest;
use ember_proto::auth::{AppCredentials, AppSecret, RequestSigner};
use ember_proto::rpc::RpcSettings;
use ember_proto::tls::TlsFiles;
use ember_tests::pki::TestPki;

const SECRET: &str = "a-test-secret-0123456789abcdef";

async fn session(conf: &[(String, String)]) -> Result<Session, ember::EmberError> {
    let mut builder = Session::builder()
        .master("local-cluster[2,1,512]")
        .config("spark.authenticate.secret", SECRET)
        .config("spark.sql.shuffle.partitions", "4");
    for (key, value) in conf {
        builder = builder.config(key, value);
    }
    builder.build().await
}

/// A `RemoveJob` of a job that does not exist (harmless) to the executor at `address`, signed
/// by Ember's own signer with the application's secret, over plaintext (`tls: None`) or TLS
/// with `tls`'s trust and identity. The error says whether the connection or the call failed.
async fn signed_remove_job(
    session: &Session,
    address: &str,
    tls: Option<TlsFiles>,
) -> Result<(), String> {
    let rpc = RpcSettings {
        tls: tls
            .map(|files| files.load().map(Arc::new))
            .transpose()
            .map_err(|e| format!("client TLS files: {e}"))?,
        ..RpcSettings::default()
    };
    let (host, port) = address.rsplit_once(':').expect("host:port");
    let credentials = AppCredentials::new(
        session.application_id(),
        &AppSecret::new(SECRET).expect("long enough"),
    );
    let mut client = connect_executor(
        host,
        port.parse().expect("a port"),
        &rpc,
        RequestSigner::new(Some(credentials)),
    )
    .await
    .map_err(|e| format!("connect: {e}"))?;
    client
        .remove_job(RemoveJobRequest {
            job_id: "no-such-job".into(),
        })
        .await
        .map(|_| ())
        .map_err(|status| format!("call: {status}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_run_over_tls_and_plaintext_clients_are_refused() {
    let pki = TestPki::generate().expect("test certificates");
    let session = session(&pki.ours.conf(false))
        .await
        .expect("session starts with TLS");
    ember_tests::check_grouped_counts(&session).await;

    let executors = session.executor_addresses().await;
    assert_eq!(executors.len(), 2);
    for (executor_id, address) in executors {
        // Signed with the right secret, but in clear: no TLS handshake, no call.
        let plaintext = signed_remove_job(&session, &address, None)
            .await
            .expect_err("a plaintext client is refused");
        eprintln!("executor {executor_id}, plaintext: {plaintext}");
        assert!(
            !plaintext.starts_with("client"),
            "refused by the server: {plaintext}"
        );
        // TLS, but trusting another CA: the executor's certificate is not accepted.
        let stranger = signed_remove_job(&session, &address, Some(pki.other.files(false)))
            .await
            .expect_err("a client that does not trust the application's CA cannot connect");
        eprintln!("executor {executor_id}, untrusted server: {stranger}");
        assert!(stranger.starts_with("connect"), "{stranger}");
        // The same call with the application's trust store goes through: the refusals above
        // are TLS's.
        signed_remove_job(&session, &address, Some(pki.ours.files(false)))
            .await
            .expect("a TLS client with a signed call is served");
    }

    // The driver serves TLS too: a plaintext channel to it fails.
    let driver = session.driver_address().to_string();
    let channel = RpcSettings::default()
        .endpoint(format!("http://{driver}"))
        .expect("endpoint")
        .connect()
        .await;
    let refused = match channel {
        Err(_) => true,
        Ok(channel) => ember_proto::driver_service_client::DriverServiceClient::new(channel)
            .heartbeat(ember_proto::HeartbeatRequest::default())
            .await
            .is_err(),
    };
    assert!(refused, "the driver refuses plaintext");
    session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_refuses_clients_without_the_applications_certificate() {
    let pki = TestPki::generate().expect("test certificates");
    let session = session(&pki.ours.conf(true))
        .await
        .expect("session starts with mutual TLS");
    ember_tests::check_grouped_counts(&session).await;
    let (_, address) = session.executor_addresses().await[0].clone();

    // Trusts the server, presents no certificate.
    let anonymous = TlsFiles {
        need_client_auth: false,
        ..pki.ours.files(false)
    };
    let refused = signed_remove_job(&session, &address, Some(anonymous))
        .await
        .expect_err("a client without a certificate is refused");
    eprintln!("no client certificate: {refused}");
    // Trusts the server, presents a certificate from another CA.
    let stranger = TlsFiles {
        trust_store: pki.ours.ca.clone(),
        ..pki.other.files(true)
    };
    let refused = signed_remove_job(&session, &address, Some(stranger))
        .await
        .expect_err("a client certificate from another CA is refused");
    eprintln!("client certificate from another CA: {refused}");
    // The application's certificate.
    signed_remove_job(&session, &address, Some(pki.ours.files(true)))
        .await
        .expect("the application's certificate is accepted");
    session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tls_settings_stop_the_session_with_a_clear_error() {
    let pki = TestPki::generate().expect("test certificates");
    let with = |changes: &[(&str, &str)]| {
        let mut conf = pki.ours.conf(false);
        for (key, value) in changes {
            conf.retain(|(k, _)| k != key);
            if !value.is_empty() {
                conf.push((key.to_string(), value.to_string()));
            }
        }
        conf
    };
    let error = |conf: Vec<(String, String)>| async move {
        match session(&conf).await {
            Ok(session) => {
                session.stop().await;
                panic!("the session started with {conf:?}")
            }
            Err(e) => e.to_string(),
        }
    };

    let missing = error(with(&[("spark.ssl.rpc.trustStore", "")])).await;
    assert!(missing.contains("spark.ssl.rpc.trustStore"), "{missing}");

    let password = error(with(&[(
        "spark.ssl.rpc.privateKeyPassword",
        "hunter2-password",
    )]))
    .await;
    assert!(
        password.contains("encrypted keys are not supported") && !password.contains("hunter2"),
        "{password}"
    );

    let not_a_key = pki.ours.ca.display().to_string();
    let wrong_file = error(with(&[("spark.ssl.rpc.privateKey", &not_a_key)])).await;
    assert!(
        wrong_file.contains(&not_a_key) && wrong_file.contains("private key"),
        "{wrong_file}"
    );
    assert!(
        !wrong_file.contains("BEGIN"),
        "no file content: {wrong_file}"
    );

    let absent = error(with(&[("spark.ssl.rpc.certChain", "/no/such/cert.pem")])).await;
    assert!(absent.contains("/no/such/cert.pem"), "{absent}");

    // A key that is not the certificate's: rustls refuses the pair.
    let other_key = pki.other.private_key.display().to_string();
    let mismatch = error(with(&[("spark.ssl.rpc.privateKey", &other_key)])).await;
    for e in [&missing, &password, &wrong_file, &absent, &mismatch] {
        eprintln!("{e}");
    }
    assert!(
        mismatch.contains("cannot set up TLS") && mismatch.contains("key"),
        "{mismatch}"
    );
}
