//! RPC authentication (`spark.authenticate`) on `local-cluster`: executor processes and the
//! driver refuse calls that are unsigned, signed with another secret, signed for another
//! application, expired or replayed, and count them; signed calls and whole queries work; the
//! secret is in no executor's command line or environment, and in no log line of a full run.
//! Even an authenticated caller gets no more task slots than the executor has.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ember::Session;
use ember_proto::auth::{AppCredentials, AppSecret};
use ember_proto::driver_service_client::DriverServiceClient;
use ember_proto::executor_service_client::ExecutorServiceClient;
use ember_proto::{HeartbeatRequest, RemoveJobRequest};
use ember_tests::built_binary;
use tonic::Code;
use tonic::metadata::MetadataValue;

const SECRET: &str = "a-test-secret-0123456789abcdef";
const REMOVE_JOB: &str = "/ember.v1.ExecutorService/RemoveJob";

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

async fn session(authenticate: &str) -> Session {
    Session::builder()
        .master("local-cluster[2,1,512]")
        .config("spark.authenticate", authenticate)
        .config("spark.authenticate.secret", SECRET)
        .config("spark.sql.shuffle.partitions", "4")
        .build()
        .await
        .expect("session starts")
}

/// A `RemoveJob` of a job that does not exist (harmless) to an executor, with `headers`.
async fn remove_job(address: &str, headers: &[(&'static str, String)]) -> Result<(), Code> {
    let mut client = ExecutorServiceClient::connect(format!("http://{address}"))
        .await
        .expect("connect to the executor");
    let mut request = tonic::Request::new(RemoveJobRequest {
        job_id: "no-such-job".into(),
    });
    for (name, value) in headers {
        let value = MetadataValue::try_from(value.as_str()).expect("header value");
        request.metadata_mut().insert(*name, value);
    }
    client
        .remove_job(request)
        .await
        .map(|_| ())
        .map_err(|status| status.code())
}

/// A client of the executor at `address` (`host:port`) whose calls Ember's own signer signs
/// with `credentials`.
async fn signed_client(
    address: &str,
    credentials: AppCredentials,
) -> ExecutorServiceClient<ember_proto::auth::SignedChannel> {
    let (host, port) = address.rsplit_once(':').expect("host:port");
    ember_executor::shuffle::fetch::connect_executor(
        host,
        port.parse().expect("a port"),
        &ember_proto::rpc::RpcSettings::default(),
        ember_proto::auth::RequestSigner::new(Some(credentials)),
    )
    .await
    .expect("connect to the executor")
}

fn secret(text: &str) -> AppSecret {
    AppSecret::new(text).expect("a long enough secret")
}

/// Waits until the executor at `address` reports `expected` refused calls in a heartbeat.
async fn refused_by(session: &Session, executor_id: &str, expected: u64) -> u64 {
    let mut last = 0;
    for _ in 0..100 {
        last = session
            .executor_metrics()
            .await
            .into_iter()
            .find(|(id, _)| id == executor_id)
            .map_or(0, |(_, m)| m.auth_refused);
        if last >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_calls_are_refused_and_counted() {
    let session = session("true").await;
    let app_id = session.application_id().to_string();
    let executors = session.executor_addresses().await;
    assert_eq!(executors.len(), 2);
    let (executor_id, address) = executors[0].clone();
    let ours = AppCredentials::new(&app_id, &secret(SECRET));

    // Unsigned.
    assert_eq!(remove_job(&address, &[]).await, Err(Code::Unauthenticated));
    // Signed with another secret.
    let wrong = AppCredentials::new(&app_id, &secret("not-the-secret-0123456789"));
    let headers = wrong.sign(REMOVE_JOB, now_ms(), "n-wrong");
    assert_eq!(
        remove_job(&address, &headers).await,
        Err(Code::Unauthenticated)
    );
    // Signed for another application, with its own secret or with ours.
    for other in [
        AppCredentials::new("ember-other-app", &secret("other-application-secret")),
        AppCredentials::new("ember-other-app", &secret(SECRET)),
    ] {
        let headers = other.sign(REMOVE_JOB, now_ms(), "n-other");
        assert_eq!(
            remove_job(&address, &headers).await,
            Err(Code::Unauthenticated)
        );
    }
    // Another application fetching a shuffle block from this executor.
    let other = AppCredentials::new("ember-other-app", &secret("other-application-secret"));
    let fetch = signed_client(&address, other)
        .await
        .fetch_shuffle(ember_proto::FetchShuffleRequest {
            job_id: "job-1".into(),
            file: "shuffle-0-0-0-1.data".into(),
            offset: 0,
            length: 1024,
        })
        .await;
    assert_eq!(
        fetch.map(|_| ()).map_err(|status| status.code()),
        Err(Code::Unauthenticated)
    );
    // Expired: signed two minutes ago.
    let headers = ours.sign(REMOVE_JOB, now_ms() - 120_000, "n-old");
    assert_eq!(
        remove_job(&address, &headers).await,
        Err(Code::Unauthenticated)
    );
    // Signed for another method.
    let headers = ours.sign("/ember.v1.ExecutorService/Shutdown", now_ms(), "n-method");
    assert_eq!(
        remove_job(&address, &headers).await,
        Err(Code::Unauthenticated)
    );
    // Correctly signed: accepted once, refused when replayed.
    let headers = ours.sign(REMOVE_JOB, now_ms(), "n-fresh");
    assert_eq!(remove_job(&address, &headers).await, Ok(()));
    assert_eq!(
        remove_job(&address, &headers).await,
        Err(Code::Unauthenticated)
    );

    assert_eq!(refused_by(&session, &executor_id, 8).await, 8);

    // The driver too.
    let mut driver = DriverServiceClient::connect(format!("http://{}", session.driver_address()))
        .await
        .expect("connect to the driver");
    let beat = driver
        .heartbeat(HeartbeatRequest {
            executor_id: executor_id.clone(),
            ..Default::default()
        })
        .await
        .expect_err("an unsigned heartbeat is refused");
    assert_eq!(beat.code(), Code::Unauthenticated);
    assert_eq!(session.driver_auth_refused(), 1);

    // The application's own calls still go through, executor to executor too.
    ember_tests::check_grouped_counts(&session).await;

    // SET shows that a secret is set, not what it is.
    let shown = session
        .sql("SET spark.authenticate.secret")
        .await
        .expect("plans")
        .collect()
        .await
        .expect("runs");
    let shown = arrow::util::pretty::pretty_format_batches(&shown)
        .expect("format")
        .to_string();
    assert!(
        shown.contains("(redacted)") && !shown.contains(SECRET),
        "{shown}"
    );

    // The secret is in no executor's command line or environment.
    for (id, pid) in session.executor_pids().await {
        for file in ["cmdline", "environ"] {
            let bytes = std::fs::read(format!("/proc/{pid}/{file}")).unwrap_or_default();
            assert!(
                !bytes.is_empty(),
                "executor {id}'s /proc/{pid}/{file} is readable"
            );
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(SECRET),
                "executor {id}'s {file} holds the secret"
            );
        }
    }
    session.stop().await;
}

/// An executor runs at most as many tasks as it has cores, whoever asks: a correctly signed
/// launch beyond them is refused, not queued or run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn launches_beyond_the_executors_slots_are_refused() {
    let session = Session::builder()
        .master("local-cluster[1,1,512]")
        .config("spark.authenticate.secret", SECRET)
        .build()
        .await
        .expect("session starts");
    // A leaf stage that runs for a very long time: a sum over 10^12 generated rows (a count
    // would be answered from statistics).
    let plan = session
        .context()
        .sql("SELECT sum(id % 7) FROM range(0, 1000000000000)")
        .await
        .expect("plans")
        .create_physical_plan()
        .await
        .expect("physical plan");
    let dag = ember::planner::plan_stages(plan, 1).expect("stages");
    let leaf = dag
        .stages
        .iter()
        .find(|s| s.inputs.is_empty())
        .expect("a leaf stage");
    let plan = ember_executor::codec::encode_plan(leaf.plan.clone()).expect("encodes");

    let (_, address) = session.executor_addresses().await[0].clone();
    let credentials = AppCredentials::new(session.application_id(), &secret(SECRET));
    let mut client = signed_client(&address, credentials).await;
    let launch = |attempt_id: u64, plan: bytes::Bytes| ember_proto::LaunchTaskRequest {
        task: Some(ember_proto::TaskKey {
            job_id: "slots-test".into(),
            stage_id: leaf.id,
            partition: 0,
            attempt_id,
            ..Default::default()
        }),
        plan,
        ..Default::default()
    };
    let first = client
        .launch_task(launch(1, plan.clone()))
        .await
        .expect("the first launch is answered")
        .into_inner();
    assert!(first.accepted, "{}", first.reason);
    let second = client
        .launch_task(launch(2, bytes::Bytes::new()))
        .await
        .expect("the second launch is answered")
        .into_inner();
    assert!(!second.accepted);
    assert!(
        second
            .reason
            .contains("all 1 task slots of this executor are busy"),
        "{}",
        second.reason
    );
    let cancelled = client
        .cancel_tasks(ember_proto::CancelTasksRequest {
            job_id: "slots-test".into(),
        })
        .await
        .expect("cancel answered")
        .into_inner();
    assert_eq!(cancelled.cancelled, 1, "only the first task ran");
    session.stop().await;
}

/// With `spark.authenticate=false` the same unsigned call goes through: the refusals above
/// come from authentication, not from the call itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_authentication_unsigned_calls_pass() {
    let session = session("false").await;
    let (_, address) = session.executor_addresses().await[0].clone();
    assert_eq!(remove_job(&address, &[]).await, Ok(()));
    ember_tests::check_grouped_counts(&session).await;
    session.stop().await;
}

/// A whole CLI run at debug level (`EMBER_LOG=debug`), with the secret in a file, driver and executor processes
/// logging to the captured stderr: the secret appears nowhere in the output.
#[test]
fn the_secret_is_never_logged() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("secret");
    std::fs::write(&file, format!("{SECRET}\n")).expect("write the secret file");
    let output = ember_sql(
        &file,
        "SELECT id % 3 AS k, count(*) FROM range(0, 3000) GROUP BY id % 3 ORDER BY k",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("1000"), "the query ran: {stdout}");
    assert!(
        stderr.contains("executor registered") || stderr.contains("executor added"),
        "debug logs were captured: {stderr}"
    );
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
}

fn ember_sql(secret_file: &Path, sql: &str) -> std::process::Output {
    std::process::Command::new(built_binary("ember").expect("ember binary"))
        .env("EMBER_LOG", "debug")
        .args(["sql", "--master", "local-cluster[2,1,512]"])
        .args(["--conf", "spark.sql.shuffle.partitions=2"])
        .arg("--conf")
        .arg(format!(
            "spark.authenticate.secret.file={}",
            secret_file.display()
        ))
        .args(["-e", sql])
        .output()
        .expect("ember sql runs")
}
