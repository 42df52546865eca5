//! Mail that could not be sent waits in Redis sealed: no key or field holds the link
//! token, and an application restarted on the same Redis (a new store connection and a
//! new engine) delivers it exactly as it was composed. Needs `AUTH_TEST_REDIS_URL`.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::sync::Arc;

use auth_core::conformance::engine::Engine;
use auth_core::{CapturingMailer, MailOutbox};
use time::Duration;

/// Every string value under `prefix`, as someone reading the Redis server would see it.
async fn everything_under(url: &str, prefix: &str) -> String {
    let mut con = common::raw(url).await;
    let mut all = String::new();
    for key in common::keys_under(url, prefix).await {
        all.push_str(&key);
        all.push('\n');
        let kind: String = redis::cmd("TYPE")
            .arg(&key)
            .query_async(&mut con)
            .await
            .unwrap();
        let mut command = match kind.as_str() {
            "hash" => redis::cmd("HGETALL"),
            "zset" => redis::cmd("ZRANGE"),
            "string" => redis::cmd("GET"),
            other => panic!("unexpected key type {other} for {key}"),
        };
        command.arg(&key);
        if kind == "zset" {
            command.arg(0).arg(-1);
        }
        let values: Vec<String> = if kind == "string" {
            vec![command.query_async(&mut con).await.unwrap()]
        } else {
            command.query_async(&mut con).await.unwrap()
        };
        all.push_str(&values.join("\n"));
        all.push('\n');
    }
    all
}

#[test_services::needs(redis)]
#[tokio::test]
async fn queued_mail_is_sealed_in_redis_and_survives_a_restart() {
    let test = "queued_mail_is_sealed_in_redis_and_survives_a_restart";
    let url = common::redis_url(test);
    let config = common::config(&url);
    let prefix = config.prefix().to_owned();
    let app = Engine::on(Arc::new(common::connect(config.clone()).await));

    app.mailer.set_failing(true);
    app.register("sealed@example.com").await;
    let composed = app.mailer.attempted();
    assert_eq!(composed.len(), 1);
    let link = CapturingMailer::link_in(&composed[0], "/verify/").unwrap();
    let token = link.rsplit('/').next().unwrap().to_owned();

    let stored = everything_under(&url, &prefix).await;
    assert!(stored.contains("outbox}:msg:"), "{stored}");
    assert!(stored.contains("sealed@example.com"), "{stored}");
    assert!(stored.contains("sealed:v1:k1:"), "{stored}");
    assert!(
        !stored.contains(&token),
        "Redis holds the link token: {stored}"
    );
    assert!(!stored.contains("/auth/verify/"), "{stored}");

    // Restart: a new connection and a new engine on the same prefix.
    drop(app);
    let restarted = Engine::on(Arc::new(common::connect(config).await));
    restarted.clock.advance(Duration::minutes(2));
    assert_eq!(restarted.auth.deliver_outbox().await.unwrap(), 1);
    assert_eq!(restarted.mailer.sent(), composed);
    assert_eq!(restarted.store.pending_count().await.unwrap(), 0);

    common::cleanup(&url, &prefix).await;
}
