//! The Argon2id parameter grid of the hashing benches and OWASP's recommended points.
//!
//! Bench ids are the PHC parameter strings (`m=19456,t=2,p=1`), so that the report
//! generator can read the parameters back from criterion's output without a side table.

use auth_core::HashParams;

/// Memory sizes of the grid, in MiB.
pub const MEMORY_MIB: [u32; 5] = [8, 19, 32, 64, 128];
/// Iteration counts (passes) of the grid.
pub const ITERATIONS: [u32; 4] = [1, 2, 3, 4];
/// Lane counts of the grid.
pub const LANES: [u32; 2] = [1, 2];

/// Criterion group of the hashing grid.
pub const GROUP_HASH: &str = "argon2id_hash";
/// Criterion group of the verification grid.
pub const GROUP_VERIFY: &str = "argon2id_verify";
/// Criterion group of OWASP's recommended settings (hash only).
pub const GROUP_OWASP: &str = "argon2id_owasp";

/// OWASP Password Storage Cheat Sheet, Argon2id: five settings of equal defence
/// (`m` in KiB, `t`, `p`), from most memory to least.
pub const OWASP: [(u32, u32, u32); 5] = [
    (47_104, 1, 1),
    (19_456, 2, 1),
    (12_288, 3, 1),
    (9_216, 4, 1),
    (7_168, 5, 1),
];

/// Every point of the grid, memory-major.
pub fn points() -> Vec<HashParams> {
    let mut out = Vec::with_capacity(MEMORY_MIB.len() * ITERATIONS.len() * LANES.len());
    for p in LANES {
        for m in MEMORY_MIB {
            for t in ITERATIONS {
                out.push(params(m * 1024, t, p));
            }
        }
    }
    out
}

/// OWASP's recommended settings as parameters.
pub fn owasp_points() -> Vec<HashParams> {
    OWASP.iter().map(|&(m, t, p)| params(m, t, p)).collect()
}

/// Parameters for a bench point. Grid points below the library's OWASP floor (for
/// example `m=8 MiB,t=1`) are flagged `insecure` so that the hasher accepts them: they are
/// measured to show the curve, and the report marks them as refused by default.
pub fn params(memory_kib: u32, iterations: u32, parallelism: u32) -> HashParams {
    let p = HashParams::new(memory_kib, iterations, parallelism);
    if p.validate().is_ok() {
        p
    } else {
        HashParams {
            insecure: true,
            ..p
        }
    }
}

/// Whether the library's default validation accepts these costs.
pub fn accepted_by_default(p: &HashParams) -> bool {
    HashParams::new(p.memory_kib, p.iterations, p.parallelism)
        .validate()
        .is_ok()
}

/// Whether `(m, t, p)` is one of OWASP's recommended settings.
pub fn is_owasp(p: &HashParams) -> bool {
    OWASP.contains(&(p.memory_kib, p.iterations, p.parallelism))
}

/// Parses `m=19456,t=2,p=1` (any order, all three required).
pub fn parse_phc_params(s: &str) -> Option<HashParams> {
    let (mut m, mut t, mut p) = (None, None, None);
    for part in s.split(',') {
        let (key, value) = part.trim().split_once('=')?;
        let value: u32 = value.trim().parse().ok()?;
        match key.trim() {
            "m" => m = Some(value),
            "t" => t = Some(value),
            "p" => p = Some(value),
            _ => return None,
        }
    }
    Some(params(m?, t?, p?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_has_every_combination_once() {
        let pts = points();
        assert_eq!(pts.len(), 5 * 4 * 2);
        let mut ids: Vec<String> = pts.iter().map(HashParams::to_phc_params).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 40);
    }

    #[test]
    fn weak_grid_points_are_flagged_and_strong_ones_are_not() {
        let weak = params(8 * 1024, 1, 1);
        assert!(weak.insecure);
        assert!(weak.validate().is_ok());
        assert!(!accepted_by_default(&weak));
        let strong = params(19_456, 2, 1);
        assert!(!strong.insecure);
        assert!(accepted_by_default(&strong));
        assert!(owasp_points().iter().all(accepted_by_default));
    }

    #[test]
    fn phc_params_round_trip() {
        let p = parse_phc_params("m=19456,t=2,p=1").unwrap();
        assert_eq!((p.memory_kib, p.iterations, p.parallelism), (19_456, 2, 1));
        assert!(is_owasp(&p));
        assert_eq!(parse_phc_params(&p.to_phc_params()), Some(p));
        assert!(parse_phc_params("t=2,p=1").is_none());
        assert!(parse_phc_params("m=x,t=2,p=1").is_none());
        assert!(parse_phc_params("m=1,t=2,p=1,q=4").is_none());
    }
}
