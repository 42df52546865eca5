//! The least-privilege ACL documented in docs/redis-store.md is enough: the whole
//! conformance kit passes as a user limited to the store's key prefix and the command
//! categories listed there, on a throwaway `redis-server` this test starts (the shared
//! server's users are never touched). Needs `redis-server` on the PATH.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::sync::Arc;

use auth_core::conformance::{Subject, run_all};
use auth_core::{Error, UserStore};
use auth_store_redis::{RedisConfig, RedisStore};
use common::server::Server;

/// The rules from docs/redis-store.md, for the prefix `auth:`.
const RULES: &[&str] = &[
    "on",
    ">store-password",
    "resetkeys",
    "~auth:*",
    "resetchannels",
    "-@all",
    "+@read",
    "+@write",
    "+@scripting",
    "+@transaction",
    "+@connection",
    "+time",
    "-@dangerous",
];

#[test_services::needs(redis_server)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_documented_acl_is_enough_and_confines_the_store() {
    let server = Server::start_on_free_port(&[]);
    let admin_url = format!("redis://127.0.0.1:{}/", server.port);
    let mut admin = common::raw(&admin_url).await;
    let () = redis::cmd("ACL")
        .arg("SETUSER")
        .arg("auth")
        .arg(RULES)
        .query_async(&mut admin)
        .await
        .unwrap();

    let url = format!("redis://auth:store-password@127.0.0.1:{}/", server.port);
    let store = Arc::new(RedisStore::connect(RedisConfig::new(&url)).await.unwrap());
    run_all(&Subject::all(store.clone()).with_api_keys(store.clone())).await;

    // The user cannot step outside its prefix, and what the server refuses is a
    // backend error, not an outage.
    let outside = Arc::new(
        RedisStore::connect(RedisConfig::new(&url).key_prefix("other:"))
            .await
            .unwrap(),
    );
    let err = outside.count_users(None).await.unwrap_err();
    assert!(matches!(err, Error::Backend { .. }), "{err:?}");
    let mut con = common::raw(&url).await;
    let flush: redis::RedisResult<()> = redis::cmd("FLUSHALL").query_async(&mut con).await;
    assert!(
        flush.is_err(),
        "the store's user must not be able to FLUSHALL"
    );

    // A wrong password fails at connect, as a backend error (retrying will not fix it).
    let wrong = format!("redis://auth:wrong@127.0.0.1:{}/", server.port);
    let err = RedisStore::connect(RedisConfig::new(wrong))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Backend { .. }), "{err:?}");
    drop(server);
}
