//! The auth-core store conformance kit against a real Redis server: every check is its
//! own test. Needs `AUTH_TEST_REDIS_URL` (see `common::redis_url`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use auth_core::conformance::Subject;

/// Every trait on one Redis store (a Redis-only deployment).
async fn redis_only() -> Subject {
    match common::store("redis conformance").await {
        Some(store) => Subject::all(Arc::new(store)),
        None => Subject::new(),
    }
}

/// Users in the memory store; sessions, counters, outbox and audit in Redis.
async fn mixed() -> Subject {
    match common::store("mixed conformance").await {
        Some(store) => {
            let store = Arc::new(store);
            Subject::new()
                .with_users(Arc::new(auth_store_memory::MemoryStore::new()))
                .with_sessions(store.clone())
                .with_counters(store.clone())
                .with_outbox(store.clone())
                .with_audit(store)
        }
        None => Subject::new(),
    }
}

mod redis_only {
    use super::*;
    auth_core::store_conformance_tests!(factory = redis_only);
}

mod users_elsewhere {
    use super::*;
    auth_core::store_conformance_tests!(factory = mixed);
}
