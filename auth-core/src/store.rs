//! The storage traits the engine runs on, and the contracts every implementation keeps.
//!
//! All traits are object safe (`Arc<dyn UserStore>` and so on), `Send + Sync`, and use
//! [`async_trait`]. Errors are the core's [`Error`](crate::Error): an implementation
//! maps "cannot reach the backend / timed out" to [`Error::Unavailable`](crate::Error::Unavailable)
//! and anything else unexpected to [`Error::Backend`](crate::Error::Backend), keeping the
//! driver's error as the source.
//!
//! Times are passed in by the caller (`now`) rather than read from the store's clock, so
//! that every instance of an application agrees and tests can move time. A store with
//! native expiry (Redis) may additionally drop records at their wall-clock expiry.
//!
//! The conformance kit (feature `conformance`, module `conformance`) checks every contract
//! below, including the concurrent ones, with one call.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::api_key::{ApiKeyDigest, ApiKeyRecord};
use crate::error::Result;
use crate::identity::Identity;
use crate::model::{
    AuditEvent, Counter, FailedMail, OutboxMessage, Page, SessionRecord, User, UserId,
    WebhookDelivery,
};
use crate::passkey::{PasskeyCredential, PasskeyUse};
use crate::picture::Picture;
use crate::second_factor::AuthMethod;
use crate::session::SessionDigest;

/// Persistence of user accounts.
///
/// # Contract
/// - **Uniqueness is atomic.** `email` and `username` (both already normalised by the
///   core) are unique across all users. The store enforces it itself (a unique index, a
///   script, a lock), never by check-then-insert: of any number of concurrent
///   [`create_user`](UserStore::create_user) calls with one email, exactly one succeeds and
///   the others return [`Error::Conflict`](crate::Error::Conflict) naming the field.
///   Updates that would collide return the same error and change nothing.
/// - **Updates are compare-and-swap.** [`update_user`](UserStore::update_user) writes only
///   if the stored version equals `user.version`, and stores `user.version + 1`; otherwise
///   it returns [`Error::StaleVersion`](crate::Error::StaleVersion) and changes nothing. Of
///   concurrent updates from the same version, exactly one wins.
/// - **Nothing half-written.** Every call either takes full effect or none.
#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// Inserts a new user. `user.version` is 1.
    ///
    /// # Errors
    /// [`Error::Conflict`](crate::Error::Conflict) when the email or username is taken.
    async fn create_user(&self, user: &User) -> Result<()>;

    /// The user with this id.
    async fn user_by_id(&self, id: UserId) -> Result<Option<User>>;

    /// The user with this normalised email address.
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;

    /// The user with this normalised username.
    async fn user_by_username(&self, username: &str) -> Result<Option<User>>;

    /// Replaces the stored user whose id is `user.id` if its version is `user.version`,
    /// storing version `user.version + 1`.
    ///
    /// # Errors
    /// [`Error::StaleVersion`](crate::Error::StaleVersion) when the version differs or the
    /// user no longer exists; [`Error::Conflict`](crate::Error::Conflict) when the new email
    /// or username is taken by another user.
    async fn update_user(&self, user: &User) -> Result<()>;

    /// Deletes the user if its version is `expected_version`. A store that also keeps the
    /// user's sessions deletes them in the same step.
    ///
    /// # Errors
    /// [`Error::StaleVersion`](crate::Error::StaleVersion) when the version differs or the
    /// user no longer exists.
    async fn delete_user(&self, id: UserId, expected_version: u64) -> Result<()>;

    /// Users ordered by creation time (oldest first): all of them, or only those that
    /// match `search` (see [`UserSearch`]: its text in the email address, the username or
    /// one of its profile fields, case-insensitive and literal, so `%` and `_` are not
    /// wildcards; a profile value that is not a string is compared as its JSON text,
    /// `42`, `true`).
    async fn list_users(&self, search: Option<&UserSearch<'_>>, page: Page) -> Result<Vec<User>>;

    /// How many users match `search` (as in [`list_users`](UserStore::list_users)).
    async fn count_users(&self, search: Option<&UserSearch<'_>>) -> Result<u64>;
}

/// What the administrator's user search looks for: a text, in the email address, the
/// username, and the profile fields declared searchable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserSearch<'a> {
    /// The text to find (not empty; matched case-insensitively and literally).
    pub text: &'a str,
    /// The profile fields whose values are searched too (names as declared in the
    /// [`ProfileSchema`](crate::ProfileSchema): lower-case letters, digits and `_`).
    pub profile_fields: &'a [&'a str],
}

