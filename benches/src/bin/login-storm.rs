//! A login storm: many concurrent sign-ins with the default Argon2id parameters through
//! the engine (memory store), while another client keeps requesting an authenticated page.
//!
//! ```text
//! cargo run --release -p auth-benches --bin login-storm
//! ```
//!
//! Reports, per storm: login throughput against the ceiling `cores ÷ verify time`, the
//! process's peak resident memory above its level before the storm, and the latency of
//! the other client; and for the whole run, the peak resident memory above the level
//! before the first hash (the verdict: against the bound `max_concurrent_hashes × m`
//! that the hashing semaphore promises, and the `logins × m` that an unbounded server
//! would need). The whole-run figure matters because the hasher may keep its Argon2
//! memory between hashes: then it is allocated before the first storm, which the
//! per-storm figure does not see. That client sends one request every `--probe-every-ms` on a fixed schedule and
//! its latency is counted from the scheduled time, so a stalled executor is not hidden by
//! requests that were simply never sent.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use auth_benches::engine::{self, PASSWORD};
use auth_benches::{memory, stats};
use auth_core::{Auth, HashParams, Hasher, SessionToken};
use clap::Parser;

/// Concurrent logins with the default parameters while another client authenticates.
#[derive(Debug, Parser)]
#[command(name = "login-storm")]
struct Args {
    /// Concurrent logins per storm.
    #[arg(long, default_value_t = 64)]
    logins: usize,
    /// Storms to run (the median is reported too).
    #[arg(long, default_value_t = 3)]
    storms: usize,
    /// Interval of the authenticated client's requests, in milliseconds.
    #[arg(long, default_value_t = 2)]
    probe_every_ms: u64,
    /// Hash verifications timed alone to get the per-hash cost.
    #[arg(long, default_value_t = 10)]
    calibration: usize,
}

struct Storm {
    elapsed: Duration,
    threads: Option<u64>,
    throughput: f64,
    peak_kib: Option<u64>,
    /// Highest peak resident memory seen up to the end of this storm (not only during it).
    peak_abs_kib: Option<u64>,
    probe: Vec<Duration>,
}

fn main() -> auth_benches::Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(&args))
}

async fn run(args: &Args) -> auth_benches::Result<()> {
    let start_rss = memory::rss_kib();
    let params = HashParams::default();
    let auth = engine::engine(params, None)?;
    let cores = Hasher::default_concurrency();
    let permits = auth.hasher().max_concurrent();
    println!(
        "login storm: {} concurrent logins with {} (default), {cores} cores, max_concurrent_hashes = {permits}",
        args.logins,
        params.to_phc_params()
    );

    let mut users = Vec::with_capacity(args.logins);
    for i in 0..args.logins {
        let email = format!("storm{i}@example.com");
        engine::verified_user(&auth, &email).await?;
        users.push(email);
    }
    let reader = engine::verified_user(&auth, "reader@example.com").await?;
    let session = engine::login(&auth, &reader.email).await?.token;

    // The cost of one verification, alone.
    let stored = auth.hasher().hash(PASSWORD).await?;
    let mut alone = Vec::new();
    for _ in 0..args.calibration.max(1) {
        let start = Instant::now();
        let _ = auth.hasher().verify(PASSWORD, &stored).await?;
        alone.push(start.elapsed());
    }
    let verify = stats::median(&mut alone).unwrap_or_default();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a value far below 2^52 converts to f64 exactly"
    )]
    let ceiling = cores as f64 / verify.as_secs_f64().max(1e-9);
    println!(
        "one verification alone: {:.1} ms (median of {}) -> ceiling {ceiling:.1} logins/s",
        stats::ms(verify),
        alone.len()
    );

    // The same, with one verification per core at once: what the hardware gives when
    // every core hashes (shared caches and memory bandwidth included).
    let mut batches = Vec::new();
    for _ in 0..args.calibration.max(1) {
        let start = Instant::now();
        let runs: Vec<_> = (0..cores)
            .map(|_| {
                let h = auth.hasher().clone();
                let stored = stored.clone();
                tokio::spawn(async move { h.verify(PASSWORD, &stored).await.map(|_| ()) })
            })
            .collect();
        for r in runs {
            r.await??;
        }
        batches.push(start.elapsed());
    }
    let batch = stats::median(&mut batches).unwrap_or_default();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a value far below 2^52 converts to f64 exactly"
    )]
    let parallel_ceiling = cores as f64 / batch.as_secs_f64().max(1e-9);
    println!(
        "{cores} verifications at once: {:.1} ms per batch (median of {}) -> {parallel_ceiling:.1} logins/s \
         when every core hashes ({:.0} % of the ceiling)",
        stats::ms(batch),
        batches.len(),
        100.0 * parallel_ceiling / ceiling
    );

    let idle = probe_alone(&auth, &session, args.probe_every_ms).await?;
    let mut idle_lat = idle.clone();
    println!(
        "authenticated client alone: p50 {:.3} ms, p99 {:.3} ms over {} requests",
        stats::ms(stats::quantile(&mut idle_lat, 0.5).unwrap_or_default()),
        stats::ms(stats::quantile(&mut idle_lat, 0.99).unwrap_or_default()),
        idle.len()
    );

    let m_kib = u64::from(params.memory_kib);
    println!();
    println!(
        "| storm | logins/s | of ceiling | peak RSS above start | threads after | p50 / p99 / max latency of the other client (requests) |"
    );
    println!("|---:|---:|---:|---:|---:|---|");
    let mut storms = Vec::new();
    for n in 1..=args.storms.max(1) {
        let mut s = storm(&auth, &users, &session, args.probe_every_ms).await?;
        let (p50, p99, max) = (
            stats::quantile(&mut s.probe, 0.5).unwrap_or_default(),
            stats::quantile(&mut s.probe, 0.99).unwrap_or_default(),
            stats::quantile(&mut s.probe, 1.0).unwrap_or_default(),
        );
        println!(
            "| {n} | {:.2} | {:.0} % | {} | {} | {:.2} / {:.2} / {:.2} ms ({}) |",
            s.throughput,
            100.0 * s.throughput / ceiling,
            s.peak_kib
                .map_or("n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
            s.threads.map_or("n/a".into(), |t| t.to_string()),
            stats::ms(p50),
            stats::ms(p99),
            stats::ms(max),
            s.probe.len(),
        );
        storms.push(s);
    }
    let throughputs: Vec<f64> = storms.iter().map(|s| s.throughput).collect();
    let tput = stats::median_f64(&throughputs).unwrap_or(0.0);
    let mut probe_all: Vec<Duration> = storms
        .iter()
        .flat_map(|s| s.probe.iter().copied())
        .collect();
    let p99 = stats::quantile(&mut probe_all, 0.99).unwrap_or_default();
    let peak = storms.iter().filter_map(|s| s.peak_abs_kib).max();
    let peak = peak.zip(start_rss).map(|(p, s)| p.saturating_sub(s));
    let elapsed: Vec<f64> = storms.iter().map(|s| s.elapsed.as_secs_f64()).collect();
    println!();
    println!(
        "median storm against the all-cores measurement: {:.0} % of {parallel_ceiling:.1}/s",
        100.0 * tput / parallel_ceiling
    );
    println!(
        "median storm: {:.2} s for {} logins = {tput:.2} logins/s = {:.0} % of the ceiling {ceiling:.1}/s (target ≥ 90 %: {})",
        stats::median_f64(&elapsed).unwrap_or(0.0),
        args.logins,
        100.0 * tput / ceiling,
        verdict(tput >= 0.9 * ceiling)
    );
    #[expect(
        clippy::cast_precision_loss,
        reason = "a value far below 2^52 converts to f64 exactly"
    )]
    let bound_mib = (permits as u64 * m_kib) as f64 / 1024.0;
    #[expect(
        clippy::cast_precision_loss,
        reason = "a value far below 2^52 converts to f64 exactly"
    )]
    let unbounded_mib = (args.logins as u64 * m_kib) as f64 / 1024.0;
    match peak {
        Some(k) => println!(
            "peak RSS above the level before the first hash (whole run): {:.1} MiB; semaphore bound {permits} × {} = {bound_mib:.0} MiB; \
             unbounded would be {} × {} = {unbounded_mib:.0} MiB (target: bounded by the semaphore: {})",
            k as f64 / 1024.0,
            auth_benches::report::mib_label(params.memory_kib),
            args.logins,
            auth_benches::report::mib_label(params.memory_kib),
            verdict((k as f64 / 1024.0) < bound_mib * 1.5 + 8.0)
        ),
        None => println!("peak RSS: not available on this system"),
    }
    println!(
        "other client's p99 over all storms: {:.2} ms (target < 20 ms: {})",
        stats::ms(p99),
        verdict(p99 < Duration::from_millis(20))
    );
    Ok(())
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

