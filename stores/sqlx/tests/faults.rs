//! Faults: a database that goes down or stops answering gives `Error::Unavailable` within
//! the configured timeouts (no panic, no hang), and the store recovers by itself when the
//! database comes back.
//!
//! The machine's real servers are never stopped (other tests use them): the store talks to
//! the server through a TCP proxy owned by the test, which cuts (connection refused, open
//! connections closed), freezes (nothing answers) and restores the path.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::time::{Duration, Instant};

use auth_core::conformance::sample_user;
use auth_core::{Error, User, UserId, UserStore};
use auth_store_sqlx::{SqlxStore, SqlxStoreOptions, StoreError};
use fault_proxy::Proxy;
use time::OffsetDateTime;
use uuid::Uuid;

const ACQUIRE: Duration = Duration::from_secs(1);
const OPERATION: Duration = Duration::from_secs(2);
/// Scheduling slack on a loaded 2-core machine.
const SLACK: Duration = Duration::from_millis(1500);

fn options() -> SqlxStoreOptions {
    SqlxStoreOptions::new()
        .table_prefix(common::unique_prefix("fault_"))
        .max_connections(3)
        .acquire_timeout(ACQUIRE)
        .operation_timeout(OPERATION)
}

fn user() -> User {
    let now =
        OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap();
    User {
        email: format!("{}@example.test", Uuid::new_v4()),
        username: None,
        ..sample_user(now)
    }
}

/// The URL of `var`'s server with its host and port replaced by the proxy's.
async fn proxied(var: &str, default_port: u16) -> (Proxy, String) {
    Proxy::in_front_of(&common::server_url(var), default_port).await
}

/// Asserts that `call` fails with `Unavailable` within `bound`.
async fn assert_unavailable<T: std::fmt::Debug>(
    what: &str,
    bound: Duration,
    call: impl std::future::Future<Output = auth_core::Result<T>>,
) -> Error {
    let started = Instant::now();
    // A hang would be caught here rather than by the test harness.
    let result = tokio::time::timeout(bound + Duration::from_secs(10), call)
        .await
        .unwrap_or_else(|_| panic!("{what} hung"));
    let took = started.elapsed();
    let err = match result {
        Err(e @ Error::Unavailable { .. }) => e,
        other => panic!("{what}: expected Unavailable, got {other:?}"),
    };
    assert!(
        took <= bound,
        "{what}: Unavailable only after {took:?} (bound {bound:?})"
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "{what}: the cause is kept"
    );
    err
}

