//! BLAKE2b as Argon2 uses it: `H` (BLAKE2b-512 over several inputs) and the
//! variable-length hash `H'` (RFC 9106, section 3.3).

use blake2::Blake2b512;
use blake2::Blake2bVarCore;
use blake2::digest::Digest as _;
use blake2::digest::block_api::{UpdateCore as _, VariableOutputCore as _};
use blake2::digest::block_buffer::LazyBuffer;

/// BLAKE2b-512 of the concatenation of `inputs`.
pub(crate) fn h(inputs: &[&[u8]]) -> [u8; 64] {
    let mut digest = Blake2b512::new();
    for input in inputs {
        digest.update(input);
    }
    digest.finalize().into()
}

/// BLAKE2b with an output of `out.len()` bytes (1 to 64) over the concatenation of `inputs`.
fn blake2b_var(inputs: &[&[u8]], out: &mut [u8]) {
    // `out.len()` is 1..=64 at every call site (see `h_prime`), which is what
    // `Blake2bVarCore::new` accepts; the fallback of an empty output never happens.
    let Ok(mut core) = Blake2bVarCore::new(out.len()) else {
        return;
    };
    let mut buffer = LazyBuffer::new(&[]);
    for input in inputs {
        buffer.digest_blocks(input, |blocks| core.update_blocks(blocks));
    }
    let mut full = Default::default();
    core.finalize_variable_core(&mut buffer, &mut full);
    out.copy_from_slice(&full[..out.len()]);
}

/// `H'^T(inputs)` with `T = out.len()`, which must be between 1 and `u32::MAX` bytes.
pub(crate) fn h_prime(inputs: &[&[u8]], out: &mut [u8]) {
    let len = u32::try_from(out.len()).unwrap_or(u32::MAX).to_le_bytes();
    if out.len() <= 64 {
        let mut all: Vec<&[u8]> = Vec::with_capacity(inputs.len() + 1);
        all.push(&len);
        all.extend_from_slice(inputs);
        blake2b_var(&all, out);
        return;
    }
    // V1 = H^64(T || X); each further V is H^64 of the previous one; the output is the
    // first 32 bytes of each V, then the whole of the last, shorter hash.
    let mut v = {
        let mut all: Vec<&[u8]> = Vec::with_capacity(inputs.len() + 1);
        all.push(&len);
        all.extend_from_slice(inputs);
        h(&all)
    };
    let mut rest = out;
    while rest.len() > 64 {
        let (head, tail) = rest.split_at_mut(32);
        head.copy_from_slice(&v[..32]);
        rest = tail;
        if rest.len() > 64 {
            v = h(&[&v]);
        }
    }
    blake2b_var(&[&v], rest);
}
