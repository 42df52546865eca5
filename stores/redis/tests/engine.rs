//! A mixed deployment end to end: the engine's flows with users, outbox and audit in
//! PostgreSQL (the sqlx store) or in the memory store, and sessions + counters in Redis.
//! The links are read out of the captured mail. Needs `AUTH_TEST_REDIS_URL`, and
//! `AUTH_TEST_POSTGRES_URL` for the PostgreSQL variant (both: see `common::redis_url`);
//! the same flows also run on a throwaway Redis Cluster (`redis-server` and `redis-cli`).
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::sync::Arc;

use auth_core::conformance::email_codes;
use auth_core::conformance::engine::{self, Engine, NEW_PASSWORD, PASSWORD, request as ctx};
use auth_core::{
    AuditSink, ConfigBuilder, EmailCodes, Error, LockoutPolicy, MailKind, MailOutbox,
    PasswordReset, RateLimit, RateLimits, UserStore,
};
use auth_store_memory::MemoryStore;
use auth_store_redis::RedisConfig;
use auth_store_sqlx::{SqlxStore, SqlxStoreOptions};
use common::cluster::Cluster;

/// Where users (with the outbox and the audit trail) live.
enum Users {
    Memory,
    Postgres,
}

/// Where sessions and counters live.
enum Redis {
    /// The shared test server at this URL.
    Shared(String),
    /// A throwaway cluster of three primaries, killed when the test ends.
    Cluster(Cluster),
}

impl Redis {
    async fn cluster() -> Self {
        Self::Cluster(Cluster::start(3, 0).await)
    }
}

/// The user-side stores: users, outbox, audit, and the PostgreSQL store to clean up.
type UserSide = (
    Arc<dyn UserStore>,
    Arc<dyn MailOutbox>,
    Arc<dyn AuditSink>,
    Option<Arc<SqlxStore>>,
);

/// Drops the tables under the store's prefix.
async fn drop_tables(store: &SqlxStore) {
    let pool = store.pg_pool().unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE starts_with(tablename, $1)",
    )
    .bind(store.table_prefix())
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(!tables.is_empty());
    let list = tables
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {list} CASCADE")))
        .execute(pool)
        .await
        .unwrap();
}

/// The stores for users, outbox and audit.
///
/// # Panics
/// When `AUTH_TEST_POSTGRES_URL` is unset for [`Users::Postgres`] (the test carries
/// `#[test_services::needs(postgres)]`, see `common::redis_url`).
async fn user_side(test: &str, users: Users) -> UserSide {
    match users {
        Users::Memory => {
            let m = Arc::new(MemoryStore::new());
            (m.clone(), m.clone(), m, None)
        }
        Users::Postgres => {
            let url = match std::env::var("AUTH_TEST_POSTGRES_URL") {
                Ok(url) if !url.trim().is_empty() => url,
                _ => panic!("{test}: AUTH_TEST_POSTGRES_URL is not set"),
            };
            let prefix = format!(
                "redis_mixed_{}_",
                &uuid::Uuid::new_v4().simple().to_string()[..10]
            );
            let options = SqlxStoreOptions::new()
                .table_prefix(prefix)
                .migrate_on_connect(true);
            let store = match SqlxStore::connect(&url, options).await {
                Ok(store) => Arc::new(store),
                Err(e) => panic!("{test}: cannot use the PostgreSQL test database: {e}"),
            };
            (store.clone(), store.clone(), store.clone(), Some(store))
        }
    }
}
use time::Duration;

/// What a test keeps of a mixed deployment's stores.
struct Stores {
    users: Arc<dyn UserStore>,
    postgres: Option<Arc<SqlxStore>>,
    redis: Redis,
    prefix: String,
}

/// The engine over users in `users` and sessions and counters in `redis`.
type Mixed = Engine<Stores>;

