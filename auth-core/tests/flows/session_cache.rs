//! The engine's memory of session lookups (`Auth::authenticate_shared`), over a store
//! with a revision (the memory store): two engines share one store, each with its own
//! memory, as two instances of an application share a database. A session revoked
//! through one is refused by the other on the very next request, with no waiting.

use std::sync::Arc;

use auth_core::{PasswordChange, SessionToken};
use auth_store_memory::MemoryStore;
use time::Duration;

use crate::support::{Harness, NEW_PASSWORD, PASSWORD, ctx};

/// Two engines (instances) over one store.
fn two_instances() -> (Harness, Harness) {
    let store = Arc::new(MemoryStore::new());
    (Harness::on(store.clone()), Harness::on(store))
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
    assert!(h.auth.authenticate_shared(token).await.unwrap().is_none());
    assert!(h.auth.authenticate(token).await.unwrap().is_none());
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
