//! [`UserStore`] on Redis.

use async_trait::async_trait;
use auth_core::{Error, Page, Result, UniqueField, User, UserId, UserSearch, UserStore};

use crate::RedisStore;
use crate::codec::{Corrupt, floor_ms, from_json, in_rows, to_json};
use crate::scripts;

/// How many users one search round trip examines.
const SCAN_BATCH: i64 = 1000;

impl RedisStore {
    fn creation_score(user: &User) -> i64 {
        floor_ms(user.created_at)
    }

    async fn user_by_index(&self, index_key: String) -> Result<Option<User>> {
        let json: Option<String> = self
            .script(
                scripts::USER_BY_INDEX
                    .key(index_key)
                    .arg(self.keys().accounts()),
            )
            .await?;
        json.as_deref().map(from_json).transpose()
    }

    /// Walks the users in creation order, calling `visit` with each id whose email or
    /// username contains `needle` (already lower-case); stops when it returns false.
    async fn search_users(
        &self,
        needle: &str,
        mut visit: impl FnMut(String) -> bool + Send,
    ) -> Result<()> {
        let mut start = 0i64;
        loop {
            let rows: Vec<String> = self
                .script(
                    scripts::SCAN_USERS
                        .key(self.keys().users())
                        .arg(self.keys().accounts())
                        .arg(start)
                        .arg(start + SCAN_BATCH - 1),
                )
                .await?;
            let Some((total, rows)) = rows.split_first() else {
                return Err(Error::backend(Corrupt::new("a user count", "nothing")));
            };
            let total: i64 = total
                .parse()
                .map_err(|_| Error::backend(Corrupt::new("a user count", total)))?;
            for row in in_rows(rows, 3, "id/email/username triples")? {
                let matches = row[1].to_lowercase().contains(needle)
                    || row[2].to_lowercase().contains(needle);
                if matches && !visit(row[0].clone()) {
                    return Ok(());
                }
            }
            // Users deleted meanwhile leave no row, so the length says nothing: stop when
            // the range is past the end.
            start += SCAN_BATCH;
            if start >= total {
                return Ok(());
            }
        }
    }

    /// Walks the whole users in creation order, calling `visit` with each that matches
    /// `search` (profile fields included, which live only in the record's JSON); stops
    /// when it returns false.
    async fn search_records(
        &self,
        search: &UserSearch<'_>,
        mut visit: impl FnMut(User) -> bool + Send,
    ) -> Result<()> {
        let keys = self.keys();
        let total: i64 = self.query(redis::cmd("ZCARD").arg(keys.users())).await?;
        let mut start = 0i64;
        while start < total {
            let rows: Vec<String> = self
                .script(
                    scripts::LIST_USERS
                        .key(keys.users())
                        .arg(keys.accounts())
                        .arg(start)
                        .arg(start + SCAN_BATCH - 1),
                )
                .await?;
            for row in &rows {
                let user: User = from_json(row)?;
                if search.matches(&user) && !visit(user) {
                    return Ok(());
                }
            }
            start += SCAN_BATCH;
        }
        Ok(())
    }
}

fn conflict(code: i64) -> Result<()> {
    match code {
        0 => Ok(()),
        1 => Err(Error::Conflict {
            field: UniqueField::Email,
        }),
        2 => Err(Error::Conflict {
            field: UniqueField::Username,
        }),
        3 => Err(Error::backend(DuplicateUserId)),
        4 => Err(Error::StaleVersion),
        other => Err(Error::backend(Corrupt::new("a script status", other))),
    }
}

/// A new user's id exists already (ids are random UUIDv7: a caller bug, not a race).
#[derive(Debug)]
struct DuplicateUserId;

impl std::fmt::Display for DuplicateUserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a user with this id already exists")
    }
}

impl std::error::Error for DuplicateUserId {}

#[async_trait]
impl UserStore for RedisStore {
    async fn create_user(&self, user: &User) -> Result<()> {
        let keys = self.keys();
        let username = user.username.as_deref().unwrap_or("");
        let code: i64 = self
            .script(
                scripts::CREATE_USER
                    .key(keys.user(user.id))
                    .key(keys.email(&user.email))
                    .key(keys.username(username))
                    .key(keys.users())
                    .arg(keys.accounts())
                    .arg(user.id.to_string())
                    .arg(&user.email)
                    .arg(username)
                    .arg(user.version)
                    .arg(to_json(user)?)
                    .arg(Self::creation_score(user)),
            )
            .await?;
        conflict(code)
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        let json: Option<String> = self
            .query(redis::cmd("HGET").arg(self.keys().user(id)).arg("d"))
            .await?;
        json.as_deref().map(from_json).transpose()
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        self.user_by_index(self.keys().email(email)).await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        self.user_by_index(self.keys().username(username)).await
    }

