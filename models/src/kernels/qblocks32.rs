//! The 32-value GGUF weight blocks (llama.cpp `ggml-common.h`: `block_q4_0`, `block_q4_1`,
//! `block_q5_0`, `block_q5_1`, `block_q8_0`), multiplied with Q8_1 activation blocks.
//!
//! Each block widens to 32 i16 values `q` and two floats: value = `d * q + m` (`m` = 0 for the
//! symmetric types, whose offset -8 or -16 is folded into `q`). Against activations `d_a * q_a`
//! with sum `s`: `Σ value · act = d d_a Σ q q_a + m s` — one exact integer dot product per block.
//! Nibbles: the low nibbles of the 16 bytes are values 0..16, the high nibbles 16..32; Q5's
//! fifth bits are a little-endian u32 `qh`, bit `i` for value `i` (widened in `widen`).

use super::dot_i16::Isa;
use super::q8_act::{Act32, Wide, quantize_32};
use super::qformat::{Format, f16_at};

/// A 32-value weight block, widened: value `i` = `d * q[i] + m`. Its tail is a zeroed field,
/// not padding, for the reason given at `q8_act::Act32`.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
pub(crate) struct W32 {
    q: Wide<32>,
    d: f32,
    m: f32,
    zero: [f32; 6],
}

const _: () = assert!(size_of::<W32>() == 64 + 4 * 8);

#[inline(always)]
fn unpack_q4_0<I: Isa>(b: &[u8], w: &mut W32) {
    w.d = f16_at(b, 0);
    w.m = 0.0;
    I::nibbles32::<false>(&b[2..18], 0, 8, &mut w.q.0);
}

#[inline(always)]
fn unpack_q4_1<I: Isa>(b: &[u8], w: &mut W32) {
    w.d = f16_at(b, 0);
    w.m = f16_at(b, 2);
    I::nibbles32::<false>(&b[4..20], 0, 0, &mut w.q.0);
}

/// Q5's fifth bits: the little-endian u32 at `at`.
#[inline(always)]
fn qh_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

#[inline(always)]
fn unpack_q5_0<I: Isa>(b: &[u8], w: &mut W32) {
    w.d = f16_at(b, 0);
    w.m = 0.0;
    I::nibbles32::<true>(&b[6..22], qh_at(b, 2), 16, &mut w.q.0);
}

#[inline(always)]
fn unpack_q5_1<I: Isa>(b: &[u8], w: &mut W32) {
    w.d = f16_at(b, 0);
    w.m = f16_at(b, 2);
    I::nibbles32::<true>(&b[8..24], qh_at(b, 4), 0, &mut w.q.0);
}

#[inline(always)]
fn unpack_q8_0<I: Isa>(b: &[u8], w: &mut W32) {
    w.d = f16_at(b, 0);
    w.m = 0.0;
    I::bytes32(&b[2..34], &mut w.q.0);
}

macro_rules! format32 {
    ($(#[$doc:meta])* $name:ident, $bytes:expr, $unpack:ident) => {
        $(#[$doc])*
        pub(crate) struct $name;

        impl Format for $name {
            const QK: usize = 32;
            const BYTES: usize = $bytes;
            type W = W32;
            type A = Act32;

            fn quantize(x: &[f32]) -> Act32 {
                quantize_32(x)
            }

            #[inline(always)]
            fn unpack<I: Isa>(block: &[u8], w: &mut W32) {
                $unpack::<I>(&block[..$bytes], w)
            }

            #[inline(always)]
            fn dot<I: Isa>(w: &W32, a: &Act32) -> f32 {
                w.d * a.d * I::dot(&w.q.0, &a.q.0) as f32 + w.m * a.s
            }

            #[inline(always)]
            fn dot4<I: Isa>(w: &W32, a: [&Act32; 4]) -> [f32; 4] {
                let s = I::dot4(&w.q.0, a.map(|a| &a.q.0[..]));
                std::array::from_fn(|r| w.d * a[r].d * s[r] as f32 + w.m * a[r].s)
            }

            fn dequantize(w: &W32, out: &mut [f32]) {
                for (o, &q) in out.iter_mut().zip(&w.q.0) {
                    *o = w.d * q as f32 + w.m;
                }
            }
        }
    };
}

format32!(
    /// `{d: f16, qs: [u8; 16]}`: value = d * (nibble - 8).
    Q4_0, 18, unpack_q4_0
);
format32!(
    /// `{d: f16, m: f16, qs: [u8; 16]}`: value = d * nibble + m.
    Q4_1, 20, unpack_q4_1
);
format32!(
    /// `{d: f16, qh: u32, qs: [u8; 16]}`: value = d * (nibble + 16 * bit - 16).
    Q5_0, 22, unpack_q5_0
);
format32!(
    /// `{d: f16, m: f16, qh: u32, qs: [u8; 16]}`: value = d * (nibble + 16 * bit) + m.
    Q5_1, 24, unpack_q5_1
);
format32!(
    /// `{d: f16, qs: [i8; 32]}`: value = d * q.
    Q8_0, 34, unpack_q8_0
);
