//! The memory store against the `auth-core` store conformance kit: one test per contract.

use std::sync::Arc;

use auth_core::conformance::Subject;
use auth_store_memory::MemoryStore;

/// A fresh store for every check.
fn subject() -> Subject {
    let store = Arc::new(MemoryStore::new());
    Subject::all(store.clone())
        .with_pictures(store.clone())
        .with_identities(store.clone())
        .with_api_keys(store.clone())
        .with_passkeys(store)
}

auth_core::store_conformance_tests!(subject());

/// The one-call form runs every check against one shared store, as a database-backed
/// store would be shared: the checks must not disturb each other's data.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn run_all_on_one_store() {
    let subject = subject();
    auth_core::conformance::run_all(&subject).await;
}
