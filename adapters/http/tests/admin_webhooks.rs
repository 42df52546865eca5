//! Webhook deliveries, as administrators see and handle them: the page
//! `/admin/webhooks` (linked from the admin area) and the JSON API
//! `/api/admin/webhooks`. Real deliveries: the engine queues a call per audit event for
//! the configured endpoint and its outbox pass sends them through a sender that records
//! the requests and answers the status the test sets.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use auth_core::webhooks::{WebhookEndpoint, WebhookRequest, WebhookSender, Webhooks};
use auth_core::{OutboxPolicy, Registration, RequestContext, Result};
use auth_http::testkit::{Browser, LayerOnly, PASSWORD, Site};
use http::{Method, StatusCode};
use serde_json::{Value, json};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ENDPOINT: &str = "https://hooks.example.test/auth-events";

/// Records every request and answers `status`.
#[derive(Debug)]
struct Receiver {
    sent: Mutex<Vec<WebhookRequest>>,
    status: Mutex<u16>,
}

#[async_trait]
impl WebhookSender for Receiver {
    async fn send(&self, request: &WebhookRequest) -> Result<u16> {
        self.sent.lock().unwrap().push(request.clone());
        Ok(*self.status.lock().unwrap())
    }
}

impl Receiver {
    fn answer(&self, status: u16) {
        *self.status.lock().unwrap() = status;
    }
}

/// A site whose engine sends every audit event to [`ENDPOINT`], given up after one
/// failed attempt (so that an outbox pass against a failing endpoint leaves failed
/// deliveries), and its receiver, answering 500 until told otherwise.
fn hooked_site() -> (Site, Arc<Receiver>) {
    let receiver = Arc::new(Receiver {
        sent: Mutex::new(Vec::new()),
        status: Mutex::new(500),
    });
    let endpoint = WebhookEndpoint::new(ENDPOINT, SECRET).unwrap();
    let webhooks = Webhooks::new(receiver.clone(), vec![endpoint]).unwrap();
    let site = Site::layer_with_engine(
        |config| {
            config.outbox_policy(OutboxPolicy {
                max_attempts: 1,
                ..OutboxPolicy::default()
            })
        },
        |engine| engine.webhooks(webhooks),
    );
    (site, receiver)
}

/// Registers `email` through the engine: one `auth.registered` webhook queued.
async fn register(site: &Site, email: &str) {
    site.auth()
        .register(
            Registration {
                email: email.into(),
                username: None,
                password: PASSWORD.into(),
                password_confirm: PASSWORD.into(),
                profile: Default::default(),
                language: None,
            },
            &RequestContext::default(),
        )
        .await
        .unwrap();
}

async fn signed_in(site: &Site, email: &str, roles: &[&str]) -> Browser<LayerOnly> {
    site.user(email, roles, true).await;
    let mut browser = site.browser();
    let page = browser.login(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    browser
}

/// The ids in the page's retry forms, in order.
fn retry_ids(html: &str) -> Vec<String> {
    html.split("/admin/webhooks/")
        .skip(1)
        .filter_map(|rest| rest.split_once("/retry\"").map(|(id, _)| id.to_owned()))
        .collect()
}

/// Every delivery of the JSON listing.
async fn listed(admin: &mut Browser<LayerOnly>) -> Vec<Value> {
    let p = admin
        .json(
            Method::GET,
            "/auth/api/admin/webhooks?limit=200",
            Value::Null,
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    p.json()["deliveries"].as_array().unwrap().clone()
}

fn find<'a>(deliveries: &'a [Value], id: &str) -> &'a Value {
    deliveries
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("{id} not listed: {deliveries:?}"))
}

