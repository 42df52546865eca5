//! The demos' Prometheus endpoint (`--metrics-addr`), scraped over a real socket after
//! sign-ins through the JSON API: the engine's counters and histograms are there, by
//! outcome, and nothing secret is.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::net::TcpListener;

use blackbox_tests::{Backend, Client, Demo, Framework, Mode, PASSWORD, email};

/// A loopback address with a port that was free a moment ago.
fn free_addr() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// The value of the series `series` (name and labels, as the exposition writes them).
fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

fn sign_ins_are_counted_by_outcome(framework: Framework) {
    let metrics = free_addr();
    let demo = Demo::start_with(
        framework,
        Backend::Sqlite,
        Mode::Dev,
        &["--metrics-addr", &metrics],
    );
    let ada = email("metrics", &demo);
    demo.create_user(&ada, false, true);
    let mut client = demo.client();
    assert_eq!(
        client.api_login(&ada, "not the password at all").status,
        401
    );
    assert_eq!(client.api_login(&ada, "still not the password").status, 401);
    let signed_in = client.api_login(&ada, PASSWORD);
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);

    let scrape = Client::new(&metrics, &format!("http://{metrics}")).get("/metrics");
    assert_eq!(scrape.status, 200);
    let text = &scrape.body;
    assert_eq!(
        sample(
            text,
            r#"auth_sign_ins_total{outcome="invalid_credentials"}"#
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(text, r#"auth_sign_ins_total{outcome="success"}"#),
        Some(1.0),
        "{text}"
    );
    let lookups = sample(
        text,
        r#"auth_store_operation_seconds_count{store="users",operation="user_by_email",outcome="ok"}"#,
    );
    assert!(lookups.is_some_and(|n| n >= 3.0), "{text}");
    let verifications = sample(
        text,
        r#"auth_password_hash_seconds_count{operation="verify"}"#,
    );
    assert!(verifications.is_some_and(|n| n >= 3.0), "{text}");
    assert!(text.contains("# HELP auth_sign_ins_total"), "{text}");
    for secret in [PASSWORD, "not the password at all", ada.as_str()] {
        assert!(!text.contains(secret), "{secret} in the metrics");
    }
}

#[test]
fn axum_sign_ins_are_counted_by_outcome() {
    sign_ins_are_counted_by_outcome(Framework::Axum);
}

#[test]
fn poem_sign_ins_are_counted_by_outcome() {
    sign_ins_are_counted_by_outcome(Framework::Poem);
}

#[test]
fn rocket_sign_ins_are_counted_by_outcome() {
    sign_ins_are_counted_by_outcome(Framework::Rocket);
}
