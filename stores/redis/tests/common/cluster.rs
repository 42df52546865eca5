//! A throwaway Redis Cluster: `redis-server --cluster-enabled yes` on free ports, each in
//! its own temporary directory, joined by `redis-cli --cluster create`. Every server is
//! killed when the cluster is dropped (each is a [`Server`], killed by its own handle), so
//! a failing test leaves nothing running. A test that starts one carries
//! `#[test_services::needs(redis_server, redis_cli)]`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::server::{Server, free_port};

/// How long a node may be silent before the others consider it failed (ms): short, so
/// that a killed primary is replaced within seconds.
pub const NODE_TIMEOUT_MS: u64 = 1000;

/// The running cluster.
pub struct Cluster {
    /// Every node, primaries first (as created: `redis-cli` makes the first `masters`
    /// nodes primaries and the rest their replicas).
    pub nodes: Vec<Server>,
}

impl Cluster {
    /// Starts `masters` primaries with `replicas` replicas each, splits the slots among
    /// the primaries, and waits until every node reports the cluster `ok` and every
    /// replica is in sync with its primary.
    pub async fn start(masters: usize, replicas: usize) -> Self {
        let nodes: Vec<Server> = (0..masters * (1 + replicas))
            .map(|_| {
                Server::start_on_free_ports(|| {
                    [
                        "--cluster-enabled",
                        "yes",
                        "--cluster-port",
                        &free_port().to_string(),
                        "--cluster-config-file",
                        "nodes.conf",
                        "--cluster-node-timeout",
                        &NODE_TIMEOUT_MS.to_string(),
                    ]
                    .map(str::to_owned)
                    .into()
                })
            })
            .collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let out = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run redis-cli (on the PATH?): {e}"));
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let cluster = Self { nodes };
        cluster.wait_until_ready(masters * (1 + replicas)).await;
        cluster
    }

    /// The URL of every node.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(|n| url(n.port)).collect()
    }

    /// Waits until every node sees `size` nodes and the cluster `ok`, and every replica's
    /// link to its primary is up.
    async fn wait_until_ready(&self, size: usize) {
        let started = Instant::now();
        loop {
            let mut ready = true;
            for node in &self.nodes {
                let info = info(node.port, "CLUSTER", Some("INFO")).await;
                ready &= info.contains("cluster_state:ok")
                    && info.contains(&format!("cluster_known_nodes:{size}"));
                let replication = info_section(node.port, "replication").await;
                if replication.contains("role:slave") {
                    ready &= replication.contains("master_link_status:up")
                        && !replication.contains("master_sync_in_progress:1");
                }
            }
            if ready {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the cluster did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The port of the node serving `slot` as primary.
    pub async fn primary_of(&self, slot: u16) -> u16 {
        let mut con = super::raw(&url(self.nodes[0].port)).await;
        let shards: Vec<redis::Value> = redis::cmd("CLUSTER")
            .arg("SLOTS")
            .query_async(&mut con)
            .await
            .unwrap();
        for shard in shards {
            let redis::Value::Array(fields) = shard else {
                panic!("CLUSTER SLOTS: {shard:?}")
            };
            let start: u16 = redis::from_redis_value_ref(&fields[0]).unwrap();
            let end: u16 = redis::from_redis_value_ref(&fields[1]).unwrap();
            if (start..=end).contains(&slot) {
                let redis::Value::Array(primary) = &fields[2] else {
                    panic!("CLUSTER SLOTS: {fields:?}")
                };
                return redis::from_redis_value_ref(&primary[1]).unwrap();
            }
        }
        panic!("no primary serves slot {slot}")
    }

    /// The port of a replica of the primary on `primary_port`, once one is in sync.
    ///
    /// Waits for it: right after a failover the new primary may not yet list the demoted
    /// one as its replica (the cluster learns it by gossip), and a replica whose link is
    /// not up cannot take over by `CLUSTER FAILOVER`.
    pub async fn replica_of(&self, primary_port: u16) -> u16 {
        let started = Instant::now();
        loop {
            if let Some(port) = listed_replica(primary_port).await {
                let replication = info_section(port, "replication").await;
                if replication.contains("role:slave")
                    && replication.contains(&format!("master_port:{primary_port}"))
                    && replication.contains("master_link_status:up")
                    && !replication.contains("master_sync_in_progress:1")
                {
                    return port;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the primary on {primary_port} has no replica in sync after 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The slot `key` hashes to, as the cluster computes it.
    pub async fn slot_of(&self, key: &str) -> u16 {
        let mut con = super::raw(&url(self.nodes[0].port)).await;
        redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(key)
            .query_async(&mut con)
            .await
            .unwrap()
    }

    /// Every key under `prefix` on every primary.
    pub async fn keys_under(&self, prefix: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for node in &self.nodes {
            if info_section(node.port, "replication")
                .await
                .contains("role:master")
            {
                keys.extend(super::keys_under(&url(node.port), prefix).await);
            }
        }
        keys.sort();
        keys
    }
}

/// `redis://127.0.0.1:<port>/`.
pub fn url(port: u16) -> String {
    format!("redis://127.0.0.1:{port}/")
}

/// The port of the first replica the primary on `primary_port` lists, if any.
async fn listed_replica(primary_port: u16) -> Option<u16> {
    let mut con = super::raw(&url(primary_port)).await;
    let id: String = redis::cmd("CLUSTER")
        .arg("MYID")
        .query_async(&mut con)
        .await
        .unwrap();
    let replicas: Vec<String> = redis::cmd("CLUSTER")
        .arg("REPLICAS")
        .arg(&id)
        .query_async(&mut con)
        .await
        .unwrap();
    // Each line: `<id> <ip:port@bus-port> ...`.
    let address = replicas.first()?.split(' ').nth(1)?;
    address.split(['@', ':']).nth(1)?.parse().ok()
}

/// The reply of `command [sub]` on the node at `port`, as text.
async fn info(port: u16, command: &str, sub: Option<&str>) -> String {
    let mut con = super::raw(&url(port)).await;
    let mut cmd = redis::cmd(command);
    if let Some(sub) = sub {
        cmd.arg(sub);
    }
    cmd.query_async(&mut con).await.unwrap()
}

/// One section of `INFO` on the node at `port`.
pub async fn info_section(port: u16, section: &str) -> String {
    info(port, "INFO", Some(section)).await
}
