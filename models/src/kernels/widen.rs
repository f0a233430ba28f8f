//! Widening packed GGUF weight bits (4, 5, 6 and 8 bits per value) to the i16 values the
//! integer dot product takes, per instruction set. The scalar code (the trait's default
//! methods) is the reference; the vector versions must give the same values, and in decoding,
//! where each weight block is widened once per token and multiplied with one activation row,
//! they are most of the work: a scalar byte loop that the compiler leaves unvectorized costs
//! more than the products.

/// Widening for one instruction set; every method has a scalar reference implementation.
pub(crate) trait Widen {
    /// The 32-value blocks (Q4_0, Q4_1, Q5_0, Q5_1): byte `i` of `qs` (16 bytes) holds value `i`
    /// in its low nibble and value `i + 16` in its high one; with `Q5`, bit `i` of `qh` adds 16
    /// to value `i`. Every value minus `offset`.
    #[inline(always)]
    fn nibbles32<const Q5: bool>(qs: &[u8], qh: u32, offset: i16, out: &mut [i16; 32]) {
        let qs = &qs[..16];
        for i in 0..16 {
            let (lo, hi) = if Q5 {
                (((qh >> i) & 1) << 4, ((qh >> (i + 16)) & 1) << 4)
            } else {
                (0, 0)
            };
            // 0..32 minus 0..16: wrapping only spares debug builds' overflow checks.
            out[i] = (((qs[i] & 0x0f) as u32 | lo) as i16).wrapping_sub(offset);
            out[i + 16] = (((qs[i] >> 4) as u32 | hi) as i16).wrapping_sub(offset);
        }
    }

    /// Q8_0's 32 signed bytes.
    #[inline(always)]
    fn bytes32(qs: &[u8], out: &mut [i16; 32]) {
        for (o, &v) in out.iter_mut().zip(&qs[..32]) {
            *o = v as i8 as i16;
        }
    }

    /// One run of 64 values of Q4_K or Q5_K: the low nibbles of the 32 bytes `qs`, times
    /// `scale[0]`, then their high nibbles times `scale[1]`; with `Q5`, bit `shift` of `qh[l]`
    /// adds 16 to low value `l` and bit `shift + 1` to high value `l`.
    #[inline(always)]
    fn run64_k<const Q5: bool>(qs: &[u8], qh: &[u8], shift: u32, scale: [i16; 2], out: &mut [i16]) {
        let (qs, out) = (&qs[..32], &mut out[..64]);
        for l in 0..32 {
            let (mut lo, mut hi) = (qs[l] & 0x0f, qs[l] >> 4);
            if Q5 {
                lo |= ((qh[l] >> shift) & 1) << 4;
                hi |= ((qh[l] >> (shift + 1)) & 1) << 4;
            }
            // At most 31 · 63: wrapping only spares debug builds' overflow checks.
            out[l] = (lo as i16).wrapping_mul(scale[0]);
            out[l + 32] = (hi as i16).wrapping_mul(scale[1]);
        }
    }

    /// One half (128 values) of a Q6_K block: `ql` 64 bytes of low nibbles, `qh` 32 bytes of
    /// 2-bit high parts, `scales` 8 signed bytes, one per 16 values; value = scale · (q − 32).
    /// Value `l` (of 32) of run `r` takes the low (runs 0, 1) or high (runs 2, 3) nibble of
    /// `ql[l]` (runs 0, 2) or `ql[l + 32]` (runs 1, 3) and bits `2r, 2r+1` of `qh[l]`.
    #[inline(always)]
    fn half128_q6k(ql: &[u8], qh: &[u8], scales: &[u8], out: &mut [i16]) {
        let (ql, qh, out) = (&ql[..64], &qh[..32], &mut out[..128]);
        for l in 0..32 {
            let h = qh[l];
            let q = [
                (ql[l] & 0x0f) | ((h & 3) << 4),
                (ql[l + 32] & 0x0f) | (((h >> 2) & 3) << 4),
                (ql[l] >> 4) | (((h >> 4) & 3) << 4),
                (ql[l + 32] >> 4) | (((h >> 6) & 3) << 4),
            ];
            for (r, q) in q.into_iter().enumerate() {
                let sc = scales[(32 * r + l) / 16] as i8 as i16;
                // (0..64 − 32) · (−128..127): in range; wrapping as above.
                out[32 * r + l] = (q as i16).wrapping_sub(32).wrapping_mul(sc);
            }
        }
    }
}

impl Widen for super::dot_i16::Scalar {}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[path = "widen_simd128.rs"]
mod simd128;

#[cfg(target_arch = "x86_64")]
#[path = "widen_avx2.rs"]
mod avx2;

#[cfg(test)]
#[path = "widen_tests.rs"]
mod tests;
