//! Webhook calls of a real engine reach a real HTTP receiver (`tests/receiver.py`) that
//! checks every request with the `standardwebhooks` Python package, an implementation
//! independent of this project: signatures verify, a refused call is retried with the
//! same `webhook-id`, a call signed with the wrong secret is rejected, and nothing is
//! lost across a restart between the attempts, on every store.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use auth_core::conformance::engine::{self, Engine};
use auth_core::webhooks::{WebhookEndpoint, Webhooks};
use auth_core::{
    AuditKind, AuditSink, CounterStore, DeliveryState, EphemeralStore, MailOutbox, Page,
    SessionStore, SessionUserStore, UserStore, WebhookDelivery,
};
use auth_store_memory::MemoryStore;
use auth_store_redis::{RedisConfig, RedisStore};
use auth_store_sqlx::{SqlxStore, SqlxStoreOptions};
use auth_webhooks::HttpSender;
use serde_json::Value;
use time::Duration;
use tokio::io::{AsyncBufReadExt as _, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// The secret the receiver verifies with.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// Another well-formed secret: calls signed with it must not verify.
const WRONG_SECRET: &str = "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MjQy";

/// The Python receiver, killed when dropped.
struct Receiver {
    _child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    port: u16,
}

impl Receiver {
    /// Starts the receiver; it refuses the first attempt of each call to `/flaky`.
    async fn start() -> Self {
        let mut child = Command::new("python3")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/receiver.py"))
            .arg(SECRET)
            .arg("1")
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut receiver = Self {
            _child: child,
            lines: BufReader::new(stdout).lines(),
            port: 0,
        };
        let first = receiver.next().await;
        receiver.port = u16::try_from(first["port"].as_u64().expect("the port")).unwrap();
        receiver
    }

    /// The next line the receiver printed.
    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(StdDuration::from_secs(20), self.lines.next_line())
            .await
            .expect("the receiver answers in time")
            .expect("the receiver's output reads")
            .expect("the receiver is still running");
        serde_json::from_str(&line).expect("the receiver prints JSON")
    }

    /// The next `n` requests, by `webhook-id` and path.
    async fn requests(&mut self, n: usize) -> BTreeMap<(String, String), Value> {
        let mut seen = BTreeMap::new();
        for _ in 0..n {
            let record = self.next().await;
            let key = (
                record["path"].as_str().unwrap().to_owned(),
                record["id"].as_str().unwrap().to_owned(),
            );
            assert!(seen.insert(key, record).is_none(), "a call sent twice");
        }
        seen
    }

    /// Every event goes to `/flaky` with the right secret; registrations also go to
    /// `/forged`, signed with another secret.
    fn webhooks(&self) -> Webhooks {
        let url = |path: &str| format!("http://127.0.0.1:{}/{path}", self.port);
        let flaky = WebhookEndpoint::new(&url("flaky"), SECRET).unwrap();
        let forged = WebhookEndpoint::new(&url("forged"), WRONG_SECRET)
            .unwrap()
            .only([AuditKind::Registered]);
        Webhooks::new(Arc::new(HttpSender::new().unwrap()), vec![flaky, forged])
            .unwrap()
            .timeout(StdDuration::from_secs(5))
    }
}

async fn deliveries(outbox: &dyn MailOutbox) -> Vec<WebhookDelivery> {
    outbox
        .webhook_deliveries(Page {
            offset: 0,
            limit: 100,
        })
        .await
        .unwrap()
}

