//! `G` with AVX2: the block as 32 vectors of four words.
//!
//! Rows: one row is four vectors `(a, b, c, d)` = words 0–3, 4–7, 8–11, 12–15, so the
//! column step of `P` is one vector `GB` and the diagonal step rotates `b`, `c`, `d` by one,
//! two and three lanes (`vpermq`). Columns: the vector of row `j` at words `4h..4h + 4`
//! holds the registers of columns `2h` and `2h + 1` (two words each, one per 128-bit lane),
//! so two columns are done at once, with `vpalignr` for the diagonal step.

use core::arch::x86_64::{
    __m256i, _mm_cvtsi128_si64, _mm256_add_epi64, _mm256_alignr_epi8, _mm256_castsi256_si128,
    _mm256_loadu_si256, _mm256_mul_epu32, _mm256_permute4x64_epi64, _mm256_setr_epi8,
    _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_shuffle_epi32, _mm256_srli_epi64,
    _mm256_storeu_si256, _mm256_xor_si256,
};

use crate::block::Block;

/// Vector `k` (words `4k..4k + 4`) of `block`.
#[inline]
#[target_feature(enable = "avx2")]
fn load(block: &Block, k: usize) -> __m256i {
    let words = &block.0[4 * k..4 * k + 4];
    // SAFETY: `words` is a live, readable slice of four `u64`, i.e. exactly the 32 bytes
    // this unaligned load reads; `_mm256_loadu_si256` has no alignment requirement.
    unsafe { _mm256_loadu_si256(words.as_ptr().cast()) }
}

/// Stores `v` as vector `k` (words `4k..4k + 4`) of `block`.
#[inline]
#[target_feature(enable = "avx2")]
fn store(block: &mut Block, k: usize, v: __m256i) {
    let words = &mut block.0[4 * k..4 * k + 4];
    // SAFETY: `words` is a live, exclusively borrowed slice of four `u64`, i.e. exactly the
    // 32 bytes this unaligned store writes; any bit pattern is a valid `u64`.
    unsafe { _mm256_storeu_si256(words.as_mut_ptr().cast(), v) }
}

#[inline]
#[target_feature(enable = "avx2")]
fn fblamka(a: __m256i, b: __m256i) -> __m256i {
    let m = _mm256_mul_epu32(a, b);
    _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(m, m))
}

#[inline]
#[target_feature(enable = "avx2")]
fn rotr32(x: __m256i) -> __m256i {
    _mm256_shuffle_epi32::<0b10_11_00_01>(x)
}

#[inline]
#[target_feature(enable = "avx2")]
fn rotr24(x: __m256i) -> __m256i {
    let bytes = _mm256_setr_epi8(
        3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13,
        14, 15, 8, 9, 10,
    );
    _mm256_shuffle_epi8(x, bytes)
}

#[inline]
#[target_feature(enable = "avx2")]
fn rotr16(x: __m256i) -> __m256i {
    let bytes = _mm256_setr_epi8(
        2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12,
        13, 14, 15, 8, 9,
    );
    _mm256_shuffle_epi8(x, bytes)
}

#[inline]
#[target_feature(enable = "avx2")]
fn rotr63(x: __m256i) -> __m256i {
    _mm256_xor_si256(_mm256_srli_epi64::<63>(x), _mm256_add_epi64(x, x))
}

/// `GB` on four independent quadruples of words, one per lane.
#[inline]
#[target_feature(enable = "avx2")]
fn gb(a: &mut __m256i, b: &mut __m256i, c: &mut __m256i, d: &mut __m256i) {
    *a = fblamka(*a, *b);
    *d = rotr32(_mm256_xor_si256(*d, *a));
    *c = fblamka(*c, *d);
    *b = rotr24(_mm256_xor_si256(*b, *c));
    *a = fblamka(*a, *b);
    *d = rotr16(_mm256_xor_si256(*d, *a));
    *c = fblamka(*c, *d);
    *b = rotr63(_mm256_xor_si256(*b, *c));
}

/// Per 128-bit lane, the words `(lo[1], hi[0])`.
#[inline]
#[target_feature(enable = "avx2")]
fn align(hi: __m256i, lo: __m256i) -> __m256i {
    _mm256_alignr_epi8::<8>(hi, lo)
}

/// `P` on row `row` of `x ^ y`, which is also kept in `r`; the result goes to `q`.
#[inline]
#[target_feature(enable = "avx2")]
fn row_step(x: &Block, y: &Block, row: usize, r: &mut [__m256i; 32], q: &mut [__m256i; 32]) {
    let i = 4 * row;
    for (k, v) in r.iter_mut().enumerate().skip(i).take(4) {
        *v = _mm256_xor_si256(load(x, k), load(y, k));
    }
    let (mut a, mut b, mut c, mut d) = (r[i], r[i + 1], r[i + 2], r[i + 3]);
    gb(&mut a, &mut b, &mut c, &mut d);
    b = _mm256_permute4x64_epi64::<0b00_11_10_01>(b);
    c = _mm256_permute4x64_epi64::<0b01_00_11_10>(c);
    d = _mm256_permute4x64_epi64::<0b10_01_00_11>(d);
    gb(&mut a, &mut b, &mut c, &mut d);
    q[i] = a;
    q[i + 1] = _mm256_permute4x64_epi64::<0b10_01_00_11>(b);
    q[i + 2] = _mm256_permute4x64_epi64::<0b01_00_11_10>(c);
    q[i + 3] = _mm256_permute4x64_epi64::<0b00_11_10_01>(d);
}

/// `dst = G(x, y)`, or `dst ^= G(x, y)` when `xor` is set; `first_word` gets word 0 of
/// the result as soon as it is final, after the first of the four column steps.
#[target_feature(enable = "avx2")]
pub(super) fn compress<F: FnMut(u64)>(
    dst: &mut Block,
    x: &Block,
    y: &Block,
    xor: bool,
    mut first_word: F,
) {
    // `r = x ^ y` is kept for the end; the row step reads it as it is made and writes
    // `q`, so no copy of the block is needed.
    let mut r = [_mm256_setzero_si256(); 32];
    let mut q = [_mm256_setzero_si256(); 32];
    // Eight calls with constant rows rather than a loop: after inlining, every element of
    // `r` and `q` is visibly written before it is read, so their initialisation is dropped
    // (a loop left a 1 KiB `memset` per block).
    row_step(x, y, 0, &mut r, &mut q);
    row_step(x, y, 1, &mut r, &mut q);
    row_step(x, y, 2, &mut r, &mut q);
    row_step(x, y, 3, &mut r, &mut q);
    row_step(x, y, 4, &mut r, &mut q);
    row_step(x, y, 5, &mut r, &mut q);
    row_step(x, y, 6, &mut r, &mut q);
    row_step(x, y, 7, &mut r, &mut q);
    for h in 0..4 {
        let mut c = [_mm256_setzero_si256(); 8];
        for (j, v) in c.iter_mut().enumerate() {
            *v = q[4 * j + h];
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
            q[4 * j + h] = v;
        }
        if h == 0 {
            // Word 0 (row 0, column 0) is final now; the rest takes three more steps.
            let word = _mm_cvtsi128_si64(_mm256_castsi256_si128(_mm256_xor_si256(q[0], r[0])));
            first_word(word as u64 ^ if xor { dst.0[0] } else { 0 });
        }
    }
    for (k, (q, r)) in q.iter().zip(r.iter()).enumerate() {
        let mut v = _mm256_xor_si256(*q, *r);
        if xor {
            v = _mm256_xor_si256(v, load(dst, k));
        }
        store(dst, k, v);
    }
}
