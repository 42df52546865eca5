//! The version of the signed-in user's picture kept with their session lookup
//! (`Auth::own_picture_version`): a kept lookup answers it without asking the picture
//! store, and a picture put or removed through one engine (instance) is shown by
//! another sharing the stores on its next request, and by the writer at once, whether
//! the revision is the store's own (the memory store keeping accounts and pictures) or
//! kept apart (a `RevisionStore`). A picture store apart from the store whose revision
//! is used is asked on every request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use auth_core::{
    Authenticated, Picture, PictureStore, RevisionStore, SessionDigest, SessionRecord,
    SessionToken, SessionUserStore, User, UserId,
};
use auth_store_memory::MemoryStore;
use time::Duration;

use crate::support::{Harness, PASSWORD, config, ctx};

/// A memory store as the combined session lookup and the picture store, counting the
/// picture-version queries: one value for both roles, as the builder must be given for
/// the store's revision to cover pictures.
struct Counted {
    store: Arc<MemoryStore>,
    version_reads: AtomicU64,
}

impl Counted {
    fn new(store: Arc<MemoryStore>) -> Arc<Self> {
        Arc::new(Self {
            store,
            version_reads: AtomicU64::new(0),
        })
    }

    fn reads(&self) -> u64 {
        self.version_reads.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl SessionUserStore for Counted {
    async fn session_with_user(
        &self,
        digest: &SessionDigest,
    ) -> auth_core::Result<Option<(SessionRecord, User)>> {
        self.store.session_with_user(digest).await
    }

    async fn revision(&self) -> auth_core::Result<Option<u64>> {
        self.store.revision().await
    }
}

#[async_trait]
impl PictureStore for Counted {
    async fn put_picture(&self, picture: &Picture) -> auth_core::Result<()> {
        self.store.put_picture(picture).await
    }

    async fn picture(&self, user_id: UserId) -> auth_core::Result<Option<Picture>> {
        self.store.picture(user_id).await
    }

    async fn picture_version(&self, user_id: UserId) -> auth_core::Result<Option<String>> {
        self.version_reads.fetch_add(1, Ordering::SeqCst);
        self.store.picture_version(user_id).await
    }

    async fn delete_picture(&self, user_id: UserId) -> auth_core::Result<bool> {
        self.store.delete_picture(user_id).await
    }
}

/// A revision kept apart, as the Redis store keeps one.
#[derive(Default)]
struct KeptRevision(AtomicU64);

#[async_trait]
impl RevisionStore for KeptRevision {
    async fn current_revision(&self) -> auth_core::Result<u64> {
        Ok(self.0.load(Ordering::SeqCst))
    }

    async fn advance_revision(&self) -> auth_core::Result<()> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// How the instances of a test are wired.
#[derive(Clone, Copy)]
enum Wiring {
    /// One memory store for everything; the combined lookup and the pictures are one
    /// [`Counted`] value, so the store's own revision covers pictures.
    Joined,
    /// Users and pictures in one memory store, sessions in another, the revision kept
    /// apart; pictures through a [`Counted`] value that is no other role.
    Kept,
    /// One memory store for everything, but pictures through a [`Counted`] value that is
    /// not the combined lookup: the store's revision is not known to cover them.
    Apart,
}

/// An instance: its engine and the counter of its picture-version queries.
struct Instance {
    h: Harness,
    pictures: Arc<Counted>,
}

/// Two instances wired as `wiring`, sharing their stores, with `staleness`.
fn two(wiring: Wiring, staleness: Duration) -> (Instance, Instance) {
    let users = Arc::new(MemoryStore::new());
    let sessions = Arc::new(MemoryStore::new());
    let revision = Arc::new(KeptRevision::default());
    let instance = || {
        let pictures = Counted::new(users.clone());
        let counted = pictures.clone();
        let (sessions, revision) = (sessions.clone(), revision.clone());
        let h = Harness::wired(
            users.clone(),
            config().session_staleness(staleness),
            move |builder, users| {
                let builder = builder.store(users.clone()).pictures(counted.clone());
                match wiring {
                    Wiring::Joined => builder.session_users(counted),
                    Wiring::Kept => builder.sessions(sessions).revisions(revision),
                    Wiring::Apart => builder,
                }
            },
        );
        Instance { h, pictures }
    };
    (instance(), instance())
}

/// A 3×2 PNG of one colour (different colours, different versions).
fn png(green: u8) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(3, 2, image::Rgb([10, green, 30]))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// One request on `i`: the session looked up (shared) and the header's picture version.
async fn page(i: &Instance, token: &SessionToken) -> (Arc<Authenticated>, Option<String>) {
    let a = i.h.auth.authenticate_shared(token).await.unwrap().unwrap();
    let version = i.h.auth.own_picture_version(&a).await.unwrap();
    (a, version)
}

/// Signs `email` in on `i` with a picture set, and checks that `j`'s kept lookup
/// serves its version with no picture query after the first; returns the session's
/// token and the signed-in user.
async fn with_kept_picture(
    i: &Instance,
    j: &Instance,
    email: &str,
) -> (SessionToken, Authenticated, String) {
    i.h.registered_and_verified(email).await;
    let s = i.h.login(email, PASSWORD).await.unwrap();
    let me = i.h.auth.authenticate(&s.token).await.unwrap().unwrap();
    let v1 =
        i.h.auth
            .set_picture(&me, png(1), &ctx())
            .await
            .unwrap()
            .version;

    let before = j.pictures.reads();
    let (first, shown) = page(j, &s.token).await;
    assert_eq!(shown.as_deref(), Some(v1.as_str()));
    assert_eq!(
        j.pictures.reads(),
        before + 1,
        "the first page asks the store"
    );
    for _ in 0..3 {
        let (again, shown) = page(j, &s.token).await;
        assert!(Arc::ptr_eq(&first, &again), "the lookup was not kept");
        assert_eq!(shown.as_deref(), Some(v1.as_str()));
    }
    assert_eq!(
        j.pictures.reads(),
        before + 1,
        "a kept lookup asked the picture store"
    );
    (s.token, me, v1)
}

/// A new picture and its removal on `i` are shown by `j` on its next request, and by
/// `i` at once.
async fn changes_are_seen(i: &Instance, j: &Instance, email: &str) {
    let (token, me, v1) = with_kept_picture(i, j, email).await;
    // The writer's own lookup kept too, with the old version.
    let (_, shown) = page(i, &token).await;
    assert_eq!(shown.as_deref(), Some(v1.as_str()));
    let (_, shown) = page(i, &token).await;
    assert_eq!(shown.as_deref(), Some(v1.as_str()));

    let v2 =
        i.h.auth
            .set_picture(&me, png(2), &ctx())
            .await
            .unwrap()
            .version;
    assert_ne!(v1, v2);
    assert_eq!(page(i, &token).await.1.as_deref(), Some(v2.as_str()));
    assert_eq!(page(j, &token).await.1.as_deref(), Some(v2.as_str()));

    assert!(i.h.auth.remove_picture(&me, &ctx()).await.unwrap());
    assert_eq!(page(i, &token).await.1, None);
    assert_eq!(page(j, &token).await.1, None);
}

#[tokio::test]
async fn over_one_store_a_kept_lookup_serves_the_version_and_changes_are_seen_at_once() {
    let (a, b) = two(Wiring::Joined, Duration::ZERO);
    changes_are_seen(&a, &b, "pat@example.com").await;
}

#[tokio::test]
async fn with_a_revision_store_a_kept_lookup_serves_the_version_and_changes_are_seen_at_once() {
    let (a, b) = two(Wiring::Kept, Duration::ZERO);
    changes_are_seen(&a, &b, "quin@example.com").await;
}

#[tokio::test]
async fn within_a_staleness_the_writer_sees_its_change_at_once_and_the_other_after_the_bound() {
    let bound = Duration::seconds(5);
    for (wiring, email) in [
        (Wiring::Joined, "rae@example.com"),
        (Wiring::Kept, "sol@example.com"),
    ] {
        let (a, b) = two(wiring, bound);
        let (token, me, v1) = with_kept_picture(&a, &b, email).await;
        let (_, shown) = page(&a, &token).await;
        assert_eq!(shown.as_deref(), Some(v1.as_str()));

        let v2 =
            a.h.auth
                .set_picture(&me, png(3), &ctx())
                .await
                .unwrap()
                .version;
        assert_eq!(page(&a, &token).await.1.as_deref(), Some(v2.as_str()));
        b.h.clock.advance(bound - Duration::milliseconds(1));
        assert_eq!(page(&b, &token).await.1.as_deref(), Some(v1.as_str()));
        b.h.clock.advance(Duration::milliseconds(1));
        assert_eq!(page(&b, &token).await.1.as_deref(), Some(v2.as_str()));
    }
}

#[tokio::test]
async fn a_picture_store_apart_from_the_revision_is_asked_on_every_page() {
    let (a, b) = two(Wiring::Apart, Duration::ZERO);
    a.h.registered_and_verified("tam@example.com").await;
    let s = a.h.login("tam@example.com", PASSWORD).await.unwrap();
    let me = a.h.auth.authenticate(&s.token).await.unwrap().unwrap();
    let v1 =
        a.h.auth
            .set_picture(&me, png(4), &ctx())
            .await
            .unwrap()
            .version;
    let (first, shown) = page(&b, &s.token).await;
    assert_eq!(shown.as_deref(), Some(v1.as_str()));
    let (again, _) = page(&b, &s.token).await;
    assert!(Arc::ptr_eq(&first, &again), "the lookup itself is kept");
    assert_eq!(b.pictures.reads(), 2, "but its picture version is not");
    let v2 =
        a.h.auth
            .set_picture(&me, png(5), &ctx())
            .await
            .unwrap()
            .version;
    assert_eq!(page(&b, &s.token).await.1.as_deref(), Some(v2.as_str()));
}

#[tokio::test]
async fn a_copy_of_a_lookup_asks_the_store() {
    let (a, _) = two(Wiring::Joined, Duration::ZERO);
    a.h.registered_and_verified("uma@example.com").await;
    let s = a.h.login("uma@example.com", PASSWORD).await.unwrap();
    let (_, none) = page(&a, &s.token).await;
    assert_eq!(none, None);
    let reads = a.pictures.reads();
    let copy = a.h.auth.authenticate(&s.token).await.unwrap().unwrap();
    assert_eq!(a.h.auth.own_picture_version(&copy).await.unwrap(), None);
    assert_eq!(a.pictures.reads(), reads + 1);
}
