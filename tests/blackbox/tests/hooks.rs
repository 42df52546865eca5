//! The demos' `--sign-up-domain`, the engine's before-registration hook: other domains
//! are refused on the email field, the same for a new and a taken address, on the form
//! and in the JSON API; the listed domain signs up as always.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use blackbox_tests::{Backend, Demo, Framework, Mode, PASSWORD};
use serde_json::json;

fn sign_up_is_open_to_the_listed_domain_only(framework: Framework) {
    let demo = Demo::start_with(
        framework,
        Backend::Sqlite,
        Mode::Dev,
        &["--sign-up-domain", "example.com,corp.test"],
    );
    demo.create_user("taken@elsewhere.test", false, true);
    let mut answers = Vec::new();
    for outsider in ["taken@elsewhere.test", "new@elsewhere.test"] {
        let r = demo.client().api(
            "/auth/api/register",
            json!({"email": outsider, "password": PASSWORD, "password_confirm": PASSWORD}),
        );
        assert_eq!(r.status, 400, "{}", r.body);
        let field = r.json()["error"]["fields"]["email"].clone();
        assert_eq!(field["code"], "not_allowed", "{}", r.body);
        answers.push(field["message"].as_str().unwrap().to_owned());
        assert_eq!(demo.mail_count(outsider, "account_exists"), 0);
    }
    assert_eq!(answers[0], answers[1], "a taken address answers the same");
    assert!(answers[0].contains("example.com"), "{}", answers[0]);

    let mut c = demo.client();
    c.get("/auth/register");
    let r = c.post(
        "/auth/register",
        &[
            ("email", "new@elsewhere.test"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("Sign-up is open to addresses at"),
        "{}",
        r.body
    );

    let insider = format!("hooks-{}@corp.test", framework.name());
    let r = demo.client().api(
        "/auth/api/register",
        json!({"email": insider, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    assert!(r.status < 300, "{} {}", r.status, r.body);
    let mail = demo.mail(&insider, "verification");
    assert!(mail.is_to(&insider));
}

#[test]
fn axum_sign_up_is_open_to_the_listed_domain_only() {
    sign_up_is_open_to_the_listed_domain_only(Framework::Axum);
}

#[test]
fn poem_sign_up_is_open_to_the_listed_domain_only() {
    sign_up_is_open_to_the_listed_domain_only(Framework::Poem);
}

#[test]
fn rocket_sign_up_is_open_to_the_listed_domain_only() {
    sign_up_is_open_to_the_listed_domain_only(Framework::Rocket);
}