impl<'a> UserSearch<'a> {
    /// A search for `text` in the email address and username only.
    pub const fn text(text: &'a str) -> Self {
        Self {
            text,
            profile_fields: &[],
        }
    }

    /// Whether `user` matches (what an in-memory implementation does).
    pub fn matches(&self, user: &User) -> bool {
        let needle = self.text.to_lowercase();
        user.email.to_lowercase().contains(&needle)
            || user
                .username
                .as_deref()
                .is_some_and(|u| u.to_lowercase().contains(&needle))
            || user.profile.matches(self.profile_fields, &needle)
    }
}

/// Persistence of sessions, keyed by the digest of the session id.
///
/// # Contract
/// - The store never sees the raw id, only [`SessionDigest`]s.
/// - Sessions are indexed by user: listing and bulk revocation by user are supported
///   without scanning every session.
/// - [`session`](SessionStore::session) may return a session that is no longer live; the
///   engine checks [`SessionRecord::is_live`]. After
///   [`purge_expired_sessions`](SessionStore::purge_expired_sessions) with `now`, no session
///   with [`SessionRecord::dies_at`] `<= now` is returned by any method.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Stores a new session.
    ///
    /// # Errors
    /// [`Error::Conflict`](crate::Error::Conflict) if the digest exists (a 256-bit
    /// collision: practically impossible, but never silently overwritten), with
    /// `field: UniqueField::SessionDigest`.
    async fn create_session(&self, session: &SessionRecord) -> Result<()>;

    /// The session with this digest.
    async fn session(&self, digest: &SessionDigest) -> Result<Option<SessionRecord>>;

    /// Records use of a session: sets `last_seen_at` and `idle_expires_at`. A missing
    /// session is not an error (it may have been revoked concurrently).
    async fn touch_session(
        &self,
        digest: &SessionDigest,
        last_seen_at: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> Result<()>;

    /// Records a fresh proof on a session (a re-authentication): sets
    /// [`SessionRecord::amr`] to `amr` and [`SessionRecord::proved_at`] to `proved_at`,
    /// leaving every other field as it was. Returns whether the session existed; a
    /// missing session is not an error (it may have been revoked concurrently), and is
    /// never created by this call.
    async fn record_session_proof(
        &self,
        digest: &SessionDigest,
        amr: &[AuthMethod],
        proved_at: OffsetDateTime,
    ) -> Result<bool>;

    /// Deletes one session; returns whether it existed.
    async fn delete_session(&self, digest: &SessionDigest) -> Result<bool>;

    /// Every session of a user that is live at `now`, newest (by `created_at`) first.
    async fn sessions_for_user(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<SessionRecord>>;

    /// Deletes every session of a user except `keep`; returns how many were deleted.
    async fn delete_sessions_for_user(
        &self,
        user_id: UserId,
        keep: Option<&SessionDigest>,
    ) -> Result<u64>;

    /// Deletes every session dead at `now`; returns how many.
    async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64>;
}

/// A session and its owner, loaded together.
///
/// Implemented by stores that keep both users and sessions, so that authenticating a
/// request costs one round trip. Without it, the engine makes two calls.
#[async_trait]
pub trait SessionUserStore: Send + Sync + 'static {
    /// The session with this digest and the user who owns it.
    async fn session_with_user(
        &self,
        digest: &SessionDigest,
    ) -> Result<Option<(SessionRecord, User)>>;

    /// The store's revision of its users and sessions, when it keeps one that is
    /// cheaper to read than [`session_with_user`](SessionUserStore::session_with_user);
    /// `None` (the default) when it keeps none.
    ///
    /// With a revision, the engine keeps the lookups of live sessions in memory and
    /// serves one again only while the revision is the one it read before that lookup
    /// (see [`Auth::authenticate_shared`](crate::Auth::authenticate_shared)); without,
    /// every authenticated request looks its session up.
    ///
    /// # Contract
    /// - Every write of a user or a session (on any instance sharing the store) changes
    ///   the revision before its change can be read, so that a call made after the
    ///   change is visible, or after the write returned, answers a value that no call
    ///   answered before the write began.
    /// - When the same store value is also the engine's [`PictureStore`]
    ///   ([`AuthBuilder::pictures`](crate::AuthBuilder::pictures)), the same holds for
    ///   every picture write: the engine then keeps the signed-in user's picture
    ///   version with their lookup
    ///   ([`Auth::own_picture_version`](crate::Auth::own_picture_version)).
    /// - A store that cannot promise this for every instance answers `None`.
    async fn revision(&self) -> Result<Option<u64>> {
        Ok(None)
    }

    /// The revision as a counter in this process, for a store whose
    /// [`revision`](SessionUserStore::revision) is the value of one: the engine then
    /// reads it with one atomic load on every authenticated request instead of a call.
    /// `None` (the default): the engine calls `revision`.
    ///
    /// # Contract
    /// When `Some`, loading the counter (with [`Ordering::SeqCst`]) answers, at every
    /// moment, what `revision` would: `Some` of the loaded value.
    ///
    /// [`Ordering::SeqCst`]: std::sync::atomic::Ordering::SeqCst
    fn revision_counter(&self) -> Option<Arc<AtomicU64>> {
        None
    }
}

