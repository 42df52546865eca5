//! [`CounterStore`] on Redis.

use async_trait::async_trait;
use auth_core::{Counter, CounterStore, Error, Result};
use time::{Duration, OffsetDateTime};

use crate::RedisStore;
use crate::codec::{Corrupt, ceil_ms, parse_time_key, time_key};
use crate::scripts;

#[async_trait]
impl CounterStore for RedisStore {
    async fn increment(&self, key: &str, window: Duration, now: OffsetDateTime) -> Result<Counter> {
        let keys = self.keys();
        let ends = now.saturating_add(window);
        let grace = i64::try_from(self.config().stale_index_grace.as_millis()).unwrap_or(i64::MAX);
        let (count, ends): (u64, String) = self
            .script(
                scripts::INCREMENT
                    .key(keys.counter(key))
                    .key(keys.counter_expiry())
                    .arg(keys.counters())
                    .arg(key)
                    .arg(time_key(now))
                    .arg(time_key(ends))
                    .arg(ceil_ms(ends))
                    .arg(grace),
            )
            .await?;
        Ok(Counter {
            count,
            expires_at: parse_time_key(&ends)?,
        })
    }

    async fn counter(&self, key: &str, now: OffsetDateTime) -> Result<Option<Counter>> {
        let (count, ends): (Option<u64>, Option<String>) = self
            .query(
                redis::cmd("HMGET")
                    .arg(self.keys().counter(key))
                    .arg("c")
                    .arg("e"),
            )
            .await?;
        match (count, ends) {
            (Some(count), Some(ends)) => {
                let expires_at = parse_time_key(&ends)?;
                Ok((now < expires_at).then_some(Counter { count, expires_at }))
            }
            (None, None) => Ok(None),
            other => Err(Error::backend(Corrupt::new("a counter hash", other))),
        }
    }

    async fn reset_counter(&self, key: &str) -> Result<()> {
        let keys = self.keys();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("DEL")
            .arg(keys.counter(key))
            .ignore()
            .cmd("ZREM")
            .arg(keys.counter_expiry())
            .arg(key)
            .ignore();
        self.pipeline::<()>(&pipe).await
    }

    async fn purge_expired_counters(&self, now: OffsetDateTime) -> Result<u64> {
        let keys = self.keys();
        self.purge_in_batches(
            &scripts::PURGE_COUNTERS,
            keys.counter_expiry(),
            keys.counters(),
            now,
        )
        .await
    }
}
