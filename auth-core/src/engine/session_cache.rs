//! What the engine remembers of the sessions presented to it, in one table: for each
//! session id seen to find a live session, its SHA-256 digest (so that presenting it
//! again costs a keyed SipHash of the id instead of a SHA-256, ≈ 10× fewer instructions
//! without SHA-NI) and, when the store can say cheaply whether anything read may have
//! changed since (its revision, see
//! [`SessionUserStore::revision`](crate::SessionUserStore::revision)), the lookup
//! itself. A request presenting a known session touches one entry under one lock.
//!
//! A lookup is served only while the store's revision is the one read **before** the
//! lookup that filled it, so a revocation (logout, password change, disabled account,
//! administrator's sign-out) that has returned, on this instance or any other sharing
//! the store, is seen by the next request: no staleness, whatever the timing. Liveness
//! (expiry, idle timeout) is checked on every hit against the clock, and a session due
//! for its last-seen write takes the store's path: each kept lookup has the instant
//! from which either applies, worked out once when it is kept, so a hit costs one
//! comparison with the clock.
//!
//! A kept lookup may also hold the version of its user's uploaded picture, filled by
//! the first request that asks for it (see [`Auth::own_picture_version`]): the query
//! that filled it ran after the revision the lookup is checked against was read, so it
//! is as fresh as the lookup, provided picture writes move that revision too (the rule
//! is [`Revisions::keeps_pictures`]); the engine's own picture writes also drop the
//! writer's kept lookups of that user at once.
//!
//! Security: stores still only ever see the SHA-256 digest, and no session id is kept
//! here: an entry's key is SipHash-2-4 with a 128-bit output under a random key drawn
//! per engine, which never leaves the process. Using an entry for a presented id needs
//! its whole 128-bit fingerprint to equal the entry's key (a comparison of two `u128`s,
//! not early-exiting on a prefix); forging one without the key is guessing a 128-bit
//! PRF output. Only ids that found a live session are remembered, so unknown ids cannot
//! churn the table, and an id whose session is found gone is forgotten.
//!
//! [`Auth::own_picture_version`]: crate::Auth::own_picture_version
//! [`Revisions::keeps_pictures`]: super::revision::Revisions::keeps_pictures

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::SystemTime;

use siphasher::sip128::SipHasher24;

use super::Authenticated;
use crate::model::UserId;
use crate::session::{SessionDigest, SessionToken};

/// At most this many sessions are remembered; when full, the table starts over empty
/// (an entry costs one lookup to rebuild, so eviction need not be clever).
const MAX_ENTRIES: usize = 4096;

/// A keyed 128-bit fingerprint of a session id ([`SessionCache::fingerprint`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Fingerprint(u128);

/// Sessions remembered by the fingerprint of their id.
pub(super) struct SessionCache {
    key: SipHasher24,
    table: RwLock<Table>,
}

#[derive(Default)]
struct Table {
    entries: HashMap<Fingerprint, Entry, UniformHash>,
    /// The fingerprint of each entry that keeps a lookup, by the lookup's session
    /// digest: how a lookup handed out finds its entry again (for its picture).
    by_digest: HashMap<SessionDigest, Fingerprint, UniformHash>,
}

struct Entry {
    digest: SessionDigest,
    kept: Option<Kept>,
}

/// A lookup kept with the store revision it was read under.
struct Kept {
    revision: u64,
    found: Arc<Authenticated>,
    /// From this instant on the lookup is not served (the session died, or is due for
    /// its last-seen write).
    serve_until: SystemTime,
    /// The version of the user's picture (`None`: none), once a request asked for it.
    picture: OnceLock<Option<String>>,
}

/// What [`SessionCache::recall`] knows of a presented session.
pub(super) enum Recalled {
    /// Its lookup, still valid.
    Lookup(Arc<Authenticated>),
    /// Only its digest: the store must be asked.
    Digest(SessionDigest),
    /// Nothing.
    Nothing,
}

impl Default for SessionCache {
    fn default() -> Self {
        Self {
            key: SipHasher24::new_with_key(&crate::random::bytes::<16>()),
            table: RwLock::default(),
        }
    }
}

impl SessionCache {
    /// The keyed fingerprint of `token`'s id.
    pub(super) fn fingerprint(&self, token: &SessionToken) -> Fingerprint {
        Fingerprint(self.key.hash(token.as_bytes()).as_u128())
    }

