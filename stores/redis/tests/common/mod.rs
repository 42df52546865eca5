//! Shared by the integration tests: where the test server is, unique key prefixes,
//! cleanup. (The TCP proxy the fault tests cut is the crate `fault-proxy`.)
// Each test binary uses a different part of this module; `allow`, not `expect`: one that
// uses all of it would leave the expectation unfulfilled.
#![allow(dead_code)]
#![expect(
    unreachable_pub,
    reason = "`pub` items of a test-support module, used by the test files that include it"
)]

pub mod cluster;
pub mod server;
pub mod traffic;

use std::time::Duration;

use auth_store_redis::{RedisConfig, RedisStore};

/// The test server's URL from `AUTH_TEST_REDIS_URL`.
///
/// # Panics
/// When it is unset. A test that needs the server carries
/// `#[test_services::needs(redis)]`, which ignores it in a build without the variable
/// (never under CI), so it only gets here unset under CI or when ignored tests are run
/// anyway: both must fail, not pass without testing.
pub fn redis_url(test: &str) -> String {
    match std::env::var("AUTH_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{test}: AUTH_TEST_REDIS_URL is not set (e.g. \
             export AUTH_TEST_REDIS_URL=redis://127.0.0.1:6379/, or source .ci/services.sh \
             && ensure_services)"
        ),
    }
}

/// A key prefix no other test (or run) uses: `auth-test:<unix seconds>:<uuid>:`. The
/// time lets [`sweep_stale`] find what crashed or kit-driven tests left behind.
pub fn unique_prefix() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    format!("auth-test:{secs}:{}:", uuid::Uuid::new_v4().simple())
}

/// Once per test process: deletes keys of test prefixes created more than an hour ago.
/// The conformance kit cleans its records but not the store's index keys, and a failed
/// test leaves its keys; this bounds what accumulates on the shared server without ever
/// touching a running test's keys (younger) or anything outside `auth-test:`.
pub async fn sweep_stale(url: &str) {
    static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    SWEPT
        .get_or_init(|| async {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let stale: Vec<String> = keys_under(url, "auth-test:")
                .await
                .into_iter()
                .filter(|key| {
                    key.split(':')
                        .nth(1)
                        .and_then(|s| s.parse::<u64>().ok())
                        .is_some_and(|created| created + 3600 < now)
                })
                .collect();
            if !stale.is_empty() {
                let mut con = raw(url).await;
                for chunk in stale.chunks(500) {
                    let _: i64 = redis::cmd("DEL")
                        .arg(chunk)
                        .query_async(&mut con)
                        .await
                        .unwrap();
                }
            }
        })
        .await;
}

/// A configuration for `url` under a fresh prefix, with short timeouts.
pub fn config(url: &str) -> RedisConfig {
    fresh(RedisConfig::new(url))
}

/// `config` under a fresh prefix, with short timeouts.
pub fn fresh(config: RedisConfig) -> RedisConfig {
    config
        .key_prefix(unique_prefix())
        .connect_timeout(Duration::from_millis(500))
        .response_timeout(Duration::from_millis(1000))
}

/// Connects a store. An unreachable server is a failure (the URL says it should be
/// there), locally as under CI.
pub async fn connect(config: RedisConfig) -> RedisStore {
    match RedisStore::connect(config).await {
        Ok(store) => {
            if let Ok(url) = std::env::var("AUTH_TEST_REDIS_URL") {
                sweep_stale(&url).await;
            }
            store
        }
        Err(e) => panic!(
            "cannot reach the test Redis server: {e} ({:?})",
            std::error::Error::source(&e)
        ),
    }
}

/// A store on the test server under a fresh prefix.
///
/// # Panics
/// As [`redis_url`] and [`connect`].
pub async fn store(test: &str) -> RedisStore {
    connect(config(&redis_url(test))).await
}

/// An active user with a fresh id and email (`<tag>-<uuid>@example.test`), at version 1.
pub fn user(tag: &str) -> auth_core::User {
    auth_core::User {
        email: format!("{tag}-{}@example.test", uuid::Uuid::new_v4()),
        username: None,
        ..auth_core::conformance::sample_user(time::OffsetDateTime::now_utc())
    }
}

/// What a key under `prefix` is called inside its slot group: `P{Pgroup}:name` and
/// `P name` both give `name` (see docs/redis-store.md).
pub fn key_name<'a>(key: &'a str, prefix: &str) -> &'a str {
    let name = key.strip_prefix(prefix).unwrap_or(key);
    match name.strip_prefix('{') {
        Some(tagged) => tagged.split_once("}:").map_or(name, |(_, name)| name),
        None => name,
    }
}

/// A raw connection, to look at keys directly.
pub async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// Every key under `prefix`.
pub async fn keys_under(url: &str, prefix: &str) -> Vec<String> {
    let mut con = raw(url).await;
    let mut cursor = 0u64;
    let mut keys = Vec::new();
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{prefix}*"))
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut con)
            .await
            .unwrap();
        keys.extend(batch);
        if next == 0 {
            return keys;
        }
        cursor = next;
    }
}

/// Deletes every key under `prefix` (never FLUSHDB: the server is shared).
pub async fn cleanup(url: &str, prefix: &str) {
    let keys = keys_under(url, prefix).await;
    if keys.is_empty() {
        return;
    }
    let mut con = raw(url).await;
    let _: i64 = redis::cmd("DEL")
        .arg(&keys)
        .query_async(&mut con)
        .await
        .unwrap();
}
