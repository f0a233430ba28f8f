//! Activations rounded to 8 bits once per matmul, as llama.cpp rounds them before its quantized
//! dot products (`quantize_row_q8_1` for the 32-element weight blocks, `quantize_row_q8_K` for
//! the 256-element K-quants): a scale per block, `round(x / d)` in [-127, 127]. They are stored
//! widened to i16 (not i8 as llama.cpp does) so the product loop needs no sign extension: the
//! activations of a matmul are a few kilobytes, the weights megabytes.
//!
//! The blocks hold what llama.cpp's hold: Q8_1's scale and block sum rounded to f16 (its
//! `block_q8_1` stores them so), Q8_K's scale `1 / (127 / amax)` in f32. Keeping the 32-value
//! scales in f32 would be marginally more accurate, but it moves every product by up to 2^-11
//! relative against llama.cpp's, which tiny random models amplify to ~1e-2 of their logits.

use half::f16;

/// Values in a block in memory aligned for vector loads.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(32))]
pub(crate) struct Wide<const N: usize>(pub [i16; N]);

impl<const N: usize> Default for Wide<N> {
    fn default() -> Self {
        Wide([0; N])
    }
}

/// 32 activations (llama.cpp's `block_q8_1`): value ≈ `d * q`, `s ≈ d * Σq` (both f16 values)
/// (what the weights' offsets `m` multiply: `Σ (d_w q_w + m) (d q) = d_w d Σ q_w q + m s`).
///
/// The tail after the scales is a zeroed field, not padding. The compiler multiplies `[d, s]`
/// with one 4-lane load that reads the 8 bytes after them too; uninitialized padding there held
/// whatever the allocation held before, often denormal floats, and each product with one then
/// took the CPU's slow path: one-row products ran 3x slower depending on which memory the
/// blocks landed in (`kernels::qmatmul`'s benchmark in the browser, SmolLM2's FFN).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
pub(crate) struct Act32 {
    pub q: Wide<32>,
    pub d: f32,
    pub s: f32,
    pub zero: [f32; 6],
}

/// 256 activations (llama.cpp's `block_q8_K`): value ≈ `d * q`, and the sum of `q` over each
/// 32 (the K-quants' per-32 minimums multiply those; llama.cpp keeps per-16 sums, which its
/// Q4_K/Q5_K kernels add in pairs). The scale comes after the integers and before a zeroed
/// tail, as in [`Act32`]: small integers read as floats are denormal too.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
pub(crate) struct ActK {
    pub q: Wide<256>,
    pub sums: [i32; 8],
    pub d: f32,
    pub zero: [f32; 7],
}

// The zeroed tails fill each block to its alignment: no byte is padding.
const _: () = assert!(size_of::<Act32>() == 64 + 4 * 8);
const _: () = assert!(size_of::<ActK>() == 512 + 4 * 16);

/// `1.5 * 2^23`: adding it to an f32 below 2^22 in magnitude leaves the value rounded to the
/// nearest integer (ties to even) in the low mantissa bits. Cheaper than `round()`, which is a
/// library call on x86-64 without SSE4.1, and it vectorizes.
const MAGIC: f32 = 12_582_912.0;

/// Rounds `x` to `q` with the scale `127 / amax`; returns `amax` and that scale.
#[inline(always)]
fn quantize(x: &[f32], q: &mut [i16]) -> (f32, f32) {
    let amax = x.iter().fold(0f32, |m, v| m.max(v.abs()));
    let id = if amax > 0.0 { 127.0 / amax } else { 0.0 };
    for (q, &v) in q.iter_mut().zip(x) {
        // |v * id| <= 127 (plus an ulp), so the integer sits in the low bits.
        *q = ((v * id + MAGIC).to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32) as i16;
    }
    (amax, id)
}

/// One block of 32 activations (`quantize_row_q8_1`).
pub(crate) fn quantize_32(x: &[f32]) -> Act32 {
    let mut a = Act32::default();
    let (amax, _) = quantize(x, &mut a.q.0);
    let d = amax / 127.0;
    a.d = f16::from_f32(d).to_f32();
    a.s = f16::from_f32(d * a.q.0.iter().map(|&q| q as i32).sum::<i32>() as f32).to_f32();
    a
}

/// One block of 256 activations (`quantize_row_q8_K`).
pub(crate) fn quantize_k(x: &[f32]) -> ActK {
    let mut a = ActK::default();
    let (_, id) = quantize(x, &mut a.q.0);
    a.d = if id > 0.0 { 1.0 / id } else { 0.0 };
    for (s, q) in a.sums.iter_mut().zip(a.q.0.chunks_exact(32)) {
        *s = q.iter().map(|&q| q as i32).sum();
    }
    a
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test(unsupported = test)]
    fn rounds_to_nearest_with_the_127_over_amax_scale() {
        let mut x = [0f32; 32];
        x[0] = 127.0;
        x[1] = 2.5;
        x[2] = -3.5;
        x[3] = 0.4;
        x[4] = -126.6;
        let a = quantize_32(&x);
        assert_eq!(&a.q.0[..5], &[127, 2, -4, 0, -127]);
        assert_eq!(a.d, 1.0);
        assert_eq!(a.s, -2.0);
        assert_eq!(quantize_32(&[0.0; 32]).d, 0.0);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn k_blocks_sum_each_32() {
        let x: Vec<f32> = (0..256).map(|i| (i % 32) as f32 - 15.0).collect();
        let a = quantize_k(&x);
        let d = 1.0 / (127.0f32 / 16.0);
        assert_eq!(a.d, d);
        let want: i32 = x
            .iter()
            .map(|v| (v * (127.0 / 16.0)).round_ties_even() as i32)
            .sum::<i32>()
            / 8;
        assert!(a.sums.iter().all(|&s| s == want), "{:?} vs {want}", a.sums);
    }
}