    /// What is remembered of the id behind `fingerprint`: its lookup if one was kept
    /// under `revision` and may still be served at the time `now` tells (asked only
    /// when there is such a lookup), else its digest if known.
    pub(super) fn recall(
        &self,
        fingerprint: Fingerprint,
        revision: Option<u64>,
        now: impl FnOnce() -> SystemTime,
    ) -> Recalled {
        let (digest, served) = {
            let table = self.table.read().unwrap_or_else(PoisonError::into_inner);
            let Some(entry) = table.entries.get(&fingerprint) else {
                return Recalled::Nothing;
            };
            let served = entry
                .kept
                .as_ref()
                .filter(|k| Some(k.revision) == revision)
                .map(|k| (Arc::clone(&k.found), k.serve_until));
            (entry.digest, served)
        };
        match served {
            Some((found, serve_until)) if now() < serve_until => Recalled::Lookup(found),
            _ => Recalled::Digest(digest),
        }
    }

    /// Remembers `digest` as the digest of the id behind `fingerprint` (which found a
    /// live session), with `found` when it may be served again: read by a lookup that
    /// started under `revision`, to be served before the given instant.
    pub(super) fn remember(
        &self,
        fingerprint: Fingerprint,
        digest: SessionDigest,
        found: Option<(u64, Arc<Authenticated>, SystemTime)>,
    ) {
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        if table.entries.len() >= MAX_ENTRIES && !table.entries.contains_key(&fingerprint) {
            table.entries.clear();
            table.by_digest.clear();
        }
        let kept = found.map(|(revision, found, serve_until)| Kept {
            revision,
            found,
            serve_until,
            picture: OnceLock::new(),
        });
        if kept.is_some() {
            table.by_digest.insert(digest, fingerprint);
        } else {
            table.by_digest.remove(&digest);
        }
        table.entries.insert(fingerprint, Entry { digest, kept });
    }

    /// Forgets the id behind `fingerprint` (its session was not found live).
    pub(super) fn forget(&self, fingerprint: Fingerprint) {
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = table.entries.remove(&fingerprint) {
            table.by_digest.remove(&entry.digest);
        }
    }

    /// The picture version kept with `a`: `None` unless `a` is the very lookup an
    /// entry keeps (the same allocation: a copy, or a lookup an entry made since
    /// replaced, has none) and a version was kept with it.
    pub(super) fn picture_version(&self, a: &Authenticated) -> Option<Option<String>> {
        let table = self.table.read().unwrap_or_else(PoisonError::into_inner);
        table.kept_of(a).and_then(|k| k.picture.get().cloned())
    }

    /// Keeps `version`, read after `a` was looked up, with `a` (if an entry keeps that
    /// very lookup, as for [`picture_version`](Self::picture_version)).
    pub(super) fn keep_picture_version(&self, a: &Authenticated, version: Option<String>) {
        let table = self.table.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(k) = table.kept_of(a) {
            // Already set by a concurrent request: its query also ran after the lookup.
            let _ = k.picture.set(version);
        }
    }

    /// Drops every kept lookup of `user` (their picture changed on this instance); the
    /// digests stay remembered.
    pub(super) fn forget_user(&self, user: UserId) {
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        let Table { entries, by_digest } = &mut *table;
        for entry in entries.values_mut() {
            if entry.kept.as_ref().is_some_and(|k| k.found.user.id == user) {
                entry.kept = None;
                by_digest.remove(&entry.digest);
            }
        }
    }
}

impl Table {
    /// The kept lookup that is the very lookup `a` (the same allocation), if any.
    fn kept_of(&self, a: &Authenticated) -> Option<&Kept> {
        let fingerprint = self.by_digest.get(&a.session.digest)?;
        self.entries
            .get(fingerprint)?
            .kept
            .as_ref()
            .filter(|k| std::ptr::eq(Arc::as_ptr(&k.found), a))
    }
}

/// Hashes a key that is already uniformly distributed (a keyed PRF output, or a
/// SHA-256 digest of a live session, which nobody can choose to collide) by eight of
/// its bytes instead of SipHash again.
#[derive(Default, Clone, Copy)]
struct UniformHash;

impl BuildHasher for UniformHash {
    type Hasher = UniformHasher;

    fn build_hasher(&self) -> UniformHasher {
        UniformHasher(0)
    }
}

/// The hasher of [`UniformHash`]: the first eight bytes of a written slice, or the
/// low half of a `u128` (other writes, such as an array's length prefix, are mixed in
/// but carry no information).
struct UniformHasher(u64);

impl Hasher for UniformHasher {
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
    use std::time::Duration;

    use time::OffsetDateTime;

    use super::*;
    use crate::conformance::support::{new_session, sample_user};
    use crate::model::SessionRecord;