/// Persistence of API keys, keyed by the digest of the whole key (see
/// [`api_key`](crate::api_key)).
///
/// # Contract
/// - The store never sees a whole key, only [`ApiKeyDigest`]s.
/// - **Unique ids and digests.** Creating a key whose `id` or `digest` is already stored
///   returns [`Error::Conflict`](crate::Error::Conflict) with
///   `field: UniqueField::ApiKey` and changes nothing.
/// - **One round trip.** [`api_key`](ApiKeyStore::api_key) finds a key by its digest
///   with one call to the backend (an index, not a scan): it runs on every request a key
///   authenticates.
/// - **Revocation is final.** Once [`delete_api_key`](ApiKeyStore::delete_api_key) or
///   [`delete_api_keys_for_user`](ApiKeyStore::delete_api_keys_for_user) returned, no
///   method returns the key again, and a [`touch_api_key`](ApiKeyStore::touch_api_key)
///   racing with or following the revocation never brings it back.
/// - **Keys go with their account.** Keys are indexed by user; a store that also keeps
///   users deletes a user's keys with the user in
///   [`delete_user`](UserStore::delete_user) (the engine deletes them too, so mixed
///   deployments keep the rule).
/// - [`api_key`](ApiKeyStore::api_key) may return an expired key; the engine checks
///   [`ApiKeyRecord::is_live`].
#[async_trait]
pub trait ApiKeyStore: Send + Sync + 'static {
    /// Stores a new key.
    ///
    /// # Errors
    /// [`Error::Conflict`](crate::Error::Conflict) with `field: UniqueField::ApiKey` when
    /// the id or the digest exists.
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<()>;

    /// The key with this digest.
    async fn api_key(&self, digest: &ApiKeyDigest) -> Result<Option<ApiKeyRecord>>;

    /// Every key of a user, expired ones included, newest (by `created_at`, then `id`)
    /// first.
    async fn api_keys_for_user(&self, user_id: UserId) -> Result<Vec<ApiKeyRecord>>;

    /// Records use of a key: sets `last_used_at` and `last_used_ip`. A missing key is
    /// not an error and stays missing.
    async fn touch_api_key(
        &self,
        digest: &ApiKeyDigest,
        at: OffsetDateTime,
        ip: Option<&str>,
    ) -> Result<()>;

    /// Deletes the key with this public id if `user_id` owns it; returns whether it did.
    async fn delete_api_key(&self, user_id: UserId, id: &str) -> Result<bool>;

    /// Deletes every key of a user; returns how many.
    async fn delete_api_keys_for_user(&self, user_id: UserId) -> Result<u64>;
}

