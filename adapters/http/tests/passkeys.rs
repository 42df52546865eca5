//! Passkeys in the web layer, answered by a software authenticator (the conformance
//! kit's `SoftPasskey`): the JSON API (register, list, rename, remove; passwordless
//! sign-in; the passkey as second step after the password) with bad input answered by
//! field errors, the pages (the account section, the sign-in button and its autofill
//! hint, the second step's passkey choice, each posting the browser's answer with the
//! page's own form), the static script and the Content-Security-Policy that allows it,
//! and a site without passkeys that shows none of it.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::sync::Arc;

use auth_core::conformance::authenticator::SoftPasskey;
use auth_core::conformance::engine;
use auth_core::{Auth, CapturingMailer, RelyingParty};
use auth_http::AuthWeb;
use auth_http::testkit::{Browser, LayerOnly, PASSWORD, Site, create_user};
use auth_store_memory::MemoryStore;
use http::{Method, StatusCode};
use serde_json::{Value, json};

const ORIGIN: &str = "https://app.test";

/// The engine and layer of `engine::config()` (at `https://app.test`, under `/auth`)
/// with passkeys on for `app.test`.
fn site() -> (Auth, AuthWeb) {
    let store = Arc::new(MemoryStore::new());
    let rp = RelyingParty::new("app.test", "Test App", &[ORIGIN]).unwrap();
    let auth = Auth::builder(engine::config().build().unwrap())
        .store(store.clone())
        .passkeys(store, rp)
        .mailer(Arc::new(CapturingMailer::new()))
        .build()
        .unwrap();
    let web = AuthWeb::builder(auth.clone())
        .secret(vec![7u8; 32])
        .insecure_dev_cookies(true)
        .build()
        .unwrap();
    (auth, web)
}

fn browser(web: &AuthWeb) -> Browser<LayerOnly> {
    let mut b = Browser::new(LayerOnly::new(web.clone()));
    "app.test".clone_into(&mut b.host);
    b
}

/// The text between `start` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {text}"))
        + start.len();
    let len = text[from..].find(end).unwrap();
    &text[from..from + len]
}

/// The options of a start reply, `{"publicKey": ...}` (and `mediation`).
async fn start(b: &mut Browser<LayerOnly>, path: &str, body: Value) -> (String, Value) {
    let r = b.api(path, body).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    let j = r.json();
    assert!(j["expires_at"].is_string(), "{j}");
    (
        j["challenge"].as_str().unwrap().to_owned(),
        j["options"].clone(),
    )
}

