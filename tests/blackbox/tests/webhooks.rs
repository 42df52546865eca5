//! The demos' `--webhook`, `--webhook-secret` and `--webhook-event`: an account created
//! through the JSON API reaches a real receiver (`adapters/webhooks/tests/receiver.py`)
//! as a signed `auth.registered` webhook that the `standardwebhooks` Python package
//! verifies, and events not asked for are not sent; the same on the three frameworks.
//! With `--outbox-max-attempts 1`, deliveries the receiver refuses are failed at once, and
//! an administrator sees them on `/auth/admin/webhooks` and in the JSON API, retries one
//! (delivered, verified, on the next pass) and discards the other.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use std::time::Instant;

use blackbox_tests::{Backend, Client, Demo, Framework, Mode, PASSWORD};
use serde_json::{Value, json};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The Python receiver and the lines it prints; killed when dropped.
struct Hooks {
    child: Child,
    lines: Receiver<Value>,
    port: u64,
}

impl Drop for Hooks {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Hooks {
    fn start() -> Self {
        Self::start_flaky(0)
    }

    /// A receiver that answers 503 to the first `failures` attempts of each call sent to
    /// `/flaky`.
    fn start_flaky(failures: u32) -> Self {
        let mut child = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../adapters/webhooks/tests/receiver.py"
            ))
            .arg(SECRET)
            .arg(failures.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if send.send(serde_json::from_str(&line).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut hooks = Self {
            child,
            lines,
            port: 0,
        };
        hooks.port = hooks.next()["port"].as_u64().unwrap();
        hooks
    }

    /// The next request (the demos' outbox pass runs every 30 seconds).
    fn next(&self) -> Value {
        self.lines
            .recv_timeout(Duration::from_secs(75))
            .expect("a webhook arrives in time")
    }
}

fn registrations_reach_a_verifying_receiver(framework: Framework) {
    let hooks = Hooks::start();
    let url = format!("http://127.0.0.1:{}/flaky", hooks.port);
    let demo = Demo::start_with(
        framework,
        Backend::Sqlite,
        Mode::Dev,
        &[
            "--webhook",
            &url,
            "--webhook-secret",
            SECRET,
            "--webhook-event",
            "auth.registered",
        ],
    );
    let email = format!("hooked-{}@example.com", framework.name());
    let r = demo.client().api(
        "/auth/api/register",
        json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    assert!(r.status < 300, "{} {}", r.status, r.body);
    // A failed sign-in is audited too, but not asked for.
    let r = demo.client().api_login(&email, "not the password at all");
    assert!(r.status >= 400, "{} {}", r.status, r.body);

    let record = hooks.next();
    assert_eq!(record["verified"], true, "{record}");
    assert_eq!(record["status"], 204, "{record}");
    assert_eq!(record["body"]["type"], "auth.registered", "{record}");
    assert!(record["body"]["data"]["user_id"].is_string(), "{record}");
    assert!(!record.to_string().contains(PASSWORD), "{record}");
    assert!(
        hooks.lines.recv_timeout(Duration::from_secs(2)).is_err(),
        "only the events asked for are sent"
    );
}

#[test_services::needs(python_webhooks)]
#[test]
fn axum_registrations_reach_a_verifying_receiver() {
    registrations_reach_a_verifying_receiver(Framework::Axum);
}

#[test_services::needs(python_webhooks)]
#[test]
fn poem_registrations_reach_a_verifying_receiver() {
    registrations_reach_a_verifying_receiver(Framework::Poem);
}

#[test_services::needs(python_webhooks)]
#[test]
fn rocket_registrations_reach_a_verifying_receiver() {
    registrations_reach_a_verifying_receiver(Framework::Rocket);
}

/// The deliveries of the JSON listing, once `done` holds for them (the demo records an
/// answer just after the receiver gives it), within 15 seconds.
fn deliveries_once(admin: &mut Client, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = admin.get_json("/auth/api/admin/webhooks");
        assert_eq!(r.status, 200, "{}", r.body);
        let deliveries = r.json()["deliveries"].as_array().unwrap().clone();
        if done(&deliveries) {
            return deliveries;
        }
        assert!(Instant::now() < deadline, "not reached: {deliveries:#?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn administrators_retry_and_discard_failed_deliveries(framework: Framework) {
    let hooks = Hooks::start_flaky(1);
    let url = format!("http://127.0.0.1:{}/flaky", hooks.port);
    let demo = Demo::start_with(
        framework,
        Backend::Sqlite,
        Mode::Dev,
        &[
            "--webhook",
            &url,
            "--webhook-secret",
            SECRET,
            "--webhook-event",
            "auth.registered",
            "--outbox-max-attempts",
            "1",
        ],
    );
    for who in ["first", "second"] {
        let email = format!("{who}-{}@example.com", framework.name());
        let r = demo.client().api(
            "/auth/api/register",
            json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
        );
        assert!(r.status < 300, "{} {}", r.status, r.body);
    }
    // The first pass: both refused, and with one attempt allowed, both failed.
    let refused: Vec<String> = (0..2)
        .map(|_| {
            let record = hooks.next();
            assert_eq!(record["status"], 503, "{record}");
            record["id"].as_str().unwrap().to_owned()
        })
        .collect();

    let admin_email = format!("hooks-admin-{}@example.com", framework.name());
    demo.create_user(&admin_email, true, true);
    let mut admin = demo.client();
    assert_eq!(admin.login(&admin_email, PASSWORD).status, 303);
    let failed = deliveries_once(&mut admin, |d| {
        d.len() == 2 && d.iter().all(|d| d["state"] == "failed")
    });
    for d in &failed {
        assert_eq!(d["url"], url.as_str(), "{d}");
        assert_eq!(d["event_type"], "auth.registered", "{d}");
        assert_eq!(d["attempts"], 1, "{d}");
        assert!(
            d["last_outcome"].as_str().unwrap().contains("HTTP 503"),
            "{d}"
        );
        assert!(refused.iter().any(|id| d["id"] == id.as_str()), "{d}");
    }
    let page = admin.get("/auth/admin/webhooks");
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [
        "Webhook deliveries",
        "auth.registered",
        "Failed",
        url.as_str(),
    ] {
        assert!(page.body.contains(text), "{text} missing: {}", page.body);
    }
    assert!(!page.body.contains(SECRET) && !page.body.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    let (retried, discarded) = (
        failed[0]["id"].as_str().unwrap(),
        failed[1]["id"].as_str().unwrap(),
    );

    // Not for everybody.
    let member = format!("hooks-member-{}@example.com", framework.name());
    demo.create_user(&member, false, true);
    let mut m = demo.client();
    assert_eq!(m.login(&member, PASSWORD).status, 303);
    assert_eq!(m.get("/auth/admin/webhooks").status, 403);
    assert_eq!(m.get_json("/auth/api/admin/webhooks").status, 403);
    let r = m.api(
        &format!("/auth/api/admin/webhooks/{retried}/retry"),
        json!({}),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = admin.api("/auth/api/admin/webhooks/not-an-id/retry", json!({}));
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(
        r.json()["error"]["fields"]["id"]["code"],
        "malformed",
        "{}",
        r.body
    );

    // Retry one with the page's button, discard the other through the API.
    let r = admin.post(&format!("/auth/admin/webhooks/{retried}/retry"), &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/auth/admin/webhooks");
    let page = admin.follow(&r);
    assert!(page.body.contains("Done."), "{}", page.body);
    let r = admin.api(
        &format!("/auth/api/admin/webhooks/{discarded}/discard"),
        json!({}),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = admin.api(
        &format!("/auth/api/admin/webhooks/{discarded}/discard"),
        json!({}),
    );
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(
        r.json()["error"]["fields"]["id"]["code"],
        "unknown",
        "{}",
        r.body
    );

    // The next pass sends the retried one again, under the same id, and it verifies.
    let record = hooks.next();
    assert_eq!(record["id"], retried, "{record}");
    assert_eq!(record["verified"], true, "{record}");
    assert_eq!(record["status"], 204, "{record}");
    let after = deliveries_once(&mut admin, |d| {
        d.iter()
            .any(|d| d["id"] == retried && d["state"] == "delivered")
    });
    assert_eq!(after.len(), 1, "the discarded one is gone: {after:#?}");
    assert!(
        hooks.lines.recv_timeout(Duration::from_secs(2)).is_err(),
        "the discarded one is not sent"
    );
}

#[test_services::needs(python_webhooks)]
#[test]
fn axum_administrators_retry_and_discard_failed_deliveries() {
    administrators_retry_and_discard_failed_deliveries(Framework::Axum);
}

#[test_services::needs(python_webhooks)]
#[test]
fn poem_administrators_retry_and_discard_failed_deliveries() {
    administrators_retry_and_discard_failed_deliveries(Framework::Poem);
}

#[test_services::needs(python_webhooks)]
#[test]
fn rocket_administrators_retry_and_discard_failed_deliveries() {
    administrators_retry_and_discard_failed_deliveries(Framework::Rocket);
}
