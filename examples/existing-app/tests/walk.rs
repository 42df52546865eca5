//! Each example binary, started on a free port, serves the existing application and the
//! whole account flow: register, confirm the mailed link, sign in, reach the new
//! signed-in page, be refused the administrators' page.

#![expect(
    clippy::expect_used,
    reason = "a test: a step that fails panics, naming it"
)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use blackbox_tests::{Client, PASSWORD};
use serde_json::json;

/// A running example, stopped when dropped.
struct Example {
    child: Child,
    addr: String,
    mail: tempfile::TempDir,
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `binary` and waits until it prints its `listening on` line.
fn start(binary: &str) -> Example {
    // A free port: the examples take a fixed address (mailed links need it up front).
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mail = tempfile::tempdir().expect("a mail directory");
    let mut child = Command::new(binary)
        .env("ADDR", &addr)
        .env("MAIL_DIR", mail.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {binary}: {e}"));
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Keep reading, so that a chatty server never blocks on a full pipe.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("listening on ") {
                let _ = tx.send(line);
            }
        }
    });
    let example = Example { child, addr, mail };
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{binary} did not print `listening on` within 60 s"));
    assert_eq!(line, format!("listening on http://{}", example.addr));
    example
}

fn walk(binary: &str) {
    let example = start(binary);
    let origin = format!("http://{}", example.addr);
    let mut client = Client::new(&example.addr, &origin);

    // The application as it was.
    let home = client.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.body, "The existing application's home page.");

    // Its new page sends strangers to the sign-in page, and back after.
    let refused = client.get("/dashboard");
    assert_eq!(refused.status, 303, "{}", refused.body);
    assert_eq!(refused.location(), "/auth/login?next=%2Fdashboard");

    // Registration mails a confirmation link into the mail directory.
    let email = format!("ada.{}@example.com", example.addr.replace([':', '.'], "-"));
    let registered = client.api(
        "/auth/api/register",
        json!({"email": email, "password": PASSWORD, "password_confirm": PASSWORD}),
    );
    assert_eq!(registered.status, 202, "{}", registered.body);
    let mail = auth_smtp::wait_for_mail(example.mail.path(), Duration::from_secs(30), |m| {
        m.is_to(&email) && m.kind.as_deref() == Some("verification")
    })
    .expect("reading the mail directory")
    .expect("a confirmation mail within 30 s");
    let link = mail
        .link_containing("/auth/verify/")
        .expect("a confirmation link");
    assert!(
        link.starts_with(&format!("{origin}/auth/verify/")),
        "{link}"
    );
    let token = link.rsplit('/').next().unwrap_or_default();
    let confirmed = client.api("/auth/api/verify", json!({ "token": token }));
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);

    // Signed in with the form, the new page knows who it is.
    let signed_in = client.login(&email, PASSWORD);
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let dashboard = client.get("/dashboard");
    assert_eq!(dashboard.status, 200, "{}", dashboard.body);
    assert_eq!(dashboard.body, format!("Signed in as {email}."));

    // The administrators' page refuses an account without the role.
    let admin = client.get("/admin");
    assert_eq!(admin.status, 403, "{}", admin.body);
}

#[test]
fn axum_example_adds_every_flow() {
    walk(env!("CARGO_BIN_EXE_axum-existing-app"));
}

#[test]
fn poem_example_adds_every_flow() {
    walk(env!("CARGO_BIN_EXE_poem-existing-app"));
}

#[test]
fn rocket_example_adds_every_flow() {
    walk(env!("CARGO_BIN_EXE_rocket-existing-app"));
}
