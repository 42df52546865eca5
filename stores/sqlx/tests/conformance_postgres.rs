//! The sqlx store on PostgreSQL against the `auth-core` store conformance kit: one test per contract (needs `AUTH_TEST_POSTGRES_URL`).

mod common;

use std::sync::Arc;

use auth_core::conformance::{Subject, run_all};

/// Tables of this test binary. The kit's fixtures are unique per run, so re-runs and
/// parallel tests share these tables safely (and exercise concurrent migrations).
const PREFIX: &str = "kit_";

/// Tables of `run_all_on_one_store`.
const RUN_ALL_PREFIX: &str = "kitall_";

/// The store under test.
async fn subject() -> Subject {
    subject_with(PREFIX).await
}

async fn subject_with(prefix: &str) -> Subject {
    let store = Arc::new(common::store_for(common::POSTGRES, prefix).await);
    Subject::all(store.clone())
        .with_pictures(store.clone())
        .with_identities(store.clone())
        .with_api_keys(store.clone())
        .with_passkeys(store)
}

auth_core::store_conformance_tests!(
    factory = subject,
    #[test_services::needs(postgres)]
);

/// Every check in turn on one store, as an application shares one database.
#[test_services::needs(postgres)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn run_all_on_one_store() {
    // Its own tables: the outbox check claims every due message of its outbox, so it
    // must not share one with the per-check tests running beside it.
    run_all(&subject_with(RUN_ALL_PREFIX).await).await;
}
