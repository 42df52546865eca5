//! The demos' breached-password check (`--breached-passwords-file`): a sorted file of
//! SHA-1 hashes, as the Pwned Passwords downloader writes it, makes registration and a
//! password change refuse the passwords it lists, on the form and in the JSON API.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::path::Path;

use blackbox_tests::{Backend, Demo, Framework, Mode, PASSWORD, Resp, email};
use serde_json::json;
use sha1::{Digest as _, Sha1};

/// A password the policy accepts and the breach file lists.
const BREACHED: &str = "summer holidays in tuscany 2019";

/// Writes the downloader's format: `HASH:COUNT` lines, upper-case, sorted by hash.
fn write_breach_file(path: &Path, passwords: &[&str]) {
    let mut lines: Vec<String> = passwords
        .iter()
        .map(|p| format!("{}:{}", hex::encode_upper(Sha1::digest(p)), 42))
        .collect();
    lines.extend((0..2000u32).map(|i| {
        let hash = hex::encode_upper(Sha1::digest(format!("filler {i}")));
        format!("{hash}:1")
    }));
    lines.sort();
    std::fs::write(path, lines.join("\r\n") + "\r\n").unwrap();
}

/// A JSON answer refusing the password on its field, as breached.
fn assert_refused_as_breached(r: &Resp) {
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_code(), "validation_failed");
    assert_eq!(
        r.json()["error"]["fields"]["password"]["code"],
        "breached",
        "{}",
        r.body
    );
}

fn breached_passwords_are_refused(framework: Framework) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pwned-passwords-sha1-ordered-by-hash.txt");
    write_breach_file(&file, &[BREACHED]);
    let demo = Demo::start_with(
        framework,
        Backend::Sqlite,
        Mode::Dev,
        &["--breached-passwords-file", file.to_str().unwrap()],
    );

    let ann = email("breached", &demo);
    let mut c = demo.client();
    let r = c.api(
        "/auth/api/register",
        json!({"email": ann, "password": BREACHED, "password_confirm": BREACHED}),
    );
    assert_refused_as_breached(&r);
    assert_eq!(
        demo.mail_count(&ann, "verification"),
        0,
        "nothing was created"
    );

    c.get("/auth/register");
    let r = c.post(
        "/auth/register",
        &[
            ("email", &ann),
            ("password", BREACHED),
            ("password_confirm", BREACHED),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("data breach"), "{}", r.body);
    assert!(!r.body.contains(BREACHED), "passwords are never echoed");

    demo.create_user(&ann, false, true);
    let mut c = demo.client();
    assert_eq!(c.api_login(&ann, PASSWORD).status, 200);
    let r = c.api(
        "/auth/api/account/password",
        json!({"current_password": PASSWORD, "password": BREACHED, "password_confirm": BREACHED}),
    );
    assert_refused_as_breached(&r);
    assert_eq!(
        c.api_login(&ann, PASSWORD).status,
        200,
        "the old one still works"
    );
}

#[test]
fn axum_breached_passwords_are_refused() {
    breached_passwords_are_refused(Framework::Axum);
}

#[test]
fn poem_breached_passwords_are_refused() {
    breached_passwords_are_refused(Framework::Poem);
}

#[test]
fn rocket_breached_passwords_are_refused() {
    breached_passwords_are_refused(Framework::Rocket);
}

/// A breach file that is not there stops the demo before it listens, with the reason.
#[test]
fn a_missing_breach_file_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let output = std::process::Command::new(blackbox_tests::demo_binary(Framework::Axum))
        .args(["--addr", "127.0.0.1:0", "--database-url"])
        .arg(format!("sqlite://{}", dir.path().join("demo.db").display()))
        .arg("--breached-passwords-file")
        .arg(&missing)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing.txt"), "{stderr}");
}
