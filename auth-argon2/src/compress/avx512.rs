//! `G` with AVX-512F: the block as 16 vectors of eight words, which fit in registers.
//!
//! Rows are done two at a time: `a` holds words 0–3 of both rows, `b` words 4–7, and so
//! on (`vshufi64x2`), so the step structure is that of the AVX2 code with `vpermq` working
//! in each 256-bit half. Columns are done four at a time: the vector of row `j` at words
//! `8h..8h + 8` holds the registers of columns `4h..4h + 4`, one per 128-bit lane, and
//! the diagonal step pairs words across vectors with `vpermt2q`. Rotations are `vprorq`.

use core::arch::x86_64::{
    __m512i, _mm_cvtsi128_si64, _mm512_add_epi64, _mm512_castsi512_si128, _mm512_loadu_si512,
    _mm512_mul_epu32, _mm512_permutex_epi64, _mm512_permutex2var_epi64, _mm512_ror_epi64,
    _mm512_set_epi64, _mm512_setzero_si512, _mm512_shuffle_i64x2, _mm512_storeu_si512,
    _mm512_xor_si512,
};

use crate::block::Block;

/// Vector `k` (words `8k..8k + 8`) of `block`.
#[inline]
#[target_feature(enable = "avx512f")]
fn load(block: &Block, k: usize) -> __m512i {
    let words = &block.0[8 * k..8 * k + 8];
    // SAFETY: `words` is a live, readable slice of eight `u64`, i.e. exactly the 64 bytes
    // this unaligned load reads; `_mm512_loadu_si512` has no alignment requirement.
    unsafe { _mm512_loadu_si512(words.as_ptr().cast()) }
}

/// Stores `v` as vector `k` (words `8k..8k + 8`) of `block`.
#[inline]
#[target_feature(enable = "avx512f")]
fn store(block: &mut Block, k: usize, v: __m512i) {
    let words = &mut block.0[8 * k..8 * k + 8];
    // SAFETY: `words` is a live, exclusively borrowed slice of eight `u64`, i.e. exactly
    // the 64 bytes this unaligned store writes; any bit pattern is a valid `u64`.
    unsafe { _mm512_storeu_si512(words.as_mut_ptr().cast(), v) }
}

#[inline]
#[target_feature(enable = "avx512f")]
fn fblamka(a: __m512i, b: __m512i) -> __m512i {
    let m = _mm512_mul_epu32(a, b);
    _mm512_add_epi64(_mm512_add_epi64(a, b), _mm512_add_epi64(m, m))
}

/// `GB` on eight independent quadruples of words, one per lane.
#[inline]
#[target_feature(enable = "avx512f")]
fn gb(a: &mut __m512i, b: &mut __m512i, c: &mut __m512i, d: &mut __m512i) {
    *a = fblamka(*a, *b);
    *d = _mm512_ror_epi64::<32>(_mm512_xor_si512(*d, *a));
    *c = fblamka(*c, *d);
    *b = _mm512_ror_epi64::<24>(_mm512_xor_si512(*b, *c));
    *a = fblamka(*a, *b);
    *d = _mm512_ror_epi64::<16>(_mm512_xor_si512(*d, *a));
    *c = fblamka(*c, *d);
    *b = _mm512_ror_epi64::<63>(_mm512_xor_si512(*b, *c));
}

/// Per 128-bit lane, the words `(lo[1], hi[0])`.
#[inline]
#[target_feature(enable = "avx512f")]
fn align(hi: __m512i, lo: __m512i) -> __m512i {
    _mm512_permutex2var_epi64(lo, _mm512_set_epi64(14, 7, 12, 5, 10, 3, 8, 1), hi)
}

