//! Argon2id hashing off the async executor.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Params, Version};
use auth_argon2::Memory;
use tokio::sync::{OnceCell, Semaphore};
use zeroize::Zeroizing;

use super::legacy::{HashFormat, Legacy};
use super::{MAX_PASSWORD_BYTES, normalize};
use crate::error::{BoxError, Error, Message, Result};
use crate::model::PasswordHash;
use crate::telemetry;

/// Length of the random salt of every new hash, in bytes (the PHC recommendation).
const SALT_LEN: usize = 16;
/// Length of the Argon2 output, in bytes.
const OUTPUT_LEN: usize = 32;
/// Shortest pepper accepted, in bytes.
const MIN_PEPPER_LEN: usize = 32;
/// Most permits a [`Hasher`] may hand out: Tokio's default blocking-thread pool size.
const MAX_CONCURRENT: usize = 512;

/// Argon2id cost parameters.
///
/// The default is the first OWASP recommendation for Argon2id: 19 MiB of memory, two
/// passes, one lane (`m=19456,t=2,p=1`). [`HashParams::validate`] refuses parameters
/// that are weaker than OWASP's weakest recommended setting or absurdly expensive; the
/// limits are the `MIN_*`/`MAX_*` constants of this type.
///
/// Changing the parameters does not invalidate stored hashes: each PHC string carries the
/// parameters it was made with, and [`PasswordVerified::needs_rehash`] tells the caller
/// to store a fresh hash at the next successful login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HashParams {
    /// Memory cost in KiB (Argon2 `m`).
    pub memory_kib: u32,
    /// Number of passes over the memory (Argon2 `t`).
    pub iterations: u32,
    /// Number of lanes (Argon2 `p`).
    pub parallelism: u32,
    /// Skips the minimum-cost checks of [`HashParams::validate`] (argon2's own hard limits
    /// still apply). Only [`HashParams::insecure_fast_for_tests`] sets it; never set it in
    /// production.
    pub insecure: bool,
}

impl Default for HashParams {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
            insecure: false,
        }
    }
}

impl HashParams {
    /// Least memory accepted: 7 MiB, OWASP's lowest recommended Argon2id setting
    /// (`m=7168,t=5,p=1`).
    pub const MIN_MEMORY_KIB: u32 = 7 * 1024;
    /// Least memory × passes accepted, in KiB: every OWASP Argon2id recommendation costs at
    /// least this much (`m=7168,t=5` is the cheapest).
    pub const MIN_MEMORY_TIMES_ITERATIONS: u64 = 7 * 1024 * 5;
    /// Most memory accepted: 1 GiB per hash. With `max_concurrent` hashes at once the
    /// server needs that many times as much.
    pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;
    /// Most passes accepted.
    pub const MAX_ITERATIONS: u32 = 64;
    /// Most lanes accepted.
    pub const MAX_PARALLELISM: u32 = 64;

    /// Parameters with the given costs, subject to [`HashParams::validate`].
    pub const fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Self {
        Self {
            memory_kib,
            iterations,
            parallelism,
            insecure: false,
        }
    }

    /// Cheap parameters (`m=64,t=1,p=1`) for tests that are not about hashing.
    ///
    /// They make brute force trivial: never use them in production.
    pub fn insecure_fast_for_tests() -> Self {
        Self {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
            insecure: true,
        }
    }

    /// Checks that the parameters are safe and affordable.
    ///
    /// # Errors
    /// [`Error::Config`] when a value is below the OWASP floor (unless `insecure` is set),
    /// above the `MAX_*` limits, or outside what Argon2 accepts (memory below 8 KiB per
    /// lane, zero passes or lanes).
    pub fn validate(&self) -> Result<()> {
        let Self {
            memory_kib: m,
            iterations: t,
            parallelism: p,
            insecure,
        } = *self;
        if t == 0 || p == 0 {
            return Err(Error::Config(
                "argon2 iterations and parallelism must be at least 1".into(),
            ));
        }
        if p > Self::MAX_PARALLELISM {
            return Err(Error::Config(format!(
                "argon2 parallelism {p} exceeds the limit of {}",
                Self::MAX_PARALLELISM
            )));
        }
        if u64::from(m) < 8 * u64::from(p) {
            return Err(Error::Config(format!(
                "argon2 memory must be at least 8 KiB per lane ({} KiB for p={p})",
                8 * p
            )));
        }
        if m > Self::MAX_MEMORY_KIB {
            return Err(Error::Config(format!(
                "argon2 memory {m} KiB exceeds the limit of {} KiB (1 GiB)",
                Self::MAX_MEMORY_KIB
            )));
        }
        if t > Self::MAX_ITERATIONS {
            return Err(Error::Config(format!(
                "argon2 iterations {t} exceed the limit of {}",
                Self::MAX_ITERATIONS
            )));
        }
        if !insecure {
            if m < Self::MIN_MEMORY_KIB {
                return Err(Error::Config(format!(
                    "argon2 memory {m} KiB is below the minimum of {} KiB (7 MiB)",
                    Self::MIN_MEMORY_KIB
                )));
            }
            if u64::from(m) * u64::from(t) < Self::MIN_MEMORY_TIMES_ITERATIONS {
                return Err(Error::Config(format!(
                    "argon2 cost m={m},t={t} is below OWASP's recommendations \
                     (memory x iterations must be at least {} KiB, e.g. m=19456,t=2)",
                    Self::MIN_MEMORY_TIMES_ITERATIONS
                )));
            }
        }
        Ok(())
    }

    /// The parameters as they appear in a PHC string, e.g. `m=19456,t=2,p=1`.
    pub fn to_phc_params(&self) -> String {
        format!(
            "m={},t={},p={}",
            self.memory_kib, self.iterations, self.parallelism
        )
    }

    fn to_argon2(self) -> Result<Params> {
        Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(OUTPUT_LEN),
        )
        .map_err(|e| Error::Config(format!("argon2 rejected the parameters: {e}")))
    }
}

