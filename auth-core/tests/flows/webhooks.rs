//! Audit events as webhook calls through the outbox: off without endpoints, filtered per
//! endpoint, given up after the policy's attempts, and an administrator's retry and
//! discard. The HTTP side (and the signature, checked by an independent implementation)
//! is tested in `auth-webhooks` against a real receiver; here a sender that records the
//! requests and answers a set status stands in for it.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use auth_core::conformance::engine::{Engine, config};
use auth_core::webhooks::{WebhookEndpoint, WebhookRequest, WebhookSender, Webhooks};
use auth_core::{
    AuditKind, AuditSink, DeliveryState, Error, MailOutbox, OutboxPolicy, Page, Result,
};
use auth_store_memory::MemoryStore;
use time::Duration;

use crate::support::{Harness, ctx, harness};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Records every request and answers `status`.
#[derive(Debug, Default)]
struct Recorder {
    sent: Mutex<Vec<WebhookRequest>>,
    status: Mutex<u16>,
}

#[async_trait]
impl WebhookSender for Recorder {
    async fn send(&self, request: &WebhookRequest) -> Result<u16> {
        self.sent.lock().unwrap().push(request.clone());
        Ok(*self.status.lock().unwrap())
    }
}

fn hooked(recorder: &Arc<Recorder>, endpoints: Vec<WebhookEndpoint>, attempts: u32) -> Harness {
    let webhooks = Webhooks::new(recorder.clone(), endpoints).unwrap();
    let policy = OutboxPolicy {
        max_attempts: attempts,
        ..OutboxPolicy::default()
    };
    Engine::wired(
        Arc::new(MemoryStore::new()),
        config().outbox_policy(policy),
        |builder, store| builder.store(store.clone()).webhooks(webhooks),
    )
}

async fn all(h: &Harness) -> Vec<auth_core::WebhookDelivery> {
    h.store.webhook_deliveries(Page::default()).await.unwrap()
}

#[tokio::test]
async fn without_endpoints_nothing_is_queued() {
    let h = harness();
    h.registered_and_verified("plain@example.com").await;
    assert_eq!(h.store.webhook_delivery_count().await.unwrap(), 0);
    assert_eq!(h.store.pending_count().await.unwrap(), 0);
}

#[tokio::test]
async fn each_endpoint_gets_the_events_it_wants_signed_with_its_secret() {
    let recorder = Arc::new(Recorder::default());
    *recorder.status.lock().unwrap() = 200;
    let everything = WebhookEndpoint::new("https://a.example.test/hook", SECRET).unwrap();
    let sign_ups = WebhookEndpoint::new("https://b.example.test/hook", SECRET)
        .unwrap()
        .only([AuditKind::Registered]);
    let h = hooked(&recorder, vec![everything, sign_ups], 3);
    let user = h.registered_and_verified("both@example.com").await;
    let events = h.store.events_for_user(user.id, 100).await.unwrap();
    assert_eq!(h.auth.deliver_outbox().await.unwrap(), events.len() + 1);

    let sent = recorder.sent.lock().unwrap().clone();
    let to_b: Vec<_> = sent.iter().filter(|r| r.url.contains("//b.")).collect();
    assert_eq!(to_b.len(), 1);
    assert!(to_b[0].body.contains("\"type\":\"auth.registered\""));
    for request in &sent {
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        let id = header("webhook-id");
        let timestamp: i64 = header("webhook-timestamp").parse().unwrap();
        assert_eq!(timestamp, h.auth.now().unix_timestamp());
        let secret = auth_core::webhooks::WebhookSecret::parse(SECRET).unwrap();
        assert_eq!(
            header("webhook-signature"),
            auth_core::webhooks::sign(&secret, &id, timestamp, &request.body)
        );
        assert_eq!(header("content-type"), "application/json");
    }
    assert!(
        all(&h)
            .await
            .iter()
            .all(|d| d.state == DeliveryState::Delivered)
    );
}

