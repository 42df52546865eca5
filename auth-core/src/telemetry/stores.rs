//! Every store call of the engine, observed: the engine holds its stores behind
//! [`Observed`], which runs each call inside a `debug` span and records its time and
//! outcome (see the module above). The stores themselves know nothing of it.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::store_call;
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
use crate::store::{
    ApiKeyStore, AuditSink, CounterStore, EphemeralStore, IdentityStore, MailOutbox, PasskeyStore,
    PictureStore, SessionStore, SessionUserStore, UserSearch, UserStore,
};

/// A store of the engine, every call of which is observed.
pub(crate) struct Observed<S: ?Sized>(Arc<S>);

impl<S: ?Sized> Observed<S> {
    /// Observes the calls to `store`.
    pub(crate) fn new(store: Arc<S>) -> Arc<Self> {
        Arc::new(Self(store))
    }
}

/// Implements `$store` for `Observed<dyn $store>`: each method forwards to the inner
/// store through [`store_call`], labelled with `$label` and the method's name.
macro_rules! observed {
    ($store:ident as $label:literal {
        $(fn $method:ident(&self $(, $arg:ident: $ty:ty)*) -> $out:ty;)*
    }) => {
        #[async_trait]
        impl $store for Observed<dyn $store> {
            $(
                async fn $method(&self $(, $arg: $ty)*) -> Result<$out> {
                    store_call($label, stringify!($method), self.0.$method($($arg),*)).await
                }
            )*
        }
    };
}

