//! The store on a real Redis Cluster that each test starts (`redis-server
//! --cluster-enabled yes` on free ports, joined by `redis-cli --cluster create`, every
//! server killed when the test ends): the whole conformance kit, where the keys land, and
//! failovers under traffic — a replica taking over by `CLUSTER FAILOVER`, and a killed
//! primary. The engine's flows on a cluster are in `tests/engine.rs`. Needs
//! `redis-server` and `redis-cli` on the PATH.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use auth_core::conformance::{self, Subject};
use auth_core::{AuditEvent, AuditKind, AuditSink, CounterStore, UserId, UserStore};
use auth_store_redis::{RedisConfig, RedisStore};
use common::cluster::{Cluster, info_section, url};
use common::traffic::{Traffic, assert_healthy, assert_present};

/// A store on `cluster` under a fresh prefix, with the tests' short timeouts.
async fn store(cluster: &Cluster) -> RedisStore {
    common::connect(common::fresh(RedisConfig::cluster(cluster.urls()))).await
}

/// `P{P<group>}:`, what the keys of a slot group start with (see docs/redis-store.md).
fn group(store: &RedisStore, name: &str) -> String {
    format!("{p}{{{p}{name}}}:", p = store.config().prefix())
}

#[test_services::needs(redis_server, redis_cli)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_conformance_kit_passes_on_a_cluster() {
    let cluster = Cluster::start(3, 0).await;
    // Every trait on the cluster.
    let all = Arc::new(store(&cluster).await);
    conformance::run_all(&Subject::all(all.clone()).with_api_keys(all)).await;
    // Users elsewhere; sessions, counters, outbox and audit on the cluster.
    let redis = Arc::new(store(&cluster).await);
    conformance::run_all(
        &Subject::new()
            .with_users(Arc::new(auth_store_memory::MemoryStore::new()))
            .with_sessions(redis.clone())
            .with_counters(redis.clone())
            .with_ephemeral(redis.clone())
            .with_outbox(redis.clone())
            .with_audit(redis),
    )
    .await;
}

#[test_services::needs(redis_server, redis_cli)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_group_is_one_slot_and_audit_trails_spread_over_the_primaries() {
    let cluster = Cluster::start(3, 0).await;
    let store = store(&cluster).await;
    let prefix = store.config().prefix().to_owned();
    let user = common::user("spread");
    store.create_user(&user).await.unwrap();
    store
        .increment(
            "spread",
            time::Duration::minutes(1),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    for _ in 0..30 {
        let event = AuditEvent {
            id: uuid::Uuid::now_v7(),
            at: time::OffsetDateTime::now_utc(),
            kind: AuditKind::LoginSucceeded,
            user_id: Some(UserId::new()),
            actor_id: None,
            ip: None,
            detail: None,
        };
        store.record(&event).await.unwrap();
    }

    let keys = cluster.keys_under(&prefix).await;
    let mut group_slots = BTreeSet::new();
    for name in ["accounts", "counters"] {
        let tag = group(&store, name);
        let members: Vec<&String> = keys.iter().filter(|k| k.starts_with(&tag)).collect();
        assert!(!members.is_empty(), "no {name} keys in {keys:?}");
        let mut slots = BTreeSet::new();
        for key in members {
            slots.insert(cluster.slot_of(key).await);
        }
        assert_eq!(slots.len(), 1, "the {name} keys share one slot: {slots:?}");
        group_slots.extend(slots);
    }
    assert_eq!(group_slots.len(), 2, "the groups have slots of their own");

    let trails: Vec<&String> = keys
        .iter()
        .filter(|k| common::key_name(k, &prefix).starts_with("audit:user:"))
        .collect();
    assert_eq!(trails.len(), 30, "{keys:?}");
    let mut primaries = BTreeSet::new();
    for key in trails {
        primaries.insert(cluster.primary_of(cluster.slot_of(key).await).await);
    }
    assert_eq!(
        primaries.len(),
        3,
        "30 audit trails on {primaries:?}: they should spread over all three primaries"
    );
}

