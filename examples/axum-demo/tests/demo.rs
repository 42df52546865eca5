//! Starts the demo binary on a free port with a temporary SQLite database and mail
//! directory, and walks it over real HTTP like a browser (the walk is shared with the
//! Poem and Rocket demos: `blackbox_tests::walk`), then loads its pages in a real browser
//! under the strict Content-Security-Policy.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use blackbox_tests::{Backend, Demo, Framework, Mode, walk};

#[test]
fn register_verify_login_dashboard_logout_reset_login() {
    walk::register_verify_login_dashboard_logout_reset_login(Framework::Axum);
}

/// Users in PostgreSQL, sessions and counters in Redis (the CI services; skipped in a
/// build where their URLs are not set, never under CI).
#[test_services::needs(postgres, redis)]
#[test]
fn postgres_users_and_redis_sessions() {
    walk::postgres_users_and_redis_sessions(Framework::Axum);
}

/// A Chromium-family browser: `$CHROMIUM`, or the first on `PATH`.
///
/// # Panics
/// When there is none (the test carries `#[test_services::needs(chromium)]`, which skips
/// it in a build without one, never under CI).
fn browser_binary() -> PathBuf {
    let given = std::env::var_os("CHROMIUM").map(PathBuf::from);
    let path = std::env::var_os("PATH").unwrap_or_default();
    given
        .into_iter()
        .chain(
            [
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ]
            .iter()
            .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name))),
        )
        .find(|candidate| candidate.is_file())
        .expect("a Chromium on PATH or at $CHROMIUM (Debian: apt-get install chromium)")
}

/// Loads `url` in headless Chromium: the rendered DOM and the browser's console log.
fn headless(browser: &Path, profile: &Path, url: &str) -> (String, String) {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the browser did not finish loading {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn console_problems(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("CONSOLE"))
        .filter(|l| {
            l.contains("Content Security Policy")
                || l.contains("Refused")
                || l.contains("Failed to load resource")
        })
        .collect()
}

/// The pages in a real browser: they render, and the strict CSP blocks nothing (the
/// stylesheet loads, there is no inline style or script). Skipped in a build without a
/// Chromium (Debian: `apt-get install chromium`), never under CI.
#[test_services::needs(chromium)]
#[test]
fn pages_render_under_the_strict_csp_in_a_real_browser() {
    let browser = browser_binary();
    let profile = tempfile::tempdir().unwrap();
    // The harness sees violations: a page with an inline style under the same policy.
    let control = profile.path().join("control.html");
    std::fs::write(
        &control,
        format!(
            "<!doctype html><meta http-equiv=\"Content-Security-Policy\" content=\"{}\"><p style=\"color:red\">x</p>",
            auth_axum::auth_http::CONTENT_SECURITY_POLICY.replace('\'', "&#39;")
        ),
    )
    .unwrap();
    let (_, log) = headless(
        &browser,
        profile.path(),
        &format!("file://{}", control.display()),
    );
    assert!(
        !console_problems(&log).is_empty(),
        "the control page must show a violation"
    );

    let demo = Demo::start(Framework::Axum, Backend::Sqlite, Mode::Dev);
    for (path, heading) in [
        ("/", "Welcome to Auth Demo"),
        ("/auth/login", "Sign in"),
        ("/auth/register", "Create your account"),
        ("/auth/request_password_reset", "Reset your password"),
        ("/auth/verify/resend", "Confirm your email address"),
        ("/auth/no-such-page", "Page not found"),
    ] {
        let url = format!("http://{}{path}", demo.addr);
        let (dom, log) = headless(&browser, profile.path(), &url);
        assert!(dom.contains(heading), "{path}: {dom}");
        let problems = console_problems(&log);
        assert!(problems.is_empty(), "{path}: {problems:#?}");
    }
}
