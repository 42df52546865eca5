//! The account's language: stored at registration or set later, and the language of every
//! mail the account receives.

use auth_core::profile::{ProfileSchema, ProfileUpdate};
use auth_core::{Catalogues, Error, MailKind, PasswordChange, RegisterOutcome, Registration, User};

use crate::support::{Harness, NEW_PASSWORD, PASSWORD, ctx, harness, harness_with};

fn registration(email: &str, language: Option<&str>) -> Registration {
    Registration {
        email: email.into(),
        username: None,
        password: PASSWORD.into(),
        password_confirm: PASSWORD.into(),
        profile: Default::default(),
        language: language.map(str::to_owned),
    }
}

async fn register(h: &Harness, email: &str, language: Option<&str>) -> User {
    match h.auth.register(registration(email, language), &ctx()).await {
        Ok(RegisterOutcome::Created(user)) => *user,
        other => panic!("registering {email}: {other:?}"),
    }
}

fn subject(h: &Harness, to: &str, kind: MailKind) -> String {
    h.mailer
        .last_to(to, kind)
        .unwrap_or_else(|| panic!("no {kind:?} mail to {to}"))
        .subject
}

fn language_error(err: Error) -> String {
    let Error::Validation(v) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    let field = v.field("language").expect("an error on `language`");
    field.code.to_owned()
}

#[tokio::test]
async fn a_german_account_gets_german_verification_reset_and_notice_mails() {
    let h = harness();
    let user = register(&h, "de@example.com", Some("de-AT")).await;
    assert_eq!(user.language.as_deref(), Some("de"), "stored as offered");

    let verification = h
        .mailer
        .last_to("de@example.com", MailKind::Verification)
        .unwrap();
    assert_eq!(
        verification.subject,
        "Bestätigen Sie Ihre E-Mail-Adresse für Test App"
    );
    assert!(
        verification.text.starts_with("Hallo,"),
        "{}",
        verification.text
    );
    assert!(
        verification.text.contains("24 Stunden"),
        "{}",
        verification.text
    );
    assert!(
        verification
            .html
            .as_deref()
            .unwrap()
            .contains("E-Mail-Adresse bestätigen"),
        "the HTML part is German too"
    );
    let token = h.token_from_mail("de@example.com", MailKind::Verification, "/verify/");
    h.auth.verify_email(&token, &ctx()).await.unwrap();

    h.auth
        .request_password_reset("de@example.com", &ctx())
        .await
        .unwrap();
    assert_eq!(
        subject(&h, "de@example.com", MailKind::PasswordReset),
        "Setzen Sie Ihr Passwort für Test App zurück"
    );
    let reset = h
        .mailer
        .last_to("de@example.com", MailKind::PasswordReset)
        .unwrap();
    assert!(
        reset.text.contains("https://app.test/auth/reset/"),
        "{}",
        reset.text
    );

    let me = h.signed_in("de@example.com").await;
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
    let notice = h
        .mailer
        .last_to("de@example.com", MailKind::PasswordChanged)
        .unwrap();
    assert_eq!(notice.subject, "Ihr Passwort für Test App wurde geändert");
    assert!(
        notice.text.contains("wurde soeben geändert"),
        "{}",
        notice.text
    );
}

#[tokio::test]
async fn an_account_without_a_language_gets_english_mails() {
    let h = harness();
    let user = register(&h, "en@example.com", None).await;
    assert_eq!(user.language, None);
    assert_eq!(
        subject(&h, "en@example.com", MailKind::Verification),
        "Confirm your email address for Test App"
    );
    h.auth
        .request_password_reset("en@example.com", &ctx())
        .await
        .unwrap();
    assert_eq!(
        subject(&h, "en@example.com", MailKind::PasswordReset),
        "Reset your Test App password"
    );
}

#[tokio::test]
async fn the_owner_sets_and_clears_the_language_of_the_mails() {
    let h = harness();
    h.registered_and_verified("jo@example.com").await;
    let me = h.signed_in("jo@example.com").await;

    let user = h
        .auth
        .set_language(&me, Some("es-MX"), &ctx())
        .await
        .unwrap();
    assert_eq!(user.language.as_deref(), Some("es"));
    h.auth
        .request_password_reset("jo@example.com", &ctx())
        .await
        .unwrap();
    assert_eq!(
        subject(&h, "jo@example.com", MailKind::PasswordReset),
        "Restablezca su contraseña de Test App"
    );

    let user = h.auth.set_language(&me, None, &ctx()).await.unwrap();
    assert_eq!(user.language, None);
    h.auth
        .request_password_reset("jo@example.com", &ctx())
        .await
        .unwrap();
    assert_eq!(
        subject(&h, "jo@example.com", MailKind::PasswordReset),
        "Reset your Test App password"
    );
}

