//! Behaviour specific to the Redis store, beyond the conformance kit: native expiry, the
//! key layout under the prefix, lazy index cleanup, caps, search, configuration, TLS.
//! Needs `AUTH_TEST_REDIS_URL` (see `common::redis_url`).
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use auth_core::{ApiKeyRecord, ApiKeyStore, ApiKeyToken, AuditSink, Page, RevisionStore};
use auth_core::{
    AuditEvent, AuditKind, CounterStore, Error, SessionRecord, SessionStore, SessionToken,
    SessionUserStore, User, UserId, UserSearch, UserStore,
};
use auth_store_redis::{RedisConfig, RedisStore};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn user(email: &str, username: Option<&str>) -> User {
    User {
        email: email.to_owned(),
        username: username.map(str::to_owned),
        ..common::user("store")
    }
}

fn session(user_id: UserId, hard: Duration, idle: Duration) -> SessionRecord {
    let t = now();
    SessionRecord {
        digest: SessionToken::generate().digest(),
        user_id,
        created_at: t,
        last_seen_at: t,
        expires_at: t + hard,
        idle_expires_at: t + idle,
        remember: false,
        user_agent: Some("test".to_owned()),
        ip: None,
        amr: vec![auth_core::AuthMethod::Pwd],
        auth_time: t,
        proved_at: t,
    }
}

async fn pttl(url: &str, key: &str) -> i64 {
    let mut con = common::raw(url).await;
    redis::cmd("PTTL")
        .arg(key)
        .query_async(&mut con)
        .await
        .unwrap()
}

/// A store plus what the test needs to look at its keys and clean up.
struct Fixture {
    url: String,
    prefix: String,
    store: RedisStore,
}

impl Fixture {
    async fn new(test: &str) -> Self {
        Self::with(test, |c| c).await
    }

    async fn with(test: &str, tweak: impl FnOnce(RedisConfig) -> RedisConfig) -> Self {
        let url = common::redis_url(test);
        let config = tweak(common::config(&url));
        let prefix = config.prefix().to_owned();
        let store = common::connect(config).await;
        Self { url, prefix, store }
    }

    /// What the keys of a slot group start with (see docs/redis-store.md).
    fn group(&self, name: &str) -> String {
        format!("{p}{{{p}{name}}}:", p = self.prefix)
    }

    async fn keys(&self) -> Vec<String> {
        let mut keys = common::keys_under(&self.url, &self.prefix).await;
        keys.sort();
        keys
    }

    async fn cleanup(self) {
        common::cleanup(&self.url, &self.prefix).await;
    }
}

