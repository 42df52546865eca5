//! A mixed deployment end to end: users, outbox and audit in PostgreSQL (this crate),
//! sessions and counters in Redis (`auth-store-redis`). Every flow runs through the
//! engine, and the test checks where each record landed. Needs `AUTH_TEST_POSTGRES_URL`
//! and `AUTH_TEST_REDIS_URL`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use auth_core::{
    AuditSink, Auth, CapturingMailer, Error, HashParams, Login, LoginSuccess, MailKind,
    PasswordReset, RegisterOutcome, Registration, RegistrationMode, RequestContext, SessionStore,
    UserStore,
};
use auth_store_redis::{RedisConfig, RedisStore};
use auth_store_sqlx::{SqlxStore, SqlxStoreOptions};
use sqlx::AssertSqlSafe;

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "violet elephants juggle quietly";

fn ctx() -> RequestContext {
    RequestContext::new(
        Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10))),
        Some("mixed-test/1.0".into()),
    )
}

async fn login(auth: &Auth, who: &str, password: &str) -> auth_core::Result<LoginSuccess> {
    auth.login(
        Login {
            login: who.into(),
            password: password.into(),
            remember: false,
        },
        &ctx(),
    )
    .await
}

/// Rows in one of the SQL store's tables.
async fn rows(sql: &SqlxStore, table: &str) -> i64 {
    let statement = format!("SELECT COUNT(*) FROM {}{table}", sql.table_prefix());
    sqlx::query_scalar(AssertSqlSafe(statement))
        .fetch_one(sql.pg_pool().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_in_postgres_sessions_and_counters_in_redis() {
    let (Some(pg_url), Some(redis_url)) = (
        common::server_url(common::POSTGRES),
        common::server_url("AUTH_TEST_REDIS_URL"),
    ) else {
        return;
    };
    let sql = Arc::new(
        common::connect(
            &pg_url,
            SqlxStoreOptions::new().table_prefix(common::unique_prefix("mixed_")),
        )
        .await,
    );
    let redis = Arc::new(
        RedisStore::connect(RedisConfig::new(redis_url).key_prefix(format!(
            "auth-sqlx-mixed-{}:",
            uuid::Uuid::new_v4().simple()
        )))
        .await
        .expect("the test Redis server is reachable"),
    );
    let mail = CapturingMailer::new();
    let config = auth_core::Config::builder()
        .app_name("Mixed")
        .base_url("https://app.test")
        .link_prefix("/auth")
        .signing_key("k1", b"0123456789abcdef0123456789abcdef".to_vec())
        .hash_params(HashParams::insecure_fast_for_tests())
        .mail_in_background(false)
        .registration(RegistrationMode::RevealConflicts)
        .build()
        .unwrap();
    let auth = Auth::builder(config)
        .users(sql.clone())
        .outbox(sql.clone())
        .audit(sql.clone())
        .sessions(redis.clone())
        .counters(redis.clone())
        .mailer(Arc::new(mail.clone()))
        .build()
        .unwrap();
    let token_in_mail = |to: &str, kind: MailKind, marker: &str| {
        let m = mail.last_to(to, kind).unwrap();
        let link = CapturingMailer::link_in(&m, marker).unwrap();
        link.rsplit('/').next().unwrap().to_owned()
    };

    // Register and verify: the user lives in PostgreSQL.
    let email = "mia@example.com";
    let outcome = auth
        .register(
            Registration {
                email: email.into(),
                username: None,
                password: PASSWORD.into(),
                password_confirm: PASSWORD.into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, RegisterOutcome::Created(_)));
    let user = auth
        .verify_email(
            &token_in_mail(email, MailKind::Verification, "/verify/"),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(
        sql.user_by_id(user.id)
            .await
            .unwrap()
            .unwrap()
            .is_verified()
    );

    // Two devices: sessions in Redis, none in PostgreSQL; rate-limit counters likewise.
    let a = login(&auth, email, PASSWORD).await.unwrap();
    let b = login(&auth, email, PASSWORD).await.unwrap();
    assert!(redis.session(&a.token.digest()).await.unwrap().is_some());
    assert_eq!(
        redis
            .sessions_for_user(user.id, auth.now())
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(rows(&sql, "sessions").await, 0, "no session in SQL");
    assert_eq!(rows(&sql, "counters").await, 0, "no counter in SQL");
    let signed_in = auth
        .authenticate(&a.token)
        .await
        .unwrap()
        .expect("device a");
    assert_eq!(signed_in.user.id, user.id);
    assert_eq!(auth.sessions(&signed_in).await.unwrap().len(), 2);

    // Logout one device; reset the password by the mailed link, which ends the other.
    auth.logout(&b.token, &ctx()).await.unwrap();
    assert!(redis.session(&b.token.digest()).await.unwrap().is_none());
    auth.request_password_reset(email, &ctx()).await.unwrap();
    let reset = token_in_mail(email, MailKind::PasswordReset, "/reset/");
    auth.reset_password(
        PasswordReset {
            token: reset,
            password: NEW_PASSWORD.into(),
            password_confirm: NEW_PASSWORD.into(),
        },
        &ctx(),
    )
    .await
    .unwrap();
    assert!(auth.authenticate(&a.token).await.unwrap().is_none());
    assert!(matches!(
        login(&auth, email, PASSWORD).await,
        Err(Error::InvalidCredentials)
    ));
    let c = login(&auth, email, NEW_PASSWORD).await.unwrap();

    // The audit trail is in PostgreSQL.
    let events = sql.events_for_user(user.id, 50).await.unwrap();
    assert!(events.len() >= 5, "{events:?}");

    // Deleting the account removes the user from PostgreSQL and the sessions from Redis.
    let signed_in = auth.authenticate(&c.token).await.unwrap().unwrap();
    auth.delete_account(&signed_in, NEW_PASSWORD, &ctx())
        .await
        .unwrap();
    assert!(sql.user_by_id(user.id).await.unwrap().is_none());
    assert!(redis.session(&c.token.digest()).await.unwrap().is_none());
    assert!(auth.authenticate(&c.token).await.unwrap().is_none());
}
