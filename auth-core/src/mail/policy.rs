//! When the outbox gives up on a message.

use time::Duration;

use crate::error::{Error, Result};

/// When the outbox stops retrying a message and marks it failed (kept for an
/// administrator, never sent again unless one retries it). A permanent refusal
/// ([`Error::MailRejected`]) marks it failed at once, whatever these limits say.
///
/// Set it with [`ConfigBuilder::outbox_policy`](crate::ConfigBuilder::outbox_policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxPolicy {
    /// Attempts, the first one (made when the mail is produced) included, after which a
    /// message that still fails is marked failed. Default 30: with the backoff (30 s
    /// doubling to 1 h) about a day of trying.
    pub max_attempts: u32,
    /// A message queued longer than this is marked failed instead of being sent, e.g.
    /// after the delivery loop was stopped for days: its links have expired and the
    /// person has moved on. Default 2 days.
    pub max_age: Duration,
}

impl Default for OutboxPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 30,
            max_age: Duration::days(2),
        }
    }
}

impl OutboxPolicy {
    /// Checks that at least one attempt is allowed and that the age limit is positive.
    ///
    /// # Errors
    /// [`Error::Config`] naming the offending limit.
    pub fn validate(&self) -> Result<()> {
        if self.max_attempts == 0 {
            return Err(Error::Config(
                "the outbox must allow at least one delivery attempt".into(),
            ));
        }
        if self.max_age <= Duration::ZERO {
            return Err(Error::Config(
                "the outbox's age limit must be positive".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    fn builder() -> crate::ConfigBuilder {
        Config::builder()
            .base_url("https://example.com")
            .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
    }

    #[test]
    fn the_defaults_are_valid_and_limits_that_stop_everything_are_refused() {
        assert!(OutboxPolicy::default().validate().is_ok());
        assert!(builder().build().is_ok());
        for bad in [
            OutboxPolicy {
                max_attempts: 0,
                ..OutboxPolicy::default()
            },
            OutboxPolicy {
                max_age: Duration::ZERO,
                ..OutboxPolicy::default()
            },
        ] {
            assert!(matches!(
                builder().outbox_policy(bad).build(),
                Err(Error::Config(_))
            ));
        }
    }
}
