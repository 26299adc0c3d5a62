//! [`ShuffleEnv`]: how a task on this executor (or the driver collecting results) reaches shuffle
//! data, wherever it lives.

use std::collections::HashMap;
use std::path::Path;

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use ember_proto::auth::{RequestSigner, SignedChannel};
use ember_proto::executor_service_client::ExecutorServiceClient;
use ember_proto::rpc::RpcSettings;
use ember_proto::{FetchShuffleRequest, MapOutput};
use tokio::sync::{Mutex, Semaphore};

use super::file::{map_file, segment_bytes};

/// Opens a gRPC channel to an executor with Ember's limits (`rpc`); `signer` authenticates
/// every call.
pub async fn connect_executor(
    host: &str,
    port: u32,
    rpc: &RpcSettings,
    signer: RequestSigner,
) -> Result<ExecutorServiceClient<SignedChannel>, String> {
    let url = match u16::try_from(port) {
        Ok(port) => rpc.url(host, port),
        Err(_) => return Err(format!("invalid executor port {port} of {host}")),
    };
    let max_message_bytes = rpc.max_message_bytes;
    let endpoint = rpc
        .endpoint(url.clone())
        .map_err(|e| format!("invalid executor address {url}: {e}"))?;
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| format!("cannot connect to {url}: {e}"))?;
    Ok(ExecutorServiceClient::with_interceptor(channel, signer)
        .max_decoding_message_size(max_message_bytes)
        .max_encoding_message_size(max_message_bytes))
}

/// A segment's bytes, by where they live.
#[derive(Debug, Clone)]
pub enum SegmentBytes {
    /// A slice of a mapped shuffle file: page cache (or tmpfs, charged when written).
    Mapped(Bytes),
    /// Fetched from another executor into this process's heap.
    Fetched(Bytes),
}

impl SegmentBytes {
    /// The bytes, wherever they live.
    pub fn bytes(&self) -> &Bytes {
        match self {
            SegmentBytes::Mapped(b) | SegmentBytes::Fetched(b) => b,
        }
    }
}

/// The reading side of shuffle for one process: who we are (to tell local from remote data) and
/// a pool of channels to other executors.
#[derive(Debug)]
pub struct ShuffleEnv {
    executor_id: String,
    host: String,
    read_host_local: bool,
    clients: Mutex<HashMap<String, ExecutorServiceClient<SignedChannel>>>,
    /// Limits of the channels to other executors.
    rpc: RpcSettings,
    /// Signs fetches with the application's credentials.
    signer: RequestSigner,
    bytes_fetched: AtomicU64,
    /// Permits are bytes: a remote read holds its segment's length (capped at the whole budget)
    /// while it is fetched and decoded (Spark's `spark.reducer.maxSizeInFlight`, shared by all
    /// tasks of the process).
    in_flight: Semaphore,
    max_in_flight: usize,
}

