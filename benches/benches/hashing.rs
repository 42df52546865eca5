//! Argon2id through the library's `Hasher` (off the executor, under its semaphore), over
//! the grid memory 8/19/32/64/128 MiB × passes 1–4 × lanes 1–2, hash and verify, plus
//! OWASP's five recommended settings.
//!
//! Settings: flat sampling, 10 samples, 0.2 s warm-up, 1 s target per point. A point that
//! takes longer than 0.1 s per hash is run exactly 10 times (criterion then warns that it
//! cannot finish in 1 s; that is expected). The whole file takes about five minutes on a
//! 2-core machine. Run one group with a filter:
//! `cargo bench -p auth-benches --bench hashing -- argon2id_hash`.
#![expect(
    clippy::expect_used,
    reason = "a bench that cannot set itself up has nothing to report: failing loudly is the point"
)]

use std::time::Duration;

use auth_benches::engine::PASSWORD;
use auth_benches::grid;
use auth_core::{HashParams, Hasher};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use tokio::runtime::Runtime;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

fn configure(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
}

fn hasher(p: HashParams) -> Hasher {
    // One permit: the bench times one hash at a time, as a single login sees it.
    Hasher::new(p, None, 1).expect("grid parameters are valid")
}

fn hash_grid(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group(grid::GROUP_HASH);
    configure(&mut g);
    for p in grid::points() {
        let h = hasher(p);
        g.bench_function(p.to_phc_params(), |b| {
            b.to_async(&rt).iter(|| h.hash(PASSWORD));
        });
    }
    g.finish();
}

fn verify_grid(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group(grid::GROUP_VERIFY);
    configure(&mut g);
    for p in grid::points() {
        let h = hasher(p);
        let stored = rt.block_on(h.hash(PASSWORD)).expect("hashing works");
        g.bench_function(p.to_phc_params(), |b| {
            b.to_async(&rt).iter(|| h.verify(PASSWORD, &stored));
        });
    }
    g.finish();
}

fn owasp(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group(grid::GROUP_OWASP);
    configure(&mut g);
    for p in grid::owasp_points() {
        let h = hasher(p);
        g.bench_function(p.to_phc_params(), |b| {
            b.to_async(&rt).iter(|| h.hash(PASSWORD));
        });
    }
    g.finish();
}

criterion_group!(benches, owasp, hash_grid, verify_grid);
criterion_main!(benches);