/// Proof that a password matched a stored hash.
///
/// Only [`Hasher::verify`] can make one, so code that requires a `PasswordVerified`
/// (creating a session, changing the password) cannot run on an unchecked password.
#[derive(Debug, Clone)]
#[must_use = "a verified password is the proof a flow needs; dropping it drops the proof"]
pub struct PasswordVerified {
    needs_rehash: bool,
    /// Digest of the PHC string the password was checked against: the proof is worth
    /// nothing once the stored hash has changed.
    hash_digest: [u8; 32],
}

impl PasswordVerified {
    fn new(needs_rehash: bool, hash: &PasswordHash) -> Self {
        Self {
            needs_rehash,
            hash_digest: hash_digest(hash),
        }
    }

    /// A proof for `hash`, for tests of code that consumes proofs.
    #[cfg(test)]
    pub(crate) fn for_tests(hash: &PasswordHash) -> Self {
        Self::new(false, hash)
    }

    /// Whether the stored hash was made with another algorithm, version or parameters than
    /// the configured ones; the caller should then store [`Hasher::hash`] of the password it
    /// just verified.
    pub fn needs_rehash(&self) -> bool {
        self.needs_rehash
    }

    /// Whether this proof was obtained against `hash` (the account's password has not
    /// changed since).
    pub fn is_for(&self, hash: &PasswordHash) -> bool {
        crate::random::constant_time_eq(&self.hash_digest, &hash_digest(hash))
    }
}

fn hash_digest(hash: &PasswordHash) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(hash.as_str().as_bytes()).into()
}

/// Hashes and verifies passwords with Argon2id.
///
/// Cheap to clone (an [`Arc`] inside). Every hash and verification runs on Tokio's
/// blocking thread pool (`spawn_blocking`) after taking one of `max_concurrent` semaphore
/// permits, so at most `max_concurrent × memory_kib` KiB are in use for hashing at any time
/// and the async executor never runs Argon2. The methods must therefore be called from
/// within a Tokio runtime; outside one they return [`Error::Hashing`].
///
/// # Argon2
/// The hashes are computed by `auth-argon2`, the workspace's Argon2 with hand-vectorised
/// AVX-512 and AVX2 block functions chosen at run time (portable code elsewhere); the PHC
/// strings are those of the RustCrypto `argon2` crate, bit for bit, so hashes stored
/// before verify unchanged. One permit is one core: a hash with `p > 1` lanes takes
/// `min(p, max_concurrent)` permits at once and computes its lanes on that many threads,
/// so it finishes up to `p` times sooner when cores are free, and hashes never run more
/// threads together than there are permits (lanes on threads without the extra permits
/// made `p=2` hashes up to twice as slow when other hashes kept the cores busy,
/// docs/benchmarks.md).
///
/// # Memory
/// Argon2's block array (`memory_kib` KiB) is not allocated per hash: each running hash
/// borrows one from a pool that never holds more arrays than there are permits, and wipes
/// it (zeroes every block, once, at the end of the hash) before giving it back. A hasher therefore keeps up to
/// `max_concurrent × memory_kib` KiB allocated once it has been that busy, and never more,
/// whatever the allocator does with freed memory. Verifying a stored hash whose `m` is
/// larger than the configured one uses a temporary array of that size, also wiped.
///
/// # Pepper
/// An optional pepper (a server-side secret, at least 32 bytes) is fed to Argon2 as its
/// secret key `K`. A database leak alone then does not allow offline guessing. Changing
/// or removing the pepper makes **every existing hash unverifiable**: all users would have
/// to reset their passwords. Keep it in a secret store, not next to the database.
#[derive(Clone)]
pub struct Hasher {
    inner: Arc<Inner>,
}

struct Inner {
    params: HashParams,
    argon2_params: Params,
    pepper: Option<Zeroizing<Vec<u8>>>,
    permits: Arc<Semaphore>,
    max_concurrent: usize,
    /// A hash with the configured parameters, for [`Hasher::dummy_verify`].
    dummy: OnceCell<PasswordHash>,
    /// Block arrays of `argon2_params.block_count()` blocks, wiped, waiting to be reused.
    /// Only a permit holder takes one, so there are never more than `max_concurrent`.
    blocks: Mutex<Vec<Memory>>,
    #[cfg(test)]
    probe: probe::Probe,
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hasher")
            .field("params", &self.inner.params)
            .field("pepper", &self.inner.pepper.as_ref().map(|_| "<redacted>"))
            .field("max_concurrent", &self.inner.max_concurrent)
            .finish()
    }
}

impl Hasher {
    /// A hasher with the given parameters, optional pepper, and at most `max_concurrent`
    /// hashes or verifications running at once (see [`Hasher::default_concurrency`]).
    ///
    /// # Errors
    /// [`Error::Config`] when the parameters fail [`HashParams::validate`], the pepper is
    /// shorter than 32 bytes, or `max_concurrent` is 0 or above 512.
    pub fn new(
        params: HashParams,
        pepper: Option<Vec<u8>>,
        max_concurrent: usize,
    ) -> Result<Hasher> {
        params.validate()?;
        let argon2_params = params.to_argon2()?;
        let pepper = pepper.map(Zeroizing::new);
        if let Some(p) = &pepper
            && p.len() < MIN_PEPPER_LEN
        {
            return Err(Error::Config(format!(
                "the password pepper must be at least {MIN_PEPPER_LEN} bytes"
            )));
        }
        if max_concurrent == 0 || max_concurrent > MAX_CONCURRENT {
            return Err(Error::Config(format!(
                "max_concurrent password hashes must be between 1 and {MAX_CONCURRENT}"
            )));
        }
        Ok(Hasher {
            inner: Arc::new(Inner {
                params,
                argon2_params,
                pepper,
                permits: Arc::new(Semaphore::new(max_concurrent)),
                max_concurrent,
                dummy: OnceCell::new(),
                blocks: Mutex::new(Vec::new()),
                #[cfg(test)]
                probe: probe::Probe::default(),
            }),
        })
    }

    /// The number of CPUs available to the process (at least 1): a sensible
    /// `max_concurrent`, since Argon2 with `p=1` keeps one core busy per hash.
    pub fn default_concurrency() -> usize {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    }

    /// The configured parameters.
    pub fn params(&self) -> HashParams {
        self.inner.params
    }

    /// How many hashes or verifications may run at once.
    pub fn max_concurrent(&self) -> usize {
        self.inner.max_concurrent
    }

