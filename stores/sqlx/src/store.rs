//! The store traits of `auth-core` on [`SqlxStore`].

use async_trait::async_trait;
use auth_core::{
    AuditEvent, AuditSink, AuthMethod, Counter, CounterStore, EphemeralStore, Error, FailedMail,
    MailOutbox, OutboxMessage, Page, Result, SessionDigest, SessionRecord, SessionStore,
    SessionUserStore, UniqueField, User, UserId, UserSearch, UserStore, WebhookDelivery,
};
use sqlx::Row as _;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::codec::{
    amr_json, audit_from_row, counter_key, failed_from_row, from_ts, int, opt_ts, outbox_columns,
    outbox_from_row, roles_json, second_factor_json, session_from_row, truncate_error, ts,
    user_from_row, webhook_from_row,
};
use crate::error::map_err;
use crate::sql::{PURGE_BATCH, contains_pattern};
use crate::statement::{count, execute, fetch_all, fetch_optional};
use crate::{BeginWrite as _, SqlxStore, with_pool};

/// `now + window`, saturating.
fn window_end(now: OffsetDateTime, window: Duration) -> i64 {
    now.checked_add(window).map_or(i64::MAX, ts)
}

/// Maps a unique violation on the session digest to the contract's `Conflict`.
fn digest_conflict(e: sqlx::Error) -> Error {
    let unique = e
        .as_database_error()
        .is_some_and(|db| db.is_unique_violation());
    if unique {
        tracing::error!(error = %e, "session digest collision: refusing to overwrite a session");
        Error::Conflict {
            field: UniqueField::SessionDigest,
        }
    } else {
        map_err(e)
    }
}

/// A SQL `LIMIT` from a caller's `u64`/`u32`.
fn limit(n: u64) -> i64 {
    int(n)
}

#[async_trait]
impl UserStore for SqlxStore {
    async fn create_user(&self, user: &User) -> Result<()> {
        let roles = roles_json(&user.roles)?;
        let profile = user.profile.to_json()?;
        let second_factor = second_factor_json(user.second_factor.as_ref())?;
        let sql = &self.inner.sql;
        execute!(
            self,
            "create_user",
            sql.create_user,
            [
                user.id.0,
                user.email.as_str(),
                user.username.as_deref(),
                user.password_hash.as_str(),
                user.status.as_str(),
                opt_ts(user.email_verified_at),
                roles.as_str(),
                user.security_stamp.as_str(),
                opt_ts(user.locked_until),
                i64::from(user.lockout_count),
                ts(user.created_at),
                ts(user.updated_at),
                opt_ts(user.last_login_at),
                int(user.version),
                profile.as_str(),
                second_factor.as_deref(),
                user.language.as_deref()
            ]
        )
        .await
        .map(drop)
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        let sql = &self.inner.sql;
        fetch_optional!(self, "user_by_id", sql.user_by_id, [id.0], user_from_row).await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let sql = &self.inner.sql;
        fetch_optional!(
            self,
            "user_by_email",
            sql.user_by_email,
            [email],
            user_from_row
        )
        .await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let sql = &self.inner.sql;
        fetch_optional!(
            self,
            "user_by_username",
            sql.user_by_username,
            [username],
            user_from_row
        )
        .await
    }

