//! [`Widen`] in AVX2: 16 packed bytes per load, nibbles split with a mask and a shift, fifth
//! bits spread with a byte shuffle and a compare, 16 values widened per instruction.
//!
//! Like [`Avx2`]'s dot products these are only reached from functions compiled with
//! `#[target_feature(enable = "avx2")]` after run-time detection, and inlined there.

use std::arch::x86_64::*;

use super::Widen;
use crate::kernels::dot_i16::Avx2;

/// 16 bytes from `b` (at least 16 long).
#[inline(always)]
fn load16(b: &[u8]) -> __m128i {
    let b = &b[..16];
    // SAFETY: 16 readable bytes; loadu has no alignment requirement (SSE2, always present).
    unsafe { _mm_loadu_si128(b.as_ptr() as *const __m128i) }
}

/// Stores 16 i16 at `out[..16]`.
///
/// # Safety
/// The CPU must have AVX2 (see the module note).
#[inline(always)]
unsafe fn store16(out: &mut [i16], v: __m256i) {
    let out = &mut out[..16];
    // SAFETY: 32 writable bytes; storeu has no alignment requirement.
    unsafe { _mm256_storeu_si256(out.as_mut_ptr() as *mut __m256i, v) }
}

/// The high nibble of each byte.
#[inline(always)]
fn high_nibbles(v: __m128i) -> __m128i {
    // SAFETY: SSE2 only.
    unsafe { _mm_and_si128(_mm_srli_epi16::<4>(v), _mm_set1_epi8(0x0f)) }
}

/// Bits `shift..shift + width` of each byte of `v`, moved to bits 4.. (a fifth or sixth bit).
#[inline(always)]
fn high_bits_at_4(v: __m128i, shift: i32, mask: i8) -> __m128i {
    // SAFETY: SSE2 only.
    unsafe {
        let moved = _mm_srl_epi16(v, _mm_cvtsi32_si128(shift));
        _mm_slli_epi16::<4>(_mm_and_si128(moved, _mm_set1_epi8(mask)))
    }
}

/// 16 of `qh`'s bits (bits `16 * half ..`) as bytes of 16 (set) or 0.
///
/// # Safety
/// The CPU must have AVX2 (SSSE3's byte shuffle).
#[inline(always)]
unsafe fn fifth_bits(qh: __m128i, half: usize) -> __m128i {
    // SAFETY: the caller's CPU has AVX2, which implies SSSE3.
    unsafe {
        let pick = if half == 0 {
            _mm_set_epi8(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0)
        } else {
            _mm_set_epi8(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2)
        };
        let bytes = _mm_shuffle_epi8(qh, pick);
        let bit = _mm_set1_epi64x(0x8040_2010_0804_0201u64 as i64);
        let set = _mm_cmpeq_epi8(_mm_and_si128(bytes, bit), bit);
        _mm_and_si128(set, _mm_set1_epi8(16))
    }
}

impl Widen for Avx2 {
    #[inline(always)]
    fn nibbles32<const Q5: bool>(qs: &[u8], qh: u32, offset: i16, out: &mut [i16; 32]) {
        // SAFETY: see the module note.
        unsafe {
            let v = load16(qs);
            let mut lo = _mm_and_si128(v, _mm_set1_epi8(0x0f));
            let mut hi = high_nibbles(v);
            if Q5 {
                let qh = _mm_set1_epi32(qh as i32);
                lo = _mm_or_si128(lo, fifth_bits(qh, 0));
                hi = _mm_or_si128(hi, fifth_bits(qh, 1));
            }
            let offset = _mm256_set1_epi16(offset);
            store16(
                &mut out[..16],
                _mm256_sub_epi16(_mm256_cvtepu8_epi16(lo), offset),
            );
            store16(
                &mut out[16..],
                _mm256_sub_epi16(_mm256_cvtepu8_epi16(hi), offset),
            );
        }
    }

    #[inline(always)]
    fn bytes32(qs: &[u8], out: &mut [i16; 32]) {
        // SAFETY: see the module note.
        unsafe {
            store16(&mut out[..16], _mm256_cvtepi8_epi16(load16(qs)));
            store16(&mut out[16..], _mm256_cvtepi8_epi16(load16(&qs[16..])));
        }
    }

    #[inline(always)]
    fn run64_k<const Q5: bool>(qs: &[u8], qh: &[u8], shift: u32, scale: [i16; 2], out: &mut [i16]) {
        // SAFETY: see the module note.
        unsafe {
            let (s_lo, s_hi) = (_mm256_set1_epi16(scale[0]), _mm256_set1_epi16(scale[1]));
            for h in 0..2 {
                let v = load16(&qs[16 * h..]);
                let mut lo = _mm_and_si128(v, _mm_set1_epi8(0x0f));
                let mut hi = high_nibbles(v);
                if Q5 {
                    let bits = load16(&qh[16 * h..]);
                    lo = _mm_or_si128(lo, high_bits_at_4(bits, shift as i32, 1));
                    hi = _mm_or_si128(hi, high_bits_at_4(bits, shift as i32 + 1, 1));
                }
                store16(
                    &mut out[16 * h..],
                    _mm256_mullo_epi16(_mm256_cvtepu8_epi16(lo), s_lo),
                );
                store16(
                    &mut out[32 + 16 * h..],
                    _mm256_mullo_epi16(_mm256_cvtepu8_epi16(hi), s_hi),
                );
            }
        }
    }

    #[inline(always)]
    fn half128_q6k(ql: &[u8], qh: &[u8], scales: &[u8], out: &mut [i16]) {
        // SAFETY: see the module note.
        unsafe {
            let mask = _mm_set1_epi8(0x0f);
            let bias = _mm256_set1_epi16(32);
            for h in 0..2 {
                let a = load16(&ql[16 * h..]);
                let b = load16(&ql[32 + 16 * h..]);
                let bits = load16(&qh[16 * h..]);
                let runs = [
                    _mm_or_si128(_mm_and_si128(a, mask), high_bits_at_4(bits, 0, 3)),
                    _mm_or_si128(_mm_and_si128(b, mask), high_bits_at_4(bits, 2, 3)),
                    _mm_or_si128(high_nibbles(a), high_bits_at_4(bits, 4, 3)),
                    _mm_or_si128(high_nibbles(b), high_bits_at_4(bits, 6, 3)),
                ];
                for (r, q) in runs.into_iter().enumerate() {
                    let at = 32 * r + 16 * h;
                    let sc = _mm256_set1_epi16(scales[at / 16] as i8 as i16);
                    let q = _mm256_sub_epi16(_mm256_cvtepu8_epi16(q), bias);
                    store16(&mut out[at..], _mm256_mullo_epi16(q, sc));
                }
            }
        }
    }
}