/// Persistence of passkeys (WebAuthn credentials), keyed by credential id and indexed by
/// user.
///
/// # Contract
/// - **Credential ids are unique across all accounts.** Creating a passkey whose `id` is
///   already stored (for this user or any other) returns
///   [`Error::Conflict`](crate::Error::Conflict) with `field: UniqueField::Passkey` and
///   changes nothing; of concurrent creates of one id, exactly one succeeds.
/// - **One round trip** to find a passkey by its id (an index, not a scan): a
///   passwordless sign-in starts from the id the authenticator names.
/// - **Only the owner's.** [`rename_passkey`](PasskeyStore::rename_passkey) and
///   [`delete_passkey`](PasskeyStore::delete_passkey) act only when `user_id` owns the
///   passkey; [`record_passkey_use`](PasskeyStore::record_passkey_use) of a removed
///   passkey changes nothing and never brings it back.
/// - **Passkeys go with their account**: a store that also keeps users deletes a user's
///   passkeys in [`delete_user`](UserStore::delete_user) (the engine deletes them too,
///   so mixed deployments keep the rule).
/// - Every field comes back as stored (times to the second or finer).
/// - **The ways-in version.** [`delete_passkey_at`](PasskeyStore::delete_passkey_at)
///   deletes only while the account's ways-in version
///   ([`ways_in_version`](PasskeyStore::ways_in_version)) is the one given, and bumps it
///   in the same atomic write (a transaction, a script, one lock). Of any number of
///   concurrent calls with one version, at most one deletes; the others return
///   [`Error::StaleVersion`](crate::Error::StaleVersion) and change nothing. A store that
///   also keeps identities shares the counter with
///   [`IdentityStore::unlink_identity_at`], so that removing a passkey and unlinking an
///   identity at once cannot both pass the engine's last-way-in rule.
#[async_trait]
pub trait PasskeyStore: Send + Sync + 'static {
    /// Stores a newly registered passkey.
    ///
    /// # Errors
    /// [`Error::Conflict`](crate::Error::Conflict) with `field: UniqueField::Passkey` when
    /// the credential id is stored already.
    async fn create_passkey(&self, passkey: &PasskeyCredential) -> Result<()>;

    /// The passkey with this credential id.
    async fn passkey(&self, id: &str) -> Result<Option<PasskeyCredential>>;

    /// Every passkey of a user, oldest (by `created_at`, then `id`) first.
    async fn passkeys_for_user(&self, user_id: UserId) -> Result<Vec<PasskeyCredential>>;

    /// Records a successful use: the passkey JSON, sign count, backup flags and
    /// `last_used_at`. Returns whether the passkey exists.
    async fn record_passkey_use(&self, id: &str, used: &PasskeyUse) -> Result<bool>;

    /// Renames the passkey with this id if `user_id` owns it; returns whether it did.
    async fn rename_passkey(&self, user_id: UserId, id: &str, name: &str) -> Result<bool>;

    /// Deletes the passkey with this id if `user_id` owns it; returns whether it did. (An
    /// operator's removal: it takes no part in the last-way-in rule.)
    async fn delete_passkey(&self, user_id: UserId, id: &str) -> Result<bool>;

    /// The account's ways-in version: a counter, 0 until a way in was first removed
    /// through [`delete_passkey_at`](PasskeyStore::delete_passkey_at) (or
    /// [`IdentityStore::unlink_identity_at`] in a store keeping both).
    async fn ways_in_version(&self, user_id: UserId) -> Result<u64>;

    /// Deletes the passkey with this id if `user_id` owns it and the account's ways-in
    /// version is still `ways_in_version`, bumping the version in the same atomic write;
    /// returns whether it deleted (`false`: not the user's passkey, nothing changed).
    ///
    /// # Errors
    /// [`Error::StaleVersion`](crate::Error::StaleVersion) when the version moved on
    /// (nothing changed).
    async fn delete_passkey_at(
        &self,
        user_id: UserId,
        id: &str,
        ways_in_version: u64,
    ) -> Result<bool>;

    /// Deletes every passkey of a user; returns how many.
    async fn delete_passkeys_for_user(&self, user_id: UserId) -> Result<u64>;
}

