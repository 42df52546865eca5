//! Known answers: the test vectors of RFC 9106 (section 5) and of the reference
//! implementation (libargon2's `test.c`), with every block implementation this CPU has and
//! with lanes on one thread and on several.

#![allow(clippy::unwrap_used, reason = "test helpers: a failure should panic")]

use auth_argon2::{Algorithm, Argon2, Implementation, Memory, Params, Version};

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.split_whitespace().collect::<String>()).unwrap()
}

/// Every way of computing a hash this machine offers.
fn configurations(base: Argon2<'_>) -> Vec<Argon2<'_>> {
    let mut all = Vec::new();
    for implementation in Implementation::available() {
        for threads in [1, 4] {
            all.push(
                base.with_implementation(implementation)
                    .unwrap()
                    .with_threads(threads),
            );
        }
    }
    all
}

fn rfc_case(algorithm: Algorithm, version: Version, tag: &str) {
    let params = Params::new(32, 3, 4).unwrap();
    let base = Argon2::new(algorithm, version, params)
        .with_secret(&[3; 8])
        .with_associated_data(&[4; 12]);
    let mut memory = Memory::new();
    for argon2 in configurations(base) {
        let mut out = [0u8; 32];
        argon2
            .hash_into(&[1; 32], &[2; 16], &mut out, &mut memory)
            .unwrap();
        assert_eq!(out.to_vec(), hex(tag), "{argon2:?}");
        assert!(memory.is_wiped());
    }
}

#[test]
fn rfc9106_argon2d() {
    rfc_case(
        Algorithm::Argon2d,
        Version::V0x13,
        "51 2b 39 1b 6f 11 62 97 53 71 d3 09 19 73 42 94 f8 68 e3 be 39 84 f3 c1 a1 3a 4d b9 fa be 4a cb",
    );
}

#[test]
fn rfc9106_argon2i() {
    rfc_case(
        Algorithm::Argon2i,
        Version::V0x13,
        "c8 14 d9 d1 dc 7f 37 aa 13 f0 d7 7f 24 94 bd a1 c8 de 6b 01 6d d3 88 d2 99 52 a4 c4 67 2b 6c e8",
    );
}

#[test]
fn rfc9106_argon2id() {
    rfc_case(
        Algorithm::Argon2id,
        Version::V0x13,
        "0d 64 0d f5 8d 78 76 6c 08 c0 37 a3 4a 8b 53 c9 d0 1e f0 45 2d 75 b6 5e b5 25 20 e9 6b 01 e6 59",
    );
}

/// The draft's Argon2d vector for version 0x10 (same inputs).
#[test]
fn argon2d_version_0x10() {
    rfc_case(
        Algorithm::Argon2d,
        Version::V0x10,
        "96 a9 d4 e5 a1 73 40 92 c8 5e 29 f4 10 a4 59 14 a5 dd 1f 5c bf 08 b2 67 0d a6 8a 02 85 ab f3 2b",
    );
}

/// libargon2's `test.c`: "password" / "somesalt", 32-byte tags.
#[test]
fn reference_implementation_vectors() {
    let cases = [
        (
            Algorithm::Argon2i,
            2,
            8,
            1,
            "89e9029f4637b295beb027056a7336c414fadd43f6b208645281cb214a56452f",
        ),
        (
            Algorithm::Argon2i,
            2,
            8,
            2,
            "4ff5ce2769a1d7f4c8a491df09d41a9fbe90e5eb02155a13e4c01e20cd4eab61",
        ),
        (
            Algorithm::Argon2i,
            2,
            16,
            1,
            "c1628832147d9720c5bd1cfd61367078729f6dfb6f8fea9ff98158e0d7816ed0",
        ),
    ];
    let mut memory = Memory::new();
    for (algorithm, t, log_m, p, tag) in cases {
        let params = Params::new(1 << log_m, t, p).unwrap();
        for argon2 in configurations(Argon2::new(algorithm, Version::V0x13, params)) {
            let mut out = [0u8; 32];
            argon2
                .hash_into(b"password", b"somesalt", &mut out, &mut memory)
                .unwrap();
            assert_eq!(out.to_vec(), hex(tag), "{argon2:?}");
        }
    }
}

#[test]
fn bad_inputs_are_errors() {
    use auth_argon2::Error;
    assert_eq!(Params::new(32, 1, 0), Err(Error::Lanes));
    assert_eq!(Params::new(32, 0, 1), Err(Error::Passes));
    assert_eq!(Params::new(31, 1, 4), Err(Error::Memory));
    let argon2 = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(8, 1, 1).unwrap(),
    );
    let mut memory = Memory::new();
    let mut short = [0u8; 3];
    assert_eq!(
        argon2.hash_into(b"pw", b"saltsalt", &mut short, &mut memory),
        Err(Error::OutputLength)
    );
    let mut out = [0u8; 32];
    assert_eq!(
        argon2.hash_into(b"pw", b"salt", &mut out, &mut memory),
        Err(Error::SaltLength)
    );
    assert!(memory.is_wiped());
}

