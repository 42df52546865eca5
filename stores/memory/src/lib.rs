//! # auth-store-memory
//!
//! An in-memory implementation of every `auth-core` store trait: [`UserStore`],
//! [`SessionStore`], [`SessionUserStore`], [`CounterStore`], [`MailOutbox`] and
//! [`AuditSink`]. For tests, demos and single-process applications that can afford to
//! lose everything on restart.
//!
//! [`MemoryStore`] is cheap to clone (an [`Arc`] inside): clones share the same data. It
//! keeps every contract of the traits, including the concurrent ones (atomic uniqueness
//! of email and username, compare-and-swap updates, atomic counters, exclusive outbox
//! claims), and passes the `auth-core` conformance kit (`tests/conformance.rs`).
//!
//! # Quick start
//!
//! ```
//! use auth_core::{UserStore, SessionStore, CounterStore, Page};
//! use auth_store_memory::MemoryStore;
//! use time::{Duration, OffsetDateTime};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> auth_core::Result<()> {
//! let store = MemoryStore::new();
//!
//! // Hand it to the engine as every store it needs (each is an `Arc<dyn ...>`):
//! let users: std::sync::Arc<dyn UserStore> = store.shared();
//! let sessions: std::sync::Arc<dyn SessionStore> = store.shared();
//!
//! // Or use it directly.
//! let now = OffsetDateTime::now_utc();
//! let hits = store.increment("login:ip:192.0.2.1", Duration::minutes(1), now).await?;
//! assert_eq!(hits.count, 1);
//! assert_eq!(users.count_users(None).await?, 0);
//! # let _ = sessions;
//! # Ok(())
//! # }
//! ```
//!
//! # Design
//!
//! Each concern has its own lock (users, sessions, counters, outbox, audit), held only
//! for the few instructions of one call and never across an `.await`. Secondary indexes
//! (email → id, username → id, creation order, user → session digests) live under the
//! same lock as the records they index, so every call sees and leaves them consistent.
//! The only call taking two locks is [`UserStore::delete_user`] (it also deletes the
//! user's sessions, in the same step); [`SessionUserStore::session_with_user`] takes them
//! one after the other. Locks are always taken in the order users → sessions.
//!
//! A panic while a lock is held cannot leave a record half-written (every call checks
//! before it changes anything), so a poisoned lock is simply taken over.
//!
//! Expired sessions and counters are not dropped on their own: the engine's maintenance
//! task calls the `purge_expired_*` methods. The audit trail grows without bound.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use auth_core::{
    AuditEvent, AuditSink, Counter, CounterStore, Error, MailOutbox, OutboxMessage, Page, Result,
    SessionDigest, SessionRecord, SessionStore, SessionUserStore, UniqueField, User, UserId,
    UserStore,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Every `auth-core` store, in memory. Clones share the same data.
#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    users: RwLock<Users>,
    sessions: RwLock<Sessions>,
    counters: Mutex<HashMap<String, Counter>>,
    outbox: Mutex<HashMap<Uuid, OutboxMessage>>,
    audit: Mutex<Audit>,
}

/// Users and their unique indexes.
#[derive(Default)]
struct Users {
    by_id: HashMap<UserId, User>,
    by_email: HashMap<String, UserId>,
    by_username: HashMap<String, UserId>,
    /// Creation order, for listing.
    by_created: BTreeSet<(OffsetDateTime, UserId)>,
}

/// Sessions and the per-user index.
#[derive(Default)]
struct Sessions {
    by_digest: HashMap<SessionDigest, SessionRecord>,
    by_user: HashMap<UserId, HashSet<SessionDigest>>,
}