#[tokio::test]
async fn refused_calls_fail_after_the_attempts_and_an_administrator_retries_or_discards() {
    let recorder = Arc::new(Recorder::default());
    *recorder.status.lock().unwrap() = 500;
    let endpoint = WebhookEndpoint::new("https://down.example.test/hook", SECRET)
        .unwrap()
        .only([AuditKind::Registered]);
    let h = hooked(&recorder, vec![endpoint], 2);
    h.register("down@example.com").await;
    let root = h.admin().await;

    assert_eq!(h.auth.deliver_outbox().await.unwrap(), 0);
    h.clock.advance(Duration::seconds(31));
    assert_eq!(h.auth.deliver_outbox().await.unwrap(), 0);
    let listed = all(&h).await;
    let failed: Vec<_> = listed
        .iter()
        .filter(|d| d.event_type == "auth.registered")
        .collect();
    // The two accounts' registrations: the administrator's and this one.
    assert_eq!(failed.len(), 2, "{listed:#?}");
    let failed = failed[0].clone();
    assert_eq!(failed.state, DeliveryState::Failed);
    assert_eq!(failed.attempts, 2);
    assert_eq!(
        failed.last_outcome.as_deref(),
        Some("gave up after 2 attempts; the last one: the endpoint answered HTTP 500")
    );
    // Not sent again by later passes.
    h.clock.advance(Duration::hours(2));
    let before = recorder.sent.lock().unwrap().len();
    h.auth.deliver_outbox().await.unwrap();
    assert_eq!(recorder.sent.lock().unwrap().len(), before);

    // The administrator sees it and puts it back; it goes out with the same id.
    let (shown, total) = h
        .auth
        .admin_webhook_deliveries(&root, Page::default())
        .await
        .unwrap();
    assert!(shown.iter().any(|d| d.id == failed.id));
    assert_eq!(total, shown.len() as u64);
    h.auth
        .admin_retry_webhook(&root, failed.id, &ctx())
        .await
        .unwrap();
    assert!(matches!(
        h.auth.admin_retry_webhook(&root, failed.id, &ctx()).await,
        Err(Error::NotFound)
    ));
    *recorder.status.lock().unwrap() = 204;
    assert_eq!(h.auth.deliver_outbox().await.unwrap(), 1);
    let last = recorder.sent.lock().unwrap().last().cloned().unwrap();
    assert!(
        last.headers
            .contains(&("webhook-id", failed.id.to_string()))
    );
    let trail = h.store.events_for_user(root.user.id, 20).await.unwrap();
    assert!(trail.iter().any(|e| e.kind == AuditKind::WebhookRetried));

    // A failed call is discarded for good; a delivered one is not "failed".
    *recorder.status.lock().unwrap() = 500;
    h.register("again@example.com").await;
    h.auth.deliver_outbox().await.unwrap();
    h.clock.advance(Duration::seconds(31));
    h.auth.deliver_outbox().await.unwrap();
    let failed = all(&h)
        .await
        .into_iter()
        .find(|d| d.state == DeliveryState::Failed)
        .unwrap();
    assert!(matches!(
        h.auth.admin_discard_webhook(&root, failed.id, &ctx()).await,
        Ok(())
    ));
    assert_eq!(h.store.webhook_delivery(failed.id).await.unwrap(), None);
    let delivered = all(&h)
        .await
        .into_iter()
        .find(|d| d.state == DeliveryState::Delivered)
        .unwrap();
    assert!(matches!(
        h.auth
            .admin_discard_webhook(&root, delivered.id, &ctx())
            .await,
        Err(Error::NotFound)
    ));
    // Only administrators.
    let member = h.signed_in("again@example.com").await;
    assert!(matches!(
        h.auth
            .admin_webhook_deliveries(&member, Page::default())
            .await,
        Err(Error::Forbidden)
    ));
}

#[tokio::test]
async fn calls_to_an_endpoint_no_longer_configured_are_given_up() {
    let recorder = Arc::new(Recorder::default());
    let store = Arc::new(MemoryStore::new());
    let endpoint = WebhookEndpoint::new("https://old.example.test/hook", SECRET).unwrap();
    let webhooks = Webhooks::new(recorder.clone(), vec![endpoint]).unwrap();
    let before = Engine::wired(store.clone(), config(), |b, s| {
        b.store(s.clone()).webhooks(webhooks)
    });
    before.register("moved@example.com").await;
    let after = Harness::on(store);
    after.auth.deliver_outbox().await.unwrap();
    let listed = all(&after).await;
    assert!(!listed.is_empty());
    for d in listed {
        assert_eq!(d.state, DeliveryState::Failed);
        assert_eq!(
            d.last_outcome.as_deref(),
            Some("gave up: the endpoint is no longer configured")
        );
    }
    assert!(recorder.sent.lock().unwrap().is_empty());
}
