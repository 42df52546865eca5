//! The engine's memory of session lookups (`Auth::authenticate_shared`), over a store
//! with a revision (the memory store), and over split stores (users in one store,
//! sessions in another) with the revision kept apart (a `RevisionStore`, as Redis keeps
//! it for users in SQL): two engines share the stores, each with its own memory, as two
//! instances of an application share a database. A session revoked through one is
//! refused by the other on the very next request, with no waiting, unless the
//! configuration opts into a bounded staleness; then it is refused once the bound has
//! passed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use async_trait::async_trait;
use auth_core::{Error, PasswordChange, RevisionStore, SessionToken};
use auth_store_memory::MemoryStore;
use time::Duration;

use crate::support::{Harness, NEW_PASSWORD, PASSWORD, config, ctx};

/// Two engines (instances) over one store.
fn two_instances() -> (Harness, Harness) {
    let store = Arc::new(MemoryStore::new());
    (Harness::on(store.clone()), Harness::on(store))
}

/// A revision kept apart from users and sessions, as the Redis store keeps one; it can
/// be made to fail its advances.
#[derive(Default)]
struct KeptRevision {
    value: AtomicU64,
    reads: AtomicU64,
    failing: AtomicBool,
}

#[async_trait]
impl RevisionStore for KeptRevision {
    async fn current_revision(&self) -> auth_core::Result<u64> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.value.load(Ordering::SeqCst))
    }

    async fn advance_revision(&self) -> auth_core::Result<()> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(Error::unavailable(std::io::Error::other("revision down")));
        }
        self.value.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Two engines over split stores: users (and the rest) in one memory store, sessions in
/// another, the revision kept apart; with `staleness` allowed.
fn two_split_instances(staleness: Duration) -> (Harness, Harness, Arc<KeptRevision>) {
    let users = Arc::new(MemoryStore::new());
    let sessions = Arc::new(MemoryStore::new());
    let revision = Arc::new(KeptRevision::default());
    let instance = || {
        let (sessions, revision) = (sessions.clone(), revision.clone());
        Harness::wired(
            users.clone(),
            config().session_staleness(staleness),
            move |builder, users| {
                builder
                    .store(users.clone())
                    .sessions(sessions)
                    .revisions(revision)
            },
        )
    };
    (instance(), instance(), revision)
}

/// Authenticates `token` on `h` twice and checks that the second request was served
/// from the instance's memory (the same shared record), so that what follows tests
/// a kept lookup.
async fn kept_on(h: &Harness, token: &SessionToken) {
    let first = h.auth.authenticate_shared(token).await.unwrap().unwrap();
    let again = h.auth.authenticate_shared(token).await.unwrap().unwrap();
    assert!(
        Arc::ptr_eq(&first, &again),
        "the second lookup was not kept"
    );
}

async fn refused_on(h: &Harness, token: &SessionToken) {
    assert!(
        h.auth.authenticate_kept(token).is_none(),
        "memory alone served a session it must refuse"
    );
    assert!(h.auth.authenticate_shared(token).await.unwrap().is_none());
    assert!(h.auth.authenticate(token).await.unwrap().is_none());
}

/// What memory alone answers (`Auth::authenticate_kept`, which the web layer asks
/// first) is the lookup `authenticate_shared` keeps: nothing before it, and nothing
/// while only a store can tell the revision.
#[tokio::test]
async fn memory_alone_answers_with_a_kept_lookup_under_a_revision_held_here_only() {
    let (a, b) = two_instances();
    a.registered_and_verified("kit@example.com").await;
    let s = a.login("kit@example.com", PASSWORD).await.unwrap();
    assert!(
        b.auth.authenticate_kept(&s.token).is_none(),
        "never looked up here"
    );
    kept_on(&b, &s.token).await;
    let kept = b.auth.authenticate_kept(&s.token).expect("kept");
    let shared = b.auth.authenticate_shared(&s.token).await.unwrap().unwrap();
    assert!(Arc::ptr_eq(&kept, &shared), "the same lookup");

    let (c, d, revision) = two_split_instances(Duration::ZERO);
    c.registered_and_verified("kit@example.com").await;
    let s = c.login("kit@example.com", PASSWORD).await.unwrap();
    kept_on(&d, &s.token).await;
    let reads = revision.reads.load(Ordering::SeqCst);
    assert!(
        d.auth.authenticate_kept(&s.token).is_none(),
        "a revision kept in a store is read from the store"
    );
    assert_eq!(
        revision.reads.load(Ordering::SeqCst),
        reads,
        "and not by it"
    );
}

