//! Access tokens for other services, on every demo over HTTP: a session (cookie or
//! bearer) and a scoped API key each exchange for a signed JWT at `POST
//! /auth/api/token`; the JWKS is fetched over HTTP (at the site's root and under the
//! mount point) and the token checked offline with `auth-access-token`'s verifier, as a
//! service would. With `--access-token-key` the key comes from a file (same `kid` after
//! a restart), and `--access-token-previous-key` keeps a rotated key's tokens valid.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use auth_access_token::{KeyAlgorithm, Rejection, SigningKey, Verifier};
use blackbox_tests::{Backend, Body, Demo, Framework, Mode, PASSWORD, email};
use serde_json::json;

blackbox_tests::scenarios!(
    a_session_and_a_scoped_key_get_tokens_that_verify_with_the_jwks,
    bad_token_requests_are_refused_with_a_field,
);

/// The audience the demos issue tokens for unless told otherwise.
const AUDIENCE: &str = "demo-service";

/// The JWKS document at the site's root, after checking that the mount point's is the
/// same.
fn jwks(demo: &Demo) -> String {
    let root = demo.client().get("/.well-known/jwks.json");
    assert_eq!(root.status, 200, "{}", root.body);
    assert_eq!(root.header("content-type"), Some("application/json"));
    let mounted = demo.client().get("/auth/.well-known/jwks.json");
    assert_eq!(mounted.status, 200, "{}", mounted.body);
    assert_eq!(root.body, mounted.body);
    root.body
}

/// `POST /auth/api/token` with `authorization` (or the client's cookie when `None`).
fn token_with(demo: &Demo, authorization: &str, body: &serde_json::Value) -> blackbox_tests::Resp {
    demo.client().send(
        "POST",
        "/auth/api/token",
        Body::Json(body),
        &[
            ("Authorization", authorization),
            ("Accept", "application/json"),
        ],
    )
}

