//! Access tokens for other services: `POST /api/token` with a session (cookie or bearer)
//! or an API key, the JWKS under the mount point and at the application's root, and the
//! verifier fed with what the layer publishes; and the client address a key's use
//! records, read through the trusted proxies only for a key.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use auth_access_token::{KeyAlgorithm, KeySet, PublicKey, Rejection, SigningKey, Verifier};
use auth_core::conformance::engine;
use auth_core::{Auth, CapturingMailer, RegistrationMode};
use auth_http::testkit::{Browser, LayerOnly, PASSWORD};
use auth_http::{AccessTokens, AuthWeb, AuthWebBuilder, Caller, WebError};
use auth_store_memory::MemoryStore;
use http::{HeaderMap, Method, StatusCode};
use serde_json::{Value, json};

const ISS: &str = "https://app.test";

fn site(web: impl FnOnce(AuthWebBuilder) -> AuthWebBuilder) -> (Auth, AuthWeb) {
    let config = engine::config()
        .registration(RegistrationMode::EnumerationSafe)
        .api_key_scopes(["read:profile", "admin:users"])
        .build()
        .unwrap();
    let auth = auth_http::testkit::engine_with_api_keys(config);
    let web = web(AuthWeb::builder(auth.clone())
        .secret(vec![7u8; 32])
        .insecure_dev_cookies(true))
    .build()
    .unwrap();
    (auth, web)
}

fn tokens(keys: KeySet) -> AccessTokens {
    AccessTokens::new(keys)
        .audience("orders")
        .audience("billing")
}

fn browser(web: &AuthWeb) -> Browser<LayerOnly> {
    let mut b = Browser::new(LayerOnly::new(web.clone()));
    b.host = "app.test".into();
    b
}

