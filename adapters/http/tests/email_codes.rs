//! Mailed one-time codes over the web layer: verification and reset by code in JSON,
//! sign-in by mailed code and by magic link (JSON and pages), replay and bad input
//! answered with field errors, and sign-in by mail off unless configured.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use auth_core::conformance::email_codes::code_in;
use auth_core::{EmailCodes, MailKind};
use auth_http::testkit::{PASSWORD, Site};
use http::StatusCode;
use serde_json::json;

fn site() -> Site {
    Site::layer_with(
        |c| {
            c.email_codes(EmailCodes {
                sign_in: true,
                ..EmailCodes::default()
            })
        },
        |w| w,
    )
}

fn code(site: &Site, to: &str, kind: MailKind) -> String {
    code_in(&site.mailer().last_to(to, kind).unwrap()).unwrap()
}

#[tokio::test]
async fn reset_and_verification_by_code_over_json() {
    let site = site();
    site.user("tess@example.com", &[], true).await;
    site.user("una@example.com", &[], false).await;
    let mut me = site.browser();
    let p = me
        .api(
            "/auth/api/request_password_reset",
            json!({"email": "tess@example.com"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::ACCEPTED);
    let right = code(&site, "tess@example.com", MailKind::PasswordReset);
    let body = |email: &str, code: &str| {
        json!({"email": email, "code": code, "password": "violet elephants juggle quietly",
               "password_confirm": "violet elephants juggle quietly"})
    };
    for (bad, why) in [
        ("", "empty"),
        ("12a456", "non-digit"),
        ("12345", "short"),
        (&*"7".repeat(100), "too long"),
    ] {
        let p = me
            .api(
                "/auth/api/password/reset/code",
                body("tess@example.com", bad),
            )
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{why}: {}", p.body);
        assert!(
            p.json()["error"]["fields"]["code"].is_object(),
            "{why}: {}",
            p.body
        );
    }
    let p = me
        .api(
            "/auth/api/password/reset/code",
            body("una@example.com", &right),
        )
        .await;
    assert_eq!(
        p.status,
        StatusCode::BAD_REQUEST,
        "another account: {}",
        p.body
    );
    let p = me
        .api(
            "/auth/api/password/reset/code",
            body("tess@example.com", &right),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.json()["user"]["email"], "tess@example.com");
    let p = me
        .api(
            "/auth/api/password/reset/code",
            body("tess@example.com", &right),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "replayed: {}", p.body);
    assert_eq!(
        me.api_login("tess@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Verification: a reset code is not a verification code.
    me.api(
        "/auth/api/verify/resend",
        json!({"email": "una@example.com"}),
    )
    .await;
    let p = me
        .api(
            "/auth/api/verify/code",
            json!({"email": "una@example.com", "code": right}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    let verify = code(&site, "una@example.com", MailKind::Verification);
    let p = me
        .api(
            "/auth/api/verify/code",
            json!({"email": "una@example.com", "code": verify}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.json()["user"]["email_verified"], true, "{}", p.body);
}

#[tokio::test]
async fn sign_in_by_code_and_by_link_over_json() {
    let site = site();
    site.user("vic@example.com", &[], true).await;
    let mut me = site.browser();
    for email in ["vic@example.com", "nobody@example.com"] {
        let p = me
            .api("/auth/api/login/email", json!({"email": email}))
            .await;
        assert_eq!(p.status, StatusCode::ACCEPTED, "the same for {email}");
    }
    assert!(
        site.mailer()
            .last_to("nobody@example.com", MailKind::SignInCode)
            .is_none()
    );
    let right = code(&site, "vic@example.com", MailKind::SignInCode);
    let p = me
        .api(
            "/auth/api/login/email/code",
            json!({"email": "vic@example.com", "code": "abc"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = me
        .api(
            "/auth/api/login/email/code",
            json!({"email": "vic@example.com", "code": right, "token_mode": "bearer"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.json()["token"].is_string(), "{}", p.body);
    let p = me
        .api(
            "/auth/api/login/email/code",
            json!({"email": "vic@example.com", "code": right}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "replayed: {}", p.body);

    me.api("/auth/api/login/email", json!({"email": "vic@example.com"}))
        .await;
    let path = site.mailed_path("vic@example.com", MailKind::SignInCode, "/login/email/");
    let token = path.rsplit('/').next().unwrap().to_owned();
    let p = me
        .api("/auth/api/login/email/link", json!({"token": token}))
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(me.session().is_some());
    let p = me
        .api("/auth/api/login/email/link", json!({"token": token}))
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "replayed: {}", p.body);
    assert!(
        p.json()["error"]["fields"]["token"].is_object(),
        "{}",
        p.body
    );
}

/// An account with an authenticator app: the mailed code is only the first step, and the
/// page goes on to the code step, as after the password.
#[tokio::test]
async fn sign_in_by_mail_continues_to_the_code_step() {
    let site = site();
    site.user("tess@example.com", &[], true).await;
    let mut me = site.browser();
    me.login("tess@example.com", PASSWORD).await;
    let r = me
        .api("/auth/api/account/second_factor/totp/start", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let secret = r.json()["secret"].as_str().unwrap().to_owned();
    let now = auth_http::testkit::authenticator_code(&secret, 0);
    let r = me
        .api(
            "/auth/api/account/second_factor/totp/finish",
            json!({"code": now}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let mut other = site.browser();
    other.get("/auth/login/email").await;
    let p = other
        .post("/auth/login/email", &[("email", "tess@example.com")])
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let right = code(&site, "tess@example.com", MailKind::SignInCode);
    let p = other
        .post(
            "/auth/login/email/code",
            &[("email", "tess@example.com"), ("code", &right)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/auth/login/second_factor");
    assert!(
        other.session().is_none(),
        "no session before the second step"
    );
}

#[tokio::test]
async fn sign_in_by_mail_pages() {
    let site = site();
    site.user("wes@example.com", &[], true).await;
    let mut me = site.browser();
    let login = me.get("/auth/login").await;
    assert!(
        login.body.contains("/auth/login/email"),
        "the sign-in page offers it"
    );
    let p = me.get("/auth/login/email").await;
    assert_eq!(p.status, StatusCode::OK);
    let p = me
        .post("/auth/login/email", &[("email", "wes@example.com")])
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body
            .contains("/auth/login/email/code?email=wes%40example.com"),
        "{}",
        p.body
    );
    let right = code(&site, "wes@example.com", MailKind::SignInCode);
    me.get("/auth/login/email/code?email=wes%40example.com")
        .await;
    let p = me
        .post(
            "/auth/login/email/code",
            &[("email", "wes@example.com"), ("code", "1")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("aria-invalid"), "the code field is marked");
    let p = me
        .post(
            "/auth/login/email/code",
            &[("email", "wes@example.com"), ("code", &right)],
        )
        .await;
    assert!(p.status.is_redirection(), "{} {}", p.status, p.body);
    assert!(me.session().is_some());

    // The link: opening it signs nobody in; the button does, once.
    let mut other = site.browser();
    me.post("/auth/login/email", &[("email", "wes@example.com")])
        .await;
    let path = site.mailed_path("wes@example.com", MailKind::SignInCode, "/login/email/");
    let p = other.get(&path).await;
    assert_eq!(p.location(), "/auth/login/email/link");
    let page = other.follow(&p).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(other.session().is_none());
    let p = other.post("/auth/login/email/link", &[]).await;
    assert!(p.status.is_redirection(), "{} {}", p.status, p.body);
    assert!(other.session().is_some());
    let mut third = site.browser();
    let p = third.get(&path).await;
    third.follow(&p).await;
    let p = third.post("/auth/login/email/link", &[]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "used up: {}", p.body);
}

#[tokio::test]
async fn sign_in_by_mail_is_off_unless_configured() {
    let site = Site::layer();
    site.user("xan@example.com", &[], true).await;
    let mut me = site.browser();
    assert_eq!(
        me.get("/auth/login/email").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !me.get("/auth/login")
            .await
            .body
            .contains("/auth/login/email")
    );
    let p = me
        .api("/auth/api/login/email", json!({"email": "xan@example.com"}))
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // The codes beside the links are always there.
    me.get("/auth/request_password_reset").await;
    let p = me
        .post(
            "/auth/request_password_reset",
            &[("email", "xan@example.com")],
        )
        .await;
    assert!(
        p.body.contains("/auth/reset/code?email=xan%40example.com"),
        "{}",
        p.body
    );
    assert_eq!(
        me.get("/auth/reset/code?email=xan%40example.com")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(me.get("/auth/verify/code").await.status, StatusCode::OK);
}
