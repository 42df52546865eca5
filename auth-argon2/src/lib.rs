//! Argon2 (RFC 9106) — Argon2id, Argon2i and Argon2d, versions 0x13 and 0x10 — with an
//! explicitly vectorised block function and memory that is reused and wiped.
//!
//! The toolkit's password hasher (`auth-core`) computes Argon2id with this crate; the
//! PHC strings stay those of the RustCrypto `argon2`/`password-hash` crates, which this
//! crate is tested against bit for bit.
//!
//! - **Block function:** AVX-512F and AVX2 code written with `std::arch` intrinsics, chosen
//!   at run time ([`Implementation::detect`]), and a portable one for other CPUs. This
//!   module (`compress`) is the only place with `unsafe`, each block with its safety
//!   argument; everything else, including running lanes on threads, is safe Rust.
//! - **Memory:** a [`Memory`] is lent to each hash and kept for the next one, so the
//!   pages stay mapped; it is pre-faulted when allocated and wiped at the end of every
//!   hash in one pass that the compiler cannot remove.
//!
//! ```
//! use auth_argon2::{Algorithm, Argon2, Memory, Params, Version};
//!
//! let params = Params::new(19_456, 2, 1)?;
//! let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
//! let mut memory = Memory::new();
//! let mut tag = [0u8; 32];
//! argon2.hash_into(b"password", b"some salt 16 byt", &mut tag, &mut memory)?;
//! assert!(memory.is_wiped());
//! # Ok::<(), auth_argon2::Error>(())
//! ```

// The README's example, compiled and run with the doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;

mod block;
mod compress;
mod error;
mod fill;
mod hprime;
mod memory;

use zeroize::Zeroizing;

pub use compress::Implementation;
pub use error::Error;
pub use memory::Memory;

use block::Block;

/// `Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// The Argon2 variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// Data-dependent memory access: fastest against GPU attacks, open to side channels.
    Argon2d,
    /// Data-independent memory access.
    Argon2i,
    /// Data-independent for the first half pass, data-dependent after (the recommended one).
    Argon2id,
}

impl Algorithm {
    /// The type number `y` of the specification.
    fn type_id(self) -> u64 {
        match self {
            Self::Argon2d => 0,
            Self::Argon2i => 1,
            Self::Argon2id => 2,
        }
    }
}

/// The Argon2 version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Version {
    /// Version 0x10 (16): passes after the first overwrite blocks.
    V0x10,
    /// Version 0x13 (19, RFC 9106): passes after the first XOR into blocks.
    V0x13,
}

impl Version {
    fn number(self) -> u32 {
        match self {
            Self::V0x10 => 0x10,
            Self::V0x13 => 0x13,
        }
    }
}

/// Cost parameters: memory `m` in KiB, passes `t`, lanes `p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Params {
    m_kib: u32,
    t: u32,
    p: u32,
}

impl Params {
    /// Parameters with `m_kib` KiB of memory, `t` passes and `p` lanes.
    ///
    /// # Errors
    /// [`Error::Lanes`], [`Error::Passes`] or [`Error::Memory`] when `p` is not in
    /// `1..2^24`, `t` is 0, or `m` is below 8 KiB per lane.
    pub fn new(m_kib: u32, t: u32, p: u32) -> Result<Self> {
        if p == 0 || p >= 1 << 24 {
            return Err(Error::Lanes);
        }
        if t == 0 {
            return Err(Error::Passes);
        }
        if u64::from(m_kib) < 8 * u64::from(p) {
            return Err(Error::Memory);
        }
        Ok(Self { m_kib, t, p })
    }

    /// Memory in KiB (`m`).
    pub fn m_kib(&self) -> u32 {
        self.m_kib
    }

    /// Passes (`t`).
    pub fn t(&self) -> u32 {
        self.t
    }

    /// Lanes (`p`).
    pub fn p(&self) -> u32 {
        self.p
    }

    /// The number of 1 KiB blocks a hash uses: `m` rounded down to a multiple of `4p`.
    pub fn blocks(&self) -> usize {
        let unit = 4 * self.p as usize;
        self.m_kib as usize / unit * unit
    }
}

/// One Argon2 configuration: variant, version, parameters, optional secret and
/// associated data, the block implementation and how many threads may run lanes.
#[derive(Clone, Copy)]
pub struct Argon2<'a> {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    secret: &'a [u8],
    associated_data: &'a [u8],
    implementation: Implementation,
    threads: usize,
}

