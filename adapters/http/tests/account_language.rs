//! The language of an account's mails through the web layer: taken from `Accept-Language`
//! at registration, chosen on the account page (`POST /account/language`) or through the
//! JSON API (`POST /api/account/language`).

use auth_core::MailKind;
use auth_http::testkit::{Browser, LayerOnly, PASSWORD, Site};
use http::{Method, StatusCode};
use serde_json::json;

async fn signed_in(site: &Site, email: &str) -> Browser<LayerOnly> {
    site.user(email, &[], true).await;
    let mut browser = site.browser();
    let page = browser.login(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    browser
}

fn subject(site: &Site, to: &str, kind: MailKind) -> String {
    site.mailer()
        .last_to(to, kind)
        .unwrap_or_else(|| panic!("no {kind:?} mail to {to}"))
        .subject
}

async fn ask_for_reset(site: &Site, email: &str) {
    let mut anyone = site.browser();
    let resp = anyone
        .api(
            "/auth/api/request_password_reset",
            json!({ "email": email }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::ACCEPTED, "{}", resp.body);
}

#[tokio::test]
async fn a_spanish_browser_registers_a_spanish_account_with_spanish_mail() {
    let site = Site::layer();
    let mut browser = site.browser();
    browser.get("/auth/register").await;
    let body = browser.form(
        &[
            ("email", "ana@example.com"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
        true,
    );
    let resp = browser
        .request(
            Method::POST,
            "/auth/register",
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &[("accept-language", "es-ES,es;q=0.9,en;q=0.5")],
        )
        .await;
    assert!(resp.status.is_success(), "{}: {}", resp.status, resp.body);
    assert_eq!(
        subject(&site, "ana@example.com", MailKind::Verification),
        "Confirme su dirección de correo para Test App"
    );
    let mail = site
        .mailer()
        .last_to("ana@example.com", MailKind::Verification)
        .unwrap();
    assert!(
        mail.text.contains("https://app.test/auth/verify/"),
        "{}",
        mail.text
    );

    // The JSON registration reads the header too; without one, English.
    let mut api = site.browser();
    let resp = api
        .request(
            Method::POST,
            "/auth/api/register",
            Some("application/json"),
            json!({"email": "bea@example.com", "password": PASSWORD, "password_confirm": PASSWORD})
                .to_string()
                .into_bytes(),
            &[("accept-language", "fr-FR, es;q=0.8")],
        )
        .await;
    assert_eq!(resp.status, StatusCode::ACCEPTED, "{}", resp.body);
    assert_eq!(
        subject(&site, "bea@example.com", MailKind::Verification),
        "Confirme su dirección de correo para Test App"
    );
    let resp = site
        .browser()
        .api(
            "/auth/api/register",
            json!({"email": "cy@example.com", "password": PASSWORD, "password_confirm": PASSWORD}),
        )
        .await;
    assert_eq!(resp.status, StatusCode::ACCEPTED, "{}", resp.body);
    assert_eq!(
        subject(&site, "cy@example.com", MailKind::Verification),
        "Confirm your email address for Test App"
    );

    // The stored language shows in the account's JSON once it can sign in.
    let path = site.mailed_path("ana@example.com", MailKind::Verification, "/verify/");
    let landing = browser.get(&path).await;
    browser.follow_redirects(landing).await;
    let done = browser.post("/auth/verify", &[]).await;
    assert!(
        done.status.is_redirection(),
        "{}: {}",
        done.status,
        done.body
    );
    let mut me = site.browser();
    let login = me.api_login("ana@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let who = me.get_json("/auth/api/me").await;
    assert_eq!(who.json()["user"]["language"], "es", "{}", who.body);
}

#[tokio::test]
async fn the_account_page_sets_the_language_of_the_mails() {
    let site = Site::layer();
    let mut browser = signed_in(&site, "jo@example.com").await;
    let page = browser.get("/auth/account").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "action=\"/auth/account/language\"",
        "<select id=\"f-language\" name=\"language\"",
        "<option value=\"de\"",
        "<option value=\"es\"",
        "<label for=\"f-language\">Language of your emails</label>",
        "<option value=\"\">Default</option>",
    ] {
        assert!(page.body.contains(text), "{text} missing: {}", page.body);
    }

    let saved = browser
        .post("/auth/account/language", &[("language", "de")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), "/auth/account");
    let page = browser.get("/auth/account").await;
    // Its own message (not "profile saved"), in the language just chosen, as is the card.
    for text in [
        "Sprache gespeichert.",
        "<label for=\"f-language\">Sprache Ihrer E-Mails</label>",
        "<button type=\"submit\">Sprache speichern</button>",
        // The built-in profile fields' labels, too.
        "<label for=\"f-display_name\">Anzeigename",
        "<label for=\"f-time_zone\">Zeitzone",
    ] {
        assert!(page.body.contains(text), "{text} missing: {}", page.body);
    }
    assert!(
        !page.body.contains("Profil wurde gespeichert"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<option value=\"de\" lang=\"de\" selected>"),
        "the stored language is selected: {}",
        page.body
    );
    ask_for_reset(&site, "jo@example.com").await;
    assert_eq!(
        subject(&site, "jo@example.com", MailKind::PasswordReset),
        "Setzen Sie Ihr Passwort für Test App zurück"
    );

    // A language that is not offered is refused on the field, and nothing changes.
    let refused = browser
        .post("/auth/account/language", &[("language", "fr")])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains("f-language-error"),
        "{}",
        refused.body
    );

    // Without the CSRF token, refused.
    let forged = browser
        .post_raw(
            "/auth/account/language",
            &[("language".to_owned(), "es".to_owned())],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);

    // Back to the default.
    let cleared = browser
        .post("/auth/account/language", &[("language", "")])
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER, "{}", cleared.body);
    ask_for_reset(&site, "jo@example.com").await;
    assert_eq!(
        subject(&site, "jo@example.com", MailKind::PasswordReset),
        "Reset your Test App password"
    );

    // Signed out, the form's route sends to the sign-in page, like the other forms.
    let mut stranger = site.browser();
    stranger.get("/auth/login").await;
    let anonymous = stranger
        .post("/auth/account/language", &[("language", "de")])
        .await;
    assert_eq!(
        anonymous.status,
        StatusCode::SEE_OTHER,
        "{}",
        anonymous.body
    );
    assert!(
        anonymous.location().starts_with("/auth/login"),
        "{}",
        anonymous.location()
    );
}

#[tokio::test]
async fn the_api_sets_and_clears_the_language_and_refuses_others_on_the_field() {
    let site = Site::layer();
    site.user("kim@example.com", &[], true).await;
    let mut api = site.browser();
    let login = api.api_login("kim@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);

    let set = api
        .api("/auth/api/account/language", json!({ "language": "es-MX" }))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.json()["user"]["language"], "es");
    ask_for_reset(&site, "kim@example.com").await;
    assert_eq!(
        subject(&site, "kim@example.com", MailKind::PasswordReset),
        "Restablezca su contraseña de Test App"
    );

    for bad in [
        json!({ "language": "xx" }),
        json!({ "language": "not a tag" }),
    ] {
        let refused = api.api("/auth/api/account/language", bad.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            refused.body
        );
        assert_eq!(
            refused.error_code(),
            "validation_failed",
            "{}",
            refused.body
        );
        assert_eq!(
            refused.json()["error"]["fields"]["language"]["code"],
            "unsupported",
            "{}",
            refused.body
        );
    }
    let me = api.get_json("/auth/api/me").await;
    assert_eq!(
        me.json()["user"]["language"],
        "es",
        "a refusal changes nothing"
    );

    let cleared = api
        .api("/auth/api/account/language", json!({ "language": null }))
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert!(
        cleared.json()["user"]["language"].is_null(),
        "{}",
        cleared.body
    );

    let anonymous = site
        .browser()
        .api("/auth/api/account/language", json!({ "language": "de" }))
        .await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        anonymous.body
    );
}

#[tokio::test]
async fn the_stored_language_serves_the_pages_unless_the_switch_or_its_cookie_says_otherwise() {
    let site = Site::layer();
    let mut browser = signed_in(&site, "lu@example.com").await;
    let english = browser.get("/auth/account").await;
    assert!(
        english.body.contains("<html lang=\"en\""),
        "{}",
        english.body
    );

    browser
        .post("/auth/account/language", &[("language", "de")])
        .await;
    let german = browser.get("/auth/account").await;
    assert!(
        german.body.contains("<html lang=\"de\""),
        "the preference: {}",
        german.body
    );
    let json = browser.get_json("/auth/api/me").await;
    assert_eq!(json.json()["user"]["language"], "de");

    // The browser's Accept-Language ranks below the preference.
    let asked = browser
        .request(
            Method::GET,
            "/auth/account",
            None,
            Vec::new(),
            &[("accept-language", "es")],
        )
        .await;
    assert!(asked.body.contains("<html lang=\"de\""), "{}", asked.body);

    // The switch (and the cookie it sets) ranks above it.
    let switched = browser.get("/auth/account?lang=es").await;
    assert!(
        switched.body.contains("<html lang=\"es\""),
        "{}",
        switched.body
    );
    let kept = browser.get("/auth/account").await;
    assert!(
        kept.body.contains("<html lang=\"es\""),
        "the cookie: {}",
        kept.body
    );

    // A page without the session keeps the request's own negotiation.
    let mut stranger = site.browser();
    let public = stranger.get("/auth/login").await;
    assert!(public.body.contains("<html lang=\"en\""), "{}", public.body);
}

/// Sets the profile `locale` of `browser`'s account through the JSON API.
async fn set_locale(browser: &mut Browser<LayerOnly>, locale: &str) {
    let p = browser
        .json(
            Method::POST,
            "/auth/api/account/profile",
            json!({ "profile": { "locale": locale } }),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.json()["user"]["profile"]["locale"], locale, "{}", p.body);
    assert_eq!(
        p.json()["user"]["language"],
        serde_json::Value::Null,
        "no preference"
    );
}

/// The `lang` of the page at `path` when the browser asks for `accept`.
async fn page_lang(browser: &mut Browser<LayerOnly>, path: &str, accept: &str) -> String {
    let p = browser
        .request(
            Method::GET,
            path,
            None,
            Vec::new(),
            &[("accept-language", accept)],
        )
        .await;
    // Empty when it is not a page, which no caller expects.
    p.body
        .split("<html lang=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn without_a_preference_the_profile_locale_serves_the_signed_in_pages_and_the_mails() {
    let site = Site::layer();
    let mut austrian = signed_in(&site, "at@example.com").await;
    set_locale(&mut austrian, "de-AT").await;
    // Where a preference would rank: above the browser's Accept-Language.
    assert_eq!(page_lang(&mut austrian, "/auth/account", "es").await, "de");
    let me = austrian
        .request(
            Method::GET,
            "/auth/api/me",
            None,
            Vec::new(),
            &[("accept", "application/json"), ("accept-language", "es")],
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);
    ask_for_reset(&site, "at@example.com").await;
    assert_eq!(
        subject(&site, "at@example.com", MailKind::PasswordReset),
        "Setzen Sie Ihr Passwort für Test App zurück"
    );

    // A preference wins over the locale, for pages and mails alike.
    let p = austrian
        .json(
            Method::POST,
            "/auth/api/account/language",
            json!({ "language": "es" }),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(page_lang(&mut austrian, "/auth/account", "de").await, "es");
    ask_for_reset(&site, "at@example.com").await;
    assert_eq!(
        subject(&site, "at@example.com", MailKind::PasswordReset),
        "Restablezca su contraseña de Test App"
    );

    // No Portuguese catalogue: the locale names no offered language, so the browser
    // decides the pages and the default language the mails.
    let mut brazilian = signed_in(&site, "br@example.com").await;
    set_locale(&mut brazilian, "pt-BR").await;
    assert_eq!(page_lang(&mut brazilian, "/auth/account", "es").await, "es");
    assert_eq!(page_lang(&mut brazilian, "/auth/account", "pt").await, "en");
    ask_for_reset(&site, "br@example.com").await;
    assert_eq!(
        subject(&site, "br@example.com", MailKind::PasswordReset),
        "Reset your Test App password"
    );
}