#[tokio::test]
async fn a_logout_on_one_instance_is_seen_by_the_other_at_once() {
    let (a, b) = two_instances();
    a.registered_and_verified("kim@example.com").await;
    let s = a.login("kim@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    a.auth.logout(&s.token, &ctx()).await.unwrap();
    refused_on(&b, &s.token).await;
}

#[tokio::test]
async fn a_password_change_on_one_instance_ends_the_other_sessions_everywhere() {
    let (a, b) = two_instances();
    a.registered_and_verified("lee@example.com").await;
    let here = a.signed_in("lee@example.com").await;
    let elsewhere = a.login("lee@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &elsewhere.token).await;
    let change = PasswordChange {
        current_password: PASSWORD.into(),
        password: NEW_PASSWORD.into(),
        password_confirm: NEW_PASSWORD.into(),
    };
    a.auth.change_password(&here, change, &ctx()).await.unwrap();
    refused_on(&b, &elsewhere.token).await;
}

#[tokio::test]
async fn disabling_or_signing_out_by_an_administrator_is_seen_by_the_other_instance() {
    let (a, b) = two_instances();
    let root = a.admin().await;
    let user = a.registered_and_verified("max@example.com").await;
    let s = a.login("max@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    a.auth.admin_disable(&root, user.id, &ctx()).await.unwrap();
    refused_on(&b, &s.token).await;

    a.auth.admin_enable(&root, user.id, &ctx()).await.unwrap();
    let s = a.login("max@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    a.auth
        .admin_force_logout(&root, user.id, &ctx())
        .await
        .unwrap();
    refused_on(&b, &s.token).await;
}

#[tokio::test]
async fn a_change_of_the_user_is_served_fresh_and_expiry_is_checked_on_every_request() {
    let (a, b) = two_instances();
    let root = a.admin().await;
    let user = a.registered_and_verified("ada@example.com").await;
    let s = a.login("ada@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    a.auth
        .admin_set_roles(&root, user.id, vec!["editor".into()], &ctx())
        .await
        .unwrap();
    let fresh = b.auth.authenticate_shared(&s.token).await.unwrap().unwrap();
    assert_eq!(fresh.user.roles, ["editor"]);

    // Kept, then idle past the timeout on this instance's clock: refused without a
    // write having happened.
    kept_on(&b, &s.token).await;
    b.clock
        .advance(b.auth.config().sessions().idle_timeout + Duration::seconds(1));
    refused_on(&b, &s.token).await;
}

#[tokio::test]
async fn a_session_due_for_its_last_seen_write_is_looked_up_and_touched() {
    let (a, b) = two_instances();
    a.registered_and_verified("eve@example.com").await;
    let s = a.login("eve@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    let before = b.auth.authenticate_shared(&s.token).await.unwrap().unwrap();
    b.clock
        .advance(b.auth.config().sessions().touch_interval + Duration::seconds(1));
    let touched = b.auth.authenticate_shared(&s.token).await.unwrap().unwrap();
    assert!(!Arc::ptr_eq(&before, &touched));
    assert!(touched.session.last_seen_at > before.session.last_seen_at);
    // The write is the store's: the other instance sees it.
    let seen = a.auth.authenticate(&s.token).await.unwrap().unwrap();
    assert_eq!(seen.session.last_seen_at, touched.session.last_seen_at);
}

#[tokio::test]
async fn split_stores_keep_lookups_and_see_a_logout_on_the_other_instance_at_once() {
    let (a, b, revision) = two_split_instances(Duration::ZERO);
    a.registered_and_verified("ian@example.com").await;
    let s = a.login("ian@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    // A kept lookup costs one read of the revision, nothing else.
    let reads = revision.reads.load(Ordering::SeqCst);
    b.auth.authenticate_shared(&s.token).await.unwrap().unwrap();
    assert_eq!(revision.reads.load(Ordering::SeqCst), reads + 1);
    a.auth.logout(&s.token, &ctx()).await.unwrap();
    refused_on(&b, &s.token).await;
}

#[tokio::test]
async fn split_stores_see_a_password_change_disabling_and_force_logout_at_once() {
    let (a, b, _) = two_split_instances(Duration::ZERO);
    let root = a.admin().await;
    let user = a.registered_and_verified("jo@example.com").await;
    let here = a.signed_in("jo@example.com").await;
    let elsewhere = a.login("jo@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &elsewhere.token).await;
    let change = PasswordChange {
        current_password: PASSWORD.into(),
        password: NEW_PASSWORD.into(),
        password_confirm: NEW_PASSWORD.into(),
    };
    a.auth.change_password(&here, change, &ctx()).await.unwrap();
    refused_on(&b, &elsewhere.token).await;

    let s = a.login("jo@example.com", NEW_PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    a.auth.admin_disable(&root, user.id, &ctx()).await.unwrap();
    refused_on(&b, &s.token).await;

    a.auth.admin_enable(&root, user.id, &ctx()).await.unwrap();
    let s = a.login("jo@example.com", NEW_PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    a.auth
        .admin_force_logout(&root, user.id, &ctx())
        .await
        .unwrap();
    refused_on(&b, &s.token).await;
}

#[tokio::test]
async fn a_staleness_serves_a_revoked_session_within_the_bound_and_refuses_it_after() {
    let bound = Duration::seconds(5);
    let (a, b, revision) = two_split_instances(bound);
    a.registered_and_verified("liv@example.com").await;
    let s = a.login("liv@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    // Within the bound the copy of the revision is trusted: no read at all.
    let reads = revision.reads.load(Ordering::SeqCst);
    b.auth.authenticate_shared(&s.token).await.unwrap().unwrap();
    assert!(
        b.auth.authenticate_kept(&s.token).is_some(),
        "memory alone answers while the copy is trusted"
    );
    assert_eq!(revision.reads.load(Ordering::SeqCst), reads);

    a.auth.logout(&s.token, &ctx()).await.unwrap();
    // The instance that revoked refuses at once; the other may serve it until the bound.
    refused_on(&a, &s.token).await;
    b.clock.advance(bound - Duration::milliseconds(1));
    let stale = b.auth.authenticate_shared(&s.token).await.unwrap();
    assert!(stale.is_some(), "served within the bound");
    b.clock.advance(Duration::milliseconds(1));
    refused_on(&b, &s.token).await;
}

#[tokio::test]
async fn a_staleness_over_one_store_is_bounded_too() {
    let store = Arc::new(MemoryStore::new());
    let bound = Duration::seconds(2);
    let a = Harness::on_with(store.clone(), |c| c.session_staleness(bound));
    let b = Harness::on_with(store, |c| c.session_staleness(bound));
    a.registered_and_verified("mo@example.com").await;
    let s = a.login("mo@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    a.auth.logout(&s.token, &ctx()).await.unwrap();
    assert!(
        b.auth
            .authenticate_shared(&s.token)
            .await
            .unwrap()
            .is_some()
    );
    b.clock.advance(bound);
    refused_on(&b, &s.token).await;
}

#[tokio::test]
async fn a_negative_staleness_is_refused() {
    let refused = config().session_staleness(Duration::seconds(-1)).build();
    assert!(matches!(refused, Err(Error::Config(_))));
}

#[tokio::test]
async fn a_failed_advance_fails_the_write_and_nothing_is_served_from_memory_until_one_succeeds() {
    let (a, b, revision) = two_split_instances(Duration::ZERO);
    a.registered_and_verified("ned@example.com").await;
    let s = a.login("ned@example.com", PASSWORD).await.unwrap();
    let other = a.login("ned@example.com", PASSWORD).await.unwrap();
    kept_on(&a, &other.token).await;
    kept_on(&b, &s.token).await;

    revision.failing.store(true, Ordering::SeqCst);
    let failed = a.auth.logout(&s.token, &ctx()).await;
    assert!(failed.is_err(), "the logout reports the failed advance");
    // The instance that failed serves nothing from memory while it cannot advance.
    assert!(a.auth.authenticate_shared(&other.token).await.is_err());

    revision.failing.store(false, Ordering::SeqCst);
    // Its next request advances first; then every instance refuses the revoked session.
    let still = a.auth.authenticate_shared(&other.token).await.unwrap();
    assert!(still.is_some());
    refused_on(&b, &s.token).await;
}
