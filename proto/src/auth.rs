//! Authentication of every RPC with the application's secret (Spark's `spark.authenticate`).
//!
//! Whoever can reach an executor's or a driver's port could otherwise launch tasks (read and
//! write files, use memory), fetch shuffle data or stop it. Each call carries four headers:
//! the application id, a timestamp, a random nonce and an HMAC-SHA256, keyed with the
//! application's secret, over those three and the method path. The server side
//! ([`AuthLayer`], a tower layer in front of every service) recomputes it and compares in
//! constant time, refuses timestamps outside a short window and nonces it already saw within
//! it (replays), and counts what it refused ([`AuthCounters`]). The client side
//! ([`RequestSigner`], a tonic interceptor) signs each call.
//!
//! The message body is not covered: against a peer that can modify traffic in flight, use TLS
//! as well (`spark.ssl.rpc.enabled`), which protects the whole stream.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use tonic::metadata::MetadataValue;
use tonic::service::Interceptor;
use tonic::{GrpcMethod, Request, Status};

/// Header carrying the caller's application id.
pub const APP_HEADER: &str = "x-ember-app";
/// Header carrying the call's time, milliseconds since the Unix epoch.
pub const TIME_HEADER: &str = "x-ember-auth-time";
/// Header carrying the call's random nonce (hex).
pub const NONCE_HEADER: &str = "x-ember-auth-nonce";
/// Header carrying the HMAC (hex).
pub const MAC_HEADER: &str = "x-ember-auth-mac";

/// How far a call's timestamp may be from the receiver's clock (either way): long enough for
/// clock skew between nodes, short enough that a captured call is soon useless.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(30);

/// Shortest secret accepted (bytes): an HMAC key shorter than this is guessable.
pub const MIN_SECRET_BYTES: usize = 16;

/// Nonces remembered at most; beyond this, calls are refused until old ones expire (only calls
/// with a valid MAC are remembered, so only a peer holding the secret can fill it).
const MAX_REMEMBERED_NONCES: usize = 1 << 20;

/// Nonces seen within the window, with their timestamps, and when expired ones were last
/// dropped (at most once per window, so the set holds about two windows of calls).
#[derive(Debug, Default)]
struct SeenNonces {
    nonces: HashMap<String, u64>,
    pruned_at: u64,
}

/// Why a secret cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// Too short to be a key.
    #[error("the authentication secret is {0} bytes; at least {MIN_SECRET_BYTES} are needed")]
    TooShort(usize),
    /// No random bytes from the operating system.
    #[error("cannot generate a random authentication secret")]
    Random,
}

/// An application's secret. Never printed: `Debug` and `Display` show `[redacted]`.
#[derive(Clone)]
pub struct AppSecret(Vec<u8>);

impl AppSecret {
    /// A secret from its text (surrounding whitespace, such as a file's final newline, is not
    /// part of it).
    ///
    /// # Errors
    /// [`SecretError::TooShort`] for fewer than [`MIN_SECRET_BYTES`] bytes.
    pub fn new(text: &str) -> Result<Self, SecretError> {
        let bytes = text.trim().as_bytes().to_vec();
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort(bytes.len()));
        }
        Ok(Self(bytes))
    }

    /// A new random secret (32 bytes, as 64 hex characters), for an application that was given
    /// none.
    ///
    /// # Errors
    /// [`SecretError::Random`] when the system has no randomness to give.
    pub fn generate() -> Result<Self, SecretError> {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| SecretError::Random)?;
        Ok(Self(hex(&bytes).into_bytes()))
    }

    /// The secret's text, to write it where a peer reads it (a file, a Kubernetes Secret).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppSecret([redacted])")
    }
}

impl fmt::Display for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// What a process needs to sign and check calls: its application id and secret.
#[derive(Clone)]
pub struct AppCredentials {
    app_id: String,
    key: hmac::Key,
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

impl AppCredentials {
    /// Credentials of application `app_id` with `secret`.
    pub fn new(app_id: impl Into<String>, secret: &AppSecret) -> Self {
        Self {
            app_id: app_id.into(),
            key: hmac::Key::new(hmac::HMAC_SHA256, secret.expose()),
        }
    }

