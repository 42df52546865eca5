//! The engine's hot flows on each store backend: authenticate (per request), register and
//! login, on the sqlx backends and, for comparison, on Redis (`auth-store-redis`); and on
//! the sqlx backends the cheapest round trip there is (`SqlxStore::ping`, `SELECT 1`),
//! the floor under any per-request check a cache could make instead of the lookup.
//!
//! Argon2 runs with the cheap test parameters so that the store's share of each flow is
//! what is measured (with the default parameters hashing dominates every store alike).
//! SQLite runs on a temporary file; PostgreSQL and MariaDB run when
//! `AUTH_TEST_POSTGRES_URL` / `AUTH_TEST_MYSQL_URL` are set, Redis when `AUTH_TEST_REDIS_URL`
//! is (see docs/benchmarks-stores.md).
//!
//! ```sh
//! source .ci/services.sh && ensure_postgres && ensure_mariadb
//! CARGO_TARGET_DIR=/work/target-sqlx cargo bench -p auth-store-sqlx --bench stores
//! ```

#![expect(
    clippy::expect_used,
    reason = "a bench that cannot set itself up has nothing to report: failing loudly is the point"
)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use auth_core::{
    Auth, Config, Email, HashParams, Login, Mailer, NewUser, RateLimit, RateLimits, Registration,
    RegistrationMode, RequestContext,
};
use auth_store_sqlx::{SqlxStore, SqlxStoreOptions};
use criterion::{Criterion, criterion_group, criterion_main};

const PASSWORD: &str = "correct horse battery staple";

/// Accepts and forgets every message.
struct NullMailer;

#[async_trait]
impl Mailer for NullMailer {
    async fn send(&self, _email: &Email) -> auth_core::Result<()> {
        Ok(())
    }
}

fn ctx() -> RequestContext {
    RequestContext::new(
        Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))),
        Some("auth-store-sqlx-bench".into()),
    )
}

/// A store for every role of the engine.
trait AllStores:
    auth_core::UserStore
    + auth_core::SessionStore
    + auth_core::SessionUserStore
    + auth_core::CounterStore
    + auth_core::EphemeralStore
    + auth_core::MailOutbox
    + auth_core::AuditSink
{
}

impl<S> AllStores for S where
    S: auth_core::UserStore
        + auth_core::SessionStore
        + auth_core::SessionUserStore
        + auth_core::CounterStore
        + auth_core::EphemeralStore
        + auth_core::MailOutbox
        + auth_core::AuditSink
{
}

fn engine<S: AllStores>(store: S) -> Auth {
    // Limits a bench never reaches: it repeats one sign-in thousands of times.
    let never = RateLimit::new(u64::MAX / 4, time::Duration::minutes(1));
    let config = Config::builder()
        .app_name("Bench")
        .base_url("https://bench.test")
        .link_prefix("/auth")
        .signing_key("bench-1", b"bench signing key, thirty-two bytes+".to_vec())
        .hash_params(HashParams::insecure_fast_for_tests())
        .rate_limits(RateLimits {
            login_per_ip: never,
            login_per_identifier: never,
            register_per_ip: never,
            mail_per_ip: never,
            mail_per_address: never,
            email_change_per_account: never,
            token_per_account: never,
            ..RateLimits::default()
        })
        .registration(RegistrationMode::RevealConflicts)
        .mail_in_background(false)
        .build()
        .expect("a config");
    Auth::builder(config)
        .store(Arc::new(store))
        .mailer(Arc::new(NullMailer))
        .build()
        .expect("an engine")
}

fn login(email: &str) -> Login {
    Login {
        login: email.into(),
        password: PASSWORD.into(),
        remember: false,
    }
}

/// A backend: its name, an engine over it, and the sqlx store itself (for `ping`).
type Backend = (&'static str, Auth, Option<SqlxStore>);

fn backends(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> Vec<Backend> {
    let prefix = format!("bench{}_", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let options = || {
        SqlxStoreOptions::new()
            .table_prefix(prefix.clone())
            .migrate_on_connect(true)
    };
    let mut out = Vec::new();
    let file = format!("sqlite://{}", dir.join("bench.db").display());
    let sqlite: SqlxStore = rt
        .block_on(SqlxStore::connect(&file, options()))
        .expect("sqlite");
    out.push(("sqlx_sqlite", engine(sqlite.clone()), Some(sqlite)));
    for (name, var) in [
        ("sqlx_postgres", "AUTH_TEST_POSTGRES_URL"),
        ("sqlx_mariadb", "AUTH_TEST_MYSQL_URL"),
    ] {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => {
                let store = rt
                    .block_on(SqlxStore::connect(&url, options()))
                    .expect(name);
                out.push((name, engine(store.clone()), Some(store)));
            }
            _ => eprintln!("skipping {name}: {var} not set"),
        }
    }
    match std::env::var("AUTH_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => {
            let config =
                auth_store_redis::RedisConfig::new(url).key_prefix(format!("auth-bench:{prefix}:"));
            let store = rt
                .block_on(auth_store_redis::RedisStore::connect(config))
                .expect("redis");
            out.push(("redis", engine(store), None));
        }
        _ => eprintln!("skipping redis: AUTH_TEST_REDIS_URL not set"),
    }
    out
}

fn flows(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, auth, sqlx) in backends(&rt, dir.path()) {
        let email = "ada@example.com";
        rt.block_on(auth.create_user(NewUser {
            email: email.into(),
            username: None,
            password: PASSWORD.into(),
            roles: vec!["user".into()],
            verified: true,
            profile: Default::default(),
        }))
        .expect("a user");
        let signed_in = rt
            .block_on(auth.login(login(email), &ctx()))
            .expect("a session");

        let mut g = c.benchmark_group(name);
        g.bench_function("authenticate", |b| {
            b.to_async(&rt).iter(|| async {
                auth.authenticate(&signed_in.token)
                    .await
                    .expect("no store error")
                    .expect("a live session")
            });
        });
        if let Some(store) = &sqlx {
            g.bench_function("round_trip", |b| {
                b.to_async(&rt)
                    .iter(|| async { store.ping().await.expect("the database answers") });
            });
        }
        let n = AtomicU64::new(0);
        g.bench_function("register", |b| {
            b.to_async(&rt).iter(|| {
                let i = n.fetch_add(1, Ordering::Relaxed);
                let auth = &auth;
                async move {
                    auth.register(
                        Registration {
                            email: format!("user{i}-{}@example.com", uuid::Uuid::new_v4().simple()),
                            username: None,
                            password: PASSWORD.into(),
                            password_confirm: PASSWORD.into(),
                            profile: Default::default(),
                            language: None,
                        },
                        &ctx(),
                    )
                    .await
                    .expect("registration succeeds")
                }
            });
        });
        g.bench_function("login", |b| {
            b.to_async(&rt)
                .iter(|| async { auth.login(login(email), &ctx()).await.expect("login") });
        });
        g.finish();
    }
}

criterion_group!(benches, flows);
criterion_main!(benches);