/// Polls until `store` answers again; returns how long that took.
async fn wait_for_recovery(store: &SqlxStore, id: UserId, expected: &User) -> Duration {
    let started = Instant::now();
    loop {
        match store.user_by_id(id).await {
            Ok(found) => {
                assert_eq!(found.as_ref(), Some(expected), "data survived the outage");
                return started.elapsed();
            }
            Err(e) => {
                assert!(
                    matches!(e, Error::Unavailable { .. }),
                    "while recovering: {e:?}"
                );
                assert!(
                    started.elapsed() < Duration::from_secs(20),
                    "the store did not recover: {e:?}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn down_then_back(var: &str, default_port: u16) {
    let (proxy, url) = proxied(var, default_port).await;
    let store = common::connect(&url, options()).await;
    let u = user();
    store.create_user(&u).await.unwrap();

    // The server goes down: refused connections, open ones closed.
    proxy.cut().await;
    let err = assert_unavailable(
        "user_by_id while down",
        ACQUIRE + SLACK,
        store.user_by_id(u.id),
    )
    .await;
    let source = std::error::Error::source(&err).unwrap();
    assert!(
        source.downcast_ref::<sqlx::Error>().is_some()
            || source.downcast_ref::<StoreError>().is_some(),
        "source is the driver's or the store's error: {source:?}"
    );
    assert_unavailable(
        "create_user while down",
        ACQUIRE + SLACK,
        store.create_user(&user()),
    )
    .await;
    assert_unavailable("ping while down", ACQUIRE + SLACK, store.ping()).await;

    // It comes back: the same store answers again without being rebuilt.
    proxy.restore().await;
    let took = wait_for_recovery(&store, u.id, &u).await;
    eprintln!("recovered {took:?} after the server came back");
    let v = user();
    store.create_user(&v).await.unwrap();
    assert_eq!(store.user_by_id(v.id).await.unwrap(), Some(v));
}

async fn frozen_then_back(var: &str, default_port: u16) {
    let (proxy, url) = proxied(var, default_port).await;
    // Waiting for a connection may take longer than a whole operation may: the
    // operation timeout is what ends the wait.
    let store = common::connect(&url, options().acquire_timeout(OPERATION * 3)).await;
    let u = user();
    store.create_user(&u).await.unwrap();

    // The server stops answering: connections stay open, nothing comes back.
    proxy.freeze();
    let err = assert_unavailable(
        "user_by_id while frozen",
        OPERATION + SLACK,
        store.user_by_id(u.id),
    )
    .await;
    let source = std::error::Error::source(&err).unwrap();
    assert!(
        matches!(
            source.downcast_ref::<StoreError>(),
            Some(StoreError::Timeout {
                operation: "user_by_id",
                ..
            })
        ),
        "{source:?}"
    );
    assert_unavailable(
        "create_user while frozen",
        OPERATION + SLACK,
        store.create_user(&user()),
    )
    .await;

    proxy.restore().await;
    let took = wait_for_recovery(&store, u.id, &u).await;
    eprintln!("recovered {took:?} after the server came back");
    store.create_user(&user()).await.unwrap();
}

/// Starting while the database is down fails fast with `Unavailable` (no hang, no panic),
/// and a later start succeeds.
async fn connect_while_down(var: &str, default_port: u16) {
    let (proxy, url) = proxied(var, default_port).await;
    proxy.cut().await;
    let started = Instant::now();
    let result = SqlxStore::connect(&url, options().migrate_on_connect(true)).await;
    assert!(
        matches!(result, Err(Error::Unavailable { .. })),
        "connect while down: {result:?}"
    );
    assert!(
        started.elapsed() <= ACQUIRE + SLACK,
        "took {:?}",
        started.elapsed()
    );
    proxy.restore().await;
    let store = common::connect(&url, options()).await;
    store.ping().await.unwrap();
}

/// The purge task outlives an outage: its failures are logged, it neither panics nor
/// stops, and it purges again once the database is back.
async fn purge_task_survives_outage(var: &str, default_port: u16) {
    let (proxy, url) = proxied(var, default_port).await;
    let store = common::connect(&url, options()).await;
    let handle = store.spawn_purge(Duration::from_secs(1));

    proxy.cut().await;
    tokio::time::sleep(ACQUIRE * 3 + Duration::from_millis(500)).await;
    assert!(
        !handle.is_finished(),
        "the purge task stopped during the outage"
    );

    proxy.restore().await;
    let now = OffsetDateTime::now_utc();
    let u = user();
    // The outage may still be draining from the pool: retry the setup until it works.
    let started = Instant::now();
    while let Err(e) = store.create_user(&u).await {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no recovery: {e:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let dead = auth_core::SessionRecord {
        digest: auth_core::SessionToken::generate().digest(),
        user_id: u.id,
        created_at: now - time::Duration::hours(2),
        last_seen_at: now - time::Duration::hours(2),
        expires_at: now + time::Duration::days(1),
        idle_expires_at: now - time::Duration::hours(1),
        remember: false,
        user_agent: None,
        ip: None,
        amr: vec![auth_core::AuthMethod::Pwd],
        auth_time: now - time::Duration::hours(2),
        proved_at: now - time::Duration::hours(2),
    };
    auth_core::SessionStore::create_session(&store, &dead)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while auth_core::SessionStore::session(&store, &dead.digest)
        .await
        .unwrap()
        .is_some()
    {
        assert!(
            Instant::now() < deadline,
            "the purge task did not resume after the outage"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!handle.is_finished());
    handle.abort();
}

/// A pooled connection that died while idle in the pool (the server restarted, a network
/// path dropped it). With `ping_after_idle` at zero every operation checks its connection
/// first, so the next one succeeds on a new connection; a connection idle past the
/// interval is checked the same way. One used a moment ago is not checked: the next
/// operation may fail once with `Unavailable` (whether it does depends on when the
/// driver notices the closed socket), and the one after succeeds on a new connection.
/// Never a wrong answer, a hang or a panic.
async fn dead_pooled_connection(var: &str, default_port: u16) {
    let (proxy, url) = proxied(var, default_port).await;
    for (ping_after_idle, idle, first_succeeds) in [
        (Some(Duration::ZERO), Duration::ZERO, true),
        (
            Some(Duration::from_millis(300)),
            Duration::from_millis(500),
            true,
        ),
        (Some(Duration::from_secs(60)), Duration::ZERO, false),
        (None, Duration::ZERO, false),
    ] {
        let case = format!("ping_after_idle {ping_after_idle:?}, idle {idle:?}");
        let store = common::connect(
            &url,
            options()
                .max_connections(1)
                .ping_after_idle(ping_after_idle),
        )
        .await;
        let u = user();
        // The pool's one connection is open, and idle once this returns.
        store.create_user(&u).await.unwrap();
        proxy.cut().await;
        proxy.restore().await;
        tokio::time::sleep(idle).await;
        let first = store.user_by_id(u.id).await;
        if first_succeeds {
            assert_eq!(first.unwrap(), Some(u.clone()), "{case}");
        } else {
            assert!(
                matches!(&first, Err(Error::Unavailable { .. }))
                    || first.as_ref().is_ok_and(|found| found.as_ref() == Some(&u)),
                "{case}: {first:?}"
            );
        }
        assert_eq!(store.user_by_id(u.id).await.unwrap(), Some(u), "{case}");
    }
}

mod postgres {
    use super::*;

    #[test_services::needs(postgres)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn down_then_back() {
        super::down_then_back(common::POSTGRES, 5432).await;
    }

    #[test_services::needs(postgres)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn frozen_then_back() {
        super::frozen_then_back(common::POSTGRES, 5432).await;
    }

    #[test_services::needs(postgres)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn connect_while_down() {
        super::connect_while_down(common::POSTGRES, 5432).await;
    }

    #[test_services::needs(postgres)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn purge_task_survives_outage() {
        super::purge_task_survives_outage(common::POSTGRES, 5432).await;
    }

    #[test_services::needs(postgres)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dead_pooled_connection() {
        super::dead_pooled_connection(common::POSTGRES, 5432).await;
    }
}

mod mysql {
    use super::*;

    #[test_services::needs(mysql)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn down_then_back() {
        super::down_then_back(common::MYSQL, 3306).await;
    }

    #[test_services::needs(mysql)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn frozen_then_back() {
        super::frozen_then_back(common::MYSQL, 3306).await;
    }

    #[test_services::needs(mysql)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn connect_while_down() {
        super::connect_while_down(common::MYSQL, 3306).await;
    }

    #[test_services::needs(mysql)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn purge_task_survives_outage() {
        super::purge_task_survives_outage(common::MYSQL, 3306).await;
    }

    #[test_services::needs(mysql)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dead_pooled_connection() {
        super::dead_pooled_connection(common::MYSQL, 3306).await;
    }
}

/// A SQLite file that cannot be opened is an error, not a panic.
#[tokio::test]
async fn sqlite_unopenable_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/missing-dir/db.sqlite", dir.path().display());
    let result = SqlxStore::connect(&url, SqlxStoreOptions::new().acquire_timeout(ACQUIRE)).await;
    assert!(
        matches!(
            result,
            Err(Error::Backend { .. } | Error::Unavailable { .. })
        ),
        "{result:?}"
    );
}