observed!(UserStore as "users" {
    fn create_user(&self, user: &User) -> ();
    fn user_by_id(&self, id: UserId) -> Option<User>;
    fn user_by_email(&self, email: &str) -> Option<User>;
    fn user_by_username(&self, username: &str) -> Option<User>;
    fn update_user(&self, user: &User) -> ();
    fn delete_user(&self, id: UserId, expected_version: u64) -> ();
    fn list_users(&self, search: Option<&UserSearch<'_>>, page: Page) -> Vec<User>;
    fn count_users(&self, search: Option<&UserSearch<'_>>) -> u64;
});

observed!(SessionStore as "sessions" {
    fn create_session(&self, session: &SessionRecord) -> ();
    fn session(&self, digest: &SessionDigest) -> Option<SessionRecord>;
    fn touch_session(
        &self,
        digest: &SessionDigest,
        last_seen_at: OffsetDateTime,
        idle_expires_at: OffsetDateTime
    ) -> ();
    fn record_session_proof(
        &self,
        digest: &SessionDigest,
        amr: &[AuthMethod],
        proved_at: OffsetDateTime
    ) -> bool;
    fn delete_session(&self, digest: &SessionDigest) -> bool;
    fn sessions_for_user(&self, user_id: UserId, now: OffsetDateTime) -> Vec<SessionRecord>;
    fn delete_sessions_for_user(&self, user_id: UserId, keep: Option<&SessionDigest>) -> u64;
    fn purge_expired_sessions(&self, now: OffsetDateTime) -> u64;
});

observed!(IdentityStore as "identities" {
    fn link_identity(&self, identity: &Identity) -> ();
    fn identity(&self, provider: &str, subject: &str) -> Option<Identity>;
    fn identities_for_user(&self, user_id: UserId) -> Vec<Identity>;
    fn touch_identity(&self, identity: &Identity) -> ();
    fn unlink_identity(&self, user_id: UserId, provider: &str, subject: &str) -> bool;
    fn ways_in_version(&self, user_id: UserId) -> u64;
    fn unlink_identity_at(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
        ways_in_version: u64
    ) -> bool;
    fn unlink_identities_for_user(&self, user_id: UserId) -> u64;
    fn keep_identity_tokens(
        &self,
        user_id: UserId,
        provider: &str,
        subject: &str,
        sealed: Option<&str>
    ) -> bool;
    fn identity_tokens(&self, provider: &str, subject: &str) -> Option<String>;
});

// By hand: the revision is forwarded without a span or a timing of its own (the engine
// reads it on every authenticated request, from the store itself rather than through
// this wrapper, inside the request's `auth.authenticate` span).
#[async_trait]
impl SessionUserStore for Observed<dyn SessionUserStore> {
    async fn session_with_user(
        &self,
        digest: &SessionDigest,
    ) -> Result<Option<(SessionRecord, User)>> {
        store_call(
            "session_users",
            "session_with_user",
            self.0.session_with_user(digest),
        )
        .await
    }

    async fn revision(&self) -> Result<Option<u64>> {
        self.0.revision().await
    }

    fn revision_counter(&self) -> Option<Arc<AtomicU64>> {
        self.0.revision_counter()
    }
}

observed!(ApiKeyStore as "api_keys" {
    fn create_api_key(&self, key: &ApiKeyRecord) -> ();
    fn api_key(&self, digest: &ApiKeyDigest) -> Option<ApiKeyRecord>;
    fn api_keys_for_user(&self, user_id: UserId) -> Vec<ApiKeyRecord>;
    fn touch_api_key(&self, digest: &ApiKeyDigest, at: OffsetDateTime, ip: Option<&str>) -> ();
    fn delete_api_key(&self, user_id: UserId, id: &str) -> bool;
    fn delete_api_keys_for_user(&self, user_id: UserId) -> u64;
});

observed!(PasskeyStore as "passkeys" {
    fn create_passkey(&self, passkey: &PasskeyCredential) -> ();
    fn passkey(&self, id: &str) -> Option<PasskeyCredential>;
    fn passkeys_for_user(&self, user_id: UserId) -> Vec<PasskeyCredential>;
    fn record_passkey_use(&self, id: &str, used: &PasskeyUse) -> bool;
    fn rename_passkey(&self, user_id: UserId, id: &str, name: &str) -> bool;
    fn delete_passkey(&self, user_id: UserId, id: &str) -> bool;
    fn ways_in_version(&self, user_id: UserId) -> u64;
    fn delete_passkey_at(&self, user_id: UserId, id: &str, ways_in_version: u64) -> bool;
    fn delete_passkeys_for_user(&self, user_id: UserId) -> u64;
});

observed!(CounterStore as "counters" {
    fn increment(&self, key: &str, window: Duration, now: OffsetDateTime) -> Counter;
    fn counter(&self, key: &str, now: OffsetDateTime) -> Option<Counter>;
    fn reset_counter(&self, key: &str) -> ();
    fn purge_expired_counters(&self, now: OffsetDateTime) -> u64;
});

observed!(EphemeralStore as "ephemeral" {
    fn insert(
        &self,
        key: &str,
        value: &[u8],
        expires_at: OffsetDateTime,
        now: OffsetDateTime
    ) -> bool;
    fn take(&self, key: &str, now: OffsetDateTime) -> Option<Vec<u8>>;
    fn purge_expired_ephemeral(&self, now: OffsetDateTime) -> u64;
});

observed!(MailOutbox as "outbox" {
    fn enqueue(&self, message: &OutboxMessage) -> ();
    fn claim_due(&self, now: OffsetDateTime, limit: u32, lease: Duration) -> Vec<OutboxMessage>;
    fn remove(&self, id: Uuid) -> ();
    fn reschedule(
        &self,
        id: Uuid,
        attempts: u32,
        next_attempt_at: OffsetDateTime,
        last_error: &str
    ) -> ();
    fn pending_count(&self) -> u64;
    fn mark_failed(
        &self,
        id: Uuid,
        attempts: u32,
        failed_at: OffsetDateTime,
        last_error: &str
    ) -> ();
    fn failed_messages(&self, page: Page) -> Vec<FailedMail>;
    fn failed_count(&self) -> u64;
    fn discard_failed(&self, id: Uuid) -> bool;
    fn retry_failed(&self, id: Uuid, now: OffsetDateTime) -> bool;
    fn mark_delivered(
        &self,
        id: Uuid,
        attempts: u32,
        delivered_at: OffsetDateTime,
        outcome: &str
    ) -> ();
    fn webhook_deliveries(&self, page: Page) -> Vec<WebhookDelivery>;
    fn webhook_delivery(&self, id: Uuid) -> Option<WebhookDelivery>;
    fn webhook_delivery_count(&self) -> u64;
    fn purge_delivered(&self, before: OffsetDateTime) -> u64;
});

observed!(AuditSink as "audit" {
    fn record(&self, event: &AuditEvent) -> ();
    fn events_for_user(&self, user_id: UserId, limit: u32) -> Vec<AuditEvent>;
});

observed!(PictureStore as "pictures" {
    fn put_picture(&self, picture: &Picture) -> ();
    fn picture(&self, user_id: UserId) -> Option<Picture>;
    fn picture_version(&self, user_id: UserId) -> Option<String>;
    fn delete_picture(&self, user_id: UserId) -> bool;
});