/// Waits until the node on `port` is a primary and the cluster (as its first live node
/// sees it) serves `slot` from it.
async fn wait_for_primary(cluster: &Cluster, port: u16, slot: u16) {
    let started = Instant::now();
    loop {
        let role = info_section(port, "replication").await;
        if role.contains("role:master") && cluster.primary_of(slot).await == port {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the replica on {port} never took over slot {slot}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test_services::needs(redis_server, redis_cli)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_manual_failover_under_traffic_loses_nothing() {
    let cluster = Cluster::start(3, 1).await;
    let store = store(&cluster).await;
    let deadline = store.config().call_deadline();
    let traffic = Traffic::start(&store, 8);
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The replica of the accounts primary takes over, then the one of the counters
    // primary (the same node again if both groups share a primary: then it fails back).
    let mut windows = Vec::new();
    for name in ["accounts", "counters"] {
        let slot = cluster.slot_of(&group(&store, name)).await;
        let primary = cluster.primary_of(slot).await;
        let replica = cluster.replica_of(primary).await;
        let began = Instant::now();
        let mut con = common::raw(&url(replica)).await;
        let _: () = redis::cmd("CLUSTER")
            .arg("FAILOVER")
            .query_async(&mut con)
            .await
            .unwrap();
        wait_for_primary(&cluster, replica, slot).await;
        windows.push((began, Instant::now()));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let traffic = traffic.stop().await;

    traffic.assert_errors_only_in(
        &windows
            .iter()
            .map(|(began, ended)| (*began, *ended + 2 * deadline))
            .collect::<Vec<_>>(),
    );
    assert_healthy(&store).await;

    // A manual failover waits for the replica to catch up: nothing acknowledged is lost.
    let acked = traffic.acked_users();
    assert!(acked.len() > 50, "too little traffic: {}", acked.len());
    assert_present(&store, &acked).await;
    traffic.assert_counter_exact(&store).await;
    eprintln!(
        "manual failover: {} users and {} increments acknowledged, {} errors, switches took \
         {:?}",
        acked.len(),
        traffic.acked_increments(),
        traffic.error_count(),
        windows.iter().map(|(b, e)| *e - *b).collect::<Vec<_>>()
    );
}

#[test_services::needs(redis_server, redis_cli)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_primary_is_replaced_and_what_was_replicated_survives() {
    let mut cluster = Cluster::start(3, 1).await;
    let store = store(&cluster).await;
    let deadline = store.config().call_deadline();
    let slot = cluster.slot_of(&group(&store, "accounts")).await;
    let primary = cluster.primary_of(slot).await;
    let replica = cluster.replica_of(primary).await;
    let traffic = Traffic::start(&store, 8);
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Replication is asynchronous: what the replica has is what survives. `WAIT` after a
    // write in the slot returns once the replica has everything written before it.
    let replicated = traffic.acked_users();
    let mut con = common::raw(&url(primary)).await;
    let _: () = redis::cmd("SET")
        .arg(format!("{}checkpoint", group(&store, "accounts")))
        .arg(1)
        .query_async(&mut con)
        .await
        .unwrap();
    let replicas: i64 = redis::cmd("WAIT")
        .arg(1)
        .arg(5000)
        .query_async(&mut con)
        .await
        .unwrap();
    assert_eq!(replicas, 1, "the replica did not acknowledge");

    let killed = Instant::now();
    let index = cluster
        .nodes
        .iter()
        .position(|n| n.port == primary)
        .unwrap();
    drop(cluster.nodes.remove(index));
    wait_for_primary(&cluster, replica, slot).await;
    let replaced = Instant::now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let traffic = traffic.stop().await;

    traffic.assert_errors_only_in(&[(killed, replaced + 2 * deadline)]);
    assert_healthy(&store).await;
    assert_present(&store, &replicated).await;

    // Acknowledged after the checkpoint, before the kill: may be lost (measured only).
    let acked = traffic.acked_users();
    let mut lost = 0;
    for user in &acked {
        if store.user_by_id(user.id).await.unwrap().is_none() {
            lost += 1;
        }
    }
    eprintln!(
        "killed primary: replaced after {:?}, {} errors, {} users acknowledged ({} before the \
         checkpoint), {lost} of them lost",
        replaced - killed,
        traffic.error_count(),
        acked.len(),
        replicated.len()
    );
}
