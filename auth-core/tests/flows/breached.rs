//! New passwords known from breaches are refused at registration, reset and change, from
//! a real sorted hash file; a source that fails is accepted or refused as configured.

use std::path::Path;
use std::sync::Arc;

use auth_core::conformance::engine::Engine;
use auth_core::{
    BreachCheck, Error, MailKind, PasswordChange, PasswordReset, Registration, SortedHashFile,
    WhenUnavailable,
};
use auth_store_memory::MemoryStore;

use crate::support::{Harness, NEW_PASSWORD, PASSWORD, config, ctx};

/// A password the policy accepts but a breach list holds.
const BREACHED: &str = "summer holidays in tuscany 2019";

/// An engine whose breach check reads a file listing [`BREACHED`] and [`NEW_PASSWORD`].
fn harness_with_breaches(dir: &Path, when: WhenUnavailable) -> Harness {
    let file = SortedHashFile::create(dir.join("breached.txt"), [BREACHED, NEW_PASSWORD]).unwrap();
    let check = BreachCheck::new(Arc::new(file)).when_unavailable(when);
    Engine::wired(Arc::new(MemoryStore::new()), config(), |builder, store| {
        builder.store(store.clone()).breach_check(check)
    })
}

fn registration(email: &str, password: &str) -> Registration {
    Registration {
        email: email.into(),
        username: None,
        password: password.into(),
        password_confirm: password.into(),
        profile: Default::default(),
        language: None,
    }
}

fn assert_breached(error: Error) {
    let Error::Validation(v) = error else {
        panic!("{error:?}")
    };
    assert_eq!(v.field("password").unwrap().code, "breached");
}

#[tokio::test]
async fn registration_with_a_breached_password_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness_with_breaches(dir.path(), WhenUnavailable::Refuse);
    let error = h
        .auth
        .register(registration("ann@example.com", BREACHED), &ctx())
        .await
        .unwrap_err();
    assert_breached(error);
    assert!(h.mailer.sent().is_empty());
    assert!(matches!(
        h.login("ann@example.com", BREACHED).await,
        Err(Error::InvalidCredentials)
    ));
    h.auth
        .register(registration("ann@example.com", PASSWORD), &ctx())
        .await
        .unwrap();
    assert_eq!(h.mailer.sent().len(), 1);
}

#[tokio::test]
async fn a_breached_password_is_refused_as_a_change_and_as_a_reset() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness_with_breaches(dir.path(), WhenUnavailable::Refuse);
    h.registered_and_verified("bea@example.com").await;
    let session = h.signed_in("bea@example.com").await;
    let change = PasswordChange {
        current_password: PASSWORD.into(),
        password: NEW_PASSWORD.into(),
        password_confirm: NEW_PASSWORD.into(),
    };
    assert_breached(
        h.auth
            .change_password(&session, change, &ctx())
            .await
            .unwrap_err(),
    );

    h.auth
        .request_password_reset("bea@example.com", &ctx())
        .await
        .unwrap();
    let token = h.token_from_mail("bea@example.com", MailKind::PasswordReset, "/reset/");
    let reset = |password: &str| PasswordReset {
        token: token.clone(),
        password: password.into(),
        password_confirm: password.into(),
    };
    assert_breached(
        h.auth
            .reset_password(reset(BREACHED), &ctx())
            .await
            .unwrap_err(),
    );
    h.login("bea@example.com", PASSWORD).await.unwrap();
    h.auth
        .reset_password(reset("granite rivers whisper at dawn"), &ctx())
        .await
        .unwrap();
    h.login("bea@example.com", "granite rivers whisper at dawn")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_failing_source_accepts_or_refuses_as_configured() {
    for when in [WhenUnavailable::Accept, WhenUnavailable::Refuse] {
        let dir = tempfile::tempdir().unwrap();
        let h = harness_with_breaches(dir.path(), when);
        std::fs::remove_file(dir.path().join("breached.txt")).unwrap();
        let outcome = h
            .auth
            .register(registration("cat@example.com", BREACHED), &ctx())
            .await;
        match when {
            WhenUnavailable::Accept => {
                outcome.unwrap();
                assert_eq!(h.mailer.sent().len(), 1);
            }
            WhenUnavailable::Refuse => {
                assert!(
                    matches!(outcome, Err(Error::Unavailable { .. })),
                    "{outcome:?}"
                );
                assert!(h.mailer.sent().is_empty());
            }
        }
    }
}

#[tokio::test]
async fn the_policy_answers_first_so_a_weak_password_costs_no_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness_with_breaches(dir.path(), WhenUnavailable::Refuse);
    std::fs::remove_file(dir.path().join("breached.txt")).unwrap();
    let error = h
        .auth
        .register(registration("dan@example.com", "short"), &ctx())
        .await
        .unwrap_err();
    let Error::Validation(v) = error else {
        panic!("{error:?}")
    };
    assert_eq!(v.field("password").unwrap().code, "too_short");
}
