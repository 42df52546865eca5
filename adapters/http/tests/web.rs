//! Every route of the web layer through `AuthWeb::handle`, HTML and JSON, with the
//! security cases: CSRF, open redirects, cookie flags, session rotation and revocation,
//! single-use links, body limits, throttling.

use auth_core::{MailKind, RateLimit, RateLimits, TokenLifetimes};
use auth_http::testkit::{Browser, LayerOnly, NEW_PASSWORD, PASSWORD, Resp, Site};
use auth_http::{Denial, ProxyHeader, Requirement};
use http::{Method, StatusCode};
use serde_json::json;

/// Registers `email` through the form; the path of the mailed confirmation link.
async fn register(site: &Site, b: &mut Browser<LayerOnly>, email: &str) -> String {
    b.get("/auth/register").await;
    let p = b
        .post(
            "/auth/register",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Check your inbox"));
    site.mailed_path(email, MailKind::Verification, "/verify/")
}

/// Opens a mailed link and follows its redirect: a 400 page with heading `h1`.
async fn refused_link(b: &mut Browser<LayerOnly>, link: &str, h1: &str) -> String {
    let p = b.get(link).await;
    let p = b.follow_redirects(p).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains(&format!("<h1>{h1}</h1>")), "{}", p.body);
    p.body
}

/// `POST /auth/api/reset_password` with `token` and `password` twice.
async fn reset_by_api(b: &mut Browser<LayerOnly>, token: &str, password: &str) -> Resp {
    b.json(
        Method::POST,
        "/auth/api/reset_password",
        json!({"token": token, "password": password, "password_confirm": password}),
    )
    .await
}

/// Submits the reset page's form: `NEW_PASSWORD`, confirmed as `confirm`.
async fn choose_new_password(b: &mut Browser<LayerOnly>, confirm: &str) -> Resp {
    b.post(
        "/auth/reset",
        &[("password", NEW_PASSWORD), ("password_confirm", confirm)],
    )
    .await
}

/// Opens a mailed confirmation link (`/auth/verify/...` or `/auth/email/confirm/...`) as
/// a person would: the token leaves the URL, the page shows the button of `action`, and
/// pressing it posts. The answer to the press.
async fn confirm_link(b: &mut Browser<LayerOnly>, link: &str, action: &str) -> Resp {
    let p = b.get(link).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), action, "the token leaves the URL");
    let p = b.follow_redirects(p).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains(&format!("method=\"post\" action=\"{action}\"")),
        "a button that posts: {}",
        p.body
    );
    b.post(action, &[]).await
}

/// Presses the button of a mailed confirmation link that the layer refuses: a 400 page
/// with heading `h1`.
async fn refused_confirmation(
    b: &mut Browser<LayerOnly>,
    link: &str,
    action: &str,
    h1: &str,
) -> String {
    let p = confirm_link(b, link, action).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(p.body.contains(&format!("<h1>{h1}</h1>")), "{}", p.body);
    p.body
}

async fn register_and_verify(site: &Site, b: &mut Browser<LayerOnly>, email: &str) {
    let link = register(site, b, email).await;
    let p = confirm_link(b, &link, "/auth/verify").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = b.follow_redirects(p).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("Your email address is confirmed"),
        "flash shown"
    );
    assert!(p.body.contains("<h1>Sign in</h1>"));
}

/// A mail provider's link scanner: follows a link and its redirects with GET (and
/// HEAD), keeping cookies, and never submits a form. The last page.
async fn scan(b: &mut Browser<LayerOnly>, link: &str) -> Resp {
    let p = b.request(Method::HEAD, link, None, Vec::new(), &[]).await;
    assert!(!p.status.is_server_error());
    let p = b.get(link).await;
    let landing = p.location().to_owned();
    b.follow_redirects(p).await;
    // Scanners revisit; a second look confirms nothing either.
    b.get(&landing).await
}

