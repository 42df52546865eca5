//! Computes Argon2id `--count` times on one thread and exits: the workload that
//! `benches/scripts/callgrind-argon2.sh` counts instructions of under callgrind.
//!
//! Sides: `ours` (the toolkit's `auth-argon2`, with `--implementation` forcing a block
//! function), `crate` (RustCrypto `argon2` with a reused block array). Both hash the same
//! password and salt into a 32-byte tag; the tag is printed so that the sides can be seen
//! to agree. With `--time`, the fastest and the median wall time of one hash are printed
//! too (on standard error), for comparing two builds of the same side.

use auth_argon2::{Algorithm, Argon2, Implementation, Memory, Params, Version};
use std::time::Instant;

use auth_benches::engine::PASSWORD;
use auth_benches::stats;
use clap::Parser;

/// Computes Argon2id a given number of times.
#[derive(Debug, Parser)]
#[command(name = "argon2-once")]
struct Args {
    /// `ours` or `crate`.
    #[arg(long, default_value = "ours")]
    side: String,
    /// For `ours`: `detect`, `portable`, `avx2` or `avx512`.
    #[arg(long, default_value = "detect")]
    implementation: String,
    /// Parameters.
    #[arg(long, default_value = "m=19456,t=2,p=1")]
    params: String,
    /// Number of hashes.
    #[arg(long, default_value_t = 1)]
    count: usize,
    /// Print the fastest and the median time of one hash.
    #[arg(long)]
    time: bool,
}

const SALT: &[u8; 16] = b"0123456789abcdef";

fn main() -> auth_benches::Result<()> {
    let args = Args::parse();
    let p = auth_benches::grid::parse_phc_params(&args.params)
        .ok_or_else(|| format!("bad parameters {:?}", args.params))?;
    let mut tag = [0u8; 32];
    let mut times = Vec::with_capacity(args.count);
    match args.side.as_str() {
        "ours" => {
            let params = Params::new(p.memory_kib, p.iterations, p.parallelism)?;
            let mut argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
            let implementation = match args.implementation.as_str() {
                "detect" => None,
                "portable" => Some(Implementation::Portable),
                "avx2" => Some(Implementation::Avx2),
                "avx512" => Some(Implementation::Avx512),
                other => return Err(format!("unknown implementation {other:?}").into()),
            };
            if let Some(i) = implementation {
                argon2 = argon2.with_implementation(i)?;
            }
            let mut memory = Memory::new();
            for _ in 0..args.count {
                let start = Instant::now();
                argon2.hash_into(PASSWORD.as_bytes(), SALT, &mut tag, &mut memory)?;
                times.push(start.elapsed());
            }
            eprintln!("implementation: {:?}", argon2.implementation());
        }
        "crate" => {
            let params = argon2::Params::new(p.memory_kib, p.iterations, p.parallelism, Some(32))
                .map_err(|e| format!("{e}"))?;
            let a = argon2::Argon2::new(
                argon2::Algorithm::Argon2id,
                argon2::Version::V0x13,
                params.clone(),
            );
            let mut blocks = vec![argon2::Block::new(); params.block_count()];
            for _ in 0..args.count {
                let start = Instant::now();
                a.hash_password_into_with_memory(PASSWORD.as_bytes(), SALT, &mut tag, &mut blocks)
                    .map_err(|e| format!("{e}"))?;
                times.push(start.elapsed());
            }
        }
        other => return Err(format!("unknown side {other:?}").into()),
    }
    if args.time {
        times.sort_unstable();
        if let (Some(fastest), Some(median)) = (times.first(), times.get(times.len() / 2)) {
            eprintln!(
                "per hash: fastest {:.3} ms, median {:.3} ms ({} hashes)",
                stats::ms(*fastest),
                stats::ms(*median),
                times.len()
            );
        }
    }
    println!("{}", hex(&tag));
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
