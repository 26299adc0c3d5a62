//! How every Ember gRPC server and channel is set up, in one place: bounds that keep a broken
//! or hostile peer from holding a process's resources (message size, streams per connection,
//! time per call, dead connections), the same for the driver and executors.

use std::time::Duration;

use tonic::transport::{Endpoint, Server};

use crate::DEFAULT_MAX_MESSAGE_BYTES;

/// Transport settings shared by a process's servers and clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl Default for RpcSettings {
    fn default() -> Self {
        Self {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            request_timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(5),
            max_concurrent_streams: 1024,
            keepalive: Duration::from_secs(30),
        }
    }
}

impl RpcSettings {
    /// A server builder with these bounds (add a layer and services to it).
    pub fn server(&self) -> Server {
        Server::builder()
            .tcp_nodelay(true)
            .timeout(self.request_timeout)
            .max_concurrent_streams(self.max_concurrent_streams)
            .http2_keepalive_interval(Some(self.keepalive))
            .http2_keepalive_timeout(Some(self.keepalive))
            .tcp_keepalive(Some(self.keepalive))
    }

    /// An endpoint for `url` with these bounds.
    ///
    /// # Errors
    /// A URL that is not one.
    pub fn endpoint(&self, url: String) -> Result<Endpoint, tonic::transport::Error> {
        Ok(Endpoint::from_shared(url)?
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .tcp_nodelay(true)
            .http2_keep_alive_interval(self.keepalive)
            .keep_alive_timeout(self.keepalive)
            .keep_alive_while_idle(true))
    }
}