    async fn update_user(&self, user: &User) -> Result<()> {
        let roles = roles_json(&user.roles)?;
        let profile = user.profile.to_json()?;
        let second_factor = second_factor_json(user.second_factor.as_ref())?;
        let next_version = user.version.checked_add(1).ok_or(Error::StaleVersion)?;
        let sql = &self.inner.sql;
        self.run("update_user", || async {
            let affected = with_pool!(self, pool => {
                sqlx::query(sql.update_user.clone())
                    .bind(user.email.as_str())
                    .bind(user.username.as_deref())
                    .bind(user.password_hash.as_str())
                    .bind(user.status.as_str())
                    .bind(opt_ts(user.email_verified_at))
                    .bind(roles.as_str())
                    .bind(user.security_stamp.as_str())
                    .bind(opt_ts(user.locked_until))
                    .bind(i64::from(user.lockout_count))
                    .bind(ts(user.created_at))
                    .bind(ts(user.updated_at))
                    .bind(opt_ts(user.last_login_at))
                    .bind(int(next_version))
                    .bind(profile.as_str())
                    .bind(second_factor.as_deref())
                    .bind(user.language.as_deref())
                    .bind(user.id.0)
                    .bind(int(user.version))
                    .execute(pool)
                    .await
                    .map_err(map_err)?
                    .rows_affected()
            });
            if affected == 1 {
                Ok(())
            } else {
                Err(Error::StaleVersion)
            }
        })
        .await
    }

    async fn delete_user(&self, id: UserId, expected_version: u64) -> Result<()> {
        let sql = &self.inner.sql;
        self.run("delete_user", || async {
            with_pool!(self, pool => {
                let mut tx = pool.begin_write().await.map_err(map_err)?;
                let deleted = sqlx::query(sql.delete_user.clone())
                    .bind(id.0)
                    .bind(int(expected_version))
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?
                    .rows_affected();
                if deleted != 1 {
                    // Dropping the transaction rolls it back.
                    return Err(Error::StaleVersion);
                }
                sqlx::query(sql.delete_user_sessions.clone())
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                sqlx::query(sql.api_keys.delete_for_user.clone())
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                sqlx::query(sql.passkeys.delete_for_user.clone())
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                tx.commit().await.map_err(map_err)?;
            });
            Ok(())
        })
        .await
    }

    async fn list_users(&self, search: Option<&UserSearch<'_>>, page: Page) -> Result<Vec<User>> {
        let sql = &self.inner.sql;
        let statement = match search {
            Some(search) => sql.search_profiles(search.profile_fields.len(), false),
            None => sql.list_users.clone(),
        };
        let pattern = search.map(|s| contains_pattern(s.text));
        self.run("list_users", || async {
            with_pool!(self, pool => {
                let mut query = sqlx::query(statement.clone());
                if let (Some(search), Some(p)) = (search, &pattern) {
                    query = query.bind(p.as_str()).bind(p.as_str());
                    for field in search.profile_fields {
                        query = query.bind(*field).bind(p.as_str());
                    }
                }
                query
                    .bind(limit(page.limit))
                    .bind(limit(page.offset))
                    .fetch_all(pool)
                    .await
                    .map_err(map_err)?
                    .iter()
                    .map(user_from_row)
                    .collect()
            })
        })
        .await
    }

