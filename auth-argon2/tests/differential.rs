//! Differential test against the RustCrypto `argon2` crate: thousands of random
//! (password, salt, secret, associated data, tag length, variant, version, m, t, p), with
//! every block implementation this CPU has; mostly small costs, a few large ones.

#![allow(clippy::unwrap_used, reason = "test helpers: a failure should panic")]

use auth_argon2::{Algorithm, Argon2, Implementation, Memory, Params, Version};

/// SplitMix64: a small, seeded generator, so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn bytes(&mut self, lo: u64, hi: u64) -> Vec<u8> {
        let n = self.range(lo, hi);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[derive(Debug)]
struct Case {
    algorithm: Algorithm,
    version: Version,
    m: u32,
    t: u32,
    p: u32,
    password: Vec<u8>,
    salt: Vec<u8>,
    secret: Vec<u8>,
    ad: Vec<u8>,
    tag_len: usize,
}

fn reference(case: &Case) -> Vec<u8> {
    let algorithm = match case.algorithm {
        Algorithm::Argon2d => argon2::Algorithm::Argon2d,
        Algorithm::Argon2i => argon2::Algorithm::Argon2i,
        _ => argon2::Algorithm::Argon2id,
    };
    let version = match case.version {
        Version::V0x10 => argon2::Version::V0x10,
        _ => argon2::Version::V0x13,
    };
    let params = argon2::ParamsBuilder::new()
        .m_cost(case.m)
        .t_cost(case.t)
        .p_cost(case.p)
        .output_len(case.tag_len)
        .data(argon2::AssociatedData::new(&case.ad).unwrap())
        .build()
        .unwrap();
    let argon2 = if case.secret.is_empty() {
        argon2::Argon2::new(algorithm, version, params)
    } else {
        argon2::Argon2::new_with_secret(&case.secret, algorithm, version, params).unwrap()
    };
    let mut out = vec![0u8; case.tag_len];
    argon2
        .hash_password_into(&case.password, &case.salt, &mut out)
        .unwrap();
    out
}

fn ours(
    case: &Case,
    implementation: Implementation,
    threads: usize,
    memory: &mut Memory,
) -> Vec<u8> {
    let params = Params::new(case.m, case.t, case.p).unwrap();
    let argon2 = Argon2::new(case.algorithm, case.version, params)
        .with_secret(&case.secret)
        .with_associated_data(&case.ad)
        .with_implementation(implementation)
        .unwrap()
        .with_threads(threads);
    let mut out = vec![0u8; case.tag_len];
    argon2
        .hash_into(&case.password, &case.salt, &mut out, memory)
        .unwrap();
    out
}

fn random_case(rng: &mut Rng, m_max: u64, t_max: u64) -> Case {
    let p = rng.range(1, 4) as u32;
    Case {
        algorithm: [Algorithm::Argon2id, Algorithm::Argon2i, Algorithm::Argon2d]
            [rng.range(0, 2) as usize],
        version: if rng.range(0, 4) == 0 {
            Version::V0x10
        } else {
            Version::V0x13
        },
        m: rng.range(8 * u64::from(p), m_max.max(8 * u64::from(p))) as u32,
        t: rng.range(1, t_max) as u32,
        p,
        password: rng.bytes(0, 80),
        salt: rng.bytes(8, 40),
        secret: if rng.range(0, 1) == 0 {
            Vec::new()
        } else {
            rng.bytes(1, 64)
        },
        ad: if rng.range(0, 3) == 0 {
            rng.bytes(1, 32)
        } else {
            Vec::new()
        },
        // Mostly the usual 32 bytes, sometimes short, sometimes longer than one BLAKE2b.
        tag_len: match rng.range(0, 5) {
            0 => rng.range(4, 64) as usize,
            1 => rng.range(65, 200) as usize,
            _ => 32,
        },
    }
}

fn check(cases: usize, seed: u64, m_max: u64, t_max: u64) {
    let mut rng = Rng(seed);
    let mut memory = Memory::new();
    let implementations = Implementation::available();
    for n in 0..cases {
        let case = random_case(&mut rng, m_max, t_max);
        let expected = reference(&case);
        for &implementation in &implementations {
            let threads = if n % 3 == 0 { case.p as usize } else { 1 };
            let got = ours(&case, implementation, threads, &mut memory);
            assert_eq!(
                got, expected,
                "case {n} (seed {seed}), {implementation:?}: {case:?}"
            );
        }
    }
}

#[test]
fn thousands_of_small_random_cases_agree_with_the_argon2_crate() {
    check(3000, 1, 96, 3);
}

#[test]
fn a_hundred_medium_random_cases_agree_with_the_argon2_crate() {
    check(100, 2, 2048, 4);
}

#[test]
fn large_cases_agree_with_the_argon2_crate() {
    let mut rng = Rng(3);
    let mut memory = Memory::new();
    for (algorithm, m, t, p) in [
        (Algorithm::Argon2id, 19_456, 2, 1),
        (Algorithm::Argon2id, 12_288, 3, 2),
        (Algorithm::Argon2i, 9_216, 1, 4),
        (Algorithm::Argon2d, 7_168, 2, 3),
    ] {
        let case = Case {
            algorithm,
            version: Version::V0x13,
            m,
            t,
            p,
            password: rng.bytes(1, 64),
            salt: rng.bytes(16, 16),
            secret: rng.bytes(32, 32),
            ad: Vec::new(),
            tag_len: 32,
        };
        let expected = reference(&case);
        for implementation in Implementation::available() {
            assert_eq!(
                ours(&case, implementation, p as usize, &mut memory),
                expected,
                "{case:?}"
            );
        }
    }
}
