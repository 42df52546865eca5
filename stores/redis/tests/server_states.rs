//! Server states an operator meets, on throwaway `redis-server`s this test starts (the
//! shared server is never reconfigured): a full server (`maxmemory`, `noeviction`) and a
//! read-only replica (as during a failover) answer with `Error::Unavailable`, which the
//! web layer turns into a 503, not a 500. Needs `redis-server` on the PATH.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use auth_core::conformance::sample_user;
use auth_core::{CounterStore, Error, User, UserId, UserStore};
use auth_store_redis::{RedisConfig, RedisStore};
use common::server::{Server, free_port};
use time::OffsetDateTime;

fn user() -> User {
    let t = OffsetDateTime::now_utc();
    User {
        email: format!("s-{}@example.test", uuid::Uuid::new_v4()),
        username: None,
        ..sample_user(t)
    }
}

fn start(extra: &[&str]) -> Server {
    let port = free_port();
    let mut args = vec!["--port".to_owned(), port.to_string()];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    Server::start(tempfile::tempdir().unwrap(), port, &args)
}

#[test_services::needs(redis_server)]
#[tokio::test]
async fn a_full_server_is_unavailable_not_broken() {
    let server = start(&["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"]);
    let url = format!("redis://127.0.0.1:{}/", server.port);
    let store = RedisStore::connect(RedisConfig::new(&url)).await.unwrap();
    store.create_user(&user()).await.unwrap();

    // Fill the server up to its limit with small values (a big value would only count
    // against the limit while it sits in the query buffer).
    let mut con = common::raw(&url).await;
    let value = vec![b'x'; 256];
    let mut i = 0u64;
    loop {
        let r: redis::RedisResult<()> = redis::cmd("SET")
            .arg(format!("filler:{i}"))
            .arg(&value)
            .query_async(&mut con)
            .await;
        if let Err(e) = r {
            assert_eq!(e.code(), Some("OOM"), "{e}");
            break;
        }
        i += 1;
        assert!(i < 100_000, "maxmemory never reached");
    }

    let err = store.create_user(&user()).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
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
    let server = start(&["--replicaof", "127.0.0.1", &nowhere]);
    let url = format!("redis://127.0.0.1:{}/", server.port);
    let store = RedisStore::connect(RedisConfig::new(&url)).await.unwrap();
    let err = store.create_user(&user()).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
    assert_eq!(store.user_by_id(UserId::new()).await.unwrap(), None);
    drop(server);
}
