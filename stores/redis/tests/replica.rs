//! A Redis primary with a replica behind one address (a TCP proxy, crate `fault-proxy`, stands for the endpoint
//! a managed service, a floating IP or DNS gives), failed over under traffic the way such
//! a service does it: writes paused on the primary, the replica caught up and promoted,
//! the address moved to it, the old primary made a replica of the new one. The store's
//! open connection still reaches the old primary, which now answers writes with
//! `READONLY`: the store must leave it by itself. Needs `redis-server` on the PATH.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::time::{Duration, Instant};

use auth_store_redis::RedisConfig;
use common::cluster::{info_section, url};
use common::server::Server;
use common::traffic::{Traffic, assert_healthy, assert_present};
use fault_proxy::Proxy;

/// A field of `INFO replication` on the node at `port`.
async fn replication(port: u16, field: &str) -> String {
    let info = info_section(port, "replication").await;
    info.lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in {info}"))
        .trim()
        .to_owned()
}

/// Waits until `check` holds, for at most ten seconds.
async fn wait_until<F: Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < Duration::from_secs(10), "{what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sends `args` to the node at `port`.
async fn admin(port: u16, args: &[&str]) {
    let mut con = common::raw(&url(port)).await;
    let _: () = redis::cmd(args[0])
        .arg(&args[1..])
        .query_async(&mut con)
        .await
        .unwrap();
}

#[test_services::needs(redis_server)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failover_behind_one_address_loses_nothing() {
    let primary = Server::start_on_free_port(&[]);
    let replica =
        Server::start_on_free_port(&["--replicaof", "127.0.0.1", &primary.port.to_string()]);
    wait_until("the replica never synced", || async {
        replication(replica.port, "master_link_status").await == "up"
    })
    .await;
    let (proxy, via) = Proxy::in_front_of(&url(primary.port), 6379).await;
    let store = common::connect(common::fresh(RedisConfig::new(via))).await;
    let deadline = store.config().call_deadline();
    let traffic = Traffic::start(&store, 8);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let began = Instant::now();
    admin(primary.port, &["CLIENT", "PAUSE", "10000", "WRITE"]).await;
    wait_until("the replica never caught up", || async {
        replication(primary.port, "master_repl_offset").await
            == replication(replica.port, "slave_repl_offset").await
    })
    .await;
    admin(replica.port, &["REPLICAOF", "NO", "ONE"]).await;
    proxy.retarget(&format!("127.0.0.1:{}", replica.port)).await;
    admin(
        primary.port,
        &["REPLICAOF", "127.0.0.1", &replica.port.to_string()],
    )
    .await;
    admin(primary.port, &["CLIENT", "UNPAUSE"]).await;
    let switched = Instant::now();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let traffic = traffic.stop().await;

    traffic.assert_errors_only_in(&[(began, switched + 2 * deadline)]);
    assert_healthy(&store).await;
    assert_eq!(
        replication(replica.port, "role").await,
        "master",
        "the store writes to the promoted replica"
    );
    let acked = traffic.acked_users();
    assert!(acked.len() > 50, "too little traffic: {}", acked.len());
    assert_present(&store, &acked).await;
    traffic.assert_counter_exact(&store).await;
    eprintln!(
        "failover behind one address: {} users acknowledged, {} errors, switch took {:?}",
        acked.len(),
        traffic.error_count(),
        switched - began
    );
}
