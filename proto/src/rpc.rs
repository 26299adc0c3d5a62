//! How every Ember gRPC server and channel is set up, in one place: bounds that keep a broken
//! or hostile peer from holding a process's resources (message size, streams per connection,
//! time per call, dead connections), the same for the driver and executors; and TLS when the
//! application has it on ([`crate::tls`]).

use std::sync::Arc;
use std::time::Duration;

use tonic::transport::server::TcpIncoming;
use tonic::transport::{Endpoint, Server};

use crate::DEFAULT_MAX_MESSAGE_BYTES;
use crate::tls::RpcTls;

/// Transport settings shared by a process's servers and clients.
#[derive(Debug, Clone)]
pub struct RpcSettings {
    /// Bound on one message in either direction (`spark.rpc.message.maxSize`).
    pub max_message_bytes: usize,
    /// Bound on a call until its response starts (`spark.rpc.askTimeout`); a streamed response
    /// (a shuffle fetch) may take longer to deliver, while its connection stays alive.
    pub request_timeout: Duration,
    /// Bound on opening a connection.
    pub connect_timeout: Duration,
    /// HTTP/2 streams (calls) one connection may have open at once.
    pub max_concurrent_streams: u32,
    /// Idle connections are pinged this often and closed when a ping goes unanswered for as
    /// long: a peer that vanished without closing does not hold a connection forever.
    pub keepalive: Duration,
    /// TLS for every connection (`spark.ssl.rpc.enabled`); `None`: plaintext.
    pub tls: Option<Arc<RpcTls>>,
}

impl Default for RpcSettings {
    fn default() -> Self {
        Self {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            request_timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(5),
            max_concurrent_streams: 1024,
            keepalive: Duration::from_secs(30),
            tls: None,
        }
    }
}

impl RpcSettings {
    /// A server builder with these bounds and TLS settings (add a layer and services to it).
    ///
    /// # Errors
    /// TLS material rustls refuses (a key that does not match its certificate).
    pub fn server(&self) -> Result<Server, tonic::transport::Error> {
        let server = Server::builder()
            .tcp_nodelay(true)
            .timeout(self.request_timeout)
            .max_concurrent_streams(self.max_concurrent_streams)
            .http2_keepalive_interval(Some(self.keepalive))
            .http2_keepalive_timeout(Some(self.keepalive))
            .tcp_keepalive(Some(self.keepalive));
        match &self.tls {
            Some(tls) => server.tls_config(tls.server_config()),
            None => Ok(server),
        }
    }

    /// The connections `listener` accepts, with `TCP_NODELAY` and TCP keepalive set: tonic
    /// applies its own socket options only to listeners it binds, not to one handed to
    /// `serve_with_incoming`. Without `TCP_NODELAY`, small writes (a TLS record, an HTTP/2
    /// frame) wait for the peer's delayed ACK, about 40 ms a call.
    pub fn incoming(&self, listener: tokio::net::TcpListener) -> TcpIncoming {
        TcpIncoming::from(listener)
            .with_nodelay(Some(true))
            .with_keepalive(Some(self.keepalive))
    }

    /// The URL of a server at `host:port`: `https` with TLS on, else `http`.
    pub fn url(&self, host: &str, port: u16) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{host}:{port}")
    }

    /// An endpoint for `url` (see [`Self::url`]) with these bounds and TLS settings.
    ///
    /// # Errors
    /// A URL that is not one, or TLS material rustls refuses.
    pub fn endpoint(&self, url: String) -> Result<Endpoint, tonic::transport::Error> {
        let endpoint = Endpoint::from_shared(url)?
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .tcp_nodelay(true)
            .http2_keep_alive_interval(self.keepalive)
            .keep_alive_timeout(self.keepalive)
            .keep_alive_while_idle(true);
        match &self.tls {
            Some(tls) => endpoint.tls_config(tls.client_config()),
            None => Ok(endpoint),
        }
    }
}

/// An error with its chain of causes, `outer: inner: ...`: tonic's transport errors say only
/// "transport error" and keep the reason (a TLS key that is not the certificate's) as a source.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