/// The whole scenario on the store that `open` opens (again, for the restart).
async fn delivered_through_a_restart<S, F, Fut>(open: F)
where
    S: UserStore
        + SessionStore
        + SessionUserStore
        + CounterStore
        + EphemeralStore
        + MailOutbox
        + AuditSink,
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<S>>,
{
    let mut receiver = Receiver::start().await;
    let first = Engine::wired(open().await, engine::config(), |builder, store| {
        builder.store(store.clone()).webhooks(receiver.webhooks())
    });
    let user = first.registered_and_verified("hooked@example.com").await;
    let events = first.store.events_for_user(user.id, 100).await.unwrap();
    let kinds: BTreeSet<String> = events
        .iter()
        .map(|e| format!("auth.{}", e.kind.as_str()))
        .collect();
    assert!(kinds.contains("auth.registered") && kinds.contains("auth.email_verified"));
    let flaky_calls = events.len();
    let forged_calls = events
        .iter()
        .filter(|e| e.kind == AuditKind::Registered)
        .count();
    let calls = flaky_calls + forged_calls;

    // Queued durably where the events were recorded, before any attempt.
    let queued = deliveries(&*first.store).await;
    assert_eq!(queued.len(), calls, "{queued:#?}");
    assert!(
        queued
            .iter()
            .all(|d| d.state == DeliveryState::Pending && d.attempts == 0)
    );

    // First pass: /flaky refuses every call once, /forged rejects the signature.
    assert_eq!(first.auth.deliver_outbox().await.unwrap(), 0);
    let refused = receiver.requests(calls).await;
    for ((path, _), record) in &refused {
        match path.as_str() {
            "/flaky" => assert_eq!(record["status"], 503, "{record}"),
            "/forged" => {
                assert_eq!(record["verified"], false, "{record}");
                assert_eq!(record["status"], 400, "{record}");
            }
            other => panic!("a call to {other}"),
        }
    }
    let after_first = deliveries(&*first.store).await;
    for d in &after_first {
        assert_eq!(d.state, DeliveryState::Pending, "{d:?}");
        assert_eq!(d.attempts, 1, "{d:?}");
        let status = if d.url.ends_with("/flaky") {
            "503"
        } else {
            "400"
        };
        assert_eq!(
            d.last_outcome.as_deref(),
            Some(format!("the endpoint answered HTTP {status}").as_str()),
            "{d:?}"
        );
        assert_eq!(
            d.next_attempt_at,
            Some(first.auth.now() + Duration::seconds(30))
        );
    }
    let then = first.auth.now();
    drop(first);

    // The application restarts; the next pass, after the backoff, delivers.
    let second = Engine::wired(open().await, engine::config(), |builder, store| {
        builder.store(store.clone()).webhooks(receiver.webhooks())
    });
    second
        .clock
        .advance((then - second.auth.now()) + Duration::seconds(31));
    assert_eq!(second.auth.deliver_outbox().await.unwrap(), flaky_calls);
    let retried = receiver.requests(calls).await;
    assert_eq!(
        retried.keys().collect::<Vec<_>>(),
        refused.keys().collect::<Vec<_>>(),
        "every call is retried with its webhook-id"
    );
    let mut types = BTreeSet::new();
    for ((path, id), record) in &retried {
        if path == "/forged" {
            assert_eq!(record["verified"], false, "{record}");
            continue;
        }
        assert_eq!(record["verified"], true, "{record}");
        assert_eq!(record["status"], 204, "{record}");
        let body = &record["body"];
        assert_eq!(body["data"]["user_id"], user.id.0.to_string(), "{record}");
        assert!(
            events
                .iter()
                .any(|e| body["data"]["event_id"] == e.id.to_string()),
            "{record}"
        );
        types.insert(body["type"].as_str().unwrap().to_owned());
        let shown = second
            .store
            .webhook_delivery(id.parse().unwrap())
            .await
            .unwrap()
            .expect("listed");
        assert_eq!(shown.state, DeliveryState::Delivered, "{shown:?}");
        assert_eq!(shown.attempts, 2);
        assert_eq!(shown.last_outcome.as_deref(), Some("HTTP 204"));
    }
    assert_eq!(types, kinds);
    let everything = serde_json::to_string(&retried.values().collect::<Vec<_>>()).unwrap();
    assert!(!everything.contains(engine::PASSWORD), "{everything}");
    assert!(!everything.contains("phc"), "{everything}");

    // Still pending, the forged ones; nothing is left pending for /flaky.
    let left: Vec<_> = deliveries(&*second.store)
        .await
        .into_iter()
        .filter(|d| d.state == DeliveryState::Pending)
        .collect();
    assert_eq!(left.len(), forged_calls, "{left:#?}");
    assert!(left.iter().all(|d| d.url.ends_with("/forged")));
}

#[test_services::needs(python_webhooks)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store() {
    let store = Arc::new(MemoryStore::new());
    delivered_through_a_restart(|| {
        let store = store.clone();
        async move { store }
    })
    .await;
}

fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_owned()
}

async fn sqlx(url: String) {
    let prefix = format!("wh_{}_", unique());
    delivered_through_a_restart(|| {
        let (url, prefix) = (url.clone(), prefix.clone());
        async move {
            let options = SqlxStoreOptions::new()
                .table_prefix(prefix)
                .migrate_on_connect(true);
            Arc::new(SqlxStore::connect(&url, options).await.unwrap())
        }
    })
    .await;
}

#[test_services::needs(python_webhooks, postgres)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store() {
    sqlx(std::env::var("AUTH_TEST_POSTGRES_URL").expect("set when this test runs")).await;
}

#[test_services::needs(python_webhooks, mysql)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_store() {
    sqlx(std::env::var("AUTH_TEST_MYSQL_URL").expect("set when this test runs")).await;
}

#[test_services::needs(python_webhooks)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("auth.db").display());
    sqlx(url).await;
}

#[test_services::needs(python_webhooks, redis)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store() {
    let url = std::env::var("AUTH_TEST_REDIS_URL").expect("set when this test runs");
    let prefix = format!("wh{}:", unique());
    delivered_through_a_restart(|| {
        let config = RedisConfig::new(url.as_str()).key_prefix(prefix.as_str());
        async move { Arc::new(RedisStore::connect(config).await.unwrap()) }
    })
    .await;
}
