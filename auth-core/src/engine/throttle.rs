//! Rate limits and lockout counters, kept in the counter store so that every instance
//! of the application shares them.

use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::Auth;
use crate::config::RateLimit;
use crate::error::{Error, Result};
use crate::model::UserId;

/// Counter keys never contain an address or identifier in clear: a digest keeps the
/// counter store free of personal data and bounds key length.
pub(super) fn key(kind: &str, value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    format!("{kind}:{}", hex::encode(&digest[..16]))
}

/// The failure counter of a known account.
pub(super) fn failures_of(user: UserId) -> String {
    format!("fail:u:{user}")
}

/// Seconds until `until`, rounded up, at least one.
pub(super) fn seconds_until(until: OffsetDateTime, now: OffsetDateTime) -> std::time::Duration {
    let millis = (until - now).whole_milliseconds().max(0);
    let secs = u64::try_from((millis + 999) / 1000)
        .unwrap_or(u64::MAX)
        .max(1);
    std::time::Duration::from_secs(secs)
}

impl Auth {
    /// Counts one attempt against `limit` under `key`.
    ///
    /// # Errors
    /// [`Error::RateLimited`] once the window holds more than `limit.max` attempts.
    pub(super) async fn hit(
        &self,
        key: String,
        limit: RateLimit,
        now: OffsetDateTime,
    ) -> Result<()> {
        let counter = self
            .inner
            .counters
            .increment(&key, limit.window, now)
            .await?;
        if counter.count > limit.max {
            return Err(Error::RateLimited {
                retry_after: seconds_until(counter.expires_at, now),
            });
        }
        Ok(())
    }

    /// Counts one attempt per client address, when the address is known.
    pub(super) async fn hit_ip(
        &self,
        kind: &str,
        ip: Option<std::net::IpAddr>,
        limit: RateLimit,
        now: OffsetDateTime,
    ) -> Result<()> {
        match ip {
            Some(ip) => self.hit(key(kind, &ip.to_string()), limit, now).await,
            None => Ok(()),
        }
    }

    /// Records a failed password check against a known account and returns the number of
    /// consecutive failures in the window.
    pub(super) async fn count_failure(&self, user: UserId, now: OffsetDateTime) -> Result<u64> {
        let window = self.inner.config.policy.lockout.window;
        let counter = self
            .inner
            .counters
            .increment(&failures_of(user), window, now)
            .await?;
        Ok(counter.count)
    }
}
