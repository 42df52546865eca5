//! The connection: a `ConnectionManager` behind a per-call deadline, and error mapping.

use std::fmt;
use std::future::Future;
use std::sync::RwLock;
use std::time::Duration;

use auth_core::{Error, Result};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ErrorKind, RedisError, ServerErrorKind};

use crate::config::RedisConfig;

/// One `ConnectionManager` and the generation it belongs to.
#[derive(Clone)]
pub(crate) struct Slot {
    pub(crate) generation: u64,
    pub(crate) manager: ConnectionManager,
}

/// Owns the client and the current connection manager.
///
/// `ConnectionManager` reconnects by itself when the connection drops (reset, EOF,
/// refused). It does not when the connection stays open but the server stops answering
/// (a network partition, a paused VM): every command then times out until the kernel
/// gives up on the socket, which can take many minutes. So when a call times out, the
/// manager is replaced by a fresh one (lazily connected); calls already in flight finish
/// on the old one.
pub(crate) struct Connection {
    client: redis::Client,
    manager_config: ConnectionManagerConfig,
    slot: RwLock<Slot>,
    deadline: Duration,
}

impl Connection {
    /// Builds the client and a lazily connected manager: no I/O yet. Must run inside a
    /// Tokio runtime (the manager spawns a task).
    pub(crate) fn new(config: &RedisConfig) -> Result<Self> {
        #[cfg(feature = "tls")]
        if config.url.starts_with("rediss://") {
            crate::tls::install_ring_provider();
        }
        let client = client(config)
            .map_err(|e| Error::Config(format!("redis store: invalid URL or TLS settings: {e}")))?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.connect_timeout))
            .set_response_timeout(Some(config.response_timeout))
            .set_number_of_retries(config.reconnect_retries)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let deadline = config.call_deadline();
        let manager =
            ConnectionManager::new_lazy_with_config(client.clone(), manager_config.clone())
                .map_err(|e| Error::Config(format!("redis store: {e}")))?;
        Ok(Self {
            client,
            manager_config,
            slot: RwLock::new(Slot {
                generation: 0,
                manager,
            }),
            deadline,
        })
    }

    /// One `PING`.
    pub(crate) async fn ping(&self) -> Result<()> {
        let slot = self.current();
        let mut con = slot.manager;
        let _pong: String = self
            .run(slot.generation, redis::cmd("PING").query_async(&mut con))
            .await?;
        Ok(())
    }

    /// The current manager (a cheap clone).
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
                if e.is_timeout() {
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

    /// Replaces the manager of `generation` by a fresh one, unless another call did.
    fn replace(&self, generation: u64) {
        let mut slot = self
            .slot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.generation != generation {
            return;
        }
        match ConnectionManager::new_lazy_with_config(
            self.client.clone(),
            self.manager_config.clone(),
        ) {
            Ok(manager) => {
                tracing::warn!("redis store: a call timed out; opening a fresh connection");
                *slot = Slot {
                    generation: generation.wrapping_add(1),
                    manager,
                };
            }
            Err(e) => tracing::error!(error = %e, "redis store: cannot replace the connection"),
        }
    }
}

fn client(config: &RedisConfig) -> redis::RedisResult<redis::Client> {
    #[cfg(feature = "tls")]
    if config.tls_root_pem.is_some() || config.tls_client_pem.is_some() {
        return redis::Client::build_with_tls(
            config.url.as_str(),
            redis::TlsCertificates {
                client_tls: config.tls_client_pem.as_ref().map(|(cert, key)| {
                    redis::ClientTlsConfig {
                        client_cert: cert.clone(),
                        client_key: key.clone(),
                    }
                }),
                root_cert: config.tls_root_pem.clone(),
            },
        );
    }
    redis::Client::open(config.url.as_str())
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
