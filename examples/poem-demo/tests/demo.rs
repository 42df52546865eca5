//! Starts the poem-demo binary on a free port and walks it over real HTTP, with the
//! same harness as the Axum demo (see `demo-support/testing/walk.rs`).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

#[path = "../../demo-support/testing/walk.rs"]
mod walk;

const BIN: &str = env!("CARGO_BIN_EXE_poem-demo");

#[test]
fn register_verify_login_dashboard_logout_reset_login() {
    walk::register_verify_login_dashboard_logout_reset_login(BIN);
}

/// Users in PostgreSQL, sessions and counters in Redis (the CI services; skipped in a
/// build where their URLs are not set, never under CI).
#[test_services::needs(postgres, redis)]
#[test]
fn postgres_users_and_redis_sessions() {
    walk::postgres_users_and_redis_sessions(BIN);
}
