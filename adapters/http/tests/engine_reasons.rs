//! The engine's reasons in the request's language, rendered by their message ids: reasons
//! the web layer used to show in English whatever the language (a quoted address, a
//! breached or common password) come translated, with their codes unchanged.

use std::sync::Arc;

use auth_core::conformance::engine;
use auth_core::{Auth, BreachCheck, CapturingMailer, RegistrationMode, SortedHashFile};
use auth_http::AuthWeb;
use auth_http::testkit::{Browser, LayerOnly};
use auth_store_memory::MemoryStore;
use http::{Method, StatusCode};
use serde_json::{Value, json};

/// A password long enough for the policy, which the test's breach list holds.
const BREACHED: &str = "correct horse battery staple";

/// A web layer whose engine refuses [`BREACHED`] as a breached password.
fn browser(dir: &tempfile::TempDir) -> Browser<LayerOnly> {
    let list = SortedHashFile::create(dir.path().join("breached.txt"), [BREACHED])
        .unwrap_or_else(|e| panic!("a breach list: {e}"));
    let config = engine::config()
        .registration(RegistrationMode::EnumerationSafe)
        .build()
        .unwrap_or_else(|e| panic!("a test configuration: {e}"));
    let auth = Auth::builder(config)
        .store(Arc::new(MemoryStore::new()))
        .mailer(Arc::new(CapturingMailer::new()))
        .breach_check(BreachCheck::new(Arc::new(list)))
        .build()
        .unwrap_or_else(|e| panic!("a test engine: {e}"));
    let web = AuthWeb::builder(auth)
        .insecure_dev_cookies(true)
        .secret(vec![7u8; 32])
        .build()
        .unwrap_or_else(|e| panic!("a test web layer: {e}"));
    Browser::new(LayerOnly::new(web))
}

/// The `fields` of the JSON API's answer to a sign-up with `body`, in `lang`.
async fn refused(b: &mut Browser<LayerOnly>, body: &Value, lang: &str) -> Value {
    let p = b
        .request(
            Method::POST,
            "/auth/api/register",
            Some("application/json"),
            body.to_string().into_bytes(),
            &[("accept", "application/json"), ("accept-language", lang)],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    p.json()["error"]["fields"].clone()
}

#[tokio::test]
async fn a_quoted_address_is_refused_in_the_request_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = browser(&dir);
    let body = json!({
        "email": "\"x y\"@example.com",
        "password": "a long and quiet evening walk",
        "password_confirm": "a long and quiet evening walk",
    });
    let en = refused(&mut b, &body, "en").await;
    let de = refused(&mut b, &body, "de").await;
    let es = refused(&mut b, &body, "es-MX").await;
    for fields in [&en, &de, &es] {
        assert!(fields["email"].is_object(), "{fields}");
        assert_eq!(fields["email"]["code"], "invalid");
    }
    assert_eq!(
        en["email"]["message"],
        "Enter an address without quotation marks, like name@example.com: mail to quoted addresses cannot be delivered."
    );
    assert_eq!(
        de["email"]["message"],
        "Geben Sie eine Adresse ohne Anführungszeichen ein, etwa name@example.com: E-Mails an Adressen in Anführungszeichen können nicht zugestellt werden."
    );
    assert_eq!(
        es["email"]["message"],
        "Introduzca una dirección sin comillas, como nombre@example.com: el correo a direcciones entre comillas no se puede entregar."
    );
}

#[tokio::test]
async fn breached_and_common_passwords_are_refused_in_the_request_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = browser(&dir);
    let breached =
        json!({ "email": "ana@example.com", "password": BREACHED, "password_confirm": BREACHED });
    let en = refused(&mut b, &breached, "en").await;
    let de = refused(&mut b, &breached, "de").await;
    assert_eq!(en["password"]["code"], "breached");
    assert_eq!(de["password"]["code"], "breached");
    assert_eq!(
        en["password"]["message"],
        "This password has appeared in a data breach, so attackers try it first. Choose another."
    );
    assert_eq!(
        de["password"]["message"],
        "Dieses Passwort ist in einem Datenleck aufgetaucht, deshalb probieren Angreifer es zuerst. Wählen Sie ein anderes."
    );
    let common = json!({
        "email": "ana@example.com",
        "password": "password1234",
        "password_confirm": "password1234",
    });
    let es = refused(&mut b, &common, "es").await;
    assert_eq!(es["password"]["code"], "too_common");
    let message = es["password"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Esta contraseña es demasiado común y fácil de adivinar."),
        "{message}"
    );
    assert!(!message.contains("guess"), "no English advice: {message}");
}
