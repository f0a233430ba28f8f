//! `nn.Linear` (`x @ Wᵀ + b`) over whichever weights a model has: f32, or GGUF blocks that stay
//! quantized. Who multiplies quantized blocks is each model's explicit choice: Candle's kernels
//! or Lantern's (`kernels::qmatmul`), which round the activations differently.

use std::sync::Arc;

use candle_core::quantized::{QMatMul, QTensor};
use candle_core::{Module, Tensor};

use crate::Result;
use crate::kernels::qmatmul::QMatrix;

/// Which kernel multiplies a quantized weight matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantizedKernel {
    /// Candle's, for every type. Whisper's choice: its reference is openai-whisper in f32, not a
    /// quantized engine, and its word error rate is measured with these kernels.
    Candle,
    /// Lantern's `qmatmul` (SIMD, split across rayon's pool) for Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
    /// Q4_K, Q5_K and Q6_K, Candle's for the other types. The LLM's choice.
    Lantern,
}

/// A weight matrix and the kernel that multiplies it.
#[derive(Debug, Clone)]
pub enum Weight {
    /// f32, transposed once at load to `(in, out)` and multiplied as `x @ W`.
    Full(Tensor),
    /// Candle's `QMatMul`: its quantized kernels, or an f32 matrix it multiplies as `x @ Wᵀ`.
    Candle(QMatMul),
    /// GGUF blocks through Lantern's `qmatmul`; shared where one matrix has two uses (tied
    /// token embeddings and output).
    Blocks(Arc<QMatrix>),
}

impl Weight {
    /// A quantized matrix `(out, in)` as `kernel` multiplies it.
    pub fn quantized(t: Arc<QTensor>, kernel: QuantizedKernel) -> Result<Weight> {
        if kernel == QuantizedKernel::Lantern
            && let Some(m) = QMatrix::from_qtensor(&t)?
        {
            return Ok(Weight::Blocks(Arc::new(m)));
        }
        Ok(Weight::Candle(QMatMul::from_arc(t)?))
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Weight::Full(w) => x.broadcast_matmul(w)?,
            Weight::Candle(m) => m.forward(x)?,
            Weight::Blocks(m) => m.forward(x)?,
        })
    }
}

/// `x @ Wᵀ + b`, the bias optional (Whisper's key projection and most LLM matrices have none).
#[derive(Debug, Clone)]
pub struct Linear {
    weight: Weight,
    bias: Option<Tensor>,
}

impl Linear {
    pub fn new(weight: Weight, bias: Option<Tensor>) -> Linear {
        Linear { weight, bias }
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = self.weight.forward(x)?;
        Ok(match &self.bias {
            Some(b) => y.broadcast_add(b)?,
            None => y,
        })
    }
}
