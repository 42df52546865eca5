//! Where the engine reads the revision of users and sessions that its memory of session
//! lookups is checked against (see [`session_cache`](super::session_cache)), and, when
//! that revision is kept apart from users and sessions (a [`RevisionStore`]), the
//! engine's stores that advance it after their writes.
//!
//! One rule decides where the revision comes from: a [`RevisionStore`] given to the
//! builder, else the combined lookup's own
//! ([`SessionUserStore::revision`](crate::SessionUserStore::revision), loaded from its
//! counter when it hands one over:
//! [`SessionUserStore::revision_counter`](crate::SessionUserStore::revision_counter)),
//! else none (and nothing is kept).
//!
//! The same revision guards the version of the signed-in user's uploaded picture kept
//! with their lookup ([`Auth::own_picture_version`](crate::Auth::own_picture_version)),
//! when picture writes move it too; one rule decides that
//! ([`Revisions::keeps_pictures`]): with a [`RevisionStore`], always (the engine advances
//! it after its picture writes as after its user and session writes); with the combined
//! lookup's own revision, only when the picture store is that very store (the same
//! value given to the builder), whose revision then covers its pictures (the contract
//! of [`SessionUserStore::revision`](crate::SessionUserStore::revision)); else never,
//! and every page asks the picture store.
//!
//! With a [`RevisionStore`], a write is followed by an advance before the call returns:
//! a lookup kept under the revision read before the write is never served once the
//! write has returned. Advancing before the write would not do: a lookup made between
//! the advance and the write would be kept under the new revision. When an advance
//! fails, the write's call fails with it, and until an advance succeeds this instance
//! serves nothing from memory and tries the advance again on each authenticated request
//! (other instances read the same backend, which is then usually failing for them too).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use crate::error::Result;
use crate::model::{Page, SessionRecord, User, UserId};
use crate::picture::Picture;
use crate::second_factor::AuthMethod;
use crate::session::SessionDigest;
use crate::store::{
    PictureStore, RevisionStore, SessionStore, SessionUserStore, UserSearch, UserStore,
};
use crate::telemetry::store_call;

/// The engine's source of the revision, and its copy when a staleness is allowed.
pub(super) struct Revisions {
    source: Source,
    /// How long a copy of the revision is trusted; zero: it is read on every request.
    staleness: Duration,
    /// The revision last read, and when (by the engine's clock).
    copy: Mutex<Option<(u64, OffsetDateTime)>>,
    /// An advance failed: nothing is served from memory until one succeeds.
    pending: AtomicBool,
    /// The picture store is the store behind [`Source::Joined`] (see [`same_store`]).
    pictures_in_joined: bool,
}

enum Source {
    None,
    Joined(Arc<dyn SessionUserStore>),
    /// The combined lookup's revision, as a counter in this process
    /// ([`SessionUserStore::revision_counter`]).
    Counter(Arc<AtomicU64>),
    Kept(Arc<dyn RevisionStore>),
}

impl Source {
    /// The revision when this process holds it (`Some(None)`: there is none); `None`
    /// when a store must be asked.
    fn held(&self) -> Option<Option<u64>> {
        match self {
            Self::None => Some(None),
            Self::Counter(counter) => Some(Some(counter.load(Ordering::SeqCst))),
            Self::Joined(_) | Self::Kept(_) => None,
        }
    }

    /// The revision, from its store if a store holds it.
    async fn read(&self) -> Result<Option<u64>> {
        match self {
            Self::Joined(store) => store.revision().await,
            Self::Kept(store) => store.current_revision().await.map(Some),
            Self::None | Self::Counter(_) => Ok(self.held().flatten()),
        }
    }
}

impl Revisions {
    /// The revision of `kept` when given, else the one of `joined`, trusted for
    /// `staleness`; `pictures_in_joined` tells whether the picture store is the store
    /// behind `joined` (see [`same_store`]).
    pub(super) fn new(
        joined: Option<Arc<dyn SessionUserStore>>,
        kept: Option<Arc<dyn RevisionStore>>,
        pictures_in_joined: bool,
        staleness: Duration,
    ) -> Self {
        let source = match (kept, joined) {
            (Some(kept), _) => Source::Kept(kept),
            (None, Some(joined)) => match joined.revision_counter() {
                Some(counter) => Source::Counter(counter),
                None => Source::Joined(joined),
            },
            (None, None) => Source::None,
        };
        Self {
            source,
            staleness,
            copy: Mutex::new(None),
            pending: AtomicBool::new(false),
            pictures_in_joined,
        }
    }

