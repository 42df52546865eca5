//! Mail that could not be sent waits in Redis sealed: no key or field holds the link
//! token, and an application restarted on the same Redis (a new store connection and a
//! new engine) delivers it exactly as it was composed. Needs `AUTH_TEST_REDIS_URL`.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::sync::Arc;

use auth_core::{
    Auth, CapturingMailer, Config, HashParams, MailOutbox, ManualClock, Registration,
    RegistrationMode, RequestContext,
};
use auth_store_redis::RedisStore;
use time::Duration;

const PASSWORD: &str = "correct horse battery staple";

fn engine(store: RedisStore, clock: &ManualClock) -> (Auth, CapturingMailer) {
    let config = Config::builder()
        .base_url("https://app.test")
        .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
        .hash_params(HashParams::insecure_fast_for_tests())
        .mail_in_background(false)
        .registration(RegistrationMode::RevealConflicts)
        .build()
        .unwrap();
    let mailer = CapturingMailer::new();
    let auth = Auth::builder(config)
        .store(Arc::new(store))
        .mailer(Arc::new(mailer.clone()))
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    (auth, mailer)
}

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
    let clock = ManualClock::default();
    let (auth, mailer) = engine(common::connect(config.clone()).await, &clock);

    mailer.set_failing(true);
    auth.register(
        Registration {
            email: "sealed@example.com".into(),
            username: None,
            password: PASSWORD.into(),
            password_confirm: PASSWORD.into(),
        },
        &RequestContext::default(),
    )
    .await
    .unwrap();
    let composed = mailer.attempted();
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
    drop(auth);
    let restarted_store: RedisStore = common::connect(config).await;
    let (restarted, restarted_mailer) = engine(restarted_store.clone(), &clock);
    clock.advance(Duration::minutes(2));
    assert_eq!(restarted.deliver_outbox().await.unwrap(), 1);
    assert_eq!(restarted_mailer.sent(), composed);
    assert_eq!(restarted_store.pending_count().await.unwrap(), 0);

    common::cleanup(&url, &prefix).await;
}
