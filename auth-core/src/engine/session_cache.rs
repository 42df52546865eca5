//! Session lookups kept in memory between requests, for a store that can say cheaply
//! whether anything they read may have changed since (its revision, see
//! [`SessionUserStore::revision`](crate::SessionUserStore::revision)).
//!
//! An entry is served only while the store's revision is the one read **before** the
//! lookup that filled it, so a revocation (logout, password change, disabled account,
//! administrator's sign-out) that has returned, on this instance or any other sharing
//! the store, is seen by the next request: no staleness, whatever the timing. Liveness
//! (expiry, idle timeout) is checked on every hit against the clock, and a session due
//! for its last-seen write takes the store's path.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, PoisonError, RwLock};

use super::Authenticated;
use crate::session::SessionDigest;

/// At most this many sessions are kept; when full, the cache starts over empty (an
/// entry costs one lookup to rebuild, so eviction need not be clever).
const MAX_ENTRIES: usize = 4096;

/// Lookups by session digest, each with the store revision it was read under.
#[derive(Default)]
pub(super) struct SessionCache {
    entries: RwLock<HashMap<SessionDigest, Entry, DigestHash>>,
}

struct Entry {
    revision: u64,
    found: Arc<Authenticated>,
}

impl SessionCache {
    /// The lookup kept for `digest`, if it was read under `revision`.
    pub(super) fn get(&self, digest: &SessionDigest, revision: u64) -> Option<Arc<Authenticated>> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(digest)
            .filter(|e| e.revision == revision)
            .map(|e| Arc::clone(&e.found))
    }

    /// Keeps `found`, read by a lookup that started under `revision`.
    pub(super) fn put(&self, digest: SessionDigest, revision: u64, found: Arc<Authenticated>) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&digest) {
            entries.clear();
        }
        entries.insert(digest, Entry { revision, found });
    }
}

/// Hashes a [`SessionDigest`] (already a SHA-256 output, so uniformly distributed) by
/// eight of its bytes instead of SipHash. Only digests of live sessions are ever
/// inserted, so nobody can choose keys to collide.
#[derive(Default, Clone, Copy)]
struct DigestHash;

impl BuildHasher for DigestHash {
    type Hasher = DigestHasher;

    fn build_hasher(&self) -> DigestHasher {
        DigestHasher(0)
    }
}

/// The hasher of [`DigestHash`]: the first eight bytes of the digest (other writes, such
/// as the array's length prefix, are mixed in but carry no information).
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        match bytes.first_chunk::<8>() {
            Some(first) => self.0 ^= u64::from_le_bytes(*first),
            None => {
                for &b in bytes {
                    self.0 = self.0.rotate_left(8) ^ u64::from(b);
                }
            }
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
