//! The calibration search: the strongest Argon2id parameters that hash within a time
//! budget on this machine, under a memory ceiling.
//!
//! OWASP's advice is to spend memory first and passes second, so the search fixes the
//! memory at the ceiling, then adds passes while a hash stays within the target. When even
//! one pass over the ceiling is too slow, it lowers the memory instead (time is close to
//! proportional to memory × passes), never below the library's floor. The measuring
//! function is passed in, so the search itself is tested on a cost model without timing.

use std::time::Duration;

use auth_core::HashParams;

/// The calibration flags, shared by the benches' `calibrate` tool and `auth-cli
/// calibrate`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Longest acceptable time for one hash, in milliseconds.
    #[arg(long, default_value_t = 250)]
    pub target_ms: u64,
    /// Most memory one hash may use (e.g. 64MiB, 19456KiB, 1GiB).
    #[arg(long, default_value = "64MiB", value_parser = memory_flag)]
    pub max_memory: u32,
    /// Lanes (Argon2 `p`). The library computes lanes one after another, so more lanes
    /// do not make a hash faster here.
    #[arg(long, default_value_t = 1)]
    pub parallelism: u32,
    /// Hashes timed per candidate (the median is used).
    #[arg(long, default_value_t = 5)]
    pub samples: usize,
}

/// Parses `--max-memory` with [`parse_memory`], saying what went wrong.
fn memory_flag(s: &str) -> std::result::Result<u32, String> {
    parse_memory(s).ok_or_else(|| format!("not a memory size: {s:?} (try 64MiB)"))
}

/// Parses a memory size: `64MiB`, `64M`, `65536KiB`, `65536K`, `1GiB`, or a bare number
/// of KiB. Returns KiB.
pub fn parse_memory(s: &str) -> Option<u32> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "k" | "kib" | "kb" => 1,
        "m" | "mib" | "mb" => 1024,
        "g" | "gib" | "gb" => 1024 * 1024,
        _ => return None,
    };
    u32::try_from(n.checked_mul(factor)?).ok()
}

/// What the search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The parameters.
    pub params: HashParams,
    /// The measured time of one hash with them.
    pub time: Duration,
    /// Whether `time` is within the target. `false` means that even the cheapest
    /// parameters the library accepts are slower than the target on this machine.
    pub meets_target: bool,
    /// Every measurement made, in order, for the log.
    pub trace: Vec<(HashParams, Duration)>,
}

/// Most passes the search will try.
const MAX_PASSES: u32 = 16;

