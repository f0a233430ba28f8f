//! Matrix products over GGUF's Q4_1 and Q8_0 weights that round exactly where llama.cpp's x86
//! CPU backend rounds (`ggml-cpu/arch/x86/quants.c`: `quantize_row_q8_{0,1}` and
//! `ggml_vec_dot_q{4_1_q8_1,8_0_q8_0}`).
//!
//! Why not Candle's kernels: both engines round every activation row to 8 bits before the
//! product, and Candle does it differently (scale `1/d` instead of `127/amax`, ties away from
//! zero instead of to even, the Q8_1 block sum rounded to f16 before it is scaled) and sums the
//! blocks in another order. On a 135M model those differences flip enough 8-bit roundings to
//! change greedy tokens. Here the activation blocks are made as llama.cpp makes them, each block
//! product is an exact integer sum of four-element groups (the eight 32-bit lanes of the AVX2
//! kernel), the lanes accumulate with a fused multiply-add, and they are summed in the kernel's
//! horizontal order — so the results are llama.cpp's, bit for bit.

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use half::f16;

use crate::{ModelError, Result};

/// Elements per block, for both weight types and both activation types.
const BLOCK: usize = 32;

/// The weight types computed here; everything else stays with Candle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `{d: f16, m: f16, qs: [u8; 16]}`: value = d * nibble + m.
    Q4_1,
    /// `{d: f16, qs: [i8; 32]}`: value = d * q.
    Q8_0,
}

impl Kind {
    fn block_bytes(self) -> usize {
        match self {
            Kind::Q4_1 => 20,
            Kind::Q8_0 => 34,
        }
    }
}

/// A weight matrix (`rows` outputs × `cols` inputs) kept as GGUF's raw blocks.
#[derive(Debug, Clone)]
pub struct BlockMatrix {
    kind: Kind,
    rows: usize,
    cols: usize,
    data: Vec<u8>,
}

/// One block of an activation row rounded to 8 bits: `d` is the scale as stored (f16, widened),
/// `s` the Q8_1 block sum `d * Σq` as stored (f16, widened; unused for Q8_0 weights).
#[derive(Debug, Clone, Copy)]
struct ActBlock {
    d: f32,
    s: f32,
    q: [i8; BLOCK],
}

impl BlockMatrix {
    /// The matrix when `t` is a 2-D Q4_1 or Q8_0 tensor whose rows are whole blocks.
    pub fn from_qtensor(t: &QTensor) -> Result<Option<BlockMatrix>> {
        let kind = match t.dtype() {
            GgmlDType::Q4_1 => Kind::Q4_1,
            GgmlDType::Q8_0 => Kind::Q8_0,
            _ => return Ok(None),
        };
        let &[rows, cols] = t.shape().dims() else {
            return Ok(None);
        };
        if !cols.is_multiple_of(BLOCK) {
            return Ok(None);
        }
        let data = t.data()?.into_owned();
        if data.len() != rows * cols / BLOCK * kind.block_bytes() {
            return Err(ModelError::BadModel(format!(
                "a {rows}x{cols} {kind:?} tensor holds {} bytes",
                data.len()
            )));
        }
        Ok(Some(BlockMatrix {
            kind,
            rows,
            cols,
            data,
        }))
    }

    /// `x @ selfᵀ` for `x` of shape `(.., cols)`: the result has shape `(.., rows)`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let dims = x.dims();
        let Some((&k, lead)) = dims.split_last() else {
            return Err(ModelError::InvalidState(
                "a matmul input needs a last dimension",
            ));
        };
        if k != self.cols {
            return Err(ModelError::BadModel(format!(
                "matmul input has {k} columns, the weight {}",
                self.cols
            )));
        }
        let input = x
            .flatten_all()?
            .to_dtype(candle_core::DType::F32)?
            .to_vec1::<f32>()?;
        let n = input.len() / k;
        let acts: Vec<ActBlock> = input.chunks_exact(BLOCK).map(quantize_block).collect();
        let blocks = k / BLOCK;
        let block_bytes = self.kind.block_bytes();
        // Weight rows outside, input rows inside: each weight block is unpacked once and used
        // for every input row (a prefill step has up to a few hundred).
        let mut out = vec![0f32; n * self.rows];
        let mut acc = vec![Lanes::default(); n];
        for (o, w_row) in self.data.chunks_exact(blocks * block_bytes).enumerate() {
            acc.fill(Lanes::default());
            match self.kind {
                Kind::Q4_1 => accumulate::<true>(w_row, &acts, blocks, &mut acc),
                Kind::Q8_0 => accumulate::<false>(w_row, &acts, blocks, &mut acc),
            }
            for (r, acc) in acc.iter().enumerate() {
                out[r * self.rows + o] = acc.total();
            }
        }
        let mut shape = lead.to_vec();
        shape.push(self.rows);
        Ok(Tensor::from_vec(out, shape, &Device::Cpu)?)
    }
}

