//! Pages and messages in the visitor's language, through every demo: `Accept-Language`,
//! the `?lang=` switch and its cookie, JSON error messages (codes unchanged, down to a
//! body sent the wrong way), and English when nothing offered is asked for.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use blackbox_tests::{Body, Demo, Resp, email};
use serde_json::json;

blackbox_tests::scenarios!(
    accept_language_gives_the_german_login_page,
    the_language_switch_is_kept_by_its_cookie,
    json_error_messages_follow_the_language_and_codes_do_not,
    an_unknown_language_falls_back_to_english,
    a_body_sent_the_wrong_way_is_refused_in_the_request_language,
);

fn get_in(c: &mut blackbox_tests::Client, path: &str, accept: &str) -> Resp {
    c.send("GET", path, Body::None, &[("Accept-Language", accept)])
}

fn accept_language_gives_the_german_login_page(demo: &Demo) {
    let mut c = demo.client();
    let r = get_in(&mut c, "/auth/login", "de-DE,de;q=0.9,en;q=0.5");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains(r#"<html lang="de">"#), "{}", r.body);
    assert!(r.body.contains("<h1>Anmelden</h1>"), "{}", r.body);
    assert!(r.body.contains("Passwort vergessen?"));
    assert!(r.body.contains(">Español</a>") && r.body.contains(">English</a>"));
}

fn the_language_switch_is_kept_by_its_cookie(demo: &Demo) {
    let mut c = demo.client();
    let r = get_in(&mut c, "/auth/login?lang=es", "de");
    assert!(r.body.contains(r#"<html lang="es">"#), "{}", r.body);
    assert!(r.body.contains("<h1>Iniciar sesión</h1>"));
    let cookie = r.set_cookie("lang").unwrap();
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let r = get_in(&mut c, "/auth/register", "de");
    assert!(r.body.contains(r#"<html lang="es">"#), "{}", r.body);
    assert!(r.body.contains("<h1>Cree su cuenta</h1>"));
}

fn json_error_messages_follow_the_language_and_codes_do_not(demo: &Demo) {
    let address = email("lang-json", demo);
    let body = json!({ "email": "not-an-email", "password": "short", "password_confirm": "x" });
    let call = |lang: &str| {
        let mut c = demo.client();
        c.send(
            "POST",
            "/auth/api/register",
            Body::Json(&body),
            &[("Accept", "application/json"), ("Accept-Language", lang)],
        )
    };
    let (en, de) = (call("en"), call("de"));
    assert_eq!((en.status, de.status), (400, 400), "{}", de.body);
    let (en, de) = (en.json(), de.json());
    assert_eq!(de["error"]["code"], en["error"]["code"]);
    assert_eq!(
        de["error"]["message"],
        "Einige Felder brauchen Ihre Aufmerksamkeit."
    );
    assert_eq!(en["error"]["message"], "Some fields need your attention.");
    let en_fields = en["error"]["fields"].as_object().unwrap();
    let de_fields = de["error"]["fields"].as_object().unwrap();
    assert_eq!(
        en_fields.keys().collect::<Vec<_>>(),
        de_fields.keys().collect::<Vec<_>>()
    );
    for (field, detail) in en_fields {
        assert_eq!(detail["code"], de_fields[field]["code"], "{field}");
    }
    assert_eq!(
        de_fields["email"]["message"],
        "Geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com."
    );
    // A failed sign-in, in Spanish.
    let mut c = demo.client();
    let r = c.send(
        "POST",
        "/auth/api/login",
        Body::Json(&json!({ "login": address, "password": "wrong password" })),
        &[("Accept", "application/json"), ("Accept-Language", "es-MX")],
    );
    assert_eq!(r.error_code(), "invalid_credentials", "{}", r.body);
    assert_eq!(
        r.json()["error"]["message"],
        "El correo, el nombre de usuario o la contraseña no son correctos."
    );
}

fn an_unknown_language_falls_back_to_english(demo: &Demo) {
    let mut c = demo.client();
    let r = get_in(&mut c, "/auth/login?lang=fr", "fr-FR, it;q=0.5");
    assert!(r.body.contains(r#"<html lang="en">"#), "{}", r.body);
    assert!(r.body.contains("<h1>Sign in</h1>"));
    assert!(r.set_cookie("lang").is_none());
}

fn a_body_sent_the_wrong_way_is_refused_in_the_request_language(demo: &Demo) {
    let send = |body: Body<'_>, lang: &str| {
        demo.client().send(
            "POST",
            "/auth/api/login",
            body,
            &[("Accept", "application/json"), ("Accept-Language", lang)],
        )
    };
    let wrong_type = |lang: &str| send(Body::Raw(Some("text/plain"), b"{}"), lang);
    let (en, de) = (wrong_type("en"), wrong_type("de"));
    assert_eq!((en.status, de.status), (415, 415), "{}", de.body);
    let (en, de) = (en.json(), de.json());
    assert_eq!(en["error"]["code"], "unsupported_media_type");
    assert_eq!(de["error"]["code"], "unsupported_media_type");
    assert_eq!(
        en["error"]["message"],
        "Send JSON with Content-Type: application/json."
    );
    assert_eq!(
        de["error"]["message"],
        "Senden Sie JSON mit Content-Type: application/json."
    );
    let broken = send(Body::Raw(Some("application/json"), b"{\"login\": "), "es");
    assert_eq!(broken.status, 400, "{}", broken.body);
    let broken = broken.json();
    assert_eq!(broken["error"]["code"], "bad_request");
    assert_eq!(broken["error"]["message"], "El cuerpo no es JSON válido.");
}
