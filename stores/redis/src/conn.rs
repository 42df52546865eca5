//! The connection: a `ConnectionManager` (one server) or a cluster connection (Redis
//! Cluster) behind a per-call deadline, and error mapping.

use std::fmt;
use std::future::Future;
use std::sync::RwLock;
use std::time::Duration;

use auth_core::{Error, Result};
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, ErrorKind, Pipeline, RedisError, RedisFuture, ServerErrorKind, Value};

use crate::config::{RedisConfig, Target};

/// A connection to one server or to a cluster; cheap to clone (clones share it).
#[derive(Clone)]
pub(crate) enum Handle {
    /// One server: a multiplexed connection that reconnects by itself.
    Server(ConnectionManager),
    /// A Redis Cluster: the `redis` crate's cluster client routes every command, script
    /// and transaction by the slot of its first key and follows redirections.
    Cluster(ClusterConnection),
}

impl ConnectionLike for Handle {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Server(con) => con.req_packed_command(cmd),
            Self::Cluster(con) => con.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Server(con) => con.req_packed_commands(pipeline, offset, count),
            Self::Cluster(con) => con.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Server(con) => con.get_db(),
            Self::Cluster(con) => con.get_db(),
        }
    }
}

/// What opens a fresh [`Handle`] without I/O.
enum Opener {
    Server {
        client: redis::Client,
        config: ConnectionManagerConfig,
    },
    Cluster(ClusterClient),
}

impl Opener {
    fn new(config: &RedisConfig) -> Result<Self> {
        let invalid =
            |e: RedisError| Error::Config(format!("redis store: invalid URL or TLS settings: {e}"));
        Ok(match &config.target {
            Target::Server(url) => Self::Server {
                client: client(url, config).map_err(invalid)?,
                config: ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(config.connect_timeout))
                    .set_response_timeout(Some(config.response_timeout))
                    .set_number_of_retries(config.reconnect_retries)
                    .set_min_delay(Duration::from_millis(50))
                    .set_max_delay(Duration::from_millis(500)),
            },
            Target::Cluster(nodes) => {
                Self::Cluster(cluster_client(nodes, config).map_err(invalid)?)
            }
        })
    }

    /// A lazily connected handle: the first call connects. Must run inside a Tokio
    /// runtime (both kinds spawn a task).
    fn open(&self) -> Result<Handle> {
        match self {
            Self::Server { client, config } => {
                ConnectionManager::new_lazy_with_config(client.clone(), config.clone())
                    .map(Handle::Server)
                    .map_err(|e| Error::Config(format!("redis store: {e}")))
            }
            Self::Cluster(client) => Ok(Handle::Cluster(
                client.get_pending_async_connection_with_config(ClusterConfig::new()),
            )),
        }
    }
}

/// One [`Handle`] and the generation it belongs to.
#[derive(Clone)]
pub(crate) struct Slot {
    pub(crate) generation: u64,
    pub(crate) handle: Handle,
}

/// Owns what opens connections and the current one.
///
/// Both kinds reconnect by themselves when a connection drops (reset, EOF, refused); the
/// cluster client also refreshes its slot map when a node fails over. Neither does when
/// the connection stays open but the server stops answering (a network partition, a
/// paused VM): every command then times out until the kernel gives up on the socket,
/// which can take many minutes. Nor does a connection leave a primary that a failover
/// turned into a replica (it answers writes with `READONLY`). So when a call times out or
/// meets `READONLY`, the handle is replaced by a fresh one (lazily connected); calls
/// already in flight finish on the old one.
pub(crate) struct Connection {
    opener: Opener,
    slot: RwLock<Slot>,
    deadline: Duration,
}

impl Connection {
    /// Builds the client and a lazily connected handle: no I/O yet. Must run inside a
    /// Tokio runtime (the handle spawns a task).
    pub(crate) fn new(config: &RedisConfig) -> Result<Self> {
        #[cfg(feature = "tls")]
        if config
            .target
            .urls()
            .iter()
            .any(|url| url.starts_with("rediss://"))
        {
            crate::tls::install_ring_provider();
        }
        let opener = Opener::new(config)?;
        let handle = opener.open()?;
        Ok(Self {
            opener,
            slot: RwLock::new(Slot {
                generation: 0,
                handle,
            }),
            deadline: config.call_deadline(),
        })
    }

    /// One `PING`.
    pub(crate) async fn ping(&self) -> Result<()> {
        let slot = self.current();
        let mut con = slot.handle;
        let _pong: String = self
            .run(slot.generation, redis::cmd("PING").query_async(&mut con))
            .await?;
        Ok(())
    }