#[tokio::test]
async fn administrators_see_every_delivery_and_retry_or_discard_the_failed_ones() {
    let (site, receiver) = hooked_site();
    let mut admin = signed_in(&site, "root@example.com", &["admin"]).await;
    register(&site, "ada@example.com").await;
    register(&site, "grace@example.com").await;

    // Linked from the admin area.
    let users = admin.get("/auth/admin").await;
    assert!(
        users.body.contains("href=\"/auth/admin/webhooks\""),
        "{}",
        users.body
    );

    // Queued, not yet sent: pending, with the time of the next attempt, no buttons.
    let page = admin.get("/auth/admin/webhooks").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [
        "Webhook deliveries",
        ENDPOINT,
        "auth.registered",
        "auth.login_succeeded",
        "Pending",
    ] {
        assert!(page.body.contains(text), "{text} missing: {}", page.body);
    }
    assert!(retry_ids(&page.body).is_empty(), "{}", page.body);
    let queued = listed(&mut admin).await;
    assert!(queued.len() >= 3, "{queued:?}");
    assert!(queued.iter().all(|d| d["state"] == "pending"), "{queued:?}");
    assert!(queued.iter().all(|d| d["next_attempt_at"].is_string()));
    let total = queued.len();

    // The endpoint fails: with one attempt allowed, every delivery is given up.
    let sent = site.auth().deliver_outbox().await.unwrap();
    assert_eq!(receiver.sent.lock().unwrap().len(), total, "{sent}");
    let page = admin.get("/auth/admin/webhooks").await;
    for text in [
        "Failed",
        "the endpoint answered HTTP 500",
        &format!("{total} webhook deliveries"),
    ] {
        assert!(page.body.contains(text), "{text} missing: {}", page.body);
    }
    assert!(!page.body.contains(SECRET), "the secret never shows");
    assert!(
        !page.body.contains("webhook-signature") && !page.body.contains("v1,"),
        "no signature shows"
    );
    let ids = retry_ids(&page.body);
    assert_eq!(ids.len(), total, "{}", page.body);
    let failed = listed(&mut admin).await;
    let first = find(&failed, &ids[0]);
    assert_eq!(first["state"], "failed", "{first}");
    assert_eq!(first["attempts"], 1, "{first}");
    assert!(first["finished_at"].is_string(), "{first}");

    // Retry the newest: back to the list with a flash, pending again and due, and the
    // next pass sends it (the endpoint answers now).
    let done = admin
        .post(&format!("/auth/admin/webhooks/{}/retry", ids[0]), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/auth/admin/webhooks");
    let page = admin.follow_redirects(done).await;
    assert!(page.body.contains("Done."), "{}", page.body);
    assert_eq!(retry_ids(&page.body), ids[1..].to_vec());
    let retried = listed(&mut admin).await;
    let again = find(&retried, &ids[0]);
    assert_eq!(again["state"], "pending", "{again}");
    assert!(again["next_attempt_at"].is_string(), "{again}");
    receiver.answer(204);
    site.auth().deliver_outbox().await.unwrap();
    // Sent again (with the audit event of the retry itself), under the same webhook-id.
    let resent = receiver.sent.lock().unwrap()[total..].to_vec();
    assert!(
        resent.iter().any(|r| r
            .headers
            .iter()
            .any(|(name, value)| *name == "webhook-id" && *value == ids[0])),
        "the same webhook-id: {resent:?}"
    );
    let delivered = listed(&mut admin).await;
    let sent_now = find(&delivered, &ids[0]);
    assert_eq!(sent_now["state"], "delivered", "{sent_now}");
    assert_eq!(sent_now["last_outcome"], "HTTP 204", "{sent_now}");
    let page = admin.get("/auth/admin/webhooks").await;
    assert!(page.body.contains("Delivered"), "{}", page.body);

    // Retrying it again: it is no longer failed.
    let again = admin
        .post(&format!("/auth/admin/webhooks/{}/retry", ids[0]), &[])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);

    // Discard the next: gone for good, and never sent.
    admin.get("/auth/admin/webhooks").await;
    let done = admin
        .post(&format!("/auth/admin/webhooks/{}/discard", ids[1]), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = admin.get("/auth/admin/webhooks").await;
    assert!(!page.body.contains(&ids[1]), "{}", page.body);
    assert_eq!(retry_ids(&page.body), ids[2..].to_vec());
    let remaining = listed(&mut admin).await;
    assert!(remaining.iter().all(|d| d["id"] != ids[1].as_str()));
    let before = receiver.sent.lock().unwrap().len();
    site.auth().deliver_outbox().await.unwrap();
    assert!(
        receiver.sent.lock().unwrap()[before..]
            .iter()
            .all(|r| !r.headers.iter().any(|(_, v)| *v == ids[1])),
        "a discarded delivery is not sent"
    );
}

#[tokio::test]
async fn the_page_refuses_strangers_forgeries_and_nonsense() {
    let (site, _receiver) = hooked_site();
    register(&site, "ada@example.com").await;
    site.auth().deliver_outbox().await.unwrap();

    let mut anonymous = site.browser();
    let page = anonymous.get("/auth/admin/webhooks").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location().starts_with("/auth/login"),
        "{}",
        page.location()
    );

    let mut user = signed_in(&site, "user@example.com", &[]).await;
    assert_eq!(
        user.get("/auth/admin/webhooks").await.status,
        StatusCode::FORBIDDEN
    );

    let mut admin = signed_in(&site, "root@example.com", &["admin"]).await;
    let page = admin.get("/auth/admin/webhooks").await;
    let id = retry_ids(&page.body).remove(0);
    // Without the CSRF token nothing happens.
    let forged = admin
        .post_raw(&format!("/auth/admin/webhooks/{id}/discard"), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    // A user who is not an administrator cannot act either.
    user.get("/auth/account").await;
    let refused = user
        .post(&format!("/auth/admin/webhooks/{id}/discard"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // An unknown action, a malformed id and an unknown id: a 404 page (the JSON API
    // names the field and the reason, below).
    for path in [
        format!("/auth/admin/webhooks/{id}/resend"),
        "/auth/admin/webhooks/not-an-id/retry".to_owned(),
        format!("/auth/admin/webhooks/{}/retry", uuid_like()),
    ] {
        admin.get("/auth/admin/webhooks").await;
        let p = admin.post(&path, &[]).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            p.body.contains("There is nothing at this address."),
            "{path}: {}",
            p.body
        );
    }
    assert_eq!(
        admin
            .get(&format!("/auth/admin/webhooks/{id}/retry"))
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        admin.post("/auth/admin/webhooks", &[]).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    // Paging never overflows: the largest offset is an empty page.
    let page = admin
        .get(&format!("/auth/admin/webhooks?offset={}", u64::MAX))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(retry_ids(&page.body).is_empty());
    // Still failed after all of that.
    let page = admin.get("/auth/admin/webhooks").await;
    assert!(retry_ids(&page.body).contains(&id), "{}", page.body);
}

fn uuid_like() -> &'static str {
    "0192f0c4-7e1a-7000-8000-000000000000"
}

#[tokio::test]
async fn without_endpoints_the_page_says_nothing_was_sent() {
    let site = Site::layer();
    let mut admin = signed_in(&site, "root@example.com", &["admin"]).await;
    let page = admin.get("/auth/admin/webhooks").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("No webhook deliveries."),
        "{}",
        page.body
    );
    let p = admin
        .json(Method::GET, "/auth/api/admin/webhooks", Value::Null)
        .await;
    assert_eq!(p.json(), json!({"deliveries": [], "total": 0}));
}

#[tokio::test]
async fn the_json_api_lists_retries_and_discards() {
    let (site, receiver) = hooked_site();
    register(&site, "ada@example.com").await;
    register(&site, "grace@example.com").await;
    site.auth().deliver_outbox().await.unwrap();
    let mut admin = signed_in(&site, "root@example.com", &["admin"]).await;

    let p = admin
        .json(Method::GET, "/auth/api/admin/webhooks?limit=1", Value::Null)
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let body = p.json();
    let total = body["total"].as_u64().unwrap();
    assert!(total >= 3, "two registrations and a sign-in: {body}");
    let deliveries = body["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1);
    // The newest: the administrator's sign-in, queued after the outbox pass.
    let newest = &deliveries[0];
    assert_eq!(newest["url"], ENDPOINT);
    assert_eq!(newest["event_type"], "auth.login_succeeded", "{newest}");
    assert_eq!(newest["state"], "pending", "{newest}");
    assert_eq!(newest["attempts"], 0);
    for field in ["id", "created_at", "next_attempt_at"] {
        assert!(newest[field].is_string(), "{field}: {newest}");
    }
    assert!(newest["finished_at"].is_null(), "{newest}");
    assert!(newest.get("body").is_none() && !body.to_string().contains(SECRET));

    let p = admin
        .json(
            Method::GET,
            "/auth/api/admin/webhooks?offset=1",
            Value::Null,
        )
        .await;
    let older = p.json()["deliveries"].as_array().unwrap().clone();
    assert_eq!(older.len() as u64, total - 1);
    assert!(older.iter().all(|d| d["id"] != newest["id"]), "{older:?}");
    // The newest of those the outbox pass gave up on: the second registration.
    let failed = older.iter().find(|d| d["state"] == "failed").unwrap();
    assert_eq!(failed["attempts"], 1, "{failed}");
    assert_eq!(failed["event_type"], "auth.registered", "{failed}");
    assert_eq!(
        failed["last_outcome"],
        "gave up after 1 attempts; the last one: the endpoint answered HTTP 500"
    );
    assert!(failed["finished_at"].is_string(), "{failed}");
    let id = failed["id"].as_str().unwrap().to_owned();
    let p = admin
        .json(
            Method::GET,
            &format!("/auth/api/admin/webhooks?offset={}&limit=0", u64::MAX),
            Value::Null,
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.json()["deliveries"], json!([]));

    // Retry: pending again, its attempts counted afresh.
    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/webhooks/{id}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT, "{}", p.body);
    let retried = listed(&mut admin).await;
    let again = find(&retried, &id);
    assert_eq!(again["state"], "pending", "{again}");
    assert!(again["finished_at"].is_null(), "{again}");
    // Only a failed delivery can be discarded.
    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/webhooks/{id}/discard"),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.body);
    assert_eq!(p.json()["error"]["code"], "not_found");
    assert_eq!(p.json()["error"]["fields"]["id"]["code"], "unknown");

    // Discard the other failed one: gone.
    let other = retried.iter().find(|d| d["state"] == "failed").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/webhooks/{other}/discard"),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT, "{}", p.body);
    let left = listed(&mut admin).await;
    assert!(left.iter().all(|d| d["id"] != other.as_str()), "{left:?}");
    // One gone, and the discard itself is an audit event, sent like any other.
    assert_eq!(left.len(), retried.len(), "{left:?}");
    assert_eq!(left[0]["event_type"], "auth.webhook_discarded", "{left:?}");

    receiver.answer(200);
    site.auth().deliver_outbox().await.unwrap();
    let sent = listed(&mut admin).await;
    assert_eq!(find(&sent, &id)["state"], "delivered");

    // Nonsense: 404 naming the id and why.
    for (path, code) in [
        (
            "/auth/api/admin/webhooks/not-an-id/retry".to_owned(),
            "malformed",
        ),
        (
            format!("/auth/api/admin/webhooks/{}/discard", uuid_like()),
            "unknown",
        ),
    ] {
        let p = admin.json(Method::POST, &path, json!({})).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}: {}", p.body);
        let error = &p.json()["error"];
        assert_eq!(error["code"], "not_found", "{path}");
        assert_eq!(error["fields"]["id"]["code"], code, "{path}: {error}");
        assert!(error["fields"]["id"]["message"].is_string(), "{error}");
    }
    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/webhooks/{id}/resend"),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = admin
        .json(Method::POST, "/auth/api/admin/webhooks", json!({}))
        .await;
    assert_eq!(p.status, StatusCode::METHOD_NOT_ALLOWED);

    // Only administrators.
    let mut user = signed_in(&site, "user@example.com", &[]).await;
    let p = user
        .json(Method::GET, "/auth/api/admin/webhooks", Value::Null)
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = user
        .json(
            Method::POST,
            &format!("/auth/api/admin/webhooks/{other}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let mut anonymous = site.browser();
    let p = anonymous
        .json(Method::GET, "/auth/api/admin/webhooks", Value::Null)
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
}
