//! The periodic purge of expired sessions, counters and ephemeral entries.

use std::time::Duration;

use auth_core::{CounterStore as _, EphemeralStore as _, Result, SessionStore as _};
use time::OffsetDateTime;
use tokio::task::JoinHandle;

use crate::SqlxStore;

/// The shortest interval [`SqlxStore::spawn_purge`] accepts; shorter ones are raised to it.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// What one purge pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Sessions past their absolute or idle expiry.
    pub sessions: u64,
    /// Counters whose window closed.
    pub counters: u64,
    /// Ephemeral entries (pending sign-ins, used one-time-password steps) that expired.
    pub ephemeral: u64,
}

impl SqlxStore {
    /// Deletes every session dead at `now`, every counter whose window closed at or
    /// before `now` and every ephemeral entry expired at `now`, in batches.
    ///
    /// # Errors
    /// The first error met; what was deleted before it stays deleted.
    pub async fn purge_expired(&self, now: OffsetDateTime) -> Result<PurgeReport> {
        Ok(PurgeReport {
            sessions: self.purge_expired_sessions(now).await?,
            counters: self.purge_expired_counters(now).await?,
            ephemeral: self.purge_expired_ephemeral(now).await?,
        })
    }

    /// Starts a task on the current Tokio runtime that calls
    /// [`purge_expired`](Self::purge_expired) with the wall-clock time every `interval`
    /// (at least one second), starting after the first interval. Failures are logged with
    /// `tracing` at `warn` and the task carries on; it never panics. Abort the returned
    /// handle to stop it (it also stops when the runtime shuts down).
    ///
    /// # Panics
    /// When called outside a Tokio runtime, like [`tokio::spawn`].
    pub fn spawn_purge(&self, interval: Duration) -> JoinHandle<()> {
        let store = self.clone();
        let interval = interval.max(MIN_INTERVAL);
        tokio::spawn(async move {
            let mut ticker =
                tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                match store.purge_expired(OffsetDateTime::now_utc()).await {
                    Ok(report) if report.sessions + report.counters + report.ephemeral > 0 => {
                        tracing::info!(
                            sessions = report.sessions,
                            counters = report.counters,
                            ephemeral = report.ephemeral,
                            "purged expired sessions, counters and ephemeral entries"
                        );
                    }
                    Ok(_) => tracing::debug!("purge: nothing expired"),
                    Err(error) => tracing::warn!(
                        error = %error,
                        source = ?std::error::Error::source(&error),
                        "purging expired sessions and counters failed; retrying next interval"
                    ),
                }
            }
        })
    }
}
