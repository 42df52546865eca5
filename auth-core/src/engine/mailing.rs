//! Delivering mail: directly, in the background, and from the outbox with backoff.

use time::Duration;

use super::Auth;
use crate::error::Result;
use crate::model::{Email, OutboxMessage};

/// First retry delay; each further failure doubles it up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::seconds(30);
/// Longest delay between two attempts.
const MAX_BACKOFF: Duration = Duration::hours(1);
/// How long a claimed outbox message is reserved for the instance that claimed it.
const CLAIM_LEASE: Duration = Duration::minutes(5);
/// Messages handled per outbox pass.
const BATCH: u32 = 50;

fn backoff(attempts: u32) -> Duration {
    let factor = 1i32
        .checked_shl(attempts.saturating_sub(1).min(20))
        .unwrap_or(i32::MAX);
    FIRST_BACKOFF
        .checked_mul(factor)
        .map_or(MAX_BACKOFF, |d| d.min(MAX_BACKOFF))
}

impl Auth {
    /// Sends `email`; if the mailer fails, queues it in the outbox for a later attempt so
    /// the flow that produced it still succeeds. Only a failing outbox loses the message,
    /// which is logged as an error.
    pub(super) async fn deliver(&self, email: Email) {
        let Err(error) = self.inner.mailer.send(&email).await else {
            return;
        };
        tracing::warn!(kind = email.kind.as_str(), error = %error, "mail not sent; queued for retry");
        let now = self.now();
        let message = OutboxMessage {
            id: uuid::Uuid::now_v7(),
            email,
            attempts: 1,
            next_attempt_at: now + backoff(1),
            created_at: now,
            last_error: Some(error.to_string()),
        };
        if let Err(e) = self.inner.outbox.enqueue(&message).await {
            tracing::error!(error = %e, kind = message.email.kind.as_str(), "mail lost: neither sent nor queued");
        }
    }

    /// Sends `email` after the answer (see [`Auth::detached`]), so that no answer's
    /// timing depends on whether, or where, a mail went.
    pub(super) async fn deliver_detached(&self, email: Email) {
        let auth = self.clone();
        self.detached(async move { auth.deliver(email).await })
            .await;
    }

    /// One pass over the outbox: sends every due message, removes those delivered and
    /// reschedules the others with exponential backoff (30 s doubling to 1 h). Returns
    /// how many were delivered.
    ///
    /// # Errors
    /// A store error from claiming, removing or rescheduling.
    pub async fn deliver_outbox(&self) -> Result<usize> {
        let now = self.now();
        let due = self.inner.outbox.claim_due(now, BATCH, CLAIM_LEASE).await?;
        let mut delivered = 0;
        for message in due {
            match self.inner.mailer.send(&message.email).await {
                Ok(()) => {
                    self.inner.outbox.remove(message.id).await?;
                    delivered += 1;
                }
                Err(error) => {
                    let attempts = message.attempts.saturating_add(1);
                    tracing::warn!(attempts, error = %error, "queued mail still not sent");
                    self.inner
                        .outbox
                        .reschedule(
                            message.id,
                            attempts,
                            now + backoff(attempts),
                            &error.to_string(),
                        )
                        .await?;
                }
            }
        }
        Ok(delivered)
    }

    /// Deletes expired sessions and counters; returns how many of each.
    ///
    /// # Errors
    /// A store error.
    pub async fn purge_expired(&self) -> Result<(u64, u64)> {
        let now = self.now();
        let sessions = self.inner.sessions.purge_expired_sessions(now).await?;
        let counters = self.inner.counters.purge_expired_counters(now).await?;
        Ok((sessions, counters))
    }

    /// Spawns the maintenance loop: every `every`, delivers due outbox mail and purges
    /// expired sessions and counters. Errors are logged, never fatal. Abort the handle
    /// to stop it.
    pub fn spawn_maintenance(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let auth = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(e) = auth.deliver_outbox().await {
                    tracing::warn!(error = %e, "outbox pass failed");
                }
                if let Err(e) = auth.purge_expired().await {
                    tracing::warn!(error = %e, "purging expired records failed");
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
