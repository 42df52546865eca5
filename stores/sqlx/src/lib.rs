//! # auth-store-sqlx
//!
//! [`auth_core`] stores on PostgreSQL, SQLite and MySQL/MariaDB through
//! [sqlx](https://docs.rs/sqlx) 0.9. One [`SqlxStore`] implements every store trait:
//! [`UserStore`](auth_core::UserStore), [`SessionStore`](auth_core::SessionStore),
//! [`SessionUserStore`](auth_core::SessionUserStore) (a session and its user in one query,
//! so authenticating a request is one round trip), [`CounterStore`](auth_core::CounterStore),
//! [`MailOutbox`](auth_core::MailOutbox) and [`AuditSink`](auth_core::AuditSink), and
//! [`PictureStore`](auth_core::PictureStore) for uploaded profile pictures, and
//! [`IdentityStore`](auth_core::IdentityStore) for identities linked at other providers.
//!
//! ```no_run
//! # async fn demo() -> auth_core::Result<()> {
//! use std::sync::Arc;
//! use std::time::Duration;
//! use auth_store_sqlx::{SqlxStore, SqlxStoreOptions};
//!
//! // The backend is chosen by the URL: postgres://, sqlite:, mysql:// or mariadb://.
//! let store = SqlxStore::connect(
//!     "postgres://app@db.internal/app",
//!     SqlxStoreOptions::new().table_prefix("auth_"),
//! )
//! .await?;
//! store.migrate().await?; // or SqlxStoreOptions::migrate_on_connect(true)
//!
//! // Delete expired sessions and counters every ten minutes.
//! let purge = store.spawn_purge(Duration::from_secs(600));
//!
//! let users: Arc<dyn auth_core::UserStore> = Arc::new(store.clone());
//! let sessions: Arc<dyn auth_core::SessionStore> = Arc::new(store.clone());
//! # drop((users, sessions, purge));
//! # Ok(()) }
//! ```
//!
//! ## Features
//! `postgres`, `sqlite` and `mysql` select the backends and `tls` adds TLS for PostgreSQL
//! and MySQL through rustls with the *ring* provider (no aws-lc-rs, no OpenSSL). All four
//! are on by default so that [`SqlxStore::connect`] accepts any URL; an application that
//! uses one database turns the defaults off and names its backend:
//! `auth-store-sqlx = { version = "0.1", default-features = false, features = ["postgres", "tls"] }`.
//!
//! ## Schema and migrations
//! Tables are named `<prefix>users`, `<prefix>sessions`, `<prefix>counters`,
//! `<prefix>outbox`, `<prefix>audit`, `<prefix>pictures`, `<prefix>identities` (default prefix `auth_`), created by migrations
//! embedded in the crate and run by [`SqlxStore::migrate`] (never implicitly, unless
//! [`SqlxStoreOptions::migrate_on_connect`] asks for it). Times are stored as `BIGINT`
//! nanoseconds since the Unix epoch (UTC), ids as native `UUID` on PostgreSQL and 16 bytes
//! elsewhere, session digests as 32 bytes, roles as a JSON array. The whole schema and the
//! reasons behind it are in `docs/schema.md` of the repository.
//!
//! ## Failures
//! Every error is an [`auth_core::Error`] with the sqlx error as its source:
//! unique violations of email or username become [`Error::Conflict`] naming the field, a
//! lost compare-and-swap [`Error::StaleVersion`], a database that cannot be reached, is
//! overloaded or does not answer within [`SqlxStoreOptions::acquire_timeout`] /
//! [`SqlxStoreOptions::operation_timeout`] [`Error::Unavailable`], anything else
//! [`Error::Backend`]. The pool reconnects by itself once the database is back.
//!
//! ## SQLite notes
//! A file database is opened in WAL mode, created if missing. `sqlite::memory:` is a
//! private in-memory database kept on exactly one connection (it would vanish with its
//! last connection); use it for tests and demos.
//!
//! On a file in WAL mode the store keeps a
//! [revision](auth_core::SessionUserStore::revision): the header of SQLite's WAL index
//! (the `-shm` file beside the database), which every commit of every process sharing
//! the file rewrites before the commit can be seen, read with two positioned reads. The
//! engine then keeps session lookups in memory and serves one again only while the
//! header is the one read before its lookup, so an authenticated request that changes
//! nothing costs no query, and a logout, password change or disabled account on any
//! process is seen by the next request on every other. For this the store keeps one
//! connection of its own open besides the pool (it keeps the WAL index from being
//! deleted), and one read-only descriptor of the `-shm` file for the life of the
//! process. Every process must open the file with SQLite's default VFS and locking;
//! in-memory databases, other journal modes, exclusive locking and PostgreSQL or MySQL
//! keep no revision (every request looks its session up).