    /// The application these credentials belong to.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    fn message(app_id: &str, time: &str, nonce: &str, path: &str) -> Vec<u8> {
        format!("{app_id}\n{time}\n{nonce}\n{path}").into_bytes()
    }

    /// The four headers for a call to `path` (`/package.Service/Method`) at `time_ms`.
    pub fn sign(&self, path: &str, time_ms: u64, nonce: &str) -> [(&'static str, String); 4] {
        let time = time_ms.to_string();
        let tag = hmac::sign(&self.key, &Self::message(&self.app_id, &time, nonce, path));
        [
            (APP_HEADER, self.app_id.clone()),
            (TIME_HEADER, time),
            (NONCE_HEADER, nonce.to_string()),
            (MAC_HEADER, hex(tag.as_ref())),
        ]
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A client channel whose calls a [`RequestSigner`] signs: the channel type of every Ember
/// gRPC client.
pub type SignedChannel =
    tonic::service::interceptor::InterceptedService<tonic::transport::Channel, RequestSigner>;

/// Signs every outgoing call with the application's credentials (no headers when
/// authentication is off). A tonic interceptor: wrap a channel with
/// `XxxClient::with_interceptor(channel, signer)`.
#[derive(Clone, Debug, Default)]
pub struct RequestSigner {
    credentials: Option<AppCredentials>,
}

impl RequestSigner {
    /// A signer with `credentials`, or one that signs nothing (`None`).
    pub fn new(credentials: Option<AppCredentials>) -> Self {
        Self { credentials }
    }
}

impl Interceptor for RequestSigner {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let Some(credentials) = &self.credentials else {
            return Ok(request);
        };
        // Generated clients name the method they call in the request's extensions.
        let path = match request.extensions().get::<GrpcMethod>() {
            Some(m) => format!("/{}/{}", m.service(), m.method()),
            None => return Err(Status::internal("cannot sign a call without its method")),
        };
        let mut nonce = [0u8; 16];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| Status::internal("no randomness for a nonce"))?;
        for (name, value) in credentials.sign(&path, now_ms(), &hex(&nonce)) {
            let value = MetadataValue::try_from(value.as_str())
                .map_err(|_| Status::internal("unprintable authentication header"))?;
            request.metadata_mut().insert(name, value);
        }
        Ok(request)
    }
}

/// Calls refused by an [`AuthLayer`], by reason, for the process's metrics.
#[derive(Debug, Default)]
pub struct AuthCounters {
    /// No (or incomplete) authentication headers.
    pub missing: AtomicU64,
    /// Signed for another application.
    pub wrong_application: AtomicU64,
    /// The MAC does not match: a wrong secret or altered headers.
    pub bad_signature: AtomicU64,
    /// Timestamp outside the replay window.
    pub expired: AtomicU64,
    /// A nonce seen before within the window.
    pub replayed: AtomicU64,
}

impl AuthCounters {
    /// All refusals.
    pub fn total(&self) -> u64 {
        [
            &self.missing,
            &self.wrong_application,
            &self.bad_signature,
            &self.expired,
            &self.replayed,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }
}

/// Why a call was refused (logged and counted; the caller only learns "unauthenticated").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    WrongApplication,
    BadSignature,
    Expired,
    Replayed,
}

impl Refusal {
    fn describe(self) -> &'static str {
        match self {
            Refusal::Missing => "no authentication headers",
            Refusal::WrongApplication => "signed for another application",
            Refusal::BadSignature => "bad signature",
            Refusal::Expired => "timestamp outside the replay window",
            Refusal::Replayed => "replayed request",
        }
    }
}

/// Checks calls against one application's credentials; shared by every connection of a
/// server.
#[derive(Debug)]
pub struct Verifier {
    credentials: AppCredentials,
    counters: Arc<AuthCounters>,
    seen: Mutex<SeenNonces>,
}

impl Verifier {
    /// A verifier for `credentials`, counting refusals in `counters`.
    pub fn new(credentials: AppCredentials, counters: Arc<AuthCounters>) -> Self {
        Self {
            credentials,
            counters,
            seen: Mutex::new(SeenNonces::default()),
        }
    }

