//! Second factors in the web layer: the JSON API (enrolment, the two-step sign-in, replay
//! refusal, recovery codes and removal, with bad input answered by field errors), the
//! administrator's reset from the user page, and what the pages refuse. The pages' own
//! journey is the adapter scenario `two_step_sign_in_by_page`, run by every adapter.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use auth_core::MailKind;
use auth_http::testkit::{PASSWORD, Site, authenticator_code as code};
use http::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn enrol_sign_in_in_two_steps_refuse_replays_use_a_recovery_code_and_disable() {
    let site = Site::layer();
    site.user("tess@example.com", &[], true).await;
    let mut me = site.browser();
    let p = me.api_login("tess@example.com", PASSWORD).await;
    assert_eq!(
        p.status,
        StatusCode::OK,
        "no second factor: one step, as before"
    );

    let p = me
        .json(Method::GET, "/auth/api/account/second_factor", Value::Null)
        .await;
    assert_eq!(p.json()["enabled"], false);
    let p = me
        .api("/auth/api/account/second_factor/totp/start", json!({}))
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let secret = p.json()["secret"].as_str().unwrap().to_owned();
    assert!(
        p.json()["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    for (bad, why) in [("12a456", "non-digit"), ("123", "short"), ("", "empty")] {
        let p = me
            .api(
                "/auth/api/account/second_factor/totp/finish",
                json!({"code": bad}),
            )
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{why}: {}", p.body);
        assert!(p.json()["error"]["fields"]["code"].is_object(), "{why}");
    }
    let p = me
        .api(
            "/auth/api/account/second_factor/totp/finish",
            json!({"code": code(&secret, 0)}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let recovery: Vec<String> = serde_json::from_value(p.json()["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery.len(), 10);
    let p = me
        .json(Method::GET, "/auth/api/account/second_factor", Value::Null)
        .await;
    assert_eq!(p.json()["enabled"], true);
    assert_eq!(p.json()["recovery_codes_left"], 10);

    // The password alone: 202 with a pending token, no session cookie, nothing signed in.
    let mut other = site.browser();
    let p = other.api_login("tess@example.com", PASSWORD).await;
    assert_eq!(p.status, StatusCode::ACCEPTED, "{}", p.body);
    assert_eq!(p.json()["second_factor_required"], true);
    let pending = p.json()["pending"].as_str().unwrap().to_owned();
    assert_eq!(
        other
            .json(Method::GET, "/auth/api/me", Value::Null)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // The enrolment's own code was used; the next step's is fresh.
    let next = code(&secret, 1);
    let p = other
        .api(
            "/auth/api/login/second_factor",
            json!({"pending": pending, "code": next}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(
        other
            .json(Method::GET, "/auth/api/me", Value::Null)
            .await
            .status,
        StatusCode::OK
    );

    // Replaying the code, or the pending token, is refused with the field that is wrong.
    let mut third = site.browser();
    let p = third.api_login("tess@example.com", PASSWORD).await;
    let pending2 = p.json()["pending"].as_str().unwrap().to_owned();
    let p = third
        .api(
            "/auth/api/login/second_factor",
            json!({"pending": pending2, "code": next}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(
        p.json()["error"]["fields"]["code"].is_object(),
        "{}",
        p.body
    );
    let p = third
        .api(
            "/auth/api/login/second_factor",
            json!({"pending": pending, "code": code(&secret, 0)}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.json()["error"]["fields"]["pending"].is_object(),
        "{}",
        p.body
    );

    // A recovery code instead of the app, once.
    let p = third
        .api(
            "/auth/api/login/second_factor",
            json!({"pending": pending2, "code": recovery[0]}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let p = third
        .json(Method::GET, "/auth/api/account/second_factor", Value::Null)
        .await;
    assert_eq!(p.json()["recovery_codes_left"], 9);

    // Removing it needs the password and a code.
    let p = me
        .api(
            "/auth/api/account/second_factor/disable",
            json!({"password": "wrong password", "code": recovery[1]}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.json()["error"]["fields"]["password"].is_object());
    let p = me
        .api(
            "/auth/api/account/second_factor/disable",
            json!({"password": PASSWORD, "code": recovery[1]}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let p = site.browser().api_login("tess@example.com", PASSWORD).await;
    assert_eq!(p.status, StatusCode::OK, "one step again");
}

/// Enrols an authenticator app for `email` (signed in through `me`) over the API; its
/// secret.
async fn enrol(
    me: &mut auth_http::testkit::Browser<auth_http::testkit::LayerOnly>,
    email: &str,
) -> String {
    me.api_login(email, PASSWORD).await;
    let p = me
        .api("/auth/api/account/second_factor/totp/start", json!({}))
        .await;
    let secret = p.json()["secret"].as_str().unwrap().to_owned();
    let p = me
        .api(
            "/auth/api/account/second_factor/totp/finish",
            json!({"code": code(&secret, 0)}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    secret
}

#[tokio::test]
async fn an_administrator_resets_a_lost_authenticator_from_the_user_page() {
    let site = Site::layer();
    site.user("root@example.com", &["admin"], true).await;
    let tess = site.user("tess@example.com", &[], true).await;
    enrol(&mut site.browser(), "tess@example.com").await;
    let page = format!("/auth/admin/users/{}", tess.id);
    let action = format!("{page}/reset_second_factor");

    // Not for anyone but an administrator.
    let mut user = site.browser();
    user.get("/auth/login").await;
    site.user("mallory@example.com", &[], true).await;
    user.login("mallory@example.com", PASSWORD).await;
    user.get("/auth/account").await;
    assert_eq!(user.post(&action, &[]).await.status, StatusCode::FORBIDDEN);

    let mut admin = site.browser();
    admin.login("root@example.com", PASSWORD).await;
    let p = admin.get(&page).await;
    assert!(p.body.contains("Reset two-step sign-in"), "{}", p.body);
    assert!(p.body.contains("10 recovery codes left"), "{}", p.body);
    assert!(
        p.body.contains(&format!("action=\"{action}\"")),
        "a form that posts, with its CSRF token: {}",
        p.body
    );
    admin.csrf = Some("ab".repeat(32));
    assert_eq!(
        admin.post(&action, &[]).await.status,
        StatusCode::FORBIDDEN,
        "CSRF"
    );
    admin.get(&page).await;
    let p = admin.post(&action, &[]).await;
    assert_eq!(
        (p.status, p.location()),
        (StatusCode::SEE_OTHER, page.as_str())
    );
    let p = admin.follow(&p).await;
    assert!(!p.body.contains("Reset two-step sign-in"), "{}", p.body);
    assert!(
        p.body.contains("<dt>Two-step sign-in</dt><dd>off</dd>"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("Second factor reset"),
        "audited: {}",
        p.body
    );
    site.auth().settle().await;
    let mail = site
        .mailer()
        .last_to("tess@example.com", MailKind::SecondFactorReset)
        .expect("the owner is told");
    assert!(mail.text.contains("administrator"), "{}", mail.text);
    let p = site.browser().login("tess@example.com", PASSWORD).await;
    assert_eq!(p.location(), "/", "one step again");
}

#[tokio::test]
async fn second_factor_pages_need_their_session_their_method_and_their_token() {
    let site = Site::layer();
    site.user("tess@example.com", &[], true).await;
    let mut anon = site.browser();
    let p = anon.get("/auth/account/second_factor").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(
        p.location().starts_with("/auth/login?next="),
        "{}",
        p.location()
    );
    let p = anon.get("/auth/login/second_factor").await;
    assert_eq!(
        (p.status, p.location()),
        (StatusCode::SEE_OTHER, "/auth/login")
    );
    anon.get("/auth/login").await;
    let p = anon.post("/auth/account/second_factor/enrol", &[]).await;
    assert_eq!(
        p.status,
        StatusCode::SEE_OTHER,
        "signed out: to the sign-in page"
    );

    let mut me = site.browser();
    me.login("tess@example.com", PASSWORD).await;
    for path in [
        "/auth/account/second_factor/enrol",
        "/auth/account/second_factor/enrol/finish",
        "/auth/account/second_factor/recovery_codes",
        "/auth/account/second_factor/recovery_codes/download",
        "/auth/account/second_factor/disable",
    ] {
        assert_eq!(
            me.get(path).await.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{path}"
        );
    }
    me.get("/auth/account/second_factor").await;
    let good = me.csrf.clone();
    me.csrf = Some("ab".repeat(32));
    let p = me.post("/auth/account/second_factor/enrol", &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "a forged CSRF token");
    me.csrf = good;
    // Nothing to download without a second factor; a code too long for any code.
    let p = me
        .post(
            "/auth/account/second_factor/recovery_codes/download",
            &[("codes", "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    me.post("/auth/account/second_factor/enrol", &[]).await;
    let long = "1".repeat(65);
    let p = me
        .post(
            "/auth/account/second_factor/enrol/finish",
            &[("code", &long)],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(p.body.contains("at most 64 characters"), "{}", p.body);
    assert!(
        p.body.contains("Start again with a new QR code"),
        "{}",
        p.body
    );
}

/// The text of the enrolment page's `<code class="secret">`, spaces removed.
fn shown_secret(body: &str) -> String {
    let start = body
        .find("<code class=\"secret\">")
        .unwrap_or_else(|| panic!("no secret shown: {body}"))
        + "<code class=\"secret\">".len();
    let len = body[start..].find("</code>").unwrap();
    body[start..start + len].replace(' ', "")
}

#[tokio::test]
async fn a_wrong_first_code_shows_the_same_qr_code_and_key_again() {
    let site = Site::layer();
    site.user("tess@example.com", &[], true).await;
    let mut me = site.browser();
    me.login("tess@example.com", PASSWORD).await;
    me.get("/auth/account/second_factor").await;
    let p = me.post("/auth/account/second_factor/enrol", &[]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let secret = shown_secret(&p.body);
    let qr = p.body[p.body.find("<svg class=\"qr\"").unwrap()..]
        .split("</svg>")
        .next()
        .unwrap()
        .to_owned();

    // A code of another time (never accepted: more than one step away), then a
    // non-digit one: each time the same drawing and key, and the reason at the field.
    for (bad, why) in [
        (code(&secret, -10), "the code is not correct"),
        ("12a456".to_owned(), "digits"),
    ] {
        let p = me
            .post(
                "/auth/account/second_factor/enrol/finish",
                &[("code", &bad)],
            )
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{bad}: {}", p.body);
        assert!(p.body.contains(why), "{bad}: {}", p.body);
        assert!(p.body.contains("aria-invalid=\"true\""), "{}", p.body);
        assert_eq!(shown_secret(&p.body), secret, "the same key");
        assert!(p.body.contains(&qr), "the same QR code: {}", p.body);
        assert!(
            !p.body.contains("Start again with a new QR code"),
            "{}",
            p.body
        );
        let status = me
            .json(Method::GET, "/auth/api/account/second_factor", Value::Null)
            .await;
        assert_eq!(status.json()["enabled"], false, "nothing changed");
    }

    // The waiting enrolment still finishes with the app's code.
    let p = me
        .post(
            "/auth/account/second_factor/enrol/finish",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Your recovery codes"), "{}", p.body);
    let status = me
        .json(Method::GET, "/auth/api/account/second_factor", Value::Null)
        .await;
    assert_eq!(status.json()["enabled"], true);
}