/// On the shared test server.
async fn mixed(test: &str, users: Users, f: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Mixed {
    mixed_on(Redis::Shared(common::redis_url(test)), test, users, f).await
}

async fn mixed_on(
    redis: Redis,
    test: &str,
    users: Users,
    f: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
) -> Mixed {
    let (users, outbox, audit, postgres) = user_side(test, users).await;
    let config = common::fresh(match &redis {
        Redis::Shared(url) => RedisConfig::new(url),
        Redis::Cluster(cluster) => RedisConfig::cluster(cluster.urls()),
    });
    let prefix = config.prefix().to_owned();
    let sessions = Arc::new(common::connect(config).await);
    let stores = Stores {
        users: users.clone(),
        postgres,
        redis,
        prefix,
    };
    Engine::wired(stores, f(engine::config()), |builder, _| {
        builder
            .users(users)
            .outbox(outbox)
            .audit(audit)
            .sessions(sessions.clone())
            .revisions(sessions.clone())
            .counters(sessions.clone())
            .ephemeral(sessions)
    })
}

impl Stores {
    /// The names (inside their slot group) of the keys under the prefix that start with
    /// `kind`.
    async fn redis_keys(&self, kind: &str) -> Vec<String> {
        let keys = match &self.redis {
            Redis::Shared(url) => common::keys_under(url, &self.prefix).await,
            Redis::Cluster(cluster) => cluster.keys_under(&self.prefix).await,
        };
        keys.iter()
            .map(|key| common::key_name(key, &self.prefix))
            .filter(|name| name.starts_with(kind))
            .map(str::to_owned)
            .collect()
    }

    async fn cleanup(self) {
        if let Redis::Shared(url) = &self.redis {
            common::cleanup(url, &self.prefix).await;
        }
        if let Some(store) = &self.postgres {
            drop_tables(store).await;
        }
    }
}

#[test_services::needs(redis, postgres)]
#[tokio::test]
async fn users_in_postgres_sessions_and_counters_in_redis() {
    every_flow(mixed("users in PostgreSQL", Users::Postgres, |c| c).await).await;
}

#[test_services::needs(redis)]
#[tokio::test]
async fn users_in_memory_sessions_and_counters_in_redis() {
    every_flow(mixed("users in memory", Users::Memory, |c| c).await).await;
}

#[test_services::needs(redis_server, redis_cli)]
#[tokio::test]
async fn users_in_memory_sessions_and_counters_in_a_cluster() {
    let redis = Redis::cluster().await;
    every_flow(mixed_on(redis, "cluster", Users::Memory, |c| c).await).await;
}

/// Two instances (engines) over users in PostgreSQL and sessions in Redis, with the
/// revision in Redis: a session's lookup is kept in memory, and a revocation through one
/// instance is refused by the other on its next request.
#[test_services::needs(redis, postgres)]
#[tokio::test]
async fn two_instances_keep_lookups_and_refuse_a_revoked_session_at_once() {
    let test = "two instances";
    let (users, outbox, audit, postgres) = user_side(test, Users::Postgres).await;
    let url = common::redis_url(test);
    let config = common::config(&url);
    let prefix = config.prefix().to_owned();
    let redis = Arc::new(common::connect(config).await);
    let instance = || {
        let (users, outbox, audit, redis) =
            (users.clone(), outbox.clone(), audit.clone(), redis.clone());
        Engine::wired((), engine::config(), move |builder, ()| {
            builder
                .users(users)
                .outbox(outbox)
                .audit(audit)
                .sessions(redis.clone())
                .revisions(redis.clone())
                .counters(redis.clone())
                .ephemeral(redis)
        })
    };
    let (a, b) = (instance(), instance());
    let root = a.admin().await;
    let user = a.registered_and_verified("two@example.com").await;

    let kept = |token| {
        let b = &b;
        async move {
            let first = b.auth.authenticate_shared(token).await.unwrap().unwrap();
            let again = b.auth.authenticate_shared(token).await.unwrap().unwrap();
            assert!(
                Arc::ptr_eq(&first, &again),
                "the second lookup was not kept"
            );
        }
    };
    let s = a.login("two@example.com", PASSWORD).await.unwrap();
    kept(&s.token).await;
    a.auth.logout(&s.token, &ctx()).await.unwrap();
    assert!(
        b.auth
            .authenticate_shared(&s.token)
            .await
            .unwrap()
            .is_none()
    );

    let s = a.login("two@example.com", PASSWORD).await.unwrap();
    kept(&s.token).await;
    a.auth.admin_disable(&root, user.id, &ctx()).await.unwrap();
    assert!(
        b.auth
            .authenticate_shared(&s.token)
            .await
            .unwrap()
            .is_none()
    );

    common::cleanup(&url, &prefix).await;
    if let Some(store) = &postgres {
        drop_tables(store).await;
    }
}

/// Sign in on two devices, revoke one, reset the password by link, log out, delete the
/// account: every session step is checked in Redis, every user step in the user store.
async fn every_flow(m: Mixed) {
    let user = m.registered_and_verified("amy@example.com").await;
    assert!(
        m.store.users.user_by_id(user.id).await.unwrap().is_some(),
        "users live in the user store"
    );
    assert!(
        m.store.redis_keys("user").await.is_empty(),
        "no user data in Redis"
    );

    // Two devices: both sessions are in Redis, under the prefix.
    let a = m.login("amy@example.com", PASSWORD).await.unwrap();
    m.clock.advance(Duration::seconds(1)); // the manual clock stands still otherwise
    let b = m.login("AMY@example.com", PASSWORD).await.unwrap();
    let session_keys = m.store.redis_keys("session:").await;
    assert_eq!(session_keys.len(), 2, "{session_keys:?}");
    assert!(session_keys.contains(&format!("session:{}", a.token.digest().to_hex())));
    let me = m.auth.authenticate(&a.token).await.unwrap().unwrap();
    assert_eq!(me.user.id, user.id);
    let devices = m.auth.sessions(&me).await.unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0].digest, b.token.digest(), "newest first");

    // Revoking the other device ends it server side.
    assert_eq!(m.auth.revoke_other_sessions(&me, &ctx()).await.unwrap(), 1);
    assert!(m.auth.authenticate(&b.token).await.unwrap().is_none());
    assert_eq!(m.store.redis_keys("session:").await.len(), 1);

    // A reset by mailed link ends every session, in Redis.
    m.auth
        .request_password_reset("amy@example.com", &ctx())
        .await
        .unwrap();
    let token = m.token_from_mail("amy@example.com", MailKind::PasswordReset, "/reset/");
    m.auth
        .reset_password(
            PasswordReset {
                token,
                password: NEW_PASSWORD.into(),
                password_confirm: NEW_PASSWORD.into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(m.auth.authenticate(&a.token).await.unwrap().is_none());
    assert!(m.store.redis_keys("session:").await.is_empty());
    assert!(matches!(
        m.login("amy@example.com", PASSWORD).await,
        Err(Error::InvalidCredentials)
    ));

    // Logout deletes the session key.
    let c = m.login("amy@example.com", NEW_PASSWORD).await.unwrap();
    assert_eq!(m.store.redis_keys("session:").await.len(), 1);
    m.auth.logout(&c.token, &ctx()).await.unwrap();
    assert!(m.auth.authenticate(&c.token).await.unwrap().is_none());
    assert!(m.store.redis_keys("session:").await.is_empty());

    // Deleting the account (users in memory) also ends its sessions in Redis.
    let d = m.login("amy@example.com", NEW_PASSWORD).await.unwrap();
    let me = m.auth.authenticate(&d.token).await.unwrap().unwrap();
    m.auth
        .delete_account(&me, NEW_PASSWORD, &ctx())
        .await
        .unwrap();
    assert!(m.auth.authenticate(&d.token).await.unwrap().is_none());
    assert!(m.store.users.user_by_id(user.id).await.unwrap().is_none());
    assert!(m.store.redis_keys("session:").await.is_empty());
    m.store.cleanup().await;
}

/// A lock after three failed sign-ins, and two mails per address and hour.
fn throttled(c: ConfigBuilder) -> ConfigBuilder {
    c.lockout(LockoutPolicy {
        threshold: 3,
        window: Duration::minutes(15),
        base_lock: Duration::minutes(5),
        max_lock: Duration::hours(1),
        ..LockoutPolicy::default()
    })
    .rate_limits(RateLimits {
        mail_per_address: RateLimit::new(2, Duration::hours(1)),
        ..RateLimits::default()
    })
}

#[test_services::needs(redis)]
#[tokio::test]
async fn lockout_and_rate_limits_count_in_redis() {
    throttling(mixed("mixed deployment throttling", Users::Memory, throttled).await).await;
}

#[test_services::needs(redis_server, redis_cli)]
#[tokio::test]
async fn lockout_and_rate_limits_count_in_a_cluster() {
    let redis = Redis::cluster().await;
    throttling(mixed_on(redis, "cluster throttling", Users::Memory, throttled).await).await;
}

/// Sign-in lockout and a mail rate limit, both counted in Redis, both ending on the
/// engine's clock.
async fn throttling(m: Mixed) {
    m.registered_and_verified("ned@example.com").await;
    for _ in 0..2 {
        assert!(matches!(
            m.login("ned@example.com", "wrong password 1").await,
            Err(Error::InvalidCredentials)
        ));
    }
    let third = m
        .login("ned@example.com", "wrong password 1")
        .await
        .unwrap_err();
    assert!(matches!(third, Error::AccountLocked { .. }), "{third:?}");
    assert!(
        !m.store.redis_keys("counter:").await.is_empty(),
        "counters live in Redis"
    );

    // The lock ends with the caller's clock, not Redis's.
    m.clock.advance(Duration::minutes(5));
    m.login("ned@example.com", PASSWORD).await.unwrap();

    // Mail to one address is rate-limited through a Redis counter.
    for _ in 0..2 {
        m.auth
            .request_password_reset("ned@example.com", &ctx())
            .await
            .unwrap();
    }
    let limited = m
        .auth
        .request_password_reset("ned@example.com", &ctx())
        .await
        .unwrap_err();
    assert!(matches!(limited, Error::RateLimited { .. }), "{limited:?}");
    m.store.cleanup().await;
}

/// Sign-in by mail switched on, for the mailed-code scenarios.
fn codes_on(config: ConfigBuilder) -> ConfigBuilder {
    config.email_codes(EmailCodes {
        sign_in: true,
        ..EmailCodes::default()
    })
}

/// Mailed codes and sign-in links (the conformance kit's scenarios), the codes, links
/// and pending sign-ins kept in Redis, the counters too.
#[test_services::needs(redis)]
#[tokio::test]
async fn email_codes_in_redis() {
    let m = mixed("email codes", Users::Memory, codes_on).await;
    email_codes::run(&m).await;
    m.store.cleanup().await;
}

/// The same with the users in PostgreSQL.
#[test_services::needs(redis, postgres)]
#[tokio::test]
async fn email_codes_in_redis_users_in_postgres() {
    let m = mixed("email codes postgres", Users::Postgres, codes_on).await;
    email_codes::run(&m).await;
    m.store.cleanup().await;
}
