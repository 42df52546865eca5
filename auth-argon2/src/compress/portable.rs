//! `G` in plain Rust.

use crate::block::{Block, WORDS};

/// `a + b + 2 * lo32(a) * lo32(b)`, the multiplication-hardened addition of BlaMka.
#[inline(always)]
fn fblamka(a: u64, b: u64) -> u64 {
    let m = (a & 0xffff_ffff).wrapping_mul(b & 0xffff_ffff);
    a.wrapping_add(b).wrapping_add(m.wrapping_mul(2))
}

/// The quarter-round `GB` on words `a`, `b`, `c`, `d` of `v`.
#[inline(always)]
fn gb(v: &mut [u64; WORDS], a: usize, b: usize, c: usize, d: usize) {
    v[a] = fblamka(v[a], v[b]);
    v[d] = (v[d] ^ v[a]).rotate_right(32);
    v[c] = fblamka(v[c], v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(24);
    v[a] = fblamka(v[a], v[b]);
    v[d] = (v[d] ^ v[a]).rotate_right(16);
    v[c] = fblamka(v[c], v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(63);
}

/// The permutation `P` on the 16 words of `v` at the indices `i`.
#[inline(always)]
fn p(v: &mut [u64; WORDS], i: [usize; 16]) {
    gb(v, i[0], i[4], i[8], i[12]);
    gb(v, i[1], i[5], i[9], i[13]);
    gb(v, i[2], i[6], i[10], i[14]);
    gb(v, i[3], i[7], i[11], i[15]);
    gb(v, i[0], i[5], i[10], i[15]);
    gb(v, i[1], i[6], i[11], i[12]);
    gb(v, i[2], i[7], i[8], i[13]);
    gb(v, i[3], i[4], i[9], i[14]);
}

/// `dst = G(x, y)`, or `dst ^= G(x, y)` when `xor` is set.
pub(super) fn compress(dst: &mut Block, x: &Block, y: &Block, xor: bool) {
    let mut r = *x;
    r.xor_assign(y);
    let mut q = r;
    // P on each row of sixteen words, then on each column of eight 16-byte registers.
    for row in 0..8 {
        let b = 16 * row;
        p(&mut q.0, core::array::from_fn(|k| b + k));
    }
    for col in 0..8 {
        let b = 2 * col;
        p(&mut q.0, core::array::from_fn(|k| b + 16 * (k / 2) + k % 2));
    }
    q.xor_assign(&r);
    if xor {
        dst.xor_assign(&q);
    } else {
        *dst = q;
    }
}
