//! The one integer primitive every quantized product reduces to: `Σ w[i]·a[i]` over i16 values
//! (weights widened from 4–8 bits, activations rounded to 8 bits), exact in i32. One
//! implementation per instruction set, chosen once per matmul (`Isa::best`), and a plain scalar
//! one that is the reference the SIMD ones are tested against (they must agree bit for bit: the
//! sum is exact integer arithmetic).

/// An instruction set the integer dot product (and the weights' widening) can run on.
pub(crate) trait Isa: super::widen::Widen {
    /// `Σ w[i]·a[i]`; both slices hold the same multiple of 16 values, each product and each
    /// pair sum below 2^31 (|w| ≤ 4096, |a| ≤ 127 here).
    fn dot(w: &[i16], a: &[i16]) -> i32;

    /// [`Isa::dot`] of `w` with four activation rows: the weights are loaded once and the four
    /// horizontal sums share their shuffles (for a 32-value block, one sum costs as much as the
    /// products). Prefill's inner loop.
    fn dot4(w: &[i16], a: [&[i16]; 4]) -> [i32; 4] {
        a.map(|a| Self::dot(w, a))
    }
}

/// Which [`Isa`] a matmul runs on; `best()` is what the CPU (or the wasm build) offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IsaKind {
    /// The reference; on wasm (always SIMD128 here) only the tests run it.
    #[cfg_attr(
        all(target_arch = "wasm32", target_feature = "simd128", not(test)),
        allow(dead_code)
    )]
    Scalar,
    /// wasm SIMD128 (`i32x4.dot_i16x8_s`), compiled in when the build enables `simd128`.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
    /// x86-64 AVX2 (`vpmaddwd`), detected at run time.
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl IsaKind {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub(crate) fn best() -> IsaKind {
        IsaKind::Simd128
    }

    #[cfg(target_arch = "x86_64")]
    pub(crate) fn best() -> IsaKind {
        if std::arch::is_x86_feature_detected!("avx2") {
            IsaKind::Avx2
        } else {
            IsaKind::Scalar
        }
    }

    #[cfg(not(any(
        all(target_arch = "wasm32", target_feature = "simd128"),
        target_arch = "x86_64"
    )))]
    pub(crate) fn best() -> IsaKind {
        IsaKind::Scalar
    }
}

/// The reference: one product at a time.
pub(crate) struct Scalar;

impl Isa for Scalar {
    #[inline(always)]
    fn dot(w: &[i16], a: &[i16]) -> i32 {
        w.iter().zip(a).map(|(&w, &a)| w as i32 * a as i32).sum()
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) struct Simd128;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl Isa for Simd128 {
    #[inline(always)]
    fn dot(w: &[i16], a: &[i16]) -> i32 {
        use core::arch::wasm32::*;
        let n = w.len().min(a.len()) / 16 * 16;
        let mut acc0 = i32x4_splat(0);
        let mut acc1 = i32x4_splat(0);
        let mut i = 0;
        while i < n {
            // SAFETY: i + 16 <= n <= both lengths; v128_load has no alignment requirement.
            unsafe {
                let w0 = v128_load(w.as_ptr().add(i) as *const v128);
                let w1 = v128_load(w.as_ptr().add(i + 8) as *const v128);
                let a0 = v128_load(a.as_ptr().add(i) as *const v128);
                let a1 = v128_load(a.as_ptr().add(i + 8) as *const v128);
                // Two independent accumulators so consecutive dots do not wait on each other.
                acc0 = i32x4_add(acc0, i32x4_dot_i16x8(w0, a0));
                acc1 = i32x4_add(acc1, i32x4_dot_i16x8(w1, a1));
            }
            i += 16;
        }
        let s = i32x4_add(acc0, acc1);
        let s = i32x4_add(s, i32x4_shuffle::<2, 3, 0, 1>(s, s));
        let s = i32x4_add(s, i32x4_shuffle::<1, 0, 3, 2>(s, s));
        i32x4_extract_lane::<0>(s)
    }

    #[inline(always)]
    fn dot4(w: &[i16], a: [&[i16]; 4]) -> [i32; 4] {
        use core::arch::wasm32::*;
        let n = a.iter().fold(w.len(), |n, a| n.min(a.len())) / 8 * 8;
        let mut acc = [i32x4_splat(0); 4];
        let mut i = 0;
        while i < n {
            // SAFETY: i + 8 <= n <= every length; v128_load has no alignment requirement.
            unsafe {
                let wv = v128_load(w.as_ptr().add(i) as *const v128);
                for (acc, a) in acc.iter_mut().zip(&a) {
                    let av = v128_load(a.as_ptr().add(i) as *const v128);
                    *acc = i32x4_add(*acc, i32x4_dot_i16x8(wv, av));
                }
            }
            i += 8;
        }
        // Transpose-and-add: lane r of the result is the sum of acc[r]'s lanes.
        let [a0, a1, a2, a3] = acc;
        let s01 = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(a0, a1),
            i32x4_shuffle::<2, 6, 3, 7>(a0, a1),
        );
        let s23 = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(a2, a3),
            i32x4_shuffle::<2, 6, 3, 7>(a2, a3),
        );
        let r = i32x4_add(
            i32x4_shuffle::<0, 1, 4, 5>(s01, s23),
            i32x4_shuffle::<2, 3, 6, 7>(s01, s23),
        );
        [
            i32x4_extract_lane::<0>(r),
            i32x4_extract_lane::<1>(r),
            i32x4_extract_lane::<2>(r),
            i32x4_extract_lane::<3>(r),
        ]
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) struct Avx2;

