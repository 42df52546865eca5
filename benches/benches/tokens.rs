//! Link tokens (issue and verify, per purpose) and session ids (generate, digest, and the
//! parse + digest that every authenticated request does).
#![expect(
    clippy::expect_used,
    reason = "a bench that cannot set itself up has nothing to report: failing loudly is the point"
)]

use std::hint::black_box;

use auth_benches::engine;
use auth_core::{HashParams, Purpose, SessionToken, TokenKeys, TokenLifetimes, TokenService};
use criterion::{Criterion, criterion_group, criterion_main};
use time::OffsetDateTime;

fn tokens(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let auth = engine::engine(HashParams::insecure_fast_for_tests(), None).expect("an engine");
    let user = rt
        .block_on(engine::verified_user(&auth, "ada@example.com"))
        .expect("a user");
    let keys = TokenKeys::new("k1", b"0123456789abcdef0123456789abcdef").expect("a key");
    let service = TokenService::new(keys, TokenLifetimes::default()).expect("a token service");
    let now = OffsetDateTime::now_utc();

    let mut g = c.benchmark_group("tokens");
    for purpose in [
        Purpose::VerifyEmail,
        Purpose::ResetPassword,
        Purpose::ChangeEmail,
    ] {
        g.bench_function(format!("issue/{}", purpose.as_str()), |b| {
            b.iter(|| service.issue(purpose, black_box(&user), &user.email, now));
        });
        let token = service
            .issue(purpose, &user, &user.email, now)
            .expect("issuing works");
        g.bench_function(format!("verify/{}", purpose.as_str()), |b| {
            b.iter(|| service.verify(black_box(&token), purpose, now));
        });
    }
    g.finish();

    let mut g = c.benchmark_group("session_id");
    g.bench_function("generate", |b| b.iter(SessionToken::generate));
    let token = SessionToken::generate();
    g.bench_function("digest", |b| b.iter(|| black_box(&token).digest()));
    let cookie = token.expose().to_owned();
    g.bench_function("parse_and_digest", |b| {
        b.iter(|| SessionToken::parse(black_box(&cookie)).map(|t| t.digest()));
    });
    g.finish();
}

criterion_group!(benches, tokens);
criterion_main!(benches);
