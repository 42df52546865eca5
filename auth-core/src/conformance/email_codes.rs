//! Mailed one-time codes end to end over the stores under test: verification and reset
//! by code beside the links, sign-in by code and by magic link, and every way a code is
//! refused (malformed, wrong, another account's or purpose's, expired, replayed,
//! superseded, out of tries), each changing nothing.
//!
//! A store's own tests call [`run`] with an [`Engine`] built from [`config`], so the
//! single-use and attempt rules are proven on every backend that keeps the codes.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test kit: a step that fails panics the test that runs it"
)]

use time::Duration;

use super::engine::{Engine, NEW_PASSWORD, PASSWORD, request};
use crate::config::ConfigBuilder;
use crate::email_code::EmailCodes;
use crate::engine::{CodeReset, Login, SignIn};
use crate::error::Error;
use crate::mail::CapturingMailer;
use crate::model::{Email, MailKind, User};

/// The kit's test configuration with sign-in by mail switched on (six-digit codes,
/// 15 minutes, five tries).
pub fn config() -> ConfigBuilder {
    super::engine::config().email_codes(EmailCodes {
        sign_in: true,
        ..EmailCodes::default()
    })
}

/// The one-time code in a mail's text: the first word of six to eight digits.
pub fn code_in(mail: &Email) -> Option<String> {
    mail.text
        .split_whitespace()
        .find(|w| (6..=8).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

/// The field a validation error names first.
fn field(result: &Result<impl std::fmt::Debug, Error>) -> &'static str {
    match result {
        Err(Error::Validation(errors)) => errors.errors()[0].field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

/// A different code of the same form as `code`.
fn other_than(code: &str) -> String {
    let last = code.bytes().last().unwrap_or(b'0');
    let flipped = if last == b'9' {
        '0'
    } else {
        char::from(last + 1)
    };
    format!("{}{flipped}", &code[..code.len() - 1])
}

/// Runs every scenario on `app`, which must be built from [`config`]. Uses the
/// addresses `amy@`, `bob@`, `cat@`, `dan@` and `eve@example.com`.
///
/// # Panics
/// When a scenario fails.
pub async fn run<S>(app: &Engine<S>) {
    verification_by_code(app).await;
    reset_by_code(app).await;
    sign_in_by_code_and_link(app).await;
    sign_in_by_mail_is_a_first_step(app).await;
}

impl<S> Engine<S> {
    /// The newest mail of `kind` to `to`.
    fn mail(&self, to: &str, kind: MailKind) -> Email {
        self.mailer
            .last_to(to, kind)
            .unwrap_or_else(|| panic!("no {kind:?} mail to {to}"))
    }

    /// The code in the newest mail of `kind` to `to`.
    pub fn code_from_mail(&self, to: &str, kind: MailKind) -> String {
        code_in(&self.mail(to, kind)).expect("a code in the mail")
    }

    async fn user(&self, email: &str) -> User {
        match self.auth.operator().find(email).await {
            Ok(user) => user,
            Err(e) => panic!("{email}: {e}"),
        }
    }
}

async fn verification_by_code<S>(app: &Engine<S>) {
    let ctx = request();
    app.register("amy@example.com").await;
    app.register("bob@example.com").await;
    let mail = app.mail("amy@example.com", MailKind::Verification);
    let code = code_in(&mail).expect("a code beside the link");
    assert!(CapturingMailer::link_in(&mail, "/verify/").is_some());
    let verify = |email: &'static str, code: String| {
        let ctx = ctx.clone();
        async move { app.auth.verify_email_with_code(email, &code, &ctx).await }
    };
    // Malformed codes: a clear field error, nothing changes.
    for bad in ["", "12345", "1234567", "12a456", "١٢٣٤٥٦", &"1".repeat(65)] {
        let refused = verify("amy@example.com", bad.to_owned()).await;
        assert_eq!(field(&refused), "code", "{bad:?}");
    }
    // A malformed address is the address's error.
    assert_eq!(
        field(&verify("not an address", code.clone()).await),
        "email"
    );
    // Amy's code typed for Bob, or for an address without an account: the one answer.
    for email in ["bob@example.com", "nobody@example.com"] {
        assert_eq!(field(&verify(email, code.clone()).await), "code");
    }
    assert!(
        app.user("bob@example.com")
            .await
            .email_verified_at
            .is_none()
    );
    // One wrong try leaves the code alive.
    assert_eq!(
        field(&verify("amy@example.com", other_than(&code)).await),
        "code"
    );
    assert!(
        app.user("amy@example.com")
            .await
            .email_verified_at
            .is_none()
    );
    let amy = verify("amy@example.com", code.clone()).await.unwrap();
    assert!(amy.email_verified_at.is_some());
    // Used: never again, and the link of the same mail is spent too.
    assert_eq!(field(&verify("amy@example.com", code).await), "code");
    let token = app.token_from_mail("amy@example.com", MailKind::Verification, "/verify/");
    assert!(app.auth.verify_email(&token, &ctx).await.is_err());
    // Bob's link works as it always did, and then his code is dead.
    let bob_code = app.code_from_mail("bob@example.com", MailKind::Verification);
    let token = app.token_from_mail("bob@example.com", MailKind::Verification, "/verify/");
    app.auth.verify_email(&token, &ctx).await.unwrap();
    assert_eq!(field(&verify("bob@example.com", bob_code).await), "code");
}

async fn reset_by_code<S>(app: &Engine<S>) {
    let ctx = request();
    let email = "cat@example.com";
    app.registered_and_verified(email).await;
    let reset = |code: &str, password: &str| CodeReset {
        email: email.into(),
        code: code.into(),
        password: password.into(),
        password_confirm: password.into(),
    };
    app.auth.request_password_reset(email, &ctx).await.unwrap();
    let first = app.code_from_mail(email, MailKind::PasswordReset);
    // A verification code is not a reset code.
    assert_eq!(
        field(&app.auth.verify_email_with_code(email, &first, &ctx).await),
        "code"
    );
    // A newer mail replaces the code.
    app.auth.request_password_reset(email, &ctx).await.unwrap();
    let code = app.code_from_mail(email, MailKind::PasswordReset);
    if code != first {
        let stale = app
            .auth
            .reset_password_with_code(reset(&first, NEW_PASSWORD), &ctx)
            .await;
        assert_eq!(field(&stale), "code");
    }
    // A refused password does not use the code up.
    let weak = app
        .auth
        .reset_password_with_code(reset(&code, "short"), &ctx)
        .await;
    assert_eq!(field(&weak), "password");
    let user = app
        .auth
        .reset_password_with_code(reset(&code, NEW_PASSWORD), &ctx)
        .await
        .unwrap();
    assert_eq!(user.email, email);
    assert!(app.login(email, PASSWORD).await.is_err());
    assert!(app.login(email, NEW_PASSWORD).await.is_ok());
    // Replayed: refused; the link of the same mail died with the stamp.
    let replay = app
        .auth
        .reset_password_with_code(reset(&code, PASSWORD), &ctx)
        .await;
    assert_eq!(field(&replay), "code");
    let token = app.token_from_mail(email, MailKind::PasswordReset, "/reset/");
    assert!(app.auth.check_reset_token(&token).await.is_err());

    // Out of tries: five wrong codes kill the right one.
    app.auth.request_password_reset(email, &ctx).await.unwrap();
    let code = app.code_from_mail(email, MailKind::PasswordReset);
    for _ in 0..5 {
        let wrong = app
            .auth
            .reset_password_with_code(reset(&other_than(&code), PASSWORD), &ctx)
            .await;
        assert_eq!(field(&wrong), "code");
    }
    let dead = app
        .auth
        .reset_password_with_code(reset(&code, PASSWORD), &ctx)
        .await;
    assert_eq!(field(&dead), "code");

    // Expired: refused after its lifetime.
    app.auth.request_password_reset(email, &ctx).await.unwrap();
    let code = app.code_from_mail(email, MailKind::PasswordReset);
    app.clock.advance(Duration::minutes(16));
    let late = app
        .auth
        .reset_password_with_code(reset(&code, PASSWORD), &ctx)
        .await;
    assert_eq!(field(&late), "code");
    assert!(app.login(email, NEW_PASSWORD).await.is_ok());
}

async fn sign_in_by_code_and_link<S>(app: &Engine<S>) {
    let ctx = request();
    let email = "dan@example.com";
    app.registered_and_verified(email).await;
    // Nothing is mailed to an address without an account, and the answer is the same.
    app.auth
        .request_sign_in_code("nobody@example.com", &ctx)
        .await
        .unwrap();
    assert!(
        app.mailer
            .last_to("nobody@example.com", MailKind::SignInCode)
            .is_none()
    );

    // By code: signed in; the code and the link of the mail are then spent.
    app.auth.request_sign_in_code(email, &ctx).await.unwrap();
    let mail = app.mail(email, MailKind::SignInCode);
    let code = code_in(&mail).unwrap();
    let link = CapturingMailer::link_in(&mail, "/login/email/").expect("a sign-in link");
    let token = link.rsplit('/').next().unwrap().to_owned();
    let wrong_account = app
        .auth
        .sign_in_with_code("amy@example.com", &code, false, &ctx)
        .await;
    assert_eq!(field(&wrong_account), "code");
    match app
        .auth
        .sign_in_with_code(email, &code, false, &ctx)
        .await
        .unwrap()
    {
        SignIn::Complete(success) => assert_eq!(success.user.email, email),
        other => panic!("expected a session, got {other:?}"),
    }
    let replay = app.auth.sign_in_with_code(email, &code, false, &ctx).await;
    assert_eq!(field(&replay), "code");
    assert_eq!(
        field(&app.auth.sign_in_with_link(&token, false, &ctx).await),
        "token"
    );

    // By link: signed in once; the code of the same mail is spent.
    app.auth.request_sign_in_code(email, &ctx).await.unwrap();
    let mail = app.mail(email, MailKind::SignInCode);
    let code = code_in(&mail).unwrap();
    let token = CapturingMailer::link_in(&mail, "/login/email/")
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    for bad in ["", "a.b.c", &"x".repeat(200)] {
        assert_eq!(
            field(&app.auth.sign_in_with_link(bad, false, &ctx).await),
            "token"
        );
    }
    match app
        .auth
        .sign_in_with_link(&token, true, &ctx)
        .await
        .unwrap()
    {
        SignIn::Complete(success) => assert!(success.session.remember),
        other => panic!("expected a session, got {other:?}"),
    }
    assert_eq!(
        field(&app.auth.sign_in_with_link(&token, false, &ctx).await),
        "token"
    );
    let spent = app.auth.sign_in_with_code(email, &code, false, &ctx).await;
    assert_eq!(field(&spent), "code");

    // A newer mail kills the older one's code and link.
    app.auth.request_sign_in_code(email, &ctx).await.unwrap();
    let old = app.mail(email, MailKind::SignInCode);
    app.auth.request_sign_in_code(email, &ctx).await.unwrap();
    let old_token = CapturingMailer::link_in(&old, "/login/email/").unwrap();
    let old_token = old_token.rsplit('/').next().unwrap();
    assert_eq!(
        field(&app.auth.sign_in_with_link(old_token, false, &ctx).await),
        "token"
    );
    let code = app.code_from_mail(email, MailKind::SignInCode);
    assert!(
        app.auth
            .sign_in_with_code(email, &code, false, &ctx)
            .await
            .is_ok()
    );

    // Expired.
    app.auth.request_sign_in_code(email, &ctx).await.unwrap();
    let code = app.code_from_mail(email, MailKind::SignInCode);
    app.clock.advance(Duration::minutes(16));
    assert_eq!(
        field(&app.auth.sign_in_with_code(email, &code, false, &ctx).await),
        "code"
    );

    // Wrong codes lock the address as wrong passwords do (past the hour of the mail
    // limit per address).
    app.clock.advance(Duration::hours(1));
    app.auth.request_sign_in_code(email, &ctx).await.unwrap();
    let code = app.code_from_mail(email, MailKind::SignInCode);
    let mut locked = false;
    for _ in 0..5 {
        match app
            .auth
            .sign_in_with_code(email, &other_than(&code), false, &ctx)
            .await
        {
            Err(Error::AccountLocked { .. }) => {
                locked = true;
                break;
            }
            other => assert_eq!(field(&other), "code"),
        }
    }
    assert!(locked, "wrong codes never locked the address");
    let login = Login {
        login: email.into(),
        password: PASSWORD.into(),
        remember: false,
    };
    let refused = app.auth.sign_in(login, &ctx).await;
    assert!(
        matches!(refused, Err(Error::AccountLocked { .. })),
        "{refused:?}"
    );
}

async fn sign_in_by_mail_is_a_first_step<S>(app: &Engine<S>) {
    let ctx = request();
    let email = "eve@example.com";
    app.registered_and_verified(email).await;
    let me = app.signed_in(email).await;
    let enrolment = app.auth.start_totp_enrolment(&me).await.unwrap();
    let totp_code = |at: time::OffsetDateTime| {
        let secret = totp_rs::Secret::try_from_base32(&enrolment.secret_base32).unwrap();
        let totp = totp_rs::Builder::new()
            .with_secret(secret.as_bytes().to_vec())
            .build()
            .unwrap();
        totp.generate(u64::try_from(at.unix_timestamp()).unwrap())
            .to_string()
    };
    app.auth
        .finish_totp_enrolment(&me, &totp_code(app.auth.now()), &ctx)
        .await
        .unwrap();
    app.clock.advance(Duration::seconds(60));

    // By code: a pending sign-in, never a session; the app's code finishes it.
    app.auth.request_sign_in_code(email, &ctx).await.unwrap();
    let code = app.code_from_mail(email, MailKind::SignInCode);
    let pending = match app
        .auth
        .sign_in_with_code(email, &code, false, &ctx)
        .await
        .unwrap()
    {
        SignIn::SecondFactor(pending) => pending,
        other => panic!("expected a pending sign-in, got {other:?}"),
    };
    let success = app
        .auth
        .complete_sign_in(pending.token(), &totp_code(app.auth.now()), &ctx)
        .await
        .unwrap();
    assert_eq!(success.user.email, email);
    // The session names the mailed code as its first step, not a password.
    assert_eq!(
        success.session.amr,
        [crate::AuthMethod::EmailCode, crate::AuthMethod::Otp]
    );

    // By link: the same.
    app.clock.advance(Duration::seconds(60));
    app.auth.request_sign_in_code(email, &ctx).await.unwrap();
    let mail = app.mail(email, MailKind::SignInCode);
    let link = CapturingMailer::link_in(&mail, "/login/email/").unwrap();
    let token = link.rsplit('/').next().unwrap();
    assert!(matches!(
        app.auth.sign_in_with_link(token, false, &ctx).await,
        Ok(SignIn::SecondFactor(_))
    ));
}
