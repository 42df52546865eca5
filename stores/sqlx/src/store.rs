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
        self.run("create_user", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.create_user.clone())
                    .bind(user.id.0)
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
                    .bind(int(user.version))
                    .bind(profile.as_str())
                    .bind(second_factor.as_deref())
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        let sql = &self.inner.sql;
        self.run("user_by_id", || async {
            with_pool!(self, pool => {
                let row = sqlx::query(sql.user_by_id.clone())
                    .bind(id.0)
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(user_from_row).transpose()
            })
        })
        .await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let sql = &self.inner.sql;
        self.run("user_by_email", || async {
            with_pool!(self, pool => {
                let row = sqlx::query(sql.user_by_email.clone())
                    .bind(email)
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(user_from_row).transpose()
            })
        })
        .await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let sql = &self.inner.sql;
        self.run("user_by_username", || async {
            with_pool!(self, pool => {
                let row = sqlx::query(sql.user_by_username.clone())
                    .bind(username)
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(user_from_row).transpose()
            })
        })
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
        self.run("create_session", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.create_session.clone())
                    .bind(session.digest.as_bytes().as_slice())
                    .bind(session.user_id.0)
                    .bind(ts(session.created_at))
                    .bind(ts(session.last_seen_at))
                    .bind(ts(session.expires_at))
                    .bind(ts(session.idle_expires_at))
                    .bind(ts(session.dies_at()))
                    .bind(session.remember)
                    .bind(session.user_agent.as_deref())
                    .bind(session.ip.as_deref())
                    .bind(amr.as_str())
                    .bind(ts(session.auth_time))
                    .bind(ts(session.proved_at))
                    .execute(pool)
                    .await
                    .map_err(digest_conflict)?;
            });
            Ok(())
        })
        .await
    }

    async fn session(&self, digest: &SessionDigest) -> Result<Option<SessionRecord>> {
        let sql = &self.inner.sql;
        self.run("session", || async {
            with_pool!(self, pool => {
                let row = sqlx::query(sql.session.clone())
                    .bind(digest.as_bytes().as_slice())
                    .fetch_optional(pool)
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(session_from_row).transpose()
            })
        })
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
        self.run("touch_session", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.touch_session.clone())
                    .bind(ts(last_seen_at))
                    .bind(idle)
                    .bind(idle)
                    .bind(idle)
                    .bind(digest.as_bytes().as_slice())
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
    }

    async fn record_session_proof(
        &self,
        digest: &SessionDigest,
        amr: &[AuthMethod],
        proved_at: OffsetDateTime,
    ) -> Result<bool> {
        let sql = &self.inner.sql;
        let amr = amr_json(amr)?;
        self.run("record_session_proof", || async {
            let n = with_pool!(self, pool => {
                sqlx::query(sql.record_session_proof.clone())
                    .bind(amr.as_str())
                    .bind(ts(proved_at))
                    .bind(digest.as_bytes().as_slice())
                    .execute(pool)
                    .await
                    .map_err(map_err)?
                    .rows_affected()
            });
            Ok(n > 0)
        })
        .await
    }

    async fn delete_session(&self, digest: &SessionDigest) -> Result<bool> {
        let sql = &self.inner.sql;
        self.run("delete_session", || async {
            let n = with_pool!(self, pool => {
                sqlx::query(sql.delete_session.clone())
                    .bind(digest.as_bytes().as_slice())
                    .execute(pool)
                    .await
                    .map_err(map_err)?
                    .rows_affected()
            });
            Ok(n > 0)
        })
        .await
    }

    async fn sessions_for_user(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<SessionRecord>> {
        let sql = &self.inner.sql;
        self.run("sessions_for_user", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.sessions_for_user.clone())
                    .bind(user_id.0)
                    .bind(ts(now))
                    .fetch_all(pool)
                    .await
                    .map_err(map_err)?
                    .iter()
                    .map(session_from_row)
                    .collect()
            })
        })
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
        self.run("reset_counter", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.reset_counter.clone())
                    .bind(key)
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
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
        self.run("enqueue", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.enqueue.clone())
                    .bind(message.id)
                    .bind(to)
                    .bind(subject)
                    .bind(text)
                    .bind(html)
                    .bind(kind)
                    .bind(i64::from(message.attempts))
                    .bind(ts(message.next_attempt_at))
                    .bind(ts(message.created_at))
                    .bind(last_error)
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
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
        self.run("remove", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.remove_message.clone())
                    .bind(id)
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
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
        self.run("reschedule", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.reschedule.clone())
                    .bind(i64::from(attempts))
                    .bind(ts(next_attempt_at))
                    .bind(last_error)
                    .bind(id)
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
    }

    async fn pending_count(&self) -> Result<u64> {
        let sql = &self.inner.sql;
        self.run("pending_count", || async {
            let n: i64 = with_pool!(self, pool => {
                sqlx::query(sql.pending_count.clone())
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

    async fn mark_failed(
        &self,
        id: Uuid,
        attempts: u32,
        failed_at: OffsetDateTime,
        last_error: &str,
    ) -> Result<()> {
        let sql = &self.inner.sql;
        let last_error = truncate_error(last_error);
        self.run("mark_failed", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.mark_failed.clone())
                    .bind(i64::from(attempts))
                    .bind(ts(failed_at))
                    .bind(last_error)
                    .bind(id)
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
    }

    async fn failed_messages(&self, page: Page) -> Result<Vec<FailedMail>> {
        let sql = &self.inner.sql;
        self.run("failed_messages", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.failed_messages.clone())
                    .bind(limit(page.limit))
                    .bind(limit(page.offset))
                    .fetch_all(pool)
                    .await
                    .map_err(map_err)?
                    .iter()
                    .map(failed_from_row)
                    .collect()
            })
        })
        .await
    }

    async fn failed_count(&self) -> Result<u64> {
        let sql = &self.inner.sql;
        self.run("failed_count", || async {
            let n: i64 = with_pool!(self, pool => {
                sqlx::query(sql.failed_count.clone())
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

    async fn discard_failed(&self, id: Uuid) -> Result<bool> {
        let sql = &self.inner.sql;
        self.run("discard_failed", || async {
            let n = with_pool!(self, pool => {
                sqlx::query(sql.discard_failed.clone())
                    .bind(id)
                    .execute(pool)
                    .await
                    .map_err(map_err)?
                    .rows_affected()
            });
            Ok(n > 0)
        })
        .await
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
        self.run("mark_delivered", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.mark_delivered.clone())
                    .bind(i64::from(attempts))
                    .bind(ts(delivered_at))
                    .bind(outcome)
                    .bind(id)
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
    }

    async fn webhook_deliveries(&self, page: Page) -> Result<Vec<WebhookDelivery>> {
        let sql = &self.inner.sql;
        self.run("webhook_deliveries", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.webhook_deliveries.clone())
                    .bind(limit(page.limit))
                    .bind(limit(page.offset))
                    .fetch_all(pool)
                    .await
                    .map_err(map_err)?
                    .iter()
                    .map(webhook_from_row)
                    .collect()
            })
        })
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
        self.run("webhook_delivery_count", || async {
            let n: i64 = with_pool!(self, pool => {
                sqlx::query(sql.webhook_delivery_count.clone())
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
        self.run("retry_failed", || async {
            let n = with_pool!(self, pool => {
                sqlx::query(sql.retry_failed.clone())
                    .bind(now)
                    .bind(now)
                    .bind(id)
                    .execute(pool)
                    .await
                    .map_err(map_err)?
                    .rows_affected()
            });
            Ok(n > 0)
        })
        .await
    }
}

#[async_trait]
impl AuditSink for SqlxStore {
    async fn record(&self, event: &AuditEvent) -> Result<()> {
        let sql = &self.inner.sql;
        self.run("record", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.record_audit.clone())
                    .bind(event.id)
                    .bind(ts(event.at))
                    .bind(event.kind.as_str())
                    .bind(event.user_id.map(|u| u.0))
                    .bind(event.actor_id.map(|u| u.0))
                    .bind(event.ip.as_deref())
                    .bind(event.detail.as_deref())
                    .execute(pool)
                    .await
                    .map_err(map_err)?;
            });
            Ok(())
        })
        .await
    }

    async fn events_for_user(&self, user_id: UserId, limit: u32) -> Result<Vec<AuditEvent>> {
        let sql = &self.inner.sql;
        self.run("events_for_user", || async {
            with_pool!(self, pool => {
                sqlx::query(sql.events_for_user.clone())
                    .bind(user_id.0)
                    .bind(i64::from(limit))
                    .fetch_all(pool)
                    .await
                    .map_err(map_err)?
                    .iter()
                    .map(audit_from_row)
                    .collect()
            })
        })
        .await
    }
}