#[test_services::needs(redis)]
#[tokio::test]
async fn sessions_expire_natively_and_touch_extends_expiry() {
    let f = Fixture::new("sessions_expire_natively_and_touch_extends_expiry").await;
    let owner = UserId::new();
    let s = session(owner, Duration::days(1), Duration::milliseconds(1500));
    f.store.create_session(&s).await.unwrap();
    let key = format!("{}session:{}", f.group("accounts"), s.digest.to_hex());
    let ttl = pttl(&f.url, &key).await;
    assert!(
        (1..=1501).contains(&ttl),
        "session PTTL {ttl} should follow the idle expiry"
    );

    // Touch: the idle expiry moves to +1 h, and Redis's expiry with it.
    let t = now();
    f.store
        .touch_session(&s.digest, t, t + Duration::hours(1))
        .await
        .unwrap();
    let ttl = pttl(&f.url, &key).await;
    // Expiries are rounded up to the next millisecond: allow one.
    assert!(ttl > 3_590_000, "touch must push the expiry, PTTL is {ttl}");
    let stored = f.store.session(&s.digest).await.unwrap().unwrap();
    assert_eq!(stored.last_seen_at, t);
    assert_eq!(stored.idle_expires_at, t + Duration::hours(1));
    assert_eq!(stored.expires_at, s.expires_at);

    // The hard limit still caps it.
    let short = session(owner, Duration::milliseconds(800), Duration::hours(1));
    f.store.create_session(&short).await.unwrap();
    f.store
        .touch_session(&short.digest, now(), now() + Duration::days(2))
        .await
        .unwrap();
    let ttl = pttl(
        &f.url,
        &format!("{}session:{}", f.group("accounts"), short.digest.to_hex()),
    )
    .await;
    assert!(
        (1..=801).contains(&ttl),
        "touch must not outlive the hard expiry, PTTL {ttl}"
    );

    // After the wall-clock expiry the session is gone, and listing cleans the index.
    tokio::time::sleep(StdDuration::from_millis(900)).await;
    assert_eq!(f.store.session(&short.digest).await.unwrap(), None);
    let listed = f.store.sessions_for_user(owner, now()).await.unwrap();
    assert_eq!(
        listed.iter().map(|s| s.digest).collect::<Vec<_>>(),
        vec![s.digest]
    );
    let mut con = common::raw(&f.url).await;
    let index: Vec<String> = redis::cmd("ZRANGE")
        .arg(format!("{}user:{owner}:sessions", f.group("accounts")))
        .arg(0)
        .arg(-1)
        .query_async(&mut con)
        .await
        .unwrap();
    assert_eq!(
        index,
        vec![s.digest.to_hex()],
        "the stale index entry must be dropped"
    );
    // The index itself expires with the last of its sessions.
    let index_ttl = pttl(
        &f.url,
        &format!("{}user:{owner}:sessions", f.group("accounts")),
    )
    .await;
    assert!(index_ttl > 3_590_000, "index PTTL {index_ttl}");
    f.cleanup().await;
}

#[test_services::needs(redis)]
#[tokio::test]
async fn counters_expire_natively_and_the_window_is_fixed() {
    let f = Fixture::new("counters_expire_natively_and_the_window_is_fixed").await;
    let t = now();
    let first = f
        .store
        .increment("login:ip:1", Duration::seconds(60), t)
        .await
        .unwrap();
    assert_eq!(first.count, 1);
    assert_eq!(first.expires_at, t + Duration::seconds(60));
    let key = format!("{}counter:login:ip:1", f.group("counters"));
    let ttl = pttl(&f.url, &key).await;
    assert!((59_000..=60_001).contains(&ttl), "counter PTTL {ttl}");
    let later = t + Duration::seconds(30);
    let second = f
        .store
        .increment("login:ip:1", Duration::seconds(60), later)
        .await
        .unwrap();
    assert_eq!(second.count, 2);
    assert_eq!(
        second.expires_at, first.expires_at,
        "later increments keep the window"
    );
    assert!(
        pttl(&f.url, &key).await <= ttl,
        "later increments must not extend the expiry"
    );

    // Real-time expiry by Redis.
    let short = f
        .store
        .increment("short", Duration::milliseconds(300), now())
        .await
        .unwrap();
    assert_eq!(short.count, 1);
    tokio::time::sleep(StdDuration::from_millis(400)).await;
    assert_eq!(f.store.counter("short", now()).await.unwrap(), None);
    assert_eq!(
        pttl(&f.url, &format!("{}counter:short", f.group("counters"))).await,
        -2
    );
    f.cleanup().await;
}

#[test_services::needs(redis)]
#[tokio::test]
async fn counters_are_exact_under_concurrency() {
    let f = Fixture::new("counters_are_exact_under_concurrency").await;
    let store = Arc::new(f.store.clone());
    let t = now();
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .increment("race", Duration::minutes(5), t)
                    .await
                    .unwrap()
                    .count
            })
        })
        .collect();
    let mut seen = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=200).collect::<Vec<u64>>());
    assert_eq!(
        f.store.counter("race", t).await.unwrap().unwrap().count,
        200
    );
    f.cleanup().await;
}

