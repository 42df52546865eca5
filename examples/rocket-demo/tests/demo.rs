//! Starts the rocket-demo binary on a free port and walks it over real HTTP, with the
//! same harness and walk as the Axum demo (`blackbox_tests::walk`).

use blackbox_tests::{Framework, walk};

const BIN: &str = env!("CARGO_BIN_EXE_rocket-demo");

#[test]
fn register_verify_login_dashboard_logout_reset_login() {
    walk::register_verify_login_dashboard_logout_reset_login(Framework::Rocket);
}

/// Users in PostgreSQL, sessions and counters in Redis (the CI services; skipped in a
/// build where their URLs are not set, never under CI).
#[test_services::needs(postgres, redis)]
#[test]
fn postgres_users_and_redis_sessions() {
    walk::postgres_users_and_redis_sessions(Framework::Rocket);
}

/// Rocket is configured by the demo alone: a `Rocket.toml` in the working directory
/// and `ROCKET_*` variables are ignored, and the launch banner stays quiet.
#[test]
fn rocket_toml_and_rocket_variables_are_ignored_and_the_banner_is_quiet() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Rocket.toml"),
        "[default]\naddress = \"203.0.113.1\"\nport = 9\nlog_level = \"debug\"\n",
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .args(["--addr", "127.0.0.1:0", "--database-url"])
        .arg(format!("sqlite://{}", dir.path().join("demo.db").display()))
        .arg("--mail-dir")
        .arg(dir.path().join("mail"))
        .env("ROCKET_PORT", "9")
        .env("ROCKET_ADDRESS", "203.0.113.1")
        .env_remove("ROCKET_LOG_LEVEL")
        .env_remove("RUST_LOG")
        .env_remove("AUTH_SECRET")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let addr = first
        .trim()
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("first line {first:?}, stderr {stderr}"));
    assert_ne!(addr, "9", "ROCKET_PORT / Rocket.toml were not used");
    let all = format!("{first}{rest}{stderr}");
    assert!(!all.contains("Rocket has launched"), "{all}");
    assert!(!all.contains("Configured for"), "{all}");
}