    /// Whether the version of a user's picture may be kept with their session lookup:
    /// whether every picture write through the engine, on any instance, moves the
    /// revision (see the module documentation).
    pub(super) fn keeps_pictures(&self) -> bool {
        match self.source {
            Source::Kept(_) => true,
            Source::Joined(_) | Source::Counter(_) => self.pictures_in_joined,
            Source::None => false,
        }
    }

    /// Whether the engine's writes must advance the revision (it is kept apart).
    pub(super) fn advanced_by_writes(&self) -> bool {
        matches!(self.source, Source::Kept(_))
    }

    /// The revision now, or `None` when there is none (nothing is kept then). `now`
    /// tells the time; it is asked only when a staleness is configured.
    ///
    /// # Errors
    /// The store's; and the advance's, when one failed and fails again.
    pub(super) async fn read(&self, now: impl Fn() -> OffsetDateTime) -> Result<Option<u64>> {
        if self.pending.load(Ordering::Acquire) {
            // Boxed: rare, and it would enlarge every authenticated request's future.
            Box::pin(self.advance()).await?;
        }
        if let Some(known) = self.read_in_process(&now) {
            return Ok(known);
        }
        // Stamped with the time before the read: the bound counts from then.
        let read_at = (self.staleness > Duration::ZERO).then(&now);
        let revision = self.source.read().await?;
        self.keep_copy(revision, read_at);
        Ok(revision)
    }

    /// [`Revisions::read`] when no store need be asked: there is no revision, this
    /// process holds it (a counter), or a copy is still trusted. `None` when a store
    /// must be read, or a failed advance retried, first.
    pub(super) fn read_in_process(
        &self,
        now: impl FnOnce() -> OffsetDateTime,
    ) -> Option<Option<u64>> {
        if self.pending.load(Ordering::Acquire) {
            return None;
        }
        let now = (self.staleness > Duration::ZERO).then(now);
        if let Some(now) = now {
            let copy = *self.copy.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((revision, read_at)) = copy {
                // A clock that went back does not stretch the bound.
                if read_at <= now && now - read_at < self.staleness {
                    return Some(Some(revision));
                }
            }
        }
        let held = self.source.held()?;
        self.keep_copy(held, now);
        Some(held)
    }

    /// Keeps `revision`, read at `read_at`, as the copy trusted for the staleness (none
    /// is kept without a time: no staleness is configured).
    fn keep_copy(&self, revision: Option<u64>, read_at: Option<OffsetDateTime>) {
        if let Some(at) = read_at {
            *self.copy.lock().unwrap_or_else(PoisonError::into_inner) = revision.map(|r| (r, at));
        }
    }

    /// Advances a revision kept apart, and drops this instance's copy of it.
    async fn advance(&self) -> Result<()> {
        let Source::Kept(store) = &self.source else {
            return Ok(());
        };
        let advanced = store_call("revisions", "advance_revision", store.advance_revision()).await;
        *self.copy.lock().unwrap_or_else(PoisonError::into_inner) = None;
        match advanced {
            Ok(()) => {
                self.pending.store(false, Ordering::Release);
                Ok(())
            }
            Err(e) => {
                self.pending.store(true, Ordering::Release);
                tracing::error!(
                    error = %e,
                    "the revision of users and sessions could not be advanced after a write; \
                     this instance serves no session from memory until it can"
                );
                Err(e)
            }
        }
    }

    /// Advances the revision after a write whatever its outcome (a failed write may
    /// still have changed something), then answers the write's outcome, or the
    /// advance's error when only that failed.
    async fn after<T>(&self, written: Result<T>) -> Result<T> {
        let advanced = self.advance().await;
        let value = written?;
        advanced?;
        Ok(value)
    }
}

/// Whether `a` and `b` are the same store value (the same allocation behind two trait
/// objects): then one's revision covers the other's writes.
pub(super) fn same_store<A: ?Sized, B: ?Sized>(a: &Arc<A>, b: &Arc<B>) -> bool {
    std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
}