#[tokio::test]
async fn a_link_scanner_that_follows_redirects_with_cookies_confirms_nothing() {
    let site = Site::layer_with(|c| c.require_verified_email(true), |w| w);
    let mut someone = site.browser();
    let link = register(&site, &mut someone, "victim@example.com").await;

    let mut scanner = site.browser();
    let p = scan(&mut scanner, &link).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("<h1>Confirm your email address</h1>"));
    assert!(
        p.body.contains("method=\"post\" action=\"/auth/verify\""),
        "{}",
        p.body
    );
    assert!(
        !p.body.contains(link.rsplit('/').next().unwrap()),
        "the token is not in the page"
    );
    assert!(!p.body.contains("<script"), "works without script");
    assert!(
        p.header("content-security-policy")
            .contains("default-src 'none'")
    );
    let login = someone.login("victim@example.com", PASSWORD).await;
    assert_eq!(
        login.status,
        StatusCode::FORBIDDEN,
        "still unconfirmed: {}",
        login.body
    );
    assert!(someone.session().is_none());

    // A post without the page's CSRF token (a forged form elsewhere) is refused too.
    let mut forger = site.browser();
    forger.get(&link).await;
    let p = forger.post_raw("/auth/verify", &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert_eq!(
        someone.login("victim@example.com", PASSWORD).await.status,
        StatusCode::FORBIDDEN
    );

    // The person who presses the button confirms it.
    let mut person = site.browser();
    let p = confirm_link(&mut person, &link, "/auth/verify").await;
    assert_eq!(
        (p.status, p.location()),
        (StatusCode::SEE_OTHER, "/auth/login")
    );
    assert!(
        p.set_cookie("auth_link")
            .is_some_and(|c| c.contains("Max-Age=0")),
        "the stashed token is dropped"
    );
    assert_eq!(
        someone.login("victim@example.com", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_link_scanner_cannot_complete_a_change_of_address() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    let mut ada = site.browser();
    ada.login("ada@example.com", PASSWORD).await;
    ada.get("/auth/account/email").await;
    let p = ada
        .post(
            "/auth/account/email",
            &[("new_email", "ada@new.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let link = site.mailed_path("ada@new.example", MailKind::EmailChange, "/email/confirm/");

    // The scanner of the new address's provider, and Ada's own browser opening the
    // link without pressing: neither moves the account.
    let mut scanner = site.browser();
    let p = scan(&mut scanner, &link).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("<h1>Confirm your new address</h1>"));
    assert!(
        p.body
            .contains("method=\"post\" action=\"/auth/email/confirm\""),
        "{}",
        p.body
    );
    let p = scan(&mut ada, &link).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let me = ada
        .json(Method::GET, "/auth/api/me", serde_json::Value::Null)
        .await;
    assert_eq!(me.status, StatusCode::OK, "still signed in: {}", me.body);
    assert_eq!(me.json()["user"]["email"], "ada@example.com");
    assert_eq!(
        site.browser()
            .login("ada@new.example", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "the change did not happen"
    );

    // Pressing the button does it.
    let p = ada.post("/auth/email/confirm", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        site.browser()
            .login("ada@new.example", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn register_verify_login_account_logout() {
    let site = Site::layer();
    let mut b = site.browser();
    let p = b.get("/auth/register").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("name=\"password_confirm\""));
    assert!(b.csrf.is_some(), "the form carries a CSRF token");
    assert!(p.set_cookie("auth_csrf").unwrap().contains("HttpOnly"));

    register_and_verify(&site, &mut b, "ada@example.com").await;
    let p = b.get("/auth/login").await;
    assert!(
        !p.body.contains("Your email address is confirmed"),
        "a flash shows once"
    );

    let p = b
        .post(
            "/auth/login",
            &[("login", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/");
    let cookie = p.set_cookie("auth_session").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/")
    );
    assert!(!cookie.contains("Secure"), "dev mode: plain HTTP");

    let p = b.get("/auth/account").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("ada@example.com"));
    assert!(p.body.contains("You are signed in"));

    let old = b.session().unwrap();
    let p = b.post("/auth/logout", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(b.session().is_none(), "logout deletes the cookie");

    // Replaying the old cookie after logout is refused.
    b.jar.insert("auth_session".into(), old);
    let p = b.get("/auth/account").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(
        p.location()
            .starts_with("/auth/login?next=%2Fauth%2Faccount"),
        "{}",
        p.location()
    );
    b.jar.insert(
        "auth_session".into(),
        b"x".iter()
            .map(|_| 'A')
            .chain(std::iter::repeat_n('A', 42))
            .collect(),
    );
    let p = b
        .json(Method::GET, "/auth/api/me", serde_json::Value::Null)
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert_eq!(p.json()["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    let mut b = site.browser();
    b.get("/auth/login").await;
    let fields = [("login", "ada@example.com"), ("password", PASSWORD)];
    // No token at all.
    let no_token: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let p = b.post_raw("/auth/login", &no_token).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(b.session().is_none());
    // A token that is not the one of this browser's cookie.
    let mut forged = no_token.clone();
    forged.push(("csrf_token".into(), "ab".repeat(32)));
    assert_eq!(
        b.post_raw("/auth/login", &forged).await.status,
        StatusCode::FORBIDDEN
    );
    // A valid token but no CSRF cookie (another browser's token).
    let mut other = site.browser();
    other.csrf = b.csrf.clone();
    assert_eq!(
        other.post("/auth/login", &fields).await.status,
        StatusCode::FORBIDDEN
    );
    // A valid token posted from a foreign origin.
    let mut with_token = no_token.clone();
    with_token.push(("csrf_token".into(), b.csrf.clone().unwrap()));
    let body = serde_urlencoded::to_string(&with_token).unwrap();
    let p = b
        .request(
            Method::POST,
            "/auth/login",
            Some("application/x-www-form-urlencoded"),
            body.clone().into_bytes(),
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // `Origin: null` (a sandboxed frame, or no-referrer pages) without the browser's
    // own same-origin mark is refused, even with the token.
    for extra in [
        &[("origin", "null")][..],
        &[("origin", "null"), ("sec-fetch-site", "cross-site")][..],
        &[("origin", "null"), ("sec-fetch-site", "same-site")][..],
    ] {
        let p = b
            .request(
                Method::POST,
                "/auth/login",
                Some("application/x-www-form-urlencoded"),
                body.clone().into_bytes(),
                extra,
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{extra:?}");
    }
    // Logout needs the token too.
    assert_eq!(
        b.post_raw("/auth/logout", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // The same form from this site's origin passes.
    let p = b
        .request(
            Method::POST,
            "/auth/login",
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &[("origin", "https://app.test")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
}

/// Our pages send `Referrer-Policy: no-referrer`, so Chromium posts our own forms with
/// `Origin: null` and `Sec-Fetch-Site: same-origin` (found by the real-browser tests in
/// tests/blackbox): with a valid token that is accepted.
#[tokio::test]
async fn a_same_origin_form_with_a_null_origin_passes_with_its_token() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    let mut b = site.browser();
    b.get("/auth/login").await;
    let body = serde_urlencoded::to_string([
        ("login", "ada@example.com"),
        ("password", PASSWORD),
        ("csrf_token", b.csrf.clone().unwrap().as_str()),
    ])
    .unwrap();
    let p = b
        .request(
            Method::POST,
            "/auth/login",
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &[("origin", "null"), ("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
}

#[tokio::test]
async fn next_only_redirects_to_local_paths() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    for (next, expected) in [
        ("/dashboard?tab=1", "/dashboard?tab=1"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/%2F%2Fevil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("javascript:alert(1)", "/"),
    ] {
        let mut b = site.browser();
        let q = serde_urlencoded::to_string([("next", next)]).unwrap();
        let page = b.get(&format!("/auth/login?{q}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let p = b
            .post(
                &format!("/auth/login?{q}"),
                &[("login", "ada@example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{next}: {}", p.body);
        assert_eq!(p.location(), expected, "next={next}");
    }
}

#[tokio::test]
async fn login_issues_a_fresh_session_id_and_refuses_bad_credentials() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    let mut b = site.browser();
    // A planted (fixated) id is replaced.
    let planted = "A".repeat(43);
    b.jar.insert("auth_session".into(), planted.clone());
    let p = b.login("ada@example.com", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let first = b.session().unwrap();
    assert_ne!(first, planted);
    b.login("ada@example.com", PASSWORD).await;
    assert_ne!(b.session().unwrap(), first, "every sign-in gets a new id");
    let mut replay = site.browser();
    replay.jar.insert("auth_session".into(), first);
    let p = replay
        .json(Method::GET, "/auth/api/me", serde_json::Value::Null)
        .await;
    assert_eq!(
        p.status,
        StatusCode::UNAUTHORIZED,
        "signing in again ends the session the browser had"
    );

    let mut c = site.browser();
    let p = c.login("ada@example.com", "wrong password entirely").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.body.contains("incorrect"));
    assert!(
        p.body.contains("value=\"ada@example.com\""),
        "the login is kept"
    );
    assert!(
        !p.body.contains("wrong password entirely"),
        "the password is never echoed"
    );
    let p = c.login("nobody@example.com", PASSWORD).await;
    assert_eq!(
        p.status,
        StatusCode::UNAUTHORIZED,
        "unknown user looks the same"
    );
    let p = c.login("", "").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("aria-describedby=\"f-login-error\""));
    assert!(p.body.contains("id=\"f-login-error\""));
}

#[tokio::test]
async fn password_reset_is_single_use_and_revokes_sessions() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    let mut old_device = site.browser();
    old_device.login("ada@example.com", PASSWORD).await;
    assert!(old_device.session().is_some());

    let mut b = site.browser();
    b.get("/auth/request_password_reset").await;
    let known = b
        .post(
            "/auth/request_password_reset",
            &[("email", "ada@example.com")],
        )
        .await;
    let unknown = b
        .post(
            "/auth/request_password_reset",
            &[("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(unknown.status, known.status);
    assert_eq!(
        known
            .body
            .replace("ada@example.com", "X")
            .replace("ada%40example.com", "X"),
        unknown
            .body
            .replace("nobody@example.com", "X")
            .replace("nobody%40example.com", "X"),
        "the answer does not reveal whether the account exists"
    );
    let link = site.mailed_path("ada@example.com", MailKind::PasswordReset, "/reset/");
    let p = b.get(&link).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/auth/reset");
    assert_eq!(p.header("referrer-policy"), "no-referrer");
    let form = b.follow_redirects(p).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Choose a new password"));
    assert!(
        !form.body.contains(link.rsplit('/').next().unwrap()),
        "the token is not in the page"
    );

    let p = choose_new_password(&mut b, "different").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = choose_new_password(&mut b, NEW_PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(p.location().ends_with("/auth/login"));

    // The old device is signed out; the old password is dead; the new one works.
    let p = old_device
        .json(Method::GET, "/auth/api/me", serde_json::Value::Null)
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        b.login("ada@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        b.login("ada@example.com", NEW_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    // The used link is refused.
    let mut again = site.browser();
    let page = refused_link(&mut again, &link, "This reset link cannot be used").await;
    assert!(
        !page.contains("expired"),
        "a used link is not called expired"
    );
    let token = link.rsplit('/').next().unwrap();
    let p = reset_by_api(&mut again, token, PASSWORD).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert_eq!(p.json()["error"]["code"], "invalid_token");
}

#[tokio::test]
async fn a_verification_token_is_refused_at_reset() {
    let site = Site::layer();
    let mut b = site.browser();
    let link = register(&site, &mut b, "ada@example.com").await;
    let token = link.rsplit('/').next().unwrap();
    // A link for another flow gets the coarse wording.
    refused_link(
        &mut b,
        &format!("/auth/reset/{token}"),
        "This reset link cannot be used",
    )
    .await;
    let p = reset_by_api(&mut b, token, NEW_PASSWORD).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        p.json()["error"]["fields"]["token"]["code"],
        "wrong_purpose"
    );
}

/// The link with one character of its signature changed (not the last, whose low bits
/// base64 may not use).
fn tamper(link: &str) -> String {
    let mut chars: Vec<char> = link.chars().collect();
    let i = chars.len() - 5;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

#[tokio::test]
async fn expired_links_say_so_and_tampered_ones_stay_coarse() {
    let second = time::Duration::seconds(1);
    let site = Site::layer_with(
        |c| {
            c.token_lifetimes(TokenLifetimes {
                verify_email: second,
                reset_password: second,
                change_email: second,
            })
        },
        |w| w,
    );
    site.user("ada@example.com", &[], true).await;
    let mut b = site.browser();
    let verify = register(&site, &mut b, "bob@example.com").await;
    b.get("/auth/request_password_reset").await;
    b.post(
        "/auth/request_password_reset",
        &[("email", "ada@example.com")],
    )
    .await;
    let reset = site.mailed_path("ada@example.com", MailKind::PasswordReset, "/reset/");

    // Tampered while still fresh: the coarse wording, for both flows.
    let page = refused_link(&mut b, &tamper(&reset), "This reset link cannot be used").await;
    assert!(!page.contains("expired"));
    let page = refused_confirmation(
        &mut b,
        &tamper(&verify),
        "/auth/verify",
        "This link cannot be used",
    )
    .await;
    assert!(!page.contains("expired"));

    // Past their one-second lifetime (expiry is checked in whole seconds).
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let page = refused_link(&mut b, &reset, "This reset link has expired").await;
    assert!(
        page.contains("/auth/request_password_reset"),
        "a way to ask again"
    );
    assert!(!page.contains("name=\"password\""), "no password form");
    let page = refused_confirmation(&mut b, &verify, "/auth/verify", "This link has expired").await;
    assert!(page.contains("/auth/verify/resend"), "a way to ask again");
    // The JSON answer keeps its precise code.
    let token = reset.rsplit('/').next().unwrap();
    let p = reset_by_api(&mut b, token, NEW_PASSWORD).await;
    assert_eq!(p.json()["error"]["fields"]["token"]["code"], "expired");
}

#[tokio::test]
async fn changing_the_password_signs_out_other_devices() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    let mut a = site.browser();
    let mut other = site.browser();
    a.login("ada@example.com", PASSWORD).await;
    other.login("ada@example.com", PASSWORD).await;
    a.get("/auth/account/password").await;
    let p = a
        .post(
            "/auth/account/password",
            &[
                ("current_password", "not it at all"),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert!(p.status.is_client_error(), "{}", p.status);
    let p = a
        .post(
            "/auth/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        a.get("/auth/account").await.status,
        StatusCode::OK,
        "this device stays signed in"
    );
    assert_eq!(
        other.get("/auth/account").await.status,
        StatusCode::SEE_OTHER,
        "the other is signed out"
    );
}

#[tokio::test]
async fn device_list_revoke_and_delete_account() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    let mut a = site.browser();
    let mut other = site.browser();
    a.login("ada@example.com", PASSWORD).await;
    other.login("ada@example.com", PASSWORD).await;
    let p = a.get("/auth/account/sessions").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("this device"));
    assert_eq!(
        p.body.matches("name=\"session\"").count(),
        1,
        "only the other device can be revoked here"
    );
    let handle_start =
        p.body.find("name=\"session\" value=\"").unwrap() + "name=\"session\" value=\"".len();
    let handle = p.body[handle_start..handle_start + 64].to_owned();
    let p = a
        .post("/auth/account/sessions/revoke", &[("session", &handle)])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(
        other.get("/auth/account").await.status,
        StatusCode::SEE_OTHER
    );
    // Someone else's (or a made-up) handle is not found.
    let p = a
        .post(
            "/auth/account/sessions/revoke",
            &[("session", &"0".repeat(64))],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    a.get("/auth/account/delete").await;
    let p = a
        .post("/auth/account/delete", &[("password", "wrong wrong wrong")])
        .await;
    assert!(p.status.is_client_error());
    let p = a
        .post("/auth/account/delete", &[("password", PASSWORD)])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(a.session().is_none());
    assert_eq!(
        a.login("ada@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn username_and_email_change() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    let mut a = site.browser();
    a.login("ada@example.com", PASSWORD).await;
    a.get("/auth/account").await;
    let p = a
        .post("/auth/account/profile", &[("username", "ada_l")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = a
        .post(
            "/auth/account/profile",
            &[("username", "no spaces allowed!")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("f-username-error"));
    a.get("/auth/account/email").await;
    let p = a
        .post(
            "/auth/account/email",
            &[("new_email", "ada@new.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let link = site.mailed_path("ada@new.example", MailKind::EmailChange, "/email/confirm/");
    let p = confirm_link(&mut a, &link, "/auth/email/confirm").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = a.follow_redirects(p).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("Your email address was changed"),
        "{}",
        p.body
    );
    // The change signs every device out; the new address and the username sign in.
    assert_eq!(a.get("/auth/account").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        a.login("ada@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        a.login("ada@new.example", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let p = a.get("/auth/account").await;
    assert!(p.body.contains("ada@new.example"));
    let mut b = site.browser();
    assert_eq!(
        b.login("ada_l", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn json_api_flows_and_errors() {
    let site = Site::layer_with(
        |c| c.registration(auth_core::RegistrationMode::RevealConflicts),
        |w| w,
    );
    let mut c = site.browser();
    let p = c
        .json(
            Method::POST,
            "/auth/api/register",
            json!({"email": "not-an-email", "password": "x", "password_confirm": "y"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let j = p.json();
    assert_eq!(j["error"]["code"], "validation_failed");
    assert!(j["error"]["fields"]["email"]["message"].is_string());
    assert!(j["error"]["fields"]["password"].is_object());

    let p = c
        .json(
            Method::POST,
            "/auth/api/register",
            json!({"email": "ada@example.com", "password": PASSWORD, "password_confirm": PASSWORD}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    let p = c
        .json(
            Method::POST,
            "/auth/api/register",
            json!({"email": "ada@example.com", "password": PASSWORD, "password_confirm": PASSWORD}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert_eq!(p.json()["error"]["fields"]["email"]["code"], "taken");

    let link = site.mailed_path("ada@example.com", MailKind::Verification, "/verify/");
    let token = link.rsplit('/').next().unwrap();
    let p = c
        .json(Method::POST, "/auth/api/verify", json!({"token": token}))
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.json()["user"]["email_verified"], true);

    let p = c
        .json(
            Method::POST,
            "/auth/api/login",
            json!({"login": "ada@example.com", "password": "nope nope nope"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert_eq!(p.json()["error"]["code"], "invalid_credentials");
    let p = c
        .json(
            Method::POST,
            "/auth/api/login",
            json!({"login": "ada@example.com", "password": PASSWORD, "remember": true}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.set_cookie("auth_session").unwrap().contains("Max-Age="),
        "remember me persists"
    );
    assert!(
        !p.body.contains(&c.session().unwrap()),
        "the session id is never in the body"
    );
    let p = c
        .json(Method::GET, "/auth/api/me", serde_json::Value::Null)
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.json()["user"]["email"], "ada@example.com");
    assert!(p.json()["user"].get("password_hash").is_none());
    let p = c
        .json(
            Method::GET,
            "/auth/api/account/sessions",
            serde_json::Value::Null,
        )
        .await;
    assert_eq!(p.json()["sessions"].as_array().unwrap().len(), 1);

    // CSRF for the API: JSON content type and a same-site origin.
    let p = c
        .request(
            Method::POST,
            "/auth/api/logout",
            Some("text/plain"),
            b"{}".to_vec(),
            &[],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let p = c
        .request(
            Method::POST,
            "/auth/api/logout",
            Some("application/json"),
            b"{}".to_vec(),
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(p.json()["error"]["code"], "csrf_failed");
    let p = c
        .request(
            Method::POST,
            "/auth/api/logout",
            Some("application/json"),
            b"{}".to_vec(),
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(
        c.json(Method::GET, "/auth/api/me", serde_json::Value::Null)
            .await
            .status,
        StatusCode::OK
    );

    // Malformed bodies are 400s, never 500s.
    for body in [&b"{"[..], b"[1,2]", b"{\"login\": 5}", b"\xff\xfe"] {
        let p = c
            .request(
                Method::POST,
                "/auth/api/login",
                Some("application/json"),
                body.to_vec(),
                &[],
            )
            .await;
        assert_eq!(
            p.status,
            StatusCode::BAD_REQUEST,
            "{:?}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(p.json()["error"]["code"], "bad_request");
    }
    assert_eq!(
        c.json(Method::GET, "/auth/api/nope", serde_json::Value::Null)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.json(Method::GET, "/auth/api/login", serde_json::Value::Null)
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );

    let p = c.json(Method::POST, "/auth/api/logout", json!({})).await;
    assert_eq!(p.status, StatusCode::NO_CONTENT);
    assert_eq!(
        c.json(Method::GET, "/auth/api/me", serde_json::Value::Null)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let p = c
        .json(
            Method::POST,
            "/auth/api/request_password_reset",
            json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn enumeration_safe_registration_answers_the_same() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    let mut c = site.browser();
    let taken = c
        .json(
            Method::POST,
            "/auth/api/register",
            json!({"email": "ada@example.com", "password": PASSWORD, "password_confirm": PASSWORD}),
        )
        .await;
    let fresh = c
        .json(
            Method::POST,
            "/auth/api/register",
            json!({"email": "bob@example.com", "password": PASSWORD, "password_confirm": PASSWORD}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::ACCEPTED);
    assert_eq!(fresh.status, StatusCode::ACCEPTED);
    assert_eq!(taken.body, fresh.body);
}

#[tokio::test]
async fn throttled_logins_get_429_with_retry_after() {
    let limits = RateLimits {
        login_per_ip: RateLimit::new(2, time::Duration::minutes(1)),
        ..RateLimits::default()
    };
    let site = Site::layer_with(|c| c.rate_limits(limits), |w| w);
    site.user("ada@example.com", &[], true).await;
    let mut b = site.browser();
    let mut last = None;
    for _ in 0..4 {
        last = Some(b.login("ada@example.com", "wrong wrong wrong").await);
    }
    let p = last.unwrap();
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.header("retry-after").parse::<u64>().unwrap() >= 1);
    let p = b
        .json(
            Method::POST,
            "/auth/api/login",
            json!({"login": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(p.json()["error"]["code"], "rate_limited");
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let site = Site::layer_with(|c| c, |w| w.body_limit(1024));
    let mut b = site.browser();
    b.get("/auth/login").await;
    let big = "x".repeat(2048);
    let p = b
        .post("/auth/login", &[("login", &big), ("password", "p")])
        .await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    let p = b
        .json(Method::POST, "/auth/api/login", json!({"login": big}))
        .await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(p.json()["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn security_headers_stylesheet_and_unknown_routes() {
    let site = Site::layer();
    let mut b = site.browser();
    let p = b.get("/auth/login").await;
    assert_eq!(
        p.header("content-security-policy"),
        auth_http::CONTENT_SECURITY_POLICY
    );
    assert!(
        p.header("content-security-policy")
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(p.header("cache-control"), "no-store");
    assert_eq!(p.header("x-frame-options"), "DENY");
    assert_eq!(p.header("x-content-type-options"), "nosniff");
    assert_eq!(p.header("referrer-policy"), "no-referrer");
    assert_eq!(p.header("cross-origin-opener-policy"), "same-origin");
    assert!(!p.body.contains("<script"), "no script at all");
    assert!(!p.body.contains("style="), "no inline style");
    assert!(!p.body.contains("<style"), "no style element");
    let css = site.web().stylesheet_path();
    assert!(p.body.contains(&format!("href=\"{css}\"")));
    let s = b.get(&css).await;
    assert_eq!(s.status, StatusCode::OK);
    assert!(s.header("content-type").starts_with("text/css"));
    assert!(s.header("cache-control").contains("immutable"));
    assert!(s.body.contains("prefers-color-scheme: dark"));
    assert_eq!(
        b.get("/auth/static/auth-0000.css").await.status,
        StatusCode::SEE_OTHER
    );

    assert_eq!(b.get("/auth/nope").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        b.get("/auth/logout").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        b.request(Method::PUT, "/auth/login", None, Vec::new(), &[])
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    // Garbage in a form is a 4xx, not a 500.
    let p = b
        .request(
            Method::POST,
            "/auth/login",
            Some("application/x-www-form-urlencoded"),
            b"%%%\xff=\xfe".to_vec(),
            &[],
        )
        .await;
    assert!(p.status.is_client_error(), "{}", p.status);
    let p = b
        .request(
            Method::POST,
            "/auth/login",
            Some("multipart/form-data"),
            b"x".to_vec(),
            &[],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A verification page without its cookie explains itself.
    let p = b.get("/auth/verify").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    for bad in ["a%3Bb%3D", &"x".repeat(5000)] {
        let p = b.get(&format!("/auth/reset/{bad}")).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        assert!(
            p.set_cookie("auth_link")
                .is_some_and(|c| c.contains("Max-Age=0")),
            "not stashed"
        );
        assert_eq!(b.follow_redirects(p).await.status, StatusCode::BAD_REQUEST);
    }
    // Not shaped like a link token: refused at once, no button.
    for bad in ["garbage-token", "a.b", "a..b", "a.b.c.d", ".b.c"] {
        let p = b.get(&format!("/auth/verify/{bad}")).await;
        let p = b.follow_redirects(p).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(p.body.contains("Send a new link"), "{bad}");
        assert!(!p.body.contains("action=\"/auth/verify\""), "{bad}");
    }
    // Shaped like one but forged: the button's answer explains.
    let body = refused_confirmation(
        &mut b,
        "/auth/verify/aaaa.bbbb.cccc",
        "/auth/verify",
        "This link cannot be used",
    )
    .await;
    assert!(body.contains("Send a new link"));
    let body = refused_confirmation(
        &mut b,
        "/auth/email/confirm/aaaa.bbbb.cccc",
        "/auth/email/confirm",
        "This link cannot be used",
    )
    .await;
    assert!(body.contains("/auth/account/email"));
}

#[tokio::test]
async fn secure_cookies_use_the_host_prefix() {
    let site = Site::layer_with(|c| c, |w| w.insecure_dev_cookies(false));
    site.user("ada@example.com", &[], true).await;
    let mut b = site.browser();
    let p = b.get("/auth/login").await;
    let csrf = p.set_cookie("__Host-auth_csrf").unwrap();
    assert!(csrf.contains("Secure") && csrf.contains("Path=/"));
    let p = b
        .post(
            "/auth/login",
            &[("login", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    let session = p.set_cookie("__Host-auth_session").unwrap();
    for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(flag), "{session} lacks {flag}");
    }
    assert!(!session.contains("Domain"));
}

#[tokio::test]
async fn templates_are_overridable_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("request_reset.html"),
        "{% extends \"base.html\" %}{% block content %}<p>CUSTOM RESET {{ csrf_token|length }}</p>{% endblock %}",
    )
    .unwrap();
    let site = Site::layer_with(
        |c| c,
        |w| {
            w.template_dir(dir.path())
                .template("login.html", "{% extends \"base.html\" %}{% block content %}<h1>Hello {{ app_name }}</h1>{% endblock %}")
        },
    );
    let mut b = site.browser();
    let p = b.get("/auth/login").await;
    assert!(p.body.contains("<h1>Hello Test App</h1>"), "{}", p.body);
    let p = b.get("/auth/request_password_reset").await;
    assert!(p.body.contains("CUSTOM RESET 64"));
    assert!(
        auth_http::AuthWeb::builder(site.auth().clone())
            .template("base.html", "{% block x %}")
            .build()
            .is_err()
    );
}

const CHROME_ON_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36";

#[tokio::test]
async fn device_lists_name_browsers_and_activity_reads_as_words() {
    let site = Site::layer();
    site.user("root@example.com", &["admin"], true).await;
    let ada = site.user("ada@example.com", &[], true).await;
    let mut chrome = site.browser();
    chrome.user_agent = Some(CHROME_ON_LINUX.into());
    chrome.login("ada@example.com", PASSWORD).await;
    let mut script = site.browser();
    script.login("ada@example.com", PASSWORD).await;
    script.get("/auth/request_password_reset").await;
    script
        .post(
            "/auth/request_password_reset",
            &[("email", "ada@example.com")],
        )
        .await;

    // The owner's list: a short name, the full string one hover away; an agent that is
    // no known browser as sent.
    let title = format!("<span title=\"{CHROME_ON_LINUX}\">");
    let p = chrome.get("/auth/account/sessions").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Chrome 156 on Linux</span>"), "{}", p.body);
    assert!(
        p.body.contains(&title),
        "the full string in a title: {}",
        p.body
    );
    assert!(p.body.contains(">test-browser/1.0</span>"), "{}", p.body);
    // The JSON API keeps the raw string and gains no field.
    let me = chrome
        .json(
            Method::GET,
            "/auth/api/account/sessions",
            serde_json::Value::Null,
        )
        .await;
    let listed = me.json().to_string();
    assert!(listed.contains("HeadlessChrome/156.0.0.0"), "{listed}");
    assert!(!listed.contains("\"device\""), "{listed}");

    // The admin's page of the user: the same device names, events in words.
    let mut admin = site.browser();
    admin.login("root@example.com", PASSWORD).await;
    let p = admin.get(&format!("/auth/admin/users/{}", ada.id)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Chrome 156 on Linux</span>"), "{}", p.body);
    assert!(p.body.contains(&title), "{}", p.body);
    assert!(
        p.body.contains("<td>Password reset requested</td>"),
        "{}",
        p.body
    );
    assert!(p.body.contains("<td>Signed in</td>"), "{}", p.body);
    assert!(
        !p.body.contains("password_reset_requested") && !p.body.contains("login_succeeded"),
        "no storage names on the page: {}",
        p.body
    );
}

#[tokio::test]
async fn admin_pages_need_the_admin_role() {
    let site = Site::layer();
    site.user("root@example.com", &["admin"], true).await;
    let victim = site.user("ada@example.com", &[], true).await;
    let mut user = site.browser();
    user.login("ada@example.com", PASSWORD).await;
    let p = user.get("/auth/admin").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_signed_in_header(&p.body, "ada@example.com");
    assert_eq!(
        user.json(
            Method::GET,
            "/auth/api/admin/users",
            serde_json::Value::Null
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let mut anon = site.browser();
    assert_eq!(anon.get("/auth/admin").await.status, StatusCode::SEE_OTHER);

    let mut admin = site.browser();
    admin.login("root@example.com", PASSWORD).await;
    let p = admin.get("/auth/admin?q=ada").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("ada@example.com"));
    let p = admin.get(&format!("/auth/admin/users/{}", victim.id)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Disable account"));
    let p = admin
        .post(&format!("/auth/admin/users/{}/disable", victim.id), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        user.get("/auth/account").await.status,
        StatusCode::SEE_OTHER,
        "disabled: signed out"
    );
    assert_eq!(
        user.login("ada@example.com", PASSWORD).await.status,
        StatusCode::FORBIDDEN
    );
    let p = admin
        .json(
            Method::GET,
            "/auth/api/admin/users",
            serde_json::Value::Null,
        )
        .await;
    assert_eq!(p.json()["total"], 2);
    assert_eq!(
        admin.get("/auth/admin/users/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Signs in through the JSON API with `headers` added; the address `/api/me` says the
/// session was opened from.
async fn session_address(site: &Site, headers: &[(&str, &str)]) -> serde_json::Value {
    let mut b = site.browser();
    let body = json!({"login": "ada@example.com", "password": PASSWORD}).to_string();
    let p = b
        .request(
            Method::POST,
            "/auth/api/login",
            Some("application/json"),
            body.into_bytes(),
            headers,
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let p = b
        .json(Method::GET, "/auth/api/me", serde_json::Value::Null)
        .await;
    p.json()["session"]["ip"].clone()
}

#[tokio::test]
async fn client_address_comes_from_the_peer_unless_a_proxy_is_trusted() {
    let xff = "203.0.113.9, 10.0.0.1";
    let forwarded = "for=203.0.113.9, for=\"[2001:db8::7]:4711\"";
    for (web, header, value, expected) in [
        (
            (|w| w) as fn(auth_http::AuthWebBuilder) -> auth_http::AuthWebBuilder,
            "x-forwarded-for",
            xff,
            "192.0.2.7",
        ),
        (
            |w| w.trust_forwarded_for(false),
            "x-forwarded-for",
            xff,
            "192.0.2.7",
        ),
        // One trusted proxy: the entry it appended, the rightmost.
        (
            |w| w.trust_forwarded_for(true),
            "x-forwarded-for",
            xff,
            "10.0.0.1",
        ),
        (
            |w| w.trusted_proxy_hops(1),
            "x-forwarded-for",
            xff,
            "10.0.0.1",
        ),
        // Two: the one the outer proxy appended.
        (
            |w| w.trusted_proxy_hops(2),
            "x-forwarded-for",
            xff,
            "203.0.113.9",
        ),
        (
            |w| w.trusted_proxy_hops(2).trust_forwarded_for(false),
            "x-forwarded-for",
            xff,
            "192.0.2.7",
        ),
        // RFC 7239.
        (
            |w| w.trusted_proxy_hops(1).proxy_header(ProxyHeader::Forwarded),
            "forwarded",
            forwarded,
            "2001:db8::7",
        ),
        (
            |w| w.trusted_proxy_hops(2).proxy_header(ProxyHeader::Forwarded),
            "forwarded",
            forwarded,
            "203.0.113.9",
        ),
        // Only the configured header is read.
        (
            |w| w.trusted_proxy_hops(1).proxy_header(ProxyHeader::Forwarded),
            "x-forwarded-for",
            xff,
            "192.0.2.7",
        ),
        (
            |w| w.trusted_proxy_hops(1),
            "forwarded",
            forwarded,
            "192.0.2.7",
        ),
        // Malformed or no address where the proxy writes: the peer.
        (
            |w| w.trusted_proxy_hops(1),
            "x-forwarded-for",
            "203.0.113.9, unknown",
            "192.0.2.7",
        ),
        (
            |w| w.trusted_proxy_hops(1),
            "x-forwarded-for",
            "\"[::1",
            "192.0.2.7",
        ),
        (
            |w| w.trusted_proxy_hops(1).proxy_header(ProxyHeader::Forwarded),
            "forwarded",
            "for=203.0.113.9, for=_hidden",
            "192.0.2.7",
        ),
    ] {
        let site = Site::layer_with(|c| c, web);
        site.user("ada@example.com", &[], true).await;
        let ip = session_address(&site, &[(header, value)]).await;
        assert_eq!(ip, expected, "{header}: {value}");
    }
}

#[tokio::test]
async fn forged_forwarded_entries_do_not_escape_the_per_address_login_limit() {
    let limits = RateLimits {
        login_per_ip: RateLimit::new(3, time::Duration::minutes(1)),
        ..RateLimits::default()
    };
    for (header, web, appended) in [
        (
            "x-forwarded-for",
            (|w| w.trust_forwarded_for(true))
                as fn(auth_http::AuthWebBuilder) -> auth_http::AuthWebBuilder,
            "203.0.113.9",
        ),
        (
            "forwarded",
            |w| w.trusted_proxy_hops(1).proxy_header(ProxyHeader::Forwarded),
            "for=\"[2001:db8::9]:4711\"",
        ),
    ] {
        let site = Site::layer_with(|c| c.rate_limits(limits), web);
        site.user("ada@example.com", &[], true).await;
        let mut statuses = Vec::new();
        for i in 0..6 {
            // A different forged address at the left each time; the proxy's at the right.
            let forged = match header {
                "forwarded" => format!("for=198.51.100.{i}"),
                _ => format!("198.51.100.{i}"),
            };
            let value = format!("{forged}, {appended}");
            let mut b = site.browser();
            let body =
                json!({"login": format!("nobody{i}@example.com"), "password": "wrong wrong wrong"});
            let p = b
                .request(
                    Method::POST,
                    "/auth/api/login",
                    Some("application/json"),
                    body.to_string().into_bytes(),
                    &[(header, &value)],
                )
                .await;
            statuses.push(p.status.as_u16());
        }
        assert_eq!(
            statuses,
            [401, 401, 401, 429, 429, 429],
            "{header}: one address, one budget"
        );
    }
}

#[tokio::test]
async fn head_requests_get_headers_without_a_body() {
    let site = Site::layer();
    let mut b = site.browser();
    let p = b
        .request(Method::HEAD, "/auth/login", None, Vec::new(), &[])
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.is_empty());
    assert!(p.header("content-type").starts_with("text/html"));
}

/// The header of a page for a signed-in user: who it is and a sign-out form, no
/// sign-in link.
fn assert_signed_in_header(body: &str, email: &str) {
    assert!(
        body.contains(&format!("Signed in as <strong>{email}</strong>")),
        "{body}"
    );
    assert!(body.contains(">Sign out</button>"), "{body}");
    assert!(!body.contains(">Sign in</a>"), "{body}");
}

#[tokio::test]
async fn a_guard_refusal_page_shows_the_refused_user() {
    let site = Site::layer();
    site.user("ada@example.com", &[], false).await;
    let mut b = site.browser();
    b.login("ada@example.com", PASSWORD).await;
    let mut headers = http::HeaderMap::new();
    let cookie = format!("auth_session={}", b.session().unwrap());
    headers.insert("cookie", cookie.parse().unwrap());
    let ada = site.web().current_user(&headers).await.unwrap().unwrap();
    let req = Requirement::role("admin");
    let denial = req.check(Some(&ada)).unwrap_err();
    assert_eq!(denial, Denial::Forbidden);

    let r = site.web().deny(denial, Some(&ada), &headers, "/reports");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body = String::from_utf8(r.body().to_vec()).unwrap();
    assert!(body.contains("Not allowed"), "{body}");
    assert_signed_in_header(&body, "ada@example.com");

    let r = site
        .web()
        .deny(Denial::EmailNotVerified, Some(&ada), &headers, "/reports");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body = String::from_utf8(r.body().to_vec()).unwrap();
    assert_signed_in_header(&body, "ada@example.com");
    assert!(
        body.contains("value=\"ada@example.com\""),
        "the resend form knows the address: {body}"
    );

    // Without a user, the page has the signed-out header.
    let r = site
        .web()
        .deny(Denial::Forbidden, None, &headers, "/reports");
    let body = String::from_utf8(r.body().to_vec()).unwrap();
    assert!(body.contains(">Sign in</a>"), "{body}");
    assert!(!body.contains(">Sign out</button>"), "{body}");
    // JSON clients get the same refusal without a page.
    headers.insert("accept", "application/json".parse().unwrap());
    let r = site
        .web()
        .deny(Denial::Forbidden, Some(&ada), &headers, "/reports");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        String::from_utf8(r.body().to_vec())
            .unwrap()
            .contains("\"forbidden\"")
    );
}

/// Checks every password field of `html` (the page at `path`): masked, and named for
/// password managers. How many there are.
fn password_fields_are_masked(html: &str, path: &str) -> usize {
    let mut seen = 0;
    for input in html.split("<input").skip(1) {
        let input = input.split('>').next().unwrap_or_default();
        let name = input.split("name=\"").nth(1).unwrap_or_default();
        if !name
            .split('"')
            .next()
            .unwrap_or_default()
            .contains("password")
        {
            continue;
        }
        assert!(input.contains("type=\"password\""), "{path}: {input}");
        assert!(
            input.contains("autocomplete=\"current-password\"")
                || input.contains("autocomplete=\"new-password\""),
            "{path}: {input}"
        );
        seen += 1;
    }
    seen
}

/// Password fields are masked and named for password managers (and no page has a script
/// that could refuse a paste: `security_headers_stylesheet_and_unknown_routes`); every
/// page of a signed-in person offers sign-out; only a sign-in opens a session, never
/// confirming an address or resetting a password, and the JSON sign-in hands the id over
/// in `Set-Cookie` only.
#[tokio::test]
async fn password_fields_sign_out_links_and_who_opens_sessions() {
    let site = Site::layer();
    let mut b = site.browser();
    for (path, fields) in [("/auth/login", 1), ("/auth/register", 2)] {
        let p = b.get(path).await;
        assert_eq!(password_fields_are_masked(&p.body, path), fields, "{path}");
    }
    register_and_verify(&site, &mut b, "ada@example.com").await;
    assert!(
        b.session().is_none(),
        "confirming an address signs nobody in"
    );

    let mut r = site.browser();
    r.get("/auth/request_password_reset").await;
    r.post(
        "/auth/request_password_reset",
        &[("email", "ada@example.com")],
    )
    .await;
    let link = site.mailed_path("ada@example.com", MailKind::PasswordReset, "/reset/");
    let p = r.get(&link).await;
    let p = r.follow_redirects(p).await;
    assert_eq!(password_fields_are_masked(&p.body, "/auth/reset"), 2);
    let p = choose_new_password(&mut r, NEW_PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(r.session().is_none(), "a reset signs nobody in");

    site.user("root@example.com", &["admin"], true).await;
    let mut admin = site.browser();
    admin.login("root@example.com", PASSWORD).await;
    assert!(admin.session().is_some());
    for (path, fields) in [
        ("/auth/account", 0),
        ("/auth/account/password", 3),
        ("/auth/account/email", 1),
        ("/auth/account/sessions", 0),
        ("/auth/account/delete", 1),
        ("/auth/admin", 0),
        ("/auth/admin/mail", 0),
        ("/auth/admin/webhooks", 0),
    ] {
        let p = admin.get(path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        assert!(
            p.body
                .contains("<form method=\"post\" action=\"/auth/logout\">"),
            "{path} offers no sign-out: {}",
            p.body
        );
        assert_eq!(password_fields_are_masked(&p.body, path), fields, "{path}");
    }

    let mut api = site.browser();
    let p = api
        .json(
            Method::POST,
            "/auth/api/login",
            json!({"login": "ada@example.com", "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let id = api.session().expect("a session cookie");
    assert!(!p.body.contains(&id), "the session id is in the body");
}

#[tokio::test]
async fn only_the_mounted_api_is_refused_as_json_by_path() {
    let site = Site::layer();
    let browser = http::HeaderMap::new();
    for path in ["/blog/api/x", "/authx/api/me", "/reports?next=/auth/api/me"] {
        let r = site
            .web()
            .deny(Denial::Unauthenticated, None, &browser, path);
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/auth/login?next="),
            "{path}"
        );
    }
    for path in ["/auth/api/me", "/auth/api", "/auth/api/admin/users?q=x"] {
        let r = site
            .web()
            .deny(Denial::Unauthenticated, None, &browser, path);
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(
            String::from_utf8(r.body().to_vec())
                .unwrap()
                .contains("\"unauthenticated\""),
            "{path}"
        );
    }
    // Outside the API, a program that asks for JSON gets JSON.
    let mut program = http::HeaderMap::new();
    program.insert("accept", "application/json".parse().unwrap());
    let r = site
        .web()
        .deny(Denial::Unauthenticated, None, &program, "/blog/api/x");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// The avatar markup of the first `<svg class="avatar"` in `body` after `marker`.
fn avatar_after<'a>(body: &'a str, marker: &str) -> &'a str {
    let find = |from: usize, what: &str| {
        body[from..]
            .find(what)
            .map(|at| from + at)
            .unwrap_or_else(|| panic!("{what} after {marker} in {body}"))
    };
    let start = find(find(0, marker), "<svg class=\"avatar\"");
    &body[start..find(start, "</svg>") + "</svg>".len()]
}

#[tokio::test]
async fn avatars_show_in_the_header_the_account_page_and_the_admin_pages() {
    let site = Site::layer();
    site.user("root@example.com", &["admin"], true).await;
    let ada = site.user("ada@example.com", &[], true).await;
    let mut anon = site.browser();
    let p = anon.get("/auth/login").await;
    assert!(
        !p.body.contains("class=\"avatar\""),
        "nobody, no avatar: {}",
        p.body
    );

    let mut b = site.browser();
    b.login("ada@example.com", PASSWORD).await;
    let p = b.get("/auth/account").await;
    assert_eq!(p.status, StatusCode::OK);
    assert_signed_in_header(&p.body, "ada@example.com");
    let header = avatar_after(&p.body, "<header");
    assert!(
        header.contains(">A</text>"),
        "the email's first letter: {header}"
    );
    assert!(header.contains("aria-hidden=\"true\""), "{header}");
    assert_eq!(
        avatar_after(&p.body, "<main"),
        header,
        "the account page's, the same"
    );
    assert_eq!(
        p.header("content-security-policy"),
        auth_http::CONTENT_SECURITY_POLICY,
        "inline SVG needs no change to the policy"
    );

    // A display name gives the initials, its markup escaped.
    let r = b
        .post(
            "/auth/account/profile",
            &[
                ("username", ""),
                ("display_name", "Ada <script>alert(1)</script>"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = b.get("/auth/account").await;
    assert!(!p.body.contains("<script"), "{}", p.body);
    let named = avatar_after(&p.body, "<header");
    assert!(named.contains(">AS</text>"), "{named}");
    assert_ne!(named, header, "the letters follow the name");
    let fill = |svg: &str| svg.split("fill=\"").nth(1).map(|f| f[..7].to_owned());
    assert_eq!(
        fill(named),
        fill(header),
        "the colour stays: it comes from the id"
    );

    // The admin's list (a row per account) and the admin's page of the user.
    let mut admin = site.browser();
    admin.login("root@example.com", PASSWORD).await;
    let p = admin.get("/auth/admin").await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(
        p.body.matches("<svg class=\"avatar\"").count(),
        3,
        "the header's and one per row: {}",
        p.body
    );
    let row = format!(
        "<td><div class=\"with-avatar\">{named}<a href=\"/auth/admin/users/{}\">",
        ada.id
    );
    assert!(p.body.contains(&row), "{}", p.body);
    let p = admin.get(&format!("/auth/admin/users/{}", ada.id)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(avatar_after(&p.body, "<main"), named, "{}", p.body);
    assert!(p.body.contains("<strong>Ada &lt;script&gt;"), "{}", p.body);
}
