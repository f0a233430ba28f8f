//! What the quantized matmul (`qmatmul`) needs to know of a GGUF weight type: its block size
//! in values and bytes, how a block widens to i16 values plus float factors, which activation
//! blocks it multiplies, and how one weight block times one activation block adds up. The
//! types themselves are in `qblocks32` (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) and `qblocks_k`
//! (Q4_K, Q5_K, Q6_K).

use super::dot_i16::Isa;

/// One GGUF block type (llama.cpp's `block_q*`).
pub(crate) trait Format {
    /// Values per block (llama.cpp's `QK*`).
    const QK: usize;
    /// Bytes per block (`sizeof(block_q*)`).
    const BYTES: usize;
    /// A weight block widened for the integer dot product.
    type W: Default;
    /// An activation block rounded to 8 bits (`block_q8_1` or `block_q8_K`).
    type A: Send + Sync;
    /// Rounds `QK` activations.
    fn quantize(x: &[f32]) -> Self::A;
    /// Widens the weight block `block` (`BYTES` long) into `w`.
    fn unpack<I: Isa>(block: &[u8], w: &mut Self::W);
    /// The product of one weight block and one activation block.
    fn dot<I: Isa>(w: &Self::W, a: &Self::A) -> f32;
    /// [`Format::dot`] with four activation blocks (of four input rows), rounding exactly as
    /// four calls of `dot` would.
    fn dot4<I: Isa>(w: &Self::W, a: [&Self::A; 4]) -> [f32; 4];
    /// The block's values (`QK` of them), as llama.cpp's `dequantize_row_q*` gives them.
    fn dequantize(w: &Self::W, out: &mut [f32]);
}

/// The f16 at byte `at` (block scales are little-endian f16), for every finite value, in
/// integer steps plus one exact conversion, with no float arithmetic on a denormal: a normal f16
/// moves its exponent and mantissa bits into place and rebiases the exponent by adding 112 to it;
/// a subnormal one is its mantissa times 2^-24. The compiler evaluates both and selects, and it
/// vectorizes neighbouring calls over whatever bytes sit beside the scales: a multiply by a
/// denormal takes the CPU's slow path (the earlier `bits * 2^112` form made one-row products
/// several times slower). Branch-free, unlike a general conversion (a software routine with
/// branches on wasm32); infinities and NaN, which no usable block scale is, are not kept.
#[inline(always)]
pub(crate) fn f16_at(bytes: &[u8], at: usize) -> f32 {
    let h = u16::from_le_bytes([bytes[at], bytes[at + 1]]) as u32;
    let magnitude = h & 0x7fff;
    let normal = (magnitude << 13) + (112 << 23);
    // 2^-24: the weight of a subnormal f16's last mantissa bit.
    let subnormal = (magnitude as f32 * f32::from_bits(0x3380_0000)).to_bits();
    let bits = if magnitude < 0x0400 {
        subnormal
    } else {
        normal
    };
    f32::from_bits(bits | ((h & 0x8000) << 16))
}

#[cfg(test)]
mod tests {
    use half::f16;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test(unsupported = test)]
    fn f16_widens_exactly() {
        for h in 0..=u16::MAX {
            let want = f16::from_bits(h);
            if !want.is_finite() {
                continue;
            }
            let got = f16_at(&h.to_le_bytes(), 0);
            assert_eq!(got.to_bits(), want.to_f32().to_bits(), "{h:#06x}");
        }
    }
}