impl ShuffleEnv {
    /// `read_host_local` lets this process map files of other executors on the same host
    /// directly (Spark's `spark.shuffle.readHostLocalDisk`); `max_in_flight` bounds the bytes
    /// being fetched from other executors at once.
    pub fn new(
        executor_id: impl Into<String>,
        host: impl Into<String>,
        read_host_local: bool,
        max_message_bytes: usize,
        max_in_flight: usize,
    ) -> Self {
        let max_in_flight = max_in_flight.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            executor_id: executor_id.into(),
            host: host.into(),
            read_host_local,
            clients: Mutex::new(HashMap::new()),
            rpc: RpcSettings {
                max_message_bytes,
                ..RpcSettings::default()
            },
            signer: RequestSigner::default(),
            bytes_fetched: AtomicU64::new(0),
            in_flight: Semaphore::new(max_in_flight),
            max_in_flight,
        }
    }

    /// Signs every fetch with `signer` (the application's credentials, when authentication
    /// is on).
    pub fn with_signer(mut self, signer: RequestSigner) -> Self {
        self.signer = signer;
        self
    }

    /// Uses `rpc`'s limits for channels to other executors.
    pub fn with_rpc(mut self, rpc: RpcSettings) -> Self {
        self.rpc = rpc;
        self
    }

    /// Bytes received from other executors so far.
    pub fn bytes_fetched(&self) -> u64 {
        self.bytes_fetched.load(Ordering::Relaxed)
    }

    fn is_local(&self, output: &MapOutput) -> bool {
        !output.path.is_empty()
            && (output.executor_id == self.executor_id
                || (self.read_host_local && output.host == self.host))
    }

    /// The bytes of one segment, to be decoded with
    /// [`SegmentBatches`](super::file::SegmentBatches): a local (or host-local) segment is a
    /// slice of the mapped file, a remote one is fetched whole into memory. The error is a
    /// message for a fetch failure.
    pub async fn read_segment(
        &self,
        job_id: &str,
        output: &MapOutput,
        offset: u64,
        length: u64,
    ) -> Result<SegmentBytes, String> {
        if self.is_local(output) {
            match map_file(Path::new(&output.path)) {
                Ok(file) => {
                    let bytes = segment_bytes(&file, offset, length).map_err(|e| e.to_string())?;
                    return Ok(SegmentBytes::Mapped(bytes));
                }
                // Another executor's file that is not visible here: same address, different
                // file system (containers or pods sharing an IP). Its server still has it.
                Err(_) if output.executor_id != self.executor_id && output.port != 0 => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        let permits = (length as usize).clamp(1, self.max_in_flight) as u32;
        let _in_flight = self
            .in_flight
            .acquire_many(permits)
            .await
            .map_err(|_| "shuffle fetch limiter closed".to_string())?;
        let mut client = self.client(&output.host, output.port).await?;
        let request = FetchShuffleRequest {
            job_id: job_id.to_string(),
            file: output.file.clone(),
            offset,
            length,
        };
        let mut stream = match client.fetch_shuffle(request).await {
            Ok(response) => response.into_inner(),
            Err(status) => {
                self.forget(&output.host, output.port).await;
                return Err(format!("fetch refused: {}", status.message()));
            }
        };
        // The segment is gathered whole (at most `max_in_flight` bytes are fetched at once) and
        // decoded message by message, as a local one is; the reader charges it to its task's
        // memory until it is consumed.
        let mut chunks = Vec::new();
        let mut received = 0u64;
        loop {
            match stream.message().await {
                Ok(Some(chunk)) => {
                    received += chunk.data.len() as u64;
                    if received > length {
                        return Err(format!("expected {length} bytes, received more"));
                    }
                    chunks.push(chunk.data);
                }
                Ok(None) => break,
                Err(status) => {
                    self.forget(&output.host, output.port).await;
                    return Err(format!("fetch stream broke: {}", status.message()));
                }
            }
        }
        self.bytes_fetched.fetch_add(received, Ordering::Relaxed);
        if received != length {
            return Err(format!("expected {length} bytes, received {received}"));
        }
        let segment = match chunks.len() {
            1 => chunks.pop().unwrap_or_default(),
            _ => {
                let mut whole = bytes::BytesMut::with_capacity(length as usize);
                for chunk in &chunks {
                    whole.extend_from_slice(chunk);
                }
                whole.freeze()
            }
        };
        Ok(SegmentBytes::Fetched(segment))
    }

    async fn client(
        &self,
        host: &str,
        port: u32,
    ) -> Result<ExecutorServiceClient<SignedChannel>, String> {
        let key = format!("{host}:{port}");
        let mut clients = self.clients.lock().await;
        if let Some(c) = clients.get(&key) {
            return Ok(c.clone());
        }
        let client = connect_executor(host, port, &self.rpc, self.signer.clone()).await?;
        clients.insert(key, client.clone());
        Ok(client)
    }

    async fn forget(&self, host: &str, port: u32) {
        self.clients.lock().await.remove(&format!("{host}:{port}"));
    }
}
