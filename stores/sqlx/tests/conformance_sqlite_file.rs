//! The sqlx store on a SQLite file against the `auth-core` store conformance kit: one test per contract.

mod common;

use std::sync::Arc;

use auth_core::conformance::{Subject, run_all};

use std::sync::OnceLock;

use auth_store_sqlx::SqlxStoreOptions;

/// One database file per test process, shared by its tests through separate pools (so
/// that concurrent writers meet on the file's lock, as several instances would). It lives
/// in Cargo's scratch directory for integration tests (under `target/`), not in `/tmp`.
fn database_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("sqlx-kit-{}.db", uuid::Uuid::new_v4().simple()));
        format!("sqlite://{}", file.display())
    })
}

async fn subject() -> Subject {
    let store = common::connect(database_url(), SqlxStoreOptions::new()).await;
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
