//! [`MailOutbox`] on Redis.

use async_trait::async_trait;
use auth_core::{Error, FailedMail, MailOutbox, OutboxMessage, Page, Result};
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
                    .arg(keys.outbox())
                    .arg(time_key(now))
                    .arg(ceil_ms(now))
                    .arg(limit)
                    .arg(time_key(lease_end))
                    .arg(ceil_ms(lease_end)),
            )
            .await?;
        if !rows.len().is_multiple_of(7) {
            return Err(Error::backend(Corrupt::new(
                "claimed message rows",
                rows.len(),
            )));
        }
        rows.chunks_exact(7)
            .map(|row| {
                let mut message: OutboxMessage = from_json(&row[1])?;
                message.attempts = attempts(&row[2])?;
                message.next_attempt_at = parse_time_key(&row[3])?;
                message.last_error = (row[5] == "1").then(|| row[4].clone());
                if !row[6].is_empty() {
                    message.created_at = parse_time_key(&row[6])?;
                }
                Ok(message)
            })
            .collect()
    }

    async fn remove(&self, id: Uuid) -> Result<()> {
        let keys = self.keys();
        let _removed: i64 = self
            .script(
                scripts::REMOVE_MESSAGE
                    .key(keys.outbox_message(id))
                    .key(keys.outbox_queue())
                    .key(keys.outbox_failed())
                    .arg(id.to_string()),
            )
            .await?;
        Ok(())
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
                    .arg(keys.outbox())
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

    async fn mark_failed(
        &self,
        id: Uuid,
        attempts: u32,
        failed_at: OffsetDateTime,
        last_error: &str,
    ) -> Result<()> {
        let keys = self.keys();
        let _found: i64 = self
            .script(
                scripts::MARK_FAILED
                    .key(keys.outbox_message(id))
                    .key(keys.outbox_queue())
                    .key(keys.outbox_failed())
                    .arg(id.to_string())
                    .arg(attempts)
                    .arg(time_key(failed_at))
                    .arg(last_error),
            )
            .await?;
        Ok(())
    }

    async fn failed_messages(&self, page: Page) -> Result<Vec<FailedMail>> {
        if page.limit == 0 {
            return Ok(Vec::new());
        }
        let keys = self.keys();
        let start = i64::try_from(page.offset).unwrap_or(i64::MAX);
        let stop = start.saturating_add(i64::try_from(page.limit).unwrap_or(i64::MAX) - 1);
        let rows: Vec<String> = self
            .script(
                scripts::LIST_FAILED
                    .key(keys.outbox_failed())
                    .arg(keys.outbox())
                    .arg(start)
                    .arg(stop),
            )
            .await?;
        if !rows.len().is_multiple_of(5) {
            return Err(Error::backend(Corrupt::new(
                "failed message rows",
                rows.len(),
            )));
        }
        rows.chunks_exact(5)
            .map(|row| {
                let (failed_at, id) = row[0]
                    .split_once(':')
                    .ok_or_else(|| Error::backend(Corrupt::new("a failed message", &row[0])))?;
                let message: OutboxMessage = from_json(&row[1])?;
                if message.id.to_string() != id {
                    return Err(Error::backend(Corrupt::new("a failed message", &row[0])));
                }
                let created_at = if row[4].is_empty() {
                    message.created_at
                } else {
                    parse_time_key(&row[4])?
                };
                Ok(FailedMail {
                    id: message.id,
                    to: message.email.to,
                    kind: message.email.kind,
                    attempts: attempts(&row[2])?,
                    created_at,
                    failed_at: parse_time_key(failed_at)?,
                    last_error: row[3].clone(),
                })
            })
            .collect()
    }

    async fn failed_count(&self) -> Result<u64> {
        self.query(redis::cmd("ZCARD").arg(self.keys().outbox_failed()))
            .await
    }

    async fn discard_failed(&self, id: Uuid) -> Result<bool> {
        let keys = self.keys();
        let discarded: i64 = self
            .script(
                scripts::DISCARD_FAILED
                    .key(keys.outbox_message(id))
                    .key(keys.outbox_queue())
                    .key(keys.outbox_failed())
                    .arg(id.to_string()),
            )
            .await?;
        Ok(discarded == 1)
    }

    async fn retry_failed(&self, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        let keys = self.keys();
        let retried: i64 = self
            .script(
                scripts::RETRY_FAILED
                    .key(keys.outbox_message(id))
                    .key(keys.outbox_queue())
                    .key(keys.outbox_failed())
                    .arg(id.to_string())
                    .arg(time_key(now))
                    .arg(ceil_ms(now)),
            )
            .await?;
        Ok(retried == 1)
    }
}

/// An attempt count as stored in the message's hash.
fn attempts(stored: &str) -> Result<u32> {
    stored
        .parse()
        .map_err(|_| Error::backend(Corrupt::new("an attempt count", stored)))
}
