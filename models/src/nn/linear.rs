//! `nn.Linear` (`x @ Wᵀ + b`) over whichever weights a model has: f32, or GGUF blocks that stay
//! quantized. Who multiplies quantized blocks is each model's explicit choice, because Candle's
//! kernels and Lantern's llama.cpp-exact one round the activations differently.

use std::sync::Arc;

use candle_core::quantized::{QMatMul, QTensor};
use candle_core::{Module, Tensor};

use crate::Result;
use crate::kernels::block_matmul::BlockMatrix;

/// Which kernel multiplies a quantized weight matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantizedKernel {
    /// Candle's, for every type. Whisper's choice: its reference is openai-whisper in f32, not a
    /// quantized engine, and its word error rate is measured with these kernels.
    Candle,
    /// Lantern's `block_matmul` for Q4_1 and Q8_0 (activations rounded to 8 bits and blocks
    /// summed as llama.cpp's x86 backend does), Candle's for the other types. The LLM's choice:
    /// its parity tests compare tokens and logits with llama.cpp's, bit for bit.
    LlamaCpp,
}

/// A weight matrix and the kernel that multiplies it.
#[derive(Debug, Clone)]
pub enum Weight {
    /// f32, transposed once at load to `(in, out)` and multiplied as `x @ W`.
    Full(Tensor),
    /// Candle's `QMatMul`: its quantized kernels, or an f32 matrix it multiplies as `x @ Wᵀ`.
    Candle(QMatMul),
    /// Q4_1 or Q8_0 through Lantern's `block_matmul`.
    Blocks(BlockMatrix),
}

impl Weight {
    /// A quantized matrix `(out, in)` as `kernel` multiplies it.
    pub fn quantized(t: Arc<QTensor>, kernel: QuantizedKernel) -> Result<Weight> {
        if kernel == QuantizedKernel::LlamaCpp
            && let Some(m) = BlockMatrix::from_qtensor(&t)?
        {
            return Ok(Weight::Blocks(m));
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