#[tokio::test]
async fn the_api_registers_signs_in_without_a_password_and_as_second_step() {
    let (auth, web) = site();
    create_user(&auth, "ada@example.com", &[], true).await;
    let mut me = browser(&web);
    assert_eq!(
        me.api_login("ada@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    let r = me
        .json(Method::GET, "/auth/api/account/passkeys", Value::Null)
        .await;
    assert_eq!(r.json(), json!({"passkeys": []}));

    // Registration: options out, the authenticator's answer in (as a JSON object).
    let mut key = SoftPasskey::new(ORIGIN);
    let (challenge, options) = start(
        &mut me,
        "/auth/api/account/passkeys/register/start",
        json!({}),
    )
    .await;
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["residentKey"],
        "preferred"
    );
    let answer: Value = serde_json::from_str(&key.register(&options).await.unwrap()).unwrap();
    let r = me
        .api(
            "/auth/api/account/passkeys/register/finish",
            json!({"challenge": challenge, "name": " ", "credential": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["name"].is_object(),
        "{}",
        r.body
    );
    let r = me
        .api(
            "/auth/api/account/passkeys/register/finish",
            json!({"challenge": challenge, "name": "Laptop", "credential": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let passkey = r.json()["passkey"].clone();
    assert_eq!(passkey["name"], "Laptop");
    assert!(passkey["last_used_at"].is_null());
    assert!(passkey.get("passkey").is_none(), "no public key shown");
    let id = passkey["id"].as_str().unwrap().to_owned();
    // The same challenge again: used up.
    let r = me
        .api(
            "/auth/api/account/passkeys/register/finish",
            json!({"challenge": challenge, "name": "Again", "credential": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["challenge"].is_object(),
        "{}",
        r.body
    );
    // A credential that is not one.
    let (challenge, _) = start(
        &mut me,
        "/auth/api/account/passkeys/register/start",
        json!({}),
    )
    .await;
    let r = me
        .api(
            "/auth/api/account/passkeys/register/finish",
            json!({"challenge": challenge, "name": "X", "credential": {"id": 5}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["credential"].is_object(),
        "{}",
        r.body
    );
    let r = me
        .api(
            "/auth/api/account/passkeys/register/finish",
            json!({"challenge": challenge, "name": "X", "credential": 5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a number: {}", r.body);

    // Passwordless: no account named, the passkey signs in by itself (bearer here).
    let mut phone = browser(&web);
    let (challenge, options) = start(&mut phone, "/auth/api/login/passkey/start", json!({})).await;
    assert_eq!(options["mediation"], "conditional");
    let answer = key.sign_in(&options).await.unwrap();
    let r = phone
        .api(
            "/auth/api/login/passkey/finish",
            json!({"challenge": challenge, "credential": answer, "token_mode": "bearer"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["user"]["email"], "ada@example.com");
    assert!(r.json()["token"].is_string(), "{}", r.body);
    let r = phone
        .api(
            "/auth/api/login/passkey/finish",
            json!({"challenge": challenge, "credential": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a replay: {}", r.body);

    // The password now needs the second step; the passkey finishes it.
    let mut desk = browser(&web);
    let r = desk.api_login("ada@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let pending = r.json()["pending"].as_str().unwrap().to_owned();
    let r = desk
        .api(
            "/auth/api/login/second_factor/passkey/start",
            json!({"pending": "nonsense"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.json()["error"]["fields"]["pending"].is_object(),
        "{}",
        r.body
    );
    let (challenge, options) = start(
        &mut desk,
        "/auth/api/login/second_factor/passkey/start",
        json!({"pending": pending}),
    )
    .await;
    assert_eq!(
        options["publicKey"]["allowCredentials"][0]["id"], id,
        "the account's passkey is named"
    );
    let answer = key.sign_in(&options).await.unwrap();
    let r = desk
        .api(
            "/auth/api/login/second_factor/passkey/finish",
            json!({"pending": pending, "challenge": challenge, "credential": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        desk.json(Method::GET, "/auth/api/me", Value::Null)
            .await
            .status,
        StatusCode::OK
    );

    // Rename (bad names refused at the field), then remove.
    let r = me
        .api(
            "/auth/api/account/passkeys/rename",
            json!({"id": id, "name": "Work laptop"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["passkey"]["name"], "Work laptop");
    assert!(
        r.json()["passkey"]["last_used_at"].is_string(),
        "used twice"
    );
    let r = me
        .api(
            "/auth/api/account/passkeys/rename",
            json!({"id": id, "name": "x".repeat(65)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.json()["error"]["fields"]["name"].is_object());
    let r = me
        .api(
            "/auth/api/account/passkeys/rename",
            json!({"id": "nobody", "name": "Mine"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // The passkey is the account's second factor: the session of the password alone
    // cannot remove it; the one that used the passkey can.
    let r = me
        .api("/auth/api/account/passkeys/remove", json!({"id": id}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.error_code(), "reauthentication_required");
    let r = desk
        .api("/auth/api/account/passkeys/remove", json!({"id": id}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json(), json!({"removed": true}));
    let r = me
        .json(Method::GET, "/auth/api/account/passkeys", Value::Null)
        .await;
    assert_eq!(r.json(), json!({"passkeys": []}));
    // The password alone signs in again.
    let mut later = browser(&web);
    assert_eq!(
        later.api_login("ada@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_api_refuses_strangers_wrong_methods_and_cross_site_posts() {
    let (auth, web) = site();
    create_user(&auth, "ada@example.com", &[], true).await;
    let mut nobody = browser(&web);
    for path in [
        "/auth/api/account/passkeys/register/start",
        "/auth/api/account/passkeys/rename",
        "/auth/api/account/passkeys/remove",
    ] {
        let r = nobody.api(path, json!({})).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}: {}", r.body);
        assert_eq!(r.error_code(), "unauthenticated", "{path}");
    }
    let r = nobody
        .json(Method::GET, "/auth/api/account/passkeys", Value::Null)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = nobody
        .json(Method::GET, "/auth/api/login/passkey/start", Value::Null)
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    let r = nobody
        .json(Method::POST, "/auth/api/account/passkeys", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    nobody.origin = Some("https://evil.example".to_owned());
    let r = nobody.api("/auth/api/login/passkey/start", json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = nobody
        .post_json("/auth/api/login/passkey/finish", "[1]".to_owned())
        .await;
    assert!(r.status.is_client_error(), "{}", r.body);
}

#[tokio::test]
async fn the_pages_add_list_rename_remove_and_sign_in_with_a_passkey() {
    let (auth, web) = site();
    create_user(&auth, "ada@example.com", &[], true).await;
    let mut me = browser(&web);

    // The sign-in page offers the passkey (button and autofill) through the script.
    let r = me.get("/auth/login").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Sign in with a passkey"), "{}", r.body);
    assert!(
        r.body.contains("autocomplete=\"username webauthn\""),
        "{}",
        r.body
    );
    let script = between(&r.body, "<script src=\"", "\"").to_owned();
    assert!(script.starts_with("/auth/static/passkeys-"), "{script}");
    assert!(!r.body.contains("<script>"), "no inline script");
    let csp = r.header("content-security-policy").to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let js = me.get(&script).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.header("content-type").starts_with("text/javascript"));
    assert!(js.body.contains("navigator.credentials"), "{}", js.body);
    let old = me.get("/auth/static/passkeys-000000000000.js").await;
    assert_eq!(old.status, StatusCode::SEE_OTHER);
    assert_eq!(old.location(), script);

    // The account section: empty, then a passkey added by the page's form.
    let r = me.login("ada@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = me.get("/auth/account").await;
    assert!(
        r.body.contains("/auth/account/passkeys\""),
        "linked: {}",
        r.body
    );
    let r = me.get("/auth/account/passkeys").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("You have no passkeys yet"), "{}", r.body);
    assert!(r.body.contains("data-passkey=\"register\""), "{}", r.body);
    let mut key = SoftPasskey::new(ORIGIN);
    let (challenge, options) = start(
        &mut me,
        "/auth/api/account/passkeys/register/start",
        json!({}),
    )
    .await;
    let answer = key.register(&options).await.unwrap();
    let r = me
        .post(
            "/auth/account/passkeys",
            &[
                ("name", ""),
                ("challenge", &challenge),
                ("credential", &answer),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("Give the passkey a name."), "{}", r.body);
    let (challenge, options) = start(
        &mut me,
        "/auth/api/account/passkeys/register/start",
        json!({}),
    )
    .await;
    let answer = key.register(&options).await.unwrap();
    let r = me
        .post(
            "/auth/account/passkeys",
            &[
                ("name", "Phone <b>"),
                ("challenge", &challenge),
                ("credential", &answer),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/auth/account/passkeys");
    let r = me.follow(&r).await;
    assert!(r.body.contains("Your passkey was added"), "{}", r.body);
    assert!(r.body.contains("Phone &lt;b&gt;"), "escaped: {}", r.body);
    assert!(r.body.contains("never"), "not used yet: {}", r.body);
    let id = between(&r.body, "name=\"id\" value=\"", "\"").to_owned();
    // Without the CSRF token: refused.
    let form = me.form(&[("id", id.as_str()), ("name", "X")], false);
    let r = me.post_json("/auth/account/passkeys/rename", form).await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let r = me
        .post(
            "/auth/account/passkeys/rename",
            &[("id", &id), ("name", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("Give the passkey a name."), "{}", r.body);
    let r = me
        .post(
            "/auth/account/passkeys/rename",
            &[("id", &id), ("name", "Pixel")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(me.follow(&r).await.body.contains("Pixel"));
    let r = me.get("/auth/account/passkeys/remove").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);

    // Signed out: the sign-in page's passkey form signs in by itself.
    let mut phone = browser(&web);
    phone.get("/auth/login").await;
    let r = phone
        .post(
            "/auth/login/passkey",
            &[("challenge", "nope"), ("credential", "{}")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("alert-error"), "{}", r.body);
    assert!(phone.session().is_none());
    let (challenge, options) = start(&mut phone, "/auth/api/login/passkey/start", json!({})).await;
    let answer = key.sign_in(&options).await.unwrap();
    let r = phone
        .post(
            "/auth/login/passkey?next=/inbox",
            &[
                ("challenge", &challenge),
                ("credential", &answer),
                ("next", "/inbox"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/inbox");
    assert!(phone.session().is_some());

    // The password step leads to the second step, which offers the passkey.
    let mut desk = browser(&web);
    let r = desk.login("ada@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location().starts_with("/auth/login/second_factor"),
        "{}",
        r.location()
    );
    let page = desk.get("/auth/login/second_factor").await;
    assert!(page.body.contains("Use a passkey"), "{}", page.body);
    let data = between(&page.body, "data-options=\"", "\"")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let started: Value = serde_json::from_str(&data).unwrap();
    let answer = key.sign_in(&started["options"]).await.unwrap();
    let r = desk
        .post(
            "/auth/login/second_factor/passkey",
            &[("challenge", "wrong"), ("credential", &answer)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(desk.session().is_none());
    let r = desk
        .post(
            "/auth/login/second_factor/passkey",
            &[
                ("challenge", started["challenge"].as_str().unwrap()),
                ("credential", &answer),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(desk.session().is_some());

    // Removing it takes a fresh passkey proof: the session of the password alone is
    // sent to re-authenticate; the one that used the passkey removes it.
    let r = me
        .post("/auth/account/passkeys/remove", &[("id", &id)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/auth/reauth"), "{}", r.location());
    let r = desk
        .post("/auth/account/passkeys/remove", &[("id", &id)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = desk.follow(&r).await;
    assert!(r.body.contains("Your passkey was removed"), "{}", r.body);
    assert!(r.body.contains("You have no passkeys yet"), "{}", r.body);
}

#[tokio::test]
async fn a_site_without_passkeys_shows_none_and_answers_404() {
    let site = Site::layer();
    site.user("ada@example.com", &[], true).await;
    let mut b = site.browser();
    let r = b.get("/auth/login").await;
    assert!(!r.body.contains("passkey"), "{}", r.body);
    assert!(!r.body.contains("<script"), "{}", r.body);
    assert!(r.body.contains("autocomplete=\"username\""), "{}", r.body);
    let r = b.api("/auth/api/login/passkey/start", json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    b.login("ada@example.com", PASSWORD).await;
    let r = b.get("/auth/account").await;
    assert!(!r.body.contains("/account/passkeys"), "{}", r.body);
    let r = b.get("/auth/account/passkeys").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn starting_passwordless_sign_ins_does_not_use_up_the_sign_in_limit() {
    // A sign-in page in a browser with passkey autofill starts one on every load.
    let (auth, web) = site();
    create_user(&auth, "ada@example.com", &[], true).await;
    let mut b = browser(&web);
    let limit = auth.config().rate_limits().login_per_ip.max;
    let mut challenges = Vec::new();
    for _ in 0..limit + 10 {
        let (challenge, options) = start(&mut b, "/auth/api/login/passkey/start", json!({})).await;
        assert_eq!(options["mediation"], "conditional", "{options}");
        challenges.push(challenge);
    }
    challenges.sort();
    challenges.dedup();
    assert_eq!(
        challenges.len() as u64,
        limit + 10,
        "one challenge per start"
    );
    // The sign-in limit is untouched: the password still signs in from this address.
    let r = b.login("ada@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        b.get("/auth/account")
            .await
            .body
            .contains("ada@example.com")
    );
}

/// Two "Continue with ..." buttons whose sign-ins never start (only the page is looked at).
struct TwoProviders;

#[async_trait::async_trait]
impl auth_http::SignInProviders for TwoProviders {
    fn buttons(&self) -> Vec<auth_http::ProviderButton> {
        ["Google", "Example Corp"]
            .into_iter()
            .map(|label| auth_http::ProviderButton {
                name: label.to_lowercase().replace(' ', "-"),
                label: label.to_owned(),
            })
            .collect()
    }

    async fn start(
        &self,
        _provider: &str,
        _return_to: &str,
        _now: time::OffsetDateTime,
    ) -> Result<auth_http::StartedSignIn, auth_http::ProviderFailure> {
        Err(auth_http::ProviderFailure::UnknownProvider)
    }

    async fn finish(
        &self,
        _provider: &str,
        _answer: &auth_http::ProviderAnswer,
        _binding: Option<&str>,
        _now: time::OffsetDateTime,
    ) -> Result<auth_http::FinishedSignIn, auth_http::ProviderFailure> {
        Err(auth_http::ProviderFailure::UnknownProvider)
    }
}

/// The sign-in page of a site with passkeys and/or the two providers.
async fn sign_in_page(passkeys: bool, providers: bool) -> String {
    let store = Arc::new(MemoryStore::new());
    let mut builder = Auth::builder(engine::config().build().unwrap())
        .store(store.clone())
        .identities(store.clone())
        .mailer(Arc::new(CapturingMailer::new()));
    if passkeys {
        let rp = RelyingParty::new("app.test", "Test App", &[ORIGIN]).unwrap();
        builder = builder.passkeys(store, rp);
    }
    let mut web = AuthWeb::builder(builder.build().unwrap())
        .secret(vec![7u8; 32])
        .insecure_dev_cookies(true);
    if providers {
        web = web.sign_in_providers(Arc::new(TwoProviders));
    }
    let r = browser(&web.build().unwrap()).get("/auth/login").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// Where `needle` first is in `page`.
fn at(page: &str, needle: &str) -> usize {
    page.find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in {page}"))
}

#[tokio::test]
async fn the_sign_in_page_shows_the_passkey_and_the_providers_under_one_or() {
    const OR: &str = "<p class=\"or\">";
    let both = sign_in_page(true, true).await;
    assert_eq!(both.matches(OR).count(), 1, "{both}");
    // The password form, its links, one "or", the passkey button, the providers.
    let order = [
        "type=\"submit\">Sign in</button>",
        "Forgot your password?",
        OR,
        "Sign in with a passkey",
        "Continue with Google",
        "Continue with Example Corp",
    ];
    let places: Vec<usize> = order.iter().map(|n| at(&both, n)).collect();
    assert!(places.is_sorted(), "{order:?} at {places:?}: {both}");
    // With providers the "or" stands outside the passkey box (which is hidden without
    // script), so the providers keep theirs.
    assert!(
        at(&both, OR) < at(&both, "data-passkey-box hidden"),
        "{both}"
    );

    // Passkeys alone: the "or" is the passkey box's, hidden with it without script.
    let passkeys = sign_in_page(true, false).await;
    assert_eq!(passkeys.matches(OR).count(), 1, "{passkeys}");
    let hidden_box = between(&passkeys, "data-passkey-box hidden>", "<form");
    assert!(hidden_box.contains(OR), "{passkeys}");
    assert!(at(&passkeys, "Forgot your password?") < at(&passkeys, OR));

    // Providers alone: one "or" above them, no passkey controls.
    let providers = sign_in_page(false, true).await;
    assert_eq!(providers.matches(OR).count(), 1, "{providers}");
    assert!(!providers.contains("data-passkey"), "{providers}");
    assert!(at(&providers, OR) < at(&providers, "Continue with Google"));

    // Neither: no "or" at all.
    let neither = sign_in_page(false, false).await;
    assert!(!neither.contains(OR), "{neither}");
}

/// In German, the page says so when a passkey is refused (one this site does not know:
/// it was made on another installation), and gives the script its texts in German.
#[tokio::test]
async fn a_refused_passkey_and_the_script_texts_are_in_the_page_language() {
    let (elsewhere, elsewhere_web) = site();
    create_user(&elsewhere, "ada@example.com", &[], true).await;
    let mut me = browser(&elsewhere_web);
    assert_eq!(
        me.api_login("ada@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    let mut key = SoftPasskey::new(ORIGIN);
    let (challenge, options) = start(
        &mut me,
        "/auth/api/account/passkeys/register/start",
        json!({}),
    )
    .await;
    let answer: Value = serde_json::from_str(&key.register(&options).await.unwrap()).unwrap();
    let r = me
        .api(
            "/auth/api/account/passkeys/register/finish",
            json!({"challenge": challenge, "name": "Laptop", "credential": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let (auth, web) = site();
    create_user(&auth, "ada@example.com", &[], true).await;
    let mut phone = browser(&web);
    let page = phone.get("/auth/login?lang=de").await;
    for text in [
        "data-not-used=\"Es wurde kein Passkey verwendet.",
        "data-failed=\"Der Passkey hat nicht funktioniert.",
    ] {
        assert!(page.body.contains(text), "{text} missing: {}", page.body);
    }
    let (challenge, options) = start(&mut phone, "/auth/api/login/passkey/start", json!({})).await;
    let answer = key.sign_in(&options).await.unwrap();
    let r = phone
        .post(
            "/auth/login/passkey",
            &[("challenge", &challenge), ("credential", &answer)],
        )
        .await;
    assert!(r.status.is_client_error(), "{}: {}", r.status, r.body);
    assert!(
        r.body.contains(
            "Dieser Passkey wurde nicht angenommen. Vielleicht wurde er aus Ihrem Konto entfernt"
        ),
        "{}",
        r.body
    );
    assert!(phone.session().is_none());

    // The English page keeps the script's English texts.
    let page = browser(&web).get("/auth/login").await;
    assert!(
        page.body
            .contains("data-not-used=\"No passkey was used. Try again, or use another way.\""),
        "{}",
        page.body
    );
}