impl core::fmt::Debug for Argon2<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Argon2")
            .field("algorithm", &self.algorithm)
            .field("version", &self.version)
            .field("params", &self.params)
            .field("secret", &(!self.secret.is_empty()).then_some("<redacted>"))
            .field("implementation", &self.implementation)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl<'a> Argon2<'a> {
    /// Argon2 with the fastest block implementation of this CPU, lanes computed one after
    /// the other on the calling thread.
    pub fn new(algorithm: Algorithm, version: Version, params: Params) -> Self {
        Self {
            algorithm,
            version,
            params,
            secret: &[],
            associated_data: &[],
            implementation: Implementation::detect(),
            threads: 1,
        }
    }

    /// With the secret key `K` (a pepper).
    pub fn with_secret(self, secret: &'a [u8]) -> Self {
        Self { secret, ..self }
    }

    /// With the associated data `X`.
    pub fn with_associated_data(self, associated_data: &'a [u8]) -> Self {
        Self {
            associated_data,
            ..self
        }
    }

    /// With a given block implementation (tests and benchmarks; [`Argon2::new`] already
    /// picks the fastest).
    ///
    /// # Errors
    /// [`Error::Unavailable`] when this CPU cannot run it.
    pub fn with_implementation(self, implementation: Implementation) -> Result<Self> {
        if !implementation.is_available() {
            return Err(Error::Unavailable);
        }
        Ok(Self {
            implementation,
            ..self
        })
    }

    /// Computes up to `threads` lanes at once: `threads` scoped threads, started once per
    /// hash while the calling thread waits, take fixed lanes and meet after every slice
    /// (never more threads than lanes). 1 (the default) computes the lanes one after the
    /// other on the calling thread.
    pub fn with_threads(self, threads: usize) -> Self {
        Self {
            threads: threads.max(1),
            ..self
        }
    }

    /// The parameters.
    pub fn params(&self) -> Params {
        self.params
    }

    /// The block implementation in use.
    pub fn implementation(&self) -> Implementation {
        self.implementation
    }

    /// Hashes `password` with `salt` into `out` (the tag length is `out.len()`), using and
    /// then wiping `memory`.
    ///
    /// # Errors
    /// [`Error::OutputLength`], [`Error::SaltLength`] or [`Error::InputTooLong`] for inputs
    /// out of the specification's ranges; [`Error::Thread`] if a lane's thread panicked.
    pub fn hash_into(
        &self,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
        memory: &mut Memory,
    ) -> Result<()> {
        let len32 = |bytes: &[u8], error| {
            u32::try_from(bytes.len())
                .map(u32::to_le_bytes)
                .map_err(|_| error)
        };
        let tag_len = len32(out, Error::OutputLength)?;
        if out.len() < 4 {
            return Err(Error::OutputLength);
        }
        if salt.len() < 8 {
            return Err(Error::SaltLength);
        }
        let salt_len = len32(salt, Error::SaltLength)?;
        let password_len = len32(password, Error::InputTooLong)?;
        let secret_len = len32(self.secret, Error::InputTooLong)?;
        let ad_len = len32(self.associated_data, Error::InputTooLong)?;

        let p = self.params;
        let h0 = Zeroizing::new(hprime::h(&[
            &p.p.to_le_bytes(),
            &tag_len,
            &p.m_kib.to_le_bytes(),
            &p.t.to_le_bytes(),
            &self.version.number().to_le_bytes(),
            &(self.algorithm.type_id() as u32).to_le_bytes(),
            &password_len,
            password,
            &salt_len,
            salt,
            &secret_len,
            self.secret,
            &ad_len,
            self.associated_data,
        ]));

        let blocks = p.blocks();
        let lanes = p.p as usize;
        let lane_len = blocks / lanes;
        let shape = fill::Shape {
            algorithm: self.algorithm,
            version: self.version,
            implementation: self.implementation,
            lanes,
            lane_len,
            segment_len: lane_len / fill::SLICES,
            passes: p.t,
        };
        let lent = memory.lend(blocks);
        let mut bytes = Zeroizing::new([0u8; 1024]);
        for (lane, lane_blocks) in lent.blocks.chunks_exact_mut(lane_len).enumerate() {
            for (i, block) in lane_blocks.iter_mut().take(2).enumerate() {
                hprime::h_prime(
                    &[
                        &h0[..],
                        &(i as u32).to_le_bytes(),
                        &(lane as u32).to_le_bytes(),
                    ],
                    &mut bytes[..],
                );
                block.load_bytes(&bytes);
            }
        }
        fill::fill(lent.blocks, &shape, self.threads)?;

        let mut last = Zeroizing::new(Block::ZERO);
        for lane_blocks in lent.blocks.chunks_exact(lane_len) {
            if let Some(block) = lane_blocks.last() {
                last.xor_assign(block);
            }
        }
        last.store_bytes(&mut bytes);
        hprime::h_prime(&[&bytes[..]], out);
        Ok(())
    }
}
