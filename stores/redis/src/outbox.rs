//! [`MailOutbox`] on Redis.

use async_trait::async_trait;
use auth_core::{
    DeliveryState, Error, FailedMail, MailOutbox, OutboxMessage, Page, Result, WebhookDelivery,
};
use redis::Script;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::RedisStore;
use crate::codec::{Corrupt, ceil_ms, from_json, in_rows, parse_time_key, time_key, to_json};
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
        if message.webhook().is_some() {
            let member = format!("{}:{}", time_key(message.created_at), message.id);
            pipe.cmd("HSET").arg(&key).arg("wk").arg(&member).ignore();
            pipe.cmd("ZADD")
                .arg(keys.outbox_webhooks())
                .arg(0)
                .arg(member)
                .ignore();
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
        in_rows(&rows, 7, "claimed message rows")?
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
                    .key(keys.outbox_webhooks())
                    .key(keys.outbox_delivered())
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
        self.finish(&scripts::MARK_FAILED, id, attempts, failed_at, last_error)
            .await
    }

    async fn failed_messages(&self, page: Page) -> Result<Vec<FailedMail>> {
        let rows = self
            .listed(&scripts::LIST_FAILED, self.keys().outbox_failed(), page)
            .await?;
        in_rows(&rows, 5, "failed message rows")?
            .map(|row| {
                let (failed_at, id) = row[0]
                    .split_once(':')
                    .ok_or_else(|| Error::backend(Corrupt::new("a failed message", &row[0])))?;
                let message: OutboxMessage = from_json(&row[1])?;
                if message.id.to_string() != id {
                    return Err(Error::backend(Corrupt::new("a failed message", &row[0])));
                }
                let Some(email) = message.email() else {
                    return Err(Error::backend(Corrupt::new("a failed mail", &row[0])));
                };
                let created_at = if row[4].is_empty() {
                    message.created_at
                } else {
                    parse_time_key(&row[4])?
                };
                Ok(FailedMail {
                    id: message.id,
                    to: email.to.clone(),
                    kind: email.kind,
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

    async fn mark_delivered(
        &self,
        id: Uuid,
        attempts: u32,
        delivered_at: OffsetDateTime,
        outcome: &str,
    ) -> Result<()> {
        self.finish(
            &scripts::MARK_DELIVERED,
            id,
            attempts,
            delivered_at,
            outcome,
        )
        .await
    }

    async fn webhook_deliveries(&self, page: Page) -> Result<Vec<WebhookDelivery>> {
        let rows = self
            .listed(&scripts::LIST_WEBHOOKS, self.keys().outbox_webhooks(), page)
            .await?;
        in_rows(&rows, 9, "webhook call rows")?
            .map(webhook_from_row)
            .collect()
    }

    async fn webhook_delivery(&self, id: Uuid) -> Result<Option<WebhookDelivery>> {
        let fields: Vec<Option<String>> = self
            .query(
                redis::cmd("HMGET")
                    .arg(self.keys().outbox_message(id))
                    .arg(&["d", "a", "n", "le", "c", "f", "dv", "wk"][..]),
            )
            .await?;
        let [d, a, n, le, c, f, dv, wk] = <[Option<String>; 8]>::try_from(fields)
            .map_err(|f| Error::backend(Corrupt::new("a webhook call's fields", f.len())))?;
        let (Some(d), Some(_)) = (d, wk) else {
            return Ok(None);
        };
        let has_le = if le.is_some() { "1" } else { "0" };
        let row = [
            id.to_string(),
            d,
            a.unwrap_or_default(),
            n.unwrap_or_default(),
            le.unwrap_or_default(),
            has_le.to_owned(),
            c.unwrap_or_default(),
            f.unwrap_or_default(),
            dv.unwrap_or_default(),
        ];
        webhook_from_row(&row).map(Some)
    }

    async fn webhook_delivery_count(&self) -> Result<u64> {
        self.query(redis::cmd("ZCARD").arg(self.keys().outbox_webhooks()))
            .await
    }

    async fn purge_delivered(&self, before: OffsetDateTime) -> Result<u64> {
        let keys = self.keys();
        self.script(
            scripts::PURGE_DELIVERED
                .key(keys.outbox_delivered())
                .key(keys.outbox_webhooks())
                .arg(keys.outbox())
                .arg(format!("[{}:~", time_key(before))),
        )
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
                    .key(keys.outbox_webhooks())
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
                    .key(keys.outbox_webhooks())
                    .arg(id.to_string())
                    .arg(time_key(now))
                    .arg(ceil_ms(now)),
            )
            .await?;
        Ok(retried == 1)
    }
}

/// An attempt count as stored in the message's hash.
impl RedisStore {
    /// Takes message `id` out of the queue for good by `script` ([`scripts::MARK_FAILED`]
    /// or [`scripts::MARK_DELIVERED`], which take the same keys and arguments), with its
    /// `attempts`, the instant `at` and `text` (the last error, or the outcome). A message
    /// no longer there is no error.
    async fn finish(
        &self,
        script: &Script,
        id: Uuid,
        attempts: u32,
        at: OffsetDateTime,
        text: &str,
    ) -> Result<()> {
        let keys = self.keys();
        let _found: i64 = self
            .script(
                script
                    .key(keys.outbox_message(id))
                    .key(keys.outbox_queue())
                    .key(keys.outbox_failed())
                    .key(keys.outbox_delivered())
                    .arg(id.to_string())
                    .arg(attempts)
                    .arg(time_key(at))
                    .arg(text),
            )
            .await?;
        Ok(())
    }

    /// The flat answer of a listing `script` ([`scripts::LIST_FAILED`] or
    /// [`scripts::LIST_WEBHOOKS`]) for `page` of the sorted set `index`, newest first.
    async fn listed(&self, script: &Script, index: String, page: Page) -> Result<Vec<String>> {
        if page.limit == 0 {
            return Ok(Vec::new());
        }
        let start = i64::try_from(page.offset).unwrap_or(i64::MAX);
        let stop = start.saturating_add(i64::try_from(page.limit).unwrap_or(i64::MAX) - 1);
        self.script(
            script
                .key(index)
                .arg(self.keys().outbox())
                .arg(start)
                .arg(stop),
        )
        .await
    }
}

fn attempts(stored: &str) -> Result<u32> {
    stored
        .parse()
        .map_err(|_| Error::backend(Corrupt::new("an attempt count", stored)))
}

/// A webhook call from its fields as [`scripts::LIST_WEBHOOKS`] returns them.
fn webhook_from_row(row: &[String]) -> Result<WebhookDelivery> {
    let message: OutboxMessage = from_json(&row[1])?;
    let Some(call) = message.webhook() else {
        return Err(Error::backend(Corrupt::new("a webhook call", &row[0])));
    };
    let time = |s: &str| {
        if s.is_empty() {
            Ok(None)
        } else {
            parse_time_key(s).map(Some)
        }
    };
    let (state, finished_at) = match (time(&row[7])?, time(&row[8])?) {
        (Some(at), _) => (DeliveryState::Failed, Some(at)),
        (None, Some(at)) => (DeliveryState::Delivered, Some(at)),
        (None, None) => (DeliveryState::Pending, None),
    };
    let next_attempt_at = match state {
        DeliveryState::Pending => Some(parse_time_key(&row[3])?),
        _ => None,
    };
    Ok(WebhookDelivery {
        id: message.id,
        url: call.url.clone(),
        event_type: call.event_type.clone(),
        state,
        attempts: attempts(&row[2])?,
        created_at: time(&row[6])?.unwrap_or(message.created_at),
        next_attempt_at,
        finished_at,
        last_outcome: (row[5] == "1").then(|| row[4].clone()),
    })
}
