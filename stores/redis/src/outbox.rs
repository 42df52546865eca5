//! [`MailOutbox`] on Redis.

use async_trait::async_trait;
use auth_core::{Error, MailOutbox, OutboxMessage, Result};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::RedisStore;
use crate::codec::{Corrupt, ceil_ms, from_json, parse_time_key, time_key, to_json};
use crate::scripts;

#[async_trait]
impl MailOutbox for RedisStore {
    async fn enqueue(&self, message: &OutboxMessage) -> Result<()> {
        let keys = self.keys();
        let key = keys.outbox_message(message.id);
        let mut pipe = redis::pipe();
        pipe.atomic().cmd("DEL").arg(&key).ignore();
        pipe.cmd("HSET")
            .arg(&key)
            .arg("d")
            .arg(to_json(message)?)
            .arg("a")
            .arg(message.attempts)
            .arg("n")
            .arg(time_key(message.next_attempt_at))
            .ignore();
        if let Some(error) = &message.last_error {
            pipe.cmd("HSET").arg(&key).arg("le").arg(error).ignore();
        }
        pipe.cmd("ZADD")
            .arg(keys.outbox_queue())
            .arg(ceil_ms(message.next_attempt_at))
            .arg(message.id.to_string())
            .ignore();
        self.pipeline::<()>(&pipe).await
    }

    async fn claim_due(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<OutboxMessage>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let keys = self.keys();
        let lease_end = now.saturating_add(lease);
        let rows: Vec<String> = self
            .script(
                scripts::CLAIM_DUE
                    .key(keys.outbox_queue())
                    .arg(keys.prefix())
                    .arg(time_key(now))
                    .arg(ceil_ms(now))
                    .arg(limit)
                    .arg(time_key(lease_end))
                    .arg(ceil_ms(lease_end)),
            )
            .await?;
        if !rows.len().is_multiple_of(6) {
            return Err(Error::backend(Corrupt::new(
                "claimed message rows",
                rows.len(),
            )));
        }
        rows.chunks_exact(6)
            .map(|row| {
                let mut message: OutboxMessage = from_json(&row[1])?;
                message.attempts = row[2]
                    .parse()
                    .map_err(|_| Error::backend(Corrupt::new("an attempt count", &row[2])))?;
                message.next_attempt_at = parse_time_key(&row[3])?;
                message.last_error = (row[5] == "1").then(|| row[4].clone());
                Ok(message)
            })
            .collect()
    }

    async fn remove(&self, id: Uuid) -> Result<()> {
        let keys = self.keys();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("DEL")
            .arg(keys.outbox_message(id))
            .ignore()
            .cmd("ZREM")
            .arg(keys.outbox_queue())
            .arg(id.to_string())
            .ignore();
        self.pipeline::<()>(&pipe).await
    }

    async fn reschedule(
        &self,
        id: Uuid,
        attempts: u32,
        next_attempt_at: OffsetDateTime,
        last_error: &str,
    ) -> Result<()> {
        let keys = self.keys();
        let _found: i64 = self
            .script(
                scripts::RESCHEDULE
                    .key(keys.outbox_message(id))
                    .key(keys.outbox_queue())
                    .arg(keys.prefix())
                    .arg(id.to_string())
                    .arg(attempts)
                    .arg(time_key(next_attempt_at))
                    .arg(ceil_ms(next_attempt_at))
                    .arg(last_error),
            )
            .await?;
        Ok(())
    }

    async fn pending_count(&self) -> Result<u64> {
        self.query(redis::cmd("ZCARD").arg(self.keys().outbox_queue()))
            .await
    }
}
