//! Session lookups kept in memory between requests, for a store that can say cheaply
//! whether anything they read may have changed since (its revision, see
//! [`SessionUserStore::revision`](crate::SessionUserStore::revision)).
//!
//! An entry is served only while the store's revision is the one read **before** the
//! lookup that filled it, so a revocation (logout, password change, disabled account,
//! administrator's sign-out) that has returned, on this instance or any other sharing
//! the store, is seen by the next request: no staleness, whatever the timing. Liveness
//! (expiry, idle timeout) is checked on every hit against the clock, and a session due
//! for its last-seen write takes the store's path: each entry keeps the instant from
//! which either applies, worked out once when it is kept, so a hit costs one comparison
//! with the clock.
//!
//! An entry may also keep the version of its user's uploaded picture, filled by the
//! first request that asks for it (see [`Auth::own_picture_version`]): the query that
//! filled it ran after the revision the entry is checked against was read, so it is as
//! fresh as the lookup, provided picture writes move that revision too (the rule is
//! [`Revisions::keeps_pictures`]); the engine's own picture writes also drop the
//! writer's entries of that user at once.
//!
//! [`Auth::own_picture_version`]: crate::Auth::own_picture_version
//! [`Revisions::keeps_pictures`]: super::revision::Revisions::keeps_pictures

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::SystemTime;

use super::Authenticated;
use crate::model::UserId;
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
    /// From this instant on the lookup is not served (the session died, or is due for
    /// its last-seen write).
    serve_until: SystemTime,
    /// The version of the user's picture (`None`: none), once a request asked for it.
    picture: OnceLock<Option<String>>,
}

impl SessionCache {
    /// The lookup kept for `digest`, if it was read under `revision` and may still be
    /// served at the time `now` tells (asked only when there is such a lookup).
    pub(super) fn get(
        &self,
        digest: &SessionDigest,
        revision: u64,
        now: impl FnOnce() -> SystemTime,
    ) -> Option<Arc<Authenticated>> {
        let (found, serve_until) = {
            let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
            let e = entries.get(digest).filter(|e| e.revision == revision)?;
            (Arc::clone(&e.found), e.serve_until)
        };
        (now() < serve_until).then_some(found)
    }

    /// Keeps `found`, read by a lookup that started under `revision`, to be served
    /// before `serve_until`.
    pub(super) fn put(
        &self,
        digest: SessionDigest,
        revision: u64,
        found: Arc<Authenticated>,
        serve_until: SystemTime,
    ) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&digest) {
            entries.clear();
        }
        entries.insert(
            digest,
            Entry {
                revision,
                found,
                serve_until,
                picture: OnceLock::new(),
            },
        );
    }

    /// The picture version kept with `a`'s entry: `None` unless `a` is the very lookup
    /// that entry keeps (the same allocation: a copy, or a lookup an entry made since
    /// replaced, has none) and a version was kept with it.
    pub(super) fn picture_version(&self, a: &Authenticated) -> Option<Option<String>> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        entry_of(&entries, a).and_then(|e| e.picture.get().cloned())
    }

    /// Keeps `version`, read after `a` was looked up, with `a`'s entry (if `a` is the
    /// lookup it keeps, as for [`picture_version`](Self::picture_version)).
    pub(super) fn keep_picture_version(&self, a: &Authenticated, version: Option<String>) {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(e) = entry_of(&entries, a) {
            // Already set by a concurrent request: its query also ran after the lookup.
            let _ = e.picture.set(version);
        }
    }

    /// Drops every entry of `user` (their picture changed on this instance).
    pub(super) fn forget_user(&self, user: UserId) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, e| e.found.user.id != user);
    }
}

/// The entry that keeps the very lookup `a` (the same allocation), if any.
fn entry_of<'e>(
    entries: &'e HashMap<SessionDigest, Entry, DigestHash>,
    a: &Authenticated,
) -> Option<&'e Entry> {
    entries
        .get(&a.session.digest)
        .filter(|e| std::ptr::eq(Arc::as_ptr(&e.found), a))
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
