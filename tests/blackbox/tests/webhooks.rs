//! The demos' `--webhook`, `--webhook-secret` and `--webhook-event`: an account created
//! through the JSON API reaches a real receiver (`adapters/webhooks/tests/receiver.py`)
//! as a signed `auth.registered` webhook that the `standardwebhooks` Python package
//! verifies, and events not asked for are not sent; the same on the three frameworks.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use blackbox_tests::{Backend, Demo, Framework, Mode, PASSWORD};
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
        let mut child = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../adapters/webhooks/tests/receiver.py"
            ))
            .arg(SECRET)
            .arg("0")
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