#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's example, compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(not(any(feature = "postgres", feature = "sqlite", feature = "mysql")))]
compile_error!("auth-store-sqlx needs at least one of the features `postgres`, `sqlite`, `mysql`");

mod api_keys;
mod codec;
mod error;
mod identities;
pub mod migrate;
mod options;
mod passkeys;
mod pictures;
mod purge;
#[cfg(all(feature = "sqlite", unix))]
mod revision;
mod sql;
mod statement;
mod store;
mod ways_in;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use auth_core::{Error, Result};
use sqlx::{AssertSqlSafe, Row as _};

pub use error::StoreError;
pub use options::{MAX_TABLE_PREFIX_LEN, SqlxStoreOptions, validate_prefix};
pub use purge::PurgeReport;

use crate::error::{is_retryable, map_err};
use crate::sql::Queries;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
    /// MySQL 8 or MariaDB 10.6+.
    MySql,
}

impl Backend {
    /// The backend a URL names by its scheme: `postgres://`/`postgresql://`, `sqlite:`,
    /// `mysql://`/`mariadb://`. Whether the backend's feature is enabled is not checked.
    pub fn from_url(url: &str) -> Option<Self> {
        let (scheme, _) = url.split_once(':')?;
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Some(Self::Postgres),
            "sqlite" => Some(Self::Sqlite),
            "mysql" | "mariadb" => Some(Self::MySql),
            _ => None,
        }
    }

    /// A short lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Sqlite => "sqlite",
            Self::MySql => "mysql",
        }
    }
}

/// The connection pool of whichever backend the store uses.
#[derive(Debug, Clone)]
pub(crate) enum DbPool {
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
    #[cfg(feature = "mysql")]
    MySql(sqlx::MySqlPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of the store's backend. The body
/// is compiled once per enabled backend, so it is ordinary typed sqlx code.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.inner.pool {
            #[cfg(feature = "postgres")]
            $crate::DbPool::Postgres($pool) => $body,
            #[cfg(feature = "sqlite")]
            $crate::DbPool::Sqlite($pool) => $body,
            #[cfg(feature = "mysql")]
            $crate::DbPool::MySql($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite (so that two writers queue on
/// the busy timeout instead of failing to upgrade a read lock), a plain `BEGIN` elsewhere.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send;
}

#[cfg(feature = "postgres")]
impl BeginWrite for sqlx::PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send
    {
        self.begin()
    }
}

#[cfg(feature = "sqlite")]
impl BeginWrite for sqlx::SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send
    {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

#[cfg(feature = "mysql")]
impl BeginWrite for sqlx::MySqlPool {
    type Db = sqlx::MySql;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send
    {
        self.begin()
    }
}

/// Every store trait of `auth-core` on one sqlx connection pool.
///
/// Cheap to clone (an [`Arc`] inside); clones share the pool. See the crate documentation
/// for an example.
#[derive(Clone)]
pub struct SqlxStore {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) pool: DbPool,
    pub(crate) backend: Backend,
    pub(crate) prefix: String,
    pub(crate) sql: Queries,
    pub(crate) operation_timeout: Duration,
    /// The revision of a SQLite database (see `revision`), set up by its first use.
    #[cfg(all(feature = "sqlite", unix))]
    pub(crate) revision: revision::SqliteRevision,
}

impl std::fmt::Debug for SqlxStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may carry a password.
        f.debug_struct("SqlxStore")
            .field("backend", &self.inner.backend)
            .field("table_prefix", &self.inner.prefix)
            .finish_non_exhaustive()
    }
}

