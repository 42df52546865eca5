//! From sqlx errors to the core's one error enum.

use std::borrow::Cow;
use std::time::Duration;

use auth_core::{Error, UniqueField};
use sqlx::error::{DatabaseError, ErrorKind};

/// Errors this crate raises itself. They reach callers only as the
/// [`source`](std::error::Error::source) of an [`auth_core::Error`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A store operation did not finish within the configured operation timeout.
    #[error("{operation} did not finish within {after:?}")]
    Timeout {
        /// The store method that timed out.
        operation: &'static str,
        /// The configured bound.
        after: Duration,
    },
    /// A stored value cannot be turned back into a record.
    #[error("corrupt value in column {column}: {reason}")]
    CorruptData {
        /// The column holding the value.
        column: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The database holds a migration whose text differs from the one embedded in this
    /// crate: someone edited an applied migration, or two versions of the crate disagree.
    #[error(
        "migration {version} was applied with different contents (checksum {found}, expected {expected})"
    )]
    MigrationChanged {
        /// The migration's version.
        version: i64,
        /// Checksum recorded in the database.
        found: String,
        /// Checksum of the embedded migration.
        expected: String,
    },
    /// Another instance holds the migration lock for too long.
    #[error("could not take the migration lock")]
    MigrationLock,
}

pub(crate) fn corrupt(column: &'static str, reason: impl Into<String>) -> Error {
    Error::backend(StoreError::CorruptData {
        column,
        reason: reason.into(),
    })
}

/// Maps a unique violation to the contract's `Conflict` on `field` (the table's key), and
/// every other error as [`map_err`] does.
pub(crate) fn conflict_on(field: UniqueField) -> impl Fn(sqlx::Error) -> Error {
    move |e| {
        if e.as_database_error()
            .is_some_and(|db| db.is_unique_violation())
        {
            Error::Conflict { field }
        } else {
            map_err(e)
        }
    }
}

/// Maps a sqlx error to the core's error, keeping it as the source.
pub(crate) fn map_err(e: sqlx::Error) -> Error {
    if let Some(db) = e.as_database_error() {
        if db.kind() == ErrorKind::UniqueViolation {
            if let Some(field) = unique_field(db) {
                return Error::Conflict { field };
            }
            return Error::backend(e);
        }
        if is_transient_db_error(db) {
            return Error::unavailable(e);
        }
        return Error::backend(e);
    }
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Error::unavailable(e),
        _ => Error::backend(e),
    }
}

/// Which user field a unique violation is about, from the index name (PostgreSQL reports
/// it as the constraint, MySQL/MariaDB in the message) or the column (SQLite's message
/// `UNIQUE constraint failed: <table>.<column>`).
fn unique_field(db: &dyn DatabaseError) -> Option<UniqueField> {
    let text: Cow<'_, str> = match db.constraint() {
        Some(c) => Cow::Borrowed(c),
        None => Cow::Borrowed(db.message()),
    };
    if text.contains("users_username_uq") || text.contains("users.username") {
        Some(UniqueField::Username)
    } else if text.contains("users_email_uq") || text.contains("users.email") {
        Some(UniqueField::Email)
    } else {
        None
    }
}

/// Database errors that say "busy, overloaded, shutting down or lost a race": retrying
/// later may succeed, so they are [`Error::Unavailable`].
fn is_transient_db_error(db: &dyn DatabaseError) -> bool {
    #[cfg(feature = "mysql")]
    if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        // Too many connections, server shutdown, query interrupted, lock wait timeout,
        // deadlock, statement time limits (MariaDB 1969, MySQL 3024).
        return matches!(my.number(), 1040 | 1053 | 1205 | 1213 | 1317 | 1969 | 3024);
    }
    #[cfg(feature = "sqlite")]
    if let Some(lite) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
        // Primary result codes BUSY, LOCKED, IOERR, FULL.
        return lite
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 13));
    }
    // PostgreSQL SQLSTATEs: connection exceptions (08), serialization failure and deadlock
    // (40001, 40P01), insufficient resources (53), lock not available (55P03), query
    // canceled / statement timeout (57014), administrator or crash shutdown and "cannot
    // connect now" (57P01..57P03).
    db.code().is_some_and(|code| {
        code.starts_with("08")
            || code.starts_with("53")
            || matches!(
                code.as_ref(),
                "40001" | "40P01" | "55P03" | "57014" | "57P01" | "57P02" | "57P03"
            )
    })
}

/// Whether an error is a deadlock or serialization failure, after which the whole
/// operation was rolled back and can simply be run again.
pub(crate) fn is_retryable(e: &Error) -> bool {
    let Error::Unavailable { source } = e else {
        return false;
    };
    let Some(sqlx::Error::Database(db)) = source.downcast_ref::<sqlx::Error>() else {
        return false;
    };
    // PostgreSQL: serialization failure, deadlock; MySQL/MariaDB report deadlocks
    // (1213) with SQLSTATE 40001 as well.
    matches!(db.code().as_deref(), Some("40001" | "40P01"))
}