    /// The current handle (a cheap clone).
    pub(crate) fn current(&self) -> Slot {
        self.slot
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Awaits one round trip under the call deadline and maps its error.
    pub(crate) async fn run<T>(
        &self,
        generation: u64,
        round_trip: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T> {
        match tokio::time::timeout(self.deadline, round_trip).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                // A read-only replica answering a write was the primary behind this
                // address before a failover: a fresh connection reaches the new one once
                // the address follows it (DNS, a floating IP, a proxy).
                if e.is_timeout() || e.kind() == ErrorKind::Server(ServerErrorKind::ReadOnly) {
                    self.replace(generation);
                }
                Err(map_error(e))
            }
            Err(_elapsed) => {
                self.replace(generation);
                Err(Error::unavailable(DeadlineExceeded(self.deadline)))
            }
        }
    }

    /// Replaces the handle of `generation` by a fresh one, unless another call did.
    fn replace(&self, generation: u64) {
        let mut slot = self
            .slot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.generation != generation {
            return;
        }
        match self.opener.open() {
            Ok(handle) => {
                tracing::warn!(
                    "redis store: a call timed out or met a read-only replica; opening a fresh connection"
                );
                *slot = Slot {
                    generation: generation.wrapping_add(1),
                    handle,
                };
            }
            Err(e) => tracing::error!(error = %e, "redis store: cannot replace the connection"),
        }
    }
}

/// The certificates configured for `rediss://`, if any.
#[cfg(feature = "tls")]
fn certificates(config: &RedisConfig) -> Option<redis::TlsCertificates> {
    if config.tls_root_pem.is_none() && config.tls_client_pem.is_none() {
        return None;
    }
    Some(redis::TlsCertificates {
        client_tls: config
            .tls_client_pem
            .as_ref()
            .map(|(cert, key)| redis::ClientTlsConfig {
                client_cert: cert.clone(),
                client_key: key.clone(),
            }),
        root_cert: config.tls_root_pem.clone(),
    })
}

fn client(url: &str, config: &RedisConfig) -> redis::RedisResult<redis::Client> {
    #[cfg(feature = "tls")]
    if let Some(certificates) = certificates(config) {
        return redis::Client::build_with_tls(url, certificates);
    }
    #[cfg(not(feature = "tls"))]
    let _ = config;
    redis::Client::open(url)
}

/// The cluster client: the same timeouts as for one server; its own retries (on
/// redirections, `TRYAGAIN`, `CLUSTERDOWN` and lost connections during a failover) are
/// bounded by the call deadline like everything else.
fn cluster_client(nodes: &[String], config: &RedisConfig) -> redis::RedisResult<ClusterClient> {
    let builder = ClusterClient::builder(nodes.iter().map(String::as_str))
        .connection_timeout(config.connect_timeout)
        .response_timeout(config.response_timeout)
        .overall_response_timeout(Some(config.call_deadline()))
        .min_retry_wait(50)
        .max_retry_wait(500);
    #[cfg(feature = "tls")]
    let builder = match certificates(config) {
        Some(certificates) => builder.certs(certificates),
        None => builder,
    };
    builder.build()
}

/// A call took longer than its deadline.
#[derive(Debug)]
pub(crate) struct DeadlineExceeded(Duration);

impl fmt::Display for DeadlineExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redis did not answer within {:?}", self.0)
    }
}

impl std::error::Error for DeadlineExceeded {}

/// Maps a Redis error to the core's: whatever retrying may fix (I/O, timeouts, a server
/// loading its dataset, a replica or failover in progress, a busy script, a server out of
/// memory or unable to persist) is
/// [`Error::Unavailable`]; anything else is [`Error::Backend`]. The Redis error is kept
/// as the source.
pub(crate) fn map_error(e: RedisError) -> Error {
    if is_transient(&e) {
        Error::unavailable(e)
    } else {
        Error::backend(e)
    }
}

fn is_transient(e: &RedisError) -> bool {
    e.is_io_error()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || matches!(
            e.kind(),
            ErrorKind::Server(
                ServerErrorKind::BusyLoading
                    | ServerErrorKind::TryAgain
                    | ServerErrorKind::ClusterDown
                    | ServerErrorKind::MasterDown
                    | ServerErrorKind::ReadOnly
            )
        )
        || matches!(e.code(), Some("BUSY" | "OOM" | "MISCONF" | "NOREPLICAS"))
}