    /// Hashes `password` (after NFKC normalisation) with a fresh random 16-byte salt.
    ///
    /// The caller is expected to have checked the password against a
    /// [`super::PasswordPolicy`] first.
    ///
    /// # Errors
    /// [`Error::Validation`] (`password`, `too_long`) when the input exceeds
    /// [`MAX_PASSWORD_BYTES`]; [`Error::Hashing`] when Argon2 fails or no Tokio runtime is
    /// running.
    pub async fn hash(&self, password: &str) -> Result<PasswordHash> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(too_long());
        }
        let password = normalize(password);
        let threads = self.lane_threads(self.inner.argon2_params.p_cost());
        self.run_blocking("hash", threads, move |inner| {
            inner.hash_blocking(&password, threads)
        })
        .await?
    }

    /// Checks `password` against a stored hash.
    ///
    /// Returns `Ok(None)` when the password does not match (also, without hashing, when
    /// the input exceeds [`MAX_PASSWORD_BYTES`]: no stored password can be that long).
    /// The stored hash's own parameters are used, so hashes made with older parameters
    /// still verify; [`PasswordVerified::needs_rehash`] then says so.
    ///
    /// # Errors
    /// [`Error::Hashing`] when the stored hash is not a well-formed Argon2 PHC string, its
    /// parameters exceed [`HashParams`]' limits, or hashing fails.
    pub async fn verify(
        &self,
        password: &str,
        hash: &PasswordHash,
    ) -> Result<Option<PasswordVerified>> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Ok(None);
        }
        if !hash.is_usable() {
            // An account without a password: the same work as a wrong one.
            self.dummy_verify(password).await;
            return Ok(None);
        }
        self.verify_usable(password, hash).await
    }

    /// [`Hasher::verify`] for a hash that is not [`PasswordHash::unusable`].
    async fn verify_usable(
        &self,
        password: &str,
        hash: &PasswordHash,
    ) -> Result<Option<PasswordVerified>> {
        if let Some(legacy) = Legacy::parse(hash.as_str()) {
            // Another system's hash: checked with the password as typed (that system did
            // not normalise it), and always replaced by Argon2id once it matched.
            let (_, legacy) = legacy.map_err(hashing)?;
            let password = Zeroizing::new(password.to_owned());
            let matched = self
                .run_blocking("verify", 1, move |_| legacy.verify(&password))
                .await??;
            return Ok(matched.then(|| PasswordVerified::new(true, hash)));
        }
        let stored = Stored::parse(hash, &self.inner)?;
        let password = normalize(password);
        let threads = self.lane_threads(stored.lanes);
        let matched = self
            .run_blocking("verify", threads, move |inner| {
                inner.verify_blocking(&password, &stored.phc, threads)
            })
            .await??;
        Ok(matched.then(|| PasswordVerified::new(stored.needs_rehash, hash)))
    }

    /// The format of a stored hash, checked as [`Hasher::verify`] would check it: an
    /// Argon2 PHC string within [`HashParams`]' limits, or one of the other systems'
    /// formats in [`HashFormat`] (verified at sign-in, then rehashed to Argon2id).
    ///
    /// # Errors
    /// [`Error::Validation`] on `password_hash`, saying why, for an unknown format or a
    /// malformed hash.
    pub fn recognize(&self, hash: &PasswordHash) -> Result<HashFormat> {
        if let Some(legacy) = Legacy::parse(hash.as_str()) {
            return legacy.map(|(format, _)| format);
        }
        if !hash.as_str().starts_with("$argon2") {
            return Err(Error::invalid(
                "password_hash",
                Message::new("field-password_hash-unknown_format"),
            ));
        }
        match Stored::parse(hash, &self.inner) {
            Ok(_) => Ok(HashFormat::Argon2),
            Err(Error::Hashing { source }) => {
                tracing::debug!(format = %HashFormat::Argon2, reason = %source, "a malformed password hash");
                Err(Error::invalid(
                    "password_hash",
                    Message::new("field-password_hash-malformed")
                        .arg("format", HashFormat::Argon2)
                        .with_detail(source),
                ))
            }
            Err(other) => Err(other),
        }
    }

    /// Does the work of a verification that fails, for logins with an unknown identifier,
    /// so that they take as long as logins with a wrong password.
    ///
    /// The reference hash is made with the configured parameters and pepper on the first
    /// call (which costs the same as a verification) and reused afterwards. Errors are
    /// ignored: the caller answers "invalid credentials" whatever happens.
    pub async fn dummy_verify(&self, password: &str) {
        if password.len() > MAX_PASSWORD_BYTES {
            return;
        }
        if let Some(dummy) = self.inner.dummy.get() {
            let _ = self.verify_usable(password, dummy).await;
            return;
        }
        // Making the reference hash is itself one Argon2 run with the configured
        // parameters: the same work as a verification, so the first call is not faster.
        let password = normalize(password);
        let threads = self.lane_threads(self.inner.argon2_params.p_cost());
        if let Ok(Ok(hash)) = self
            .run_blocking("verify", threads, move |inner| {
                inner.hash_blocking(&password, threads)
            })
            .await
        {
            let _ = self.inner.dummy.set(hash);
        }
    }

    /// Runs CPU-bound `work` (such as the strength estimate of a new password) on a
    /// blocking thread under the same permits as hashing, so that it neither stalls the
    /// async executor nor escapes the bound on concurrent password work.
    ///
    /// # Errors
    /// [`Error::Hashing`] when no Tokio runtime is running or the work panicked.
    pub(crate) async fn off_executor<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.run_blocking("strength", 1, move |_| work()).await
    }

    /// How many threads (and so permits) an Argon2 run with `lanes` lanes gets: one per
    /// lane, but never more than the hasher's permits.
    fn lane_threads(&self, lanes: u32) -> u32 {
        let most = u32::try_from(self.inner.max_concurrent).unwrap_or(u32::MAX);
        lanes.clamp(1, most)
    }

    /// Runs `work` on a blocking thread once `cores` permits are free (the threads the
    /// work runs on, see [`Hasher::lane_threads`]). The permits are held until the work
    /// ends, even if the caller stops waiting. The wait and the work are recorded as
    /// `operation` (see [`telemetry`](crate::telemetry)).
    async fn run_blocking<T, F>(&self, operation: &'static str, cores: u32, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> T + Send + 'static,
    {
        let runtime = tokio::runtime::Handle::try_current().map_err(hashing)?;
        let queued = Instant::now();
        let permit = Arc::clone(&self.inner.permits)
            .acquire_many_owned(cores)
            .await
            .map_err(hashing)?;
        let inner = Arc::clone(&self.inner);
        runtime
            .spawn_blocking(move || {
                let _permit = permit;
                #[cfg(test)]
                let _running = inner.probe.enter(cores);
                let started = Instant::now();
                let done = work(&inner);
                telemetry::hashed(operation, queued, started);
                done
            })
            .await
            .map_err(hashing)
    }
}