/// `P` on rows `2 * pair` and `2 * pair + 1` (vectors `4 * pair..4 * pair + 4`) of
/// `x ^ y`, which is also kept in `r`; the result goes to `q`.
#[inline]
#[target_feature(enable = "avx512f")]
fn row_pair_step(x: &Block, y: &Block, pair: usize, r: &mut [__m512i; 16], q: &mut [__m512i; 16]) {
    let i = 4 * pair;
    for (k, v) in r.iter_mut().enumerate().skip(i).take(4) {
        *v = _mm512_xor_si512(load(x, k), load(y, k));
    }
    let mut a = _mm512_shuffle_i64x2::<0x44>(r[i], r[i + 2]);
    let mut b = _mm512_shuffle_i64x2::<0xEE>(r[i], r[i + 2]);
    let mut c = _mm512_shuffle_i64x2::<0x44>(r[i + 1], r[i + 3]);
    let mut d = _mm512_shuffle_i64x2::<0xEE>(r[i + 1], r[i + 3]);
    gb(&mut a, &mut b, &mut c, &mut d);
    b = _mm512_permutex_epi64::<0b00_11_10_01>(b);
    c = _mm512_permutex_epi64::<0b01_00_11_10>(c);
    d = _mm512_permutex_epi64::<0b10_01_00_11>(d);
    gb(&mut a, &mut b, &mut c, &mut d);
    b = _mm512_permutex_epi64::<0b10_01_00_11>(b);
    c = _mm512_permutex_epi64::<0b01_00_11_10>(c);
    d = _mm512_permutex_epi64::<0b00_11_10_01>(d);
    q[i] = _mm512_shuffle_i64x2::<0x44>(a, b);
    q[i + 2] = _mm512_shuffle_i64x2::<0xEE>(a, b);
    q[i + 1] = _mm512_shuffle_i64x2::<0x44>(c, d);
    q[i + 3] = _mm512_shuffle_i64x2::<0xEE>(c, d);
}

/// `dst = G(x, y)`, or `dst ^= G(x, y)` when `xor` is set; `first_word` gets word 0 of
/// the result as soon as it is final, after the first of the two column steps.
#[target_feature(enable = "avx512f")]
pub(super) fn compress<F: FnMut(u64)>(
    dst: &mut Block,
    x: &Block,
    y: &Block,
    xor: bool,
    mut first_word: F,
) {
    // `r = x ^ y` is kept for the end; the row step reads it as it is made and writes
    // `q`, so no copy of the block is needed.
    let mut r = [_mm512_setzero_si512(); 16];
    let mut q = [_mm512_setzero_si512(); 16];
    // Four calls with constant pairs rather than a loop, so that the initialisation of
    // `r` and `q` is visibly dead and dropped.
    row_pair_step(x, y, 0, &mut r, &mut q);
    row_pair_step(x, y, 1, &mut r, &mut q);
    row_pair_step(x, y, 2, &mut r, &mut q);
    row_pair_step(x, y, 3, &mut r, &mut q);
    for h in 0..2 {
        let mut c = [_mm512_setzero_si512(); 8];
        for (j, v) in c.iter_mut().enumerate() {
            *v = q[2 * j + h];
        }
        let [
            mut x0,
            mut x1,
            mut x2,
            mut x3,
            mut x4,
            mut x5,
            mut x6,
            mut x7,
        ] = c;
        gb(&mut x0, &mut x2, &mut x4, &mut x6);
        gb(&mut x1, &mut x3, &mut x5, &mut x7);
        let (mut b0, mut b1) = (align(x3, x2), align(x2, x3));
        let (mut d0, mut d1) = (align(x6, x7), align(x7, x6));
        gb(&mut x0, &mut b0, &mut x5, &mut d0);
        gb(&mut x1, &mut b1, &mut x4, &mut d1);
        let out = [
            x0,
            x1,
            align(b0, b1),
            align(b1, b0),
            x4,
            x5,
            align(d1, d0),
            align(d0, d1),
        ];
        for (j, v) in out.into_iter().enumerate() {
            q[2 * j + h] = v;
        }
        if h == 0 {
            // Word 0 (row 0, column 0) is final now; the rest takes one more step.
            let word = _mm_cvtsi128_si64(_mm512_castsi512_si128(_mm512_xor_si512(q[0], r[0])));
            first_word(word as u64 ^ if xor { dst.0[0] } else { 0 });
        }
    }
    for (k, (q, r)) in q.iter().zip(r.iter()).enumerate() {
        let mut v = _mm512_xor_si512(*q, *r);
        if xor {
            v = _mm512_xor_si512(v, load(dst, k));
        }
        store(dst, k, v);
    }
}
