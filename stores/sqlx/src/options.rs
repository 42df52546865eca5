//! Connection and schema options.

use std::time::Duration;

use auth_core::{Error, Result};

/// The longest accepted table prefix. Index names are built as
/// `<prefix><table>_<column>_idx`; PostgreSQL cuts identifiers at 63 bytes and MySQL refuses
/// more than 64, so the prefix leaves room for the longest suffix this crate uses.
pub const MAX_TABLE_PREFIX_LEN: usize = 32;

/// The default of [`SqlxStoreOptions::ping_after_idle`].
const DEFAULT_PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// How a [`SqlxStore`](crate::SqlxStore) connects and where it keeps its tables.
///
/// The defaults suit a small production deployment: ten connections, a five second bound on
/// waiting for a connection (so a database that is down surfaces as
/// [`Error::Unavailable`] quickly instead of hanging requests), a ten second bound on any
/// single store operation, connections recycled every thirty minutes, a connection that
/// sat unused for a second or more checked before it is used again, and no migrations
/// unless asked for.
///
/// ```
/// use std::time::Duration;
/// use auth_store_sqlx::SqlxStoreOptions;
///
/// let options = SqlxStoreOptions::new()
///     .table_prefix("myapp_auth_")
///     .max_connections(20)
///     .acquire_timeout(Duration::from_secs(2))
///     .migrate_on_connect(true);
/// assert_eq!(options.get_table_prefix(), "myapp_auth_");
/// ```
#[derive(Debug, Clone)]
pub struct SqlxStoreOptions {
    pub(crate) table_prefix: String,
    pub(crate) max_connections: u32,
    pub(crate) min_connections: u32,
    pub(crate) acquire_timeout: Duration,
    pub(crate) operation_timeout: Duration,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) max_lifetime: Option<Duration>,
    pub(crate) ping_after_idle: Option<Duration>,
    pub(crate) migrate_on_connect: bool,
}

impl Default for SqlxStoreOptions {
    fn default() -> Self {
        Self {
            table_prefix: "auth_".to_owned(),
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(5),
            operation_timeout: Duration::from_secs(10),
            idle_timeout: Some(Duration::from_secs(10 * 60)),
            max_lifetime: Some(Duration::from_secs(30 * 60)),
            ping_after_idle: Some(DEFAULT_PING_AFTER_IDLE),
            migrate_on_connect: false,
        }
    }
}

impl SqlxStoreOptions {
    /// The defaults (see the type's documentation).
    pub fn new() -> Self {
        Self::default()
    }

    /// The prefix of every table and index name (default `auth_`). It is interpolated into
    /// SQL, so it must be an identifier: an ASCII letter or `_` followed by ASCII letters,
    /// digits or `_`, at most [`MAX_TABLE_PREFIX_LEN`] bytes. It is checked when the store is
    /// built.
    pub fn table_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.table_prefix = prefix.into();
        self
    }

    /// The configured table prefix.
    pub fn get_table_prefix(&self) -> &str {
        &self.table_prefix
    }

    /// The most connections the pool opens (default 10). For an in-memory SQLite database
    /// the pool always has exactly one connection.
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Connections the pool keeps open even when idle (default 0).
    pub fn min_connections(mut self, n: u32) -> Self {
        self.min_connections = n;
        self
    }

    /// How long an operation waits for a connection, including opening a new one, before
    /// failing with [`Error::Unavailable`] (default 5 s). While the database refuses
    /// connections the pool keeps retrying with backoff within this bound.
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// The longest any single store operation may take, from waiting for a connection to
    /// the last row, before it is abandoned with [`Error::Unavailable`] (default 10 s). This
    /// bounds a database that accepts connections but stops answering.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// Idle connections are closed after this long (default 10 min; `None`: never).
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Connections are replaced after this long (default 30 min; `None`: never), so that
    /// server-side failovers and configuration changes are picked up.
    pub fn max_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.max_lifetime = lifetime;
        self
    }

    /// A connection that sat unused in the pool for at least this long is pinged (one
    /// round trip) before an operation uses it, and replaced if it does not answer
    /// (default 1 s; `Some(Duration::ZERO)`: before every operation; `None`: never).
    ///
    /// Pinging before every operation doubles the round trips of a one-query operation,
    /// such as the session lookup of every authenticated request (on SQLite it is one
    /// more hand-off to the connection's thread), and a connection in steady use has just
    /// answered. The price of skipping it: after the server restarts or a network path
    /// drops, each connection that was in use within the interval fails one operation
    /// with [`Error::Unavailable`] and is then replaced; connections that sat unused for
    /// longer are checked first, as always. In-memory SQLite is never pinged (its only
    /// connection cannot go away).
    pub fn ping_after_idle(mut self, idle: Option<Duration>) -> Self {
        self.ping_after_idle = idle;
        self
    }

    /// Whether [`SqlxStore::connect`](crate::SqlxStore::connect) also runs
    /// [`SqlxStore::migrate`](crate::SqlxStore::migrate) (default `false`: schema changes
    /// are an explicit operator decision).
    pub fn migrate_on_connect(mut self, yes: bool) -> Self {
        self.migrate_on_connect = yes;
        self
    }

    /// Checks the table prefix.
    pub(crate) fn validated_prefix(&self) -> Result<&str> {
        validate_prefix(&self.table_prefix)?;
        Ok(&self.table_prefix)
    }
}

/// Checks that `prefix` is safe to interpolate into SQL as part of an identifier.
///
/// # Errors
/// [`Error::Config`] when it is too long or not an identifier.
pub fn validate_prefix(prefix: &str) -> Result<()> {
    let mut chars = prefix.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !first_ok || !rest_ok {
        return Err(Error::Config(format!(
            "table prefix {prefix:?} is not an identifier: use an ASCII letter or '_' followed by ASCII letters, digits or '_'"
        )));
    }
    if prefix.len() > MAX_TABLE_PREFIX_LEN {
        return Err(Error::Config(format!(
            "table prefix {prefix:?} is longer than {MAX_TABLE_PREFIX_LEN} bytes"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_identifiers() {
        for ok in [
            "auth_",
            "a",
            "_x",
            "My_App2_",
            &"p".repeat(MAX_TABLE_PREFIX_LEN),
        ] {
            assert!(validate_prefix(ok).is_ok(), "{ok:?} should be accepted");
        }
        for bad in [
            "",
            "1abc",
            "auth-",
            "auth_; DROP TABLE x; --",
            "a b",
            "\"quoted\"",
            "ünï",
            &"p".repeat(MAX_TABLE_PREFIX_LEN + 1),
        ] {
            assert!(
                matches!(validate_prefix(bad), Err(Error::Config(_))),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn max_connections_is_at_least_one() {
        assert_eq!(
            SqlxStoreOptions::new().max_connections(0).max_connections,
            1
        );
    }
}
