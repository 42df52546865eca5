//! Pages and messages in the request's language: `Accept-Language`, the `?lang=` switch and
//! its cookie, JSON error messages (codes unchanged), the fallback to English and an
//! application's own wording through the engine's catalogues.

use auth_core::Catalogues;
use auth_http::testkit::{Browser, LayerOnly, Site};
use http::{Method, StatusCode};
use serde_json::json;

/// `GET path` with the `Accept-Language` header `accept`.
async fn get_in(b: &mut Browser<LayerOnly>, path: &str, accept: &str) -> auth_http::testkit::Resp {
    b.request(
        Method::GET,
        path,
        None,
        Vec::new(),
        &[("accept-language", accept)],
    )
    .await
}

#[tokio::test]
async fn accept_language_chooses_the_page_language() {
    let site = Site::layer();
    let mut b = site.browser();
    let p = get_in(&mut b, "/auth/login", "de-DE,de;q=0.9,en;q=0.5").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(r#"<html lang="de">"#), "{}", p.body);
    assert!(p.body.contains("<h1>Anmelden</h1>"), "{}", p.body);
    assert!(p.body.contains("Passwort vergessen?"));
    assert!(
        p.body
            .contains(r#"<label for="f-login">E-Mail-Adresse oder Benutzername</label>"#)
    );
    assert!(!p.body.contains("Forgot your password?"));
    // The switch offers every language under its own name, the current one marked.
    assert!(
        p.body
            .contains(r#"href="/auth/login?lang=es" hreflang="es" lang="es">Español</a>"#),
        "{}",
        p.body
    );
    assert!(
        p.body
            .contains(r#"lang="de" aria-current="true">Deutsch</a>"#)
    );
    // Nothing was chosen: no cookie.
    assert!(p.set_cookie("lang").is_none());
}

#[tokio::test]
async fn the_switch_sets_a_cookie_that_keeps_the_language() {
    let site = Site::layer();
    let mut b = site.browser();
    let p = get_in(&mut b, "/auth/login?next=%2Fauth%2Faccount&lang=es", "de").await;
    assert!(p.body.contains(r#"<html lang="es">"#), "{}", p.body);
    assert!(p.body.contains("<h1>Iniciar sesión</h1>"));
    let cookie = p
        .set_cookie("lang")
        .expect("the switch sets the lang cookie");
    for part in ["lang=es", "SameSite=Lax", "Max-Age=31536000", "Path=/"] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    // The other query parameters stay on the switch's links.
    assert!(
        p.body
            .contains("/auth/login?next=%2Fauth%2Faccount&amp;lang=en"),
        "{}",
        p.body
    );
    // The next page keeps Spanish over the browser's German.
    let p = get_in(&mut b, "/auth/register", "de").await;
    assert!(p.body.contains(r#"<html lang="es">"#));
    assert!(p.body.contains("<h1>Cree su cuenta</h1>"), "{}", p.body);
    // A language that is not offered changes nothing.
    let p = get_in(&mut b, "/auth/register?lang=fr", "de").await;
    assert!(p.body.contains(r#"<html lang="es">"#));
    assert!(p.set_cookie("lang").is_none());
}

#[tokio::test]
async fn an_unknown_language_falls_back_to_english() {
    let site = Site::layer();
    let mut b = site.browser();
    let p = get_in(&mut b, "/auth/login", "fr-FR, it;q=0.8").await;
    assert!(p.body.contains(r#"<html lang="en">"#));
    assert!(p.body.contains("<h1>Sign in</h1>"));
    assert!(p.body.contains("Forgot your password?"));
    let p = b.get("/auth/login?lang=xx-not-a-tag").await;
    assert!(p.body.contains(r#"<html lang="en">"#));
    assert!(p.set_cookie("lang").is_none());
}

#[tokio::test]
async fn json_error_messages_are_translated_and_codes_are_not() {
    let site = Site::layer();
    let mut b = site.browser();
    let body = json!({ "email": "not-an-email", "password": "short", "password_confirm": "other" });
    let call = |lang: &'static str| {
        let body = body.to_string().into_bytes();
        let mut b = site.browser();
        async move {
            b.request(
                Method::POST,
                "/auth/api/register",
                Some("application/json"),
                body,
                &[("accept", "application/json"), ("accept-language", lang)],
            )
            .await
        }
    };
    let en = call("en").await;
    let de = call("de").await;
    assert_eq!(
        (en.status, de.status),
        (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST)
    );
    let (en, de) = (en.json(), de.json());
    assert_eq!(en["error"]["code"], "validation_failed");
    assert_eq!(de["error"]["code"], "validation_failed");
    assert_eq!(en["error"]["message"], "Some fields need your attention.");
    assert_eq!(
        de["error"]["message"],
        "Einige Felder brauchen Ihre Aufmerksamkeit."
    );
    let en_fields = en["error"]["fields"].as_object().unwrap();
    let de_fields = de["error"]["fields"].as_object().unwrap();
    assert_eq!(
        en_fields.keys().collect::<Vec<_>>(),
        de_fields.keys().collect::<Vec<_>>(),
        "the same fields"
    );
    assert!(en_fields.contains_key("email") && en_fields.contains_key("password"));
    for (field, detail) in en_fields {
        assert_eq!(detail["code"], de_fields[field]["code"], "{field}");
    }
    assert_eq!(
        en_fields["email"]["message"],
        "Enter a valid email address, like name@example.com."
    );
    assert_eq!(
        de_fields["email"]["message"],
        "Geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com."
    );
    assert_eq!(de_fields["password"]["code"], "too_short");
    assert!(
        de_fields["password"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Verwenden Sie ein Passwort mit mindestens"),
        "{de}"
    );
    // A failed sign-in in Spanish, through the JSON API.
    let p = b
        .request(
            Method::POST,
            "/auth/api/login",
            Some("application/json"),
            json!({ "login": "nobody@example.com", "password": "wrong password" })
                .to_string()
                .into_bytes(),
            &[("accept", "application/json"), ("accept-language", "es")],
        )
        .await;
    assert_eq!(p.error_code(), "invalid_credentials");
    assert_eq!(
        p.json()["error"]["message"],
        "El correo, el nombre de usuario o la contraseña no son correctos."
    );
}

#[tokio::test]
async fn form_errors_and_error_pages_are_in_the_page_language() {
    let site = Site::layer();
    let mut b = site.browser();
    get_in(&mut b, "/auth/register?lang=de", "en").await;
    let p = b
        .post(
            "/auth/register",
            &[
                ("email", "nope"),
                ("password", "x"),
                ("password_confirm", "x"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body
            .contains("Bitte korrigieren Sie die unten markierten Felder."),
        "{}",
        p.body
    );
    assert!(p.body.contains("Geben Sie eine gültige E-Mail-Adresse ein"));
    let p = b.get("/auth/no-such-page").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(
        p.body.contains("<h1>Seite nicht gefunden</h1>"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Unter dieser Adresse gibt es nichts."));
}

#[tokio::test]
async fn an_application_override_shows_on_the_page() {
    let site = Site::layer_with(
        |config| {
            let mut catalogues = Catalogues::shipped();
            catalogues
                .add(
                    "en",
                    "common-sign-in = Log in\nlogin-welcome-back-to = Hello again, { $app_name }!",
                )
                .unwrap();
            catalogues.add("de", "common-sign-in = Einloggen").unwrap();
            config.catalogues(catalogues)
        },
        |web| web,
    );
    let mut b = site.browser();
    let p = b.get("/auth/login").await;
    assert!(p.body.contains("<h1>Log in</h1>"), "{}", p.body);
    assert!(p.body.contains("Hello again, "));
    let p = get_in(&mut b, "/auth/login", "de").await;
    assert!(p.body.contains("<h1>Einloggen</h1>"), "{}", p.body);
    // German has no override of the greeting: the shipped German one.
    assert!(p.body.contains("Willkommen zurück bei "));
}

#[tokio::test]
async fn english_pages_keep_their_texts() {
    let site = Site::layer();
    let mut b = site.browser();
    let p = b.get("/auth/register").await;
    for text in [
        r#"<html lang="en">"#,
        "<h1>Create your account</h1>",
        "It takes less than a minute.",
        "Letters, digits, dots, dashes and underscores. You can sign in with it instead of your email.",
        "A few unrelated words make a strong password.",
        r#"<span class="optional">(optional)</span>"#,
        r#"Already have an account? <a href="/auth/login">Sign in</a>"#,
        "Skip to content",
    ] {
        assert!(p.body.contains(text), "{text} is missing: {}", p.body);
    }
}

/// The "check your inbox" pages say what happened in the page's language, not only
/// their titles.
#[tokio::test]
async fn check_your_inbox_pages_are_in_the_page_language() {
    let site = Site::layer();
    let mut b = site.browser();
    get_in(&mut b, "/auth/register?lang=de", "en").await;
    let p = b
        .post(
            "/auth/register",
            &[
                ("email", "lena@example.com"),
                ("password", "a long enough password"),
                ("password_confirm", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    for text in [
        "<h1>Sehen Sie in Ihr Postfach</h1>",
        "Wir haben einen Link an lena@example.com gesendet.",
        "Sehen Sie im Spam-Ordner nach",
    ] {
        assert!(p.body.contains(text), "{text} is missing: {}", p.body);
    }
    assert!(!p.body.contains("We sent a link to"), "{}", p.body);

    get_in(&mut b, "/auth/request_password_reset?lang=es", "en").await;
    let p = b
        .post(
            "/auth/request_password_reset",
            &[("email", "lena@example.com")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains("Si existe una cuenta para lena@example.com, le enviamos un enlace"),
        "{}",
        p.body
    );
}

/// A refusal the layer words more precisely than the error's own message (signing in
/// before confirming the address) is in the page's language too.
#[tokio::test]
async fn a_refusal_of_the_layer_is_in_the_page_language() {
    let site = Site::layer_with(|config| config.require_verified_email(true), |web| web);
    site.user("unconfirmed@example.com", &[], false).await;
    let mut b = site.browser();
    get_in(&mut b, "/auth/login?lang=de", "en").await;
    let p = b
        .post(
            "/auth/login",
            &[
                ("login", "unconfirmed@example.com"),
                ("password", auth_http::testkit::PASSWORD),
            ],
        )
        .await;
    assert!(p.status.is_client_error(), "{}: {}", p.status, p.body);
    assert!(
        p.body.contains(
            "Bestätigen Sie Ihre E-Mail-Adresse, bevor Sie sich anmelden: Folgen Sie dem Link"
        ),
        "{}",
        p.body
    );
    assert!(!p.body.contains("before signing in"), "{}", p.body);

    // In English, the text it always had.
    let mut en = site.browser();
    en.get("/auth/login").await;
    let p = en
        .post(
            "/auth/login",
            &[
                ("login", "unconfirmed@example.com"),
                ("password", auth_http::testkit::PASSWORD),
            ],
        )
        .await;
    assert!(
        p.body.contains("Confirm your email address before signing in: follow the link we sent you, or ask for a new one."),
        "{}",
        p.body
    );
}

/// The JSON API's "accepted" answers: `status` stays `accepted`, the `message` is in the
/// request's language, English as it always was.
#[tokio::test]
async fn accepted_answers_of_the_api_are_in_the_request_language() {
    let site = Site::layer();
    let call = |path: &'static str, lang: &'static str| {
        let mut b = site.browser();
        async move {
            b.request(
                Method::POST,
                path,
                Some("application/json"),
                json!({ "email": "someone@example.com" })
                    .to_string()
                    .into_bytes(),
                &[("accept", "application/json"), ("accept-language", lang)],
            )
            .await
        }
    };
    let cases = [
        (
            "/auth/api/request_password_reset",
            "If an account exists for this address, we sent it a link to choose a new password.",
            "Wenn es für diese Adresse ein Konto gibt, haben wir ihm einen Link gesendet, mit dem Sie ein neues Passwort wählen.",
        ),
        (
            "/auth/api/verify/resend",
            "If the address belongs to an account that still needs confirming, a new link is on its way.",
            "Wenn die Adresse zu einem Konto gehört, das noch bestätigt werden muss, ist ein neuer Link unterwegs.",
        ),
    ];
    for (path, english, german) in cases {
        let en = call(path, "en").await;
        let de = call(path, "de-DE,de;q=0.9").await;
        assert_eq!(
            (en.status, de.status),
            (StatusCode::ACCEPTED, StatusCode::ACCEPTED),
            "{path}: {} {}",
            en.body,
            de.body
        );
        assert_eq!(
            en.json(),
            json!({ "status": "accepted", "message": english }),
            "{path}"
        );
        assert_eq!(
            de.json(),
            json!({ "status": "accepted", "message": german }),
            "{path}"
        );
    }
}

/// A site whose accounts can upload pictures (the memory store keeps them).
fn with_pictures() -> Site {
    Site::layer_with_engine(
        |config| config,
        |engine| engine.pictures(std::sync::Arc::new(auth_store_memory::MemoryStore::new())),
    )
}

/// `POST path` with `content_type`, `body` and `Accept-Language: lang`, as JSON when
/// `api`.
async fn sent(
    site: &Site,
    path: &str,
    content_type: &str,
    body: &[u8],
    lang: &str,
    api: bool,
) -> auth_http::testkit::Resp {
    let accept = if api { "application/json" } else { "text/html" };
    site.browser()
        .request(
            Method::POST,
            path,
            Some(content_type),
            body.to_vec(),
            &[("accept", accept), ("accept-language", lang)],
        )
        .await
}

/// The JSON error `(status, code, message)` of `p`, with no fields.
fn error_of(p: &auth_http::testkit::Resp) -> (StatusCode, serde_json::Value, serde_json::Value) {
    let j = p.json();
    assert_eq!(j["error"]["fields"], json!({}), "{}", p.body);
    (
        p.status,
        j["error"]["code"].clone(),
        j["error"]["message"].clone(),
    )
}

/// A request sent the wrong way: path, content type, body, the message in English,
/// German and Spanish, the status and the code.
type Case = (
    &'static str,
    &'static str,
    &'static [u8],
    [&'static str; 3],
    StatusCode,
    &'static str,
);

#[tokio::test]
async fn messages_about_how_a_body_was_sent_are_in_the_request_language() {
    let site = with_pictures();
    let unsupported = StatusCode::UNSUPPORTED_MEDIA_TYPE;
    let bad = StatusCode::BAD_REQUEST;
    let cases: [Case; 5] = [
        (
            "/auth/api/register",
            "text/plain",
            b"{}",
            [
                "Send JSON with Content-Type: application/json.",
                "Senden Sie JSON mit Content-Type: application/json.",
                "Envíe JSON con Content-Type: application/json.",
            ],
            unsupported,
            "unsupported_media_type",
        ),
        (
            "/auth/api/account/picture",
            "image/gif",
            b"GIF89a",
            [
                "Send the picture's bytes with Content-Type image/png, image/jpeg, image/webp or application/octet-stream.",
                "Senden Sie die Bytes des Bildes mit Content-Type image/png, image/jpeg, image/webp oder application/octet-stream.",
                "Envíe los bytes de la imagen con Content-Type image/png, image/jpeg, image/webp o application/octet-stream.",
            ],
            unsupported,
            "unsupported_media_type",
        ),
        (
            "/auth/api/login",
            "application/json",
            b"{\"login\": ",
            [
                "The body is not valid JSON.",
                "Der Inhalt ist kein gültiges JSON.",
                "El cuerpo no es JSON válido.",
            ],
            bad,
            "bad_request",
        ),
        (
            "/auth/api/login",
            "application/json",
            b"[1, 2]",
            [
                "The body must be a JSON object.",
                "Der Inhalt muss ein JSON-Objekt sein.",
                "El cuerpo debe ser un objeto JSON.",
            ],
            bad,
            "bad_request",
        ),
        (
            "/auth/api/login",
            "application/json",
            b"{\"login\": 5, \"password\": \"x\"}",
            [
                "`login` must be a string.",
                "`login` muss eine Zeichenkette sein.",
                "`login` debe ser una cadena de texto.",
            ],
            bad,
            "bad_request",
        ),
    ];
    for (path, content_type, body, texts, status, code) in cases {
        for (lang, text) in ["en", "de", "es"].into_iter().zip(texts) {
            let p = sent(&site, path, content_type, body, lang, true).await;
            assert_eq!(
                error_of(&p),
                (status, json!(code), json!(text)),
                "{path} {content_type} in {lang}"
            );
        }
    }
    // The parser's own words (serde's "EOF while parsing ...") never reach the client.
    let p = sent(
        &site,
        "/auth/api/login",
        "application/json",
        b"{\"login\": ",
        "en",
        true,
    )
    .await;
    assert!(
        !p.body.contains("EOF") && !p.body.contains("line 1"),
        "{}",
        p.body
    );
}

#[tokio::test]
async fn a_form_of_the_wrong_type_or_a_broken_upload_gets_a_page_in_the_request_language() {
    let site = with_pictures();
    let p = sent(&site, "/auth/login", "application/json", b"{}", "de", false).await;
    assert_eq!(p.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(p.body.contains(r#"<html lang="de">"#), "{}", p.body);
    assert!(
        p.body
            .contains("Formulare müssen als application/x-www-form-urlencoded gesendet werden."),
        "{}",
        p.body
    );
    assert!(!p.body.contains("Forms must be sent"), "{}", p.body);

    // The upload form: not multipart at all, then a multipart body that is broken.
    let p = sent(
        &site,
        "/auth/account/picture",
        "application/x-www-form-urlencoded",
        b"csrf_token=x",
        "es",
        false,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        p.body
            .contains("Los formularios de subida deben enviarse como multipart/form-data."),
        "{}",
        p.body
    );
    let broken = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc";
    for (content_type, body) in [
        ("multipart/form-data; boundary=XyZ", &broken[..]),
        ("multipart/form-data", &b"no boundary"[..]),
    ] {
        let p = sent(
            &site,
            "/auth/account/picture",
            content_type,
            body,
            "es",
            false,
        )
        .await;
        assert_eq!(
            p.status,
            StatusCode::BAD_REQUEST,
            "{content_type}: {}",
            p.body
        );
        assert!(p.body.contains(r#"<html lang="es">"#), "{}", p.body);
        assert!(
            p.body.contains("El cuerpo multipart está mal formado."),
            "{content_type}: {}",
            p.body
        );
        assert!(!p.body.contains("malformed"), "{}", p.body);
    }
}