/// `quantize_row_q8_1` (and `_q8_0`, which is the same without the sum) as the AVX2 code does it.
fn quantize_block(x: &[f32]) -> ActBlock {
    let amax = x.iter().fold(0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let id = if amax != 0.0 { 127.0 / amax } else { 0.0 };
    let mut q = [0i8; BLOCK];
    let mut sum = 0i32;
    for (q, &v) in q.iter_mut().zip(x) {
        // In range by construction: |v * id| <= 127 (plus rounding).
        let r = (v * id).round_ties_even() as i32;
        *q = r as i8;
        sum += r;
    }
    ActBlock {
        d: f16::from_f32(d).to_f32(),
        s: f16::from_f32(d * sum as f32).to_f32(),
        q,
    }
}

/// `fmaf(a, b, c)`. `b` is an integer below 2^14 here, so `a * b` is exact in f64, and the f64
/// sum rounds to the f32 result (a double rounding needs an f64 sum landing exactly on an f32
/// midpoint). Plain f64 arithmetic is used because wasm32 has no fused multiply-add instruction.
#[inline(always)]
fn fma(a: f32, b: f32, c: f32) -> f32 {
    (a as f64 * b as f64 + c as f64) as f32
}

/// `hsum_float_8`: the AVX2 horizontal sum's order.
#[inline(always)]
fn hsum8(a: &[f32; 8]) -> f32 {
    ((a[4] + a[0]) + (a[6] + a[2])) + ((a[5] + a[1]) + (a[7] + a[3]))
}

#[inline(always)]
fn half_at(bytes: &[u8], at: usize) -> f32 {
    f16::from_bits(u16::from_le_bytes([bytes[at], bytes[at + 1]])).to_f32()
}

/// Adds one weight row's blocks into every input row's lanes; `Q4_1` picks the block layout
/// at compile time so each loop body is branch-free.
fn accumulate<const Q4_1: bool>(w_row: &[u8], acts: &[ActBlock], blocks: usize, acc: &mut [Lanes]) {
    let block_bytes = if Q4_1 { 20 } else { 34 };
    for (b, block) in w_row.chunks_exact(block_bytes).enumerate() {
        let mut q = [0i8; BLOCK];
        if Q4_1 {
            // Low nibbles are elements 0..16, high nibbles 16..32 (`bytes_from_nibbles_32`).
            for i in 0..16 {
                q[i] = (block[4 + i] & 0x0f) as i8;
                q[i + 16] = (block[4 + i] >> 4) as i8;
            }
        } else {
            for i in 0..BLOCK {
                q[i] = block[2 + i] as i8;
            }
        }
        let d = half_at(block, 0);
        let m = if Q4_1 { half_at(block, 2) } else { 0.0 };
        for (r, acc) in acc.iter_mut().enumerate() {
            acc.add::<Q4_1>(&q, d, m, &acts[r * blocks + b]);
        }
    }
}

/// The eight accumulators of the AVX2 kernels (`ggml_vec_dot_q4_1_q8_1`,
/// `ggml_vec_dot_q8_0_q8_0`): lane `j` gathers elements `4j..4j+4` of every block; Q4_1's
/// minimum term is summed apart, as the kernel's scalar `summs`.
#[derive(Debug, Clone, Copy, Default)]
struct Lanes {
    acc: [f32; 8],
    summs: f32,
}

impl Lanes {
    #[inline(always)]
    fn add<const Q4_1: bool>(&mut self, q: &[i8; BLOCK], d: f32, m: f32, y: &ActBlock) {
        // Products of two f16 values are exact in f32, so whether the C compiler fused
        // `summs += m * s` or the scale product does not change a bit.
        if Q4_1 {
            self.summs += m * y.s;
        }
        let scale = d * y.d;
        let mut lanes = [0i32; 8];
        for ((lane, q), y) in lanes
            .iter_mut()
            .zip(q.chunks_exact(4))
            .zip(y.q.chunks_exact(4))
        {
            *lane = q.iter().zip(y).map(|(&a, &b)| a as i32 * b as i32).sum();
        }
        for (acc, lane) in self.acc.iter_mut().zip(lanes) {
            *acc = fma(scale, lane as f32, *acc);
        }
    }

    fn total(&self) -> f32 {
        hsum8(&self.acc) + self.summs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded pseudo-random matrix, so the test needs no extra crate.
    fn values(n: usize, seed: u32) -> Vec<f32> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
            })
            .collect()
    }

    fn check(dtype: GgmlDType) {
        let (rows, cols, n) = (48, 96, 5);
        let w = Tensor::from_vec(values(rows * cols, 7), (rows, cols), &Device::Cpu).unwrap();
        let q = QTensor::quantize(&w, dtype).unwrap();
        let m = BlockMatrix::from_qtensor(&q)
            .unwrap()
            .expect("handled type");
        let x = Tensor::from_vec(values(n * cols, 11), (n, cols), &Device::Cpu).unwrap();
        let batch = m.forward(&x).unwrap().to_vec2::<f32>().unwrap();
        // Row by row gives the same bits as the batch (a prefill equals its decode steps).
        for (r, want) in batch.iter().enumerate() {
            let one = m.forward(&x.narrow(0, r, 1).unwrap()).unwrap();
            assert_eq!(&one.to_vec2::<f32>().unwrap()[0], want);
        }
        // And it is the product with the dequantized weights, up to the activations' 8-bit
        // rounding (each input off by up to amax/254, over 96 terms: a few hundredths here; a
        // wrong nibble order or scale would be off by whole units).
        let dense = x
            .matmul(&q.dequantize(&Device::Cpu).unwrap().t().unwrap())
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        for (a, b) in batch.iter().flatten().zip(dense.iter().flatten()) {
            assert!((a - b).abs() < 0.15, "{dtype:?}: {a} vs {b}");
        }
    }

    #[test]
    fn q4_1_products_match_the_dequantized_weights() {
        check(GgmlDType::Q4_1);
    }

    #[test]
    fn q8_0_products_match_the_dequantized_weights() {
        check(GgmlDType::Q8_0);
    }

    #[test]
    fn activations_round_to_even_with_the_127_over_amax_scale() {
        let mut x = [0f32; BLOCK];
        x[0] = 127.0;
        x[1] = 2.5;
        x[2] = -3.5;
        x[3] = 0.5;
        let b = quantize_block(&x);
        assert_eq!(&b.q[..4], &[127, 2, -4, 0]);
        assert_eq!(b.d, 1.0);
        assert_eq!(b.s, 125.0);
    }
}