    fn lookup(token: &SessionToken) -> Arc<Authenticated> {
        let now = OffsetDateTime::now_utc();
        let user = sample_user(now);
        let session = SessionRecord {
            digest: token.digest(),
            ..new_session(user.id, now, now, now)
        };
        Arc::new(Authenticated {
            user,
            session,
            must_enrol_second_factor: false,
        })
    }

    fn later() -> SystemTime {
        SystemTime::now() + Duration::from_secs(60)
    }

    /// The lookup and the digest a recall answered (at most one of them).
    fn parts(recalled: Recalled) -> (Option<Arc<Authenticated>>, Option<SessionDigest>) {
        match recalled {
            Recalled::Lookup(found) => (Some(found), None),
            Recalled::Digest(digest) => (None, Some(digest)),
            Recalled::Nothing => (None, None),
        }
    }

    /// A table keeping the lookup of a new session under `revision`, served for a minute.
    fn kept_under(revision: u64) -> (SessionCache, SessionToken, Fingerprint, Arc<Authenticated>) {
        let cache = SessionCache::default();
        let token = SessionToken::generate();
        let (f, found) = (cache.fingerprint(&token), lookup(&token));
        cache.remember(
            f,
            token.digest(),
            Some((revision, Arc::clone(&found), later())),
        );
        (cache, token, f, found)
    }

    #[test]
    fn a_remembered_digest_is_the_ids_sha256_and_only_its_own() {
        let cache = SessionCache::default();
        let (a, b) = (SessionToken::generate(), SessionToken::generate());
        let (fa, fb) = (cache.fingerprint(&a), cache.fingerprint(&b));
        assert!(matches!(
            cache.recall(fa, Some(1), SystemTime::now),
            Recalled::Nothing
        ));
        cache.remember(fa, a.digest(), None);
        assert_eq!(
            parts(cache.recall(fa, Some(1), SystemTime::now)).1,
            Some(a.digest())
        );
        assert!(matches!(
            cache.recall(fb, Some(1), SystemTime::now),
            Recalled::Nothing
        ));
        assert!(fa != fb);
    }

    #[test]
    fn fingerprints_are_keyed_per_engine() {
        let t = SessionToken::generate();
        let (one, two) = (SessionCache::default(), SessionCache::default());
        assert!(
            one.fingerprint(&t) != two.fingerprint(&t),
            "a fingerprint must not be computable without the engine's key"
        );
        assert!(one.fingerprint(&t) == one.fingerprint(&t));
    }

    #[test]
    fn a_lookup_is_served_only_under_its_revision_and_before_its_instant() {
        let (cache, token, f, found) = kept_under(7);
        let again = parts(cache.recall(f, Some(7), SystemTime::now))
            .0
            .expect("served");
        assert!(Arc::ptr_eq(&again, &found));
        for revision in [Some(8), Some(6), None] {
            assert_eq!(
                parts(cache.recall(f, revision, SystemTime::now)).1,
                Some(token.digest()),
                "{revision:?}"
            );
        }
        assert_eq!(
            parts(cache.recall(f, Some(7), later)).1,
            Some(token.digest()),
            "not served from its instant on"
        );
        cache.forget(f);
        assert!(matches!(
            cache.recall(f, Some(7), SystemTime::now),
            Recalled::Nothing
        ));
    }

    #[test]
    fn a_picture_is_kept_only_with_the_very_lookup_and_dropped_with_its_user() {
        let (cache, token, f, found) = kept_under(1);
        let copy = Authenticated::clone(&found);
        cache.keep_picture_version(&copy, Some("copy".to_owned()));
        assert_eq!(cache.picture_version(&found), None, "a copy keeps nothing");
        cache.keep_picture_version(&found, Some("v1".to_owned()));
        assert_eq!(cache.picture_version(&found), Some(Some("v1".to_owned())));
        assert_eq!(cache.picture_version(&copy), None);

        cache.forget_user(found.user.id);
        assert_eq!(cache.picture_version(&found), None);
        assert_eq!(
            parts(cache.recall(f, Some(1), SystemTime::now)).1,
            Some(token.digest()),
            "the digest outlives the dropped lookup"
        );
    }

    #[test]
    fn the_table_is_bounded() {
        let cache = SessionCache::default();
        for _ in 0..=MAX_ENTRIES {
            let t = SessionToken::generate();
            cache.remember(
                cache.fingerprint(&t),
                t.digest(),
                Some((1, lookup(&t), later())),
            );
        }
        let table = cache.table.read().unwrap_or_else(PoisonError::into_inner);
        let (len, indexed) = (table.entries.len(), table.by_digest.len());
        assert!(len <= MAX_ENTRIES && len > 0, "{len}");
        assert_eq!(indexed, len, "every kept lookup is indexed, no more");
    }
}
