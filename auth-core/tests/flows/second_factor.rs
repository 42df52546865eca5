//! Second factors: enrolment, the two-step sign-in, replay refusal, recovery codes,
//! removal and the administrator's reset.

use auth_core::{
    AuditKind, AuditSink as _, Auth, Authenticated, Error, Login, MailKind, RecoveryCodes, SignIn,
    UserStore as _,
};
use time::Duration;

use crate::support::{Harness, PASSWORD, ctx, harness};

/// The code an authenticator app shows for `secret_base32` at the engine's time.
fn code(h: &Harness, secret_base32: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    let seconds = u64::try_from(h.auth.now().unix_timestamp()).unwrap();
    totp.generate(seconds).to_string()
}

fn field_of(error: &Error) -> Option<String> {
    match error {
        Error::Validation(errors) => errors.errors().first().map(|f| f.field.to_owned()),
        _ => None,
    }
}

/// A verified account with an authenticator app enrolled: its session, secret and
/// recovery codes.
async fn enrolled(h: &Harness, email: &str) -> (Authenticated, String, RecoveryCodes) {
    h.registered_and_verified(email).await;
    let s = h.login(email, PASSWORD).await.unwrap();
    let me = h.auth.authenticate(&s.token).await.unwrap().unwrap();
    let enrolment = h.auth.start_totp_enrolment(&me).await.unwrap();
    let codes = h
        .auth
        .finish_totp_enrolment(&me, &code(h, &enrolment.secret_base32), &ctx())
        .await
        .unwrap();
    // The next sign-in must not meet the enrolment's code as already used.
    h.clock.advance(Duration::seconds(60));
    (me, enrolment.secret_base32, codes)
}

async fn pending(auth: &Auth, email: &str) -> String {
    let login = Login {
        login: email.into(),
        password: PASSWORD.into(),
        remember: false,
    };
    match auth.sign_in(login, &ctx()).await.unwrap() {
        SignIn::SecondFactor(p) => p.token().to_owned(),
        other => panic!("expected a pending sign-in, got {other:?}"),
    }
}

#[tokio::test]
async fn enrolment_completes_only_with_a_correct_code() {
    let h = harness();
    h.registered_and_verified("e1@example.com").await;
    let s = h.login("e1@example.com", PASSWORD).await.unwrap();
    let me = h.auth.authenticate(&s.token).await.unwrap().unwrap();
    let enrolment = h.auth.start_totp_enrolment(&me).await.unwrap();
    assert_eq!(enrolment.secret_base32.len(), 32, "160 bits in base32");
    assert!(enrolment.otpauth_url.starts_with("otpauth://totp/"));
    assert_eq!(enrolment.account, "e1@example.com");
    assert!(!format!("{enrolment:?}").contains(&enrolment.secret_base32));

    for bad in ["", "12345", "abcdef", "1234567"] {
        let e = h
            .auth
            .finish_totp_enrolment(&me, bad, &ctx())
            .await
            .unwrap_err();
        assert_eq!(field_of(&e).as_deref(), Some("code"), "{bad}: {e:?}");
    }
    let right = code(&h, &enrolment.secret_base32);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let e = h
        .auth
        .finish_totp_enrolment(&me, &wrong, &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("code"));
    let user = h.store.user_by_id(me.user.id).await.unwrap().unwrap();
    assert!(
        user.second_factor.is_none(),
        "unchanged until a correct code"
    );

    let codes = h
        .auth
        .finish_totp_enrolment(&me, &right, &ctx())
        .await
        .unwrap();
    assert_eq!(codes.codes().len(), 10);
    let user = h.store.user_by_id(me.user.id).await.unwrap().unwrap();
    let factor = user.second_factor.expect("enrolled");
    assert_eq!(factor.recovery_codes_left(), 10);
    assert!(!factor.totp_sealed.contains(&enrolment.secret_base32));
    assert!(factor.totp_sealed.starts_with("sealed:v1:"));
    for code in codes.codes() {
        assert!(
            !factor.recovery_digests.contains(code),
            "stored as digests only"
        );
    }
    let events = h.store.events_for_user(me.user.id, 10).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == AuditKind::SecondFactorEnabled)
    );
    // Enrolling again needs the old factor removed first.
    assert!(h.auth.start_totp_enrolment(&me).await.is_err());
}

