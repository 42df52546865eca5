use auth_core::{EmailChange, Error, MailKind, PasswordChange, TokenRejection, UniqueField};

use crate::support::{NEW_PASSWORD, PASSWORD, ctx, harness, harness_with};

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let h = harness();
    h.registered_and_verified("ian@example.com").await;
    let here = h.login("ian@example.com", PASSWORD).await.unwrap();
    let elsewhere = h.login("ian@example.com", PASSWORD).await.unwrap();
    let me = h.auth.authenticate(&here.token).await.unwrap().unwrap();

    let wrong = h
        .auth
        .change_password(
            &me,
            PasswordChange {
                current_password: "not my password".into(),
                password: NEW_PASSWORD.into(),
                password_confirm: NEW_PASSWORD.into(),
            },
            &ctx(),
        )
        .await
        .unwrap_err();
    let Error::Validation(v) = wrong else {
        panic!("{wrong:?}")
    };
    assert!(v.field("current_password").is_some());

    h.auth
        .change_password(
            &me,
            PasswordChange {
                current_password: PASSWORD.into(),
                password: NEW_PASSWORD.into(),
                password_confirm: NEW_PASSWORD.into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(h.auth.authenticate(&here.token).await.unwrap().is_some());
    assert!(
        h.auth
            .authenticate(&elsewhere.token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        h.mailer
            .last_to("ian@example.com", MailKind::PasswordChanged)
            .is_some()
    );
    h.login("ian@example.com", NEW_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn changing_the_email_needs_the_new_address_confirmed() {
    let h = harness();
    h.registered_and_verified("jo@example.com").await;
    let s = h.login("jo@example.com", PASSWORD).await.unwrap();
    let me = h.auth.authenticate(&s.token).await.unwrap().unwrap();
    h.auth
        .request_password_reset("jo@example.com", &ctx())
        .await
        .unwrap();
    let old_reset = h.token_from_mail("jo@example.com", MailKind::PasswordReset, "/reset/");

    h.auth
        .request_email_change(
            &me,
            EmailChange {
                password: PASSWORD.into(),
                new_email: "Jo.New@example.com".into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(
        h.mailer
            .last_to("jo@example.com", MailKind::EmailChangeNotice)
            .is_some()
    );
    // Nothing changes until the link is followed.
    h.login("jo@example.com", PASSWORD).await.unwrap();

    let token = h.token_from_mail(
        "jo.new@example.com",
        MailKind::EmailChange,
        "/email/confirm/",
    );
    let user = h.auth.confirm_email_change(&token, &ctx()).await.unwrap();
    assert_eq!(user.email, "jo.new@example.com");
    assert!(user.is_verified());
    assert!(
        h.auth.authenticate(&s.token).await.unwrap().is_none(),
        "sessions end with an email change"
    );
    assert!(matches!(
        h.login("jo@example.com", PASSWORD).await,
        Err(Error::InvalidCredentials)
    ));
    h.login("jo.new@example.com", PASSWORD).await.unwrap();

    let again = h
        .auth
        .confirm_email_change(&token, &ctx())
        .await
        .unwrap_err();
    assert!(matches!(
        again,
        Error::Token {
            reason: TokenRejection::AlreadyUsed,
            ..
        }
    ));
    let stale = h
        .auth
        .reset_password(
            auth_core::PasswordReset {
                token: old_reset,
                password: NEW_PASSWORD.into(),
                password_confirm: NEW_PASSWORD.into(),
            },
            &ctx(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        stale,
        Error::Token {
            reason: TokenRejection::AlreadyUsed,
            ..
        }
    ));
}

#[tokio::test]
async fn an_email_change_to_a_taken_address_sends_no_link_and_cannot_be_forced() {
    let h = harness();
    h.registered_and_verified("kai@example.com").await;
    h.registered_and_verified("lou@example.com").await;
    let s = h.login("kai@example.com", PASSWORD).await.unwrap();
    let me = h.auth.authenticate(&s.token).await.unwrap().unwrap();
    h.mailer.clear();
    h.auth
        .request_email_change(
            &me,
            EmailChange {
                password: PASSWORD.into(),
                new_email: "lou@example.com".into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(
        h.mailer
            .last_to("lou@example.com", MailKind::EmailChange)
            .is_none()
    );

    // A link issued while the address was free fails if it is taken before use.
    h.auth
        .request_email_change(
            &me,
            EmailChange {
                password: PASSWORD.into(),
                new_email: "mo@example.com".into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    let token = h.token_from_mail("mo@example.com", MailKind::EmailChange, "/email/confirm/");
    h.registered_and_verified("mo@example.com").await;
    let err = h
        .auth
        .confirm_email_change(&token, &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Conflict {
                field: UniqueField::Email
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn email_change_refuses_bad_input() {
    let h = harness();
    h.registered_and_verified("ned2@example.com").await;
    let s = h.login("ned2@example.com", PASSWORD).await.unwrap();
    let me = h.auth.authenticate(&s.token).await.unwrap().unwrap();
    for (email, password, field) in [
        ("nope", PASSWORD, "new_email"),
        ("ned2@example.com", PASSWORD, "new_email"),
        ("other@example.com", "wrong password", "password"),
    ] {
        let err = h
            .auth
            .request_email_change(
                &me,
                EmailChange {
                    password: password.into(),
                    new_email: email.into(),
                },
                &ctx(),
            )
            .await
            .unwrap_err();
        let Error::Validation(v) = err else {
            panic!("{err:?}")
        };
        assert!(v.field(field).is_some(), "{email}/{password}: {v}");
    }
}

#[tokio::test]
async fn deleting_the_account_needs_the_password_and_ends_everything() {
    let h = harness();
    h.registered_and_verified("oli@example.com").await;
    let s = h.login("oli@example.com", PASSWORD).await.unwrap();
    let me = h.auth.authenticate(&s.token).await.unwrap().unwrap();
    let err = h
        .auth
        .delete_account(&me, "wrong password", &ctx())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)));
    assert!(h.auth.authenticate(&s.token).await.unwrap().is_some());

    h.auth.delete_account(&me, PASSWORD, &ctx()).await.unwrap();
    assert!(h.auth.authenticate(&s.token).await.unwrap().is_none());
    assert!(matches!(
        h.login("oli@example.com", PASSWORD).await,
        Err(Error::InvalidCredentials)
    ));
    // The address is free again.
    h.register("oli@example.com").await;
}

#[tokio::test]
async fn usernames_are_unique_and_validated() {
    let h = harness();
    h.registered_and_verified("pia@example.com").await;
    h.registered_and_verified("rob@example.com").await;
    let pia = h
        .auth
        .authenticate(&h.login("pia@example.com", PASSWORD).await.unwrap().token)
        .await
        .unwrap()
        .unwrap();
    let rob = h
        .auth
        .authenticate(&h.login("rob@example.com", PASSWORD).await.unwrap().token)
        .await
        .unwrap()
        .unwrap();
    h.auth
        .set_username(&pia, Some("shared".into()), &ctx())
        .await
        .unwrap();
    let err = h
        .auth
        .set_username(&rob, Some("SHARED".into()), &ctx())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Conflict {
            field: UniqueField::Username
        }
    ));
    let err = h
        .auth
        .set_username(&rob, Some("no spaces".into()), &ctx())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)));
    let cleared = h.auth.set_username(&pia, None, &ctx()).await.unwrap();
    assert_eq!(cleared.username, None);
    h.auth
        .set_username(&rob, Some("shared".into()), &ctx())
        .await
        .unwrap();
}

#[tokio::test]
async fn guessing_through_a_stolen_session_locks_the_account() {
    let h = harness_with(|c| {
        c.lockout(auth_core::LockoutPolicy {
            threshold: 3,
            ..Default::default()
        })
    });
    h.registered_and_verified("sam@example.com").await;
    let s = h.login("sam@example.com", PASSWORD).await.unwrap();
    let me = h.auth.authenticate(&s.token).await.unwrap().unwrap();
    for _ in 0..2 {
        let _ = h.auth.delete_account(&me, "guess", &ctx()).await;
    }
    let third = h
        .auth
        .delete_account(&me, "guess", &ctx())
        .await
        .unwrap_err();
    assert!(matches!(third, Error::AccountLocked { .. }), "{third:?}");
    let fourth = h
        .auth
        .delete_account(&me, PASSWORD, &ctx())
        .await
        .unwrap_err();
    assert!(matches!(fourth, Error::AccountLocked { .. }));
}
