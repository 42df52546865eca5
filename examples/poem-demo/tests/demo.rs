//! Starts the poem-demo binary on a free port and walks it over real HTTP, with the
//! same harness and walk as the Axum demo (`blackbox_tests::walk`).

use blackbox_tests::{Framework, walk};

#[test]
fn register_verify_login_dashboard_logout_reset_login() {
    walk::register_verify_login_dashboard_logout_reset_login(Framework::Poem);
}

/// Users in PostgreSQL, sessions and counters in Redis (the CI services; skipped in a
/// build where their URLs are not set, never under CI).
#[test_services::needs(postgres, redis)]
#[test]
fn postgres_users_and_redis_sessions() {
    walk::postgres_users_and_redis_sessions(Framework::Poem);
}