#[test_services::needs(redis)]
#[tokio::test]
async fn every_key_lives_under_the_prefix_and_delete_user_leaves_nothing() {
    let f = Fixture::new("every_key_lives_under_the_prefix").await;
    let u = user(&format!("a-{}@example.test", Uuid::new_v4()), Some("alice"));
    f.store.create_user(&u).await.unwrap();
    let s1 = session(u.id, Duration::days(1), Duration::hours(2));
    let s2 = session(u.id, Duration::days(1), Duration::hours(2));
    f.store.create_session(&s1).await.unwrap();
    f.store.create_session(&s2).await.unwrap();
    let token = ApiKeyToken::generate();
    let key = ApiKeyRecord {
        id: token.id().to_owned(),
        digest: token.digest(),
        user_id: u.id,
        name: "backup".into(),
        scopes: vec!["read:profile".into()],
        created_at: now(),
        expires_at: None,
        last_used_at: None,
        last_used_ip: None,
    };
    f.store.create_api_key(&key).await.unwrap();
    let a = f.group("accounts");
    assert_eq!(
        f.keys().await,
        {
            let mut expected = vec![
                format!("{a}apikey:{}", key.digest.to_hex()),
                format!("{a}apikey-id:{}", key.id),
                format!("{a}user:{}:apikeys", u.id),
                format!("{a}email:{}", u.email),
                format!("{a}session:{}", s1.digest.to_hex()),
                format!("{a}session:{}", s2.digest.to_hex()),
                format!("{a}sessions:expiry"),
                format!("{a}user:{}", u.id),
                format!("{a}user:{}:sessions", u.id),
                format!("{a}username:alice"),
                format!("{a}users"),
            ];
            expected.sort();
            expected
        },
        "the key layout documented in docs/redis-store.md"
    );

    // One round trip for session + user.
    let (loaded, owner) = f
        .store
        .session_with_user(&s1.digest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((loaded, owner), (s1.clone(), u.clone()));

    assert_eq!(
        f.store.api_key(&key.digest).await.unwrap(),
        Some(key.clone())
    );

    // Deleting the user deletes its sessions, API keys, indexes and unique claims.
    assert!(matches!(
        f.store.delete_user(u.id, 2).await,
        Err(Error::StaleVersion)
    ));
    f.store.delete_user(u.id, 1).await.unwrap();
    assert_eq!(
        f.keys().await,
        Vec::<String>::new(),
        "nothing may be left behind"
    );
    assert_eq!(f.store.session(&s1.digest).await.unwrap(), None);
    assert_eq!(f.store.session_with_user(&s2.digest).await.unwrap(), None);
    assert_eq!(f.store.api_key(&key.digest).await.unwrap(), None);
    // The email and username are free again.
    let again = user(&u.email, Some("alice"));
    f.store.create_user(&again).await.unwrap();
    f.cleanup().await;
}

#[test_services::needs(redis)]
#[tokio::test]
async fn prefixes_isolate_stores() {
    let a = Fixture::new("prefixes_isolate_stores").await;
    let b = Fixture::new("prefixes_isolate_stores").await;
    let u = user("shared@example.test", None);
    a.store.create_user(&u).await.unwrap();
    assert_eq!(b.store.user_by_email(&u.email).await.unwrap(), None);
    // The same email is free under the other prefix.
    b.store
        .create_user(&user("shared@example.test", None))
        .await
        .unwrap();
    assert_eq!(a.store.count_users(None).await.unwrap(), 1);
    assert_eq!(b.store.count_users(None).await.unwrap(), 1);
    a.cleanup().await;
    b.cleanup().await;
}

#[test_services::needs(redis)]
#[tokio::test]
async fn search_is_case_insensitive_paged_and_ordered() {
    let f = Fixture::new("search_is_case_insensitive_paged_and_ordered").await;
    let mut created = Vec::new();
    for i in 0..25 {
        let name = if i % 2 == 0 {
            format!("Even{i}")
        } else {
            format!("odd{i}")
        };
        let mut u = user(
            &format!("{}@example.test", name.to_lowercase()),
            Some(&name),
        );
        u.created_at = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000) + Duration::seconds(i);
        f.store.create_user(&u).await.unwrap();
        created.push(u);
    }
    assert_eq!(f.store.count_users(None).await.unwrap(), 25);
    assert_eq!(
        f.store
            .count_users(Some(&UserSearch::text("EVEN")))
            .await
            .unwrap(),
        13
    );
    assert_eq!(
        f.store
            .count_users(Some(&UserSearch::text("odd1")))
            .await
            .unwrap(),
        6
    ); // 1, 11, 13, 15, 17, 19
    assert_eq!(
        f.store
            .count_users(Some(&UserSearch::text("nobody")))
            .await
            .unwrap(),
        0
    );

    let page = f
        .store
        .list_users(
            Some(&UserSearch::text("even")),
            Page {
                offset: 2,
                limit: 3,
            },
        )
        .await
        .unwrap();
    let names: Vec<_> = page.iter().map(|u| u.username.clone().unwrap()).collect();
    assert_eq!(names, ["Even4", "Even6", "Even8"]);

    let all = f
        .store
        .list_users(
            None,
            Page {
                offset: 20,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(all, created[20..].to_vec(), "oldest first, paged");
    f.cleanup().await;
}

#[test_services::needs(redis)]
#[tokio::test]
async fn audit_keeps_the_newest_events_up_to_the_cap() {
    let f = Fixture::with("audit_keeps_the_newest_events_up_to_the_cap", |c| {
        c.audit_cap(5)
    })
    .await;
    let who = UserId::new();
    let t = now();
    let mut events = Vec::new();
    for i in 0..8 {
        let e = AuditEvent {
            id: Uuid::now_v7(),
            at: t + Duration::seconds(i),
            kind: AuditKind::LoginFailed,
            user_id: Some(who),
            actor_id: None,
            ip: Some("192.0.2.1".to_owned()),
            detail: Some(format!("attempt {i}")),
        };
        f.store.record(&e).await.unwrap();
        events.push(e);
    }
    let listed = f.store.events_for_user(who, 100).await.unwrap();
    let expected: Vec<_> = events.iter().rev().take(5).cloned().collect();
    assert_eq!(listed, expected);
    assert_eq!(
        f.store.events_for_user(who, 2).await.unwrap(),
        expected[..2].to_vec()
    );
    f.cleanup().await;
}

#[test_services::needs(redis)]
#[tokio::test]
async fn purges_clean_index_entries_of_natively_expired_records() {
    let f = Fixture::new("purges_clean_index_entries").await;
    let owner = UserId::new();
    let gone = session(owner, Duration::milliseconds(200), Duration::hours(1));
    f.store.create_session(&gone).await.unwrap();
    f.store
        .increment("c", Duration::milliseconds(200), now())
        .await
        .unwrap();
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(f.store.purge_expired_sessions(now()).await.unwrap(), 1);
    assert_eq!(f.store.purge_expired_counters(now()).await.unwrap(), 1);
    assert_eq!(
        f.keys().await,
        Vec::<String>::new(),
        "indexes must be empty"
    );
    f.cleanup().await;
}

#[test_services::needs(redis)]
#[tokio::test]
async fn purges_past_one_round_trip_and_keeps_the_live() {
    // One purge round trip examines 500 index entries: 1 201 dead counters and sessions
    // take three, and the live ones stay.
    let f = Fixture::new("purges_past_one_round_trip").await;
    let owner = UserId::new();
    for i in 0..1201 {
        f.store
            .increment(&format!("dead{i}"), Duration::milliseconds(200), now())
            .await
            .unwrap();
        let dead = session(owner, Duration::milliseconds(200), Duration::hours(1));
        f.store.create_session(&dead).await.unwrap();
    }
    f.store
        .increment("live", Duration::hours(1), now())
        .await
        .unwrap();
    let live = session(owner, Duration::hours(1), Duration::hours(1));
    f.store.create_session(&live).await.unwrap();
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(f.store.purge_expired_counters(now()).await.unwrap(), 1201);
    assert_eq!(f.store.purge_expired_sessions(now()).await.unwrap(), 1201);
    let live_count = f.store.counter("live", now()).await.unwrap();
    assert_eq!(live_count.map(|c| c.count), Some(1));
    let left = f.store.session(&live.digest).await.unwrap();
    assert_eq!(left.map(|s| s.digest), Some(live.digest));
    f.cleanup().await;
}

#[tokio::test]
async fn invalid_configuration_is_refused() {
    let zero = RedisConfig::new("redis://127.0.0.1:6379/").response_timeout(StdDuration::ZERO);
    assert!(matches!(
        RedisStore::connect(zero).await,
        Err(Error::Config(_))
    ));
    let bad_url = RedisConfig::new("http://example.test/");
    assert!(matches!(
        RedisStore::connect(bad_url).await,
        Err(Error::Config(_))
    ));
    let no_audit = RedisConfig::new("redis://127.0.0.1:6379/").audit_cap(0);
    assert!(matches!(
        RedisStore::connect(no_audit).await,
        Err(Error::Config(_))
    ));
}

/// `rediss://` against a server that does not speak TLS: the handshake fails with a
/// typed error in time. Proves that a TLS connection is attempted with a crypto provider
/// (rustls would panic without one) and that a failed handshake is no hang.
#[cfg(feature = "tls")]
#[test_services::needs(redis)]
#[tokio::test]
async fn tls_is_attempted_with_the_ring_provider() {
    let url = common::redis_url("tls_is_attempted_with_the_ring_provider");
    let tls_url = url.replacen("redis://", "rediss://", 1);
    let config = common::config(&tls_url);
    let deadline = config.call_deadline();
    let started = std::time::Instant::now();
    let result = RedisStore::connect(config).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(
            result,
            Err(Error::Unavailable { .. } | Error::Backend { .. })
        ),
        "a TLS handshake with a plain-text server must fail, got {result:?}"
    );
    assert!(
        elapsed < deadline + StdDuration::from_millis(500),
        "took {elapsed:?}"
    );
    assert!(rustls::crypto::CryptoProvider::get_default().is_some());
}

/// Without the `tls` feature a `rediss://` URL is a configuration error, not a panic or
/// a silent plain-text connection.
#[cfg(not(feature = "tls"))]
#[tokio::test]
async fn tls_urls_need_the_tls_feature() {
    let result = RedisStore::connect(RedisConfig::new("rediss://127.0.0.1:6379/")).await;
    assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
}

/// The revision of users and sessions: one key in the accounts group, the same for every
/// store under the prefix; every advance moves it on; lost (as with a restart without
/// persistence), it starts again past every value it held.
#[test_services::needs(redis)]
#[tokio::test]
async fn the_revision_moves_on_with_every_advance_and_past_its_old_values_when_lost() {
    let f = Fixture::new("the_revision_moves_on").await;
    let other = common::connect(RedisConfig::new(&f.url).key_prefix(f.prefix.clone())).await;
    let first = f.store.current_revision().await.unwrap();
    assert_eq!(other.current_revision().await.unwrap(), first);
    let key = format!("{}revision", f.group("accounts"));
    assert_eq!(f.keys().await, vec![key.clone()]);

    let mut seen = vec![first];
    for _ in 0..3 {
        f.store.advance_revision().await.unwrap();
        let now = other.current_revision().await.unwrap();
        assert!(!seen.contains(&now), "{now} was answered before");
        seen.push(now);
    }
    let mut con = common::raw(&f.url).await;
    let () = redis::cmd("DEL")
        .arg(&key)
        .query_async(&mut con)
        .await
        .unwrap();
    let restarted = other.current_revision().await.unwrap();
    assert!(
        seen.iter().all(|&old| restarted > old),
        "{restarted} after {seen:?}"
    );
    // Lost again, and advanced before anyone read it.
    let () = redis::cmd("DEL")
        .arg(&key)
        .query_async(&mut con)
        .await
        .unwrap();
    f.store.advance_revision().await.unwrap();
    assert!(f.store.current_revision().await.unwrap() > restarted);
    f.cleanup().await;
}
