//! The 256-value K-quant weight blocks (llama.cpp `ggml-common.h`: `block_q4_K`, `block_q5_K`,
//! `block_q6_K`), multiplied with Q8_K activation blocks.
//!
//! A K-quant block has sub-blocks (8 of 32 for Q4_K/Q5_K, 16 of 16 for Q6_K), each with a small
//! integer scale (and, for Q4_K/Q5_K, a minimum). Widening multiplies each value by its
//! sub-block's integer scale (at most 63 · 31 or 127 · 32: still an i16), so a whole block is
//! one integer dot product: value `i` = `d * q[i] - dmin * mins[i / 32]`, and against
//! activations `d_a * q_a` with per-32 sums `S_j`:
//! `Σ value · act = d_a (d Σ q q_a - dmin Σ_j mins_j S_j)`.

use super::dot_i16::Isa;
use super::q8_act::{ActK, Wide, quantize_k};
use super::qformat::{Format, f16_at};
#[cfg(doc)]
use super::widen::Widen;

/// A 256-value weight block, widened. The float factors come after the integers and before a
/// zeroed tail (not padding), for the reason given at `q8_act::Act32`.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
pub(crate) struct WK {
    q: Wide<256>,
    mins: [i32; 8],
    d: f32,
    dmin: f32,
    zero: [f32; 6],
}

const _: () = assert!(size_of::<WK>() == 512 + 4 * 16);

/// llama.cpp's `get_scale_min_k4`: the 6-bit scale and minimum of sub-block `j` from the 12
/// packed bytes (the first four of each in the low 6 bits of bytes 0..8, the last four split
/// between a nibble of bytes 8..12 and the top 2 bits of bytes 0..8).
#[inline(always)]
fn scale_min_k4(j: usize, s: &[u8]) -> (i16, i32) {
    if j < 4 {
        ((s[j] & 63) as i16, (s[j + 4] & 63) as i32)
    } else {
        (
            ((s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4)) as i16,
            ((s[j + 4] >> 4) | ((s[j] >> 6) << 4)) as i32,
        )
    }
}

/// Q4_K and Q5_K: `{d, dmin: f16, scales: [u8; 12], (qh: [u8; 32],) qs: [u8; 128]}`. Values
/// come in four runs of 64: the low nibbles of 32 `qs` bytes, then their high nibbles; Q5's
/// fifth bit of value `l` of run `c` is bit `2c` (low half) or `2c + 1` (high half) of `qh[l]`.
#[inline(always)]
fn unpack_q45_k<I: Isa, const Q5: bool>(b: &[u8], w: &mut WK) {
    w.d = f16_at(b, 0);
    w.dmin = f16_at(b, 2);
    let scales = &b[4..16];
    let (qh, qs) = if Q5 {
        (&b[16..48], &b[48..176])
    } else {
        (&b[16..48], &b[16..144])
    };
    for c in 0..4 {
        let (sc_lo, m_lo) = scale_min_k4(2 * c, scales);
        let (sc_hi, m_hi) = scale_min_k4(2 * c + 1, scales);
        w.mins[2 * c] = m_lo;
        w.mins[2 * c + 1] = m_hi;
        I::run64_k::<Q5>(
            &qs[32 * c..],
            qh,
            2 * c as u32,
            [sc_lo, sc_hi],
            &mut w.q.0[64 * c..],
        );
    }
}

#[inline(always)]
fn unpack_q4_k<I: Isa>(b: &[u8], w: &mut WK) {
    unpack_q45_k::<I, false>(b, w)
}

#[inline(always)]
fn unpack_q5_k<I: Isa>(b: &[u8], w: &mut WK) {
    unpack_q45_k::<I, true>(b, w)
}

/// Q6_K: `{ql: [u8; 128], qh: [u8; 64], scales: [i8; 16], d: f16}`, value = d * scale * (q - 32)
/// with q 6 bits, in two halves of 128 (see [`Widen::half128_q6k`]).
#[inline(always)]
fn unpack_q6_k<I: Isa>(b: &[u8], w: &mut WK) {
    w.d = f16_at(b, 208);
    w.dmin = 0.0;
    w.mins = [0; 8];
    for n in 0..2 {
        I::half128_q6k(
            &b[64 * n..],
            &b[128 + 32 * n..],
            &b[192 + 8 * n..],
            &mut w.q.0[128 * n..],
        );
    }
}

/// One K block's product from its integer dot product `dot`: `d_a (d · dot - dmin Σ mins·sums)`.
#[inline(always)]
fn combine_k<const MINS: bool>(w: &WK, a: &ActK, dot: i32) -> f32 {
    let q = w.d * dot as f32;
    if MINS {
        let m: i32 = w.mins.iter().zip(&a.sums).map(|(m, s)| m * s).sum();
        a.d * (q - w.dmin * m as f32)
    } else {
        a.d * q
    }
}

macro_rules! format_k {
    ($(#[$doc:meta])* $name:ident, $bytes:expr, $unpack:ident, $mins:expr) => {
        $(#[$doc])*
        pub(crate) struct $name;

        impl Format for $name {
            const QK: usize = 256;
            const BYTES: usize = $bytes;
            type W = WK;
            type A = ActK;

            fn quantize(x: &[f32]) -> ActK {
                quantize_k(x)
            }

            #[inline(always)]
            fn unpack<I: Isa>(block: &[u8], w: &mut WK) {
                $unpack::<I>(&block[..$bytes], w)
            }

            #[inline(always)]
            fn dot<I: Isa>(w: &WK, a: &ActK) -> f32 {
                combine_k::<$mins>(w, a, I::dot(&w.q.0, &a.q.0))
            }

            #[inline(always)]
            fn dot4<I: Isa>(w: &WK, a: [&ActK; 4]) -> [f32; 4] {
                let s = I::dot4(&w.q.0, a.map(|a| &a.q.0[..]));
                std::array::from_fn(|r| combine_k::<$mins>(w, a[r], s[r]))
            }

            fn dequantize(w: &WK, out: &mut [f32]) {
                for (i, (o, &q)) in out.iter_mut().zip(&w.q.0).enumerate() {
                    *o = w.d * q as f32 - w.dmin * w.mins[i / 32] as f32;
                }
            }
        }
    };
}

format_k!(
    /// `block_q4_K`: 4-bit values, 6-bit scales and minimums per 32.
    Q4K, 144, unpack_q4_k, true
);
format_k!(
    /// `block_q5_K`: Q4_K plus a fifth bit per value.
    Q5K, 176, unpack_q5_k, true
);
format_k!(
    /// `block_q6_K`: 6-bit values, 8-bit scales per 16, no minimums.
    Q6K, 210, unpack_q6_k, false
);
