//! Latency and throughput of the hot paths against the test server, printed for
//! docs/redis-store.md. Ignored by default (timing on a shared machine is noisy); run with
//! `cargo test -p auth-store-redis --release --test measure -- --ignored --nocapture`.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions: a step that fails panics, naming it"
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use auth_core::{
    CounterStore, PasswordHash, SessionRecord, SessionStore, SessionToken, SessionUserStore, User,
    UserSearch, UserStore,
};
use time::OffsetDateTime;

fn user(i: usize) -> User {
    let u = common::user(&format!("m{i}"));
    User {
        username: Some(format!("m{i}_{}", uuid::Uuid::new_v4().simple())),
        password_hash: PasswordHash::new(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdGluZXNz$aGFzaGluZXNzaGFzaGluZXNz",
        ),
        email_verified_at: Some(u.created_at),
        roles: vec!["user".to_owned()],
        ..u
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p) as usize]
}

fn report(what: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    let p50 = percentile(&samples, 0.5);
    eprintln!(
        "{what:<28} n={:<5} p50={:>8.1?} p99={:>8.1?} max={:>8.1?}",
        samples.len(),
        p50,
        percentile(&samples, 0.99),
        samples[samples.len() - 1]
    );
    p50
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing; run by hand"]
async fn hot_path_latency_and_throughput() {
    let url = common::redis_url("hot_path_latency_and_throughput");
    let config = common::config(&url);
    let prefix = config.prefix().to_owned();
    let store = Arc::new(common::connect(config).await);
    const N: usize = 2000;

    let mut users = Vec::new();
    let mut samples = Vec::new();
    for i in 0..N {
        let u = user(i);
        let t = Instant::now();
        store.create_user(&u).await.unwrap();
        samples.push(t.elapsed());
        users.push(u);
    }
    let create_user = report("create_user (script)", samples);

    let mut sessions = Vec::new();
    let mut samples = Vec::new();
    for u in &users {
        let now = OffsetDateTime::now_utc();
        let s = SessionRecord {
            digest: SessionToken::generate().digest(),
            user_id: u.id,
            created_at: now,
            last_seen_at: now,
            expires_at: now + time::Duration::hours(1),
            idle_expires_at: now + time::Duration::minutes(30),
            remember: false,
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) measure".to_owned()),
            ip: Some("192.0.2.1".to_owned()),
            amr: vec![auth_core::AuthMethod::Pwd],
            auth_time: now,
            proved_at: now,
        };
        let t = Instant::now();
        store.create_session(&s).await.unwrap();
        samples.push(t.elapsed());
        sessions.push(s);
    }
    report("create_session (script)", samples);

    let mut samples = Vec::new();
    for s in &sessions {
        let t = Instant::now();
        let found = store.session_with_user(&s.digest).await.unwrap();
        samples.push(t.elapsed());
        assert!(found.is_some());
    }
    let authenticate = report("session_with_user (script)", samples);

    let mut samples = Vec::new();
    for s in &sessions {
        let t = Instant::now();
        assert!(store.session(&s.digest).await.unwrap().is_some());
        samples.push(t.elapsed());
    }
    report("session (HMGET)", samples);

    let mut samples = Vec::new();
    let now = OffsetDateTime::now_utc();
    for i in 0..N {
        let t = Instant::now();
        store
            .increment(&format!("rl:{}", i % 50), time::Duration::minutes(1), now)
            .await
            .unwrap();
        samples.push(t.elapsed());
    }
    report("increment (script)", samples);

    // Throughput: 64 concurrent tasks sharing the one multiplexed connection.
    let started = Instant::now();
    let tasks: Vec<_> = (0..64)
        .map(|k| {
            let store = store.clone();
            let digests: Vec<_> = sessions
                .iter()
                .skip(k)
                .step_by(64)
                .map(|s| s.digest)
                .collect();
            tokio::spawn(async move {
                for _ in 0..10 {
                    for d in &digests {
                        assert!(store.session_with_user(d).await.unwrap().is_some());
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    let per_sec = (N * 10) as f64 / elapsed.as_secs_f64();
    eprintln!(
        "session_with_user, 64 tasks: {} calls in {elapsed:.2?} = {per_sec:.0}/s",
        N * 10
    );

    // Search cost: a full scan of N users.
    let t = Instant::now();
    let n = store
        .count_users(Some(&UserSearch::text("m1999-")))
        .await
        .unwrap();
    eprintln!("count_users(search) over {N} users: {:.2?}", t.elapsed());
    assert_eq!(n, 1);

    assert!(create_user < Duration::from_millis(20));
    assert!(authenticate < Duration::from_millis(20));
    common::cleanup(&url, &prefix).await;
}