/// Finds the strongest `(m, t)` with `p = parallelism` whose measured hash time is at most
/// `target`, with `m ≤ max_memory_kib`.
///
/// `measure` times one configuration (typically the median of a few hashes).
///
/// # Errors
/// Whatever `measure` returns, and a message when `max_memory_kib` is below the floor.
pub fn search<E>(
    target: Duration,
    max_memory_kib: u32,
    parallelism: u32,
    mut measure: impl FnMut(HashParams) -> Result<Duration, E>,
) -> Result<Choice, SearchError<E>> {
    let mut trace = Vec::new();
    let mut timed = |p: HashParams, trace: &mut Vec<(HashParams, Duration)>| {
        let d = measure(p).map_err(SearchError::Measure)?;
        trace.push((p, d));
        Ok::<_, SearchError<E>>(d)
    };
    let min_m = HashParams::MIN_MEMORY_KIB.max(8 * parallelism);
    if max_memory_kib < min_m {
        return Err(SearchError::BelowFloor(format!(
            "--max-memory must be at least {} MiB",
            min_m / 1024
        )));
    }
    let m = max_memory_kib;
    let t_floor = passes_floor(m);
    let first = HashParams::new(m, t_floor, parallelism);
    let d_first = timed(first, &mut trace)?;
    if d_first <= target {
        // Memory is at the ceiling: add passes. Estimate from the cost per pass, then
        // correct by measuring around the estimate.
        let per_pass = d_first.as_secs_f64() / f64::from(t_floor);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "the value is floored and clamped to 1..=64 before the cast"
        )]
        let estimate = (target.as_secs_f64() / per_pass).floor().clamp(1.0, 64.0) as u32;
        let mut t = estimate.clamp(t_floor, MAX_PASSES);
        let mut best = (first, d_first);
        if t > t_floor {
            let mut d = timed(HashParams::new(m, t, parallelism), &mut trace)?;
            // The first pass costs more than the others (allocation, page faults), so
            // re-estimate once from the slope between the two measurements.
            if d <= target {
                let slope = (d.as_secs_f64() - d_first.as_secs_f64()) / f64::from(t - t_floor);
                if slope > 0.0 {
                    #[expect(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        reason = "non-negative (d <= target, slope > 0); a huge value saturates and is capped at MAX_PASSES below"
                    )]
                    let more = ((target.as_secs_f64() - d.as_secs_f64()) / slope).floor() as u32;
                    let t2 = (t + more).min(MAX_PASSES);
                    if t2 > t {
                        let d2 = timed(HashParams::new(m, t2, parallelism), &mut trace)?;
                        if d2 <= target {
                            (t, d) = (t2, d2);
                        }
                    }
                }
            }
            while d > target && t > t_floor + 1 {
                t -= 1;
                d = timed(HashParams::new(m, t, parallelism), &mut trace)?;
            }
            if d <= target {
                best = (HashParams::new(m, t, parallelism), d);
            }
        }
        // One more pass might still fit (the first pass costs a little more than the others).
        while best.0.iterations < MAX_PASSES {
            let next = HashParams::new(m, best.0.iterations + 1, parallelism);
            let d = timed(next, &mut trace)?;
            if d > target {
                break;
            }
            best = (next, d);
        }
        return Ok(Choice {
            params: best.0,
            time: best.1,
            meets_target: true,
            trace,
        });
    }
    // Too slow at the ceiling. Time is close to proportional to memory × passes, and no
    // accepted setting costs less than the floor's product (35 MiB-passes), so the
    // cheapest settings with the most memory are one pass over 35..max MiB. Scale the
    // memory down in proportion until a hash fits, or report the floor as missed.
    let floor_m = u32::try_from(HashParams::MIN_MEMORY_TIMES_ITERATIONS).unwrap_or(u32::MAX);
    let (mut m_now, mut t_now, mut d_now) = (m, t_floor, d_first);
    for _ in 0..8 {
        if m_now <= floor_m {
            break;
        }
        let product = f64::from(m_now) * f64::from(t_now) * target.as_secs_f64()
            / d_now.as_secs_f64().max(1e-9);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "floored, non-negative and capped at u32::MAX / 1024 before the cast"
        )]
        let mut m_next = ((product / 1024.0).floor().min(f64::from(u32::MAX / 1024)) as u32) * 1024;
        if m_next >= m_now {
            m_next = m_now.saturating_sub(1024);
        }
        let m_next = m_next.max(floor_m);
        let t = passes_floor(m_next);
        let p = HashParams::new(m_next, t, parallelism);
        let d = timed(p, &mut trace)?;
        if d <= target {
            return Ok(Choice {
                params: p,
                time: d,
                meets_target: true,
                trace,
            });
        }
        (m_now, t_now, d_now) = (m_next, t, d);
    }
    let (params, time) = trace
        .iter()
        .copied()
        .min_by_key(|(_, d)| *d)
        .unwrap_or((first, d_first));
    Ok(Choice {
        params,
        time,
        meets_target: time <= target,
        trace,
    })
}

/// The fewest passes the library accepts at `memory_kib` (memory × passes must reach
/// OWASP's floor).
pub fn passes_floor(memory_kib: u32) -> u32 {
    let need = HashParams::MIN_MEMORY_TIMES_ITERATIONS;
    let m = u64::from(memory_kib.max(1));
    u32::try_from(need.div_ceil(m)).unwrap_or(u32::MAX).max(1)
}

/// Why the search stopped.
#[derive(Debug)]
pub enum SearchError<E> {
    /// The memory ceiling is below what the library accepts.
    BelowFloor(String),
    /// Measuring failed.
    Measure(E),
}

impl<E: std::fmt::Display> std::fmt::Display for SearchError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BelowFloor(msg) => f.write_str(msg),
            Self::Measure(e) => write!(f, "measuring failed: {e}"),
        }
    }
}

impl<E: std::fmt::Debug + std::fmt::Display> std::error::Error for SearchError<E> {}

/// Times hashing with `p` through the library's own [`auth_core::Hasher`] on `rt`: the
/// median of `samples` hashes (at least one) after one warm-up that pages the memory in.
///
/// # Errors
/// Parameters the library refuses, or a hashing error.
pub fn measure_hasher(
    rt: &tokio::runtime::Runtime,
    p: HashParams,
    samples: usize,
) -> crate::Result<Duration> {
    let hasher = auth_core::Hasher::new(p, None, 1)?;
    rt.block_on(async {
        hasher.hash(crate::engine::PASSWORD).await?;
        let mut times = Vec::with_capacity(samples.max(1));
        for _ in 0..samples.max(1) {
            let start = std::time::Instant::now();
            hasher.hash(crate::engine::PASSWORD).await?;
            times.push(start.elapsed());
        }
        Ok(crate::stats::median(&mut times).unwrap_or_default())
    })
}

/// The Rust snippet to paste into a `Config` builder.
pub fn rust_snippet(p: &HashParams) -> String {
    format!(
        "auth_core::Config::builder()\n    // ...\n    .hash_params(auth_core::HashParams::new({}, {}, {}))",
        p.memory_kib, p.iterations, p.parallelism
    )
}