impl Inner {
    /// The computation for `algorithm`, `version` and `params` (with the configured pepper,
    /// and the associated data a PHC string may carry in its `data` parameter).
    /// Its lanes run on up to `threads` threads, for which the caller holds permits.
    fn argon2<'a>(
        &'a self,
        algorithm: Algorithm,
        version: Version,
        params: &'a Params,
        threads: u32,
    ) -> Result<auth_argon2::Argon2<'a>> {
        let algorithm = match algorithm {
            Algorithm::Argon2d => auth_argon2::Algorithm::Argon2d,
            Algorithm::Argon2i => auth_argon2::Algorithm::Argon2i,
            Algorithm::Argon2id => auth_argon2::Algorithm::Argon2id,
        };
        let version = match version {
            Version::V0x10 => auth_argon2::Version::V0x10,
            Version::V0x13 => auth_argon2::Version::V0x13,
        };
        let costs = auth_argon2::Params::new(params.m_cost(), params.t_cost(), params.p_cost())
            .map_err(hashing)?;
        let argon2 = auth_argon2::Argon2::new(algorithm, version, costs)
            .with_associated_data(params.data())
            .with_threads(usize::try_from(threads).unwrap_or(1));
        Ok(match &self.pepper {
            Some(pepper) => argon2.with_secret(pepper),
            None => argon2,
        })
    }

    fn hash_blocking(&self, password: &str, threads: u32) -> Result<PasswordHash> {
        let salt = crate::random::bytes::<SALT_LEN>();
        self.hash_with_salt(password, &salt, threads)
    }

    /// The PHC string of `password` with `salt` and the configured parameters: the same
    /// string `argon2`'s `PasswordHasher::hash_password_with_salt` makes, computed in a
    /// pooled block array.
    fn hash_with_salt(&self, password: &str, salt: &[u8], threads: u32) -> Result<PasswordHash> {
        let argon2 = self.argon2(
            Algorithm::Argon2id,
            Version::V0x13,
            &self.argon2_params,
            threads,
        )?;
        let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
        self.run_argon2(&argon2, password, salt, &mut out[..])?;
        let phc = argon2::PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.argon2_params).map_err(hashing)?,
            salt: Some(Salt::new(salt).map_err(hashing)?),
            hash: Some(Output::new(&out[..]).map_err(hashing)?),
        };
        Ok(PasswordHash::new(phc.to_string()))
    }

    fn verify_blocking(
        &self,
        password: &str,
        phc: &argon2::PasswordHash,
        threads: u32,
    ) -> Result<bool> {
        // The algorithm, version and parameters come from `phc`; only the pepper is ours.
        let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
            return Err(hashing("the stored password hash has no salt or no output"));
        };
        let algorithm = Algorithm::try_from(phc.algorithm.as_str()).map_err(hashing)?;
        let version = phc
            .version
            .map(Version::try_from)
            .transpose()
            .map_err(hashing)?
            .unwrap_or_default();
        let params = Params::try_from(phc).map_err(hashing)?;
        let argon2 = self.argon2(algorithm, version, &params, threads)?;
        let mut out = Zeroizing::new([0u8; Output::MAX_LENGTH]);
        let out = out
            .get_mut(..expected.len())
            .ok_or_else(|| hashing("the stored password hash's output is too long"))?;
        self.run_argon2(&argon2, password, salt, out)?;
        Ok(crate::random::constant_time_eq(out, expected.as_bytes()))
    }

    /// Runs Argon2 into `out` in a block array from the pool (or, for a stored hash with
    /// more memory than configured, a temporary one), which the hash wipes when it ends.
    fn run_argon2(
        &self,
        argon2: &auth_argon2::Argon2<'_>,
        password: &str,
        salt: &[u8],
        out: &mut [u8],
    ) -> Result<()> {
        let needed = argon2.params().blocks();
        let mut memory = self.lend_memory(needed);
        argon2
            .hash_into(password.as_bytes(), salt, out, &mut memory.memory)
            .map_err(hashing)
    }

    /// A block array of at least `needed` blocks: a pooled one when it is large enough
    /// (the usual case: the configured parameters), else a temporary one. A new pooled
    /// array is allocated (and pre-faulted) at the configured size.
    fn lend_memory(&self, needed: usize) -> LentMemory<'_> {
        let pooled = self
            .blocks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let configured = self.argon2_params.block_count();
        let (memory, pooled) = match pooled {
            Some(m) if m.kib() >= needed => (m, true),
            other => {
                if let Some(m) = other {
                    self.give_back(m);
                }
                // Only arrays of the configured size are kept, so the pool's size stays
                // `max_concurrent × memory_kib` whatever parameters stored hashes carry.
                (
                    Memory::with_kib(needed.max(configured)),
                    needed <= configured,
                )
            }
        };
        LentMemory {
            inner: self,
            memory,
            pooled,
        }
    }

    fn give_back(&self, memory: Memory) {
        self.blocks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(memory);
    }
}

/// A block array lent for one Argon2 run, returned to the pool when dropped or, if it was
/// a temporary one, freed. [`auth_argon2::Argon2::hash_into`] wipes it at the end of every
/// hash, also a failed one (the blocks are derived from the password, and leftover Argon2
/// memory makes guessing cheaper), so it is never wiped twice.
struct LentMemory<'a> {
    inner: &'a Inner,
    memory: Memory,
    pooled: bool,
}

impl Drop for LentMemory<'_> {
    fn drop(&mut self) {
        if self.pooled {
            self.inner.give_back(std::mem::take(&mut self.memory));
        }
    }
}

