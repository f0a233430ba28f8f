//! Each instruction set's widening against the scalar reference, on every byte pattern that
//! matters (random bytes cover every nibble, bit and sign many times over).

use super::Widen;
use crate::kernels::dot_i16::Scalar;

fn bytes(n: usize, seed: u32) -> Vec<u8> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect()
}

/// Every widening of `I` equals the scalar one on many random inputs.
#[cfg_attr(
    not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )),
    allow(dead_code)
)]
fn agrees_with_scalar<I: Widen>() {
    for seed in 0..200 {
        let b = bytes(256, seed);
        let qh = u32::from_le_bytes([b[200], b[201], b[202], b[203]]);
        let (mut want, mut got) = ([0i16; 32], [0i16; 32]);
        for offset in [0, 8, 16] {
            Scalar::nibbles32::<false>(&b, qh, offset, &mut want);
            I::nibbles32::<false>(&b, qh, offset, &mut got);
            assert_eq!(got, want, "nibbles32 seed {seed} offset {offset}");
            Scalar::nibbles32::<true>(&b, qh, offset, &mut want);
            I::nibbles32::<true>(&b, qh, offset, &mut got);
            assert_eq!(got, want, "nibbles32 q5 seed {seed} offset {offset}");
        }
        Scalar::bytes32(&b, &mut want);
        I::bytes32(&b, &mut got);
        assert_eq!(got, want, "bytes32 seed {seed}");
        let (mut want, mut got) = ([0i16; 128], [0i16; 128]);
        let scale = [(b[210] & 63) as i16, (b[211] & 63) as i16];
        for shift in [0, 2, 4, 6] {
            Scalar::run64_k::<false>(&b, &b[64..], shift, scale, &mut want);
            I::run64_k::<false>(&b, &b[64..], shift, scale, &mut got);
            assert_eq!(got, want, "run64_k seed {seed} shift {shift}");
            Scalar::run64_k::<true>(&b, &b[64..], shift, scale, &mut want);
            I::run64_k::<true>(&b, &b[64..], shift, scale, &mut got);
            assert_eq!(got, want, "run64_k q5 seed {seed} shift {shift}");
        }
        Scalar::half128_q6k(&b, &b[64..], &b[96..], &mut want);
        I::half128_q6k(&b, &b[64..], &b[96..], &mut got);
        assert_eq!(got, want, "half128_q6k seed {seed}");
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn avx2_widens_as_scalar_does() {
    #[target_feature(enable = "avx2")]
    fn run() {
        agrees_with_scalar::<crate::kernels::dot_i16::Avx2>();
    }
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2.
        unsafe { run() }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[wasm_bindgen_test::wasm_bindgen_test]
fn simd128_widens_as_scalar_does() {
    agrees_with_scalar::<crate::kernels::dot_i16::Simd128>();
}
