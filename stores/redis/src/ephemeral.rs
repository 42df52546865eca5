//! [`EphemeralStore`] on Redis: one hash per entry, expiring natively at its instant.

use async_trait::async_trait;
use auth_core::{EphemeralStore, Result};
use time::OffsetDateTime;

use crate::RedisStore;
use crate::codec::{ceil_ms, parse_time_key, time_key};
use crate::scripts;

#[async_trait]
impl EphemeralStore for RedisStore {
    async fn insert(
        &self,
        key: &str,
        value: &[u8],
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let stored: i64 = self
            .script(
                scripts::INSERT_ENTRY
                    .key(self.keys().ephemeral(key))
                    .arg(value)
                    .arg(time_key(expires_at))
                    .arg(time_key(now))
                    .arg(ceil_ms(expires_at)),
            )
            .await?;
        Ok(stored == 1)
    }

    async fn take(&self, key: &str, now: OffsetDateTime) -> Result<Option<Vec<u8>>> {
        let entry: Option<(Vec<u8>, String)> = self
            .script(&scripts::TAKE_ENTRY.key(self.keys().ephemeral(key)))
            .await?;
        match entry {
            Some((value, ends)) => Ok((now < parse_time_key(&ends)?).then_some(value)),
            None => Ok(None),
        }
    }

    /// Entries expire natively at their instant, so there is nothing to purge: a `now`
    /// ahead of the server's clock is applied by every read instead.
    async fn purge_expired_ephemeral(&self, _now: OffsetDateTime) -> Result<u64> {
        Ok(0)
    }
}
