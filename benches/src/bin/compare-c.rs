//! Our Argon2id hasher against C Argon2 at equal parameters, in one run, alternating.
//!
//! ```text
//! benches/scripts/build-native-libargon2.sh /work/target-bench/libargon2-native.so
//! ARGON2_NATIVE_LIB=/work/target-bench/libargon2-native.so \
//!   cargo run --release -p auth-benches --bin compare-c
//! ```
//!
//! Sides: `ours` (the library's `Hasher` with its default permits, one per CPU: NFKC, a
//! fresh salt, `spawn_blocking` under the semaphore, lanes on as many threads as permits
//! allow, the PHC string), `auth-argon2` (the toolkit's Argon2 that the `Hasher` runs,
//! called directly on this thread with a reused `Memory`, lanes one after the other, to
//! show the wrapper's overhead and what threads bring at `p > 1`), at `p > 1` also
//! `auth-argon2 (direct, p threads)` (the same with its lanes on `p` threads, as the
//! `Hasher` computes them, so that the wrapper's cost and the threads' gain can be told
//! apart), `argon2-crate` (RustCrypto `argon2` called directly on this thread, as an
//! application without the toolkit would), and the C implementations that
//! `benches/scripts/argon2_worker.py` times inside a long-lived Python process:
//! `native` (libargon2's opt.c built with `-march=native`), `cffi` (argon2-cffi's wheel,
//! SSE2) and `debian` (Debian's libargon2, the portable reference build). Every hash is
//! timed in the process that computes it, around the hash call only.
//!
//! Each round runs every side `--per-round` times, in an order that is reversed every
//! other round; the ratio reported is the median over rounds of ours ÷ theirs within the
//! same round, so a noisy machine slows both sides of a ratio alike.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, Version};
use auth_benches::engine::PASSWORD;
use auth_benches::{grid, stats};
use auth_core::{HashParams, Hasher};
use clap::Parser;
use tokio::runtime::Runtime;

/// Compares our Argon2id with C implementations, alternating, in one run.
#[derive(Debug, Parser)]
#[command(name = "compare-c")]
struct Args {
    /// Parameter sets, separated by `;`.
    #[arg(
        long,
        default_value = "m=19456,t=2,p=1;m=65536,t=1,p=1;m=19456,t=2,p=2"
    )]
    params: String,
    /// C implementations to time (any of native, cffi, debian).
    #[arg(long, default_value = "native,cffi,debian", value_delimiter = ',')]
    impls: Vec<String>,
    /// Rounds per parameter set.
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// Hashes per side per round.
    #[arg(long, default_value_t = 3)]
    per_round: usize,
    /// The Python interpreter that runs the worker.
    #[arg(long, default_value = "python3")]
    python: String,
    /// The worker script.
    #[arg(long, default_value = "benches/scripts/argon2_worker.py")]
    worker: String,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    fn start(python: &str, script: &str) -> auth_benches::Result<Self> {
        let mut child = Command::new(python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting {python} {script}: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Self {
            child,
            stdin,
            stdout,
        })
    }

    fn time(
        &mut self,
        implementation: &str,
        p: &HashParams,
        n: usize,
    ) -> auth_benches::Result<Vec<Duration>> {
        let request = serde_json::json!({
            "impl": implementation, "m": p.memory_kib, "t": p.iterations, "p": p.parallelism, "n": n,
        });
        writeln!(self.stdin, "{request}")?;
        self.stdin.flush()?;
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            return Err("the worker exited".into());
        }
        let answer: serde_json::Value = serde_json::from_str(&line)?;
        if let Some(e) = answer.get("error").and_then(serde_json::Value::as_str) {
            return Err(e.to_owned().into());
        }
        let ns = answer
            .get("ns")
            .and_then(serde_json::Value::as_array)
            .ok_or("the worker's answer has no times")?;
        Ok(ns
            .iter()
            .filter_map(serde_json::Value::as_u64)
            .map(Duration::from_nanos)
            .collect())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

enum Side {
    Ours(Hasher),
    /// The crate called directly, its lanes on this many threads.
    Direct(
        auth_argon2::Params,
        std::cell::RefCell<auth_argon2::Memory>,
        usize,
    ),
    Crate(Params),
    C(String),
}

impl Side {
    fn name(&self) -> String {
        match self {
            Self::Ours(_) => "ours (Hasher)".into(),
            Self::Direct(_, _, 1) => "auth-argon2 (direct)".into(),
            Self::Direct(_, _, threads) => format!("auth-argon2 (direct, {threads} threads)"),
            Self::Crate(_) => "argon2-crate".into(),
            Self::C(name) => format!("C {name}"),
        }
    }