/// A stored hash, parsed and checked before any work is spent on it.
struct Stored {
    phc: argon2::PasswordHash,
    /// Its `p`: the lanes a verification computes.
    lanes: u32,
    needs_rehash: bool,
}

impl Stored {
    fn parse(hash: &PasswordHash, inner: &Inner) -> Result<Self> {
        let phc = argon2::PasswordHash::new(hash.as_str()).map_err(hashing)?;
        let algorithm = Algorithm::try_from(phc.algorithm.as_str()).map_err(hashing)?;
        let params = Params::try_from(&phc).map_err(hashing)?;
        if phc.salt.is_none() || phc.hash.is_none() {
            return Err(hashing("the stored password hash has no salt or no output"));
        }
        // A corrupt or hostile stored hash must not make us allocate gigabytes.
        if params.m_cost() > HashParams::MAX_MEMORY_KIB
            || params.t_cost() > HashParams::MAX_ITERATIONS
            || params.p_cost() > HashParams::MAX_PARALLELISM
        {
            return Err(hashing(
                "the stored password hash's parameters exceed the accepted limits",
            ));
        }
        let needs_rehash = algorithm != Algorithm::Argon2id
            || phc.version != Some(Version::V0x13.into())
            || params != inner.argon2_params;
        Ok(Self {
            phc,
            lanes: params.p_cost(),
            needs_rehash,
        })
    }
}

fn hashing(source: impl Into<BoxError>) -> Error {
    Error::Hashing {
        source: source.into(),
    }
}

fn too_long() -> Error {
    let mut errors = crate::error::ValidationErrors::new();
    errors.push(
        "password",
        "too_long",
        Message::new("field-password-too_many_bytes").arg("n", MAX_PASSWORD_BYTES),
    );
    Error::Validation(errors)
}

#[cfg(test)]
mod probe {
    //! Observes how many hashing jobs run at once.
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    pub(super) struct Probe {
        running: AtomicUsize,
        pub(super) peak: AtomicUsize,
        pub(super) started: AtomicUsize,
    }

