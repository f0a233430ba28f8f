//! `x @ Wᵀ` for a weight matrix kept as GGUF blocks (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K,
//! Q5_K, Q6_K), as llama.cpp's CPU backend computes it (`ggml_compute_forward_mul_mat` with
//! `vec_dot_type`): the input rows are rounded to 8-bit blocks once (`q8_act`), then every
//! output is a sum of exact integer block products (`dot_i16`) scaled in f32.
//!
//! The loop runs over weight rows outside and input rows inside: each weight block is widened
//! once and multiplied with every input row (a prefill step has hundreds), so prefill costs one
//! unpacking per block, not one per block and row. The weight rows are split across rayon's
//! pool in chunks big enough that a small product stays on the calling thread.

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{DType, Device, Tensor};
use rayon::prelude::*;

use super::dot_i16::{Isa, IsaKind, Scalar};
use super::qblocks_k::{Q4K, Q5K, Q6K};
use super::qblocks32::{Q4_0, Q4_1, Q5_0, Q5_1, Q8_0};
use super::qformat::Format;
use crate::{ModelError, Result};

/// The GGUF types multiplied here; Candle's kernels keep the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QType {
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
    Q4K,
    Q5K,
    Q6K,
}

/// Runs `$body` with `$F` naming the `Format` of `$ty`.
macro_rules! with_format {
    ($ty:expr, $F:ident => $body:expr) => {
        match $ty {
            QType::Q4_0 => {
                type $F = Q4_0;
                $body
            }
            QType::Q4_1 => {
                type $F = Q4_1;
                $body
            }
            QType::Q5_0 => {
                type $F = Q5_0;
                $body
            }
            QType::Q5_1 => {
                type $F = Q5_1;
                $body
            }
            QType::Q8_0 => {
                type $F = Q8_0;
                $body
            }
            QType::Q4K => {
                type $F = Q4K;
                $body
            }
            QType::Q5K => {
                type $F = Q5K;
                $body
            }
            QType::Q6K => {
                type $F = Q6K;
                $body
            }
        }
    };
}

/// A task gets at least this many multiply-adds: below it, handing work to another thread
/// costs more than it saves. In the browser a wake-up of a pool worker is tens of microseconds,
/// as long as a one-row product of a few hundred thousand multiply-adds takes, so one-row
/// matmuls of small models split only their big matrices (`cargo xtask bench llm`: SmolLM2
/// Q8_0's decode ran at 0.56× on two threads with 2^18).
const MIN_TASK_WORK: usize = 1 << 20;

/// A weight matrix (`rows` outputs × `cols` inputs) kept as GGUF's raw blocks.
#[derive(Debug, Clone)]
pub struct QMatrix {
    ty: QType,
    rows: usize,
    cols: usize,
    data: Vec<u8>,
}

