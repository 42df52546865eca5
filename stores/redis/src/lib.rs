//! # auth-store-redis
//!
//! [`auth_core`] stores on Redis: every store trait ([`UserStore`], [`SessionStore`],
//! [`SessionUserStore`], [`ApiKeyStore`], [`CounterStore`], [`EphemeralStore`],
//! [`MailOutbox`], [`AuditSink`]) on one
//! [`RedisStore`], so that a Redis-only deployment works, and so that a mixed one (users
//! in SQL, sessions and counters in Redis) can take just the parts it wants. It also keeps
//! uploaded profile pictures ([`PictureStore`](auth_core::PictureStore)): one hash per
//! user, replaced in one `MULTI`; and identities linked at other providers
//! ([`IdentityStore`](auth_core::IdentityStore)): a hash per identity and a set per user
//! in the accounts slot, linked once by a script.
//!
//! ```no_run
//! use std::sync::Arc;
//! use auth_store_redis::{RedisConfig, RedisStore};
//!
//! # async fn demo() -> auth_core::Result<()> {
//! let store = Arc::new(RedisStore::connect(RedisConfig::new("redis://127.0.0.1:6379/")).await?);
//! let sessions: Arc<dyn auth_core::SessionStore> = store.clone();
//! let counters: Arc<dyn auth_core::CounterStore> = store;
//! # let _ = (sessions, counters);
//! # Ok(())
//! # }
//! ```
//!
//! ## Behaviour
//!
//! - **Atomicity.** Every operation that touches more than one key runs as one Lua script
//!   (or a `MULTI` transaction), so uniqueness of email and username, compare-and-swap on
//!   the user's version, session indexes and outbox claims cannot race. Scripts check
//!   before they write and carry Redis 7 flags, so a full server refuses a write script
//!   before it starts rather than halfway. Requires Redis 7.0 or newer.
//! - **Redis Cluster** ([`RedisConfig::cluster`]): the same store through the `redis`
//!   crate's cluster client. Keys that a script touches together share a hash tag, so
//!   every script runs in one slot: all accounts (users, their unique email and username
//!   claims, sessions) share one slot, because uniqueness is claimed in the same script
//!   that writes the user and a session is found by its digest alone and read with its
//!   owner in one round trip; counters and the outbox have a slot each; audit trails
//!   spread over the cluster, one key per user. Different key prefixes land on different
//!   slots. A failover is survived: calls during the switch return
//!   [`Error::Unavailable`](auth_core::Error::Unavailable) or succeed after the client's
//!   own retries, and calls after it succeed; what a replica had not received when its
//!   primary died is lost, as Redis's replication is asynchronous (a manual
//!   `CLUSTER FAILOVER` loses nothing). The layout, and why, is in docs/redis-store.md.
//! - **Mixed deployments.** Register the store for the roles it should fill (e.g.
//!   sessions and counters) and not as the `SessionUserStore` when users live elsewhere:
//!   [`RedisStore::session_with_user`](SessionUserStore::session_with_user) reads the user
//!   from Redis.
//!   The store also keeps a revision of users and sessions
//!   ([`RevisionStore`](auth_core::RevisionStore): one key, one `GET` to read), which
//!   a mixed deployment gives to
//!   [`AuthBuilder::revisions`](auth_core::AuthBuilder::revisions) so that its engines
//!   keep session lookups in memory and check them with that one read.
//! - **Expiry.** Sessions expire natively at [`SessionRecord::dies_at`](auth_core::SessionRecord::dies_at) (refreshed on
//!   touch), counters at the end of their window; the caller's `now` still decides what
//!   is live, as the contracts require. The purge methods are only needed to apply a
//!   `now` ahead of the server's clock; stale index entries are dropped lazily.
//! - **Failures.** A server that is down, unreachable or silent gives
//!   [`Error::Unavailable`](auth_core::Error::Unavailable) within
//!   [`RedisConfig::call_deadline`] per round trip, never a hang; the store reconnects by
//!   itself when the server is back, also after a partition that left its socket open,
//!   and after a failover behind a stable address (a demoted primary's `READONLY` makes
//!   it reconnect).
//!   A full server (`OOM`), a read-only replica and a server loading its data are
//!   `Unavailable` too. [`RedisStore::connect_lazy`] lets an application start before
//!   Redis is up. Other Redis errors are
//!   [`Error::Backend`](auth_core::Error::Backend). Both keep the Redis error as source.
//! - **TLS** (feature `tls`, on by default): `rediss://` URLs, through rustls with the
//!   ring provider, which the store installs as rustls's process default before its first
//!   TLS connection unless the application installed one. aws-lc-rs is never pulled in.
//!
//! The key layout, the scripts and the cost of each operation are documented in
//! `docs/redis-store.md`.

#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's example, compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod api_keys;
mod audit;
mod codec;
mod config;
mod conn;
mod counters;
mod ephemeral;
mod identities;
mod keys;
mod outbox;
mod passkeys;
mod pictures;
mod revision;
mod scripts;
mod sessions;
#[cfg(feature = "tls")]
mod tls;
mod users;

use std::sync::Arc;