#[tokio::test]
async fn the_password_alone_yields_a_pending_sign_in_never_a_session() {
    let h = harness();
    let (me, secret, _) = enrolled(&h, "p1@example.com").await;
    let before = h.auth.sessions(&me).await.unwrap().len();

    assert!(matches!(
        h.login("p1@example.com", PASSWORD).await,
        Err(Error::SecondFactorRequired)
    ));
    let token = pending(&h.auth, "p1@example.com").await;
    assert_eq!(
        h.auth.sessions(&me).await.unwrap().len(),
        before,
        "no session yet"
    );
    // A wrong password looks like any other wrong password.
    let wrong = Login {
        login: "p1@example.com".into(),
        password: "not the password".into(),
        remember: false,
    };
    assert!(matches!(
        h.auth.sign_in(wrong, &ctx()).await,
        Err(Error::InvalidCredentials)
    ));

    let done = h
        .auth
        .complete_sign_in(&token, &code(&h, &secret), &ctx())
        .await
        .unwrap();
    assert_eq!(done.user.id, me.user.id);
    assert!(h.auth.authenticate(&done.token).await.unwrap().is_some());
    assert_eq!(h.auth.sessions(&me).await.unwrap().len(), before + 1);
    // The pending sign-in is spent.
    let e = h
        .auth
        .complete_sign_in(&token, &code(&h, &secret), &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("pending"));
}

#[tokio::test]
async fn a_code_is_accepted_once_and_malformed_input_changes_nothing() {
    let h = harness();
    let (_, secret, _) = enrolled(&h, "r1@example.com").await;
    let used = code(&h, &secret);
    let first = pending(&h.auth, "r1@example.com").await;
    h.auth
        .complete_sign_in(&first, &used, &ctx())
        .await
        .unwrap();

    let second = pending(&h.auth, "r1@example.com").await;
    let e = h
        .auth
        .complete_sign_in(&second, &used, &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("code"), "{e:?}");
    // Malformed input: a field error, and the pending sign-in lives on.
    for bad in ["12a456", "1234", &"9".repeat(65)] {
        let e = h
            .auth
            .complete_sign_in(&second, bad, &ctx())
            .await
            .unwrap_err();
        assert_eq!(field_of(&e).as_deref(), Some("code"), "{bad}: {e:?}");
    }
    h.clock.advance(Duration::seconds(30));
    h.auth
        .complete_sign_in(&second, &code(&h, &secret), &ctx())
        .await
        .unwrap();
    // An unknown or absurd token.
    for token in ["", "nope", &"x".repeat(500)] {
        let e = h
            .auth
            .complete_sign_in(token, &code(&h, &secret), &ctx())
            .await
            .unwrap_err();
        assert_eq!(field_of(&e).as_deref(), Some("pending"));
    }
}

