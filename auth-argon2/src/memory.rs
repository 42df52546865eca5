//! The block array Argon2 fills: reusable, pre-faulted, wiped after every use.

use zeroize::Zeroize as _;

use crate::block::Block;

/// Memory for Argon2's blocks, to be reused from one hash to the next.
///
/// A hash borrows the first `m'` blocks (its memory cost rounded down to a multiple of
/// four blocks per lane), growing the array first if it is smaller. The array is
/// **pre-faulted** when it is allocated (every page is written once, so the first hash
/// does not pay the kernel's page faults inside the timed work) and **wiped** at the end
/// of every hash, also when a hash fails or panics: the blocks are derived from the
/// password, and leftover Argon2 memory makes guessing it cheaper. The wipe is a plain
/// `memset` followed by [`zeroize::optimization_barrier`], so the compiler can neither
/// drop it nor have it cost more than one pass of ordinary stores; a fresh or reused array
/// is not zeroed again before a hash, because Argon2 writes every block before it reads it.
#[derive(Default)]
pub struct Memory {
    blocks: Vec<Block>,
}

impl core::fmt::Debug for Memory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Memory")
            .field("kib", &self.blocks.len())
            .finish_non_exhaustive()
    }
}

impl Memory {
    /// An empty array; the first hash allocates what it needs.
    pub fn new() -> Self {
        Self::default()
    }

    /// An array of `kib` blocks of 1 KiB, allocated and pre-faulted now.
    pub fn with_kib(kib: usize) -> Self {
        let mut memory = Self::new();
        memory.reserve(kib);
        memory
    }

    /// The number of 1 KiB blocks allocated.
    pub fn kib(&self) -> usize {
        self.blocks.len()
    }

    /// Whether every block is zero (as it is between hashes).
    pub fn is_wiped(&self) -> bool {
        self.blocks.iter().all(|b| *b == Block::ZERO)
    }

    /// Grows the array to at least `blocks` blocks (replacing a smaller one, which is
    /// wiped) and pre-faults the new pages.
    fn reserve(&mut self, blocks: usize) {
        if self.blocks.len() >= blocks {
            return;
        }
        let mut fresh = vec![Block::ZERO; blocks];
        // `vec!` of zeroes may come from `calloc`, whose pages the kernel maps on first
        // write. A volatile write of one word per block (1 KiB, so at least once per page)
        // maps them now, and cannot be optimised away as a store of a known zero.
        for block in &mut fresh {
            block.0[0].zeroize();
        }
        self.blocks = fresh;
    }

    /// The first `blocks` blocks, for one hash; `wipe` must follow (see `Wiped`).
    pub(crate) fn lend(&mut self, blocks: usize) -> Wiped<'_> {
        self.reserve(blocks);
        Wiped {
            blocks: &mut self.blocks[..blocks],
        }
    }
}

/// Blocks lent to one hash, zeroed when dropped (on success, error or unwinding).
pub(crate) struct Wiped<'a> {
    pub(crate) blocks: &'a mut [Block],
}

impl Drop for Wiped<'_> {
    fn drop(&mut self) {
        for block in self.blocks.iter_mut() {
            block.0 = [0; crate::block::WORDS];
        }
        zeroize::optimization_barrier(&*self.blocks);
    }
}