use auth_core::{
    ApiKeyStore, AuditSink, CounterStore, EphemeralStore, MailOutbox, Result, SessionStore,
    SessionUserStore, UserStore,
};
use redis::{Cmd, FromRedisValue, Pipeline, Script, ScriptInvocation};
use time::OffsetDateTime;

use crate::codec::{ceil_ms, time_key};

pub use config::{DEFAULT_AUDIT_CAP, DEFAULT_KEY_PREFIX, RedisConfig};

/// How many index entries one purge round trip examines.
const PURGE_BATCH: i64 = 500;

/// Every auth-core store trait on one Redis server. Cheap to clone (an `Arc` inside);
/// clones share the connection.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    conn: conn::Connection,
    keys: keys::Keys,
    config: RedisConfig,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("key_prefix", &self.inner.keys.prefix())
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to the server and checks that it answers.
    ///
    /// # Errors
    /// [`Error::Config`](auth_core::Error::Config) for an invalid URL or settings (or a
    /// `rediss://` URL without the `tls` feature);
    /// [`Error::Unavailable`](auth_core::Error::Unavailable) when the server cannot be
    /// reached in time; [`Error::Backend`](auth_core::Error::Backend) when it refuses the
    /// connection (e.g. wrong password).
    pub async fn connect(config: RedisConfig) -> Result<Self> {
        let store = Self::connect_lazy(config).await?;
        // Fail fast on a wrong URL, password or a down server.
        store.inner.conn.ping().await?;
        tracing::debug!(prefix = store.inner.keys.prefix(), "redis store connected");
        Ok(store)
    }

    /// Like [`RedisStore::connect`] but without contacting the server: the first call
    /// connects. For applications that must start while Redis is still down; every call
    /// made before it is up returns
    /// [`Error::Unavailable`](auth_core::Error::Unavailable) within the deadline.
    ///
    /// # Errors
    /// [`Error::Config`](auth_core::Error::Config) for an invalid URL or settings.
    pub async fn connect_lazy(config: RedisConfig) -> Result<Self> {
        config.validate()?;
        let conn = conn::Connection::new(&config)?;
        Ok(Self {
            inner: Arc::new(Inner {
                conn,
                keys: keys::Keys::new(&config.key_prefix),
                config,
            }),
        })
    }

    /// The settings the store was opened with.
    pub fn config(&self) -> &RedisConfig {
        &self.inner.config
    }

    /// Checks that the server answers, for health checks.
    ///
    /// # Errors
    /// [`Error::Unavailable`](auth_core::Error::Unavailable) when it does not in time.
    pub async fn ping(&self) -> Result<()> {
        self.inner.conn.ping().await
    }

    fn keys(&self) -> &keys::Keys {
        &self.inner.keys
    }

    async fn script<T: FromRedisValue>(&self, invocation: &ScriptInvocation<'_>) -> Result<T> {
        let slot = self.inner.conn.current();
        let mut con = slot.handle;
        self.inner
            .conn
            .run(slot.generation, invocation.invoke_async(&mut con))
            .await
    }

    async fn query<T: FromRedisValue>(&self, cmd: &Cmd) -> Result<T> {
        let slot = self.inner.conn.current();
        let mut con = slot.handle;
        self.inner
            .conn
            .run(slot.generation, cmd.query_async(&mut con))
            .await
    }

    /// Runs a purge script round trip by round trip, each examining up to
    /// [`PURGE_BATCH`] entries of the expiry index `index` that are due at `now`, until
    /// one examines fewer; answers how many entries were purged. The script takes
    /// `KEYS[1]` = `index` and ARGV = `prefix` (of the entries' keys), `now` as a time key
    /// and in milliseconds (rounded up), the offset and the batch size, and answers
    /// `{purged, examined, skipped}`: entries it examined and kept (still alive) are
    /// skipped by the next round trip's offset.
    async fn purge_in_batches(
        &self,
        script: &Script,
        index: String,
        prefix: &str,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let (now_key, now_ms) = (time_key(now), ceil_ms(now));
        let mut purged_total = 0u64;
        let mut offset = 0i64;
        loop {
            let (purged, examined, skipped): (u64, i64, i64) = self
                .script(
                    script
                        .key(&index)
                        .arg(prefix)
                        .arg(&now_key)
                        .arg(now_ms)
                        .arg(offset)
                        .arg(PURGE_BATCH),
                )
                .await?;
            purged_total += purged;
            offset += skipped;
            if examined < PURGE_BATCH {
                return Ok(purged_total);
            }
        }
    }

    async fn pipeline<T: FromRedisValue>(&self, pipe: &Pipeline) -> Result<T> {
        let slot = self.inner.conn.current();
        let mut con = slot.handle;
        self.inner
            .conn
            .run(slot.generation, pipe.query_async(&mut con))
            .await
    }
}

// Compile-time check that the store is usable behind every trait object.
const _: fn() = || {
    fn all<
        T: UserStore
            + SessionStore
            + SessionUserStore
            + ApiKeyStore
            + CounterStore
            + EphemeralStore
            + MailOutbox
            + AuditSink,
    >() {
    }
    all::<RedisStore>();
};
