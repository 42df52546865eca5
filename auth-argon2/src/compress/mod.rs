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
///
/// `first_word` is called once with word 0 of the result as soon as that word is final,
/// while the rest of the block is still being computed (after a quarter of the column
/// steps in the AVX2 code, half in the AVX-512 code, at the end in the portable code).
/// Word 0 decides which block the next block reads in the data-dependent passes, so the
/// caller can [`prefetch`] it and the load overlaps the end of this block.
#[inline]
pub(crate) fn compress<F: FnMut(u64)>(
    implementation: Implementation,
    dst: &mut Block,
    x: &Block,
    y: &Block,
    xor: bool,
    first_word: F,
) {
    match implementation {
        #[cfg(target_arch = "x86_64")]
        Implementation::Avx512 if std::arch::is_x86_feature_detected!("avx512f") => {
            // SAFETY: `avx512::compress` only requires the CPU to support AVX-512F, which
            // the guard of this arm has just checked (std caches the detection, so the
            // check is one load).
            unsafe { avx512::compress(dst, x, y, xor, first_word) }
        }
        #[cfg(target_arch = "x86_64")]
        Implementation::Avx2 if std::arch::is_x86_feature_detected!("avx2") => {
            // SAFETY: `avx2::compress` only requires the CPU to support AVX2, which the
            // guard of this arm has just checked.
            unsafe { avx2::compress(dst, x, y, xor, first_word) }
        }
        _ => portable::compress(dst, x, y, xor, first_word),
    }
}

/// Asks the CPU to start loading `block` into its caches (all sixteen 64-byte lines), so
/// that a later read finds it there. Only a hint: it changes no value, and does nothing
/// on CPUs without a prefetch instruction in `std::arch`.
#[inline]
pub(crate) fn prefetch(block: &Block) {
    #[cfg(target_arch = "x86_64")]
    for line in 0..16 {
        // One word in eight: the first word of each 64-byte line.
        let at = block.0[..].as_ptr().wrapping_add(8 * line).cast::<i8>();
        // SAFETY: a prefetch only hints at an address and never faults, whatever the
        // pointer; this one points into a live block besides. SSE, which the intrinsic
        // needs, is part of every x86-64 CPU. (Newer compilers consider the call safe.)
        #[allow(unused_unsafe)]
        unsafe {
            core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(at);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = block;
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
                portable::compress(&mut expected, &x, &y, xor, |_| {});
                for &imp in &available {
                    let mut got = old;
                    let mut first_words = Vec::new();
                    compress(imp, &mut got, &x, &y, xor, |w| first_words.push(w));
                    assert!(got == expected, "{imp:?} differs (seed {seed}, xor {xor})");
                    // Reported once, and already the final word 0.
                    assert_eq!(
                        first_words,
                        [expected.0[0]],
                        "{imp:?} (seed {seed}, xor {xor})"
                    );
                }
            }
        }
    }

    #[test]
    fn g_of_zero_blocks_is_zero_and_g_is_not_the_identity() {
        for imp in Implementation::available() {
            let mut out = block(1);
            compress(imp, &mut out, &Block::ZERO, &Block::ZERO, false, |_| {});
            assert!(out == Block::ZERO, "{imp:?}");
            compress(imp, &mut out, &block(2), &Block::ZERO, false, |_| {});
            assert!(out != block(2) && out != Block::ZERO, "{imp:?}");
        }
    }
}