/// A user, session or picture store of the engine whose writes advance [`Revisions`].
pub(super) struct Advancing<S: ?Sized> {
    store: Arc<S>,
    revisions: Arc<Revisions>,
}

impl<S: ?Sized> Advancing<S> {
    /// Advances `revisions` after the writes to `store`.
    pub(super) fn new(store: Arc<S>, revisions: Arc<Revisions>) -> Arc<Self> {
        Arc::new(Self { store, revisions })
    }
}

// Creating a user or a session changes no lookup anyone kept (only live sessions are
// kept, and a new one was not there to be looked up), and a touch only moves a session's
// last use on (a kept copy is looked up again when it is due for its own touch): these
// do not advance, so that signing in and using a session cost no extra round trip.
#[async_trait]
impl UserStore for Advancing<dyn UserStore> {
    async fn create_user(&self, user: &User) -> Result<()> {
        self.store.create_user(user).await
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        self.store.user_by_id(id).await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        self.store.user_by_email(email).await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        self.store.user_by_username(username).await
    }

    async fn update_user(&self, user: &User) -> Result<()> {
        self.revisions
            .after(self.store.update_user(user).await)
            .await
    }

    async fn delete_user(&self, id: UserId, expected_version: u64) -> Result<()> {
        let deleted = self.store.delete_user(id, expected_version).await;
        self.revisions.after(deleted).await
    }

    async fn list_users(&self, search: Option<&UserSearch<'_>>, page: Page) -> Result<Vec<User>> {
        self.store.list_users(search, page).await
    }

    async fn count_users(&self, search: Option<&UserSearch<'_>>) -> Result<u64> {
        self.store.count_users(search).await
    }
}

#[async_trait]
impl SessionStore for Advancing<dyn SessionStore> {
    async fn create_session(&self, session: &SessionRecord) -> Result<()> {
        self.store.create_session(session).await
    }

    async fn session(&self, digest: &SessionDigest) -> Result<Option<SessionRecord>> {
        self.store.session(digest).await
    }

    async fn touch_session(
        &self,
        digest: &SessionDigest,
        last_seen_at: OffsetDateTime,
        idle_expires_at: OffsetDateTime,
    ) -> Result<()> {
        self.store
            .touch_session(digest, last_seen_at, idle_expires_at)
            .await
    }

    async fn record_session_proof(
        &self,
        digest: &SessionDigest,
        amr: &[AuthMethod],
        proved_at: OffsetDateTime,
    ) -> Result<bool> {
        let recorded = self
            .store
            .record_session_proof(digest, amr, proved_at)
            .await;
        self.revisions.after(recorded).await
    }

    async fn delete_session(&self, digest: &SessionDigest) -> Result<bool> {
        let deleted = self.store.delete_session(digest).await;
        self.revisions.after(deleted).await
    }

    async fn sessions_for_user(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<SessionRecord>> {
        self.store.sessions_for_user(user_id, now).await
    }

    async fn delete_sessions_for_user(
        &self,
        user_id: UserId,
        keep: Option<&SessionDigest>,
    ) -> Result<u64> {
        let deleted = self.store.delete_sessions_for_user(user_id, keep).await;
        self.revisions.after(deleted).await
    }

    // Purged sessions are dead, which every hit checks by its own clock; the advance
    // covers instances whose clock runs behind the purging one's.
    async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64> {
        let purged = self.store.purge_expired_sessions(now).await;
        self.revisions.after(purged).await
    }
}

// Reads advance nothing; a put or a delete may change the version a kept lookup keeps.
#[async_trait]
impl PictureStore for Advancing<dyn PictureStore> {
    async fn put_picture(&self, picture: &Picture) -> Result<()> {
        let put = self.store.put_picture(picture).await;
        self.revisions.after(put).await
    }

    async fn picture(&self, user_id: UserId) -> Result<Option<Picture>> {
        self.store.picture(user_id).await
    }

    async fn picture_version(&self, user_id: UserId) -> Result<Option<String>> {
        self.store.picture_version(user_id).await
    }

    async fn delete_picture(&self, user_id: UserId) -> Result<bool> {
        let deleted = self.store.delete_picture(user_id).await;
        self.revisions.after(deleted).await
    }
}