impl QMatrix {
    /// The matrix when `t` is a 2-D tensor of a type handled here whose rows are whole blocks.
    pub fn from_qtensor(t: &QTensor) -> Result<Option<QMatrix>> {
        let ty = match t.dtype() {
            GgmlDType::Q4_0 => QType::Q4_0,
            GgmlDType::Q4_1 => QType::Q4_1,
            GgmlDType::Q5_0 => QType::Q5_0,
            GgmlDType::Q5_1 => QType::Q5_1,
            GgmlDType::Q8_0 => QType::Q8_0,
            GgmlDType::Q4K => QType::Q4K,
            GgmlDType::Q5K => QType::Q5K,
            GgmlDType::Q6K => QType::Q6K,
            _ => return Ok(None),
        };
        let &[rows, cols] = t.shape().dims() else {
            return Ok(None);
        };
        let (qk, bytes) = with_format!(ty, F => (F::QK, F::BYTES));
        if !cols.is_multiple_of(qk) {
            return Ok(None);
        }
        let data = t.data()?.into_owned();
        if data.len() != rows * cols / qk * bytes {
            return Err(ModelError::BadModel(format!(
                "a {rows}x{cols} {ty:?} tensor holds {} bytes",
                data.len()
            )));
        }
        Ok(Some(QMatrix {
            ty,
            rows,
            cols,
            data,
        }))
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The bytes of its blocks: what a one-row product streams.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    /// A `rows` × `cols` Q4_K matrix of arbitrary values (a seeded generator fills the blocks,
    /// with finite scales): `speed_probe`'s workload, Q4_K being what chat models mostly ship.
    pub(crate) fn arbitrary_q4_k(rows: usize, cols: usize, seed: u64) -> QMatrix {
        let mut state = seed | 1;
        let mut data: Vec<u8> = (0..rows * cols / Q4K::QK * Q4K::BYTES)
            .map(|_| {
                // xorshift64: fast and good enough for bits nobody reads as text.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        for block in data.chunks_exact_mut(Q4K::BYTES) {
            // d and dmin, small finite f16 values (2^-8, 2^-9) as a real file has.
            block[..4].copy_from_slice(&[0x00, 0x1c, 0x00, 0x18]);
        }
        QMatrix {
            ty: QType::Q4K,
            rows,
            cols: cols / Q4K::QK * Q4K::QK,
            data,
        }
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
        let input = x.flatten_all()?.to_dtype(DType::F32)?.to_vec1::<f32>()?;
        let out = self.matmul(&input);
        let mut shape = lead.to_vec();
        shape.push(self.rows);
        Ok(Tensor::from_vec(out, shape, &Device::Cpu)?)
    }

    /// `x @ selfᵀ` for `x` holding rows of `cols` values, row-major `(n, rows)` out.
    pub fn matmul(&self, x: &[f32]) -> Vec<f32> {
        self.matmul_on(x, IsaKind::best())
    }

    /// [`QMatrix::matmul`] on a chosen instruction set (tests compare them).
    pub(crate) fn matmul_on(&self, x: &[f32], isa: IsaKind) -> Vec<f32> {
        with_format!(self.ty, F => self.product::<F>(x, isa))
    }

    /// Row `i` (`cols` values) dequantized into `out`: a token's embedding.
    pub fn row(&self, i: usize, out: &mut [f32]) {
        with_format!(self.ty, F => {
            let row_bytes = self.cols / F::QK * F::BYTES;
            let mut w = <F as Format>::W::default();
            let bytes = &self.data[i * row_bytes..][..row_bytes];
            for (block, out) in bytes.chunks_exact(F::BYTES).zip(out.chunks_exact_mut(F::QK)) {
                F::unpack::<Scalar>(block, &mut w);
                F::dequantize(&w, out);
            }
        })
    }

    fn product<F: Format>(&self, x: &[f32], isa: IsaKind) -> Vec<f32> {
        let n = x.len() / self.cols;
        let blocks = self.cols / F::QK;
        let acts: Vec<F::A> = x[..n * self.cols]
            .chunks_exact(F::QK)
            .map(F::quantize)
            .collect();
        let row_bytes = blocks * F::BYTES;
        // Output-major (one weight row's n outputs together), so a task's outputs are one slice.
        let mut out_t = vec![0f32; self.rows * n];
        let chunk = chunk_rows(self.rows, self.cols, n);
        let task = |(c, out): (usize, &mut [f32])| {
            let w = &self.data[c * chunk * row_bytes..];
            rows_on::<F>(isa, w, row_bytes, &acts, blocks, out)
        };
        if chunk >= self.rows {
            task((0, out_t.as_mut_slice()));
        } else {
            out_t.par_chunks_mut(chunk * n).enumerate().for_each(task);
        }
        if n == 1 {
            return out_t;
        }
        let mut out = vec![0f32; n * self.rows];
        for (o, col) in out_t.chunks_exact(n).enumerate() {
            for (r, &v) in col.iter().enumerate() {
                out[r * self.rows + o] = v;
            }
        }
        out
    }
}

/// Weight rows per task: a few tasks per thread (so one slow thread does not hold up the
/// rest), each at least `MIN_TASK_WORK`; everything in one task on a one-thread pool.
fn chunk_rows(rows: usize, cols: usize, n: usize) -> usize {
    let threads = rayon::current_num_threads();
    if threads <= 1 {
        return rows.max(1);
    }
    let min_rows = MIN_TASK_WORK.div_ceil((cols * n).max(1));
    rows.div_ceil(threads * 4)
        .max(min_rows)
        .clamp(1, rows.max(1))
}

/// [`rows`] on the chosen instruction set.
fn rows_on<F: Format>(
    isa: IsaKind,
    w: &[u8],
    row_bytes: usize,
    acts: &[F::A],
    blocks: usize,
    out: &mut [f32],
) {
    match isa {
        IsaKind::Scalar => rows::<F, Scalar>(w, row_bytes, acts, blocks, out),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        IsaKind::Simd128 => rows::<F, super::dot_i16::Simd128>(w, row_bytes, acts, blocks, out),
        // SAFETY: `IsaKind::Avx2` is only chosen after detecting AVX2.
        #[cfg(target_arch = "x86_64")]
        IsaKind::Avx2 => unsafe { rows_avx2::<F>(w, row_bytes, acts, blocks, out) },
    }
}

/// [`rows`] compiled for AVX2, so the intrinsics and the unpacking loops use 256-bit vectors.
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rows_avx2<F: Format>(
    w: &[u8],
    row_bytes: usize,
    acts: &[F::A],
    blocks: usize,
    out: &mut [f32],
) {
    rows::<F, super::dot_i16::Avx2>(w, row_bytes, acts, blocks, out)
}

/// Fills `out` (weight rows × input rows, output-major) from the weight rows `w` and the
/// activation blocks `acts` (input rows × `blocks`).
#[inline(always)]
fn rows<F: Format, I: Isa>(
    w: &[u8],
    row_bytes: usize,
    acts: &[F::A],
    blocks: usize,
    out: &mut [f32],
) {
    let n = acts.len() / blocks.max(1);
    let mut wb = F::W::default();
    if n == 1 {
        // Decoding: one input row; the sum stays in a register.
        for (o, out) in out.iter_mut().enumerate() {
            let row = &w[o * row_bytes..][..row_bytes];
            let mut sum = 0f32;
            for (block, a) in row.chunks_exact(F::BYTES).zip(acts) {
                F::unpack::<I>(block, &mut wb);
                sum += F::dot::<I>(&wb, a);
            }
            *out = sum;
        }
        return;
    }
    for (o, out) in out.chunks_exact_mut(n).enumerate() {
        let row = &w[o * row_bytes..][..row_bytes];
        for (b, block) in row.chunks_exact(F::BYTES).enumerate() {
            F::unpack::<I>(block, &mut wb);
            // Input rows four at a time (`dot4`), then the rest one by one.
            let quads = n / 4 * 4;
            for (r, acc) in out[..quads].chunks_exact_mut(4).enumerate() {
                let a = |k: usize| &acts[(4 * r + k) * blocks + b];
                let sums = F::dot4::<I>(&wb, [a(0), a(1), a(2), a(3)]);
                for (acc, s) in acc.iter_mut().zip(sums) {
                    *acc += s;
                }
            }
            for (r, acc) in out.iter_mut().enumerate().skip(quads) {
                *acc += F::dot::<I>(&wb, &acts[r * blocks + b]);
            }
        }
    }
}

#[cfg(test)]
#[path = "qmatmul_tests.rs"]
mod tests;
