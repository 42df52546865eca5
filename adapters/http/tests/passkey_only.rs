//! Accounts with passkeys and no password in the web layer, answered by the conformance
//! kit's software authenticator: sign-up with a passkey (page and JSON, off unless
//! configured, the same answer for a taken address), the last passkey that stays, and a
//! passkey as the fresh proof of step-up (page and JSON).
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::sync::Arc;

use auth_core::conformance::authenticator::SoftPasskey;
use auth_core::conformance::engine;
use auth_core::{
    Auth, CapturingMailer, ConfigBuilder, MailKind, ManualClock, RegistrationMode, RelyingParty,
};
use auth_http::AuthWeb;
use auth_http::testkit::{Browser, LayerOnly, PASSWORD, create_user};
use auth_store_memory::MemoryStore;
use http::{Method, StatusCode};
use serde_json::{Value, json};

const ORIGIN: &str = "https://app.test";

struct Site {
    web: AuthWeb,
    mailer: CapturingMailer,
    clock: ManualClock,
    auth: Auth,
}

/// Passkeys on for `app.test`, the configuration changed by `configure`, a clock that
/// only moves when told.
fn site_with(configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Site {
    let store = Arc::new(MemoryStore::new());
    let rp = RelyingParty::new("app.test", "Test App", &[ORIGIN]).unwrap();
    let mailer = CapturingMailer::new();
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let auth = Auth::builder(configure(engine::config()).build().unwrap())
        .store(store.clone())
        .passkeys(store, rp)
        .mailer(Arc::new(mailer.clone()))
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let web = AuthWeb::builder(auth.clone())
        .secret(vec![7u8; 32])
        .insecure_dev_cookies(true)
        .build()
        .unwrap();
    Site {
        web,
        mailer,
        clock,
        auth,
    }
}

/// Passkey sign-up on, registration enumeration-safe.
fn site() -> Site {
    site_with(|c| {
        c.passkey_sign_up(true)
            .registration(RegistrationMode::EnumerationSafe)
    })
}

fn browser(site: &Site) -> Browser<LayerOnly> {
    let mut b = Browser::new(LayerOnly::new(site.web.clone()));
    "app.test".clone_into(&mut b.host);
    b
}

/// The challenge and options of a start reply.
async fn start(b: &mut Browser<LayerOnly>, path: &str, body: Value) -> (String, Value) {
    let r = b.api(path, body).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    let j = r.json();
    (
        j["challenge"].as_str().unwrap().to_owned(),
        j["options"].clone(),
    )
}

/// Signs `email` up with `key` through the JSON API: the finish reply's status and body.
async fn api_sign_up(
    b: &mut Browser<LayerOnly>,
    email: &str,
    key: &mut SoftPasskey,
) -> (StatusCode, Value) {
    let (challenge, options) = start(
        b,
        "/auth/api/register/passkey/start",
        json!({"email": email}),
    )
    .await;
    let answer: Value = serde_json::from_str(&key.register(&options).await.unwrap()).unwrap();
    let r = b
        .api(
            "/auth/api/register/passkey/finish",
            json!({"challenge": challenge, "credential": answer}),
        )
        .await;
    (r.status, r.json())
}

/// Signs in with `key` alone through the JSON API.
async fn api_passkey_login(b: &mut Browser<LayerOnly>, key: &mut SoftPasskey) -> StatusCode {
    let (challenge, options) = start(b, "/auth/api/login/passkey/start", json!({})).await;
    let answer = key.sign_in(&options).await.unwrap();
    b.api(
        "/auth/api/login/passkey/finish",
        json!({"challenge": challenge, "credential": answer}),
    )
    .await
    .status
}

#[tokio::test]
async fn passkey_sign_up_is_offered_only_when_configured() {
    let off = site_with(|c| c);
    let mut b = browser(&off);
    let r = b.get("/auth/register").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("Sign up with a passkey"), "{}", r.body);
    let r = b
        .api(
            "/auth/api/register/passkey/start",
            json!({"email": "ada@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = b
        .post(
            "/auth/register/passkey",
            &[("challenge", "x"), ("credential", "{}")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    let on = site();
    let mut b = browser(&on);
    let r = b.get("/auth/register").await;
    assert!(r.body.contains("Sign up with a passkey"), "{}", r.body);
    assert!(r.body.contains("data-passkey=\"sign-up\""), "{}", r.body);
    assert!(
        r.body.contains("<script src=\"/auth/static/passkeys-"),
        "{}",
        r.body
    );
    // Without script the password form still works: it is all there.
    assert!(r.body.contains("name=\"password_confirm\""), "{}", r.body);
    let script = r
        .body
        .split("<script src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let js = b.get(&script).await;
    assert!(js.body.contains("\"sign-up\": signUp"), "{}", js.body);
    assert!(js.body.contains("\"step-up\": stepUp"), "{}", js.body);
}

#[tokio::test]
async fn the_api_signs_up_with_a_passkey_and_answers_a_taken_address_the_same() {
    let site = site();
    let mut b = browser(&site);
    let r = b
        .api(
            "/auth/api/register/passkey/start",
            json!({"email": "not an address"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["email"].is_object(),
        "{}",
        r.body
    );
    let r = b
        .api(
            "/auth/api/register/passkey/finish",
            json!({"challenge": "nope", "credential": {}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.json()["error"]["code"].is_string(), "{}", r.body);

    let mut key = SoftPasskey::new(ORIGIN);
    let (status, fresh) = api_sign_up(&mut b, "new@example.com", &mut key).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{fresh}");
    create_user(&site.auth, "taken@example.com", &[], true).await;
    let mut other = SoftPasskey::new(ORIGIN);
    let (status, taken) = api_sign_up(&mut b, "taken@example.com", &mut other).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{taken}");
    assert_eq!(fresh, taken, "no account enumeration");
    assert!(
        site.mailer
            .last_to("taken@example.com", MailKind::AccountExists)
            .is_some()
    );
    assert!(
        site.mailer
            .last_to("new@example.com", MailKind::Verification)
            .is_some()
    );

    // The new account signs in with its passkey; the attempt on the taken one does not.
    let mut phone = browser(&site);
    assert_eq!(
        api_passkey_login(&mut phone, &mut key).await,
        StatusCode::OK
    );
    let me = phone.json(Method::GET, "/auth/api/me", Value::Null).await;
    assert_eq!(me.json()["user"]["email"], "new@example.com", "{}", me.body);
    let mut stranger = browser(&site);
    assert_eq!(
        api_passkey_login(&mut stranger, &mut other).await,
        StatusCode::UNAUTHORIZED
    );
    // ... and no password signs in to it.
    let r = browser(&site).api_login("new@example.com", PASSWORD).await;
    assert!(r.status.is_client_error(), "{}", r.body);
}

#[tokio::test]
async fn the_sign_up_page_posts_the_passkey_and_says_check_your_inbox() {
    let site = site();
    let mut b = browser(&site);
    b.get("/auth/register").await;
    let mut key = SoftPasskey::new(ORIGIN);
    let (challenge, options) = start(
        &mut b,
        "/auth/api/register/passkey/start",
        json!({"email": "page@example.com"}),
    )
    .await;
    let answer = key.register(&options).await.unwrap();
    let r = b
        .post(
            "/auth/register/passkey",
            &[
                ("email", "page@example.com"),
                ("challenge", "wrong"),
                ("credential", &answer),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("alert-error"), "{}", r.body);
    assert!(
        r.body.contains("value=\"page@example.com\""),
        "kept: {}",
        r.body
    );
    let r = b
        .post(
            "/auth/register/passkey",
            &[
                ("email", "page@example.com"),
                ("challenge", &challenge),
                ("credential", &answer),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Check your inbox"), "{}", r.body);
    assert!(r.body.contains("page@example.com"), "{}", r.body);
    assert!(
        site.mailer
            .last_to("page@example.com", MailKind::Verification)
            .is_some()
    );
    let r = b.get("/auth/register/passkey").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_last_passkey_stays_and_a_passkey_is_the_fresh_proof() {
    let site = site();
    let mut b = browser(&site);
    let mut key = SoftPasskey::new(ORIGIN);
    let (status, _) = api_sign_up(&mut b, "solo@example.com", &mut key).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(api_passkey_login(&mut b, &mut key).await, StatusCode::OK);
    let listed = b
        .json(Method::GET, "/auth/api/account/passkeys", Value::Null)
        .await;
    let first = listed.json()["passkeys"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The only way in: refused at the field, by the API and by the page.
    let r = b
        .api("/auth/api/account/passkeys/remove", json!({"id": first}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.json()["error"]["fields"]["id"].is_object(), "{}", r.body);
    b.get("/auth/account/passkeys").await;
    let r = b
        .post("/auth/account/passkeys/remove", &[("id", &first)])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("only way to sign in"), "{}", r.body);
    assert!(
        r.body.contains("Your last way to sign in stays"),
        "{}",
        r.body
    );

    // A second passkey, then the session grows old.
    let mut spare = SoftPasskey::new(ORIGIN);
    let (challenge, options) = start(
        &mut b,
        "/auth/api/account/passkeys/register/start",
        json!({}),
    )
    .await;
    let answer: Value = serde_json::from_str(&spare.register(&options).await.unwrap()).unwrap();
    let r = b
        .api(
            "/auth/api/account/passkeys/register/finish",
            json!({"challenge": challenge, "name": "Spare", "credential": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    site.clock.advance(time::Duration::minutes(11));
    let r = b
        .api("/auth/api/account/passkeys/remove", json!({"id": first}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.error_code(), "reauthentication_required");

    // The re-authentication page offers the passkey alone (there is no password).
    let page = b.get("/auth/reauth?next=/auth/account/passkeys").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("data-passkey=\"step-up\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("name=\"password\""), "{}", page.body);

    // JSON: options out, the assertion in; then the removal goes through.
    let (challenge, options) = start(&mut b, "/auth/api/reauth/passkey/start", json!({})).await;
    assert!(
        options["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len()
            == 2
    );
    let answer: Value = serde_json::from_str(&key.sign_in(&options).await.unwrap()).unwrap();
    let r = b
        .api(
            "/auth/api/reauth/passkey/finish",
            json!({"challenge": challenge, "credential": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["fresh_until"].is_string(), "{}", r.body);
    assert!(r.json()["session"].is_object(), "{}", r.body);
    let r = b
        .api(
            "/auth/api/reauth/passkey/finish",
            json!({"challenge": challenge, "credential": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a replay: {}", r.body);
    let r = b
        .api("/auth/api/account/passkeys/remove", json!({"id": first}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The page: old again, re-authenticated by the passkey form, back to `next`.
    site.clock.advance(time::Duration::minutes(11));
    b.get("/auth/reauth").await;
    let (challenge, options) = start(&mut b, "/auth/api/reauth/passkey/start", json!({})).await;
    let answer = spare.sign_in(&options).await.unwrap();
    let r = b
        .post(
            "/auth/reauth/passkey",
            &[
                ("challenge", "wrong"),
                ("credential", &answer),
                ("next", "/auth/account/passkeys"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = b
        .post(
            "/auth/reauth/passkey",
            &[
                ("challenge", &challenge),
                ("credential", &answer),
                ("next", "/auth/account/passkeys"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/auth/account/passkeys");
}

#[tokio::test]
async fn step_up_by_passkey_needs_a_session_and_a_passkey() {
    let site = site();
    let mut nobody = browser(&site);
    let r = nobody
        .api("/auth/api/reauth/passkey/start", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let r = nobody
        .api("/auth/api/reauth/passkey/finish", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

    // An account with a password and no passkey: told at the field; the page offers
    // the password only.
    create_user(&site.auth, "pw@example.com", &[], true).await;
    let mut b = browser(&site);
    assert_eq!(
        b.api_login("pw@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    let r = b.api("/auth/api/reauth/passkey/start", json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["credential"].is_object(),
        "{}",
        r.body
    );
    let page = b.get("/auth/reauth").await;
    assert!(page.body.contains("name=\"password\""), "{}", page.body);
    assert!(
        !page.body.contains("data-passkey=\"step-up\""),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_password_and_a_passkey_step_up_with_the_passkey() {
    let site = site();
    create_user(&site.auth, "both@example.com", &[], true).await;
    let mut b = browser(&site);
    assert_eq!(
        b.api_login("both@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    // Before a passkey: the password re-authenticates.
    let page = b.get("/auth/reauth").await;
    assert!(page.body.contains("name=\"password\""), "{}", page.body);

    let mut key = SoftPasskey::new(ORIGIN);
    let (challenge, options) = start(
        &mut b,
        "/auth/api/account/passkeys/register/start",
        json!({}),
    )
    .await;
    let answer: Value = serde_json::from_str(&key.register(&options).await.unwrap()).unwrap();
    let r = b
        .api(
            "/auth/api/account/passkeys/register/finish",
            json!({"challenge": challenge, "name": "Laptop", "credential": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["passkey"]["id"].as_str().unwrap().to_owned();

    // The passkey is the second factor now: the fresh password session does not open
    // sensitive actions, and the password alone does not re-authenticate.
    let r = b
        .api("/auth/api/account/passkeys/remove", json!({"id": id}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.error_code(), "reauthentication_required");
    let r = b
        .api("/auth/api/reauth", json!({"password": PASSWORD}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["password"].is_object(),
        "{}",
        r.body
    );
    let page = b.get("/auth/reauth?next=/auth/account/passkeys").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("name=\"password\""), "{}", page.body);
    assert!(
        page.body.contains("data-passkey=\"step-up\""),
        "{}",
        page.body
    );
    // The page's password form is gone, and a posted password is refused at its field.
    let r = b
        .post(
            "/auth/reauth",
            &[("password", PASSWORD), ("next", "/auth/account/passkeys")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

    // A fresh passkey assertion opens them.
    let (challenge, options) = start(&mut b, "/auth/api/reauth/passkey/start", json!({})).await;
    let answer: Value = serde_json::from_str(&key.sign_in(&options).await.unwrap()).unwrap();
    let r = b
        .api(
            "/auth/api/reauth/passkey/finish",
            json!({"challenge": challenge, "credential": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = b
        .api("/auth/api/account/passkeys/remove", json!({"id": id}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Without its passkey, the account's password re-authenticates again.
    let page = b.get("/auth/reauth").await;
    assert!(page.body.contains("name=\"password\""), "{}", page.body);
}