#[cfg(target_arch = "x86_64")]
impl Isa for Avx2 {
    /// Only called from functions compiled with `#[target_feature(enable = "avx2")]`, after
    /// `IsaKind::best()` saw the CPU has it; inlined there, the intrinsics become single
    /// instructions.
    #[inline(always)]
    fn dot(w: &[i16], a: &[i16]) -> i32 {
        use std::arch::x86_64::*;
        let n = w.len().min(a.len()) / 16 * 16;
        // SAFETY: callers run only on CPUs with AVX2 (see above); every load reads 16 values
        // below n, within both slices; loadu has no alignment requirement.
        unsafe {
            let mut acc = _mm256_setzero_si256();
            let mut i = 0;
            while i < n {
                let wv = _mm256_loadu_si256(w.as_ptr().add(i) as *const __m256i);
                let av = _mm256_loadu_si256(a.as_ptr().add(i) as *const __m256i);
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(wv, av));
                i += 16;
            }
            let s = _mm_add_epi32(
                _mm256_castsi256_si128(acc),
                _mm256_extracti128_si256::<1>(acc),
            );
            let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
            let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
            _mm_cvtsi128_si32(s)
        }
    }

    #[inline(always)]
    fn dot4(w: &[i16], a: [&[i16]; 4]) -> [i32; 4] {
        use std::arch::x86_64::*;
        let n = a.iter().fold(w.len(), |n, a| n.min(a.len())) / 16 * 16;
        // SAFETY: as in `dot`.
        unsafe {
            let mut acc = [_mm256_setzero_si256(); 4];
            let mut i = 0;
            while i < n {
                let wv = _mm256_loadu_si256(w.as_ptr().add(i) as *const __m256i);
                for (acc, a) in acc.iter_mut().zip(&a) {
                    let av = _mm256_loadu_si256(a.as_ptr().add(i) as *const __m256i);
                    *acc = _mm256_add_epi32(*acc, _mm256_madd_epi16(wv, av));
                }
                i += 16;
            }
            let half = |v: __m256i| {
                _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v))
            };
            // Pairwise horizontal adds: lane r ends as the sum of acc[r]'s lanes.
            let h01 = _mm_hadd_epi32(half(acc[0]), half(acc[1]));
            let h23 = _mm_hadd_epi32(half(acc[2]), half(acc[3]));
            let r = _mm_hadd_epi32(h01, h23);
            let mut out = [0i32; 4];
            _mm_storeu_si128(out.as_mut_ptr() as *mut __m128i, r);
            out
        }
    }
}
