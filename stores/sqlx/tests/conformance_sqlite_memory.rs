//! The sqlx store on an in-memory SQLite database against the `auth-core` store conformance kit: one test per contract.

mod common;

use std::sync::Arc;

use auth_core::conformance::{Subject, run_all};

use auth_store_sqlx::SqlxStoreOptions;

/// A fresh private in-memory database per test.
async fn subject() -> Subject {
    let store = common::connect("sqlite::memory:", SqlxStoreOptions::new()).await;
    let store = Arc::new(store);
    Subject::all(store.clone())
        .with_pictures(store.clone())
        .with_identities(store.clone())
        .with_api_keys(store.clone())
        .with_passkeys(store)
}

auth_core::store_conformance_tests!(factory = subject);

/// Every check in turn on one store, as an application shares one database.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn run_all_on_one_store() {
    run_all(&subject().await).await;
}