/// Atomic counters with expiry, for rate limits and lockouts shared between instances.
///
/// # Contract
/// - [`increment`](CounterStore::increment) is atomic: `n` concurrent increments of one
///   key return the values `1..=n` in some order and leave the count at `n`.
/// - A counter lives in a fixed window: the first increment (or the first after expiry)
///   opens a window of `window` from `now`; later increments do not extend it. Once
///   `now >= expires_at`, the counter reads as absent and the next increment starts at 1.
#[async_trait]
pub trait CounterStore: Send + Sync + 'static {
    /// Adds one and returns the new value with the window's end.
    async fn increment(&self, key: &str, window: Duration, now: OffsetDateTime) -> Result<Counter>;

    /// The current value, if a window is open at `now`.
    async fn counter(&self, key: &str, now: OffsetDateTime) -> Result<Option<Counter>>;

    /// Removes the counter.
    async fn reset_counter(&self, key: &str) -> Result<()>;

    /// Deletes every counter whose window closed at or before `now`; returns how many.
    async fn purge_expired_counters(&self, now: OffsetDateTime) -> Result<u64>;
}

/// The largest value an [`EphemeralStore`] must accept, in bytes.
pub const MAX_EPHEMERAL_VALUE: usize = 64 * 1024;

/// Short-lived, single-use state shared between instances: pending sign-ins, used
/// one-time-password time steps, and the challenges and nonces of later sign-in methods.
///
/// An entry is a key (chosen by the engine, with a purpose prefix such as `pending:` or
/// `totp-step:`; secrets appear in keys only as digests), an opaque value of at most
/// [`MAX_EPHEMERAL_VALUE`] bytes, and the instant it expires. Two operations make every
/// use safe:
///
/// - [`insert`](EphemeralStore::insert): put an entry with its expiry **if no live entry
///   has the key**. It doubles as "remember that this was used": recording a one-time
///   password's time step succeeds once, and every later attempt (on any instance) is
///   told it was already there.
/// - [`take`](EphemeralStore::take): read and remove an entry **exactly once**.
///
/// # Contract
/// - **Liveness follows `now`.** An entry is live while `now < expires_at`, with the
///   caller's `now`, not the store's clock. An entry that is not live is never returned
///   and never blocks an insert (it is replaced). A store with native expiry may also drop
///   entries at their wall-clock expiry.
/// - **Insert is atomic.** Of any number of concurrent
///   [`insert`](EphemeralStore::insert)s of one key, while no live entry has it, exactly
///   one returns `true`; the others return `false` and change nothing.
/// - **Take is atomic.** Of any number of concurrent [`take`](EphemeralStore::take)s of a
///   live entry, exactly one returns its value; the others return `None`. A taken entry
///   is gone: a later take returns `None` and a later insert of the key succeeds.
/// - **Values come back unchanged**, byte for byte; keys are compared exactly (a store
///   may hash long keys, but never treats two different keys as one).
/// - After [`purge_expired_ephemeral`](EphemeralStore::purge_expired_ephemeral) with
///   `now`, no entry with `expires_at <= now` takes up space; a store whose backend
///   expires entries by itself may do nothing there and return 0.
#[async_trait]
pub trait EphemeralStore: Send + Sync + 'static {
    /// Stores `value` under `key` until `expires_at`, unless an entry live at `now` has the
    /// key. Returns whether it was stored.
    async fn insert(
        &self,
        key: &str,
        value: &[u8],
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// Removes the entry with this key and returns its value if it was live at `now`.
    async fn take(&self, key: &str, now: OffsetDateTime) -> Result<Option<Vec<u8>>>;

    /// Deletes every entry with `expires_at <= now`; returns how many (see the contract
    /// for stores with native expiry).
    async fn purge_expired_ephemeral(&self, now: OffsetDateTime) -> Result<u64>;
}

