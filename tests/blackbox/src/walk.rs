//! The demo walk each demo crate runs in its own tests (`examples/*-demo/tests/demo.rs`):
//! the HTML flow the black-box suite also runs on every demo (register, confirm the
//! address with the mailed link and the button of the page it opens, sign in, dashboard,
//! sign out, reset the password, sign in with the new one), then `create-user --admin`
//! and the admin page, and the modes of the files the demo made.

use crate::{Backend, Demo, Framework, Mode, NEW_PASSWORD, PASSWORD, email};

/// The whole walk against `framework`'s demo on SQLite, then `create-user --admin` and
/// the admin page.
///
/// # Panics
/// When the demo misbehaves.
pub fn register_verify_login_dashboard_logout_reset_login(framework: Framework) {
    let demo = Demo::start(framework, Backend::Sqlite, Mode::Dev);
    html_register_verify_login_dashboard_logout_reset(&demo);
    // The database (and SQLite's WAL and shared-memory files beside it) and the generated
    // secret are readable by their owner only.
    #[cfg(unix)]
    for file in ["demo.db", "demo.db-wal", "demo.db-shm", "demo.db.secret"] {
        use std::os::unix::fs::PermissionsExt;
        let path = demo.dir().join(file);
        let meta = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mode = meta.permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file}: {mode:o}");
    }
    // create-user against the same database, then the admin page.
    demo.create_user("root@example.com", true, true);
    let mut admin = demo.client();
    assert_eq!(admin.login("root@example.com", PASSWORD).status, 303);
    let page = admin.get("/admin");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("2 accounts"), "{}", page.body);
    assert_eq!(admin.get("/auth/admin").status, 200);
}

/// The same walk with users in PostgreSQL and sessions and counters in Redis (the CI
/// services). The calling test carries `#[test_services::needs(postgres, redis)]`, so it
/// is skipped in a build where their URLs are not set (never under CI).
///
/// # Panics
/// When `AUTH_TEST_POSTGRES_URL` or `AUTH_TEST_REDIS_URL` is unset, or the demo
/// misbehaves.
pub fn postgres_users_and_redis_sessions(framework: Framework) {
    let demo = Demo::start(framework, Backend::PostgresRedis, Mode::Dev);
    html_register_verify_login_dashboard_logout_reset(&demo);
}

/// The HTML flow, one page after another: home, register, the mailed link and its
/// button, sign in, dashboard, sign out, reset by mailed link, sign in with the new
/// password (not the old one), the account page; pages for administrators stay closed.
///
/// # Panics
/// When the demo misbehaves.
pub fn html_register_verify_login_dashboard_logout_reset(demo: &Demo) {
    let email = email("html-flow", demo);
    let mut b = demo.client();
    let home = b.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Create an account"), "{}", home.body);
    assert!(
        home.header("content-security-policy")
            .unwrap_or_default()
            .contains("default-src 'none'")
    );

    let page = b.get("/auth/register");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"csrf_token\""));
    let r = b.post(
        "/auth/register",
        &[
            ("email", &email),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Check your inbox"), "{}", r.body);

    let link = demo.mailed_path(&email, "verification", "/verify/");
    let r = b.get(&link);
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/auth/verify", "the token leaves the URL");
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    let r = b.get("/auth/verify");
    assert_eq!(
        r.status, 200,
        "opening the link only shows a button: {}",
        r.body
    );
    assert!(
        r.body.contains("method=\"post\" action=\"/auth/verify\""),
        "{}",
        r.body
    );
    let r = b.post("/auth/verify", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/auth/login");
    let page = b.get("/auth/login");
    assert_eq!(page.status, 200);

    let r = b.post("/auth/login", &[("login", &email), ("password", PASSWORD)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/");
    let dash = b.get("/dashboard");
    assert_eq!(dash.status, 200);
    assert!(dash.body.contains(&email));
    assert!(dash.body.contains("<h1>Dashboard</h1>"), "{}", dash.body);

    let r = b.post("/auth/logout", &[]);
    assert_eq!(r.status, 303);
    let r = b.get("/dashboard");
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/auth/login?next=%2Fdashboard");

    b.get("/auth/request_password_reset");
    let r = b.post("/auth/request_password_reset", &[("email", &email)]);
    assert_eq!(r.status, 200, "{}", r.body);
    let link = demo.mailed_path(&email, "password_reset", "/reset/");
    let r = b.get(&link);
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/auth/reset");
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    let form = b.get("/auth/reset");
    assert_eq!(form.status, 200, "{}", form.body);
    let r = b.post(
        "/auth/reset",
        &[
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/auth/login");

    assert_eq!(b.login(&email, PASSWORD).status, 401, "the old password");
    let r = b.login(&email, NEW_PASSWORD);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(b.get("/dashboard").status, 200);
    let account = b.get("/auth/account");
    assert_eq!(account.status, 200);
    assert!(account.body.contains(&email));
    assert_eq!(b.get("/admin").status, 403, "not an admin");
}
