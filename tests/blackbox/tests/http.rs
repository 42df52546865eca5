//! The black-box suite: the same scenarios against every demo binary over real sockets.
//!
//! Each scenario is a function of a running [`Demo`]; `scenarios!` generates one test per
//! scenario per framework and backend (`axum::sqlite::login_...`,
//! `rocket::postgres_redis::login_...`), so a scenario added here runs against all three
//! frameworks, and a framework that answers differently fails. Within one test process a
//! demo process per framework and backend is shared by the scenarios (each uses its own
//! email addresses and its own client source address); under nextest, where each test is
//! its own process, each test starts its own demo.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use blackbox_tests::walk::html_register_verify_login_dashboard_logout_reset;
use blackbox_tests::{
    Backend, Body, Demo, Framework, Mode, NEW_PASSWORD, PASSWORD, Resp, email, enc,
};
use serde_json::json;

blackbox_tests::scenarios!(
    html_register_verify_login_dashboard_logout_reset,
    json_register_verify_login_me_logout_reset,
    account_pages_password_change_and_sessions,
    form_errors_re_render_with_status_and_fields,
    json_errors_have_codes,
    wrong_password_and_unknown_account_look_the_same,
    csrf_missing_wrong_or_cross_site_is_refused,
    next_only_redirects_to_local_paths,
    dev_cookies_are_httponly_samesite_lax,
    login_issues_a_new_session_id,
    a_cookie_replayed_after_logout_is_refused,
    reset_links_are_single_use_and_purpose_bound,
    lockout_answers_429_with_retry_after,
    per_ip_rate_limit_answers_429_with_retry_after,
    oversized_bodies_get_413,
    registration_and_reset_do_not_reveal_accounts,
    guards_for_login_verified_email_and_roles,
    security_headers_on_every_page,
    mailed_links_opened_by_a_scanner_confirm_nothing,
);

// ---------------------------------------------------------------------------------------
// Helpers

