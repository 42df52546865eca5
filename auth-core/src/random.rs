//! Randomness from the operating system and constant-time comparison.

use subtle::ConstantTimeEq;

/// `N` bytes from the operating system's CSPRNG.
///
/// The OS generator failing is not something a web request can recover from, and
/// continuing with predictable bytes would be a security hole; so this aborts the
/// process via panic, which `getrandom` documents as practically unreachable on
/// supported platforms.
#[expect(
    clippy::expect_used,
    reason = "an OS generator failure cannot be recovered from (see above)"
)]
pub(crate) fn bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random generator failed");
    buf
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