    /// Checks the headers of a call to `path`, received at `now_ms`; counts a refusal.
    pub fn check(
        &self,
        path: &str,
        header: impl Fn(&str) -> Option<String>,
        now_ms: u64,
    ) -> Result<(), Refusal> {
        let result = self.check_uncounted(path, header, now_ms);
        if let Err(refusal) = result {
            let counter = match refusal {
                Refusal::Missing => &self.counters.missing,
                Refusal::WrongApplication => &self.counters.wrong_application,
                Refusal::BadSignature => &self.counters.bad_signature,
                Refusal::Expired => &self.counters.expired,
                Refusal::Replayed => &self.counters.replayed,
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    fn check_uncounted(
        &self,
        path: &str,
        header: impl Fn(&str) -> Option<String>,
        now_ms: u64,
    ) -> Result<(), Refusal> {
        let (Some(app), Some(time), Some(nonce), Some(mac)) = (
            header(APP_HEADER),
            header(TIME_HEADER),
            header(NONCE_HEADER),
            header(MAC_HEADER),
        ) else {
            return Err(Refusal::Missing);
        };
        if app != self.credentials.app_id {
            return Err(Refusal::WrongApplication);
        }
        let mac = unhex(&mac).ok_or(Refusal::BadSignature)?;
        let message = AppCredentials::message(&app, &time, &nonce, path);
        hmac::verify(&self.credentials.key, &message, &mac).map_err(|_| Refusal::BadSignature)?;
        // Only a correctly signed call gets here: its time and nonce are the signer's.
        let time: u64 = time.parse().map_err(|_| Refusal::BadSignature)?;
        let window = REPLAY_WINDOW.as_millis() as u64;
        if time.abs_diff(now_ms) > window {
            return Err(Refusal::Expired);
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if now_ms.saturating_sub(seen.pruned_at) > window {
            seen.nonces.retain(|_, t| t.abs_diff(now_ms) <= window);
            seen.pruned_at = now_ms;
        }
        if seen.nonces.len() >= MAX_REMEMBERED_NONCES {
            return Err(Refusal::Replayed);
        }
        if seen.nonces.insert(nonce, time).is_some() {
            return Err(Refusal::Replayed);
        }
        Ok(())
    }
}

/// A tower layer that refuses unauthenticated calls before they reach a service
/// (`tonic::transport::Server::builder().layer(...)`); with no verifier it lets everything
/// through.
#[derive(Clone, Debug, Default)]
pub struct AuthLayer {
    verifier: Option<Arc<Verifier>>,
}

impl AuthLayer {
    /// A layer checking calls with `verifier`, or none (`None`: authentication off).
    pub fn new(verifier: Option<Arc<Verifier>>) -> Self {
        Self { verifier }
    }
}

impl<S> tower_layer::Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            verifier: self.verifier.clone(),
        }
    }
}

/// The service [`AuthLayer`] wraps around another.
#[derive(Clone, Debug)]
pub struct AuthService<S> {
    inner: S,
    verifier: Option<Arc<Verifier>>,
}

impl<S, B, R> tower_service::Service<http::Request<B>> for AuthService<S>
where
    S: tower_service::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    R: Default + Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if let Some(verifier) = &self.verifier {
            let headers = request.headers();
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            if let Err(refusal) = verifier.check(request.uri().path(), header, now_ms()) {
                tracing::warn!(
                    path = request.uri().path(),
                    "refused an RPC: {}",
                    refusal.describe()
                );
                let response = Status::unauthenticated("authentication failed").into_http();
                return Box::pin(async move { Ok(response) });
            }
        }
        Box::pin(self.inner.call(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> AppSecret {
        AppSecret::new(text).expect("long enough")
    }

    fn verifier(app: &str, text: &str) -> (Verifier, Arc<AuthCounters>) {
        let counters = Arc::new(AuthCounters::default());
        (
            Verifier::new(
                AppCredentials::new(app, &secret(text)),
                Arc::clone(&counters),
            ),
            counters,
        )
    }

    fn headers<'a>(
        signed: &'a [(&'static str, String); 4],
    ) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            signed
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        }
    }

    const PATH: &str = "/ember.v1.ExecutorService/LaunchTask";
    const SECRET: &str = "0123456789abcdef-secret";

    #[test]
    fn a_signed_call_passes_once() {
        let (v, counters) = verifier("app-1", SECRET);
        let signer = AppCredentials::new("app-1", &secret(SECRET));
        let now = 1_700_000_000_000;
        let signed = signer.sign(PATH, now, "n1");
        assert_eq!(v.check(PATH, headers(&signed), now + 10), Ok(()));
        assert_eq!(
            v.check(PATH, headers(&signed), now + 20),
            Err(Refusal::Replayed)
        );
        assert_eq!(counters.replayed.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn forged_expired_foreign_and_unsigned_calls_are_refused_and_counted() {
        let (v, counters) = verifier("app-1", SECRET);
        let now = 1_700_000_000_000;
        let nobody = |_: &str| None;
        assert_eq!(v.check(PATH, nobody, now), Err(Refusal::Missing));

        let wrong_secret = AppCredentials::new("app-1", &secret("another-secret-of-16+"));
        let signed = wrong_secret.sign(PATH, now, "n2");
        assert_eq!(
            v.check(PATH, headers(&signed), now),
            Err(Refusal::BadSignature)
        );

        let other_app = AppCredentials::new("app-2", &secret(SECRET));
        let signed = other_app.sign(PATH, now, "n3");
        assert_eq!(
            v.check(PATH, headers(&signed), now),
            Err(Refusal::WrongApplication)
        );

        // A signature for one method does not authorise another.
        let right = AppCredentials::new("app-1", &secret(SECRET));
        let signed = right.sign("/ember.v1.ExecutorService/FetchShuffle", now, "n4");
        assert_eq!(
            v.check(PATH, headers(&signed), now),
            Err(Refusal::BadSignature)
        );

        let window = REPLAY_WINDOW.as_millis() as u64;
        let signed = right.sign(PATH, now - window - 1, "n5");
        assert_eq!(v.check(PATH, headers(&signed), now), Err(Refusal::Expired));
        let signed = right.sign(PATH, now + window + 1, "n6");
        assert_eq!(v.check(PATH, headers(&signed), now), Err(Refusal::Expired));

        assert_eq!(counters.total(), 6);
        assert_eq!(counters.bad_signature.load(Ordering::Relaxed), 2);
        assert_eq!(counters.expired.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn secrets_are_never_printed_and_short_ones_refused() {
        let s = secret(SECRET);
        assert!(!format!("{s:?} {s}").contains("secret"));
        let creds = AppCredentials::new("app", &s);
        assert!(!format!("{creds:?}").contains(SECRET));
        assert_eq!(
            AppSecret::new(" short \n").err(),
            Some(SecretError::TooShort(5))
        );
        let generated = AppSecret::generate().expect("random");
        assert_eq!(generated.expose().len(), 64);
        let other = AppSecret::generate().expect("random");
        assert_ne!(generated.expose(), other.expose());
    }

    #[test]
    fn expired_nonces_are_forgotten() {
        let (v, _) = verifier("app-1", SECRET);
        let signer = AppCredentials::new("app-1", &secret(SECRET));
        let window = REPLAY_WINDOW.as_millis() as u64;
        let start = 1_700_000_000_000;
        for i in 0..100u64 {
            let at = start + i * window / 10;
            let signed = signer.sign(PATH, at, &format!("n{i}"));
            assert_eq!(v.check(PATH, headers(&signed), at), Ok(()));
        }
        let remembered = v.seen.lock().map(|s| s.nonces.len()).unwrap_or(usize::MAX);
        assert!(
            remembered <= 25,
            "{remembered} nonces kept for 10 windows of calls"
        );
    }

    #[test]
    fn hex_round_trips() {
        let bytes = [0u8, 1, 0x7f, 0xff];
        assert_eq!(unhex(&hex(&bytes)).as_deref(), Some(&bytes[..]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