fn a_session_and_a_scoped_key_get_tokens_that_verify_with_the_jwks(demo: &Demo) {
    let email = email("access-token", demo);
    demo.create_user(&email, false, true);
    let verifier = Verifier::from_json(&jwks(demo), &demo.base_url, AUDIENCE).unwrap();

    // By the cookie.
    let mut browser = demo.client();
    assert_eq!(browser.api_login(&email, PASSWORD).status, 200);
    let me = browser.get_json("/auth/api/me");
    let user_id = me.json()["user"]["id"].as_str().unwrap().to_owned();
    let r = browser.api("/auth/api/token", json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["token_type"], "Bearer");
    let claims = verifier
        .verify(r.json()["access_token"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.sub, user_id);
    assert_eq!(claims.aud, AUDIENCE);
    assert_eq!(claims.iss, demo.base_url);
    assert!(claims.has_scope("read:profile") && claims.has_scope("admin:users"));
    assert!(claims.exp > claims.iat && claims.exp - claims.iat <= 300);

    // By a bearer session.
    let r = demo.client().api(
        "/auth/api/login",
        json!({ "login": email, "password": PASSWORD, "token_mode": "bearer" }),
    );
    let session = r.json()["token"].as_str().unwrap().to_owned();
    let r = token_with(demo, &format!("Bearer {session}"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let claims = verifier
        .verify(r.json()["access_token"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.sub, user_id);

    // By a key that may only read the profile: the token carries that scope alone.
    let r = browser.api(
        "/auth/api/account/api_keys",
        json!({ "name": "token exchange", "scopes": ["read:profile"] }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let key = r.json()["key"].as_str().unwrap().to_owned();
    let r = token_with(demo, &format!("Bearer {key}"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    let claims = verifier.verify(&token).unwrap();
    assert_eq!(claims.sub, user_id);
    assert_eq!(claims.scope, "read:profile");
    let r = token_with(
        demo,
        &format!("Bearer {key}"),
        &json!({ "scopes": ["admin:users"] }),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"]["scopes"]["code"], "not_granted");

    // Another service refuses it; so does a tampered copy.
    let other = Verifier::from_json(&jwks(demo), &demo.base_url, "billing").unwrap();
    assert_eq!(
        other.verify(&token).unwrap_err().rejection(),
        Some(Rejection::Audience)
    );
    let (head, sig) = token.rsplit_once('.').unwrap();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{head}.{flipped}{}", &sig[1..]);
    assert_eq!(
        verifier.verify(&tampered).unwrap_err().rejection(),
        Some(Rejection::Signature)
    );
}

fn bad_token_requests_are_refused_with_a_field(demo: &Demo) {
    let email = email("access-token-bad", demo);
    demo.create_user(&email, false, true);
    let r = demo.client().api("/auth/api/token", json!({}));
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.error_code(), "unauthenticated");
    let r = token_with(demo, "Bearer ak_nope_nope", &json!({}));
    assert_eq!(r.status, 401, "{}", r.body);
    let mut browser = demo.client();
    assert_eq!(browser.api_login(&email, PASSWORD).status, 200);
    let r = browser.api("/auth/api/token", json!({ "audience": "payroll" }));
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.json()["error"]["fields"]["audience"]["code"],
        "unknown_audience"
    );
    let r = browser.api("/auth/api/token", json!({ "scopes": 3 }));
    assert_eq!(r.status, 400, "{}", r.body);
    let r = browser.get_json("/auth/api/token");
    assert_eq!(r.status, 405, "{}", r.body);
}

/// The key from a file keeps its `kid` across a restart; after a rotation the previous
/// key's tokens still verify with the new JWKS, and tokens are signed by the new key.
fn keys_from_files_rotate_with_overlap(framework: Framework) {
    let dir = tempfile::tempdir().unwrap();
    let old = SigningKey::generate(KeyAlgorithm::EdDsa).unwrap();
    let new = SigningKey::generate(KeyAlgorithm::Es256).unwrap();
    let old_path = dir.path().join("old.pem");
    let new_path = dir.path().join("new.pem");
    std::fs::write(&old_path, old.to_pem().as_bytes()).unwrap();
    std::fs::write(&new_path, new.to_pem().as_bytes()).unwrap();
    let old_file = old_path.to_str().unwrap();
    let new_file = new_path.to_str().unwrap();

    let before = Demo::start_with(
        framework,
        Backend::Sqlite,
        Mode::Dev,
        &[
            "--access-token-key",
            old_file,
            "--access-token-audience",
            "orders,billing",
        ],
    );
    let first = email("access-token-rotation", &before);
    before.create_user(&first, false, true);
    let mut browser = before.client();
    assert_eq!(browser.api_login(&first, PASSWORD).status, 200);
    let r = browser.api("/auth/api/token", json!({ "audience": "billing" }));
    assert_eq!(r.status, 200, "{}", r.body);
    let old_token = r.json()["access_token"].as_str().unwrap().to_owned();
    let doc: serde_json::Value = serde_json::from_str(&jwks(&before)).unwrap();
    assert_eq!(doc["keys"].as_array().unwrap().len(), 1, "{doc}");
    assert_eq!(
        doc["keys"][0]["kid"],
        old.kid(),
        "the kid is the file key's"
    );
    assert_eq!(doc["keys"][0]["alg"], "EdDSA");
    let old_iss = before.base_url.clone();
    drop(before);

    let after = Demo::start_with(
        framework,
        Backend::Sqlite,
        Mode::Dev,
        &[
            "--access-token-key",
            new_file,
            "--access-token-previous-key",
            old_file,
            "--access-token-audience",
            "orders,billing",
        ],
    );
    let text = jwks(&after);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let kids: Vec<&str> = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec![new.kid(), old.kid()]);
    assert!(!text.contains("\"d\""), "no private key published: {text}");
    let verifier = Verifier::from_json(&text, &old_iss, "billing").unwrap();
    assert!(verifier.verify(&old_token).is_ok(), "the overlap");

    let second = email("access-token-rotated", &after);
    after.create_user(&second, false, true);
    let mut browser = after.client();
    assert_eq!(browser.api_login(&second, PASSWORD).status, 200);
    let r = browser.api("/auth/api/token", json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["aud"], "orders");
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    let claims = Verifier::from_json(&text, &after.base_url, "orders")
        .unwrap()
        .verify(&token)
        .unwrap();
    assert_eq!(claims.aud, "orders");
    let header: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            token.split('.').next().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], new.kid());
    assert_eq!(header["alg"], "ES256");
}

#[test]
fn axum_keys_from_files_rotate_with_overlap() {
    keys_from_files_rotate_with_overlap(Framework::Axum);
}

#[test]
fn poem_keys_from_files_rotate_with_overlap() {
    keys_from_files_rotate_with_overlap(Framework::Poem);
}

#[test]
fn rocket_keys_from_files_rotate_with_overlap() {
    keys_from_files_rotate_with_overlap(Framework::Rocket);
}
