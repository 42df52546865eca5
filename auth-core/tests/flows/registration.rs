use auth_core::{
    Error, MailKind, RegisterOutcome, Registration, RegistrationMode, TokenRejection, UniqueField,
};

use crate::support::{PASSWORD, ctx, harness, harness_with};

fn registration(email: &str, password: &str, confirm: &str) -> Registration {
    Registration {
        email: email.into(),
        username: None,
        password: password.into(),
        password_confirm: confirm.into(),
        profile: Default::default(),
        language: None,
    }
}

#[tokio::test]
async fn register_then_verify_by_the_mailed_link_once() {
    let h = harness();
    let user = h.register("Alice@Example.com").await;
    assert_eq!(user.email, "alice@example.com");
    assert!(!user.is_verified());

    let token = h.token_from_mail("alice@example.com", MailKind::Verification, "/verify/");
    let verified = h.auth.verify_email(&token, &ctx()).await.unwrap();
    assert!(verified.is_verified());

    let again = h.auth.verify_email(&token, &ctx()).await.unwrap_err();
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
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once() {
    let h = harness();
    let err = h
        .auth
        .register(
            Registration {
                email: "not-an-email".into(),
                username: Some("x".into()),
                password: "short".into(),
                password_confirm: "other".into(),
                profile: Default::default(),
                language: None,
            },
            &ctx(),
        )
        .await
        .unwrap_err();
    let Error::Validation(v) = err else {
        panic!("{err:?}")
    };
    assert_eq!(v.field("email").unwrap().code, "invalid");
    assert_eq!(v.field("username").unwrap().code, "too_short");
    assert_eq!(v.field("password").unwrap().code, "too_short");
    assert_eq!(v.field("password_confirm").unwrap().code, "mismatch");
    assert!(h.mailer.sent().is_empty());
}

#[tokio::test]
async fn common_and_personal_passwords_are_refused() {
    let h = harness();
    for (email, password) in [
        ("bob@example.com", "password123"),
        ("bobbytables@example.com", "bobbytables-2024"),
    ] {
        let err = h
            .auth
            .register(registration(email, password, password), &ctx())
            .await
            .unwrap_err();
        let Error::Validation(v) = err else {
            panic!("{err:?}")
        };
        assert!(v.field("password").is_some(), "{password} accepted");
    }
}

#[tokio::test]
async fn a_taken_address_is_a_conflict_when_revealed() {
    let h = harness();
    h.register("carol@example.com").await;
    let err = h
        .auth
        .register(
            registration("CAROL@example.com", PASSWORD, PASSWORD),
            &ctx(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Conflict {
            field: UniqueField::Email
        }
    ));
}

#[tokio::test]
async fn enumeration_safe_registration_answers_alike_and_mails_the_owner() {
    let h = harness_with(|c| c.registration(RegistrationMode::EnumerationSafe));
    let first = h
        .auth
        .register(registration("dave@example.com", PASSWORD, PASSWORD), &ctx())
        .await
        .unwrap();
    let second = h
        .auth
        .register(registration("dave@example.com", PASSWORD, PASSWORD), &ctx())
        .await
        .unwrap();
    assert_eq!(first, RegisterOutcome::Accepted);
    assert_eq!(second, RegisterOutcome::Accepted);
    let kinds: Vec<MailKind> = h.mailer.sent().iter().map(|m| m.kind).collect();
    assert_eq!(kinds, vec![MailKind::Verification, MailKind::AccountExists]);
}

#[tokio::test]
async fn background_mail_is_delivered_by_settle() {
    let h = harness_with(|c| c.mail_in_background(true));
    h.register("erin@example.com").await;
    h.auth.settle().await;
    assert!(
        h.mailer
            .last_to("erin@example.com", MailKind::Verification)
            .is_some()
    );
}

#[tokio::test]
async fn resend_verification_only_mails_unverified_accounts() {
    let h = harness();
    h.register("fay@example.com").await;
    h.mailer.clear();
    h.auth
        .resend_verification("fay@example.com", &ctx())
        .await
        .unwrap();
    h.auth
        .resend_verification("nobody@example.com", &ctx())
        .await
        .unwrap();
    assert_eq!(h.mailer.sent().len(), 1);

    let token = h.token_from_mail("fay@example.com", MailKind::Verification, "/verify/");
    h.auth.verify_email(&token, &ctx()).await.unwrap();
    h.mailer.clear();
    h.auth
        .resend_verification("fay@example.com", &ctx())
        .await
        .unwrap();
    assert!(h.mailer.sent().is_empty());
}

#[tokio::test]
async fn a_verification_link_dies_when_it_expires() {
    let h = harness();
    h.register("gus@example.com").await;
    let token = h.token_from_mail("gus@example.com", MailKind::Verification, "/verify/");
    h.clock.advance(time::Duration::hours(25));
    let err = h.auth.verify_email(&token, &ctx()).await.unwrap_err();
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
async fn tampered_links_are_refused() {
    let h = harness();
    h.register("hal@example.com").await;
    let token = h.token_from_mail("hal@example.com", MailKind::Verification, "/verify/");
    // Change the signature's first character: the last one carries bits that base64url
    // requires to be zero, so changing it there can make the token malformed instead.
    let sig = token.rfind('.').unwrap() + 1;
    let swap = if token[sig..].starts_with('A') {
        "B"
    } else {
        "A"
    };
    let tampered = format!("{}{swap}{}", &token[..sig], &token[sig + 1..]);
    let err = h.auth.verify_email(&tampered, &ctx()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Token {
                reason: TokenRejection::BadSignature,
                ..
            }
        ),
        "{err:?}"
    );
    let err = h.auth.verify_email("garbage", &ctx()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Token {
                reason: TokenRejection::Malformed,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn registration_is_rate_limited_per_address() {
    let h = harness_with(|c| {
        c.rate_limits(auth_core::RateLimits {
            register_per_ip: auth_core::RateLimit::new(2, time::Duration::hours(1)),
            ..auth_core::RateLimits::default()
        })
    });
    h.register("i1@example.com").await;
    h.register("i2@example.com").await;
    let err = h
        .auth
        .register(registration("i3@example.com", PASSWORD, PASSWORD), &ctx())
        .await
        .unwrap_err();
    let retry = err.retry_after().expect("a retry-after");
    assert!(matches!(err, Error::RateLimited { .. }));
    assert!(
        retry.as_secs() > 3000 && retry.as_secs() <= 3600,
        "{retry:?}"
    );
}

#[tokio::test]
async fn secrets_never_show_in_debug_output() {
    let r = registration("j@example.com", PASSWORD, PASSWORD);
    let shown = format!("{r:?}");
    assert!(!shown.contains(PASSWORD));
    let h = harness();
    let user = h.register("j@example.com").await;
    let shown = format!("{user:?}");
    assert!(!shown.contains(user.password_hash.as_str()));
    assert!(!shown.contains(user.security_stamp.as_str()));
}