async fn jwks(b: &mut Browser<LayerOnly>) -> String {
    let r = b.get("/auth/.well-known/jwks.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(r.header("cache-control"), "public, max-age=300");
    r.body
}

fn verify(
    jwks: &str,
    token: &str,
    aud: &str,
) -> Result<auth_access_token::AccessClaims, auth_access_token::Error> {
    Verifier::from_json(jwks, ISS, aud).unwrap().verify(token)
}

#[tokio::test]
async fn a_session_gets_a_token_that_verifies_with_the_published_keys() {
    let keys = KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa).unwrap());
    let (auth, web) = site(|w| w.access_tokens(tokens(keys.clone())));
    let user = auth_http::testkit::create_user(&auth, "ada@example.com", &["admin"], true).await;
    let mut b = browser(&web);
    let doc = jwks(&mut b).await;
    let root = web.jwks_response(&HeaderMap::new());
    assert_eq!(root.status(), StatusCode::OK);
    assert_eq!(
        std::str::from_utf8(root.body()).unwrap(),
        doc,
        "the root's document is the mount point's"
    );

    // Nobody signed in: 401.
    let r = b.api("/auth/api/token", json!({})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(r.error_code(), "unauthenticated");

    // By the cookie.
    assert_eq!(
        b.api_login("ada@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    let r = b.api("/auth/api/token", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = r.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["aud"], "orders", "the first audience by default");
    assert_eq!(body["scope"], "admin:users read:profile");
    let token = body["access_token"].as_str().unwrap();
    let claims = verify(&doc, token, "orders").unwrap();
    assert_eq!(claims.sub, user.id.to_string());
    assert_eq!(claims.iss, ISS);
    assert_eq!(claims.roles, vec!["admin".to_owned()]);
    assert_eq!(claims.exp - claims.iat, 300);
    assert_eq!(
        verify(&doc, token, "billing").unwrap_err().rejection(),
        Some(Rejection::Audience)
    );

    // Another configured audience, fewer scopes.
    let r = b
        .api(
            "/auth/api/token",
            json!({"audience": "billing", "scopes": ["read:profile"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let claims = verify(&doc, r.json()["access_token"].as_str().unwrap(), "billing").unwrap();
    assert_eq!(claims.scope, "read:profile");
    let first_jti = claims.jti;
    let r = b
        .api("/auth/api/token", json!({"audience": "billing"}))
        .await;
    let again = verify(&doc, r.json()["access_token"].as_str().unwrap(), "billing").unwrap();
    assert_ne!(again.jti, first_jti, "every token has its own id");

    // Bad requests: a field and a reason each, nothing issued.
    let r = b
        .api("/auth/api/token", json!({"audience": "payroll"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        r.json()["error"]["fields"]["audience"]["code"],
        "unknown_audience"
    );
    let r = b
        .api(
            "/auth/api/token",
            json!({"scopes": ["read:profile", "root"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"]["scopes"]["code"], "not_granted");
    let r = b.api("/auth/api/token", json!({"audience": 7})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = b.json(Method::GET, "/auth/api/token", Value::Null).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_bearer_session_and_a_scoped_key_get_tokens_and_a_key_cannot_widen_its_scopes() {
    let keys = KeySet::new(SigningKey::generate(KeyAlgorithm::Es256).unwrap());
    let (auth, web) = site(|w| w.access_tokens(tokens(keys)));
    auth_http::testkit::create_user(&auth, "ada@example.com", &[], true).await;
    let mut b = browser(&web);
    let doc = jwks(&mut b).await;
    assert!(doc.contains("\"alg\":\"ES256\""), "{doc}");

    let bearer = browser(&web)
        .bearer_login("ada@example.com", PASSWORD)
        .await;
    let mut program = browser(&web);
    let r = program
        .request(
            Method::POST,
            "/auth/api/token",
            Some("application/json"),
            b"{}".to_vec(),
            &[("authorization", &bearer)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let claims = verify(&doc, r.json()["access_token"].as_str().unwrap(), "orders").unwrap();
    assert!(claims.roles.is_empty());

    // A key that may read the profile.
    let key = browser(&web)
        .created_api_key(
            &bearer,
            json!({"name": "script", "scopes": ["read:profile"]}),
        )
        .await;
    let post = |body: Value| {
        let web = web.clone();
        let key = key.clone();
        async move {
            browser(&web)
                .request(
                    Method::POST,
                    "/auth/api/token",
                    Some("application/json"),
                    body.to_string().into_bytes(),
                    &[("authorization", &key)],
                )
                .await
        }
    };
    let r = post(json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json()["scope"],
        "read:profile",
        "the key's scopes, no more"
    );
    let claims = verify(&doc, r.json()["access_token"].as_str().unwrap(), "orders").unwrap();
    assert!(claims.has_scope("read:profile") && !claims.has_scope("admin:users"));
    let r = post(json!({"scopes": ["admin:users"]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"]["scopes"]["code"], "not_granted");

    // Revoked, the key gets nothing.
    let r = program
        .request(
            Method::POST,
            "/auth/api/account/api_keys/revoke_all",
            Some("application/json"),
            b"{}".to_vec(),
            &[("authorization", &bearer)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = post(json!({})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(
        r.header("www-authenticate"),
        "Bearer error=\"invalid_token\""
    );
}

#[tokio::test]
async fn a_rotated_key_stays_published_and_its_tokens_verify() {
    let old = SigningKey::generate(KeyAlgorithm::EdDsa).unwrap();
    let (auth, before) = site(|w| w.access_tokens(tokens(KeySet::new(old.clone()))));
    auth_http::testkit::create_user(&auth, "ada@example.com", &[], true).await;
    let mut b = browser(&before);
    b.api_login("ada@example.com", PASSWORD).await;
    let old_token = b.api("/auth/api/token", json!({})).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let new = SigningKey::generate(KeyAlgorithm::EdDsa).unwrap();
    let public = PublicKey::from_pem(&old.to_pem()).unwrap();
    let rotated = KeySet::new(new.clone()).previous(public);
    let (_, after) = site(|w| w.access_tokens(tokens(rotated)));
    let doc = jwks(&mut browser(&after)).await;
    let listed: Value = serde_json::from_str(&doc).unwrap();
    let kids: Vec<&str> = listed["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(
        kids,
        vec![new.kid(), old.kid()],
        "current first, then previous"
    );
    assert!(!doc.contains("\"d\""), "no private part published: {doc}");
    assert!(verify(&doc, &old_token, "orders").is_ok());

    // After the overlap.
    let (_, later) = site(|w| w.access_tokens(tokens(KeySet::new(new))));
    let doc = jwks(&mut browser(&later)).await;
    assert_eq!(
        verify(&doc, &old_token, "orders").unwrap_err().rejection(),
        Some(Rejection::UnknownKey)
    );
}

#[tokio::test]
async fn without_access_tokens_the_routes_are_not_there() {
    let (auth, web) = site(|w| w);
    auth_http::testkit::create_user(&auth, "ada@example.com", &[], true).await;
    let mut b = browser(&web);
    assert_eq!(
        b.get("/auth/.well-known/jwks.json").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        web.jwks_response(&HeaderMap::new()).status(),
        StatusCode::NOT_FOUND
    );
    b.api_login("ada@example.com", PASSWORD).await;
    let r = b.api("/auth/api/token", json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[test]
fn bad_settings_are_refused_at_build() {
    let store = Arc::new(MemoryStore::new());
    let auth = Auth::builder(engine::config().build().unwrap())
        .store(store)
        .mailer(Arc::new(CapturingMailer::new()))
        .build()
        .unwrap();
    let keys = || KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa).unwrap());
    for (tokens, why) in [
        (AccessTokens::new(keys()), "no audience"),
        (
            AccessTokens::new(keys()).audience("a b"),
            "an audience with a space",
        ),
        (
            AccessTokens::new(keys())
                .audience("orders")
                .lifetime(Duration::ZERO),
            "no lifetime",
        ),
        (
            AccessTokens::new(keys())
                .audience("orders")
                .lifetime(Duration::from_secs(3601)),
            "over an hour",
        ),
    ] {
        let built = AuthWeb::builder(auth.clone()).access_tokens(tokens).build();
        assert!(matches!(built, Err(WebError::Config(_))), "{why}");
    }
}

#[tokio::test]
async fn every_token_is_in_the_audit_trail_and_an_account_asking_too_often_gets_429() {
    use auth_core::{AuditKind, AuditSink as _, RateLimit, RateLimits};
    let store = Arc::new(MemoryStore::new());
    let config = engine::config()
        .api_key_scopes(["read:profile"])
        .rate_limits(RateLimits {
            token_per_account: RateLimit::new(2, time::Duration::minutes(1)),
            ..RateLimits::default()
        })
        .build()
        .unwrap();
    let auth = Auth::builder(config)
        .store(store.clone())
        .mailer(Arc::new(CapturingMailer::new()))
        .build()
        .unwrap();
    let keys = KeySet::new(SigningKey::generate(KeyAlgorithm::EdDsa).unwrap());
    let web = AuthWeb::builder(auth.clone())
        .secret(vec![7u8; 32])
        .insecure_dev_cookies(true)
        .access_tokens(tokens(keys))
        .build()
        .unwrap();
    let user = auth_http::testkit::create_user(&auth, "ada@example.com", &[], true).await;
    let mut b = browser(&web);
    b.api_login("ada@example.com", PASSWORD).await;

    let mut issued = Vec::new();
    for _ in 0..2 {
        let r = b.api("/auth/api/token", json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let token = r.json()["access_token"].as_str().unwrap().to_owned();
        let doc = jwks(&mut b).await;
        issued.push(verify(&doc, &token, "orders").unwrap().jti);
    }
    let r = b.api("/auth/api/token", json!({})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.error_code(), "rate_limited");
    assert!(
        !r.header("retry-after").is_empty(),
        "the client is told when"
    );
    assert!(!r.body.contains("access_token"), "{}", r.body);

    let trail: Vec<_> = store
        .events_for_user(user.id, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == AuditKind::AccessTokenIssued)
        .collect();
    assert_eq!(
        trail.len(),
        2,
        "one entry per token issued, none for the refused one"
    );
    for (event, jti) in trail.iter().rev().zip(&issued) {
        let detail = event.detail.as_deref().unwrap();
        assert_eq!(
            detail,
            format!("{jti} for orders (read:profile) by session"),
            "the entry names the token by its id, never by the token itself"
        );
    }
}

#[tokio::test]
async fn a_key_records_the_client_address_the_trusted_proxy_gives() {
    let (auth, web) = site(|w| w.trusted_proxy_hops(1));
    auth_http::testkit::create_user(&auth, "ada@example.com", &[], true).await;
    let bearer = browser(&web)
        .bearer_login("ada@example.com", PASSWORD)
        .await;
    let key = browser(&web)
        .created_api_key(&bearer, json!({"name": "script"}))
        .await;

    let peer = Some(IpAddr::from([10, 0, 0, 1]));
    let headers = |authorization: &str| {
        let mut h = HeaderMap::new();
        h.insert("authorization", authorization.parse().unwrap());
        h.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
        h
    };
    let by_key = web.current_caller(&headers(&key), peer).await.unwrap();
    assert!(matches!(by_key, Some(Caller::Key(_))), "{by_key:?}");
    let Some(Caller::Session(session)) = web.current_caller(&headers(&bearer), peer).await.unwrap()
    else {
        panic!("the session is not the caller")
    };
    let keys = auth.api_keys(&session).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].last_used_ip.as_deref(), Some("203.0.113.9"));
}
