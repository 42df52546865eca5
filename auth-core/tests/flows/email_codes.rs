//! Mailed one-time codes over the memory store: the conformance kit's scenarios, sign-in
//! by mail off by default, and answers that do not tell accounts apart.

use std::sync::Arc;

use auth_core::conformance::email_codes;
use auth_core::conformance::engine::Engine;
use auth_core::{EmailCodes, Error, MailKind};
use auth_store_memory::MemoryStore;

use crate::support::{ctx, harness, harness_with};

#[tokio::test]
async fn every_code_scenario_on_the_memory_store() {
    let app = Engine::on_with(Arc::new(MemoryStore::new()), |_| email_codes::config());
    email_codes::run(&app).await;
}

#[tokio::test]
async fn sign_in_by_mail_is_off_by_default() {
    let h = harness();
    h.registered_and_verified("ann@example.com").await;
    let asked = h.auth.request_sign_in_code("ann@example.com", &ctx()).await;
    assert!(matches!(asked, Err(Error::NotFound)), "{asked:?}");
    assert!(
        h.mailer
            .last_to("ann@example.com", MailKind::SignInCode)
            .is_none()
    );
    let typed = h
        .auth
        .sign_in_with_code("ann@example.com", "123456", false, &ctx())
        .await;
    assert!(matches!(typed, Err(Error::NotFound)), "{typed:?}");
    let followed = h.auth.sign_in_with_link("abc", false, &ctx()).await;
    assert!(matches!(followed, Err(Error::NotFound)), "{followed:?}");
    // Codes still come with the verification and reset links.
    h.auth
        .request_password_reset("ann@example.com", &ctx())
        .await
        .unwrap();
    let mail = h
        .mailer
        .last_to("ann@example.com", MailKind::PasswordReset)
        .unwrap();
    assert!(email_codes::code_in(&mail).is_some(), "{}", mail.text);
}

#[tokio::test]
async fn a_wrong_code_reads_the_same_for_an_account_and_for_none() {
    let h = harness_with(|_| email_codes::config());
    h.registered_and_verified("ann@example.com").await;
    h.auth
        .request_password_reset("ann@example.com", &ctx())
        .await
        .unwrap();
    let answer = |email: &'static str| {
        let h = &h;
        async move {
            match h
                .auth
                .sign_in_with_code(email, "000000", false, &ctx())
                .await
            {
                Err(Error::Validation(v)) => format!("{:?}", v.errors()),
                other => panic!("{other:?}"),
            }
        }
    };
    assert_eq!(
        answer("ann@example.com").await,
        answer("nobody@example.com").await
    );
    let verify = |email: &'static str| {
        let h = &h;
        async move {
            match h.auth.verify_email_with_code(email, "000000", &ctx()).await {
                Err(Error::Validation(v)) => format!("{:?}", v.errors()),
                other => panic!("{other:?}"),
            }
        }
    };
    assert_eq!(
        verify("ann@example.com").await,
        verify("nobody@example.com").await
    );
}

#[tokio::test]
async fn eight_digit_codes_when_configured() {
    let h = harness_with(|c| {
        c.email_codes(EmailCodes {
            digits: 8,
            ..EmailCodes::default()
        })
    });
    h.register("ann@example.com").await;
    let code = h.code_from_mail("ann@example.com", MailKind::Verification);
    assert_eq!(code.len(), 8);
    let short = h
        .auth
        .verify_email_with_code("ann@example.com", &code[..6], &ctx())
        .await;
    assert!(matches!(short, Err(Error::Validation(_))));
    let user = h
        .auth
        .verify_email_with_code("ann@example.com", &code, &ctx())
        .await
        .unwrap();
    assert!(user.email_verified_at.is_some());
}
