//! Measures this machine and prints the strongest Argon2id parameters whose hash time
//! meets a target, as a PHC parameter string and as the `Config` snippet to paste.
//!
//! ```text
//! cargo run --release -p auth-benches --bin calibrate -- --target-ms 250 --max-memory 64MiB
//! ```
//!
//! Each candidate is timed through the library's own `Hasher` (the median of a few hashes
//! after one warm-up), so the numbers include what a login pays besides Argon2 itself.

use std::process::ExitCode;
use std::time::Duration;

use auth_benches::calibrate::{self, Args, Choice};
use auth_benches::stats;
use auth_core::{HashParams, Hasher};
use clap::Parser;

/// Finds Argon2id parameters for a time budget on this machine.
#[derive(Debug, Parser)]
#[command(name = "calibrate")]
struct Cli {
    #[command(flatten)]
    args: Args,
}

fn main() -> ExitCode {
    let args = Cli::parse().args;
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(e) => {
            eprintln!("calibrate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> auth_benches::Result<bool> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let target = Duration::from_millis(args.target_ms);
    let cores = Hasher::default_concurrency();
    println!(
        "Calibrating Argon2id for at most {} ms per hash, at most {} of memory, p={} ({} cores)",
        args.target_ms,
        auth_benches::report::mib_label(args.max_memory),
        args.parallelism,
        cores
    );
    let measure = |p: HashParams| -> auth_benches::Result<Duration> {
        let median = calibrate::measure_hasher(&rt, p, args.samples)?;
        println!(
            "  measured {:<18} {:>8.1} ms",
            p.to_phc_params(),
            stats::ms(median)
        );
        Ok(median)
    };
    let choice = calibrate::search(target, args.max_memory, args.parallelism, measure)?;
    print_choice(&choice, target, cores);
    Ok(choice.meets_target)
}

fn print_choice(c: &Choice, target: Duration, cores: usize) {
    let p = &c.params;
    println!();
    if c.meets_target {
        println!(
            "Chosen: {} takes {:.1} ms per hash on this machine (target {} ms).",
            p.to_phc_params(),
            stats::ms(c.time),
            target.as_millis()
        );
    } else {
        println!(
            "TARGET MISSED: even the cheapest setting the library accepts, {}, takes {:.1} ms \
             here (target {} ms). Raise the target or use a faster machine; do not go below \
             the OWASP floor.",
            p.to_phc_params(),
            stats::ms(c.time),
            target.as_millis()
        );
    }
    println!();
    println!("PHC parameters:   {}", calibrate::phc_prefix(p));
    println!();
    println!("Rust:");
    println!("{}", calibrate::rust_snippet(p));
    println!();
    let secs = c.time.as_secs_f64();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a value far below 2^52 converts to f64 exactly"
    )]
    let ceiling = cores as f64 / secs.max(1e-9);
    println!(
        "Capacity: with max_concurrent_hashes = {cores} (one per core), at most {ceiling:.1} \
         logins/s, and up to {} of memory in Argon2 at once.",
        auth_benches::report::mib_label(
            p.memory_kib
                .saturating_mul(u32::try_from(cores).unwrap_or(u32::MAX))
        )
    );
}
