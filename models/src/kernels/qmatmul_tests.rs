//! The quantized matmul against an independent reference: Candle's dequantization of the same
//! blocks times the input in f64. The only inexactness allowed is the activations' 8-bit
//! rounding, bounded per output (see `bound`), plus f32 accumulation. The SIMD paths must give
//! the scalar path's bits. Natively these check AVX2; as wasm-bindgen tests in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown -p models`), the SIMD128 kernels the extension ships.

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use wasm_bindgen_test::wasm_bindgen_test;

use super::*;

const TYPES: [GgmlDType; 8] = [
    GgmlDType::Q4_0,
    GgmlDType::Q4_1,
    GgmlDType::Q5_0,
    GgmlDType::Q5_1,
    GgmlDType::Q8_0,
    GgmlDType::Q4K,
    GgmlDType::Q5K,
    GgmlDType::Q6K,
];

/// Seeded values in [-1, 1), each block of 32 scaled differently (1/8 to 8) so block scales
/// and the K-quants' sub-block scales vary.
fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
    };
    let mut out = Vec::with_capacity(n);
    let mut scale = 1.0;
    for i in 0..n {
        if i % 32 == 0 {
            scale = 2f32.powf(next() * 3.0);
        }
        out.push(next() * scale);
    }
    out
}

struct Case {
    q: QTensor,
    m: QMatrix,
    /// Candle's dequantized weights `(rows, cols)`.
    dense: Vec<f32>,
    x: Vec<f32>,
    rows: usize,
    cols: usize,
}

fn case(dtype: GgmlDType, rows: usize, cols: usize, n: usize) -> Case {
    let w = Tensor::from_vec(values(rows * cols, 7), (rows, cols), &Device::Cpu).expect("w");
    let q = QTensor::quantize(&w, dtype).expect("quantize");
    let m = QMatrix::from_qtensor(&q)
        .expect("read")
        .expect("handled type");
    let dense = q
        .dequantize(&Device::Cpu)
        .and_then(|t| t.flatten_all())
        .and_then(|t| t.to_vec1::<f32>())
        .expect("dequantize");
    Case {
        q,
        m,
        dense,
        x: values(n * cols, 11),
        rows,
        cols,
    }
}

/// How far the product may be from the exact one: each activation is off by at most half a
/// step of its block's grid (`amax / 127 / 2`, `qk` values per block), times `|w|`, summed; plus
/// f32 rounding of the block sums (a few ulps of `Σ|x w|`).
fn bound(x: &[f32], w: &[f32], qk: usize) -> f64 {
    let mut b = 0f64;
    let mut mag = 0f64;
    for (xb, wb) in x.chunks_exact(qk).zip(w.chunks_exact(qk)) {
        let amax = xb.iter().fold(0f32, |m, v| m.max(v.abs())) as f64;
        for (&xv, &wv) in xb.iter().zip(wb) {
            b += amax / 254.0 * (wv as f64).abs();
            mag += (xv as f64 * wv as f64).abs();
        }
    }
    b * (1.0 + 1e-5) + mag * 1e-5
}

fn check_against_dequantized(dtype: GgmlDType, rows: usize, cols: usize, n: usize) {
    let c = case(dtype, rows, cols, n);
    let qk = dtype.block_size();
    let got = c.m.matmul(&c.x);
    assert_eq!(got.len(), n * rows);
    let mut worst = 0f64;
    for r in 0..n {
        let x = &c.x[r * cols..][..cols];
        for o in 0..rows {
            let w = &c.dense[o * cols..][..cols];
            let exact: f64 = x.iter().zip(w).map(|(&a, &b)| a as f64 * b as f64).sum();
            let err = (got[r * rows + o] as f64 - exact).abs();
            let tol = bound(x, w, qk);
            assert!(
                err <= tol,
                "{dtype:?} row {r} out {o}: {} vs {exact} (error {err}, bound {tol})",
                got[r * rows + o]
            );
            worst = worst.max(err / tol);
        }
    }
    // The bound is a worst case; typical errors sit well inside it, and a wrong nibble or scale
    // would blow through it by orders of magnitude.
    println!("{dtype:?}: worst error {worst:.3} of the bound");
}

#[wasm_bindgen_test(unsupported = test)]
fn every_type_matches_candles_dequantized_product() {
    for dtype in TYPES {
        check_against_dequantized(dtype, 24, 512, 5);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn split_across_threads_matches_too() {
    // Big enough for several rayon tasks on a multi-core pool.
    for dtype in [GgmlDType::Q4_0, GgmlDType::Q6K] {
        check_against_dequantized(dtype, 256, 1024, 9);
    }
}

/// The instruction set the build runs on (SIMD128 in the browser, AVX2 where the CPU has it)
/// gives the scalar reference's bits, for one input row (decoding: `dot` per block) and for
/// seven (prefill: `dot4` for four rows, `dot` for the other three).
#[wasm_bindgen_test(unsupported = test)]
fn simd_and_scalar_paths_agree_bit_for_bit() {
    for dtype in TYPES {
        for n in [1, 7] {
            let c = case(dtype, 16, 768, n);
            let best = c.m.matmul_on(&c.x, IsaKind::best());
            let scalar = c.m.matmul_on(&c.x, IsaKind::Scalar);
            assert_eq!(
                best,
                scalar,
                "{dtype:?}, {n} input rows, on {:?}",
                IsaKind::best()
            );
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn one_row_at_a_time_equals_the_batch() {
    for dtype in TYPES {
        let c = case(dtype, 16, 512, 4);
        let batch = c.m.matmul(&c.x);
        for r in 0..4 {
            let one = c.m.matmul(&c.x[r * c.cols..][..c.cols]);
            assert_eq!(one, batch[r * c.rows..][..c.rows], "{dtype:?} row {r}");
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn rows_dequantize_as_candle_does() {
    for dtype in TYPES {
        let c = case(dtype, 8, 512, 1);
        let mut row = vec![0f32; c.cols];
        for i in 0..c.rows {
            c.m.row(i, &mut row);
            for (a, b) in row.iter().zip(&c.dense[i * c.cols..][..c.cols]) {
                assert!(
                    (a - b).abs() <= 1e-6 * b.abs().max(1e-3),
                    "{dtype:?}: {a} vs {b}"
                );
            }
        }
        assert_eq!(c.q.dtype(), dtype);
    }
}
