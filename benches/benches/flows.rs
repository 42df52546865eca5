//! Engine flows over the memory store: register, login, authenticate (per request),
//! logout.
//!
//! These benches are about the engine, not about Argon2: they use the cheap test
//! parameters (`m=64 KiB,t=1`), so that the flow's own cost (validation, the password
//! policy, the store, sessions, mail composition, audit) is visible. One extra bench,
//! `login_default_params`, signs in with the default `m=19456,t=2,p=1` to show that
//! hashing then dominates.
#![expect(
    clippy::expect_used,
    reason = "a bench that cannot set itself up has nothing to report: failing loudly is the point"
)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use auth_benches::engine::{self, PASSWORD, ctx};
use auth_core::{HashParams, Registration};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

fn flows(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let auth = engine::engine(HashParams::insecure_fast_for_tests(), None).expect("an engine");
    rt.block_on(engine::verified_user(&auth, "ada@example.com"))
        .expect("a user");
    let signed_in = rt
        .block_on(engine::login(&auth, "ada@example.com"))
        .expect("a session");

    let mut g = c.benchmark_group("flows");
    let n = AtomicU64::new(0);
    g.bench_function("register", |b| {
        b.to_async(&rt).iter(|| {
            let i = n.fetch_add(1, Ordering::Relaxed);
            let auth = &auth;
            async move {
                auth.register(
                    Registration {
                        email: format!("user{i}@example.com"),
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
        b.to_async(&rt).iter(|| async {
            engine::login(&auth, "ada@example.com")
                .await
                .expect("login")
        });
    });
    g.bench_function("authenticate", |b| {
        b.to_async(&rt).iter(|| async {
            auth.authenticate(&signed_in.token)
                .await
                .expect("no store error")
                .expect("a live session")
        });
    });
    g.bench_function("logout", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let auth = &auth;
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let s = engine::login(auth, "ada@example.com").await.expect("login");
                    let start = Instant::now();
                    auth.logout(&s.token, &ctx()).await.expect("logout");
                    total += start.elapsed();
                }
                total
            }
        });
    });
    g.finish();

    let slow = engine::engine(HashParams::default(), None).expect("an engine");
    rt.block_on(engine::verified_user(&slow, "bob@example.com"))
        .expect("a user");
    let mut g = c.benchmark_group("flows_default_params");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(2));
    g.bench_function("login_default_params", |b| {
        b.to_async(&rt).iter(|| async {
            engine::login(&slow, "bob@example.com")
                .await
                .expect("login")
        });
    });
    g.finish();
}

criterion_group!(benches, flows);
criterion_main!(benches);
