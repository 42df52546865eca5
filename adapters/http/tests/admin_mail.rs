//! Mail the outbox gave up on, as administrators see and handle it: the page
//! `/admin/mail` (linked from the admin area) and the JSON API `/api/admin/mail`.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

use auth_core::{MailKind, Registration, RequestContext};
use auth_http::testkit::{Browser, LayerOnly, PASSWORD, Site};
use http::{Method, StatusCode};
use serde_json::{Value, json};

/// Registers `email` while the mailer refuses everything: its confirmation mail is
/// given up at once.
async fn refused_registration(site: &Site, email: &str) {
    site.mailer().set_rejecting(true);
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
    site.mailer().set_rejecting(false);
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
    html.split("/admin/mail/")
        .skip(1)
        .filter_map(|rest| rest.split_once("/retry\"").map(|(id, _)| id.to_owned()))
        .collect()
}

#[tokio::test]
async fn administrators_see_undelivered_mail_and_retry_or_discard_it() {
    let site = Site::layer();
    refused_registration(&site, "gone@example.com").await;
    refused_registration(&site, "typo@exmaple.com").await;
    let mut admin = signed_in(&site, "root@example.com", &["admin"]).await;

    // Linked from the admin area.
    let users = admin.get("/auth/admin").await;
    assert!(
        users.body.contains("href=\"/auth/admin/mail\""),
        "{}",
        users.body
    );

    let page = admin.get("/auth/admin/mail").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "gone@example.com",
        "typo@exmaple.com",
        "Address confirmation link",
        "2 messages could not be delivered",
        "refuse",
    ] {
        assert!(page.body.contains(text), "{text} missing: {}", page.body);
    }
    assert!(
        !page.body.contains("/auth/verify/"),
        "no link of the mail shows"
    );
    let ids = retry_ids(&page.body);
    assert_eq!(ids.len(), 2, "{}", page.body);

    // Retry the newest (typo@...): back to the list, one left, and the next delivery
    // pass sends it.
    let done = admin
        .post(&format!("/auth/admin/mail/{}/retry", ids[0]), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/auth/admin/mail");
    let page = admin.follow_redirects(done).await;
    assert!(page.body.contains("Done."), "{}", page.body);
    assert_eq!(retry_ids(&page.body), [ids[1].clone()]);
    assert_eq!(site.auth().deliver_outbox().await.unwrap(), 1);
    assert!(
        site.mailer()
            .last_to("typo@exmaple.com", MailKind::Verification)
            .is_some()
    );

    // Retrying it again: it is no longer failed.
    let again = admin
        .post(&format!("/auth/admin/mail/{}/retry", ids[0]), &[])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    // Discard the other: gone for good.
    admin.get("/auth/admin/mail").await;
    let done = admin
        .post(&format!("/auth/admin/mail/{}/discard", ids[1]), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = admin.get("/auth/admin/mail").await;
    assert!(page.body.contains("No undelivered mail."), "{}", page.body);
    assert_eq!(site.auth().deliver_outbox().await.unwrap(), 0);
}

#[tokio::test]
async fn the_page_refuses_strangers_forgeries_and_nonsense() {
    let site = Site::layer();
    refused_registration(&site, "gone@example.com").await;

    let mut anonymous = site.browser();
    let page = anonymous.get("/auth/admin/mail").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location().starts_with("/auth/login"),
        "{}",
        page.location()
    );

    let mut user = signed_in(&site, "user@example.com", &[]).await;
    assert_eq!(
        user.get("/auth/admin/mail").await.status,
        StatusCode::FORBIDDEN
    );

    let mut admin = signed_in(&site, "root@example.com", &["admin"]).await;
    let page = admin.get("/auth/admin/mail").await;
    let id = retry_ids(&page.body).remove(0);
    // Without the CSRF token nothing happens.
    let forged = admin
        .post_raw(&format!("/auth/admin/mail/{id}/discard"), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    // A user who is not an administrator cannot act either.
    user.get("/auth/account").await;
    let refused = user
        .post(&format!("/auth/admin/mail/{id}/discard"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    for path in [
        format!("/auth/admin/mail/{id}/resend"),
        "/auth/admin/mail/not-an-id/retry".to_owned(),
        format!("/auth/admin/mail/{}/retry", uuid_like()),
    ] {
        admin.get("/auth/admin/mail").await;
        assert_eq!(
            admin.post(&path, &[]).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        admin
            .get(&format!("/auth/admin/mail/{id}/retry"))
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    // Paging never overflows: the largest offset is an empty page.
    let page = admin
        .get(&format!("/auth/admin/mail?offset={}", u64::MAX))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(retry_ids(&page.body).is_empty());
    // Still there after all of that.
    let page = admin.get("/auth/admin/mail").await;
    assert_eq!(retry_ids(&page.body), [id]);
}

fn uuid_like() -> &'static str {
    "0192f0c4-7e1a-7000-8000-000000000000"
}

#[tokio::test]
async fn the_json_api_lists_retries_and_discards() {
    let site = Site::layer();
    refused_registration(&site, "gone@example.com").await;
    refused_registration(&site, "other@example.com").await;
    let mut admin = signed_in(&site, "root@example.com", &["admin"]).await;

    let p = admin
        .json(Method::GET, "/auth/api/admin/mail?limit=1", Value::Null)
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let body = p.json();
    assert_eq!(body["total"], 2);
    let mail = body["mail"].as_array().unwrap();
    assert_eq!(mail.len(), 1);
    let first = &mail[0];
    assert_eq!(first["to"], "other@example.com");
    assert_eq!(first["kind"], "verification");
    assert_eq!(first["attempts"], 1);
    for field in ["id", "created_at", "failed_at", "last_error"] {
        assert!(first[field].is_string(), "{field}: {first}");
    }
    assert!(first.get("text").is_none() && first.get("html").is_none());
    let id = first["id"].as_str().unwrap().to_owned();

    let p = admin
        .json(Method::GET, "/auth/api/admin/mail?offset=1", Value::Null)
        .await;
    assert_eq!(p.json()["mail"][0]["to"], "gone@example.com");
    let p = admin
        .json(
            Method::GET,
            &format!("/auth/api/admin/mail?offset={}&limit=0", u64::MAX),
            Value::Null,
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.json()["mail"], json!([]));

    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/mail/{id}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT, "{}", p.body);
    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/mail/{id}/discard"),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.body);
    assert_eq!(p.json()["error"]["code"], "not_found");
    assert_eq!(p.json()["error"]["fields"]["id"]["code"], "unknown");
    let p = admin
        .json(
            Method::POST,
            "/auth/api/admin/mail/not-an-id/retry",
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.body);
    assert_eq!(p.json()["error"]["fields"]["id"]["code"], "malformed");

    let p = admin
        .json(Method::GET, "/auth/api/admin/mail", Value::Null)
        .await;
    let other = p.json()["mail"][0]["id"].as_str().unwrap().to_owned();
    let p = admin
        .json(
            Method::POST,
            &format!("/auth/api/admin/mail/{other}/discard"),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT);
    let p = admin
        .json(Method::GET, "/auth/api/admin/mail", Value::Null)
        .await;
    assert_eq!(p.json()["total"], 0);
    assert_eq!(
        site.auth().deliver_outbox().await.unwrap(),
        1,
        "the retried one"
    );

    // Only administrators.
    let mut user = signed_in(&site, "user@example.com", &[]).await;
    let p = user
        .json(Method::GET, "/auth/api/admin/mail", Value::Null)
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = user
        .json(
            Method::POST,
            &format!("/auth/api/admin/mail/{id}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let mut anonymous = site.browser();
    let p = anonymous
        .json(Method::GET, "/auth/api/admin/mail", Value::Null)
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
}
