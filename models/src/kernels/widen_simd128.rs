//! [`Widen`] in wasm SIMD128: 16 packed bytes per load, nibbles split with a mask and a byte
//! shift, fifth bits spread with a byte shuffle and a compare, values widened eight at a time.

use core::arch::wasm32::*;

use super::Widen;
use crate::kernels::dot_i16::Simd128;

/// 16 bytes from `b` (at least 16 long).
#[inline(always)]
fn load16(b: &[u8]) -> v128 {
    let b = &b[..16];
    // SAFETY: 16 readable bytes; v128_load has no alignment requirement.
    unsafe { v128_load(b.as_ptr() as *const v128) }
}

/// Stores `v` as eight i16 at `out[..8]`.
#[inline(always)]
fn store8(out: &mut [i16], v: v128) {
    let out = &mut out[..8];
    // SAFETY: 16 writable bytes; v128_store has no alignment requirement.
    unsafe { v128_store(out.as_mut_ptr() as *mut v128, v) }
}

/// 16 unsigned bytes widened to i16, minus `offset`, into `out[..16]`.
#[inline(always)]
fn widen_u8(v: v128, offset: v128, out: &mut [i16]) {
    store8(out, i16x8_sub(u16x8_extend_low_u8x16(v), offset));
    store8(&mut out[8..], i16x8_sub(u16x8_extend_high_u8x16(v), offset));
}

/// 16 unsigned bytes widened to i16 and multiplied by `scale`, into `out[..16]`.
#[inline(always)]
fn widen_u8_mul(v: v128, scale: v128, out: &mut [i16]) {
    store8(out, i16x8_mul(u16x8_extend_low_u8x16(v), scale));
    store8(&mut out[8..], i16x8_mul(u16x8_extend_high_u8x16(v), scale));
}

/// 16 of `qh`'s bits (bits `16 * half ..`) as bytes of 16 (set) or 0: each byte of the pair
/// holding them copied to eight lanes, tested against that lane's bit.
#[inline(always)]
fn fifth_bits(qh: v128, half: usize) -> v128 {
    let bytes = if half == 0 {
        i8x16_swizzle(qh, i8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1))
    } else {
        i8x16_swizzle(qh, i8x16(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3))
    };
    let bit = u8x16(1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128);
    v128_and(i8x16_eq(v128_and(bytes, bit), bit), u8x16_splat(16))
}

impl Widen for Simd128 {
    #[inline(always)]
    fn nibbles32<const Q5: bool>(qs: &[u8], qh: u32, offset: i16, out: &mut [i16; 32]) {
        let v = load16(qs);
        let mut lo = v128_and(v, u8x16_splat(0x0f));
        let mut hi = u8x16_shr(v, 4);
        if Q5 {
            let qh = u32x4_splat(qh);
            lo = v128_or(lo, fifth_bits(qh, 0));
            hi = v128_or(hi, fifth_bits(qh, 1));
        }
        let offset = i16x8_splat(offset);
        widen_u8(lo, offset, &mut out[..16]);
        widen_u8(hi, offset, &mut out[16..]);
    }

    #[inline(always)]
    fn bytes32(qs: &[u8], out: &mut [i16; 32]) {
        for h in 0..2 {
            let v = load16(&qs[16 * h..]);
            store8(&mut out[16 * h..], i16x8_extend_low_i8x16(v));
            store8(&mut out[16 * h + 8..], i16x8_extend_high_i8x16(v));
        }
    }

    #[inline(always)]
    fn run64_k<const Q5: bool>(qs: &[u8], qh: &[u8], shift: u32, scale: [i16; 2], out: &mut [i16]) {
        let (s_lo, s_hi) = (i16x8_splat(scale[0]), i16x8_splat(scale[1]));
        let mask = u8x16_splat(0x0f);
        for h in 0..2 {
            let v = load16(&qs[16 * h..]);
            let mut lo = v128_and(v, mask);
            let mut hi = u8x16_shr(v, 4);
            if Q5 {
                let bits = load16(&qh[16 * h..]);
                let one = u8x16_splat(1);
                lo = v128_or(lo, u8x16_shl(v128_and(u8x16_shr(bits, shift), one), 4));
                hi = v128_or(hi, u8x16_shl(v128_and(u8x16_shr(bits, shift + 1), one), 4));
            }
            widen_u8_mul(lo, s_lo, &mut out[16 * h..]);
            widen_u8_mul(hi, s_hi, &mut out[32 + 16 * h..]);
        }
    }

    #[inline(always)]
    fn half128_q6k(ql: &[u8], qh: &[u8], scales: &[u8], out: &mut [i16]) {
        let mask = u8x16_splat(0x0f);
        let three = u8x16_splat(3);
        let bias = i8x16_splat(32);
        for h in 0..2 {
            let a = load16(&ql[16 * h..]);
            let b = load16(&ql[32 + 16 * h..]);
            let bits = load16(&qh[16 * h..]);
            let high = |shift: u32| u8x16_shl(v128_and(u8x16_shr(bits, shift), three), 4);
            let runs = [
                v128_or(v128_and(a, mask), high(0)),
                v128_or(v128_and(b, mask), high(2)),
                v128_or(u8x16_shr(a, 4), high(4)),
                v128_or(u8x16_shr(b, 4), high(6)),
            ];
            for (r, q) in runs.into_iter().enumerate() {
                // 0..64 − 32 fits a signed byte; widen with sign, then scale per 16 values.
                let q = i8x16_sub(q, bias);
                let at = 32 * r + 16 * h;
                let sc = i16x8_splat(scales[at / 16] as i8 as i16);
                store8(&mut out[at..], i16x8_mul(i16x8_extend_low_i8x16(q), sc));
                store8(
                    &mut out[at + 8..],
                    i16x8_mul(i16x8_extend_high_i8x16(q), sc),
                );
            }
        }
    }
}