/// The outbox: mail that could not be sent yet and webhook calls, retried with backoff,
/// and what the engine gave up on.
///
/// One contract carries both kinds of [`Delivery`](crate::Delivery): a message is
/// claimed, rescheduled, marked failed, retried and discarded the same way whatever it
/// delivers. A message is either **queued** (waiting for its next attempt, or claimed by
/// a delivery loop), **failed** (the engine stopped trying: a permanent refusal, too
/// many attempts, too old, or a body it can no longer unseal) or, for webhook calls only,
/// **delivered** (kept so that an administrator sees it, until
/// [`purge_delivered`](MailOutbox::purge_delivered)). Delivered mail is
/// [`remove`](MailOutbox::remove)d instead: its bodies carry link tokens. Failed messages
/// are kept for an administrator, who lists them, discards them, or puts them back in
/// the queue.
///
/// The engine seals message bodies before [`enqueue`](MailOutbox::enqueue) (they carry
/// link tokens): a store keeps `email.text` and `email.html` as the opaque strings it is
/// given and returns them unchanged.
///
/// # Contract
/// - Messages survive a restart of the application (for persistent stores).
/// - [`claim_due`](MailOutbox::claim_due) is atomic: a message is handed to at most one
///   caller per lease, by pushing its `next_attempt_at` to `now + lease` as it is claimed,
///   so several instances can run the delivery loop.
/// - A failed message is never claimed, whatever its `next_attempt_at`, and
///   [`reschedule`](MailOutbox::reschedule) leaves it failed: only
///   [`retry_failed`](MailOutbox::retry_failed) puts it back in the queue.
/// - [`failed_messages`](MailOutbox::failed_messages) returns what an administrator needs
///   (recipient, kind, attempts, times, last error), never the bodies; it lists failed
///   mail only, and [`webhook_deliveries`](MailOutbox::webhook_deliveries) lists webhook
///   calls in every state.
/// - A message is stored and returned whole: a webhook call's URL, event type and body
///   come back byte for byte.
#[async_trait]
pub trait MailOutbox: Send + Sync + 'static {
    /// Queues a message.
    async fn enqueue(&self, message: &OutboxMessage) -> Result<()>;

    /// Claims up to `limit` queued (not failed) messages with `next_attempt_at <= now`,
    /// oldest first (by `created_at` or by `next_attempt_at`: either order is allowed).
    /// The returned copies may show either the `next_attempt_at` they were due at or the
    /// new lease end.
    async fn claim_due(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<OutboxMessage>>;

    /// Removes a message that was delivered. A missing id is not an error.
    async fn remove(&self, id: Uuid) -> Result<()>;

    /// Records a failed attempt of a queued message and when to try next. A missing id,
    /// or a message marked failed in the meantime, is left alone without error.
    async fn reschedule(
        &self,
        id: Uuid,
        attempts: u32,
        next_attempt_at: OffsetDateTime,
        last_error: &str,
    ) -> Result<()>;

    /// How many messages (mail and webhook calls) are queued, claimed ones included until
    /// they are removed or delivered; failed and delivered messages are not counted.
    async fn pending_count(&self) -> Result<u64>;

    /// Marks a message failed at `failed_at` after `attempts` attempts, with the reason:
    /// from then on it is never claimed, and it is listed by
    /// [`failed_messages`](MailOutbox::failed_messages) until discarded or retried. Works
    /// whether or not the message is claimed; a missing id is not an error.
    async fn mark_failed(
        &self,
        id: Uuid,
        attempts: u32,
        failed_at: OffsetDateTime,
        last_error: &str,
    ) -> Result<()>;

    /// Failed mail (not webhook calls), most recently failed first (by `failed_at`, then
    /// by id, descending), skipping `page.offset` and returning at most `page.limit`.
    async fn failed_messages(&self, page: Page) -> Result<Vec<FailedMail>>;

    /// How much mail is marked failed (webhook calls are not counted).
    async fn failed_count(&self) -> Result<u64>;

    /// Marks a webhook call delivered at `delivered_at` after `attempts` attempts, with
    /// the outcome (the status the endpoint answered): from then on it is never claimed
    /// nor counted as pending, and [`webhook_deliveries`](MailOutbox::webhook_deliveries)
    /// shows it as delivered until [`purge_delivered`](MailOutbox::purge_delivered)
    /// removes it. A missing id is not an error.
    async fn mark_delivered(
        &self,
        id: Uuid,
        attempts: u32,
        delivered_at: OffsetDateTime,
        outcome: &str,
    ) -> Result<()>;

    /// Webhook calls in every state (pending, delivered, failed), newest first (by
    /// `created_at`, then by id, descending), skipping `page.offset` and returning at
    /// most `page.limit`. A pending call shows its `next_attempt_at` and its last error
    /// as outcome; a delivered or failed one its `finished_at` and last outcome.
    async fn webhook_deliveries(&self, page: Page) -> Result<Vec<WebhookDelivery>>;

    /// The webhook call with this id, in whatever state, as
    /// [`webhook_deliveries`](MailOutbox::webhook_deliveries) shows it; `None` for an
    /// unknown id or a mail.
    async fn webhook_delivery(&self, id: Uuid) -> Result<Option<WebhookDelivery>>;

    /// How many webhook calls are stored, in every state.
    async fn webhook_delivery_count(&self) -> Result<u64>;

    /// Deletes the webhook calls delivered at or before `before`; returns how many.
    /// Pending and failed messages are left alone.
    async fn purge_delivered(&self, before: OffsetDateTime) -> Result<u64>;

    /// Deletes a failed message for good. Returns `false`, changing nothing, when no
    /// failed message has this id (unknown, already discarded or retried, or queued).
    async fn discard_failed(&self, id: Uuid) -> Result<bool>;

    /// Puts a failed message back in the queue as if it were queued anew at `now`: due at
    /// `now`, `created_at` set to `now`, attempts back to 0, its bodies as they were (the
    /// last error may be kept). Returns `false`, changing nothing, when no failed message
    /// has this id.
    async fn retry_failed(&self, id: Uuid, now: OffsetDateTime) -> Result<bool>;
}

