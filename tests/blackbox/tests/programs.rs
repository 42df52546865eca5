//! Programs as clients, on every demo over HTTP: a sign-in that asks for
//! `"token_mode": "bearer"` gets the session token in the body instead of a cookie, and
//! `Authorization: Bearer <token>` then works wherever the cookie does (the API, the
//! demo's own guarded routes, the device list, sign-out), with no CSRF checks; cookie
//! requests keep them. Bad `Authorization` headers get a 401 in the JSON error shape and
//! change nothing. API keys (`Authorization: Bearer ak_...`) open the routes that name a
//! scope they carry, as their owner, until revoked or until the account is disabled or
//! deleted.
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
    api_keys_create_use_scope_and_revoke,
    disabling_or_deleting_the_account_kills_its_keys,
    the_guides_curl_walk_through_runs,
    the_api_key_pages_list_create_once_and_revoke,
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

/// Creates an API key for the browser's signed-in user; returns `(key, id)`.
fn create_key(browser: &mut Client, scopes: &[&str]) -> (String, String) {
    let r = browser.api(
        "/auth/api/account/api_keys",
        json!({ "name": "deploy script", "scopes": scopes, "expires_in_days": "30" }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let body = r.json();
    let key = body["key"].as_str().unwrap().to_owned();
    let id = body["api_key"]["id"].as_str().unwrap().to_owned();
    assert!(key.starts_with(&format!("ak_{id}_")), "{body}");
    assert_eq!(body["api_key"]["prefix"], format!("ak_{id}"));
    assert!(body["api_key"]["expires_at"].is_string(), "{body}");
    (key, id)
}

fn api_keys_create_use_scope_and_revoke(demo: &Demo) {
    let email = email("api-keys", demo);
    demo.create_user(&email, false, true);
    let mut browser = demo.client();
    assert_eq!(browser.api_login(&email, PASSWORD).status, 200);
    let (reader, reader_id) = create_key(&mut browser, &["read:profile"]);
    let (admin_only, _) = create_key(&mut browser, &["admin:users"]);

    // The list names the keys and never shows a secret.
    let list = browser.get_json("/auth/api/account/api_keys");
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(!list.body.contains(&reader) && !list.body.contains(&admin_only));
    assert_eq!(list.json()["api_keys"].as_array().unwrap().len(), 2);
    assert_eq!(
        list.json()["scopes"],
        json!(["read:profile", "admin:users"])
    );

    // A key with the scope opens the route that names it, as its owner.
    let r = get_with(demo, "/whoami", &[&bearer(&reader)]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["email"], email);
    assert_eq!(r.json()["via"], "api_key");
    assert_eq!(r.json()["key"], format!("ak_{reader_id}"));
    // Its use is recorded.
    let list = browser.get_json("/auth/api/account/api_keys");
    let listed = list.json()["api_keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == reader_id.as_str())
        .cloned()
        .unwrap();
    assert!(listed["last_used_at"].is_string(), "{listed}");
    assert!(
        listed["last_used_ip"].as_str().unwrap().starts_with("127."),
        "{listed}"
    );

    // Without the scope, or on a route that names none, a key is refused; nor is it a
    // session.
    for (path, key) in [("/whoami", &admin_only), ("/dashboard", &reader)] {
        let r = get_with(demo, path, &[&bearer(key)]);
        assert_eq!(r.status, 403, "{path}: {}", r.body);
        assert_eq!(r.error_code(), "insufficient_scope", "{path}");
    }
    let r = get_with(demo, "/auth/api/me", &[&bearer(&reader)]);
    assert_eq!(r.status, 401, "{}", r.body);
    let r = get_with(demo, "/auth/api/account/api_keys", &[&bearer(&reader)]);
    assert_eq!(r.status, 401, "a key cannot manage keys: {}", r.body);
    // A session passes the scope guard whichever way it is presented.
    assert_eq!(browser.get_json("/whoami").json()["via"], "session");

    // Bad requests change nothing.
    let r = browser.api(
        "/auth/api/account/api_keys",
        json!({ "name": "x", "scopes": ["write:everything"] }),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.json()["error"]["fields"]["scopes"]["code"],
        "unknown_scope"
    );
    let r = browser.api(
        "/auth/api/account/api_keys",
        json!({ "name": "x", "expires_in_days": "0" }),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.json()["error"]["fields"]["expires_in_days"]["code"],
        "out_of_range"
    );
    let r = browser.api(
        "/auth/api/account/api_keys",
        json!({ "name": "x", "expires_at": "2001-01-01T00:00:00Z" }),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.json()["error"]["fields"]["expires_at"]["code"],
        "in_the_past"
    );
    let garbled = format!("{}x", &reader[..reader.len() - 1]);
    for value in [bearer(&garbled), bearer("ak_nonsense")] {
        assert_eq!(get_with(demo, "/whoami", &[&value]).status, 401, "{value}");
    }
    assert_eq!(
        browser.get_json("/auth/api/account/api_keys").json()["api_keys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Revoked keys are refused at once.
    let r = browser.api(
        "/auth/api/account/api_keys/revoke",
        json!({ "id": reader_id }),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = get_with(demo, "/whoami", &[&bearer(&reader)]);
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.error_code(), "unauthenticated");
    let r = browser.api(
        "/auth/api/account/api_keys/revoke",
        json!({ "id": reader_id }),
    );
    assert_eq!(r.status, 404, "{}", r.body);
    let (again, _) = create_key(&mut browser, &["read:profile"]);
    let r = browser.api("/auth/api/account/api_keys/revoke_all", json!({}));
    assert_eq!(r.json()["revoked"], 2, "{}", r.body);
    assert_eq!(get_with(demo, "/whoami", &[&bearer(&again)]).status, 401);
}

fn disabling_or_deleting_the_account_kills_its_keys(demo: &Demo) {
    let admin = email("keys-admin", demo);
    demo.create_user(&admin, true, true);
    let mut admin_browser = demo.client();
    assert_eq!(admin_browser.api_login(&admin, PASSWORD).status, 200);

    let email = email("keys-owner", demo);
    demo.create_user(&email, false, true);
    let mut browser = demo.client();
    let me = browser.api_login(&email, PASSWORD);
    let id = me.json()["user"]["id"].as_str().unwrap().to_owned();
    let (key, _) = create_key(&mut browser, &["read:profile"]);
    assert_eq!(get_with(demo, "/whoami", &[&bearer(&key)]).status, 200);

    let r = admin_browser.api(&format!("/auth/api/admin/users/{id}/disable"), json!({}));
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(get_with(demo, "/whoami", &[&bearer(&key)]).status, 401);
    let r = admin_browser.api(&format!("/auth/api/admin/users/{id}/enable"), json!({}));
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        get_with(demo, "/whoami", &[&bearer(&key)]).status,
        401,
        "enabling the account again does not bring its keys back"
    );

    let mut browser = demo.client();
    assert_eq!(browser.api_login(&email, PASSWORD).status, 200);
    let (key, _) = create_key(&mut browser, &["read:profile"]);
    assert_eq!(get_with(demo, "/whoami", &[&bearer(&key)]).status, 200);
    let r = browser.api("/auth/api/account/delete", json!({ "password": PASSWORD }));
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(get_with(demo, "/whoami", &[&bearer(&key)]).status, 401);
}

/// The `sh` block of the guide's walk-through (docs/programs.md), run with curl against
/// the demo: the guide's examples work as written.
fn the_guides_curl_walk_through_runs(demo: &Demo) {
    let guide = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/programs.md"
    ))
    .unwrap();
    let section = guide.split("## Walk-through with curl").nth(1).unwrap();
    let script = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let email = email("curl-walk", demo);
    demo.create_user(&email, false, true);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("BASE", format!("http://{}", demo.addr))
        .env("EMAIL", &email)
        .env("PASSWORD", PASSWORD)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("walk-through ok"),
        "{}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The key the page shows once: the value of its read-only field.
fn shown_key(page: &str) -> Option<String> {
    let at = page.find("value=\"ak_")? + "value=\"".len();
    let rest = &page[at..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The account page of API keys, with a browser's cookie session: the form creates a key
/// with the scopes ticked and shows it once; the list shows its name, prefix, scopes,
/// creation, expiry and last use (time and address) but never the key again; a refused
/// form keeps what was typed; revoking one key, then all, works through the page's
/// forms; every form needs the CSRF token, and a key cannot open the page.
fn the_api_key_pages_list_create_once_and_revoke(demo: &Demo) {
    let email = email("api-key-pages", demo);
    demo.create_user(&email, false, true);
    let mut c = demo.client();
    assert_eq!(c.login(&email, PASSWORD).status, 303);
    let r = c.get("/auth/account/api_keys");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("You have no API keys."), "{}", r.body);
    assert!(
        r.body.contains("name=\"scope:read:profile\"")
            && r.body.contains("name=\"scope:admin:users\""),
        "the declared scopes are offered: {}",
        r.body
    );
    assert!(
        c.get("/auth/account")
            .body
            .contains("/auth/account/api_keys"),
        "the account pages link to the keys"
    );

    // Without the CSRF token nothing is created.
    let form = [("name", "sneaky"), ("scope:read:profile", "on")];
    let r = c.send(
        "POST",
        "/auth/account/api_keys",
        Body::Form(&form, false),
        &[],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let listed = c.get_json("/auth/api/account/api_keys").json();
    assert_eq!(listed["api_keys"].as_array().unwrap().len(), 0, "{listed}");

    // A refused form shows the problem and keeps what was typed and ticked.
    let r = c.post(
        "/auth/account/api_keys",
        &[
            ("name", ""),
            ("scope:admin:users", "on"),
            ("expires_in_days", ""),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("f-name-error"), "{}", r.body);
    assert!(shown_key(&r.body).is_none());
    let admin_box = r.body.find("name=\"scope:admin:users\"").unwrap();
    assert!(
        r.body[admin_box..]
            .split('>')
            .next()
            .unwrap()
            .contains("checked"),
        "the ticked scope stays ticked: {}",
        r.body
    );
    assert!(
        r.body.contains("<option value=\"\" selected>"),
        "{}",
        r.body
    );

    // Created: the key is shown once, with the scopes ticked and an expiry.
    let r = c.post(
        "/auth/account/api_keys",
        &[
            ("name", "backup <script>"),
            ("scope:read:profile", "on"),
            ("expires_in_days", "30"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let key = shown_key(&r.body).unwrap_or_else(|| panic!("no key shown: {}", r.body));
    assert!(r.body.contains("backup &lt;script&gt;"), "{}", r.body);
    let who = get_with(demo, "/whoami", &[&bearer(&key)]);
    assert_eq!(who.status, 200, "{}", who.body);
    assert_eq!(
        get_with(demo, "/admin", &[&bearer(&key)]).status,
        403,
        "admin:users was not ticked"
    );

    // Listed with its last use, never with the key.
    let r = c.get("/auth/account/api_keys");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains(&key), "the key is shown once only");
    let id = &key[3..15];
    assert!(r.body.contains(&format!("ak_{id}")), "{}", r.body);
    assert!(r.body.contains(">read:profile<"), "{}", r.body);
    assert!(
        r.body.contains("<span class=\"muted\">from 127."),
        "last use and address: {}",
        r.body
    );
    assert!(
        !r.body.contains("data-label=\"Expires\">never"),
        "it expires: {}",
        r.body
    );

    // A key is not a session: it cannot open the page (it is sent to the sign-in page).
    let r = get_with(demo, "/auth/account/api_keys", &[&bearer(&key)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().starts_with("/auth/login"), "{}", r.location());

    // Revoke one through the page (CSRF needed), then all.
    let form = [("id", id)];
    let r = c.send(
        "POST",
        "/auth/account/api_keys/revoke",
        Body::Form(&form, false),
        &[],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(get_with(demo, "/whoami", &[&bearer(&key)]).status, 200);
    let r = c.post("/auth/account/api_keys/revoke", &[("id", id)]);
    assert_eq!((r.status, r.location()), (303, "/auth/account/api_keys"));
    let r = c.follow(&r);
    assert!(r.body.contains("That API key was revoked."), "{}", r.body);
    assert!(r.body.contains("You have no API keys."), "{}", r.body);
    assert_eq!(get_with(demo, "/whoami", &[&bearer(&key)]).status, 401);
    let r = c.post("/auth/account/api_keys/revoke", &[("id", id)]);
    assert_eq!(r.status, 404, "a revoked key is gone: {}", r.body);

    let mut keys = Vec::new();
    for name in ["one", "two"] {
        let r = c.post(
            "/auth/account/api_keys",
            &[("name", name), ("scope:read:profile", "on")],
        );
        keys.push(shown_key(&r.body).unwrap());
    }
    let r = c.post("/auth/account/api_keys/revoke_all", &[]);
    assert_eq!((r.status, r.location()), (303, "/auth/account/api_keys"));
    assert!(c.follow(&r).body.contains("Every API key was revoked."));
    for key in &keys {
        assert_eq!(get_with(demo, "/whoami", &[&bearer(key)]).status, 401);
    }
}
