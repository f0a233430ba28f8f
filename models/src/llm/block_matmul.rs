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
        let mut acts = Vec::with_capacity(k / BLOCK);
        let mut out = vec![0f32; n * self.rows];
        let row_bytes = self.cols / BLOCK * self.kind.block_bytes();
        for (x_row, out_row) in input.chunks_exact(k).zip(out.chunks_exact_mut(self.rows)) {
            acts.clear();
            acts.extend(x_row.chunks_exact(BLOCK).map(quantize_block));
            for (w_row, y) in self.data.chunks_exact(row_bytes).zip(out_row.iter_mut()) {
                *y = match self.kind {
                    Kind::Q4_1 => dot_q4_1(w_row, &acts),
                    Kind::Q8_0 => dot_q8_0(w_row, &acts),
                };
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

/// `ggml_vec_dot_q4_1_q8_1`: lane `j` holds elements `4j..4j+4` (low nibbles are elements 0..16,
/// high nibbles 16..32); the min term is summed apart, as the kernel's scalar `summs`.
fn dot_q4_1(row: &[u8], acts: &[ActBlock]) -> f32 {
    let mut acc = [0f32; 8];
    let mut summs = 0f32;
    for (block, y) in row.chunks_exact(20).zip(acts) {
        let d0 = half_at(block, 0);
        let m = half_at(block, 2);
        // Products of two f16 values are exact in f32, so whether the C compiler fused
        // `summs += m * s` or the scale product does not change a bit.
        summs += m * y.s;
        let d0d1 = d0 * y.d;
        let qs = &block[4..20];
        let mut nibbles = [0u8; BLOCK];
        for i in 0..16 {
            nibbles[i] = qs[i] & 0x0f;
            nibbles[i + 16] = qs[i] >> 4;
        }
        for (j, acc) in acc.iter_mut().enumerate() {
            let lane: i32 = (4 * j..4 * j + 4)
                .map(|e| nibbles[e] as i32 * y.q[e] as i32)
                .sum();
            *acc = fma(d0d1, lane as f32, *acc);
        }
    }
    hsum8(&acc) + summs
}

/// `ggml_vec_dot_q8_0_q8_0`: lane `j` holds elements `4j..4j+4`.
fn dot_q8_0(row: &[u8], acts: &[ActBlock]) -> f32 {
    let mut acc = [0f32; 8];
    for (block, y) in row.chunks_exact(34).zip(acts) {
        let d = half_at(block, 0) * y.d;
        let qs = &block[2..34];
        for (j, acc) in acc.iter_mut().enumerate() {
            let lane: i32 = (4 * j..4 * j + 4)
                .map(|e| qs[e] as i8 as i32 * y.q[e] as i32)
                .sum();
            *acc = fma(d, lane as f32, *acc);
        }
    }
    hsum8(&acc)
}