/// Audit events, by user, each list oldest first.
#[derive(Default)]
struct Audit {
    by_user: HashMap<UserId, Vec<AuditEvent>>,
    /// Events about no particular user.
    other: Vec<AuditEvent>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("users", &read(&self.inner.users).by_id.len())
            .field("sessions", &read(&self.inner.sessions).by_digest.len())
            .field("counters", &lock(&self.inner.counters).len())
            .field("outbox", &lock(&self.inner.outbox).len())
            .finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// This store behind an `Arc`, to hand to the engine as any of the store traits
    /// (`Arc<dyn UserStore>`, `Arc<dyn SessionStore>`, ...). The `Arc` shares the data
    /// with `self`.
    pub fn shared(&self) -> Arc<Self> {
        Arc::new(self.clone())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

/// Case-insensitive substring match on email or username, as `list_users` specifies.
fn matches(user: &User, needle: Option<&str>) -> bool {
    match needle {
        None => true,
        Some(needle) => {
            user.email.to_lowercase().contains(needle)
                || user
                    .username
                    .as_deref()
                    .is_some_and(|name| name.to_lowercase().contains(needle))
        }
    }
}

impl Users {
    /// Fails with `Conflict` if `user`'s email or username belongs to another user.
    fn check_unique(&self, user: &User) -> Result<()> {
        if self
            .by_email
            .get(&user.email)
            .is_some_and(|id| *id != user.id)
        {
            return Err(Error::Conflict {
                field: UniqueField::Email,
            });
        }
        if let Some(name) = &user.username
            && self.by_username.get(name).is_some_and(|id| *id != user.id)
        {
            return Err(Error::Conflict {
                field: UniqueField::Username,
            });
        }
        Ok(())
    }

    fn index(&mut self, user: &User) {
        self.by_email.insert(user.email.clone(), user.id);
        if let Some(name) = &user.username {
            self.by_username.insert(name.clone(), user.id);
        }
        self.by_created.insert((user.created_at, user.id));
    }

    fn unindex(&mut self, user: &User) {
        self.by_email.remove(&user.email);
        if let Some(name) = &user.username {
            self.by_username.remove(name);
        }
        self.by_created.remove(&(user.created_at, user.id));
    }

    fn lookup(&self, id: Option<&UserId>) -> Option<User> {
        id.and_then(|id| self.by_id.get(id)).cloned()
    }
}

impl Sessions {
    fn remove(&mut self, digest: &SessionDigest) -> Option<SessionRecord> {
        let session = self.by_digest.remove(digest)?;
        if let Some(digests) = self.by_user.get_mut(&session.user_id) {
            digests.remove(digest);
            if digests.is_empty() {
                self.by_user.remove(&session.user_id);
            }
        }
        Some(session)
    }

    /// Removes every session of `user_id` but `keep`; returns how many.
    fn remove_for_user(&mut self, user_id: UserId, keep: Option<&SessionDigest>) -> u64 {
        let Some(digests) = self.by_user.remove(&user_id) else {
            return 0;
        };
        let mut removed = 0;
        for digest in digests {
            if Some(&digest) == keep {
                self.by_user.entry(user_id).or_default().insert(digest);
            } else if self.by_digest.remove(&digest).is_some() {
                removed += 1;
            }
        }
        removed
    }
}

#[async_trait]
impl UserStore for MemoryStore {
    async fn create_user(&self, user: &User) -> Result<()> {
        let mut users = write(&self.inner.users);
        users.check_unique(user)?;
        if users.by_id.contains_key(&user.id) {
            return Err(Error::backend(format!("a user with id {} exists", user.id)));
        }
        users.index(user);
        users.by_id.insert(user.id, user.clone());
        Ok(())
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        Ok(read(&self.inner.users).by_id.get(&id).cloned())
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let users = read(&self.inner.users);
        Ok(users.lookup(users.by_email.get(email)))
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let users = read(&self.inner.users);
        Ok(users.lookup(users.by_username.get(username)))
    }

    async fn update_user(&self, user: &User) -> Result<()> {
        let mut users = write(&self.inner.users);
        let Some(stored) = users.by_id.get(&user.id) else {
            return Err(Error::StaleVersion);
        };
        if stored.version != user.version {
            return Err(Error::StaleVersion);
        }
        users.check_unique(user)?;
        let Some(old) = users.by_id.remove(&user.id) else {
            return Err(Error::StaleVersion);
        };
        users.unindex(&old);
        let mut new = user.clone();
        new.version = user.version + 1;
        users.index(&new);
        users.by_id.insert(new.id, new);
        Ok(())
    }

    async fn delete_user(&self, id: UserId, expected_version: u64) -> Result<()> {
        // Lock order: users, then sessions. The user and their sessions go in one step.
        let mut users = write(&self.inner.users);
        match users.by_id.get(&id) {
            Some(stored) if stored.version == expected_version => {}
            _ => return Err(Error::StaleVersion),
        }
        let mut sessions = write(&self.inner.sessions);
        sessions.remove_for_user(id, None);
        if let Some(old) = users.by_id.remove(&id) {
            users.unindex(&old);
        }
        Ok(())
    }

    async fn list_users(&self, search: Option<&str>, page: Page) -> Result<Vec<User>> {
        let needle = search.map(str::to_lowercase);
        let users = read(&self.inner.users);
        let offset = usize::try_from(page.offset).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        Ok(users
            .by_created
            .iter()
            .filter_map(|(_, id)| users.by_id.get(id))
            .filter(|user| matches(user, needle.as_deref()))
            .skip(offset)
            .take(limit)
            .cloned()
            .collect())
    }

    async fn count_users(&self, search: Option<&str>) -> Result<u64> {
        let needle = search.map(str::to_lowercase);
        let users = read(&self.inner.users);
        let count = users
            .by_id
            .values()
            .filter(|user| matches(user, needle.as_deref()))
            .count();
        Ok(count as u64)
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn create_session(&self, session: &SessionRecord) -> Result<()> {
        let mut sessions = write(&self.inner.sessions);
        if sessions.by_digest.contains_key(&session.digest) {
            // A 256-bit collision: never overwrite. `Conflict` is the contract's error;
            // no user field collided, so `Email` is only nominal.
            return Err(Error::Conflict {
                field: UniqueField::Email,
            });
        }
        sessions
            .by_user
            .entry(session.user_id)
            .or_default()
            .insert(session.digest);
        sessions.by_digest.insert(session.digest, session.clone());
        Ok(())
    }

    async fn session(&self, digest: &SessionDigest) -> Result<Option<SessionRecord>> {
        Ok(read(&self.inner.sessions).by_digest.get(digest).cloned())
    }

    async fn touch_session(
        &self,
        digest: &SessionDigest,
        last_seen_at: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> Result<()> {
        if let Some(session) = write(&self.inner.sessions).by_digest.get_mut(digest) {
            session.last_seen_at = last_seen_at;
            session.idle_expires_at = idle_expires_at;
        }
        Ok(())
    }

    async fn delete_session(&self, digest: &SessionDigest) -> Result<bool> {
        Ok(write(&self.inner.sessions).remove(digest).is_some())
    }

    async fn sessions_for_user(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<SessionRecord>> {
        let sessions = read(&self.inner.sessions);
        let mut live: Vec<SessionRecord> = sessions
            .by_user
            .get(&user_id)
            .into_iter()
            .flatten()
            .filter_map(|digest| sessions.by_digest.get(digest))
            .filter(|session| session.is_live(now))
            .cloned()
            .collect();
        // Newest first; the digest only makes the order of equal times deterministic.
        live.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then(a.digest.cmp(&b.digest))
        });
        Ok(live)
    }

    async fn delete_sessions_for_user(
        &self,
        user_id: UserId,
        keep: Option<&SessionDigest>,
    ) -> Result<u64> {
        Ok(write(&self.inner.sessions).remove_for_user(user_id, keep))
    }

    async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64> {
        let mut sessions = write(&self.inner.sessions);
        let dead: Vec<SessionDigest> = sessions
            .by_digest
            .values()
            .filter(|session| session.dies_at() <= now)
            .map(|session| session.digest)
            .collect();
        for digest in &dead {
            sessions.remove(digest);
        }
        Ok(dead.len() as u64)
    }
}

#[async_trait]
impl SessionUserStore for MemoryStore {
    async fn session_with_user(
        &self,
        digest: &SessionDigest,
    ) -> Result<Option<(SessionRecord, User)>> {
        // Lock order: users, then sessions (as in `delete_user`), so that the pair is
        // consistent: a user being deleted is seen either with or without its sessions.
        let users = read(&self.inner.users);
        let sessions = read(&self.inner.sessions);
        let Some(session) = sessions.by_digest.get(digest) else {
            return Ok(None);
        };
        Ok(users
            .by_id
            .get(&session.user_id)
            .map(|user| (session.clone(), user.clone())))
    }
}

#[async_trait]
impl CounterStore for MemoryStore {
    async fn increment(&self, key: &str, window: Duration, now: OffsetDateTime) -> Result<Counter> {
        let mut counters = lock(&self.inner.counters);
        let counter = counters.entry(key.to_owned()).or_insert(Counter {
            count: 0,
            expires_at: now,
        });
        if now >= counter.expires_at {
            // Absent or expired: a new window opens now.
            *counter = Counter {
                count: 0,
                expires_at: now + window,
            };
        }
        counter.count += 1;
        Ok(*counter)
    }

    async fn counter(&self, key: &str, now: OffsetDateTime) -> Result<Option<Counter>> {
        let counters = lock(&self.inner.counters);
        Ok(counters
            .get(key)
            .filter(|counter| now < counter.expires_at)
            .copied())
    }

    async fn reset_counter(&self, key: &str) -> Result<()> {
        lock(&self.inner.counters).remove(key);
        Ok(())
    }

    async fn purge_expired_counters(&self, now: OffsetDateTime) -> Result<u64> {
        let mut counters = lock(&self.inner.counters);
        let before = counters.len();
        counters.retain(|_, counter| now < counter.expires_at);
        Ok((before - counters.len()) as u64)
    }
}

#[async_trait]
impl MailOutbox for MemoryStore {
    async fn enqueue(&self, message: &OutboxMessage) -> Result<()> {
        let mut outbox = lock(&self.inner.outbox);
        if outbox.contains_key(&message.id) {
            return Err(Error::backend(format!(
                "an outbox message with id {} exists",
                message.id
            )));
        }
        outbox.insert(message.id, message.clone());
        Ok(())
    }

    async fn claim_due(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<OutboxMessage>> {
        let mut outbox = lock(&self.inner.outbox);
        let mut due: Vec<(OffsetDateTime, OffsetDateTime, Uuid)> = outbox
            .values()
            .filter(|message| message.next_attempt_at <= now)
            .map(|message| (message.next_attempt_at, message.created_at, message.id))
            .collect();
        due.sort_unstable();
        due.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let mut claimed = Vec::with_capacity(due.len());
        for (_, _, id) in due {
            if let Some(message) = outbox.get_mut(&id) {
                message.next_attempt_at = now + lease;
                claimed.push(message.clone());
            }
        }
        Ok(claimed)
    }

    async fn remove(&self, id: Uuid) -> Result<()> {
        lock(&self.inner.outbox).remove(&id);
        Ok(())
    }

    async fn reschedule(
        &self,
        id: Uuid,
        attempts: u32,
        next_attempt_at: OffsetDateTime,
        last_error: &str,
    ) -> Result<()> {
        if let Some(message) = lock(&self.inner.outbox).get_mut(&id) {
            message.attempts = attempts;
            message.next_attempt_at = next_attempt_at;
            message.last_error = Some(last_error.to_owned());
        }
        Ok(())
    }

    async fn pending_count(&self) -> Result<u64> {
        Ok(lock(&self.inner.outbox).len() as u64)
    }
}

#[async_trait]
impl AuditSink for MemoryStore {
    async fn record(&self, event: &AuditEvent) -> Result<()> {
        let mut audit = lock(&self.inner.audit);
        let list = match event.user_id {
            Some(user_id) => audit.by_user.entry(user_id).or_default(),
            None => &mut audit.other,
        };
        // Keep each list sorted by (time, id); events mostly arrive in order, so this is
        // usually a push.
        let at = list.partition_point(|e| (e.at, e.id) <= (event.at, event.id));
        list.insert(at, event.clone());
        Ok(())
    }

    async fn events_for_user(&self, user_id: UserId, limit: u32) -> Result<Vec<AuditEvent>> {
        let audit = lock(&self.inner.audit);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        Ok(audit
            .by_user
            .get(&user_id)
            .map(|events| events.iter().rev().take(limit).cloned().collect())
            .unwrap_or_default())
    }
}