    pub(super) struct Running<'a>(&'a Probe, usize);

    impl Probe {
        /// A job on `cores` threads starts: `running` and `peak` count threads.
        pub(super) fn enter(&self, cores: u32) -> Running<'_> {
            let cores = cores as usize;
            let now = self.running.fetch_add(cores, Ordering::SeqCst) + cores;
            self.peak.fetch_max(now, Ordering::SeqCst);
            self.started.fetch_add(1, Ordering::SeqCst);
            Running(self, cores)
        }
    }

    impl Drop for Running<'_> {
        fn drop(&mut self) {
            self.0.running.fetch_sub(self.1, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    use argon2::{Argon2, PasswordHasher as _};

    use super::*;

    /// Made by the reference implementation (argon2-cffi 25.1, libargon2):
    /// `hash_secret(b"correct horse battery staple", b"known-salt-16byt", time_cost=2,
    /// memory_cost=19456, parallelism=1, hash_len=32, type=Type.ID)`.
    const KAT_DEFAULT: &str = "$argon2id$v=19$m=19456,t=2,p=1$a25vd24tc2FsdC0xNmJ5dA$RBEil1KHxjE/Z0EF32lGbQtDt08ecLwxYAmiezY2E6s";
    /// The same password and salt with `m=64,t=1,p=1`.
    const KAT_CHEAP: &str = "$argon2id$v=19$m=64,t=1,p=1$a25vd24tc2FsdC0xNmJ5dA$2DciCxKFFsOzvsN6T3EQbjKev3RCIPxXKKlXpmKSbtQ";
    const KAT_PASSWORD: &str = "correct horse battery staple";
    /// The reference hash of the NFKC form `"fine Straße 1"` of `"ﬁne Straße ①"`
    /// (salt `another-salt-16b`, `m=64,t=1,p=1`).
    const KAT_NFKC: &str = "$argon2id$v=19$m=64,t=1,p=1$YW5vdGhlci1zYWx0LTE2Yg$Tkhob3agEyz9HoPcvcf0zb16AiQ184e2utOQTwE+TA4";

    fn fast() -> Hasher {
        Hasher::new(HashParams::insecure_fast_for_tests(), None, 2).unwrap()
    }

    fn pepper(byte: u8) -> Option<Vec<u8>> {
        Some(vec![byte; 32])
    }

    #[tokio::test]
    async fn reference_hash_with_default_params_verifies() {
        let hasher = Hasher::new(HashParams::default(), None, 1).unwrap();
        let proof = hasher
            .verify(KAT_PASSWORD, &PasswordHash::new(KAT_DEFAULT))
            .await
            .unwrap()
            .expect("the reference hash must verify");
        assert!(!proof.needs_rehash());
        assert!(
            hasher
                .verify(
                    "correct horse battery stapl",
                    &PasswordHash::new(KAT_DEFAULT)
                )
                .await
                .unwrap()
                .is_none()
        );
    }

    /// What the hasher did before it reused block arrays: `argon2`'s own
    /// `hash_password_with_salt`, which allocates the array per call.
    fn hash_the_old_way(
        params: HashParams,
        pepper: Option<&[u8]>,
        password: &str,
        salt: &[u8],
    ) -> String {
        let params = params.to_argon2().unwrap();
        let argon2 = match pepper {
            Some(p) => {
                Argon2::new_with_secret(p, Algorithm::Argon2id, Version::V0x13, params).unwrap()
            }
            None => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
        };
        argon2
            .hash_password_with_salt(password.as_bytes(), salt)
            .unwrap()
            .to_string()
    }

    #[test]
    fn phc_strings_for_a_fixed_salt_are_unchanged() {
        let salt = b"known-salt-16byt";
        for (params, reference) in [
            (HashParams::default(), KAT_DEFAULT),
            (HashParams::insecure_fast_for_tests(), KAT_CHEAP),
        ] {
            let hasher = Hasher::new(params, None, 1).unwrap();
            let ours = hasher.inner.hash_with_salt(KAT_PASSWORD, salt, 1).unwrap();
            assert_eq!(ours.as_str(), reference);
            assert_eq!(
                ours.as_str(),
                hash_the_old_way(params, None, KAT_PASSWORD, salt)
            );
        }
        // With a pepper and other parameters (two lanes, three passes), too.
        let params = HashParams {
            memory_kib: 256,
            iterations: 3,
            parallelism: 2,
            insecure: true,
        };
        let pepper = [9u8; 32];
        let hasher = Hasher::new(params, Some(pepper.to_vec()), 2).unwrap();
        for threads in [1, 2, 1, 2] {
            // Lanes one after the other or on two threads; from the third time on in a
            // reused (wiped) array.
            assert_eq!(
                hasher
                    .inner
                    .hash_with_salt("p\u{e9}pper", salt, threads)
                    .unwrap()
                    .as_str(),
                hash_the_old_way(params, Some(&pepper), "p\u{e9}pper", salt)
            );
        }
    }

    #[tokio::test]
    async fn hashes_made_the_old_way_verify() {
        let params = HashParams::insecure_fast_for_tests();
        let pepper = [3u8; 32];
        let old = PasswordHash::new(hash_the_old_way(
            params,
            None,
            "old secret",
            b"saltsaltsaltsalt",
        ));
        let old_peppered = PasswordHash::new(hash_the_old_way(
            params,
            Some(&pepper),
            "old secret",
            b"saltsaltsaltsalt",
        ));
        let plain = Hasher::new(params, None, 1).unwrap();
        let peppered = Hasher::new(params, Some(pepper.to_vec()), 1).unwrap();
        for _ in 0..2 {
            assert!(plain.verify("old secret", &old).await.unwrap().is_some());
            assert!(plain.verify("old secreT", &old).await.unwrap().is_none());
            assert!(
                peppered
                    .verify("old secret", &old_peppered)
                    .await
                    .unwrap()
                    .is_some()
            );
            assert!(peppered.verify("old secret", &old).await.unwrap().is_none());
        }
    }

    /// Hashes `n` different passwords at once, each in its own task.
    async fn hash_concurrently(hasher: &Hasher, n: usize) {
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.hash(&format!("password {i}")).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn block_arrays_are_one_per_permit_reused_and_wiped() {
        let params = HashParams {
            memory_kib: 256,
            ..HashParams::insecure_fast_for_tests()
        };
        let hasher = Hasher::new(params, None, 2).unwrap();
        hash_concurrently(&hasher, 8).await;
        let pool = hasher.inner.blocks.lock().unwrap();
        let peak = hasher.inner.probe.peak.load(Ordering::SeqCst);
        assert!(!pool.is_empty() && pool.len() <= 2, "{} arrays", pool.len());
        assert!(
            pool.len() <= peak,
            "{} arrays for {peak} concurrent hashes",
            pool.len()
        );
        for memory in pool.iter() {
            assert_eq!(memory.kib(), 256);
            assert!(memory.is_wiped());
        }
    }

    /// `"secret"` hashed the old way with `params`.
    fn old_secret(params: HashParams) -> PasswordHash {
        PasswordHash::new(hash_the_old_way(
            params,
            None,
            "secret",
            b"saltsaltsaltsalt",
        ))
    }

    #[tokio::test]
    async fn a_stored_hash_with_more_memory_verifies_in_a_temporary_array() {
        let hasher = fast();
        let bigger = HashParams {
            memory_kib: 512,
            ..HashParams::insecure_fast_for_tests()
        };
        let stored = old_secret(bigger);
        let proof = hasher.verify("secret", &stored).await.unwrap().unwrap();
        assert!(proof.needs_rehash());
        assert!(hasher.verify("secreT", &stored).await.unwrap().is_none());
        // A smaller stored `m` runs in the pooled array.
        let smaller = HashParams {
            memory_kib: 32,
            ..HashParams::insecure_fast_for_tests()
        };
        let stored = old_secret(smaller);
        assert!(hasher.verify("secret", &stored).await.unwrap().is_some());
        let pool = hasher.inner.blocks.lock().unwrap();
        assert_eq!(pool.len(), 1);
        assert_eq!(
            pool[0].kib(),
            64,
            "only arrays of the configured size are kept"
        );
    }

    #[tokio::test]
    async fn hash_then_verify_and_mismatch() {
        let hasher = fast();
        let hash = hasher.hash("a long enough secret").await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(
            hasher
                .verify("a long enough secret", &hash)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            hasher
                .verify("a long enough secreT", &hash)
                .await
                .unwrap()
                .is_none()
        );
        // Fresh salt every time.
        assert_ne!(hasher.hash("a long enough secret").await.unwrap(), hash);
    }

    #[tokio::test]
    async fn default_params_produce_the_owasp_phc_prefix() {
        assert_eq!(HashParams::default().to_phc_params(), "m=19456,t=2,p=1");
        let hasher = Hasher::new(HashParams::default(), None, 1).unwrap();
        let hash = hasher.hash("x").await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    #[tokio::test]
    async fn rehash_is_requested_when_params_differ() {
        let hasher = fast();
        // Stored with m=64,t=1,p=1, which is what `fast()` uses: no rehash.
        let proof = hasher
            .verify(KAT_PASSWORD, &PasswordHash::new(KAT_CHEAP))
            .await
            .unwrap()
            .unwrap();
        assert!(!proof.needs_rehash());

        let stronger = HashParams {
            memory_kib: 128,
            ..HashParams::insecure_fast_for_tests()
        };
        let hasher = Hasher::new(stronger, None, 1).unwrap();
        let proof = hasher
            .verify(KAT_PASSWORD, &PasswordHash::new(KAT_CHEAP))
            .await
            .unwrap()
            .unwrap();
        assert!(proof.needs_rehash());

        // Another Argon2 variant verifies but must be rehashed to Argon2id.
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            HashParams::insecure_fast_for_tests().to_argon2().unwrap(),
        )
        .hash_password_with_salt(b"old password", b"saltsaltsaltsalt")
        .unwrap()
        .to_string();
        let proof = fast()
            .verify("old password", &PasswordHash::new(argon2i))
            .await
            .unwrap()
            .unwrap();
        assert!(proof.needs_rehash());
    }

    /// Hashes stored by the `argon2` crate in every variant and version it writes, with
    /// several lanes and with associated data, verify (and ask for a rehash).
    #[tokio::test]
    async fn stored_hashes_of_every_variant_and_version_verify() {
        let params = argon2::ParamsBuilder::new()
            .m_cost(64)
            .t_cost(2)
            .p_cost(2)
            .data(argon2::AssociatedData::new(b"app-data").unwrap())
            .build()
            .unwrap();
        let hasher = fast();
        for algorithm in [Algorithm::Argon2d, Algorithm::Argon2i, Algorithm::Argon2id] {
            for version in [Version::V0x10, Version::V0x13] {
                let stored = Argon2::new(algorithm, version, params.clone())
                    .hash_password_with_salt(b"old password", b"saltsaltsaltsalt")
                    .unwrap()
                    .to_string();
                let stored = PasswordHash::new(stored);
                let proof = hasher.verify("old password", &stored).await.unwrap();
                assert!(proof.unwrap().needs_rehash(), "{stored:?}");
                assert!(
                    hasher
                        .verify("old passwort", &stored)
                        .await
                        .unwrap()
                        .is_none(),
                    "{stored:?}"
                );
            }
        }
    }

    #[tokio::test]
    async fn other_systems_hashes_verify_as_typed_and_ask_for_a_rehash() {
        let hasher = Hasher::new(HashParams::insecure_fast_for_tests(), pepper(5), 1).unwrap();
        let bcrypt = bcrypt::hash_with_salt("caf\u{e9}", 4, [1u8; 16])
            .unwrap()
            .format_for_version(bcrypt::Version::TwoY);
        let hash = PasswordHash::new(bcrypt);
        assert_eq!(hasher.recognize(&hash).unwrap(), HashFormat::Bcrypt);
        let proof = hasher.verify("caf\u{e9}", &hash).await.unwrap().unwrap();
        assert!(proof.needs_rehash() && proof.is_for(&hash));
        // Not normalised: the other system hashed the bytes it was given.
        assert!(hasher.verify("cafe\u{301}", &hash).await.unwrap().is_none());
        assert!(hasher.verify("cafe", &hash).await.unwrap().is_none());
        // Argon2 from elsewhere is recognised; unknown and malformed strings say why.
        assert_eq!(
            hasher.recognize(&PasswordHash::new(KAT_CHEAP)).unwrap(),
            HashFormat::Argon2
        );
        for (bad, start) in [
            ("md5$abc$def", "Unknown password hash format"),
            ("$argon2id$v=19$m=64,t=1,p=1$c2FsdA", "Malformed argon2"),
            ("$2b$04$short", "Malformed bcrypt"),
        ] {
            let Err(Error::Validation(errors)) = hasher.recognize(&PasswordHash::new(bad)) else {
                panic!("{bad} was recognised");
            };
            let message = &errors.field("password_hash").unwrap().message;
            assert!(message.starts_with(start), "{bad}: {message}");
        }
        // A malformed one that reaches sign-in is a hashing error, as for Argon2.
        let err = hasher
            .verify("x", &PasswordHash::new("$2b$04$short"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Hashing { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn pepper_is_required_to_verify() {
        let params = HashParams::insecure_fast_for_tests();
        let peppered = Hasher::new(params, pepper(7), 1).unwrap();
        let hash = peppered.hash("peppered password").await.unwrap();
        assert!(
            peppered
                .verify("peppered password", &hash)
                .await
                .unwrap()
                .is_some()
        );
        let unpeppered = Hasher::new(params, None, 1).unwrap();
        assert!(
            unpeppered
                .verify("peppered password", &hash)
                .await
                .unwrap()
                .is_none()
        );
        let other = Hasher::new(params, pepper(8), 1).unwrap();
        assert!(
            other
                .verify("peppered password", &hash)
                .await
                .unwrap()
                .is_none()
        );
        // And a reference hash made without a pepper does not verify with one.
        assert!(
            peppered
                .verify(KAT_PASSWORD, &PasswordHash::new(KAT_CHEAP))
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn malformed_or_hostile_stored_hashes_are_errors() {
        let hasher = fast();
        for bad in [
            "",
            "not a hash",
            "$argon2id$v=19$m=64,t=1,p=1$a25vd24tc2FsdC0xNmJ5dA",
            "$argon2id$v=19$m=64,t=1,p=1$!!!$2DciCxKFFsOzvsN6T3EQbjKev3RCIPxXKKlXpmKSbtQ",
            "$bcrypt$v=19$m=64,t=1,p=1$a25vd24tc2FsdC0xNmJ5dA$2DciCxKFFsOzvsN6T3EQbjKev3RCIPxXKKlXpmKSbtQ",
            "$argon2id$v=19$m=4194304,t=1,p=1$a25vd24tc2FsdC0xNmJ5dA$2DciCxKFFsOzvsN6T3EQbjKev3RCIPxXKKlXpmKSbtQ",
            "$argon2id$v=19$m=64,t=1000,p=1$a25vd24tc2FsdC0xNmJ5dA$2DciCxKFFsOzvsN6T3EQbjKev3RCIPxXKKlXpmKSbtQ",
        ] {
            let err = hasher
                .verify("whatever", &PasswordHash::new(bad))
                .await
                .unwrap_err();
            assert!(matches!(err, Error::Hashing { .. }), "{bad:?} gave {err:?}");
            assert!(std::error::Error::source(&err).is_some());
        }
    }

    #[tokio::test]
    async fn nfkc_equivalent_passwords_are_the_same_password() {
        let hasher = fast();
        // The reference implementation hashed the NFKC form; the ligature form verifies.
        let reference = PasswordHash::new(KAT_NFKC);
        assert!(
            hasher
                .verify("ﬁne Straße ①", &reference)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            hasher
                .verify("fine Straße 1", &reference)
                .await
                .unwrap()
                .is_some()
        );
        // Composed and decomposed accents hash alike.
        let hash = hasher.hash("caf\u{e9} au lait").await.unwrap();
        assert!(
            hasher
                .verify("cafe\u{301} au lait", &hash)
                .await
                .unwrap()
                .is_some()
        );
    }

    #[tokio::test]
    async fn oversized_input_is_refused_without_hashing() {
        let hasher = fast();
        let huge = "a".repeat(MAX_PASSWORD_BYTES + 1);
        let err = hasher.hash(&huge).await.unwrap_err();
        let Error::Validation(errors) = err else {
            panic!("expected a validation error, got {err:?}");
        };
        assert_eq!(errors.field("password").unwrap().code, "too_long");
        let hash = hasher.hash("short").await.unwrap();
        let before = hasher.inner.probe.started.load(Ordering::SeqCst);
        assert!(hasher.verify(&huge, &hash).await.unwrap().is_none());
        hasher.dummy_verify(&huge).await;
        assert_eq!(hasher.inner.probe.started.load(Ordering::SeqCst), before);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrency_is_bounded_by_the_semaphore() {
        let params = HashParams {
            memory_kib: 1024,
            iterations: 2,
            ..HashParams::insecure_fast_for_tests()
        };
        for limit in [1, 2] {
            let hasher = Hasher::new(params, None, limit).unwrap();
            hash_concurrently(&hasher, 8).await;
            let peak = hasher.inner.probe.peak.load(Ordering::SeqCst);
            assert!(peak >= 1 && peak <= limit, "peak {peak} with limit {limit}");
            assert_eq!(hasher.inner.probe.started.load(Ordering::SeqCst), 8);
            assert_eq!(hasher.inner.permits.available_permits(), limit);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lanes_run_on_threads_only_within_the_permits() {
        let params = HashParams {
            memory_kib: 512,
            iterations: 2,
            parallelism: 2,
            insecure: true,
        };
        for (limit, lanes_at_once) in [(1, 1), (2, 2), (3, 2)] {
            let hasher = Hasher::new(params, None, limit).unwrap();
            assert_eq!(hasher.lane_threads(2), lanes_at_once);
            let hash = hasher.hash("two lanes").await.unwrap();
            assert_eq!(
                hasher.inner.probe.peak.load(Ordering::SeqCst),
                lanes_at_once as usize,
                "one p=2 hash with {limit} permits"
            );
            hash_concurrently(&hasher, 6).await;
            let peak = hasher.inner.probe.peak.load(Ordering::SeqCst);
            assert!(peak <= limit, "{peak} threads at once with {limit} permits");
            assert!(hasher.verify("two lanes", &hash).await.unwrap().is_some());
            assert!(hasher.verify("two lanez", &hash).await.unwrap().is_none());
            assert_eq!(hasher.inner.permits.available_permits(), limit);
        }
        // A stored hash with more lanes than permits still verifies, within them.
        let wide = Hasher::new(
            HashParams {
                parallelism: 4,
                ..params
            },
            None,
            4,
        )
        .unwrap()
        .hash("four lanes")
        .await
        .unwrap();
        let narrow = Hasher::new(params, None, 2).unwrap();
        assert!(narrow.verify("four lanes", &wide).await.unwrap().is_some());
        assert_eq!(narrow.inner.probe.peak.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn hashing_does_not_block_the_executor() {
        // With a single executor thread, a hash computed inline would stop the ticker.
        let hasher = Hasher::new(HashParams::default(), None, 1).unwrap();
        let job = tokio::spawn(async move { hasher.hash("some password").await });
        let mut ticks = 0u32;
        while !job.is_finished() {
            tokio::time::sleep(Duration::from_millis(1)).await;
            ticks += 1;
        }
        job.await.unwrap().unwrap();
        assert!(ticks >= 2, "the executor was stalled ({ticks} ticks)");
    }

    #[tokio::test]
    async fn dummy_verify_does_real_work_and_caches_its_hash() {
        let hasher = fast();
        hasher.dummy_verify("unknown user's guess").await;
        assert!(hasher.inner.dummy.get().is_some());
        assert_eq!(hasher.inner.probe.started.load(Ordering::SeqCst), 1);
        hasher.dummy_verify("another guess").await;
        assert_eq!(hasher.inner.probe.started.load(Ordering::SeqCst), 2);
        let dummy = hasher.inner.dummy.get().unwrap();
        assert!(dummy.as_str().starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
    }

    #[test]
    fn params_validation() {
        assert!(HashParams::default().validate().is_ok());
        assert_eq!(HashParams::new(19_456, 2, 1), HashParams::default());
        assert!(HashParams::insecure_fast_for_tests().validate().is_ok());
        let owasp = [
            (47_104, 1),
            (19_456, 2),
            (12_288, 3),
            (9_216, 4),
            (7_168, 5),
        ];
        for (m, t) in owasp {
            let p = HashParams {
                memory_kib: m,
                iterations: t,
                ..HashParams::default()
            };
            assert!(p.validate().is_ok(), "{m}/{t}");
        }
        let bad = [
            (64, 1, 1),
            (7_168, 4, 1),
            (4_096, 10, 1),
            (19_456, 0, 1),
            (19_456, 2, 0),
            (2 * 1024 * 1024, 2, 1),
            (19_456, 1000, 1),
            (19_456, 2, 1000),
        ];
        for (m, t, p) in bad {
            let params = HashParams {
                memory_kib: m,
                iterations: t,
                parallelism: p,
                insecure: false,
            };
            assert!(
                matches!(params.validate(), Err(Error::Config(_))),
                "{m}/{t}/{p}"
            );
        }
        // Even insecure parameters must be computable.
        let broken = HashParams {
            memory_kib: 4,
            ..HashParams::insecure_fast_for_tests()
        };
        assert!(broken.validate().is_err());
    }

    #[test]
    fn constructor_refuses_bad_config_and_debug_hides_the_pepper() {
        let p = HashParams::insecure_fast_for_tests();
        assert!(matches!(
            Hasher::new(p, Some(vec![1; 31]), 1),
            Err(Error::Config(_))
        ));
        assert!(matches!(Hasher::new(p, None, 0), Err(Error::Config(_))));
        assert!(matches!(
            Hasher::new(p, None, 10_000),
            Err(Error::Config(_))
        ));
        let hasher = Hasher::new(p, Some(b"pepper-pepper-pepper-pepper-1234".to_vec()), 3).unwrap();
        let debug = format!("{hasher:?}");
        assert!(!debug.contains("pepper-pepper"), "{debug}");
        assert!(debug.contains("<redacted>"));
        assert_eq!(hasher.max_concurrent(), 3);
        assert!(Hasher::default_concurrency() >= 1);
    }
}