#[test]
fn memory_is_reused_grown_and_wiped() {
    let mut memory = Memory::with_kib(64);
    assert_eq!(memory.kib(), 64);
    assert!(memory.is_wiped());
    let small = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(64, 1, 1).unwrap(),
    );
    let mut a = [0u8; 32];
    small
        .hash_into(b"pw", b"saltsalt", &mut a, &mut memory)
        .unwrap();
    assert_eq!(memory.kib(), 64);
    assert!(memory.is_wiped());
    let big = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(256, 1, 1).unwrap(),
    );
    let mut b = [0u8; 32];
    big.hash_into(b"pw", b"saltsalt", &mut b, &mut memory)
        .unwrap();
    assert_eq!(memory.kib(), 256);
    assert!(memory.is_wiped());
    // The smaller hash in the larger (wiped, reused) array gives the same tag.
    let mut again = [0u8; 32];
    small
        .hash_into(b"pw", b"saltsalt", &mut again, &mut memory)
        .unwrap();
    assert_eq!(a, again);
    assert_ne!(a, b);
}

#[test]
fn debug_hides_the_secret() {
    let argon2 = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(8, 1, 1).unwrap(),
    )
    .with_secret(b"pepper-pepper-pepper");
    let debug = format!("{argon2:?}");
    assert!(
        !debug.contains("pepper") && !debug.contains("112"),
        "{debug}"
    );
    assert!(debug.contains("<redacted>"));
}

/// Lanes shared out over fewer, as many or more threads than there are lanes (each thread
/// keeping its lanes for the whole hash) give the tag of the lanes computed one after the
/// other, for every variant; and the memory is wiped afterwards.
#[test]
fn any_thread_count_gives_the_one_thread_tag() {
    let mut memory = Memory::new();
    for algorithm in [Algorithm::Argon2id, Algorithm::Argon2i, Algorithm::Argon2d] {
        for (m, t, p) in [
            (64, 3, 2),
            (1024, 2, 2),
            (96, 2, 3),
            (256, 2, 4),
            (2048, 1, 4),
        ] {
            let base = Argon2::new(algorithm, Version::V0x13, Params::new(m, t, p).unwrap())
                .with_secret(b"pepper");
            let mut expected = [0u8; 32];
            base.hash_into(b"password", b"somesalt", &mut expected, &mut memory)
                .unwrap();
            for threads in [2, 3, 4, 8] {
                let mut got = [0u8; 32];
                base.with_threads(threads)
                    .hash_into(b"password", b"somesalt", &mut got, &mut memory)
                    .unwrap();
                assert_eq!(
                    got, expected,
                    "{algorithm:?} m={m} t={t} p={p} threads={threads}"
                );
                assert!(memory.is_wiped());
            }
        }
    }
}
