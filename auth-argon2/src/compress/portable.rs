//! `G` in plain Rust.

use crate::block::Block;

/// `a + b + 2 * lo32(a) * lo32(b)`, the multiplication-hardened addition of BlaMka.
#[inline(always)]
fn fblamka(a: u64, b: u64) -> u64 {
    let m = (a & 0xffff_ffff).wrapping_mul(b & 0xffff_ffff);
    a.wrapping_add(b).wrapping_add(m.wrapping_mul(2))
}

/// The quarter-round `GB` on words `a`, `b`, `c`, `d` of `v`.
#[inline(always)]
fn gb(v: &mut [u64; 16], a: usize, b: usize, c: usize, d: usize) {
    v[a] = fblamka(v[a], v[b]);
    v[d] = (v[d] ^ v[a]).rotate_right(32);
    v[c] = fblamka(v[c], v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(24);
    v[a] = fblamka(v[a], v[b]);
    v[d] = (v[d] ^ v[a]).rotate_right(16);
    v[c] = fblamka(v[c], v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(63);
}

/// The permutation `P` on sixteen words (constant indices, so no bounds checks).
#[inline(always)]
fn p(v: &mut [u64; 16]) {
    gb(v, 0, 4, 8, 12);
    gb(v, 1, 5, 9, 13);
    gb(v, 2, 6, 10, 14);
    gb(v, 3, 7, 11, 15);
    gb(v, 0, 5, 10, 15);
    gb(v, 1, 6, 11, 12);
    gb(v, 2, 7, 8, 13);
    gb(v, 3, 4, 9, 14);
}

/// `dst = G(x, y)`, or `dst ^= G(x, y)` when `xor` is set; `first_word` gets word 0 of
/// the result at the end (the scalar code gains nothing from knowing it earlier).
pub(super) fn compress<F: FnMut(u64)>(
    dst: &mut Block,
    x: &Block,
    y: &Block,
    xor: bool,
    mut first_word: F,
) {
    let mut r = *x;
    r.xor_assign(y);
    let mut q = r;
    // P on each row of sixteen words, then on each column of eight 16-byte registers
    // (gathered into sixteen words and scattered back).
    let (rows, _) = q.0.as_chunks_mut::<16>();
    for row in rows {
        p(row);
    }
    for col in 0..8 {
        let mut v = [0u64; 16];
        for j in 0..8 {
            v[2 * j] = q.0[16 * j + 2 * col];
            v[2 * j + 1] = q.0[16 * j + 2 * col + 1];
        }
        p(&mut v);
        for j in 0..8 {
            q.0[16 * j + 2 * col] = v[2 * j];
            q.0[16 * j + 2 * col + 1] = v[2 * j + 1];
        }
    }
    q.xor_assign(&r);
    if xor {
        dst.xor_assign(&q);
    } else {
        *dst = q;
    }
    first_word(dst.0[0]);
}
