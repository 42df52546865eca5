//! The auth-core store conformance kit against a real Redis server: every check is its
//! own test. Needs `AUTH_TEST_REDIS_URL` (see `common::redis_url`).
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::sync::Arc;

use auth_core::conformance::Subject;

/// Every trait on one Redis store (a Redis-only deployment).
async fn redis_only() -> Subject {
    let store = Arc::new(common::store("redis conformance").await);
    Subject::all(store.clone())
        .with_api_keys(store.clone())
        .with_pictures(store.clone())
        .with_identities(store.clone())
        .with_passkeys(store)
}

/// Users in the memory store; sessions, counters, ephemeral entries, outbox and audit in
/// Redis.
async fn mixed() -> Subject {
    let store = Arc::new(common::store("mixed conformance").await);
    Subject::new()
        .with_users(Arc::new(auth_store_memory::MemoryStore::new()))
        .with_sessions(store.clone())
        .with_counters(store.clone())
        .with_ephemeral(store.clone())
        .with_outbox(store.clone())
        .with_audit(store.clone())
        .with_pictures(store)
}

mod redis_only {
    use super::*;
    auth_core::store_conformance_tests!(factory = redis_only, #[test_services::needs(redis)]);
}

mod users_elsewhere {
    use super::*;
    auth_core::store_conformance_tests!(factory = mixed, #[test_services::needs(redis)]);
}
