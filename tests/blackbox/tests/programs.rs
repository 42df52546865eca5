//! Programs as clients, on every demo over HTTP: a sign-in that asks for
//! `"token_mode": "bearer"` gets the session token in the body instead of a cookie, and
//! `Authorization: Bearer <token>` then works wherever the cookie does (the API, the
//! demo's own guarded routes, the device list, sign-out), with no CSRF checks; cookie
//! requests keep them. Bad `Authorization` headers get a 401 in the JSON error shape and
//! change nothing.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use blackbox_tests::{Body, Client, Demo, PASSWORD, email};
use serde_json::json;

blackbox_tests::scenarios!(
    bearer_sign_in_use_and_sign_out,
    csrf_checks_apply_to_cookies_not_to_bearer_tokens,
    bad_authorization_headers_are_refused_and_change_nothing,
    revoked_bearer_sessions_are_refused,
);

/// Signs `email` in through the API asking for a bearer token; returns the token.
fn bearer_login(demo: &Demo, email: &str) -> String {
    let mut c = demo.client();
    let r = c.api(
        "/auth/api/login",
        json!({ "login": email, "password": PASSWORD, "token_mode": "bearer" }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.set_cookie("auth_session").is_none(),
        "no session cookie in bearer mode: {:?}",
        r.headers
    );
    let body = r.json();
    assert_eq!(body["token_type"], "Bearer", "{body}");
    assert_eq!(body["user"]["email"], email, "{body}");
    assert!(body["session"]["expires_at"].is_string(), "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// `GET path` as a program: no cookies, `Authorization` as given, asking for JSON.
fn get_with(demo: &Demo, path: &str, authorization: &[&str]) -> blackbox_tests::Resp {
    let mut c = demo.client();
    let mut extra: Vec<(&str, &str)> = authorization
        .iter()
        .map(|v| ("Authorization", *v))
        .collect();
    extra.push(("Accept", "application/json"));
    c.send("GET", path, Body::None, &extra)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn bearer_sign_in_use_and_sign_out(demo: &Demo) {
    let email = email("bearer-use", demo);
    demo.create_user(&email, false, true);
    let token = bearer_login(demo, &email);

    let me = get_with(demo, "/auth/api/me", &[&bearer(&token)]);
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["user"]["email"], email);
    assert_eq!(me.json()["session"]["current"], true);

    // The demo's own guarded route admits the bearer session like a cookie.
    let dash = get_with(demo, "/dashboard", &[&bearer(&token)]);
    assert_eq!(dash.status, 200, "{}", dash.body);

    // It is an ordinary session: listed among the devices, beside a browser's.
    let mut browser = demo.client();
    assert_eq!(browser.login(&email, PASSWORD).status, 303);
    let list = get_with(demo, "/auth/api/account/sessions", &[&bearer(&token)]);
    assert_eq!(list.status, 200, "{}", list.body);
    let sessions = list.json()["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    assert_eq!(
        sessions.iter().filter(|s| s["current"] == true).count(),
        1,
        "{sessions:?}"
    );

    // Signing out ends it on the server; the browser's session lives on.
    let mut program = demo.client();
    let out = program.send(
        "POST",
        "/auth/api/logout",
        Body::Json(&json!({})),
        &[("Authorization", &bearer(&token))],
    );
    assert_eq!(out.status, 204, "{}", out.body);
    assert!(
        out.set_cookie("auth_session").is_none(),
        "{:?}",
        out.headers
    );
    let me = get_with(demo, "/auth/api/me", &[&bearer(&token)]);
    assert_eq!(me.status, 401, "{}", me.body);
    assert_eq!(me.error_code(), "unauthenticated");
    assert_eq!(
        me.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
    assert_eq!(browser.get("/auth/account").status, 200);
}

fn csrf_checks_apply_to_cookies_not_to_bearer_tokens(demo: &Demo) {
    let email = email("bearer-csrf", demo);
    demo.create_user(&email, false, true);
    let foreign = ("Origin", "https://evil.example");
    let change = json!({ "username": "" });

    // A cookie request from a foreign origin is refused, and changes nothing.
    let mut browser = demo.client();
    assert_eq!(browser.api_login(&email, PASSWORD).status, 200);
    let r = browser.send(
        "POST",
        "/auth/api/account/sessions/revoke_others",
        Body::Json(&change),
        &[foreign],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.error_code(), "csrf_failed");
    // A form without the CSRF token is refused too.
    let r = browser.send(
        "POST",
        "/auth/account/profile",
        Body::Form(&[("username", "")], false),
        &[],
    );
    assert_eq!(r.status, 403, "{}", r.body);

    // A bearer request needs neither: it carries no ambient credential.
    let token = bearer_login(demo, &email);
    let mut program = demo.client();
    let auth = bearer(&token);
    let r = program.send(
        "POST",
        "/auth/api/account/sessions/revoke_others",
        Body::Json(&change),
        &[foreign, ("Authorization", &auth)],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["revoked"], 1, "the browser's session: {}", r.body);
    let r = program.send(
        "POST",
        "/auth/account/profile",
        Body::Form(&[("username", "")], false),
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(browser.get_json("/auth/api/me").status, 401);
}

fn bad_authorization_headers_are_refused_and_change_nothing(demo: &Demo) {
    let email = email("bearer-bad", demo);
    demo.create_user(&email, false, true);
    let token = bearer_login(demo, &email);
    let good = bearer(&token);
    let unknown = bearer(&"A".repeat(43));
    let oversized = format!("Bearer {}", "A".repeat(2048));
    let cases: Vec<Vec<&str>> = vec![
        vec!["Bearer"],
        vec!["Bearer "],
        vec!["Bearer not-a-session-token"],
        vec![&unknown],
        vec![&oversized],
        vec![&good, &good],
    ];
    for authorization in &cases {
        let r = get_with(demo, "/auth/api/me", authorization);
        assert_eq!(r.status, 401, "{authorization:?}: {}", r.body);
        assert_eq!(r.error_code(), "unauthenticated", "{authorization:?}");
        assert!(r.json()["error"]["message"].is_string());
        let r = get_with(demo, "/dashboard", authorization);
        assert_eq!(r.status, 401, "{authorization:?}: {}", r.body);
        // A refused header ends nothing.
        let mut c = demo.client();
        let mut extra: Vec<(&str, &str)> = authorization
            .iter()
            .map(|v| ("Authorization", *v))
            .collect();
        extra.push(("Accept", "application/json"));
        let r = c.send(
            "POST",
            "/auth/api/logout_everywhere",
            Body::Json(&json!({})),
            &extra,
        );
        assert_eq!(r.status, 401, "{authorization:?}: {}", r.body);
    }
    assert_eq!(get_with(demo, "/auth/api/me", &[&good]).status, 200);

    // With a bad bearer header the cookie is not consulted either.
    let mut browser = demo.client();
    assert_eq!(browser.api_login(&email, PASSWORD).status, 200);
    let r = browser.send(
        "GET",
        "/auth/api/me",
        Body::None,
        &[("Authorization", "Bearer nonsense")],
    );
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(browser.get_json("/auth/api/me").status, 200);
    // Another scheme is not the layer's: the cookie decides.
    let r = browser.send(
        "GET",
        "/auth/api/me",
        Body::None,
        &[("Authorization", "Basic YWRhOnNlY3JldA==")],
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

fn revoked_bearer_sessions_are_refused(demo: &Demo) {
    let email = email("bearer-revoked", demo);
    demo.create_user(&email, false, true);
    let token = bearer_login(demo, &email);
    let mut browser: Client = demo.client();
    assert_eq!(browser.api_login(&email, PASSWORD).status, 200);
    let list = browser.get_json("/auth/api/account/sessions");
    let handle = list.json()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .map(|s| s["handle"].as_str().unwrap().to_owned())
        .unwrap();
    let r = browser.api(
        "/auth/api/account/sessions/revoke",
        json!({ "session": handle }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        get_with(demo, "/auth/api/me", &[&bearer(&token)]).status,
        401
    );

    // Signing in again with a bearer token ends the one the program still presented.
    let first = bearer_login(demo, &email);
    let mut program = demo.client();
    let r = program.send(
        "POST",
        "/auth/api/login",
        Body::Json(&json!({ "login": email, "password": PASSWORD, "token_mode": "bearer" })),
        &[("Authorization", &bearer(&first))],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let second = r.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(
        get_with(demo, "/auth/api/me", &[&bearer(&first)]).status,
        401
    );
    assert_eq!(
        get_with(demo, "/auth/api/me", &[&bearer(&second)]).status,
        200
    );
    // A token mode that does not exist is a field error.
    let r = demo.client().api(
        "/auth/api/login",
        json!({ "login": email, "password": PASSWORD, "token_mode": "jwt" }),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"]["token_mode"]["code"], "invalid");
}