fn config_error(e: sqlx::Error) -> Error {
    Error::Config(format!("invalid database URL: {e}"))
}

impl SqlxStore {
    /// Connects to the database the URL names (`postgres://` or `postgresql://`, `sqlite:`,
    /// `mysql://` or `mariadb://`), checks that a connection can be opened, and runs the
    /// migrations if [`SqlxStoreOptions::migrate_on_connect`] is set.
    ///
    /// TLS, certificates and other driver settings are taken from the URL as sqlx reads
    /// them (e.g. `?sslmode=verify-full&sslrootcert=...` for PostgreSQL,
    /// `?ssl-mode=VERIFY_IDENTITY&ssl-ca=...` for MySQL).
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown scheme, a backend whose feature is disabled, an
    /// unparsable URL or an invalid table prefix; [`Error::Unavailable`] when no connection
    /// can be opened within the acquire timeout; errors of [`SqlxStore::migrate`].
    pub async fn connect(url: &str, options: SqlxStoreOptions) -> Result<Self> {
        // Before anything touches the database (or creates a SQLite file).
        options.validated_prefix()?;
        let backend = Backend::from_url(url).ok_or_else(|| {
            let scheme = url.split_once(':').map_or("", |(s, _)| s);
            Error::Config(format!(
                "unsupported database URL scheme {scheme:?}: use postgres://, sqlite:, mysql:// or mariadb://"
            ))
        })?;
        let store = match backend {
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                use std::str::FromStr as _;
                let mut connect =
                    sqlx::postgres::PgConnectOptions::from_str(url).map_err(config_error)?;
                if connect.get_application_name().is_none() {
                    // Shows in pg_stat_activity; the URL's own name wins.
                    connect = connect.application_name("auth-store-sqlx");
                }
                let pool = pool_options(&options).connect_lazy_with(connect);
                Self::from_parts(DbPool::Postgres(pool), backend, &options)?
            }
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => {
                use std::str::FromStr as _;
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let connect = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                    .map_err(config_error)?
                    .create_if_missing(true)
                    .foreign_keys(true)
                    .busy_timeout(options.operation_timeout);
                let pool_opts = if in_memory {
                    // Its one connection is the database: nothing to ping, and nothing
                    // may run between taking it from the pool and using it (sqlx drops a
                    // connection whose acquire is cancelled there).
                    pool_options(&SqlxStoreOptions {
                        ping_after_idle: None,
                        ..options.clone()
                    })
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                } else {
                    enable_wal(&connect, options.acquire_timeout).await?;
                    pool_options(&options)
                };
                let pool = pool_opts.connect_lazy_with(connect);
                Self::from_parts(DbPool::Sqlite(pool), backend, &options)?
            }
            #[cfg(feature = "mysql")]
            Backend::MySql => {
                use std::str::FromStr as _;
                let connect =
                    sqlx::mysql::MySqlConnectOptions::from_str(url).map_err(config_error)?;
                let pool = pool_options(&options).connect_lazy_with(connect);
                Self::from_parts(DbPool::MySql(pool), backend, &options)?
            }
            // `allow`, not `expect`: unreachable only when every backend feature is on.
            #[allow(unreachable_patterns)]
            other => {
                return Err(Error::Config(format!(
                    "auth-store-sqlx was built without the `{}` feature",
                    other.as_str()
                )));
            }
        };
        store.ping().await?;
        if options.migrate_on_connect {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// A store on an existing PostgreSQL pool (its own settings apply; only the table
    /// prefix and operation timeout of `options` are used). Call
    /// [`migrate`](Self::migrate) yourself if needed.
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid table prefix.
    #[cfg(feature = "postgres")]
    #[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
    pub fn from_pg_pool(pool: sqlx::PgPool, options: &SqlxStoreOptions) -> Result<Self> {
        Self::from_parts(DbPool::Postgres(pool), Backend::Postgres, options)
    }

    /// A store on an existing SQLite pool (see [`from_pg_pool`](Self::from_pg_pool)).
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid table prefix.
    #[cfg(feature = "sqlite")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
    pub fn from_sqlite_pool(pool: sqlx::SqlitePool, options: &SqlxStoreOptions) -> Result<Self> {
        Self::from_parts(DbPool::Sqlite(pool), Backend::Sqlite, options)
    }

    /// A store on an existing MySQL/MariaDB pool (see [`from_pg_pool`](Self::from_pg_pool)).
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid table prefix.
    #[cfg(feature = "mysql")]
    #[cfg_attr(docsrs, doc(cfg(feature = "mysql")))]
    pub fn from_mysql_pool(pool: sqlx::MySqlPool, options: &SqlxStoreOptions) -> Result<Self> {
        Self::from_parts(DbPool::MySql(pool), Backend::MySql, options)
    }

    fn from_parts(pool: DbPool, backend: Backend, options: &SqlxStoreOptions) -> Result<Self> {
        let prefix = options.validated_prefix()?.to_owned();
        Ok(Self {
            inner: Arc::new(Inner {
                sql: Queries::new(backend, &prefix),
                pool,
                backend,
                prefix,
                operation_timeout: options.operation_timeout,
                #[cfg(all(feature = "sqlite", unix))]
                revision: revision::SqliteRevision::default(),
            }),
        })
    }

    /// The backend this store talks to.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// The table prefix.
    pub fn table_prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// The PostgreSQL pool, when the store uses PostgreSQL: to share it with the
    /// application's own queries, or to inspect the schema.
    #[cfg(feature = "postgres")]
    #[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
    pub fn pg_pool(&self) -> Option<&sqlx::PgPool> {
        match &self.inner.pool {
            DbPool::Postgres(pool) => Some(pool),
            // `allow`, not `expect`: unreachable when this backend is the one feature on.
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The SQLite pool, when the store uses SQLite (see [`pg_pool`](Self::pg_pool)).
    #[cfg(feature = "sqlite")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
    pub fn sqlite_pool(&self) -> Option<&sqlx::SqlitePool> {
        match &self.inner.pool {
            DbPool::Sqlite(pool) => Some(pool),
            // `allow`, not `expect`: unreachable when this backend is the one feature on.
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The MySQL/MariaDB pool, when the store uses it (see [`pg_pool`](Self::pg_pool)).
    #[cfg(feature = "mysql")]
    #[cfg_attr(docsrs, doc(cfg(feature = "mysql")))]
    pub fn mysql_pool(&self) -> Option<&sqlx::MySqlPool> {
        match &self.inner.pool {
            DbPool::MySql(pool) => Some(pool),
            // `allow`, not `expect`: unreachable when this backend is the one feature on.
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// Checks that the database answers (one round trip on a pooled connection).
    ///
    /// # Errors
    /// [`Error::Unavailable`] when it does not within the configured timeouts.
    pub async fn ping(&self) -> Result<()> {
        self.run("ping", || async move {
            with_pool!(self, pool => {
                sqlx::query("SELECT 1").execute(pool).await.map_err(map_err)?;
            });
            Ok(())
        })
        .await
    }

    /// Closes the pool: waits for connections in use to be returned and closes them.
    /// Later calls fail with [`Error::Unavailable`].
    pub async fn close(&self) {
        #[cfg(all(feature = "sqlite", unix))]
        self.inner.revision.close().await;
        with_pool!(self, pool => pool.close().await);
    }

    /// Applies the embedded migrations that this database has not seen yet, and records
    /// them in `<prefix>schema_migrations`. Safe to call on every start and from several
    /// instances at once (see [`migrate`]).
    ///
    /// # Errors
    /// [`Error::Backend`] when a migration fails or an applied migration was changed
    /// (source [`StoreError::MigrationChanged`]); [`Error::Unavailable`] when the database
    /// cannot be reached.
    pub async fn migrate(&self) -> Result<()> {
        let prefix = self.inner.prefix.as_str();
        let all = migrate::migrations(self.inner.backend);
        let bookkeeping = migrate::bookkeeping_table(prefix, self.inner.backend == Backend::MySql);
        let select_applied = format!("SELECT version, checksum FROM {prefix}schema_migrations");
        let record = sql::finish(
            self.inner.backend,
            format!(
                "INSERT INTO {prefix}schema_migrations (version, description, checksum, applied_at) \
                 VALUES (?, ?, ?, ?)"
            ),
        );
        let now = codec::ts(time::OffsetDateTime::now_utc());

        // PostgreSQL and SQLite: everything in one transaction (their DDL is transactional).
        // `allow`, not `expect`: unused only when neither `postgres` nor `sqlite` is on.
        #[allow(unused_macros)]
        macro_rules! transactional {
            ($pool:expr, $lock:expr) => {{
                let mut tx = $pool.begin_write().await.map_err(map_err)?;
                if let Some(lock) = $lock {
                    sqlx::query("SELECT pg_advisory_xact_lock($1)")
                        .bind(lock)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_err)?;
                }
                sqlx::raw_sql(AssertSqlSafe(bookkeeping.clone()))
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                let applied = sqlx::query(AssertSqlSafe(select_applied.clone()))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(map_err)?
                    .iter()
                    .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
                    .collect::<Result<Vec<_>, sqlx::Error>>()
                    .map_err(map_err)?;
                for m in migrate::pending(all, &applied)? {
                    tracing::info!(
                        version = m.version,
                        description = m.description,
                        prefix,
                        "applying migration"
                    );
                    sqlx::raw_sql(AssertSqlSafe(m.sql(prefix)))
                        .execute(&mut *tx)
                        .await
                        .map_err(map_err)?;
                    sqlx::query(record.clone())
                        .bind(m.version)
                        .bind(m.description)
                        .bind(m.checksum())
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_err)?;
                }
                tx.commit().await.map_err(map_err)?;
                Ok(())
            }};
        }

        match &self.inner.pool {
            #[cfg(feature = "postgres")]
            DbPool::Postgres(pool) => transactional!(pool, Some(advisory_lock_key(prefix))),
            #[cfg(feature = "sqlite")]
            DbPool::Sqlite(pool) => transactional!(pool, None::<i64>),
            #[cfg(feature = "mysql")]
            DbPool::MySql(pool) => {
                let mut conn = pool.acquire().await.map_err(map_err)?;
                let lock_name = format!("{prefix}schema_migrations");
                let locked: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, 60)")
                    .bind(&lock_name)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(map_err)?;
                if locked != Some(1) {
                    return Err(Error::unavailable(StoreError::MigrationLock));
                }
                let result: Result<()> = async {
                    sqlx::raw_sql(AssertSqlSafe(bookkeeping.clone()))
                        .execute(&mut *conn)
                        .await
                        .map_err(map_err)?;
                    let applied = sqlx::query(AssertSqlSafe(select_applied.clone()))
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(map_err)?
                        .iter()
                        .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
                        .collect::<Result<Vec<_>, sqlx::Error>>()
                        .map_err(map_err)?;
                    for m in migrate::pending(all, &applied)? {
                        tracing::info!(
                            version = m.version,
                            description = m.description,
                            prefix,
                            "applying migration"
                        );
                        for statement in migrate::statements(&m.sql(prefix)) {
                            sqlx::raw_sql(AssertSqlSafe(statement))
                                .execute(&mut *conn)
                                .await
                                .map_err(map_err)?;
                        }
                        sqlx::query(record.clone())
                            .bind(m.version)
                            .bind(m.description)
                            .bind(m.checksum())
                            .bind(now)
                            .execute(&mut *conn)
                            .await
                            .map_err(map_err)?;
                    }
                    Ok(())
                }
                .await;
                let released = sqlx::query("SELECT RELEASE_LOCK(?)")
                    .bind(&lock_name)
                    .execute(&mut *conn)
                    .await;
                if released.is_err() {
                    // Never return a connection that may still hold the lock to the pool.
                    conn.close_on_drop();
                }
                result
            }
        }
    }

    /// Runs one store operation: retries it after a deadlock or serialization failure
    /// (the database rolled it back, so running it again is safe), and bounds the whole
    /// by the operation timeout.
    pub(crate) async fn run<T, F, Fut>(&self, operation: &'static str, mut f: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        const RETRIES: u32 = 5;
        let after = self.inner.operation_timeout;
        let attempts = async {
            let mut tries = 0;
            loop {
                match f().await {
                    Err(e) if tries < RETRIES && is_retryable(&e) => {
                        tries += 1;
                        tracing::debug!(operation, tries, error = %e, "retrying after a deadlock");
                        tokio::time::sleep(Duration::from_millis(2 << tries)).await;
                    }
                    other => return other,
                }
            }
        };
        match tokio::time::timeout(after, attempts).await {
            Ok(result) => result,
            Err(_) => Err(Error::unavailable(StoreError::Timeout { operation, after })),
        }
    }
}

/// A PostgreSQL advisory lock key for migrations of one prefix.
#[cfg(feature = "postgres")]
fn advisory_lock_key(prefix: &str) -> i64 {
    use sha2::{Digest as _, Sha256};
    let digest = Sha256::digest(format!("auth-store-sqlx migrations {prefix}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// Switches a SQLite file to WAL mode (readers do not block the writer) once, on a
/// connection of its own. The mode is stored in the file, so the pool's connections need
/// not set it; and setting it takes a lock that SQLite's busy timeout does not wait for,
/// so several processes opening a fresh file at once would fail: retry within `within`.
#[cfg(feature = "sqlite")]
async fn enable_wal(connect: &sqlx::sqlite::SqliteConnectOptions, within: Duration) -> Result<()> {
    use sqlx::{ConnectOptions as _, Connection as _};
    let options = connect
        .clone()
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let deadline = tokio::time::Instant::now() + within;
    let mut backoff = Duration::from_millis(5);
    loop {
        let attempt = async {
            let conn = options.connect().await?;
            conn.close().await
        };
        match tokio::time::timeout_at(deadline, attempt).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => {
                let mapped = map_err(e);
                let busy = matches!(mapped, Error::Unavailable { .. });
                if !busy || tokio::time::Instant::now() + backoff >= deadline {
                    return Err(mapped);
                }
            }
            Err(_) => {
                return Err(Error::unavailable(StoreError::Timeout {
                    operation: "enable WAL",
                    after: within,
                }));
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_millis(200));
    }
}

/// The pool's settings. A pooled connection is pinged before use only when it sat idle
/// for [`SqlxStoreOptions::ping_after_idle`] (sqlx's `test_before_acquire` would ping
/// before every operation, a second round trip for a one-query operation).
fn pool_options<DB: sqlx::Database>(options: &SqlxStoreOptions) -> sqlx::pool::PoolOptions<DB> {
    let pool = sqlx::pool::PoolOptions::new()
        .max_connections(options.max_connections)
        .min_connections(options.min_connections.min(options.max_connections))
        .acquire_timeout(options.acquire_timeout)
        .idle_timeout(options.idle_timeout)
        .max_lifetime(options.max_lifetime)
        .test_before_acquire(false);
    match options.ping_after_idle {
        Some(idle) => pool.before_acquire(move |conn: &mut DB::Connection, meta| {
            Box::pin(async move {
                use sqlx::Connection as _;
                if meta.idle_for >= idle {
                    conn.ping().await?;
                }
                Ok(true)
            })
        }),
        None => pool,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_are_chosen_by_scheme() {
        assert_eq!(
            Backend::from_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("sqlite://data.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("mysql://root@h/db"), Some(Backend::MySql));
        assert_eq!(
            Backend::from_url("MariaDB://root@h/db"),
            Some(Backend::MySql)
        );
        assert_eq!(Backend::from_url("redis://h"), None);
        assert_eq!(Backend::from_url("no scheme"), None);
    }

    #[tokio::test]
    async fn unknown_schemes_and_bad_prefixes_are_config_errors() {
        let e = SqlxStore::connect("redis://secret@h/", SqlxStoreOptions::new())
            .await
            .unwrap_err();
        assert!(
            matches!(&e, Error::Config(m) if !m.contains("secret")),
            "{e:?}"
        );
        #[cfg(feature = "sqlite")]
        {
            let e = SqlxStore::connect(
                "sqlite::memory:",
                SqlxStoreOptions::new().table_prefix("x; DROP"),
            )
            .await
            .unwrap_err();
            assert!(matches!(e, Error::Config(_)), "{e:?}");
        }
    }
}