    fn time(
        &self,
        rt: &Runtime,
        worker: &mut Worker,
        p: &HashParams,
        n: usize,
    ) -> auth_benches::Result<Vec<Duration>> {
        let mut out = Vec::with_capacity(n);
        match self {
            Self::Ours(h) => {
                for _ in 0..n {
                    let start = Instant::now();
                    rt.block_on(h.hash(PASSWORD))?;
                    out.push(start.elapsed());
                }
            }
            Self::Direct(params, memory, threads) => {
                let a = auth_argon2::Argon2::new(
                    auth_argon2::Algorithm::Argon2id,
                    auth_argon2::Version::V0x13,
                    *params,
                )
                .with_threads(*threads);
                let salt = *b"0123456789abcdef";
                let mut tag = [0u8; 32];
                let mut memory = memory.borrow_mut();
                for _ in 0..n {
                    let start = Instant::now();
                    a.hash_into(PASSWORD.as_bytes(), &salt, &mut tag, &mut memory)?;
                    std::hint::black_box(&tag);
                    out.push(start.elapsed());
                }
            }
            Self::Crate(params) => {
                let a = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
                let salt = *b"0123456789abcdef";
                for _ in 0..n {
                    let start = Instant::now();
                    let phc = a
                        .hash_password_with_salt(PASSWORD.as_bytes(), &salt)
                        .map_err(|e| format!("argon2: {e}"))?;
                    std::hint::black_box(phc.to_string());
                    out.push(start.elapsed());
                }
            }
            Self::C(name) => out = worker.time(name, p, n)?,
        }
        Ok(out)
    }
}

fn main() -> auth_benches::Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut worker = Worker::start(&args.python, &args.worker)?;
    let sets: Vec<HashParams> = args
        .params
        .split(';')
        .map(|s| grid::parse_phc_params(s).ok_or_else(|| format!("bad parameters {s:?}")))
        .collect::<Result<_, _>>()?;

    println!("| parameters | implementation | median per hash | ours ÷ it (median of rounds) |");
    println!("|---|---|---:|---:|");
    let mut verdicts = Vec::new();
    for p in &sets {
        let mut sides = vec![
            Side::Ours(Hasher::new(*p, None, Hasher::default_concurrency())?),
            Side::Direct(
                auth_argon2::Params::new(p.memory_kib, p.iterations, p.parallelism)?,
                std::cell::RefCell::new(auth_argon2::Memory::new()),
                1,
            ),
            Side::Crate(
                Params::new(p.memory_kib, p.iterations, p.parallelism, Some(32))
                    .map_err(|e| format!("{e}"))?,
            ),
        ];
        if p.parallelism > 1 {
            sides.push(Side::Direct(
                auth_argon2::Params::new(p.memory_kib, p.iterations, p.parallelism)?,
                std::cell::RefCell::new(auth_argon2::Memory::new()),
                usize::try_from(p.parallelism)?,
            ));
        }
        for name in &args.impls {
            // Warm-up doubles as the availability check.
            match worker.time(name, p, 1) {
                Ok(_) => sides.push(Side::C(name.clone())),
                Err(e) => eprintln!("skipping C {name}: {e}"),
            }
        }
        for side in &sides {
            side.time(&rt, &mut worker, p, 1)?;
        }
        // Per side: every hash time, and the per-round means.
        let mut all: BTreeMap<usize, Vec<Duration>> = BTreeMap::new();
        let mut round_means: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
        for round in 0..args.rounds {
            let order: Vec<usize> = if round % 2 == 0 {
                (0..sides.len()).collect()
            } else {
                (0..sides.len()).rev().collect()
            };
            for i in order {
                let times = sides[i].time(&rt, &mut worker, p, args.per_round)?;
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "a value far below 2^52 converts to f64 exactly"
                )]
                let mean = times.iter().map(Duration::as_secs_f64).sum::<f64>()
                    / times.len().max(1) as f64;
                round_means.entry(i).or_default().push(mean);
                all.entry(i).or_default().extend(times);
            }
        }
        let ours_rounds = round_means.get(&0).cloned().unwrap_or_default();
        let mut best_c: Option<(String, f64, f64)> = None;
        for (i, side) in sides.iter().enumerate() {
            let median = stats::median(all.get_mut(&i).map_or(&mut [][..], |v| &mut v[..]))
                .unwrap_or_default();
            let ratios: Vec<f64> = ours_rounds
                .iter()
                .zip(round_means.get(&i).map_or(&[][..], |v| &v[..]))
                .map(|(o, t)| o / t)
                .collect();
            let ratio = stats::median_f64(&ratios).unwrap_or(f64::NAN);
            println!(
                "| `{}` | {} | {:.1} ms | {:.3} |",
                p.to_phc_params(),
                side.name(),
                stats::ms(median),
                ratio
            );
            if let Side::C(name) = side
                && best_c
                    .as_ref()
                    .is_none_or(|(_, m, _)| stats::ms(median) < *m)
            {
                best_c = Some((name.clone(), stats::ms(median), ratio));
            }
        }
        if let Some((name, _, ratio)) = best_c {
            verdicts.push(format!(
                "{}: ours ÷ fastest C ({name}) = {ratio:.3} — target ≤ 1.10: {}",
                p.to_phc_params(),
                if ratio <= 1.10 { "met" } else { "MISSED" }
            ));
        }
    }
    println!();
    for v in verdicts {
        println!("{v}");
    }
    Ok(())
}