/// Where audit events go.
#[async_trait]
pub trait AuditSink: Send + Sync + 'static {
    /// Appends an event.
    async fn record(&self, event: &AuditEvent) -> Result<()>;

    /// The newest events about a user, newest first.
    async fn events_for_user(&self, user_id: UserId, limit: u32) -> Result<Vec<AuditEvent>>;
}

/// Persistence of uploaded profile pictures (see [`picture`](crate::picture)), one per
/// user, keyed by the user's id.
///
/// The engine only ever stores pictures it processed itself (decoded and re-encoded), and
/// deletes a user's picture when it deletes the account. The bytes may live in the same
/// database as the users (SQL, Redis, memory) or anywhere else, e.g. files under a
/// directory.
///
/// # Contract
/// - **Put replaces atomically.** [`put_picture`](PictureStore::put_picture) replaces any
///   earlier picture of the user in one step: a reader sees the old picture or the new
///   one, never a mix of one's bytes and the other's version or format, and of concurrent
///   puts exactly one is left, whole.
/// - **Versions follow the bytes.** [`picture_version`](PictureStore::picture_version)
///   returns the `version` of the picture [`picture`](PictureStore::picture) would
///   return, without loading its bytes (pages call it to build the picture's URL).
/// - The bytes, format and version come back exactly as put; `updated_at` to the second.
/// - Pictures of different users are independent.
#[async_trait]
pub trait PictureStore: Send + Sync + 'static {
    /// Stores `picture` as its user's picture, replacing any earlier one.
    async fn put_picture(&self, picture: &Picture) -> Result<()>;

    /// The user's picture, if one is stored.
    async fn picture(&self, user_id: UserId) -> Result<Option<Picture>>;

    /// The version of the user's picture, if one is stored.
    async fn picture_version(&self, user_id: UserId) -> Result<Option<String>>;

    /// Deletes the user's picture; returns whether there was one.
    async fn delete_picture(&self, user_id: UserId) -> Result<bool>;
}

