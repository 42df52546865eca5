//! [`AuditSink`] on Redis.

use async_trait::async_trait;
use auth_core::{AuditEvent, AuditSink, Result, UserId};

use crate::RedisStore;
use crate::codec::{floor_ms, from_json, to_json};

#[async_trait]
impl AuditSink for RedisStore {
    async fn record(&self, event: &AuditEvent) -> Result<()> {
        let keys = self.keys();
        let key = match event.user_id {
            Some(user) => keys.audit_user(user),
            None => keys.audit_anonymous(),
        };
        let cap = i64::from(self.config().audit_cap);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("ZADD")
            .arg(&key)
            .arg(floor_ms(event.at))
            .arg(to_json(event)?)
            .ignore()
            // Keep the `cap` highest-scored (newest) events.
            .cmd("ZREMRANGEBYRANK")
            .arg(&key)
            .arg(0)
            .arg(-(cap + 1))
            .ignore();
        self.pipeline::<()>(&pipe).await
    }

    async fn events_for_user(&self, user_id: UserId, limit: u32) -> Result<Vec<AuditEvent>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let rows: Vec<String> = self
            .query(
                redis::cmd("ZREVRANGE")
                    .arg(self.keys().audit_user(user_id))
                    .arg(0)
                    .arg(i64::from(limit) - 1),
            )
            .await?;
        let mut events = rows
            .iter()
            .map(|row| from_json(row))
            .collect::<Result<Vec<AuditEvent>>>()?;
        // Scores are milliseconds: order exactly within one.
        events.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.id.cmp(&a.id)));
        Ok(events)
    }
}
