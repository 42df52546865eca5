//! [`SessionStore`] and [`SessionUserStore`] on Redis.

use async_trait::async_trait;
use auth_core::{
    AuthMethod, Error, Result, SessionDigest, SessionRecord, SessionStore, SessionUserStore,
    UniqueField, User, UserId,
};
use time::OffsetDateTime;

use crate::RedisStore;
use crate::codec::{
    Corrupt, ceil_ms, floor_ms, from_json, in_rows, parse_time_key, time_key, to_json,
};
use crate::scripts;

/// How often recording a proof reads the session again after losing a race.
const PROOF_TRIES: usize = 8;

/// A session hash read back: the record as created, with the fields touches change.
fn session_from_parts(json: &str, last_seen: &str, idle_expires: &str) -> Result<SessionRecord> {
    let mut record: SessionRecord = from_json(json)?;
    record.last_seen_at = parse_time_key(last_seen)?;
    record.idle_expires_at = parse_time_key(idle_expires)?;
    Ok(record)
}

#[async_trait]
impl SessionStore for RedisStore {
    async fn create_session(&self, session: &SessionRecord) -> Result<()> {
        let keys = self.keys();
        let grace = i64::try_from(self.config().stale_index_grace.as_millis()).unwrap_or(i64::MAX);
        let created: i64 = self
            .script(
                scripts::CREATE_SESSION
                    .key(keys.session(&session.digest))
                    .key(keys.user_sessions(session.user_id))
                    .key(keys.session_expiry())
                    .arg(keys.accounts())
                    .arg(session.digest.to_hex())
                    .arg(session.user_id.to_string())
                    .arg(to_json(session)?)
                    .arg(time_key(session.last_seen_at))
                    .arg(time_key(session.idle_expires_at))
                    .arg(time_key(session.expires_at))
                    .arg(ceil_ms(session.expires_at))
                    .arg(ceil_ms(session.dies_at()))
                    .arg(floor_ms(session.created_at))
                    .arg(grace),
            )
            .await?;
        if created == 1 {
            Ok(())
        } else {
            // A 256-bit collision (or the same record stored twice): never overwritten.
            Err(Error::Conflict {
                field: UniqueField::SessionDigest,
            })
        }
    }

    async fn session(&self, digest: &SessionDigest) -> Result<Option<SessionRecord>> {
        let fields: Vec<Option<String>> = self
            .query(
                redis::cmd("HMGET")
                    .arg(self.keys().session(digest))
                    .arg("d")
                    .arg("ls")
                    .arg("ie"),
            )
            .await?;
        match fields.as_slice() {
            [Some(d), Some(ls), Some(ie)] => session_from_parts(d, ls, ie).map(Some),
            [None, _, _] => Ok(None),
            _ => Err(Error::backend(Corrupt::new("a session hash", fields))),
        }
    }

    async fn touch_session(
        &self,
        digest: &SessionDigest,
        last_seen_at: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> Result<()> {
        let keys = self.keys();
        let _touched: i64 = self
            .script(
                scripts::TOUCH_SESSION
                    .key(keys.session(digest))
                    .key(keys.session_expiry())
                    .arg(keys.accounts())
                    .arg(digest.to_hex())
                    .arg(time_key(last_seen_at))
                    .arg(time_key(idle_expires_at))
                    .arg(ceil_ms(idle_expires_at)),
            )
            .await?;
        Ok(())
    }

    async fn record_session_proof(
        &self,
        digest: &SessionDigest,
        amr: &[AuthMethod],
        proved_at: OffsetDateTime,
    ) -> Result<bool> {
        // The record's JSON changes only here (touches write fields of their own), so a
        // compare-and-set on it loses no concurrent proof; a lost race reads again.
        let key = self.keys().session(digest);
        for _ in 0..PROOF_TRIES {
            let Some(json): Option<String> =
                self.query(redis::cmd("HGET").arg(&key).arg("d")).await?
            else {
                return Ok(false);
            };
            let mut record: SessionRecord = from_json(&json)?;
            record.amr = amr.to_vec();
            record.proved_at = proved_at;
            let replaced: i64 = self
                .script(
                    scripts::REPLACE_SESSION_RECORD
                        .key(&key)
                        .arg(&json)
                        .arg(to_json(&record)?),
                )
                .await?;
            match replaced {
                1 => return Ok(true),
                0 => return Ok(false),
                _ => {}
            }
        }
        Err(Error::StaleVersion)
    }

    async fn delete_session(&self, digest: &SessionDigest) -> Result<bool> {
        let keys = self.keys();
        let deleted: i64 = self
            .script(
                scripts::DELETE_SESSION
                    .key(keys.session(digest))
                    .key(keys.session_expiry())
                    .arg(keys.accounts())
                    .arg(digest.to_hex()),
            )
            .await?;
        Ok(deleted == 1)
    }

    async fn sessions_for_user(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<SessionRecord>> {
        let keys = self.keys();
        let rows: Vec<String> = self
            .script(
                scripts::SESSIONS_FOR_USER
                    .key(keys.user_sessions(user_id))
                    .arg(keys.accounts()),
            )
            .await?;
        let mut sessions = in_rows(&rows, 3, "session triples")?
            .map(|r| session_from_parts(&r[0], &r[1], &r[2]))
            .filter(|r| r.as_ref().map_or(true, |s| s.is_live(now)))
            .collect::<Result<Vec<_>>>()?;
        sessions.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.digest.cmp(&a.digest))
        });
        Ok(sessions)
    }

    async fn delete_sessions_for_user(
        &self,
        user_id: UserId,
        keep: Option<&SessionDigest>,
    ) -> Result<u64> {
        let keys = self.keys();
        let deleted: u64 = self
            .script(
                scripts::DELETE_SESSIONS_FOR_USER
                    .key(keys.user_sessions(user_id))
                    .key(keys.session_expiry())
                    .arg(keys.accounts())
                    .arg(keep.map(SessionDigest::to_hex).unwrap_or_default()),
            )
            .await?;
        Ok(deleted)
    }

    async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64> {
        let keys = self.keys();
        self.purge_in_batches(
            &scripts::PURGE_SESSIONS,
            keys.session_expiry(),
            keys.accounts(),
            now,
        )
        .await
    }
}

#[async_trait]
impl SessionUserStore for RedisStore {
    async fn session_with_user(
        &self,
        digest: &SessionDigest,
    ) -> Result<Option<(SessionRecord, User)>> {
        let row: Option<Vec<String>> = self
            .script(
                scripts::SESSION_WITH_USER
                    .key(self.keys().session(digest))
                    .arg(self.keys().accounts()),
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let [d, ls, ie, user] = row.as_slice() else {
            return Err(Error::backend(Corrupt::new(
                "a session and its user",
                row.len(),
            )));
        };
        Ok(Some((session_from_parts(d, ls, ie)?, from_json(user)?)))
    }
}