    async fn count_users(&self, search: Option<&UserSearch<'_>>) -> Result<u64> {
        let sql = &self.inner.sql;
        let statement = match search {
            Some(search) => sql.search_profiles(search.profile_fields.len(), true),
            None => sql.count_users.clone(),
        };
        let pattern = search.map(|s| contains_pattern(s.text));
        self.run("count_users", || async {
            let n: i64 = with_pool!(self, pool => {
                let mut query = sqlx::query(statement.clone());
                if let (Some(search), Some(p)) = (search, &pattern) {
                    query = query.bind(p.as_str()).bind(p.as_str());
                    for field in search.profile_fields {
                        query = query.bind(*field).bind(p.as_str());
                    }
                }
                query
                    .fetch_one(pool)
                    .await
                    .map_err(map_err)?
                    .try_get("n")
                    .map_err(map_err)?
            });
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }
}

#[async_trait]
impl SessionStore for SqlxStore {
    async fn create_session(&self, session: &SessionRecord) -> Result<()> {
        let sql = &self.inner.sql;
        let amr = amr_json(&session.amr)?;
        execute!(
            self,
            "create_session",
            sql.create_session,
            [
                session.digest.as_bytes().as_slice(),
                session.user_id.0,
                ts(session.created_at),
                ts(session.last_seen_at),
                ts(session.expires_at),
                ts(session.idle_expires_at),
                ts(session.dies_at()),
                session.remember,
                session.user_agent.as_deref(),
                session.ip.as_deref(),
                amr.as_str(),
                ts(session.auth_time),
                ts(session.proved_at)
            ],
            digest_conflict
        )
        .await
        .map(drop)
    }

    async fn session(&self, digest: &SessionDigest) -> Result<Option<SessionRecord>> {
        let sql = &self.inner.sql;
        fetch_optional!(
            self,
            "session",
            sql.session,
            [digest.as_bytes().as_slice()],
            session_from_row
        )
        .await
    }

    async fn touch_session(
        &self,
        digest: &SessionDigest,
        last_seen_at: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> Result<()> {
        let sql = &self.inner.sql;
        let idle = ts(idle_expires_at);
        execute!(
            self,
            "touch_session",
            sql.touch_session,
            [
                ts(last_seen_at),
                idle,
                idle,
                idle,
                digest.as_bytes().as_slice()
            ]
        )
        .await
        .map(drop)
    }

    async fn record_session_proof(
        &self,
        digest: &SessionDigest,
        amr: &[AuthMethod],
        proved_at: OffsetDateTime,
    ) -> Result<bool> {
        let sql = &self.inner.sql;
        let amr = amr_json(amr)?;
        let n = execute!(
            self,
            "record_session_proof",
            sql.record_session_proof,
            [amr.as_str(), ts(proved_at), digest.as_bytes().as_slice()]
        )
        .await?;
        Ok(n > 0)
    }

    async fn delete_session(&self, digest: &SessionDigest) -> Result<bool> {
        let sql = &self.inner.sql;
        let n = execute!(
            self,
            "delete_session",
            sql.delete_session,
            [digest.as_bytes().as_slice()]
        )
        .await?;
        Ok(n > 0)
    }

    async fn sessions_for_user(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<SessionRecord>> {
        let sql = &self.inner.sql;
        fetch_all!(
            self,
            "sessions_for_user",
            sql.sessions_for_user,
            [user_id.0, ts(now)],
            session_from_row
        )
        .await
    }

    async fn delete_sessions_for_user(
        &self,
        user_id: UserId,
        keep: Option<&SessionDigest>,
    ) -> Result<u64> {
        let sql = &self.inner.sql;
        self.run("delete_sessions_for_user", || async {
            Ok(with_pool!(self, pool => {
                let query = match keep {
                    Some(keep) => sqlx::query(sql.delete_sessions_for_user_except.clone())
                        .bind(user_id.0)
                        .bind(keep.as_bytes().as_slice()),
                    None => sqlx::query(sql.delete_user_sessions.clone()).bind(user_id.0),
                };
                query.execute(pool).await.map_err(map_err)?.rows_affected()
            }))
        })
        .await
    }

    async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64> {
        self.purge_batches(
            "purge_expired_sessions",
            &self.inner.sql.purge_sessions,
            now,
        )
        .await
    }
}

#[async_trait]
impl SessionUserStore for SqlxStore {
    async fn session_with_user(
        &self,
        digest: &SessionDigest,
    ) -> Result<Option<(SessionRecord, User)>> {
        let sql = &self.inner.sql;
        self.run("session_with_user", || async {
            with_pool!(self, pool => {
                let row = sqlx::query(sql.session_with_user.clone())
                    .bind(digest.as_bytes().as_slice())
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?;
                match row {
                    Some(row) => Ok(Some((session_from_row(&row)?, user_from_row(&row)?))),
                    None => Ok(None),
                }
            })
        })
        .await
    }

    /// On a SQLite file in WAL mode: the header of its WAL index, read from the `-shm`
    /// file, which every commit of any process sharing the file rewrites before the
    /// commit can be seen (the argument is in the `revision` module). `None` elsewhere:
    /// in-memory SQLite, other journal modes, PostgreSQL and MySQL.
    async fn revision(&self) -> Result<Option<u64>> {
        match &self.inner.pool {
            #[cfg(all(feature = "sqlite", unix))]
            crate::DbPool::Sqlite(pool) => Ok(self
                .inner
                .revision
                .get(pool, self.inner.operation_timeout)
                .await),
            // `allow`, not `expect`: unreachable when SQLite is the one backend on.
            #[allow(unreachable_patterns)]
            _ => Ok(None),
        }
    }
}

impl SqlxStore {
    /// Deletes in batches of [`PURGE_BATCH`] rows until a batch comes back short; each
    /// batch is its own statement and bounded by the operation timeout on its own.
    async fn purge_batches(
        &self,
        operation: &'static str,
        statement: &sqlx::SqlStr,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let now = ts(now);
        let mut total = 0u64;
        loop {
            let n = self
                .run(operation, || async {
                    Ok(with_pool!(self, pool => {
                        sqlx::query(statement.clone())
                            .bind(now)
                            .bind(PURGE_BATCH)
                            .execute(pool)
                            .await
                            .map_err(map_err)?
                            .rows_affected()
                    }))
                })
                .await?;
            total += n;
            if n < u64::try_from(PURGE_BATCH).unwrap_or(u64::MAX) {
                return Ok(total);
            }
        }
    }
}

#[async_trait]
impl CounterStore for SqlxStore {
    async fn increment(&self, key: &str, window: Duration, now: OffsetDateTime) -> Result<Counter> {
        let sql = &self.inner.sql;
        let key = counter_key(key);
        let key = key.as_ref();
        let end = window_end(now, window);
        let now = ts(now);
        self.run("increment", || async {
            let (hits, expires_at): (i64, i64) = match &self.inner.pool {
                #[cfg(feature = "mysql")]
                crate::DbPool::MySql(pool) => {
                    // No RETURNING: upsert, then read back in the same transaction (the row
                    // stays locked by the upsert until commit, so the value read is ours).
                    let mut tx = pool.begin_write().await.map_err(map_err)?;
                    sqlx::query(sql.increment.clone())
                        .bind(key)
                        .bind(end)
                        .bind(now)
                        .bind(now)
                        .bind(end)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_err)?;
                    let row = sqlx::query(sql.read_counter.clone())
                        .bind(key)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(map_err)?;
                    tx.commit().await.map_err(map_err)?;
                    (
                        row.try_get("hits").map_err(map_err)?,
                        row.try_get("expires_at").map_err(map_err)?,
                    )
                }
                // `allow`, not `expect`: unreachable when `mysql` is the only backend on.
                #[allow(unreachable_patterns)]
                _ => with_pool!(self, pool => {
                    let row = sqlx::query(sql.increment.clone())
                        .bind(key)
                        .bind(end)
                        .bind(now)
                        .bind(now)
                        .fetch_one(pool)
                        .await
                        .map_err(map_err)?;
                    (
                        row.try_get("hits").map_err(map_err)?,
                        row.try_get("expires_at").map_err(map_err)?,
                    )
                }),
            };
            Ok(Counter {
                count: u64::try_from(hits).unwrap_or(0),
                expires_at: from_ts(expires_at, "expires_at")?,
            })
        })
        .await
    }

    async fn counter(&self, key: &str, now: OffsetDateTime) -> Result<Option<Counter>> {
        let sql = &self.inner.sql;
        let key = counter_key(key);
        let key = key.as_ref();
        self.run("counter", || async {
            let row: Option<(i64, i64)> = with_pool!(self, pool => {
                match sqlx::query(sql.counter.clone())
                    .bind(key)
                    .bind(ts(now))
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?
                {
                    Some(row) => Some((
                        row.try_get("hits").map_err(map_err)?,
                        row.try_get("expires_at").map_err(map_err)?,
                    )),
                    None => None,
                }
            });
            row.map(|(hits, expires_at)| {
                Ok(Counter {
                    count: u64::try_from(hits).unwrap_or(0),
                    expires_at: from_ts(expires_at, "expires_at")?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn reset_counter(&self, key: &str) -> Result<()> {
        let sql = &self.inner.sql;
        let key = counter_key(key);
        let key = key.as_ref();
        execute!(self, "reset_counter", sql.reset_counter, [key])
            .await
            .map(drop)
    }

    async fn purge_expired_counters(&self, now: OffsetDateTime) -> Result<u64> {
        self.purge_batches(
            "purge_expired_counters",
            &self.inner.sql.purge_counters,
            now,
        )
        .await
    }
}

#[async_trait]
impl EphemeralStore for SqlxStore {
    async fn insert(
        &self,
        key: &str,
        value: &[u8],
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let sql = &self.inner.sql;
        let key = counter_key(key);
        let key = key.as_ref();
        let (expires_at, now) = (ts(expires_at), ts(now));
        self.run("insert_entry", || async {
            let inserted = match &self.inner.pool {
                #[cfg(feature = "mysql")]
                crate::DbPool::MySql(pool) => {
                    // Two statements, each atomic: an expired entry is cleared, then the
                    // primary key lets exactly one of any racing inserts in.
                    sqlx::query(sql.clear_expired_entry.clone())
                        .bind(key)
                        .bind(now)
                        .execute(pool)
                        .await
                        .map_err(map_err)?;
                    match sqlx::query(sql.insert_entry.clone())
                        .bind(key)
                        .bind(value)
                        .bind(expires_at)
                        .execute(pool)
                        .await
                    {
                        Ok(_) => true,
                        Err(e)
                            if e.as_database_error()
                                .is_some_and(|db| db.is_unique_violation()) =>
                        {
                            false
                        }
                        Err(e) => return Err(map_err(e)),
                    }
                }
                // `allow`, not `expect`: unreachable when `mysql` is the only backend on.
                #[allow(unreachable_patterns)]
                _ => with_pool!(self, pool => {
                    sqlx::query(sql.insert_entry.clone())
                        .bind(key)
                        .bind(value)
                        .bind(expires_at)
                        .bind(now)
                        .execute(pool)
                        .await
                        .map_err(map_err)?
                        .rows_affected()
                        == 1
                }),
            };
            Ok(inserted)
        })
        .await
    }

    async fn take(&self, key: &str, now: OffsetDateTime) -> Result<Option<Vec<u8>>> {
        let sql = &self.inner.sql;
        let key = counter_key(key);
        let key = key.as_ref();
        self.run("take_entry", || async {
            let row: Option<(Vec<u8>, i64)> = match &self.inner.pool {
                #[cfg(feature = "mysql")]
                crate::DbPool::MySql(pool) => {
                    // No RETURNING: lock the row, delete it, commit. A racing take waits
                    // on the lock and then finds no row.
                    let mut tx = pool.begin_write().await.map_err(map_err)?;
                    let row = sqlx::query(sql.take_entry.clone())
                        .bind(key)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(map_err)?;
                    let row = match row {
                        Some(row) => {
                            sqlx::query(sql.delete_entry.clone())
                                .bind(key)
                                .execute(&mut *tx)
                                .await
                                .map_err(map_err)?;
                            Some((
                                row.try_get("value").map_err(map_err)?,
                                row.try_get("expires_at").map_err(map_err)?,
                            ))
                        }
                        None => None,
                    };
                    tx.commit().await.map_err(map_err)?;
                    row
                }
                // `allow`, not `expect`: unreachable when `mysql` is the only backend on.
                #[allow(unreachable_patterns)]
                _ => with_pool!(self, pool => {
                    match sqlx::query(sql.take_entry.clone())
                        .bind(key)
                        .fetch_optional(pool)
                        .await
                        .map_err(map_err)?
                    {
                        Some(row) => Some((
                            row.try_get("value").map_err(map_err)?,
                            row.try_get("expires_at").map_err(map_err)?,
                        )),
                        None => None,
                    }
                }),
            };
            Ok(row.and_then(|(value, expires_at)| (ts(now) < expires_at).then_some(value)))
        })
        .await
    }

    async fn purge_expired_ephemeral(&self, now: OffsetDateTime) -> Result<u64> {
        self.purge_batches(
            "purge_expired_ephemeral",
            &self.inner.sql.purge_entries,
            now,
        )
        .await
    }
}

#[async_trait]
impl MailOutbox for SqlxStore {
    async fn enqueue(&self, message: &OutboxMessage) -> Result<()> {
        let sql = &self.inner.sql;
        let last_error = message.last_error.as_deref().map(truncate_error);
        let (to, subject, text, html, kind) = outbox_columns(message);
        execute!(
            self,
            "enqueue",
            sql.enqueue,
            [
                message.id,
                to,
                subject,
                text,
                html,
                kind,
                i64::from(message.attempts),
                ts(message.next_attempt_at),
                ts(message.created_at),
                last_error
            ]
        )
        .await
        .map(drop)
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
        let sql = &self.inner.sql;
        let lease_end = window_end(now, lease);
        let now = ts(now);
        let limit = i64::from(limit);
        self.run("claim_due", || async {
            let mut claimed: Vec<OutboxMessage> = match &self.inner.pool {
                #[cfg(feature = "mysql")]
                crate::DbPool::MySql(pool) => {
                    // Lock the due rows other claimers have not locked, push them out by
                    // the lease, commit.
                    let mut tx = pool.begin_write().await.map_err(map_err)?;
                    let mut messages = sqlx::query(sql.claim.clone())
                        .bind(now)
                        .bind(limit)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(map_err)?
                        .iter()
                        .map(outbox_from_row)
                        .collect::<Result<Vec<_>>>()?;
                    if !messages.is_empty() {
                        let mut update = sql.claim_update_prefix.clone();
                        update.push_str(&vec!["?"; messages.len()].join(", "));
                        update.push(')');
                        let mut query = sqlx::query(crate::sql::finish(self.inner.backend, update))
                            .bind(lease_end);
                        for m in &messages {
                            query = query.bind(m.id);
                        }
                        query.execute(&mut *tx).await.map_err(map_err)?;
                    }
                    tx.commit().await.map_err(map_err)?;
                    let next = from_ts(lease_end, "next_attempt_at")?;
                    for m in &mut messages {
                        m.next_attempt_at = next;
                    }
                    messages
                }
                // `allow`, not `expect`: unreachable when `mysql` is the only backend on.
                #[allow(unreachable_patterns)]
                _ => with_pool!(self, pool => {
                    // One UPDATE ... RETURNING: atomic on its own (PostgreSQL skips rows
                    // another claimer holds; SQLite serialises writers).
                    sqlx::query(sql.claim.clone())
                        .bind(lease_end)
                        .bind(now)
                        .bind(limit)
                        .fetch_all(pool)
                        .await
                        .map_err(map_err)?
                        .iter()
                        .map(outbox_from_row)
                        .collect::<Result<Vec<_>>>()?
                }),
            };
            // RETURNING does not promise an order.
            claimed.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            Ok(claimed)
        })
        .await
    }

    async fn remove(&self, id: Uuid) -> Result<()> {
        let sql = &self.inner.sql;
        execute!(self, "remove", sql.remove_message, [id])
            .await
            .map(drop)
    }

    async fn reschedule(
        &self,
        id: Uuid,
        attempts: u32,
        next_attempt_at: OffsetDateTime,
        last_error: &str,
    ) -> Result<()> {
        let sql = &self.inner.sql;
        let last_error = truncate_error(last_error);
        execute!(
            self,
            "reschedule",
            sql.reschedule,
            [i64::from(attempts), ts(next_attempt_at), last_error, id]
        )
        .await
        .map(drop)
    }

    async fn pending_count(&self) -> Result<u64> {
        let sql = &self.inner.sql;
        count!(self, "pending_count", sql.pending_count, []).await
    }

    async fn mark_failed(
        &self,
        id: Uuid,
        attempts: u32,
        failed_at: OffsetDateTime,
        last_error: &str,
    ) -> Result<()> {
        let sql = &self.inner.sql;
        let last_error = truncate_error(last_error);
        execute!(
            self,
            "mark_failed",
            sql.mark_failed,
            [i64::from(attempts), ts(failed_at), last_error, id]
        )
        .await
        .map(drop)
    }

    async fn failed_messages(&self, page: Page) -> Result<Vec<FailedMail>> {
        let sql = &self.inner.sql;
        fetch_all!(
            self,
            "failed_messages",
            sql.failed_messages,
            [limit(page.limit), limit(page.offset)],
            failed_from_row
        )
        .await
    }

    async fn failed_count(&self) -> Result<u64> {
        let sql = &self.inner.sql;
        count!(self, "failed_count", sql.failed_count, []).await
    }

    async fn discard_failed(&self, id: Uuid) -> Result<bool> {
        let sql = &self.inner.sql;
        let n = execute!(self, "discard_failed", sql.discard_failed, [id]).await?;
        Ok(n > 0)
    }

    async fn mark_delivered(
        &self,
        id: Uuid,
        attempts: u32,
        delivered_at: OffsetDateTime,
        outcome: &str,
    ) -> Result<()> {
        let sql = &self.inner.sql;
        let outcome = truncate_error(outcome);
        execute!(
            self,
            "mark_delivered",
            sql.mark_delivered,
            [i64::from(attempts), ts(delivered_at), outcome, id]
        )
        .await
        .map(drop)
    }

    async fn webhook_deliveries(&self, page: Page) -> Result<Vec<WebhookDelivery>> {
        let sql = &self.inner.sql;
        fetch_all!(
            self,
            "webhook_deliveries",
            sql.webhook_deliveries,
            [limit(page.limit), limit(page.offset)],
            webhook_from_row
        )
        .await
    }

    async fn webhook_delivery(&self, id: Uuid) -> Result<Option<WebhookDelivery>> {
        let sql = &self.inner.sql;
        self.run("webhook_delivery", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.webhook_delivery.clone())
                    .bind(id)
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?
                    .as_ref()
                    .map(webhook_from_row)
                    .transpose()
            })
        })
        .await
    }

    async fn webhook_delivery_count(&self) -> Result<u64> {
        let sql = &self.inner.sql;
        count!(
            self,
            "webhook_delivery_count",
            sql.webhook_delivery_count,
            []
        )
        .await
    }

    async fn purge_delivered(&self, before: OffsetDateTime) -> Result<u64> {
        let sql = &self.inner.sql;
        let before = ts(before);
        self.run("purge_delivered", || async {
            let n = with_pool!(self, pool => {
                sqlx::query(sql.purge_delivered.clone())
                    .bind(before)
                    .execute(pool)
                    .await
                    .map_err(map_err)?
                    .rows_affected()
            });
            Ok(n)
        })
        .await
    }

    async fn retry_failed(&self, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        let sql = &self.inner.sql;
        let now = ts(now);
        let n = execute!(self, "retry_failed", sql.retry_failed, [now, now, id]).await?;
        Ok(n > 0)
    }
}

#[async_trait]
impl AuditSink for SqlxStore {
    async fn record(&self, event: &AuditEvent) -> Result<()> {
        let sql = &self.inner.sql;
        execute!(
            self,
            "record",
            sql.record_audit,
            [
                event.id,
                ts(event.at),
                event.kind.as_str(),
                event.user_id.map(|u| u.0),
                event.actor_id.map(|u| u.0),
                event.ip.as_deref(),
                event.detail.as_deref()
            ]
        )
        .await
        .map(drop)
    }

    async fn events_for_user(&self, user_id: UserId, limit: u32) -> Result<Vec<AuditEvent>> {
        let sql = &self.inner.sql;
        fetch_all!(
            self,
            "events_for_user",
            sql.events_for_user,
            [user_id.0, i64::from(limit)],
            audit_from_row
        )
        .await
    }
}
