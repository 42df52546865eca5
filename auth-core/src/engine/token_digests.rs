//! The SHA-256 digest of each live session id, remembered under a keyed fingerprint of
//! the id, so that a request presenting a session seen before costs a keyed SipHash of
//! its id instead of a SHA-256 (≈ 10× fewer instructions without SHA-NI).
//!
//! Security: stores still only ever see the SHA-256 digest, and no session id is kept
//! here: the key of an entry is SipHash-2-4 with a 128-bit output under a random key
//! drawn per engine, which never leaves the process. Serving a digest for a presented
//! id needs its whole 128-bit fingerprint to equal a remembered one (a comparison of
//! two `u128`s, not early-exiting on a prefix); forging one without the key is guessing
//! a 128-bit PRF output. Only ids that found a live session are remembered, so unknown
//! ids cannot churn the table; a remembered digest of a session that ended since is
//! harmless (the store finds nothing under it).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{PoisonError, RwLock};

use siphasher::sip128::SipHasher24;

use crate::session::{SessionDigest, SessionToken};

/// At most this many digests are remembered; when full, the table starts over empty
/// (an entry costs one SHA-256 to rebuild).
const MAX_ENTRIES: usize = 4096;

/// A keyed 128-bit fingerprint of a session id ([`TokenDigests::fingerprint`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Fingerprint(u128);

/// Session digests by the fingerprint of their id.
pub(super) struct TokenDigests {
    key: SipHasher24,
    entries: RwLock<HashMap<Fingerprint, SessionDigest, FingerprintHash>>,
}

impl Default for TokenDigests {
    fn default() -> Self {
        Self {
            key: SipHasher24::new_with_key(&crate::random::bytes::<16>()),
            entries: RwLock::default(),
        }
    }
}

impl TokenDigests {
    /// The keyed fingerprint of `token`'s id.
    pub(super) fn fingerprint(&self, token: &SessionToken) -> Fingerprint {
        Fingerprint(self.key.hash(token.as_bytes()).as_u128())
    }

    /// The digest remembered for the id behind `fingerprint`, if any.
    pub(super) fn get(&self, fingerprint: Fingerprint) -> Option<SessionDigest> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        entries.get(&fingerprint).copied()
    }

    /// Remembers the digest of the id behind `fingerprint` (which found a live session).
    pub(super) fn put(&self, fingerprint: Fingerprint, digest: SessionDigest) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&fingerprint) {
            entries.clear();
        }
        entries.insert(fingerprint, digest);
    }
}

/// Hashes a [`Fingerprint`] (already a keyed PRF output, so uniformly distributed) by
/// its low 64 bits instead of SipHash again.
#[derive(Default, Clone, Copy)]
struct FingerprintHash;

impl BuildHasher for FingerprintHash {
    type Hasher = FingerprintHasher;

    fn build_hasher(&self) -> FingerprintHasher {
        FingerprintHasher(0)
    }
}

/// The hasher of [`FingerprintHash`].
struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, n: u128) {
        // Truncation intended: the low half of a uniform value is uniform.
        self.0 ^= n as u64;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_digest_is_the_ids_sha256_and_only_its_own() {
        let digests = TokenDigests::default();
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_eq!(digests.get(digests.fingerprint(&a)), None);
        digests.put(digests.fingerprint(&a), a.digest());
        assert_eq!(digests.get(digests.fingerprint(&a)), Some(a.digest()));
        assert_eq!(digests.get(digests.fingerprint(&b)), None);
        assert!(digests.fingerprint(&a) != digests.fingerprint(&b));
    }

    #[test]
    fn fingerprints_are_keyed_per_engine() {
        let t = SessionToken::generate();
        let (one, two) = (TokenDigests::default(), TokenDigests::default());
        assert!(
            one.fingerprint(&t) != two.fingerprint(&t),
            "a fingerprint must not be computable without the engine's key"
        );
        assert!(one.fingerprint(&t) == one.fingerprint(&t));
    }

    #[test]
    fn the_table_is_bounded() {
        let digests = TokenDigests::default();
        for _ in 0..=MAX_ENTRIES {
            let t = SessionToken::generate();
            digests.put(digests.fingerprint(&t), t.digest());
        }
        let len = digests
            .entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert!(len <= MAX_ENTRIES && len > 0, "{len}");
    }
}
