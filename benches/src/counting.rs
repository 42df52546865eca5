//! Counting store calls: a wrapper over any user, session and session-with-user store
//! that counts every call the engine makes, so that "store round trips per request" is
//! counted at the trait boundary rather than estimated.
//!
//! Each trait method of the stores in this workspace is one round trip to its backend
//! (one SQL statement or one Redis command or script), so calls are round trips.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use auth_core::{
    Page, Result, SessionDigest, SessionRecord, SessionStore, SessionUserStore, User, UserId,
    UserSearch, UserStore,
};
use time::OffsetDateTime;

/// An engine over a fresh memory store whose every store call goes through one
/// [`Counting`] (the combined session-and-user lookup too when `combined`), with the
/// cheap test hash parameters and no rate limits in the way.
///
/// # Errors
/// Configuration errors from `auth-core`.
pub fn counted_engine(combined: bool) -> crate::Result<(auth_core::Auth, Arc<Counting>)> {
    let store = Arc::new(auth_store_memory::MemoryStore::new());
    let session_users: Option<Arc<dyn SessionUserStore>> =
        if combined { Some(store.clone()) } else { None };
    let counting = Arc::new(Counting::new(store.clone(), store.clone(), session_users));
    let config = auth_core::Config::builder()
        .base_url("https://bench.test")
        .signing_key("k", b"0123456789abcdef0123456789abcdef".to_vec())
        .hash_params(auth_core::HashParams::insecure_fast_for_tests())
        .rate_limits(crate::engine::unlimited())
        .build()?;
    let auth = auth_core::Auth::builder(config)
        .store(store)
        .users(counting.clone())
        .sessions(counting.clone())
        .session_users(counting.clone())
        .mailer(Arc::new(crate::engine::NullMailer))
        .build()?;
    Ok((auth, counting))
}

/// Wraps stores and counts calls.
#[derive(Clone)]
pub struct Counting {
    users: Arc<dyn UserStore>,
    sessions: Arc<dyn SessionStore>,
    session_users: Option<Arc<dyn SessionUserStore>>,
    calls: Arc<AtomicU64>,
}

impl std::fmt::Debug for Counting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counting")
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}

impl Counting {
    /// Counts the calls to these stores.
    pub fn new(
        users: Arc<dyn UserStore>,
        sessions: Arc<dyn SessionStore>,
        session_users: Option<Arc<dyn SessionUserStore>>,
    ) -> Self {
        Self {
            users,
            sessions,
            session_users,
            calls: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Calls so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    /// Whether a combined session-and-user lookup is available.
    pub fn has_session_users(&self) -> bool {
        self.session_users.is_some()
    }

    fn hit(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl UserStore for Counting {
    async fn create_user(&self, user: &User) -> Result<()> {
        self.hit();
        self.users.create_user(user).await
    }
    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        self.hit();
        self.users.user_by_id(id).await
    }
    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        self.hit();
        self.users.user_by_email(email).await
    }
    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        self.hit();
        self.users.user_by_username(username).await
    }
    async fn update_user(&self, user: &User) -> Result<()> {
        self.hit();
        self.users.update_user(user).await
    }
    async fn delete_user(&self, id: UserId, expected_version: u64) -> Result<()> {
        self.hit();
        self.users.delete_user(id, expected_version).await
    }
    async fn list_users(&self, search: Option<&UserSearch<'_>>, page: Page) -> Result<Vec<User>> {
        self.hit();
        self.users.list_users(search, page).await
    }
    async fn count_users(&self, search: Option<&UserSearch<'_>>) -> Result<u64> {
        self.hit();
        self.users.count_users(search).await
    }
}

#[async_trait]
impl SessionStore for Counting {
    async fn create_session(&self, session: &SessionRecord) -> Result<()> {
        self.hit();
        self.sessions.create_session(session).await
    }
    async fn session(&self, digest: &SessionDigest) -> Result<Option<SessionRecord>> {
        self.hit();
        self.sessions.session(digest).await
    }
    async fn touch_session(
        &self,
        digest: &SessionDigest,
        last_seen_at: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> Result<()> {
        self.hit();
        self.sessions
            .touch_session(digest, last_seen_at, idle_expires_at)
            .await
    }
    async fn record_session_proof(
        &self,
        digest: &SessionDigest,
        amr: &[auth_core::AuthMethod],
        proved_at: OffsetDateTime,
    ) -> Result<bool> {
        self.hit();
        self.sessions
            .record_session_proof(digest, amr, proved_at)
            .await
    }
    async fn delete_session(&self, digest: &SessionDigest) -> Result<bool> {
        self.hit();
        self.sessions.delete_session(digest).await
    }
    async fn sessions_for_user(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<SessionRecord>> {
        self.hit();
        self.sessions.sessions_for_user(user_id, now).await
    }
    async fn delete_sessions_for_user(
        &self,
        user_id: UserId,
        keep: Option<&SessionDigest>,
    ) -> Result<u64> {
        self.hit();
        self.sessions.delete_sessions_for_user(user_id, keep).await
    }
    async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64> {
        self.hit();
        self.sessions.purge_expired_sessions(now).await
    }
}

#[async_trait]
impl SessionUserStore for Counting {
    async fn session_with_user(
        &self,
        digest: &SessionDigest,
    ) -> Result<Option<(SessionRecord, User)>> {
        self.hit();
        match &self.session_users {
            Some(s) => s.session_with_user(digest).await,
            // Without a combined lookup, the honest count is two calls.
            None => match self.sessions.session(digest).await? {
                Some(session) => {
                    self.hit();
                    Ok(self
                        .users
                        .user_by_id(session.user_id)
                        .await?
                        .map(|u| (session, u)))
                }
                None => Ok(None),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use auth_core::Auth;

    fn counted(combined: bool) -> (Auth, Arc<Counting>) {
        counted_engine(combined).unwrap()
    }

    #[tokio::test]
    async fn authenticating_a_request_is_one_store_call() {
        let (auth, counting) = counted(true);
        engine::verified_user(&auth, "ada@example.com")
            .await
            .unwrap();
        let token = engine::login(&auth, "ada@example.com").await.unwrap().token;
        let before = counting.calls();
        assert!(auth.authenticate(&token).await.unwrap().is_some());
        assert_eq!(counting.calls() - before, 1);
    }

    #[tokio::test]
    async fn without_a_combined_lookup_the_count_is_two() {
        let (auth, counting) = counted(false);
        assert!(!counting.has_session_users());
        engine::verified_user(&auth, "ada@example.com")
            .await
            .unwrap();
        let token = engine::login(&auth, "ada@example.com").await.unwrap().token;
        let before = counting.calls();
        assert!(auth.authenticate(&token).await.unwrap().is_some());
        assert_eq!(counting.calls() - before, 2);
    }
}
