//! Argon2's compression function `G` (RFC 9106, section 3.5), in three implementations:
//! AVX-512 and AVX2 (x86-64, `std::arch` intrinsics) and portable Rust. The one to use is
//! chosen at run time from what the CPU offers.
//!
//! This is the only module of the crate that may use `unsafe`, and only the x86-64
//! submodules and the dispatch below do: for vector loads and stores through pointers,
//! and for calling functions compiled for a CPU feature once that feature has been
//! detected. Every `unsafe` block states next to it why it is sound.
#![allow(unsafe_code)]

use crate::block::Block;

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod portable;

/// An implementation of Argon2's block function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Implementation {
    /// Plain Rust, for every CPU.
    Portable,
    /// AVX2 intrinsics (x86-64).
    Avx2,
    /// AVX-512F intrinsics (x86-64).
    Avx512,
}

impl Implementation {
    /// The fastest implementation this CPU supports.
    pub fn detect() -> Self {
        [Self::Avx512, Self::Avx2]
            .into_iter()
            .find(|i| i.is_available())
            .unwrap_or(Self::Portable)
    }

    /// Whether this CPU can run the implementation.
    pub fn is_available(self) -> bool {
        match self {
            Self::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Self::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Self::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            Self::Avx2 | Self::Avx512 => false,
        }
    }

    /// Every implementation this CPU can run, fastest last.
    pub fn available() -> Vec<Self> {
        [Self::Portable, Self::Avx2, Self::Avx512]
            .into_iter()
            .filter(|i| i.is_available())
            .collect()
    }
}

/// `dst = G(x, y)`, or `dst ^= G(x, y)` when `xor` is set (passes after the first, version
/// 0x13), computed by `implementation` (by the portable code if the CPU lacks it).
#[inline]
pub(crate) fn compress(
    implementation: Implementation,
    dst: &mut Block,
    x: &Block,
    y: &Block,
    xor: bool,
) {
    match implementation {
        #[cfg(target_arch = "x86_64")]
        Implementation::Avx512 if std::arch::is_x86_feature_detected!("avx512f") => {
            // SAFETY: `avx512::compress` only requires the CPU to support AVX-512F, which
            // the guard of this arm has just checked (std caches the detection, so the
            // check is one load).
            unsafe { avx512::compress(dst, x, y, xor) }
        }
        #[cfg(target_arch = "x86_64")]
        Implementation::Avx2 if std::arch::is_x86_feature_detected!("avx2") => {
            // SAFETY: `avx2::compress` only requires the CPU to support AVX2, which the
            // guard of this arm has just checked.
            unsafe { avx2::compress(dst, x, y, xor) }
        }
        _ => portable::compress(dst, x, y, xor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block of pseudo-random words (SplitMix64 from `seed`).
    fn block(seed: u64) -> Block {
        let mut state = seed;
        let mut b = Block::ZERO;
        for w in &mut b.0 {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            *w = z ^ (z >> 31);
        }
        b
    }

    #[test]
    fn every_available_implementation_agrees_with_the_portable_one() {
        let available = Implementation::available();
        assert!(available.contains(&Implementation::Portable));
        assert_eq!(Implementation::detect(), *available.last().unwrap());
        for seed in 0..200u64 {
            let (x, y, old) = (block(seed), block(seed + 1000), block(seed + 2000));
            for xor in [false, true] {
                let mut expected = old;
                portable::compress(&mut expected, &x, &y, xor);
                for &imp in &available {
                    let mut got = old;
                    compress(imp, &mut got, &x, &y, xor);
                    assert!(got == expected, "{imp:?} differs (seed {seed}, xor {xor})");
                }
            }
        }
    }

    #[test]
    fn g_of_zero_blocks_is_zero_and_g_is_not_the_identity() {
        for imp in Implementation::available() {
            let mut out = block(1);
            compress(imp, &mut out, &Block::ZERO, &Block::ZERO, false);
            assert!(out == Block::ZERO, "{imp:?}");
            compress(imp, &mut out, &block(2), &Block::ZERO, false);
            assert!(out != block(2) && out != Block::ZERO, "{imp:?}");
        }
    }
}
