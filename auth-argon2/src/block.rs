//! The 1 KiB block that Argon2's memory is made of.

use zeroize::Zeroize;

/// Number of 64-bit words in a block.
pub(crate) const WORDS: usize = 128;

/// One Argon2 block: 1024 bytes as 128 little-endian 64-bit words, aligned to 64 bytes so
/// that a vector load never straddles a cache line.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C, align(64))]
pub(crate) struct Block(pub(crate) [u64; WORDS]);

impl Block {
    /// The all-zero block.
    pub(crate) const ZERO: Self = Self([0; WORDS]);

    /// Sets `self` to `self ^ other`.
    pub(crate) fn xor_assign(&mut self, other: &Self) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a ^= b;
        }
    }

    /// Sets the block from 1024 little-endian bytes.
    pub(crate) fn load_bytes(&mut self, bytes: &[u8; 1024]) {
        for (word, chunk) in self.0.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut le = [0u8; 8];
            le.copy_from_slice(chunk);
            *word = u64::from_le_bytes(le);
        }
    }

    /// The block as 1024 little-endian bytes.
    pub(crate) fn store_bytes(&self, bytes: &mut [u8; 1024]) {
        for (word, chunk) in self.0.iter().zip(bytes.chunks_exact_mut(8)) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
    }
}

impl Default for Block {
    fn default() -> Self {
        Self::ZERO
    }
}

impl Zeroize for Block {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}
