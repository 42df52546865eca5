use std::sync::Arc;

use auth_core::{Error, MailKind, PasswordReset, TokenRejection};
use time::Duration;

use crate::support::{NEW_PASSWORD, PASSWORD, ctx, harness, harness_with};

fn reset(token: &str, password: &str) -> PasswordReset {
    PasswordReset {
        token: token.into(),
        password: password.into(),
        password_confirm: password.into(),
    }
}

#[tokio::test]
async fn reset_by_link_ends_every_session_and_works_once() {
    let h = harness();
    h.registered_and_verified("amy@example.com").await;
    let before = h.login("amy@example.com", PASSWORD).await.unwrap();

    h.auth
        .request_password_reset("amy@example.com", &ctx())
        .await
        .unwrap();
    let token = h.token_from_mail("amy@example.com", MailKind::PasswordReset, "/reset/");
    h.auth.check_reset_token(&token).await.unwrap();
    h.auth
        .reset_password(reset(&token, NEW_PASSWORD), &ctx())
        .await
        .unwrap();

    assert!(h.auth.authenticate(&before.token).await.unwrap().is_none());
    assert!(matches!(
        h.login("amy@example.com", PASSWORD).await,
        Err(Error::InvalidCredentials)
    ));
    h.login("amy@example.com", NEW_PASSWORD).await.unwrap();
    assert!(
        h.mailer
            .last_to("amy@example.com", MailKind::PasswordChanged)
            .is_some()
    );

    let again = h
        .auth
        .reset_password(reset(&token, "another fine passphrase"), &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(
            again,
            Error::Token {
                reason: TokenRejection::AlreadyUsed,
                ..
            }
        ),
        "{again:?}"
    );
    assert!(matches!(
        h.auth.check_reset_token(&token).await,
        Err(Error::Token {
            reason: TokenRejection::AlreadyUsed,
            ..
        })
    ));
}

#[tokio::test]
async fn unknown_addresses_get_the_same_answer_and_no_mail() {
    let h = harness();
    h.auth
        .request_password_reset("nobody@example.com", &ctx())
        .await
        .unwrap();
    assert!(h.mailer.sent().is_empty());
    let bad = h
        .auth
        .request_password_reset("not an address", &ctx())
        .await
        .unwrap_err();
    assert!(matches!(bad, Error::Validation(_)));
}

#[tokio::test]
async fn a_verification_link_is_refused_at_reset() {
    let h = harness();
    h.register("ben@example.com").await;
    let verify = h.token_from_mail("ben@example.com", MailKind::Verification, "/verify/");
    let err = h
        .auth
        .reset_password(reset(&verify, NEW_PASSWORD), &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Token {
                reason: TokenRejection::WrongPurpose,
                ..
            }
        ),
        "{err:?}"
    );

    h.auth
        .request_password_reset("ben@example.com", &ctx())
        .await
        .unwrap();
    let reset_token = h.token_from_mail("ben@example.com", MailKind::PasswordReset, "/reset/");
    let err = h.auth.verify_email(&reset_token, &ctx()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Token {
                reason: TokenRejection::WrongPurpose,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn reset_links_expire_after_thirty_minutes() {
    let h = harness();
    h.registered_and_verified("cat@example.com").await;
    h.auth
        .request_password_reset("cat@example.com", &ctx())
        .await
        .unwrap();
    let token = h.token_from_mail("cat@example.com", MailKind::PasswordReset, "/reset/");
    h.clock.advance(Duration::minutes(31));
    let err = h
        .auth
        .reset_password(reset(&token, NEW_PASSWORD), &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Token {
                reason: TokenRejection::Expired,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_newer_credential_change_kills_older_links() {
    let h = harness();
    h.registered_and_verified("dan@example.com").await;
    h.auth
        .request_password_reset("dan@example.com", &ctx())
        .await
        .unwrap();
    let first = h.token_from_mail("dan@example.com", MailKind::PasswordReset, "/reset/");
    h.auth
        .request_password_reset("dan@example.com", &ctx())
        .await
        .unwrap();
    let second = h.token_from_mail("dan@example.com", MailKind::PasswordReset, "/reset/");
    h.auth
        .reset_password(reset(&second, NEW_PASSWORD), &ctx())
        .await
        .unwrap();
    let err = h
        .auth
        .reset_password(reset(&first, "another fine passphrase"), &ctx())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Token {
            reason: TokenRejection::AlreadyUsed,
            ..
        }
    ));
}

#[tokio::test]
async fn a_weak_new_password_keeps_the_link_usable() {
    let h = harness();
    h.registered_and_verified("eve@example.com").await;
    h.auth
        .request_password_reset("eve@example.com", &ctx())
        .await
        .unwrap();
    let token = h.token_from_mail("eve@example.com", MailKind::PasswordReset, "/reset/");
    let weak = h
        .auth
        .reset_password(reset(&token, "12345678"), &ctx())
        .await
        .unwrap_err();
    let Error::Validation(v) = weak else {
        panic!("{weak:?}")
    };
    assert!(v.field("password").is_some());
    let mismatch = h
        .auth
        .reset_password(
            PasswordReset {
                token: token.clone(),
                password: NEW_PASSWORD.into(),
                password_confirm: "x".into(),
            },
            &ctx(),
        )
        .await
        .unwrap_err();
    let Error::Validation(v) = mismatch else {
        panic!()
    };
    assert_eq!(v.field("password_confirm").unwrap().code, "mismatch");
    h.auth
        .reset_password(reset(&token, NEW_PASSWORD), &ctx())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reset_link_raced_from_many_tasks_succeeds_once() {
    let h = Arc::new(harness());
    h.registered_and_verified("fin@example.com").await;
    h.auth
        .request_password_reset("fin@example.com", &ctx())
        .await
        .unwrap();
    let token = h.token_from_mail("fin@example.com", MailKind::PasswordReset, "/reset/");
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let h = h.clone();
            let token = token.clone();
            tokio::spawn(async move {
                h.auth
                    .reset_password(reset(&token, &format!("{NEW_PASSWORD} {i}")), &ctx())
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::Token {
                reason: TokenRejection::AlreadyUsed,
                ..
            }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn a_reset_lifts_a_lockout() {
    let h = harness_with(|c| {
        c.lockout(auth_core::LockoutPolicy {
            threshold: 2,
            ..Default::default()
        })
    });
    h.registered_and_verified("gil@example.com").await;
    for _ in 0..2 {
        let _ = h.login("gil@example.com", "wrong password 1").await;
    }
    assert!(matches!(
        h.login("gil@example.com", PASSWORD).await,
        Err(Error::AccountLocked { .. })
    ));
    h.auth
        .request_password_reset("gil@example.com", &ctx())
        .await
        .unwrap();
    let token = h.token_from_mail("gil@example.com", MailKind::PasswordReset, "/reset/");
    h.auth
        .reset_password(reset(&token, NEW_PASSWORD), &ctx())
        .await
        .unwrap();
    h.login("gil@example.com", NEW_PASSWORD).await.unwrap();
}
