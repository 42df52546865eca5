//! Faults without touching the shared Redis: the store talks to it through a local TCP
//! proxy (crate `fault-proxy`) that the test cuts and restores. A cut server gives `Error::Unavailable` within
//! the configured deadline (no hang, no panic), and the store recovers by itself.
//! Needs `AUTH_TEST_REDIS_URL` (see `common::redis_url`).
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::time::{Duration, Instant};

use auth_core::conformance::sample_user;
use auth_core::{CounterStore, Error, User, UserId, UserStore};
use auth_store_redis::RedisStore;
use fault_proxy::Proxy;
use time::OffsetDateTime;

/// Slack for scheduling on a busy 2-core machine.
const SLACK: Duration = Duration::from_millis(400);

fn user() -> User {
    let t = OffsetDateTime::now_utc();
    User {
        email: format!("f-{}@example.test", uuid::Uuid::new_v4()),
        username: None,
        ..sample_user(t)
    }
}

struct Setup {
    url: String,
    prefix: String,
    proxy: Proxy,
    store: RedisStore,
    deadline: Duration,
}

async fn setup(test: &str) -> Setup {
    let url = common::redis_url(test);
    let (proxy, via) = Proxy::in_front_of(&url, 6379).await;
    let config = common::config(&via)
        .connect_timeout(Duration::from_millis(300))
        .response_timeout(Duration::from_millis(300));
    let deadline = config.call_deadline();
    let prefix = config.prefix().to_owned();
    let store = common::connect(config).await;
    Setup {
        url,
        prefix,
        proxy,
        store,
        deadline,
    }
}

/// Calls the store `n` times while it is cut: every call fails with `Unavailable`
/// within the deadline.
async fn assert_unavailable(s: &Setup, id: UserId, n: usize) {
    for attempt in 0..n {
        let started = Instant::now();
        let result = s.store.user_by_id(id).await;
        let elapsed = started.elapsed();
        assert!(
            matches!(result, Err(Error::Unavailable { .. })),
            "attempt {attempt}: expected Unavailable, got {result:?}"
        );
        assert!(
            elapsed <= s.deadline + SLACK,
            "attempt {attempt}: took {elapsed:?}, deadline {:?}",
            s.deadline
        );
        eprintln!("cut: attempt {attempt} failed with Unavailable after {elapsed:?}");
    }
    // Writes fail the same way.
    let result = s
        .store
        .increment("k", time::Duration::minutes(1), OffsetDateTime::now_utc())
        .await;
    assert!(
        matches!(result, Err(Error::Unavailable { .. })),
        "{result:?}"
    );
}

/// After the proxy is restored, the store answers again by itself within `within`.
async fn assert_recovers(s: &Setup, expected: &User, within: Duration) -> Duration {
    let restored = Instant::now();
    loop {
        match s.store.user_by_id(expected.id).await {
            Ok(found) => {
                assert_eq!(found.as_ref(), Some(expected));
                let took = restored.elapsed();
                eprintln!("recovered {took:?} after the restore");
                return took;
            }
            Err(e) => {
                assert!(matches!(e, Error::Unavailable { .. }), "{e:?}");
                assert!(
                    restored.elapsed() < within,
                    "the store did not recover within {within:?}: {e}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

#[test_services::needs(redis)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_down_then_back() {
    let s = setup("server_down_then_back").await;
    let u = user();
    s.store.create_user(&u).await.unwrap();

    s.proxy.cut().await;
    assert_unavailable(&s, u.id, 3).await;

    s.proxy.restore().await;
    assert_recovers(&s, &u, Duration::from_secs(5)).await;
    // And writes work again.
    let c = s
        .store
        .increment("k", time::Duration::minutes(1), OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(c.count, 1);
    common::cleanup(&s.url, &s.prefix).await;
}

/// The server stops answering but the client's socket stays open (a partition): calls
/// time out within the deadline, and after the network is back the store opens a fresh
/// connection by itself although the old one never closes.
#[test_services::needs(redis)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_then_heal() {
    let s = setup("partition_then_heal").await;
    let u = user();
    s.store.create_user(&u).await.unwrap();

    s.proxy.freeze();
    assert_unavailable(&s, u.id, 3).await;

    s.proxy.heal().await;
    assert_recovers(&s, &u, Duration::from_secs(5)).await;
    common::cleanup(&s.url, &s.prefix).await;
}

/// A store whose server is down at startup: `connect` fails in time with `Unavailable`;
/// `connect_lazy` succeeds, its calls fail in time, and it works once the server is up.
#[test_services::needs(redis)]
#[tokio::test]
async fn connect_to_a_down_server_fails_in_time() {
    let url = common::redis_url("connect_to_a_down_server_fails_in_time");
    let (proxy, via) = Proxy::in_front_of(&url, 6379).await;
    proxy.freeze();
    let config = common::config(&via)
        .connect_timeout(Duration::from_millis(300))
        .response_timeout(Duration::from_millis(300));
    let deadline = config.call_deadline();
    let started = Instant::now();
    let result = RedisStore::connect(config.clone()).await;
    assert!(
        matches!(result, Err(Error::Unavailable { .. })),
        "{result:?}"
    );
    assert!(
        started.elapsed() <= deadline + SLACK,
        "took {:?}",
        started.elapsed()
    );

    let prefix = config.prefix().to_owned();
    let lazy = RedisStore::connect_lazy(config).await.unwrap();
    let started = Instant::now();
    let result = lazy.ping().await;
    assert!(
        matches!(result, Err(Error::Unavailable { .. })),
        "{result:?}"
    );
    assert!(
        started.elapsed() <= deadline + SLACK,
        "took {:?}",
        started.elapsed()
    );
    proxy.heal().await;
    let u = user();
    let up = Instant::now();
    loop {
        match lazy.create_user(&u).await {
            Ok(()) => break,
            Err(e) => {
                assert!(matches!(e, Error::Unavailable { .. }), "{e:?}");
                assert!(up.elapsed() < Duration::from_secs(5), "no recovery: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    assert_eq!(lazy.user_by_id(u.id).await.unwrap(), Some(u));
    common::cleanup(&url, &prefix).await;
}
