//! # auth-store-memory
//!
//! An in-memory implementation of every `auth-core` store trait: [`UserStore`],
//! [`SessionStore`], [`SessionUserStore`], [`ApiKeyStore`], [`PasskeyStore`],
//! [`CounterStore`], [`EphemeralStore`], [`MailOutbox`] and [`AuditSink`], and
//! [`PictureStore`] for uploaded profile pictures and [`IdentityStore`] for identities
//! linked at other providers (hand it to the builder's `pictures` and `identities` as
//! well: they are not part of `store`; likewise the [`PasskeyStore`], to `passkeys`).
//! For tests, demos and single-process applications that can afford to lose everything
//! on restart.
//!
//! [`MemoryStore`] is cheap to clone (an [`Arc`] inside): clones share the same data. It
//! keeps every contract of the traits, including the concurrent ones (atomic uniqueness
//! of email and username, compare-and-swap updates, atomic counters, exclusive outbox
//! claims), and passes the `auth-core` conformance kit (`tests/conformance.rs`).
//!
//! # Quick start
//!
//! One `Arc<MemoryStore>` is every store the engine needs:
//!
//! ```
//! use std::sync::Arc;
//! use auth_core::{Auth, CapturingMailer, Config, CounterStore, HashParams, UserStore};
//! use auth_store_memory::MemoryStore;
//! use time::{Duration, OffsetDateTime};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> auth_core::Result<()> {
//! let store = Arc::new(MemoryStore::new());
//! let config = Config::builder()
//!     .app_name("Example")
//!     .base_url("https://example.com")
//!     .signing_key("2026-11", b"a secret of at least thirty-two bytes!".to_vec())
//! #   .hash_params(HashParams::insecure_fast_for_tests())
//!     .build()?;
//! let auth = Auth::builder(config)
//!     .store(store.clone()) // users, sessions, counters, outbox and audit
//!     .mailer(Arc::new(CapturingMailer::new()))
//!     .build()?;
//! # let _ = auth;
//!
//! // Tests can look into the same store directly.
//! assert_eq!(store.count_users(None).await?, 0);
//! let hits = store
//!     .increment("login:ip:192.0.2.1", Duration::minutes(1), OffsetDateTime::now_utc())
//!     .await?;
//! assert_eq!(hits.count, 1);
//! # Ok(())
//! # }
//! ```
//!
//! Clones of a `MemoryStore` share its data; [`MemoryStore::shared`] is a shorthand for
//! `Arc::new(store.clone())`.
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

// The README's example, compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use auth_core::{
    ApiKeyDigest, ApiKeyRecord, ApiKeyStore, AuditEvent, AuditSink, AuthMethod, Counter,
    CounterStore, DeliveryState, EphemeralStore, Error, FailedMail, Identity, IdentityStore,
    MailOutbox, OutboxMessage, Page, PasskeyCredential, PasskeyStore, PasskeyUse, Picture,
    PictureStore, Result, SessionDigest, SessionRecord, SessionStore, SessionUserStore,
    UniqueField, User, UserId, UserSearch, UserStore, WebhookDelivery,
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
    api_keys: RwLock<HashMap<ApiKeyDigest, ApiKeyRecord>>,
    /// Passkeys by credential id.
    passkeys: RwLock<HashMap<String, PasskeyCredential>>,
    counters: Mutex<HashMap<String, Counter>>,
    /// Ephemeral entries: value and expiry.
    ephemeral: Mutex<HashMap<String, (Vec<u8>, OffsetDateTime)>>,
    outbox: Mutex<HashMap<Uuid, Queued>>,
    audit: Mutex<Audit>,
    pictures: Mutex<HashMap<UserId, Picture>>,
    /// Linked identities by provider and subject, with their sealed provider tokens.
    identities: Mutex<HashMap<(String, String), IdentityEntry>>,
    /// The ways-in version of each account that lost a way in (absent: 0). Held while a
    /// passkey or identity is removed at a version, so the check, the removal and the
    /// bump are one step.
    ways_in: Mutex<HashMap<UserId, u64>>,
    /// Raised whenever a user, session or picture is written
    /// ([`SessionUserStore::revision`]): taken with the write lock, so no reader sees
    /// the change under the old value. Shared with the engine, which reads it
    /// directly ([`SessionUserStore::revision_counter`]).
    revision: Arc<AtomicU64>,
}

