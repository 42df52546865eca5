//! Server states an operator meets, on throwaway `redis-server`s this test starts (the
//! shared server is never reconfigured): a full server (`maxmemory`, `noeviction`) and a
//! read-only replica (as during a failover) answer with `Error::Unavailable`, which the
//! web layer turns into a 503, not a 500. Needs `redis-server` on the PATH.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use auth_core::{CounterStore, Error, UserId, UserStore};
use auth_store_redis::{RedisConfig, RedisStore};
use common::server::{Server, free_port};
use time::OffsetDateTime;

/// Fills the server up to its limit with small values, from key `filler:<filled>` on (a
/// big value would only count against the limit while it sits in the query buffer):
/// returns once a write is refused for memory.
async fn fill(con: &mut redis::aio::MultiplexedConnection, filled: &mut u64) {
    loop {
        let r: redis::RedisResult<()> = redis::cmd("SET")
            .arg(format!("filler:{filled}"))
            .arg(vec![b'x'; 256])
            .query_async(con)
            .await;
        if let Err(e) = r {
            assert_eq!(e.code(), Some("OOM"), "{e}");
            return;
        }
        *filled += 1;
        assert!(*filled < 100_000, "maxmemory never reached");
    }
}

#[test_services::needs(redis_server)]
#[tokio::test]
async fn a_full_server_is_unavailable_not_broken() {
    let server =
        Server::start_on_free_port(&["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"]);
    let url = format!("redis://127.0.0.1:{}/", server.port);
    let store = RedisStore::connect(RedisConfig::new(&url)).await.unwrap();
    store.create_user(&common::user("s")).await.unwrap();

    let mut con = common::raw(&url).await;
    let mut filled = 0u64;
    fill(&mut con, &mut filled).await;
    let err = store.create_user(&common::user("s")).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
    // The refused write's buffers may have been freed below the limit meanwhile.
    fill(&mut con, &mut filled).await;
    let err = store
        .increment("k", time::Duration::minutes(1), OffsetDateTime::now_utc())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
    // Reads still work.
    assert_eq!(store.count_users(None).await.unwrap(), 1);
    drop(server);
}

#[test_services::needs(redis_server)]
#[tokio::test]
async fn a_read_only_replica_is_unavailable_for_writes() {
    // A replica of a primary that does not exist: read-only, serving (empty) stale data.
    let nowhere = free_port().to_string();
    let server = Server::start_on_free_port(&["--replicaof", "127.0.0.1", &nowhere]);
    let url = format!("redis://127.0.0.1:{}/", server.port);
    let store = RedisStore::connect(RedisConfig::new(&url)).await.unwrap();
    let err = store.create_user(&common::user("s")).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
    assert_eq!(store.user_by_id(UserId::new()).await.unwrap(), None);
    drop(server);
}