async fn storm(
    auth: &Auth,
    users: &[String],
    session: &SessionToken,
    every_ms: u64,
) -> auth_benches::Result<Storm> {
    let before = memory::rss_kib();
    let earlier_peak = memory::peak_rss_kib();
    let reset = memory::reset_peak();
    let done = Arc::new(AtomicBool::new(false));
    let probe = tokio::spawn(probe(auth.clone(), session.clone(), every_ms, done.clone()));
    let start = Instant::now();
    let tasks: Vec<_> = users
        .iter()
        .map(|email| {
            let auth = auth.clone();
            let email = email.clone();
            tokio::spawn(async move { engine::login(&auth, &email).await.map(|_| ()) })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    let elapsed = start.elapsed();
    done.store(true, Ordering::Relaxed);
    let probe = probe.await??;
    let peak = if reset { memory::peak_rss_kib() } else { None };
    let threads = memory::threads();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a value far below 2^52 converts to f64 exactly"
    )]
    let throughput = users.len() as f64 / elapsed.as_secs_f64().max(1e-9);
    Ok(Storm {
        elapsed,
        threads,
        throughput,
        peak_kib: peak.zip(before).map(|(p, b)| p.saturating_sub(b)),
        peak_abs_kib: peak.max(earlier_peak),
        probe,
    })
}

/// Authenticates on a fixed schedule until `done`; latency counts from the scheduled time.
async fn probe(
    auth: Auth,
    session: SessionToken,
    every_ms: u64,
    done: Arc<AtomicBool>,
) -> auth_benches::Result<Vec<Duration>> {
    let every = Duration::from_millis(every_ms.max(1));
    let start = tokio::time::Instant::now();
    let mut latencies = Vec::new();
    let mut k: u32 = 0;
    while !done.load(Ordering::Relaxed) {
        let due = start + every * k;
        tokio::time::sleep_until(due).await;
        let who = auth.authenticate(&session).await?;
        if who.is_none() {
            return Err("the authenticated client's session disappeared".into());
        }
        latencies.push(due.elapsed());
        k += 1;
        // Requests that fell behind schedule are sent at once (an open-loop client).
    }
    Ok(latencies)
}

async fn probe_alone(
    auth: &Auth,
    session: &SessionToken,
    every_ms: u64,
) -> auth_benches::Result<Vec<Duration>> {
    let done = Arc::new(AtomicBool::new(false));
    let task = tokio::spawn(probe(auth.clone(), session.clone(), every_ms, done.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    done.store(true, Ordering::Relaxed);
    task.await?
}