/// An outbox message and, once the engine gave up on it or (a webhook call) delivered
/// it, when.
struct Queued {
    message: OutboxMessage,
    failed_at: Option<OffsetDateTime>,
    delivered_at: Option<OffsetDateTime>,
}

impl Queued {
    /// Neither failed nor delivered.
    fn is_queued(&self) -> bool {
        self.failed_at.is_none() && self.delivered_at.is_none()
    }

    fn failed(&self) -> Option<FailedMail> {
        let m = &self.message;
        let email = m.email()?;
        self.failed_at.map(|failed_at| FailedMail {
            id: m.id,
            to: email.to.clone(),
            kind: email.kind,
            attempts: m.attempts,
            created_at: m.created_at,
            failed_at,
            last_error: m.last_error.clone().unwrap_or_default(),
        })
    }

    fn webhook(&self) -> Option<WebhookDelivery> {
        let m = &self.message;
        let call = m.webhook()?;
        let (state, finished_at) = match (self.failed_at, self.delivered_at) {
            (Some(at), _) => (DeliveryState::Failed, Some(at)),
            (None, Some(at)) => (DeliveryState::Delivered, Some(at)),
            (None, None) => (DeliveryState::Pending, None),
        };
        Some(WebhookDelivery {
            id: m.id,
            url: call.url.clone(),
            event_type: call.event_type.clone(),
            state,
            attempts: m.attempts,
            created_at: m.created_at,
            next_attempt_at: (state == DeliveryState::Pending).then_some(m.next_attempt_at),
            finished_at,
            last_outcome: m.last_error.clone(),
        })
    }
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
    by_digest: HashMap<SessionDigest, SessionRecord, DigestHash>,
    by_user: HashMap<UserId, HashSet<SessionDigest>>,
}

/// Hashes a [`SessionDigest`] by taking eight of its bytes: it is already a SHA-256
/// output, uniformly spread, so SipHash over it (on every authenticated request) buys
/// nothing. Flooding one bucket is out of reach too: only ids the engine generated at
/// random are ever inserted; a client's made-up ids are only looked up.
#[derive(Clone, Copy, Default)]
struct DigestHash;

impl std::hash::BuildHasher for DigestHash {
    type Hasher = DigestHasher;

    fn build_hasher(&self) -> DigestHasher {
        DigestHasher(0)
    }
}

/// The hasher of [`DigestHash`]: the first eight bytes of the digest (other writes, such
/// as the array's length prefix, are mixed in but carry no information).
struct DigestHasher(u64);

impl std::hash::Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        match bytes.first_chunk::<8>() {
            Some(first) => self.0 ^= u64::from_le_bytes(*first),
            None => {
                for &b in bytes {
                    self.0 = self.0.rotate_left(8) ^ u64::from(b);
                }
            }
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
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
            .field("ephemeral", &lock(&self.inner.ephemeral).len())
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
    /// with `self`. Each call makes a new `Arc`: give the builder's `store` and
    /// `pictures` clones of one, so that the engine sees they are the same store and
    /// keeps picture versions with session lookups (see `AuthBuilder::pictures`).
    pub fn shared(&self) -> Arc<Self> {
        Arc::new(self.clone())
    }