    async fn update_user(&self, user: &User) -> Result<()> {
        let keys = self.keys();
        let next = user.version.checked_add(1).ok_or(Error::StaleVersion)?;
        let mut stored = user.clone();
        stored.version = next;
        let username = user.username.as_deref().unwrap_or("");
        let code: i64 = self
            .script(
                scripts::UPDATE_USER
                    .key(keys.user(user.id))
                    .key(keys.email(&user.email))
                    .key(keys.username(username))
                    .key(keys.users())
                    .arg(keys.accounts())
                    .arg(user.id.to_string())
                    .arg(&user.email)
                    .arg(username)
                    .arg(user.version)
                    .arg(next)
                    .arg(to_json(&stored)?)
                    .arg(Self::creation_score(user)),
            )
            .await?;
        conflict(code)
    }

    async fn delete_user(&self, id: UserId, expected_version: u64) -> Result<()> {
        let keys = self.keys();
        let sessions: i64 = self
            .script(
                scripts::DELETE_USER
                    .key(keys.user(id))
                    .key(keys.users())
                    .key(keys.user_sessions(id))
                    .key(keys.session_expiry())
                    .key(keys.user_api_keys(id))
                    .key(keys.user_passkeys(id))
                    .arg(keys.accounts())
                    .arg(id.to_string())
                    .arg(expected_version),
            )
            .await?;
        if sessions < 0 {
            return Err(Error::StaleVersion);
        }
        tracing::debug!(user = %id, sessions, "redis store: user deleted with their sessions and API keys");
        Ok(())
    }

    async fn list_users(&self, search: Option<&UserSearch<'_>>, page: Page) -> Result<Vec<User>> {
        if page.limit == 0 {
            return Ok(Vec::new());
        }
        let keys = self.keys();
        let search = search.filter(|s| !s.text.is_empty());
        let Some(search) = search else {
            let start = i64::try_from(page.offset).unwrap_or(i64::MAX);
            let stop = start.saturating_add(i64::try_from(page.limit).unwrap_or(i64::MAX) - 1);
            let rows: Vec<String> = self
                .script(
                    scripts::LIST_USERS
                        .key(keys.users())
                        .arg(keys.accounts())
                        .arg(start)
                        .arg(stop),
                )
                .await?;
            return rows.iter().map(|j| from_json(j)).collect();
        };
        if !search.profile_fields.is_empty() {
            let mut found = OnePage::new(page);
            self.search_records(search, |user| found.offer(user))
                .await?;
            return Ok(found.kept);
        }
        let mut found = OnePage::new(page);
        self.search_users(&search.text.to_lowercase(), |id| found.offer(id))
            .await?;
        let ids = found.kept;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<String> = self
            .script(
                scripts::USERS_BY_IDS
                    .key(keys.users())
                    .arg(keys.accounts())
                    .arg(&ids),
            )
            .await?;
        rows.iter().map(|j| from_json(j)).collect()
    }

    async fn count_users(&self, search: Option<&UserSearch<'_>>) -> Result<u64> {
        let Some(search) = search.filter(|s| !s.text.is_empty()) else {
            return self
                .query(redis::cmd("ZCARD").arg(self.keys().users()))
                .await;
        };
        let mut count = 0u64;
        if search.profile_fields.is_empty() {
            self.search_users(&search.text.to_lowercase(), |_| {
                count += 1;
                true
            })
            .await?;
        } else {
            self.search_records(search, |_| {
                count += 1;
                true
            })
            .await?;
        }
        Ok(count)
    }
}

/// The matches of a walk that fall on one page: the first `offset` are skipped, then up
/// to `limit` are kept.
struct OnePage<T> {
    page: Page,
    skipped: u64,
    kept: Vec<T>,
}

impl<T> OnePage<T> {
    fn new(page: Page) -> Self {
        Self {
            page,
            skipped: 0,
            kept: Vec::new(),
        }
    }

    /// Takes one match; whether the walk should go on (the page is not full yet).
    fn offer(&mut self, item: T) -> bool {
        if self.skipped < self.page.offset {
            self.skipped += 1;
        } else {
            self.kept.push(item);
        }
        (self.kept.len() as u64) < self.page.limit
    }
}