/// Persistence of identities at other providers linked to accounts (see
/// [`identity`](crate::identity)).
///
/// # Contract
/// - **One account per identity.** A provider and subject pair is linked to at most one
///   account. [`link_identity`](IdentityStore::link_identity) enforces it atomically (a
///   unique key, a script), never by check-then-insert: of any number of concurrent links
///   of one pair, to one account or several, exactly one succeeds and the others return
///   [`Error::Conflict`](crate::Error::Conflict) with `field: UniqueField::Identity`
///   and change nothing. The engine relies on it so that concurrent first sign-ins with
///   one identity create one account.
/// - Provider and subject are compared exactly (case matters).
/// - An account may have any number of identities, several at one provider included.
/// - Identities are indexed by account: listing them does not scan every identity.
/// - Everything stored comes back unchanged; times to the second at least.
/// - **Provider tokens** ([`keep_identity_tokens`](IdentityStore::keep_identity_tokens))
///   arrive sealed by the engine: the store keeps the text as given, beside its identity,
///   and forgets it when the identity is unlinked (a later link of the same provider and
///   subject starts without tokens).
/// - **The ways-in version**: [`unlink_identity_at`](IdentityStore::unlink_identity_at)
///   follows the contract of [`PasskeyStore::delete_passkey_at`], with the same counter
///   in a store keeping both.
#[async_trait]
pub trait IdentityStore: Send + Sync + 'static {
    /// Links an identity to its account.
    ///
    /// # Errors
    /// [`Error::Conflict`](crate::Error::Conflict) with `field: UniqueField::Identity`
    /// when the provider and subject are linked already (to any account).
    async fn link_identity(&self, identity: &Identity) -> Result<()>;

    /// The identity with this provider and subject, whichever account it belongs to.
    async fn identity(&self, provider: &str, subject: &str) -> Result<Option<Identity>>;

    /// Every identity of an account, oldest link first (by `linked_at`, then provider,
    /// then subject).
    async fn identities_for_user(&self, user_id: UserId) -> Result<Vec<Identity>>;

    /// Records a sign-in with an identity: stores its `email`, `email_verified` and
    /// `last_used_at` as given, if the identity with its provider and subject is still
    /// linked to its `user_id`; otherwise changes nothing (not an error).
    async fn touch_identity(&self, identity: &Identity) -> Result<()>;

    /// Unlinks the identity with this provider and subject if it belongs to `user_id`;
    /// returns whether it did.
    async fn unlink_identity(&self, user_id: UserId, provider: &str, subject: &str)
    -> Result<bool>;

    /// The account's ways-in version (see [`PasskeyStore::ways_in_version`]; one counter
    /// in a store keeping both).
    async fn ways_in_version(&self, user_id: UserId) -> Result<u64>;

    /// Unlinks the identity with this provider and subject if it belongs to `user_id`
    /// and the account's ways-in version is still `ways_in_version`, bumping the version
    /// in the same atomic write; returns whether it unlinked (`false`: not linked to the
    /// user, nothing changed).
    ///
    /// # Errors
    /// [`Error::StaleVersion`](crate::Error::StaleVersion) when the version moved on
    /// (nothing changed).
    async fn unlink_identity_at(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
        ways_in_version: u64,
    ) -> Result<bool>;

    /// Unlinks every identity of an account (when it is deleted); returns how many.
    async fn unlink_identities_for_user(&self, user_id: UserId) -> Result<u64>;

    /// Keeps `sealed` (the provider's tokens, sealed by the engine; `None` forgets them)
    /// with the identity with this provider and subject, replacing what was kept, if it
    /// is linked to `user_id`; returns whether it is (otherwise nothing changes).
    async fn keep_identity_tokens(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
        sealed: Option<&str>,
    ) -> Result<bool>;

    /// The sealed tokens kept with the identity with this provider and subject, if any.
    async fn identity_tokens(&self, provider: &str, subject: &str) -> Result<Option<String>>;
}

/// A revision of users and sessions kept apart from them: for deployments whose users
/// and sessions live in different stores (users in PostgreSQL, sessions in Redis), where
/// no [`SessionUserStore`] can answer one revision for both.
///
/// Given one ([`AuthBuilder::revisions`](crate::AuthBuilder::revisions)), the engine
/// advances it after each of its writes that changes or removes what a session lookup
/// returned (a user updated or deleted; a session deleted, purged or re-proved; see
/// [`Auth::authenticate_shared`](crate::Auth::authenticate_shared)), and after each
/// picture put or deleted (the version kept with the lookup, see
/// [`Auth::own_picture_version`](crate::Auth::own_picture_version)), before that
/// call returns, and serves a kept lookup only while the revision is the one it read
/// before that lookup. So every instance must advance it: the engine does for its own
/// writes (the operator tool's included, since it runs the engine); a program that
/// writes users, sessions or pictures past the engine must call
/// [`advance_revision`](RevisionStore::advance_revision) after it.
///
/// # Contract
/// - Once [`advance_revision`](RevisionStore::advance_revision) returned, every call to
///   [`current_revision`](RevisionStore::current_revision), on any instance, answers a
///   value that no call answered before the advance began, even if the backend lost its
///   data in between (a restarted Redis without persistence).
#[async_trait]
pub trait RevisionStore: Send + Sync + 'static {
    /// The current revision: one read, cheaper than a session lookup.
    async fn current_revision(&self) -> Result<u64>;

    /// Moves the revision on.
    async fn advance_revision(&self) -> Result<()>;
}