    /// The users, to write: raises the revision once the lock is held.
    fn write_users(&self) -> RwLockWriteGuard<'_, Users> {
        let users = write(&self.inner.users);
        self.inner.revision.fetch_add(1, Ordering::SeqCst);
        users
    }

    /// The sessions, to write: raises the revision once the lock is held.
    fn write_sessions(&self) -> RwLockWriteGuard<'_, Sessions> {
        let sessions = write(&self.inner.sessions);
        self.inner.revision.fetch_add(1, Ordering::SeqCst);
        sessions
    }

    /// The pictures, to write: raises the revision once the lock is held (the engine
    /// keeps picture versions with session lookups when this store is its picture
    /// store too).
    fn write_pictures(&self) -> MutexGuard<'_, HashMap<UserId, Picture>> {
        let pictures = lock(&self.inner.pictures);
        self.inner.revision.fetch_add(1, Ordering::SeqCst);
        pictures
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
        let mut users = self.write_users();
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
        let mut users = self.write_users();
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
        let mut users = self.write_users();
        match users.by_id.get(&id) {
            Some(stored) if stored.version == expected_version => {}
            _ => return Err(Error::StaleVersion),
        }
        let mut sessions = self.write_sessions();
        sessions.remove_for_user(id, None);
        write(&self.inner.api_keys).retain(|_, k| k.user_id != id);
        write(&self.inner.passkeys).retain(|_, p| p.user_id != id);
        lock(&self.inner.ways_in).remove(&id);
        if let Some(old) = users.by_id.remove(&id) {
            users.unindex(&old);
        }
        Ok(())
    }

    async fn list_users(&self, search: Option<&UserSearch<'_>>, page: Page) -> Result<Vec<User>> {
        let users = read(&self.inner.users);
        let offset = usize::try_from(page.offset).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        Ok(users
            .by_created
            .iter()
            .filter_map(|(_, id)| users.by_id.get(id))
            .filter(|user| search.is_none_or(|s| s.matches(user)))
            .skip(offset)
            .take(limit)
            .cloned()
            .collect())
    }

    async fn count_users(&self, search: Option<&UserSearch<'_>>) -> Result<u64> {
        let users = read(&self.inner.users);
        let count = users
            .by_id
            .values()
            .filter(|user| search.is_none_or(|s| s.matches(user)))
            .count();
        Ok(count as u64)
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn create_session(&self, session: &SessionRecord) -> Result<()> {
        let mut sessions = self.write_sessions();
        if sessions.by_digest.contains_key(&session.digest) {
            // A 256-bit collision: never overwrite.
            return Err(Error::Conflict {
                field: UniqueField::SessionDigest,
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
        if let Some(session) = self.write_sessions().by_digest.get_mut(digest) {
            session.last_seen_at = last_seen_at;
            session.idle_expires_at = idle_expires_at;
        }
        Ok(())
    }

    async fn record_session_proof(
        &self,
        digest: &SessionDigest,
        amr: &[AuthMethod],
        proved_at: OffsetDateTime,
    ) -> Result<bool> {
        let mut sessions = self.write_sessions();
        let Some(session) = sessions.by_digest.get_mut(digest) else {
            return Ok(false);
        };
        session.amr = amr.to_vec();
        session.proved_at = proved_at;
        Ok(true)
    }

    async fn delete_session(&self, digest: &SessionDigest) -> Result<bool> {
        Ok(self.write_sessions().remove(digest).is_some())
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
        Ok(self.write_sessions().remove_for_user(user_id, keep))
    }

    async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64> {
        let mut sessions = self.write_sessions();
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
impl ApiKeyStore for MemoryStore {
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<()> {
        let mut keys = write(&self.inner.api_keys);
        if keys.contains_key(&key.digest) || keys.values().any(|k| k.id == key.id) {
            return Err(Error::Conflict {
                field: UniqueField::ApiKey,
            });
        }
        keys.insert(key.digest, key.clone());
        Ok(())
    }

    async fn api_key(&self, digest: &ApiKeyDigest) -> Result<Option<ApiKeyRecord>> {
        Ok(read(&self.inner.api_keys).get(digest).cloned())
    }

    async fn api_keys_for_user(&self, user_id: UserId) -> Result<Vec<ApiKeyRecord>> {
        let mut keys: Vec<ApiKeyRecord> = read(&self.inner.api_keys)
            .values()
            .filter(|k| k.user_id == user_id)
            .cloned()
            .collect();
        keys.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        Ok(keys)
    }

    async fn touch_api_key(
        &self,
        digest: &ApiKeyDigest,
        at: OffsetDateTime,
        ip: Option<&str>,
    ) -> Result<()> {
        if let Some(key) = write(&self.inner.api_keys).get_mut(digest) {
            key.last_used_at = Some(at);
            key.last_used_ip = ip.map(str::to_owned);
        }
        Ok(())
    }

    async fn delete_api_key(&self, user_id: UserId, id: &str) -> Result<bool> {
        let mut keys = write(&self.inner.api_keys);
        let before = keys.len();
        keys.retain(|_, k| !(k.user_id == user_id && k.id == id));
        Ok(keys.len() < before)
    }

    async fn delete_api_keys_for_user(&self, user_id: UserId) -> Result<u64> {
        let mut keys = write(&self.inner.api_keys);
        let before = keys.len();
        keys.retain(|_, k| k.user_id != user_id);
        Ok((before - keys.len()) as u64)
    }
}

impl MemoryStore {
    fn current_ways_in_version(&self, user_id: UserId) -> u64 {
        lock(&self.inner.ways_in)
            .get(&user_id)
            .copied()
            .unwrap_or(0)
    }

    /// Runs `remove` (which says whether it removed something) under the ways-in lock if
    /// the account's version is `expected`, and bumps the version when it removed.
    fn remove_way_in_at(
        &self,
        user_id: UserId,
        expected: u64,
        remove: impl FnOnce() -> bool,
    ) -> Result<bool> {
        let mut versions = lock(&self.inner.ways_in);
        let current = versions.get(&user_id).copied().unwrap_or(0);
        if current != expected {
            return Err(Error::StaleVersion);
        }
        let removed = remove();
        if removed {
            versions.insert(user_id, current + 1);
        }
        Ok(removed)
    }
}

#[async_trait]
impl PasskeyStore for MemoryStore {
    async fn create_passkey(&self, passkey: &PasskeyCredential) -> Result<()> {
        let mut passkeys = write(&self.inner.passkeys);
        if passkeys.contains_key(&passkey.id) {
            return Err(Error::Conflict {
                field: UniqueField::Passkey,
            });
        }
        passkeys.insert(passkey.id.clone(), passkey.clone());
        Ok(())
    }

    async fn passkey(&self, id: &str) -> Result<Option<PasskeyCredential>> {
        Ok(read(&self.inner.passkeys).get(id).cloned())
    }

    async fn passkeys_for_user(&self, user_id: UserId) -> Result<Vec<PasskeyCredential>> {
        let mut passkeys: Vec<PasskeyCredential> = read(&self.inner.passkeys)
            .values()
            .filter(|p| p.user_id == user_id)
            .cloned()
            .collect();
        passkeys.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(passkeys)
    }

    async fn record_passkey_use(&self, id: &str, used: &PasskeyUse) -> Result<bool> {
        let mut passkeys = write(&self.inner.passkeys);
        let Some(passkey) = passkeys.get_mut(id) else {
            return Ok(false);
        };
        passkey.passkey.clone_from(&used.passkey);
        passkey.sign_count = used.sign_count;
        passkey.backup_eligible = used.backup_eligible;
        passkey.backup_state = used.backup_state;
        passkey.last_used_at = Some(used.at);
        Ok(true)
    }

    async fn rename_passkey(&self, user_id: UserId, id: &str, name: &str) -> Result<bool> {
        let mut passkeys = write(&self.inner.passkeys);
        match passkeys.get_mut(id).filter(|p| p.user_id == user_id) {
            Some(passkey) => {
                name.clone_into(&mut passkey.name);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn delete_passkey(&self, user_id: UserId, id: &str) -> Result<bool> {
        let mut passkeys = write(&self.inner.passkeys);
        if passkeys.get(id).is_some_and(|p| p.user_id == user_id) {
            passkeys.remove(id);
            return Ok(true);
        }
        Ok(false)
    }

    async fn ways_in_version(&self, user_id: UserId) -> Result<u64> {
        Ok(self.current_ways_in_version(user_id))
    }

    async fn delete_passkey_at(
        &self,
        user_id: UserId,
        id: &str,
        ways_in_version: u64,
    ) -> Result<bool> {
        self.remove_way_in_at(user_id, ways_in_version, || {
            let mut passkeys = write(&self.inner.passkeys);
            passkeys.get(id).is_some_and(|p| p.user_id == user_id) && passkeys.remove(id).is_some()
        })
    }

    async fn delete_passkeys_for_user(&self, user_id: UserId) -> Result<u64> {
        let mut passkeys = write(&self.inner.passkeys);
        let before = passkeys.len();
        passkeys.retain(|_, p| p.user_id != user_id);
        Ok((before - passkeys.len()) as u64)
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

    /// Raised by every write of a user or a session, under its lock.
    async fn revision(&self) -> Result<Option<u64>> {
        Ok(Some(self.inner.revision.load(Ordering::SeqCst)))
    }

    fn revision_counter(&self) -> Option<Arc<AtomicU64>> {
        Some(Arc::clone(&self.inner.revision))
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
impl EphemeralStore for MemoryStore {
    async fn insert(
        &self,
        key: &str,
        value: &[u8],
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut entries = lock(&self.inner.ephemeral);
        if entries.get(key).is_some_and(|(_, ends)| now < *ends) {
            return Ok(false);
        }
        entries.insert(key.to_owned(), (value.to_vec(), expires_at));
        Ok(true)
    }

    async fn take(&self, key: &str, now: OffsetDateTime) -> Result<Option<Vec<u8>>> {
        let entry = lock(&self.inner.ephemeral).remove(key);
        Ok(entry.and_then(|(value, ends)| (now < ends).then_some(value)))
    }

    async fn purge_expired_ephemeral(&self, now: OffsetDateTime) -> Result<u64> {
        let mut entries = lock(&self.inner.ephemeral);
        let before = entries.len();
        entries.retain(|_, (_, ends)| now < *ends);
        Ok((before - entries.len()) as u64)
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
        outbox.insert(
            message.id,
            Queued {
                message: message.clone(),
                failed_at: None,
                delivered_at: None,
            },
        );
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
            .filter(|q| q.is_queued() && q.message.next_attempt_at <= now)
            .map(|q| {
                (
                    q.message.next_attempt_at,
                    q.message.created_at,
                    q.message.id,
                )
            })
            .collect();
        due.sort_unstable();
        due.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let mut claimed = Vec::with_capacity(due.len());
        for (_, _, id) in due {
            if let Some(q) = outbox.get_mut(&id) {
                q.message.next_attempt_at = now + lease;
                claimed.push(q.message.clone());
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
        if let Some(q) = lock(&self.inner.outbox).get_mut(&id)
            && q.is_queued()
        {
            q.message.attempts = attempts;
            q.message.next_attempt_at = next_attempt_at;
            q.message.last_error = Some(last_error.to_owned());
        }
        Ok(())
    }

    async fn pending_count(&self) -> Result<u64> {
        let outbox = lock(&self.inner.outbox);
        Ok(outbox.values().filter(|q| q.is_queued()).count() as u64)
    }

    async fn mark_failed(
        &self,
        id: Uuid,
        attempts: u32,
        failed_at: OffsetDateTime,
        last_error: &str,
    ) -> Result<()> {
        if let Some(q) = lock(&self.inner.outbox).get_mut(&id) {
            q.message.attempts = attempts;
            q.message.last_error = Some(last_error.to_owned());
            q.failed_at = Some(failed_at);
        }
        Ok(())
    }

    async fn failed_messages(&self, page: Page) -> Result<Vec<FailedMail>> {
        let outbox = lock(&self.inner.outbox);
        let mut failed: Vec<FailedMail> = outbox.values().filter_map(Queued::failed).collect();
        failed.sort_unstable_by_key(|m| std::cmp::Reverse((m.failed_at, m.id)));
        Ok(failed
            .into_iter()
            .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(page.limit).unwrap_or(usize::MAX))
            .collect())
    }

    async fn failed_count(&self) -> Result<u64> {
        let outbox = lock(&self.inner.outbox);
        Ok(outbox.values().filter_map(Queued::failed).count() as u64)
    }

    async fn mark_delivered(
        &self,
        id: Uuid,
        attempts: u32,
        delivered_at: OffsetDateTime,
        outcome: &str,
    ) -> Result<()> {
        if let Some(q) = lock(&self.inner.outbox).get_mut(&id) {
            q.message.attempts = attempts;
            q.message.last_error = Some(outcome.to_owned());
            q.failed_at = None;
            q.delivered_at = Some(delivered_at);
        }
        Ok(())
    }

    async fn webhook_deliveries(&self, page: Page) -> Result<Vec<WebhookDelivery>> {
        let outbox = lock(&self.inner.outbox);
        let mut calls: Vec<WebhookDelivery> = outbox.values().filter_map(Queued::webhook).collect();
        calls.sort_unstable_by_key(|d| std::cmp::Reverse((d.created_at, d.id)));
        Ok(calls
            .into_iter()
            .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(page.limit).unwrap_or(usize::MAX))
            .collect())
    }

    async fn webhook_delivery(&self, id: Uuid) -> Result<Option<WebhookDelivery>> {
        Ok(lock(&self.inner.outbox).get(&id).and_then(Queued::webhook))
    }

    async fn webhook_delivery_count(&self) -> Result<u64> {
        let outbox = lock(&self.inner.outbox);
        Ok(outbox
            .values()
            .filter(|q| q.message.webhook().is_some())
            .count() as u64)
    }

    async fn purge_delivered(&self, before: OffsetDateTime) -> Result<u64> {
        let mut outbox = lock(&self.inner.outbox);
        let count = outbox.len();
        outbox.retain(|_, q| q.delivered_at.is_none_or(|at| at > before));
        Ok((count - outbox.len()) as u64)
    }

    async fn discard_failed(&self, id: Uuid) -> Result<bool> {
        let mut outbox = lock(&self.inner.outbox);
        if outbox.get(&id).is_some_and(|q| q.failed_at.is_some()) {
            outbox.remove(&id);
            return Ok(true);
        }
        Ok(false)
    }

    async fn retry_failed(&self, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        let mut outbox = lock(&self.inner.outbox);
        match outbox.get_mut(&id) {
            Some(q) if q.failed_at.is_some() => {
                q.failed_at = None;
                q.delivered_at = None;
                q.message.attempts = 0;
                q.message.created_at = now;
                q.message.next_attempt_at = now;
                Ok(true)
            }
            _ => Ok(false),
        }
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

/// A linked identity and its sealed provider tokens, if kept.
type IdentityEntry = (Identity, Option<String>);

/// One lock over every identity: linking checks and inserts in one step.
#[async_trait]
impl IdentityStore for MemoryStore {
    async fn link_identity(&self, identity: &Identity) -> Result<()> {
        let key = (identity.provider.clone(), identity.subject.clone());
        match lock(&self.inner.identities).entry(key) {
            std::collections::hash_map::Entry::Occupied(_) => Err(Error::Conflict {
                field: UniqueField::Identity,
            }),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert((identity.clone(), None));
                Ok(())
            }
        }
    }

    async fn identity(&self, provider: &str, subject: &str) -> Result<Option<Identity>> {
        let key = (provider.to_owned(), subject.to_owned());
        Ok(lock(&self.inner.identities)
            .get(&key)
            .map(|(i, _)| i.clone()))
    }

    async fn identities_for_user(&self, user_id: UserId) -> Result<Vec<Identity>> {
        let mut found: Vec<Identity> = lock(&self.inner.identities)
            .values()
            .filter(|(i, _)| i.user_id == user_id)
            .map(|(i, _)| i.clone())
            .collect();
        found.sort_by(|a, b| {
            (a.linked_at, &a.provider, &a.subject).cmp(&(b.linked_at, &b.provider, &b.subject))
        });
        Ok(found)
    }

    async fn touch_identity(&self, identity: &Identity) -> Result<()> {
        let key = (identity.provider.clone(), identity.subject.clone());
        if let Some((stored, _)) = lock(&self.inner.identities)
            .get_mut(&key)
            .filter(|(i, _)| i.user_id == identity.user_id)
        {
            stored.email.clone_from(&identity.email);
            stored.email_verified = identity.email_verified;
            stored.last_used_at = identity.last_used_at;
        }
        Ok(())
    }

    async fn unlink_identity(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
    ) -> Result<bool> {
        let key = (provider.to_owned(), subject.to_owned());
        let mut identities = lock(&self.inner.identities);
        if identities
            .get(&key)
            .is_some_and(|(i, _)| i.user_id == user_id)
        {
            identities.remove(&key);
            return Ok(true);
        }
        Ok(false)
    }

    async fn ways_in_version(&self, user_id: UserId) -> Result<u64> {
        Ok(self.current_ways_in_version(user_id))
    }

    async fn unlink_identity_at(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
        ways_in_version: u64,
    ) -> Result<bool> {
        let key = (provider.to_owned(), subject.to_owned());
        self.remove_way_in_at(user_id, ways_in_version, || {
            let mut identities = lock(&self.inner.identities);
            identities
                .get(&key)
                .is_some_and(|(i, _)| i.user_id == user_id)
                && identities.remove(&key).is_some()
        })
    }

    async fn unlink_identities_for_user(&self, user_id: UserId) -> Result<u64> {
        let mut identities = lock(&self.inner.identities);
        let before = identities.len();
        identities.retain(|_, (i, _)| i.user_id != user_id);
        Ok(u64::try_from(before - identities.len()).unwrap_or(u64::MAX))
    }

    async fn keep_identity_tokens(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
        sealed: Option<&str>,
    ) -> Result<bool> {
        let key = (provider.to_owned(), subject.to_owned());
        match lock(&self.inner.identities)
            .get_mut(&key)
            .filter(|(i, _)| i.user_id == user_id)
        {
            Some((_, tokens)) => {
                *tokens = sealed.map(str::to_owned);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn identity_tokens(&self, provider: &str, subject: &str) -> Result<Option<String>> {
        let key = (provider.to_owned(), subject.to_owned());
        Ok(lock(&self.inner.identities)
            .get(&key)
            .and_then(|(_, tokens)| tokens.clone()))
    }
}

/// One lock over every picture: a put replaces the whole record at once.
#[async_trait]
impl PictureStore for MemoryStore {
    async fn put_picture(&self, picture: &Picture) -> Result<()> {
        self.write_pictures()
            .insert(picture.user_id, picture.clone());
        Ok(())
    }

    async fn picture(&self, user_id: UserId) -> Result<Option<Picture>> {
        Ok(lock(&self.inner.pictures).get(&user_id).cloned())
    }

    async fn picture_version(&self, user_id: UserId) -> Result<Option<String>> {
        Ok(lock(&self.inner.pictures)
            .get(&user_id)
            .map(|p| p.version.clone()))
    }

    async fn delete_picture(&self, user_id: UserId) -> Result<bool> {
        Ok(self.write_pictures().remove(&user_id).is_some())
    }
}

#[cfg(test)]
mod tests {
    use auth_core::{AuditKind, Delivery, Email, MailKind, SessionToken};

    use super::*;

    fn user(email: &str, username: Option<&str>, created_at: OffsetDateTime) -> User {
        User {
            email: email.to_owned(),
            username: username.map(str::to_owned),
            ..auth_core::conformance::sample_user(created_at)
        }
    }

    fn session(user_id: UserId, now: OffsetDateTime) -> SessionRecord {
        SessionRecord {
            digest: SessionToken::generate().digest(),
            user_id,
            created_at: now,
            last_seen_at: now,
            expires_at: now + Duration::days(1),
            idle_expires_at: now + Duration::hours(1),
            remember: false,
            user_agent: None,
            ip: None,
            amr: vec![auth_core::AuthMethod::Pwd],
            auth_time: now,
            proved_at: now,
        }
    }

    #[tokio::test]
    async fn clones_share_the_data() {
        let store = MemoryStore::new();
        let clone = store.clone();
        let shared = store.shared();
        let alice = user("alice@example.test", None, OffsetDateTime::now_utc());
        clone.create_user(&alice).await.unwrap();
        assert_eq!(
            store.user_by_id(alice.id).await.unwrap(),
            Some(alice.clone())
        );
        assert_eq!(shared.count_users(None).await.unwrap(), 1);
        assert!(format!("{store:?}").contains("users: 1"));
    }

    #[tokio::test]
    async fn deleting_a_user_deletes_their_sessions_and_no_others() {
        let store = MemoryStore::new();
        let now = OffsetDateTime::now_utc();
        let alice = user("alice@example.test", Some("alice"), now);
        let bob = user("bob@example.test", Some("bob"), now);
        store.create_user(&alice).await.unwrap();
        store.create_user(&bob).await.unwrap();
        let a1 = session(alice.id, now);
        let a2 = session(alice.id, now);
        let b1 = session(bob.id, now);
        for s in [&a1, &a2, &b1] {
            store.create_session(s).await.unwrap();
        }

        store.delete_user(alice.id, 1).await.unwrap();

        assert_eq!(store.session(&a1.digest).await.unwrap(), None);
        assert_eq!(store.session(&a2.digest).await.unwrap(), None);
        assert_eq!(store.session_with_user(&a1.digest).await.unwrap(), None);
        assert_eq!(store.session(&b1.digest).await.unwrap(), Some(b1.clone()));
        let sessions = read(&store.inner.sessions);
        assert!(
            !sessions.by_user.contains_key(&alice.id),
            "stale index entry"
        );
        assert_eq!(sessions.by_digest.len(), 1);
    }

    #[tokio::test]
    async fn indexes_follow_purges_and_revocations() {
        let store = MemoryStore::new();
        let now = OffsetDateTime::now_utc();
        let owner = UserId::new();
        let keep = session(owner, now);
        let other = session(owner, now);
        store.create_session(&keep).await.unwrap();
        store.create_session(&other).await.unwrap();

        assert_eq!(
            store
                .delete_sessions_for_user(owner, Some(&keep.digest))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            read(&store.inner.sessions)
                .by_user
                .get(&owner)
                .map(HashSet::len),
            Some(1)
        );
        // Every session dies within the hour: a purge two hours on empties the index.
        assert_eq!(
            store
                .purge_expired_sessions(now + Duration::hours(2))
                .await
                .unwrap(),
            1
        );
        let sessions = read(&store.inner.sessions);
        assert!(sessions.by_digest.is_empty());
        assert!(sessions.by_user.is_empty(), "stale index entry after purge");
    }

    #[tokio::test]
    async fn listing_follows_created_at_even_when_an_update_changes_it() {
        let store = MemoryStore::new();
        let now = OffsetDateTime::now_utc();
        let first = user("first@example.test", None, now);
        let second = user("second@example.test", None, now + Duration::seconds(1));
        store.create_user(&first).await.unwrap();
        store.create_user(&second).await.unwrap();

        let mut moved = first.clone();
        moved.created_at = now + Duration::seconds(2);
        store.update_user(&moved).await.unwrap();

        let listed = store.list_users(None, Page::default()).await.unwrap();
        let ids: Vec<UserId> = listed.iter().map(|u| u.id).collect();
        assert_eq!(ids, vec![second.id, first.id]);
        assert_eq!(read(&store.inner.users).by_created.len(), 2);
        assert_eq!(
            store
                .count_users(Some(&UserSearch::text("FIRST")))
                .await
                .unwrap(),
            1
        );
    }

    #[tokio::test]
    async fn a_duplicate_id_is_refused_without_touching_the_indexes() {
        let store = MemoryStore::new();
        let now = OffsetDateTime::now_utc();
        let alice = user("alice@example.test", Some("alice"), now);
        store.create_user(&alice).await.unwrap();
        let mut twin = user("twin@example.test", Some("twin"), now);
        twin.id = alice.id;

        let error = store.create_user(&twin).await.unwrap_err();
        assert!(matches!(error, Error::Backend { .. }), "{error:?}");
        assert_eq!(
            store.user_by_email("twin@example.test").await.unwrap(),
            None
        );
        assert_eq!(store.user_by_username("twin").await.unwrap(), None);
        assert_eq!(store.user_by_id(alice.id).await.unwrap(), Some(alice));
    }

    #[tokio::test]
    async fn outbox_counts_exactly_and_claims_show_the_lease() {
        let store = MemoryStore::new();
        let now = OffsetDateTime::now_utc();
        let message = |at: OffsetDateTime| OutboxMessage {
            id: Uuid::new_v4(),
            delivery: Delivery::Email(Email {
                to: "a@example.test".to_owned(),
                subject: "s".to_owned(),
                text: "t".to_owned(),
                html: None,
                kind: MailKind::Verification,
            }),
            attempts: 0,
            next_attempt_at: at,
            created_at: at,
            last_error: None,
        };
        let due = message(now - Duration::minutes(1));
        let later = message(now + Duration::minutes(1));
        store.enqueue(&due).await.unwrap();
        store.enqueue(&later).await.unwrap();
        assert_eq!(store.pending_count().await.unwrap(), 2);
        assert!(
            store.enqueue(&due).await.is_err(),
            "an id is never overwritten"
        );

        let claimed = store
            .claim_due(now, 10, Duration::minutes(5))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].id, due.id);
        assert_eq!(claimed[0].next_attempt_at, now + Duration::minutes(5));
        // Claimed messages are still pending until removed.
        assert_eq!(store.pending_count().await.unwrap(), 2);
        store.remove(due.id).await.unwrap();
        assert_eq!(store.pending_count().await.unwrap(), 1);
        assert!(
            store
                .claim_due(now, 0, Duration::minutes(5))
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn audit_events_without_a_user_are_kept_apart() {
        let store = MemoryStore::new();
        let now = OffsetDateTime::now_utc();
        let event = AuditEvent {
            id: Uuid::now_v7(),
            at: now,
            kind: AuditKind::LoginFailed,
            user_id: None,
            actor_id: None,
            ip: Some("192.0.2.7".to_owned()),
            detail: None,
        };
        store.record(&event).await.unwrap();
        assert_eq!(lock(&store.inner.audit).other, vec![event]);
        assert!(lock(&store.inner.audit).by_user.is_empty());
    }
}