/// The PHC parameter prefix of hashes made with `p`.
pub fn phc_prefix(p: &HashParams) -> String {
    format!("$argon2id$v=19${}", p.to_phc_params())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    /// A machine where one pass costs `ns_per_kib` nanoseconds per KiB.
    fn model(ns_per_kib: u64) -> impl FnMut(HashParams) -> Result<Duration, Infallible> {
        move |p| {
            Ok(Duration::from_nanos(
                ns_per_kib * u64::from(p.memory_kib) * u64::from(p.iterations),
            ))
        }
    }

    #[test]
    fn parses_memory_sizes() {
        assert_eq!(parse_memory("64MiB"), Some(65_536));
        assert_eq!(parse_memory("64M"), Some(65_536));
        assert_eq!(parse_memory("19456"), Some(19_456));
        assert_eq!(parse_memory("19456KiB"), Some(19_456));
        assert_eq!(parse_memory("1GiB"), Some(1_048_576));
        assert_eq!(parse_memory("64 MiB"), Some(65_536));
        assert_eq!(parse_memory("64XB"), None);
        assert_eq!(parse_memory("MiB"), None);
        assert_eq!(parse_memory("99999999GiB"), None);
    }

    #[test]
    fn a_fast_machine_gets_the_memory_ceiling_and_more_passes() {
        // 1 µs per KiB-pass: 64 MiB costs 65.5 ms per pass, so 3 passes fit in 250 ms.
        let c = search(Duration::from_millis(250), 65_536, 1, model(1_000)).unwrap();
        assert!(c.meets_target);
        assert_eq!(
            (
                c.params.memory_kib,
                c.params.iterations,
                c.params.parallelism
            ),
            (65_536, 3, 1)
        );
        assert!(c.time <= Duration::from_millis(250));
        assert!(c.params.validate().is_ok());
    }

    #[test]
    fn a_costly_first_pass_does_not_stop_the_search_early() {
        // 20 ms of fixed cost plus 0.5 µs per KiB-pass: 64 MiB costs 52.8 ms for one pass
        // and 32.8 ms for each further one, so 7 passes (249.4 ms) fit in 250 ms, 8 do not.
        let model = |p: HashParams| {
            Ok::<_, Infallible>(Duration::from_nanos(
                20_000_000 + 500 * u64::from(p.memory_kib) * u64::from(p.iterations),
            ))
        };
        let c = search(Duration::from_millis(250), 65_536, 1, model).unwrap();
        assert_eq!(c.params.iterations, 7, "{:?}", c.trace);
        assert!(c.trace.len() <= 4, "{:?}", c.trace);
    }

    #[test]
    fn a_slow_machine_gets_less_memory() {
        // 5 µs per KiB-pass: one pass over 64 MiB is 328 ms, too slow; 48 MiB fits.
        let c = search(Duration::from_millis(250), 65_536, 1, model(5_000)).unwrap();
        assert!(c.meets_target, "{c:?}");
        assert!(c.params.memory_kib < 65_536);
        assert!(c.params.memory_kib >= 45 * 1024, "{:?}", c.params);
        assert!(c.time <= Duration::from_millis(250));
        assert!(c.params.validate().is_ok(), "{:?}", c.params);
    }

    #[test]
    fn an_impossible_target_is_reported_as_missed_with_the_floor() {
        let c = search(Duration::from_millis(1), 65_536, 1, model(10_000)).unwrap();
        assert!(!c.meets_target);
        assert!(c.params.validate().is_ok());
        // The cheapest accepted cost with the most memory: one pass over 35 MiB.
        assert_eq!((c.params.memory_kib, c.params.iterations), (35 * 1024, 1));
    }

    #[test]
    fn memory_below_the_floor_is_refused() {
        let r = search(Duration::from_millis(250), 1024, 1, model(1_000));
        assert!(matches!(r, Err(SearchError::BelowFloor(_))));
    }

    #[test]
    fn passes_floor_matches_the_validation() {
        assert_eq!(passes_floor(7 * 1024), 5);
        assert_eq!(passes_floor(19_456), 2);
        assert_eq!(passes_floor(47_104), 1);
        for m in [7 * 1024, 9_216, 12_288, 19_456, 40_000] {
            assert!(HashParams::new(m, passes_floor(m), 1).validate().is_ok());
            if passes_floor(m) > 1 {
                assert!(
                    HashParams::new(m, passes_floor(m) - 1, 1)
                        .validate()
                        .is_err()
                );
            }
        }
    }

    #[test]
    fn snippets_carry_the_parameters() {
        let p = HashParams::new(65_536, 3, 1);
        assert_eq!(phc_prefix(&p), "$argon2id$v=19$m=65536,t=3,p=1");
        assert!(rust_snippet(&p).contains("HashParams::new(65536, 3, 1)"));
    }
}