fn register_html(demo: &Demo, email: &str) -> Resp {
    let mut c = demo.client();
    c.get("/auth/register");
    c.post(
        "/auth/register",
        &[
            ("email", email),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    )
}

/// A verified account made through the public flow (register, mailed link).
fn verified_account(demo: &Demo, email: &str) {
    let r = register_html(demo, email);
    assert_eq!(r.status, 200, "{}", r.body);
    let token = demo.mailed_token(email, "verification", "/verify/");
    let mut c = demo.client();
    let r = c.api("/auth/api/verify", json!({ "token": token }));
    assert_eq!(r.status, 200, "{}", r.body);
}

fn session_cookie(c: &blackbox_tests::Client) -> Option<String> {
    c.cookie("auth_session").map(str::to_owned)
}

fn signed_in(demo: &Demo, email: &str) -> blackbox_tests::Client {
    let mut c = demo.client();
    let r = c.login(email, PASSWORD);
    assert_eq!(r.status, 303, "{}", r.body);
    c
}

// ---------------------------------------------------------------------------------------
// Flows

fn json_register_verify_login_me_logout_reset(demo: &Demo) {
    let email = email("json-flow", demo);
    let mut c = demo.client();
    let r = c.api(
        "/auth/api/register",
        json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json()["status"], "accepted");

    let r = c.api_login(&email, PASSWORD);
    // Signing in before confirming is allowed or refused, but the same everywhere:
    // record it for the comparison across frameworks through the asserts below.
    let before_verify = r.status;
    assert!(before_verify == 200 || before_verify == 403, "{}", r.body);

    let token = demo.mailed_token(&email, "verification", "/verify/");
    let r = c.api("/auth/api/verify", json!({ "token": token }));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["user"]["email_verified"], true);

    let mut c = demo.client();
    assert_eq!(c.get_json("/auth/api/me").status, 401);
    let r = c.api_login(&email, PASSWORD);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["user"]["email"], email.as_str());
    assert!(v["session"]["expires_at"].is_string(), "{v}");
    for secret in ["password", "hash", "security_stamp", "stamp"] {
        assert!(
            v["user"].get(secret).is_none(),
            "the user object leaks {secret}: {v}"
        );
    }
    let me = c.get_json("/auth/api/me");
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["user"]["email"], email.as_str());
    let sessions = c.get_json("/auth/api/account/sessions");
    assert_eq!(sessions.status, 200);
    assert_eq!(sessions.json()["sessions"][0]["current"], true);

    let r = c.api("/auth/api/logout", json!({}));
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(c.get_json("/auth/api/me").status, 401);

    let r = c.api(
        "/auth/api/request_password_reset",
        json!({ "email": email }),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let token = demo.mailed_token(&email, "password_reset", "/reset/");
    let r = c.api(
        "/auth/api/reset_password",
        json!({"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = c.api_login(&email, PASSWORD);
    assert_eq!(r.status, 401);
    assert_eq!(r.error_code(), "invalid_credentials");
    assert_eq!(c.api_login(&email, NEW_PASSWORD).status, 200);
    let r = c.api("/auth/api/logout_everywhere", json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["revoked"].as_u64().is_some());
}

/// What a mail provider's link scanner does with a mailed link: GET it and follow the
/// redirects with the cookies it is given, twice, and submit nothing. The last page.
fn scan(c: &mut blackbox_tests::Client, link: &str) -> Resp {
    let r = c.get(link);
    assert_eq!(r.status, 303, "{}", r.body);
    let landing = r.location().to_owned();
    let page = c.follow(&r);
    assert_eq!(page.status, 200, "{}", page.body);
    let again = c.get(&landing);
    assert_eq!(again.status, 200, "{}", again.body);
    page
}

/// A confirmation link and a change-of-address link opened by a scanner (GET only, with
/// cookies and redirects) confirm nothing; the page's button does.
fn mailed_links_opened_by_a_scanner_confirm_nothing(demo: &Demo) {
    let email = email("scanned", demo);
    let r = register_html(demo, &email);
    assert_eq!(r.status, 200, "{}", r.body);
    let link = demo.mailed_path(&email, "verification", "/verify/");
    let mut scanner = demo.client();
    let page = scan(&mut scanner, &link);
    assert!(
        page.body.contains("<h1>Confirm your email address</h1>"),
        "{}",
        page.body
    );
    let mut c = signed_in(demo, &email);
    let me = c.get_json("/auth/api/me");
    assert_eq!(me.json()["user"]["email_verified"], false, "{}", me.body);
    assert_eq!(c.get("/dashboard").status, 403, "still unconfirmed");

    // The owner opens the same link and presses the button.
    let page = scan(&mut c, &link);
    assert!(
        page.body
            .contains("method=\"post\" action=\"/auth/verify\""),
        "{}",
        page.body
    );
    let r = c.post("/auth/verify", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        c.get_json("/auth/api/me").json()["user"]["email_verified"],
        true
    );

    // A change of address: the new address's scanner opens the link; nothing moves.
    c.get("/auth/account/email");
    let new_email = format!("new.{email}");
    let r = c.post(
        "/auth/account/email",
        &[("new_email", &new_email), ("password", PASSWORD)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let link = demo.mailed_path(&new_email, "email_change", "/email/confirm/");
    let page = scan(&mut scanner, &link);
    assert!(
        page.body.contains("<h1>Confirm your new address</h1>"),
        "{}",
        page.body
    );
    let me = c.get_json("/auth/api/me");
    assert_eq!(me.status, 200, "still signed in: {}", me.body);
    assert_eq!(me.json()["user"]["email"], email.as_str());
    assert_eq!(demo.client().login(&new_email, PASSWORD).status, 401);

    // Pressed, it moves.
    scan(&mut c, &link);
    let r = c.post("/auth/email/confirm", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(demo.client().login(&new_email, PASSWORD).status, 303);
}

fn account_pages_password_change_and_sessions(demo: &Demo) {
    let email = email("account", demo);
    verified_account(demo, &email);
    let mut laptop = signed_in(demo, &email);
    let mut phone = signed_in(demo, &email);
    for page in [
        "/auth/account",
        "/auth/account/password",
        "/auth/account/email",
        "/auth/account/sessions",
        "/auth/account/delete",
    ] {
        let r = laptop.get(page);
        assert_eq!(r.status, 200, "{page}: {}", r.body);
    }
    let list = laptop.get_json("/auth/api/account/sessions");
    assert_eq!(list.json()["sessions"].as_array().map(Vec::len), Some(2));

    // Changing the password keeps this session and signs the other device out.
    laptop.get("/auth/account/password");
    let r = laptop.post(
        "/auth/account/password",
        &[
            ("current_password", PASSWORD),
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ],
    );
    assert!(
        r.status == 303 || r.status == 200,
        "{} {}",
        r.status,
        r.body
    );
    assert_eq!(laptop.get_json("/auth/api/me").status, 200);
    assert_eq!(phone.get_json("/auth/api/me").status, 401, "other device");

    // The profile through JSON, then revoke_others with a fresh second device.
    let r = laptop.api(
        "/auth/api/account/profile",
        json!({"username": format!("u{}", demo.framework.name())}),
    );
    assert!(r.status == 200 || r.status == 409, "{}", r.body);
    let mut tablet = demo.client();
    assert_eq!(tablet.api_login(&email, NEW_PASSWORD).status, 200);
    let r = laptop.api("/auth/api/account/sessions/revoke_others", json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["revoked"], 1);
    assert_eq!(tablet.get_json("/auth/api/me").status, 401);

    // Deleting the account signs out and frees nothing but refuses the login.
    let r = laptop.api(
        "/auth/api/account/delete",
        json!({"password": NEW_PASSWORD}),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(laptop.get_json("/auth/api/me").status, 401);
    assert_eq!(demo.client().api_login(&email, NEW_PASSWORD).status, 401);
}

// ---------------------------------------------------------------------------------------
// Errors

fn form_errors_re_render_with_status_and_fields(demo: &Demo) {
    let email = email("form-errors", demo);
    let mut c = demo.client();
    c.get("/auth/register");
    // Mismatched confirmation.
    let r = c.post(
        "/auth/register",
        &[
            ("email", &email),
            ("password", PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("aria-invalid=\"true\""), "{}", r.body);
    assert!(r.body.contains(&email), "the email is kept");
    assert!(!r.body.contains(PASSWORD), "passwords are never echoed");
    // A weak password.
    let r = c.post(
        "/auth/register",
        &[
            ("email", &email),
            ("password", "password"),
            ("password_confirm", "password"),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("aria-invalid=\"true\""));
    // Not an email address.
    let r = c.post(
        "/auth/register",
        &[
            ("email", "not-an-address"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    // A wrong password at login.
    let r = c.login(&email, "wrong wrong wrong wrong");
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(
        r.body
            .contains("The email, username or password is incorrect."),
        "{}",
        r.body
    );
    // A broken link.
    let r = c.get("/auth/reset/not-a-token");
    assert_eq!(r.status, 303);
    let r = c.follow(&r);
    assert_eq!(r.status, 400, "{}", r.body);
    let r = c.get("/auth/verify/not-a-token");
    let r = c.follow(&r);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("Send a new link"), "{}", r.body);
    // Unknown route and wrong method.
    let r = c.get("/auth/no-such-page");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Page not found"), "{}", r.body);
    assert_eq!(c.get("/auth/logout").status, 405);
    // Garbage and a wrong content type are 4xx, never 5xx.
    let r = c.send(
        "POST",
        "/auth/login",
        Body::Raw(Some("application/x-www-form-urlencoded"), b"%%%\xff=\xfe"),
        &[],
    );
    assert!((400..500).contains(&r.status), "{}", r.status);
    let r = c.send(
        "POST",
        "/auth/login",
        Body::Raw(Some("multipart/form-data"), b"x"),
        &[],
    );
    assert_eq!(r.status, 415);
}

fn json_errors_have_codes(demo: &Demo) {
    let email = email("json-errors", demo);
    let mut c = demo.client();
    let r = c.api(
        "/auth/api/register",
        json!({"email": email, "password": "password", "password_confirm": "password"}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_code(), "validation_failed");
    assert!(
        r.json()["error"]["fields"]["password"]["code"].is_string(),
        "{}",
        r.body
    );
    let r = c.api(
        "/auth/api/register",
        json!({"email": email, "password": PASSWORD, "password_confirm": NEW_PASSWORD}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error"]["fields"]["password_confirm"]["code"],
        "mismatch",
        "{}",
        r.body
    );
    let r = c.api("/auth/api/register", json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error"]["fields"]["email"]["code"],
        "required",
        "{}",
        r.body
    );
    let r = c.send(
        "POST",
        "/auth/api/login",
        Body::Raw(Some("application/json"), b"[1,2"),
        &[],
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), "bad_request");
    let r = c.api("/auth/api/login", json!({"login": 5, "password": []}));
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), "bad_request");
    let r = c.send(
        "POST",
        "/auth/api/login",
        Body::Raw(Some("text/plain"), b"{}"),
        &[],
    );
    assert_eq!(r.status, 415);
    assert_eq!(r.error_code(), "unsupported_media_type");
    let r = c.get_json("/auth/api/nope");
    assert_eq!(r.status, 404);
    assert_eq!(r.error_code(), "not_found");
    let r = c.get_json("/auth/api/login");
    assert_eq!(r.status, 405);
    assert_eq!(r.error_code(), "method_not_allowed");
    let r = c.get_json("/auth/api/me");
    assert_eq!(r.status, 401);
    assert_eq!(r.error_code(), "unauthenticated");
    for (token, reason) in [
        ("garbage", "malformed"),
        (
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImRlbW8tMSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
            "",
        ),
    ] {
        let r = c.api("/auth/api/verify", json!({ "token": token }));
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(r.error_code(), "invalid_token");
        if !reason.is_empty() {
            assert_eq!(
                r.json()["error"]["fields"]["token"]["code"],
                reason,
                "{}",
                r.body
            );
        }
    }
}

fn wrong_password_and_unknown_account_look_the_same(demo: &Demo) {
    let email = email("same-answer", demo);
    verified_account(demo, &email);
    let mut c = demo.client();
    let wrong = c.api_login(&email, "not the password at all");
    let unknown = c.api_login(&format!("nobody-{email}"), "not the password at all");
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    let wrong = c.login(&email, "not the password at all");
    let unknown = c.login(&format!("nobody-{email}"), "not the password at all");
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    let strip = |s: &str| s.replace(&format!("nobody-{email}"), &email);
    let csrf_free = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("csrf_token"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        csrf_free(&strip(&wrong.body)),
        csrf_free(&strip(&unknown.body))
    );
}

// ---------------------------------------------------------------------------------------
// Security

fn csrf_missing_wrong_or_cross_site_is_refused(demo: &Demo) {
    let email = email("csrf", demo);
    verified_account(demo, &email);
    let mut c = demo.client();
    c.get("/auth/login");
    let fields = [("login", email.as_str()), ("password", PASSWORD)];
    // Missing token.
    let r = c.send("POST", "/auth/login", Body::Form(&fields, false), &[]);
    assert_eq!(r.status, 403, "{}", r.body);
    // A wrong token.
    let good = c.csrf.clone();
    c.csrf = Some("A".repeat(good.as_ref().map_or(43, String::len)));
    let r = c.post("/auth/login", &fields);
    assert_eq!(r.status, 403, "{}", r.body);
    // A token from another browser (its own cookie seed).
    let mut other = demo.client();
    other.get("/auth/login");
    c.csrf = other.csrf.clone();
    let r = c.post("/auth/login", &fields);
    assert_eq!(r.status, 403, "{}", r.body);
    c.csrf = good;
    // The right token from a foreign origin or a cross-site fetch.
    let r = c.send(
        "POST",
        "/auth/login",
        Body::Form(&fields, true),
        &[("Origin", "https://evil.example")],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = c.send(
        "POST",
        "/auth/login",
        Body::Form(&fields, true),
        &[("Sec-Fetch-Site", "cross-site")],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    // The JSON API: a foreign origin is refused with a code; a form body is not JSON.
    let body = json!({"login": email, "password": PASSWORD});
    let r = c.send(
        "POST",
        "/auth/api/login",
        Body::Json(&body),
        &[("Origin", "https://evil.example")],
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.error_code(), "csrf_failed");
    let r = c.send("POST", "/auth/api/login", Body::Form(&fields, false), &[]);
    assert_eq!(r.status, 415);
    // `Origin: null` (what a sandboxed frame sends) is refused unless the browser marks
    // the request same-origin, as Chromium does for our own no-referrer pages.
    let r = c.send(
        "POST",
        "/auth/login",
        Body::Form(&fields, true),
        &[("Origin", "null"), ("Sec-Fetch-Site", "cross-site")],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = c.send(
        "POST",
        "/auth/login",
        Body::Form(&fields, true),
        &[("Origin", "null")],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    // And nothing above signed in; the honest request does.
    assert_eq!(c.get_json("/auth/api/me").status, 401);
    let r = c.send(
        "POST",
        "/auth/login",
        Body::Form(&fields, true),
        &[("Origin", "null"), ("Sec-Fetch-Site", "same-origin")],
    );
    assert_eq!(
        r.status, 303,
        "a same-origin form from a no-referrer page: {}",
        r.body
    );
    // Logout needs the token too.
    let r = c.send("POST", "/auth/logout", Body::Form(&[], false), &[]);
    assert_eq!(r.status, 403);
    assert_eq!(c.get_json("/auth/api/me").status, 200);
}

fn next_only_redirects_to_local_paths(demo: &Demo) {
    // Sign-ins per account are limited (10 a minute): a fresh account every 5 cases.
    let mut email = String::new();
    for (i, (next, expected)) in [
        ("/dashboard?tab=1", "/dashboard?tab=1"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("http://evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/%2F%2Fevil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("/%252F%252Fevil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/\t/evil.example", "/"),
    ]
    .into_iter()
    .enumerate()
    {
        if i % 5 == 0 {
            email = blackbox_tests::email("redirect", demo);
            verified_account(demo, &email);
        }
        let mut c = demo.client();
        let q = format!("next={}", enc(next));
        let page = c.get(&format!("/auth/login?{q}"));
        assert_eq!(page.status, 200, "{next}");
        let r = c.post(
            &format!("/auth/login?{q}"),
            &[("login", &email), ("password", PASSWORD)],
        );
        assert_eq!(r.status, 303, "{next}: {}", r.body);
        assert_eq!(r.location(), expected, "next={next}");
    }
}

fn dev_cookies_are_httponly_samesite_lax(demo: &Demo) {
    let email = email("cookies", demo);
    verified_account(demo, &email);
    let mut c = demo.client();
    let page = c.get("/auth/login");
    let csrf = page.set_cookie("auth_csrf").expect("a CSRF cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(csrf.contains(flag), "{csrf} lacks {flag}");
    }
    let r = c.post("/auth/login", &[("login", &email), ("password", PASSWORD)]);
    let session = r.set_cookie("auth_session").expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(flag), "{session} lacks {flag}");
    }
    assert!(!session.contains("Domain"), "{session}");
    assert!(
        !session.contains("Max-Age"),
        "a browser-session cookie: {session}"
    );
    // "Remember me" makes it persistent.
    let mut d = demo.client();
    d.get("/auth/login");
    let r = d.post(
        "/auth/login",
        &[
            ("login", &email),
            ("password", PASSWORD),
            ("remember", "on"),
        ],
    );
    let session = r.set_cookie("auth_session").expect("a session cookie");
    assert!(session.contains("Max-Age="), "{session}");
}

fn login_issues_a_new_session_id(demo: &Demo) {
    let email = email("rotation", demo);
    verified_account(demo, &email);
    let mut c = demo.client();
    // A planted id is not adopted.
    c.jar.insert("auth_session".into(), "A".repeat(43));
    let r = c.login(&email, PASSWORD);
    assert_eq!(r.status, 303);
    let first = session_cookie(&c).expect("signed in");
    assert_ne!(first, "A".repeat(43));
    // Signing in again gives a new id and ends the old session.
    let r = c.login(&email, PASSWORD);
    assert_eq!(r.status, 303);
    let second = session_cookie(&c).expect("signed in");
    assert_ne!(first, second);
    let mut old = demo.client();
    old.jar.insert("auth_session".into(), first);
    assert_eq!(
        old.get_json("/auth/api/me").status,
        401,
        "the previous session ended"
    );
    assert_eq!(c.get_json("/auth/api/me").status, 200);
}

fn a_cookie_replayed_after_logout_is_refused(demo: &Demo) {
    let email = email("replay", demo);
    verified_account(demo, &email);
    let mut c = signed_in(demo, &email);
    let stolen = session_cookie(&c).expect("signed in");
    c.get("/auth/account");
    let r = c.post("/auth/logout", &[]);
    assert_eq!(r.status, 303);
    assert!(session_cookie(&c).is_none(), "the cookie is cleared");
    let mut thief = demo.client();
    thief.jar.insert("auth_session".into(), stolen.clone());
    assert_eq!(thief.get_json("/auth/api/me").status, 401);
    let r = thief.get("/dashboard");
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().starts_with("/auth/login"));
    // The JSON logout too.
    let mut c = demo.client();
    assert_eq!(c.api_login(&email, PASSWORD).status, 200);
    let stolen = session_cookie(&c).expect("signed in");
    assert_eq!(c.api("/auth/api/logout", json!({})).status, 204);
    let mut thief = demo.client();
    thief.jar.insert("auth_session".into(), stolen);
    assert_eq!(thief.get_json("/auth/api/me").status, 401);
}

fn reset_links_are_single_use_and_purpose_bound(demo: &Demo) {
    let email = email("tokens", demo);
    let mut c = demo.client();
    let r = c.api(
        "/auth/api/register",
        json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    assert_eq!(r.status, 202);
    let verify = demo.mailed_token(&email, "verification", "/verify/");
    // A verification token at reset: wrong purpose.
    let r = c.api(
        "/auth/api/reset_password",
        json!({"token": verify, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_code(), "invalid_token");
    assert_eq!(
        r.json()["error"]["fields"]["token"]["code"],
        "wrong_purpose"
    );
    // The same through the page: the verification link opened as a reset link.
    let mut b = demo.client();
    let r = b.get(&format!("/auth/reset/{verify}"));
    assert_eq!(r.status, 303);
    let r = b.follow(&r);
    assert_eq!(r.status, 400, "{}", r.body);
    // Verify (works once; a second use is harmless or refused, never a 5xx).
    assert_eq!(
        c.api("/auth/api/verify", json!({"token": verify})).status,
        200
    );

    assert_eq!(
        c.api("/auth/api/request_password_reset", json!({"email": email}))
            .status,
        202
    );
    let reset = demo.mailed_token(&email, "password_reset", "/reset/");
    // A reset token at verification: wrong purpose.
    let r = c.api("/auth/api/verify", json!({ "token": reset }));
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.json()["error"]["fields"]["token"]["code"],
        "wrong_purpose"
    );
    // Used once...
    let r = c.api(
        "/auth/api/reset_password",
        json!({"token": reset, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // ...and never again, through JSON or the page.
    let r = c.api(
        "/auth/api/reset_password",
        json!({"token": reset, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"]["token"]["code"], "already_used");
    let r = b.get(&format!("/auth/reset/{reset}"));
    let r = b.follow(&r);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(c.api_login(&email, NEW_PASSWORD).status, 200);
}

fn lockout_answers_429_with_retry_after(demo: &Demo) {
    let email = email("lockout", demo);
    verified_account(demo, &email);
    let mut last = None;
    for _ in 0..8 {
        // A new client (source address) each time: the account is locked, not the IP.
        let mut c = demo.client();
        let r = c.api_login(&email, "not the password at all");
        if r.status == 429 {
            last = Some(r);
            break;
        }
        assert_eq!(r.status, 401, "{}", r.body);
    }
    let r = last.expect("the account locks after repeated failures");
    assert_eq!(r.error_code(), "account_locked");
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!(retry >= 1);
    // The right password is refused while locked, through the page too.
    let mut c = demo.client();
    let r = c.api_login(&email, PASSWORD);
    assert_eq!(r.status, 429, "{}", r.body);
    let r = c.login(&email, PASSWORD);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.header("retry-after").is_some());
}

fn per_ip_rate_limit_answers_429_with_retry_after(demo: &Demo) {
    let email = email("throttle", demo);
    // One client, one source address: unknown accounts, so no account locks.
    let mut c = demo.client();
    let mut limited = None;
    for i in 0..60 {
        let r = c.api_login(&format!("{i}-{email}"), "not the password at all");
        if r.status == 429 {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status, 401, "{}", r.body);
    }
    let r = limited.expect("logins from one address are throttled");
    assert_eq!(r.error_code(), "rate_limited");
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!(retry >= 1);
    // Another address is not affected.
    let mut other = demo.client();
    assert_eq!(
        other.api_login(&email, "not the password at all").status,
        401
    );
}

fn oversized_bodies_get_413(demo: &Demo) {
    let mut c = demo.client();
    c.get("/auth/login");
    let big = "x".repeat(200 * 1024);
    let r = c.post("/auth/login", &[("login", &big), ("password", "p")]);
    assert_eq!(r.status, 413, "{}", r.body);
    let r = c.api("/auth/api/login", json!({"login": big, "password": "p"}));
    assert_eq!(r.status, 413);
    assert_eq!(r.error_code(), "payload_too_large");
    // Without a Content-Length.
    let body = format!("login={big}&password=p");
    let r = c.send(
        "POST",
        "/auth/api/login",
        Body::Chunked("application/json", body.as_bytes()),
        &[("Accept", "application/json")],
    );
    assert_eq!(r.status, 413, "{}", r.body);
}

fn registration_and_reset_do_not_reveal_accounts(demo: &Demo) {
    let taken = email("enum-taken", demo);
    verified_account(demo, &taken);
    let fresh = email("enum-fresh", demo);
    let mut c = demo.client();
    // JSON registration: the same 202 body.
    let a = c.api(
        "/auth/api/register",
        json!({"email": taken, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    let b = c.api(
        "/auth/api/register",
        json!({"email": fresh, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(a.status, b.status);
    assert_eq!(a.body, b.body);
    // The page: the same status and the same text apart from the address.
    let other = email("enum-fresh2", demo);
    let a = register_html(demo, &taken);
    let b = register_html(demo, &other);
    assert_eq!(a.status, 200);
    assert_eq!(a.status, b.status);
    // The address appears as typed and, in the link to the code page, percent-encoded.
    let norm = |s: &str, e: &str| {
        s.replace(e, "EMAIL")
            .replace(&e.replace('@', "%40"), "EMAIL")
            .lines()
            .filter(|l| !l.contains("csrf_token"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(norm(&a.body, &taken), norm(&b.body, &other));
    // Reset and resend: the same answer for a known and an unknown address.
    let unknown = email("enum-unknown", demo);
    for path in [
        "/auth/api/request_password_reset",
        "/auth/api/verify/resend",
    ] {
        let a = c.api(path, json!({ "email": taken }));
        let b = c.api(path, json!({ "email": unknown }));
        assert_eq!(a.status, 202, "{path}: {}", a.body);
        assert_eq!((a.status, &a.body), (b.status, &b.body), "{path}");
    }
    let mut p = demo.client();
    p.get("/auth/request_password_reset");
    let a = p.post("/auth/request_password_reset", &[("email", &taken)]);
    p.get("/auth/request_password_reset");
    let b = p.post("/auth/request_password_reset", &[("email", &unknown)]);
    assert_eq!(a.status, 200);
    assert_eq!(a.status, b.status);
    assert_eq!(norm(&a.body, &taken), norm(&b.body, &unknown));
    // The known account did get its mail; the unknown one got none.
    demo.mail(&taken, "password_reset");
    assert_eq!(demo.mail_count(&unknown, "password_reset"), 0);
}

fn guards_for_login_verified_email_and_roles(demo: &Demo) {
    // Anonymous: pages redirect to the login with `next`, the API says 401.
    let mut anon = demo.client();
    let r = anon.get("/dashboard");
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/auth/login?next=%2Fdashboard");
    let r = anon.get("/admin");
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/auth/login?next=%2Fadmin");
    let r = anon.get("/auth/account");
    assert_eq!(r.status, 303);
    assert!(
        r.location().starts_with("/auth/login?next="),
        "{}",
        r.location()
    );
    let r = anon.get_json("/auth/api/admin/users");
    assert_eq!(r.status, 401);
    assert_eq!(anon.get("/").status, 200, "the home page is public");

    // Signed in without a confirmed address: the dashboard is refused.
    let unverified = email("guard-unverified", demo);
    demo.create_user(&unverified, false, false);
    let mut u = demo.client();
    let r = u.login(&unverified, PASSWORD);
    assert_eq!(r.status, 303, "{}", r.body);
    let r = u.get("/dashboard");
    assert_eq!(r.status, 403, "{}", r.body);
    let r = u.send(
        "GET",
        "/dashboard",
        Body::None,
        &[("Accept", "application/json")],
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.error_code(), "email_not_verified");

    // Verified, no role: dashboard yes, admin no.
    let member = email("guard-member", demo);
    demo.create_user(&member, false, true);
    let mut m = signed_in(demo, &member);
    assert_eq!(m.get("/dashboard").status, 200);
    assert_eq!(m.get("/admin").status, 403);
    assert_eq!(m.get("/auth/admin").status, 403);
    let r = m.get_json("/auth/api/admin/users");
    assert_eq!(r.status, 403);
    assert_eq!(r.error_code(), "forbidden");

    // The admin.
    let admin = email("guard-admin", demo);
    demo.create_user(&admin, true, true);
    let mut a = signed_in(demo, &admin);
    let r = a.get("/admin");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("accounts"), "{}", r.body);
    assert_eq!(a.get("/auth/admin").status, 200);
    let r = a.get_json(&format!("/auth/api/admin/users?q={}", enc(&member)));
    assert_eq!(r.status, 200, "{}", r.body);
    let users = r.json();
    assert_eq!(users["users"][0]["email"], member.as_str(), "{users}");
    let id = users["users"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(a.get(&format!("/auth/admin/users/{id}")).status, 200);
    // Disabling signs the member out and refuses new logins.
    let r = a.api(&format!("/auth/api/admin/users/{id}/disable"), json!({}));
    assert_eq!(r.status, 204, "{}", r.body);
    assert_ne!(m.get("/dashboard").status, 200);
    let r = demo.client().api_login(&member, PASSWORD);
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.error_code(), "account_disabled");
}

fn security_headers_on_every_page(demo: &Demo) {
    let mut c = demo.client();
    for path in [
        "/",
        "/auth/login",
        "/auth/register",
        "/auth/request_password_reset",
        "/auth/verify/resend",
        "/auth/no-such-page",
    ] {
        let r = c.get(path);
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
        assert!(!r.body.contains("<script"), "{path}");
        assert!(!r.body.contains("style=\""), "{path}");
    }
    let page = c.get("/auth/login");
    let i = page
        .body
        .find("/auth/static/auth-")
        .expect("a stylesheet link");
    let href = &page.body[i..];
    let href = &href[..href.find('"').unwrap()];
    let css = c.get(href);
    assert_eq!(css.status, 200);
    assert!(
        css.header("content-type")
            .unwrap_or_default()
            .starts_with("text/css")
    );
    assert!(
        css.header("cache-control")
            .unwrap_or_default()
            .contains("immutable")
    );
}

// ---------------------------------------------------------------------------------------
// Scenarios that need a demo started with other flags: one process per framework, tests
// named `<group>::axum`, `<group>::poem`, `<group>::rocket`.

macro_rules! own_demo {
    ($group:ident: $scenario:ident) => {
        mod $group {
            #[test]
            fn axum() {
                crate::$scenario(blackbox_tests::Framework::Axum);
            }

            #[test]
            fn poem() {
                crate::$scenario(blackbox_tests::Framework::Poem);
            }

            #[test]
            fn rocket() {
                crate::$scenario(blackbox_tests::Framework::Rocket);
            }
        }
    };
}

// Secure cookies: a demo with an https base URL.
own_demo!(secure_cookies: secure_cookies_use_the_host_prefix);
// Expired links: a demo whose mailed links live two seconds.
own_demo!(expired_links: expired_links_are_refused_and_can_be_replaced);
// Behind a proxy: a demo started with `--trusted-proxies 1`.
own_demo!(behind_a_proxy: forged_forwarded_addresses_do_not_escape_the_per_address_limit);

/// Signs in through the JSON API with `X-Forwarded-For: forwarded`.
fn login_forwarded(c: &mut blackbox_tests::Client, login: &str, forwarded: &str) -> Resp {
    c.send(
        "POST",
        "/auth/api/login",
        Body::Json(&json!({"login": login, "password": PASSWORD})),
        &[
            ("Accept", "application/json"),
            ("X-Forwarded-For", forwarded),
        ],
    )
}

/// Behind one trusted proxy the client address is the entry the proxy appended: a new
/// forged entry at the left with every attempt still meets the per-address limit, and a
/// session records the proxy's entry.
fn forged_forwarded_addresses_do_not_escape_the_per_address_limit(framework: Framework) {
    let demo = Demo::start_with(
        framework,
        Backend::Sqlite,
        Mode::Dev,
        &["--trusted-proxies", "1"],
    );
    let email = email("proxied", &demo);
    demo.create_user(&email, false, true);

    let mut c = demo.client();
    let r = login_forwarded(&mut c, &email, "198.51.100.250, 203.0.113.77");
    assert_eq!(r.status, 200, "{}", r.body);
    let me = c.get_json("/auth/api/me");
    assert_eq!(me.json()["session"]["ip"], "203.0.113.77", "{}", me.body);

    let mut limited = None;
    for i in 0..60 {
        let forged = format!("198.51.100.{i}, 203.0.113.88");
        let r = login_forwarded(&mut c, &format!("{i}-{email}"), &forged);
        if r.status == 429 {
            limited = Some(i);
            break;
        }
        assert_eq!(r.status, 401, "{}", r.body);
    }
    assert!(
        limited.is_some(),
        "forged leftmost entries escaped the per-address limit"
    );
    // The same connection, through the proxy for another client, is not limited.
    let r = login_forwarded(&mut c, &email, "198.51.100.1, 203.0.113.99");
    assert_eq!(r.status, 200, "{}", r.body);
}

fn secure_cookies_use_the_host_prefix(framework: Framework) {
    let demo = Demo::start(framework, Backend::Sqlite, Mode::Secure);
    let email = email("secure", &demo);
    demo.create_user(&email, false, true);
    let mut c = demo.client();
    let page = c.get("/auth/login");
    assert_eq!(page.status, 200);
    let csrf = page
        .set_cookie("__Host-auth_csrf")
        .expect("__Host-auth_csrf");
    assert!(csrf.contains("Secure") && csrf.contains("Path=/"), "{csrf}");
    assert!(page.set_cookie("auth_csrf").is_none());
    let r = c.post("/auth/login", &[("login", &email), ("password", PASSWORD)]);
    assert_eq!(r.status, 303, "{}", r.body);
    let session = r
        .set_cookie("__Host-auth_session")
        .expect("__Host-auth_session");
    for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(flag), "{session} lacks {flag}");
    }
    assert!(!session.contains("Domain"), "{session}");
    assert_eq!(c.get("/dashboard").status, 200);
    // The mailed links use the https base URL.
    let r = c.api("/auth/api/request_password_reset", json!({"email": email}));
    assert_eq!(r.status, 202);
    let link = demo.mailed_path(&email, "password_reset", "/reset/");
    assert!(link.starts_with("/auth/reset/"));
}

fn expired_links_are_refused_and_can_be_replaced(framework: Framework) {
    let demo = Demo::start_with_short_links(framework);
    let email = email("expired", &demo);
    let (verify, reset) = demo.register_and_request_reset(&email);
    let token = |link: &str| link.rsplit('/').next().unwrap_or_default().to_owned();
    demo.wait_until_mailed_links_expire();

    // JSON: refused with the reason.
    let mut c = demo.client();
    let r = c.api("/auth/api/verify", json!({ "token": token(&verify) }));
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_code(), "invalid_token");
    assert_eq!(r.json()["error"]["fields"]["token"]["code"], "expired");
    let r = c.api(
        "/auth/api/reset_password",
        json!({"token": token(&reset), "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"]["token"]["code"], "expired");

    // Pages: the reset link offers no password form, only a way to a new link; the
    // confirmation link's button answers with the form that mails a new one.
    let mut b = demo.client();
    let opened = |b: &mut blackbox_tests::Client, link: &str, shows: &[&str]| {
        let r = b.get(&demo.path_of(link));
        assert_eq!(r.status, 303);
        let mut page = b.follow(&r);
        if r.location() == "/auth/verify" {
            assert_eq!(page.status, 200, "{}", page.body);
            page = b.post("/auth/verify", &[]);
        }
        assert_eq!(page.status, 400, "{}", page.body);
        for text in shows {
            assert!(page.body.contains(text), "{text} in {}", page.body);
        }
        page
    };
    let page = opened(
        &mut b,
        &reset,
        &[
            "<h1>This reset link has expired</h1>",
            "href=\"/auth/request_password_reset\"",
        ],
    );
    assert!(!page.body.contains("type=\"password\""), "{}", page.body);
    opened(
        &mut b,
        &verify,
        &[
            "<h1>This link has expired</h1>",
            "action=\"/auth/verify/resend\"",
        ],
    );

    // Nothing changed: the old password still signs in.
    let r = c.api_login(&email, PASSWORD);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(c.api_login(&email, NEW_PASSWORD).status, 401);

    // Asking again mails new links.
    let r = b.post("/auth/verify/resend", &[("email", &email)]);
    assert_eq!(r.status, 200, "{}", r.body);
    demo.new_link(&email, "verification", "/verify/", &verify);
    b.get("/auth/request_password_reset");
    let r = b.post("/auth/request_password_reset", &[("email", &email)]);
    assert_eq!(r.status, 200, "{}", r.body);
    demo.new_link(&email, "password_reset", "/reset/", &reset);
}
