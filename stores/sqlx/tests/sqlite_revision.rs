//! The revision of a SQLite file (read from its WAL index) as two instances of an
//! application see it: two stores on one file, each with its own pool and its own watch
//! of the index, and two engines over them, each keeping its session lookups. A write
//! through one is seen by the other at once, through checkpoints and after other
//! connections come and go; where the contract cannot be kept the store answers `None`.

#![cfg(unix)]
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::sync::Arc;

use auth_core::conformance::engine::{Engine, NEW_PASSWORD, PASSWORD, request as ctx};
use auth_core::conformance::sample_user;
use auth_core::{PasswordChange, SessionToken, SessionUserStore, UserStore};
use auth_store_sqlx::{SqlxStore, SqlxStoreOptions};

/// A fresh database file in a directory that lives as long as the returned guard.
fn database() -> (tempfile::TempDir, String) {
    let dir = tempfile::Builder::new()
        .prefix("sqlite-revision-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let url = format!("sqlite://{}", dir.path().join("app.db").display());
    (dir, url)
}

async fn store(url: &str) -> SqlxStore {
    common::connect(url, SqlxStoreOptions::new()).await
}

async fn revision(store: &SqlxStore) -> u64 {
    store
        .revision()
        .await
        .unwrap()
        .expect("a SQLite file in WAL mode keeps a revision")
}

async fn execute(store: &SqlxStore, sql: &'static str) {
    sqlx::query(sql)
        .execute(store.sqlite_pool().unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_write_through_one_store_moves_the_revision_of_another() {
    let (_dir, url) = database();
    let (a, b) = (store(&url).await, store(&url).await);
    let before = revision(&b).await;
    assert_eq!(revision(&b).await, before, "nothing was written");
    a.create_user(&sample_user(time::OffsetDateTime::now_utc()))
        .await
        .unwrap();
    let after = revision(&b).await;
    assert_ne!(after, before, "a user created through the other store");
    assert_eq!(revision(&b).await, after, "nothing was written since");
}

#[tokio::test]
async fn checkpoints_and_restarts_of_the_wal_keep_it_sound() {
    let (_dir, url) = database();
    let (a, b) = (store(&url).await, store(&url).await);
    let mut answered = vec![revision(&b).await];
    for round in 0..5 {
        a.create_user(&sample_user(time::OffsetDateTime::now_utc()))
            .await
            .unwrap();
        let written = revision(&b).await;
        assert!(
            !answered.contains(&written),
            "round {round}: a write answered {written}, answered before: {answered:?}"
        );
        answered.push(written);
        // A passive checkpoint copies pages into the database file: what a reader sees
        // is unchanged, and so is the revision.
        execute(&a, "PRAGMA wal_checkpoint(PASSIVE)").await;
        assert_eq!(
            revision(&b).await,
            written,
            "round {round}: passive checkpoint"
        );
        // A truncating checkpoint starts the WAL over (new salts, no frames); the next
        // write is its first frame again, and still a new revision.
        execute(&a, "PRAGMA wal_checkpoint(TRUNCATE)").await;
        let restarted = revision(&b).await;
        answered.push(restarted);
    }
    a.create_user(&sample_user(time::OffsetDateTime::now_utc()))
        .await
        .unwrap();
    let last = revision(&b).await;
    assert!(!answered.contains(&last), "{last} in {answered:?}");
}

#[tokio::test]
async fn the_index_outlives_other_connections_to_the_file() {
    let (_dir, url) = database();
    let watcher = store(&url).await;
    let before = revision(&watcher).await;
    // Other instances come, write and go, one after the other: the WAL index must stay
    // the one the watcher reads (its own connection keeps it), and never be deleted
    // and made anew under it.
    for _ in 0..3 {
        let other = store(&url).await;
        other
            .create_user(&sample_user(time::OffsetDateTime::now_utc()))
            .await
            .unwrap();
        other.close().await;
        drop(other);
    }
    let shm = format!("{}-shm", url.trim_start_matches("sqlite://"));
    assert!(std::path::Path::new(&shm).exists(), "{shm}");
    let middle = revision(&watcher).await;
    assert_ne!(middle, before);
    let last = store(&url).await;
    last.create_user(&sample_user(time::OffsetDateTime::now_utc()))
        .await
        .unwrap();
    assert_ne!(revision(&watcher).await, middle);
}

#[tokio::test]
async fn a_closed_store_keeps_no_revision() {
    let (_dir, url) = database();
    let s = store(&url).await;
    revision(&s).await;
    s.close().await;
    assert_eq!(s.revision().await.unwrap(), None);
}

#[tokio::test]
async fn memory_and_other_journal_modes_keep_no_revision() {
    let memory = store("sqlite::memory:").await;
    assert_eq!(memory.revision().await.unwrap(), None, "in memory");

    let (_dir, url) = database();
    let file = url.trim_start_matches("sqlite://").to_owned();
    for mode in [
        sqlx::sqlite::SqliteJournalMode::Delete,
        sqlx::sqlite::SqliteJournalMode::Truncate,
    ] {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(mode);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        let s = SqlxStore::from_sqlite_pool(pool, &SqlxStoreOptions::new()).unwrap();
        assert_eq!(s.revision().await.unwrap(), None, "journal mode {mode:?}");
        s.close().await;
    }

    // A VFS named in the URL, even the default one: nothing says how it keeps the index.
    let named = store(&format!("{url}?vfs=unix")).await;
    assert_eq!(named.revision().await.unwrap(), None, "a VFS named");
    named.close().await;

    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&file)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .locking_mode(sqlx::sqlite::SqliteLockingMode::Exclusive);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let s = SqlxStore::from_sqlite_pool(pool, &SqlxStoreOptions::new()).unwrap();
    assert_eq!(s.revision().await.unwrap(), None, "exclusive locking");
}

// ---------------------------------------------------------------------------------------
// Two engines, each over its own store on one file: two instances of an application.

async fn two_instances() -> (
    tempfile::TempDir,
    Engine<Arc<SqlxStore>>,
    Engine<Arc<SqlxStore>>,
) {
    let (dir, url) = database();
    let a = Engine::on(Arc::new(store(&url).await));
    let b = Engine::on(Arc::new(store(&url).await));
    (dir, a, b)
}

/// Authenticates `token` on `h` twice and checks that the second request was served
/// from the instance's memory, so that what follows tests a kept lookup.
async fn kept_on(h: &Engine<Arc<SqlxStore>>, token: &SessionToken) {
    let first = h.auth.authenticate_shared(token).await.unwrap().unwrap();
    let again = h.auth.authenticate_shared(token).await.unwrap().unwrap();
    assert!(
        Arc::ptr_eq(&first, &again),
        "the second lookup was not kept"
    );
}

async fn refused_on(h: &Engine<Arc<SqlxStore>>, token: &SessionToken) {
    assert!(h.auth.authenticate_shared(token).await.unwrap().is_none());
}

#[tokio::test]
async fn a_logout_on_one_instance_is_seen_by_the_other_at_once() {
    let (_dir, a, b) = two_instances().await;
    a.registered_and_verified("kim@example.com").await;
    let s = a.login("kim@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    a.auth.logout(&s.token, &ctx()).await.unwrap();
    refused_on(&b, &s.token).await;
}

#[tokio::test]
async fn a_password_change_on_one_instance_ends_the_other_sessions_at_once() {
    let (_dir, a, b) = two_instances().await;
    a.registered_and_verified("lee@example.com").await;
    let here = a.signed_in("lee@example.com").await;
    let elsewhere = a.login("lee@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &elsewhere.token).await;
    let change = PasswordChange {
        current_password: PASSWORD.into(),
        password: NEW_PASSWORD.into(),
        password_confirm: NEW_PASSWORD.into(),
    };
    a.auth.change_password(&here, change, &ctx()).await.unwrap();
    refused_on(&b, &elsewhere.token).await;
}

#[tokio::test]
async fn disabling_or_signing_out_by_an_administrator_is_seen_at_once() {
    let (_dir, a, b) = two_instances().await;
    let root = a.admin().await;
    let user = a.registered_and_verified("max@example.com").await;
    let s = a.login("max@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    a.auth.admin_disable(&root, user.id, &ctx()).await.unwrap();
    refused_on(&b, &s.token).await;

    a.auth.admin_enable(&root, user.id, &ctx()).await.unwrap();
    let s = a.login("max@example.com", PASSWORD).await.unwrap();
    kept_on(&b, &s.token).await;
    a.auth
        .admin_force_logout(&root, user.id, &ctx())
        .await
        .unwrap();
    refused_on(&b, &s.token).await;
}