#[tokio::test]
async fn wrong_codes_end_the_pending_sign_in_and_expiry_too() {
    let h = harness();
    let (_, secret, _) = enrolled(&h, "w1@example.com").await;
    let token = pending(&h.auth, "w1@example.com").await;
    let right = code(&h, &secret);
    let wrong = format!(
        "{:06}",
        (right.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    // Each wrong code is refused on `code` until five have failed, or a lock (the test
    // configuration locks early) ends the pending sign-in sooner.
    let mut refused = 0;
    loop {
        let e = h
            .auth
            .complete_sign_in(&token, &wrong, &ctx())
            .await
            .unwrap_err();
        match field_of(&e).as_deref() {
            Some("code") => refused += 1,
            Some("pending") => break,
            _ => assert!(matches!(e, Error::AccountLocked { .. }), "{e:?}"),
        }
        assert!(
            refused <= 5,
            "more than five wrong codes on one pending sign-in"
        );
    }
    h.clock.advance(Duration::hours(2));
    let e = h
        .auth
        .complete_sign_in(&token, &code(&h, &secret), &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("pending"), "dead: {e:?}");

    let h = harness();
    let (_, secret, _) = enrolled(&h, "x1@example.com").await;
    let token = pending(&h.auth, "x1@example.com").await;
    h.clock.advance(Duration::minutes(6));
    let e = h
        .auth
        .complete_sign_in(&token, &code(&h, &secret), &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("pending"), "expired");
}

#[tokio::test]
async fn wrong_codes_count_toward_the_lockout_of_the_identifier() {
    let h = harness();
    let (_, secret, _) = enrolled(&h, "l1@example.com").await;
    let right = code(&h, &secret);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let mut locked = false;
    for _ in 0..20 {
        let token = pending(&h.auth, "l1@example.com").await;
        match h.auth.complete_sign_in(&token, &wrong, &ctx()).await {
            Err(Error::AccountLocked { .. }) => {
                locked = true;
                break;
            }
            Err(e) => assert_eq!(field_of(&e).as_deref(), Some("code")),
            Ok(_) => panic!("a wrong code signed in"),
        }
    }
    assert!(locked, "wrong codes never locked the identifier");
    // Now even the right password is refused for a while.
    let login = Login {
        login: "l1@example.com".into(),
        password: PASSWORD.into(),
        remember: false,
    };
    assert!(matches!(
        h.auth.sign_in(login, &ctx()).await,
        Err(Error::AccountLocked { .. })
    ));
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    let h = harness();
    let (me, _, codes) = enrolled(&h, "c1@example.com").await;
    let recovery = codes.codes()[3].to_lowercase();
    let token = pending(&h.auth, "c1@example.com").await;
    h.auth
        .complete_sign_in(&token, &recovery, &ctx())
        .await
        .unwrap();
    let user = h.store.user_by_id(me.user.id).await.unwrap().unwrap();
    assert_eq!(user.second_factor.unwrap().recovery_codes_left(), 9);
    let events = h.store.events_for_user(me.user.id, 10).await.unwrap();
    assert!(events.iter().any(|e| e.kind == AuditKind::RecoveryCodeUsed));

    let token = pending(&h.auth, "c1@example.com").await;
    let e = h
        .auth
        .complete_sign_in(&token, &recovery, &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("code"), "used once: {e:?}");
    // Another account's code is wrong here.
    let (_, _, others) = enrolled(&h, "c2@example.com").await;
    let e = h
        .auth
        .complete_sign_in(&token, &others.codes()[0], &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("code"));
}

#[tokio::test]
async fn regenerating_replaces_every_recovery_code() {
    let h = harness();
    let (me, secret, old) = enrolled(&h, "g1@example.com").await;
    let new = h
        .auth
        .regenerate_recovery_codes(&me, &code(&h, &secret), &ctx())
        .await
        .unwrap();
    assert_ne!(new.codes(), old.codes());
    let token = pending(&h.auth, "g1@example.com").await;
    assert!(
        h.auth
            .complete_sign_in(&token, &old.codes()[0], &ctx())
            .await
            .is_err()
    );
    h.auth
        .complete_sign_in(&token, &new.codes()[0], &ctx())
        .await
        .unwrap();
}

#[tokio::test]
async fn disabling_needs_the_password_and_a_code() {
    let h = harness();
    let (me, secret, codes) = enrolled(&h, "d1@example.com").await;
    let e = h
        .auth
        .disable_second_factor(&me, "wrong password", &code(&h, &secret), &ctx())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e).as_deref(), Some("password"));
    let e = h
        .auth
        .disable_second_factor(&me, PASSWORD, "000000", &ctx())
        .await
        .unwrap_err();
    assert!(field_of(&e).is_some(), "{e:?}");
    assert!(
        h.store
            .user_by_id(me.user.id)
            .await
            .unwrap()
            .unwrap()
            .second_factor
            .is_some()
    );
    h.auth
        .disable_second_factor(&me, PASSWORD, &codes.codes()[0], &ctx())
        .await
        .unwrap();
    assert!(h.login("d1@example.com", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn an_administrator_resets_a_second_factor() {
    let h = harness();
    let root = h.admin().await;
    let (me, _, _) = enrolled(&h, "a1@example.com").await;
    h.auth
        .admin_reset_second_factor(&root, me.user.id, &ctx())
        .await
        .unwrap();
    assert!(h.login("a1@example.com", PASSWORD).await.is_ok());
    let events = h.store.events_for_user(me.user.id, 10).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == AuditKind::SecondFactorReset)
    );
    assert!(matches!(
        h.auth
            .admin_reset_second_factor(&me, root.user.id, &ctx())
            .await,
        Err(Error::Forbidden)
    ));
}

/// The mail kinds `email` received, in order.
async fn mails_to(h: &Harness, email: &str) -> Vec<MailKind> {
    h.auth.settle().await;
    h.mailer
        .sent()
        .into_iter()
        .filter(|m| m.to == email)
        .map(|m| m.kind)
        .collect()
}

#[tokio::test]
async fn the_owner_is_told_of_every_change_to_the_second_factor() {
    let h = harness();
    let root = h.admin().await;
    let email = "n1@example.com";
    let (me, secret, codes) = enrolled(&h, email).await;
    let notices = |kinds: Vec<MailKind>| -> Vec<MailKind> {
        kinds
            .into_iter()
            .filter(|k| k.as_str().contains("second_factor") || *k == MailKind::RecoveryCodeUsed)
            .collect()
    };
    assert_eq!(
        notices(mails_to(&h, email).await),
        [MailKind::SecondFactorEnabled]
    );

    // A TOTP code signs in without a notice; a recovery code sends one.
    let token = pending(&h.auth, email).await;
    h.auth
        .complete_sign_in(&token, &code(&h, &secret), &ctx())
        .await
        .unwrap();
    assert_eq!(notices(mails_to(&h, email).await).len(), 1);
    let token = pending(&h.auth, email).await;
    h.auth
        .complete_sign_in(&token, &codes.codes()[0], &ctx())
        .await
        .unwrap();
    let used = h.mailer.last_to(email, MailKind::RecoveryCodeUsed).unwrap();
    assert!(used.text.contains("recovery code"), "{}", used.text);
    assert!(
        !used.text.contains(&codes.codes()[0]),
        "the code itself is never mailed"
    );

    h.auth
        .disable_second_factor(&me, PASSWORD, &codes.codes()[1], &ctx())
        .await
        .unwrap();
    enrol_again(&h, &me).await;
    h.auth
        .admin_reset_second_factor(&root, me.user.id, &ctx())
        .await
        .unwrap();
    // A reset of an account without a factor changes nothing and mails nothing.
    h.auth
        .admin_reset_second_factor(&root, me.user.id, &ctx())
        .await
        .unwrap();
    assert_eq!(
        notices(mails_to(&h, email).await),
        [
            MailKind::SecondFactorEnabled,
            MailKind::RecoveryCodeUsed,
            MailKind::SecondFactorDisabled,
            MailKind::SecondFactorEnabled,
            MailKind::SecondFactorReset,
        ]
    );
    let reset = h
        .mailer
        .last_to(email, MailKind::SecondFactorReset)
        .unwrap();
    assert!(reset.subject.contains("administrator"), "{}", reset.subject);
}

/// Enrols an authenticator app again for the signed-in `me`.
async fn enrol_again(h: &Harness, me: &Authenticated) {
    // Past the time step the last sign-in used.
    h.clock.advance(Duration::seconds(60));
    let enrolment = h.auth.start_totp_enrolment(me).await.unwrap();
    h.auth
        .finish_totp_enrolment(me, &code(h, &enrolment.secret_base32), &ctx())
        .await
        .unwrap();
    h.clock.advance(Duration::seconds(60));
}