#[tokio::test]
async fn a_language_that_is_not_offered_is_refused_on_the_language_field() {
    let h = harness();
    h.registered_and_verified("jo@example.com").await;
    let me = h.signed_in("jo@example.com").await;
    for bad in ["fr", "klingon!", "x-"] {
        let err = h
            .auth
            .set_language(&me, Some(bad), &ctx())
            .await
            .unwrap_err();
        assert_eq!(language_error(err), "unsupported", "{bad}");
    }
    let stored = h.auth.set_language(&me, Some("de"), &ctx()).await.unwrap();
    assert_eq!(stored.language.as_deref(), Some("de"));

    let err = h
        .auth
        .register(registration("fr@example.com", Some("fr")), &ctx())
        .await
        .unwrap_err();
    assert_eq!(language_error(err), "unsupported");
    assert!(
        h.mailer
            .last_to("fr@example.com", MailKind::Verification)
            .is_none(),
        "nothing was created"
    );
}

#[tokio::test]
async fn an_application_language_is_offered_and_falls_back_message_by_message() {
    let h = harness_with(|c| {
        let mut catalogues = Catalogues::shipped();
        catalogues
            .add("fr", "mail-hello = Bonjour,\nmail-verification-subject = Confirmez votre adresse pour { $app }")
            .unwrap();
        c.catalogues(catalogues)
    });
    let user = register(&h, "fr@example.com", Some("fr-CA")).await;
    assert_eq!(user.language.as_deref(), Some("fr"));
    let mail = h
        .mailer
        .last_to("fr@example.com", MailKind::Verification)
        .unwrap();
    assert_eq!(mail.subject, "Confirmez votre adresse pour Test App");
    assert!(mail.text.starts_with("Bonjour,"), "{}", mail.text);
    assert!(
        mail.text.contains("is your email address for Test App"),
        "a message the language lacks is the default language's: {}",
        mail.text
    );
}

/// Signs `email` in (registered and confirmed, without a language preference) and sets
/// its profile `locale`.
async fn with_locale(h: &Harness, email: &str, locale: &str) -> (auth_core::Authenticated, User) {
    h.registered_and_verified(email).await;
    let me = h.signed_in(email).await;
    let user = h
        .auth
        .update_profile(&me, &ProfileUpdate::new().set("locale", locale), &ctx())
        .await
        .unwrap();
    assert_eq!(user.language, None, "no preference");
    assert_eq!(user.profile.locale(), Some(locale));
    (me, user)
}

async fn reset_subject(h: &Harness, email: &str) -> String {
    h.auth.request_password_reset(email, &ctx()).await.unwrap();
    subject(h, email, MailKind::PasswordReset)
}

#[tokio::test]
async fn without_a_preference_the_profile_locale_picks_the_mails_language() {
    let h = harness();
    let (me, user) = with_locale(&h, "at@example.com", "de-AT").await;
    assert_eq!(h.auth.account_language(&user), Some("de"));
    assert_eq!(
        reset_subject(&h, "at@example.com").await,
        "Setzen Sie Ihr Passwort für Test App zurück"
    );

    // A preference wins over the locale.
    let user = h.auth.set_language(&me, Some("es"), &ctx()).await.unwrap();
    assert_eq!(h.auth.account_language(&user), Some("es"));
    assert_eq!(
        reset_subject(&h, "at@example.com").await,
        "Restablezca su contraseña de Test App"
    );
    // Cleared again, the locale stands in once more.
    let user = h.auth.set_language(&me, None, &ctx()).await.unwrap();
    assert_eq!(h.auth.account_language(&user), Some("de"));

    // Only a real match counts: no Portuguese catalogue, so the default language, not
    // Spanish or any other neighbour.
    let (_, user) = with_locale(&h, "br@example.com", "pt-BR").await;
    assert_eq!(h.auth.account_language(&user), None);
    assert_eq!(
        reset_subject(&h, "br@example.com").await,
        "Reset your Test App password"
    );
}

#[tokio::test]
async fn a_locale_the_schema_no_longer_declares_is_ignored() {
    // Written while the schema declared `locale`, read by an engine whose schema does
    // not: an undeclared value is never used, for the language neither.
    let h = harness();
    let (_, user) = with_locale(&h, "at@example.com", "de-AT").await;
    let without = harness_with(|c| c.profile(ProfileSchema::empty()));
    assert_eq!(without.auth.account_language(&user), None);
    assert_eq!(h.auth.account_language(&user), Some("de"));
}
