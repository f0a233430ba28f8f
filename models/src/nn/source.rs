//! Where a model's tensors come from: f32 safetensors through Candle's `VarBuilder`, or a GGUF
//! whose matrices stay quantized, both addressed by the same dotted names (`model.encoder.conv1`).
//! Whole files in memory: the LLM, whose GGUF arrives in chunks and is read one tensor at a time,
//! has its own loader (`llm::arch::loader`).

use std::collections::HashMap;
use std::sync::Arc;

use candle_core::quantized::QTensor;
use candle_core::{Device, Tensor};
use candle_nn::LayerNorm;

use super::linear::{Linear, QuantizedKernel, Weight};
use crate::{ModelError, Result};

/// Where weights come from: f32 tensors, or quantized ones whose linear layers stay quantized.
#[derive(Clone)]
pub enum Source<'a> {
    Full(candle_nn::VarBuilder<'a>),
    Quantized(Gguf),
}

/// A GGUF's tensors under a name prefix, and the kernel that multiplies its matrices.
#[derive(Clone)]
pub struct Gguf {
    tensors: Arc<HashMap<String, Arc<QTensor>>>,
    prefix: String,
    device: Device,
    kernel: QuantizedKernel,
}

impl Gguf {
    pub fn read(bytes: &[u8], device: &Device, kernel: QuantizedKernel) -> Result<Self> {
        let mut cursor = std::io::Cursor::new(bytes);
        let content = crate::nn::gguf_read::read_content(&mut cursor)?;
        let mut tensors = HashMap::new();
        for name in content.tensor_infos.keys() {
            let tensor = content.tensor(&mut cursor, name, device)?;
            tensors.insert(name.clone(), Arc::new(tensor));
        }
        Ok(Gguf {
            tensors: Arc::new(tensors),
            prefix: String::new(),
            device: device.clone(),
            kernel,
        })
    }

    fn get(&self, shape: &[usize], name: &str) -> Result<Arc<QTensor>> {
        let path = format!("{}{name}", self.prefix);
        let tensor = self
            .tensors
            .get(&path)
            .ok_or_else(|| ModelError::BadModel(format!("no tensor {path}")))?;
        if tensor.shape().dims() != shape {
            return Err(ModelError::BadModel(format!(
                "{path} has shape {:?}, expected {shape:?}",
                tensor.shape().dims()
            )));
        }
        Ok(tensor.clone())
    }
}

impl Source<'_> {
    /// The tensors under `name.` (`VarBuilder::pp`).
    pub fn pp(&self, name: &str) -> Self {
        match self {
            Source::Full(vb) => Source::Full(vb.pp(name)),
            Source::Quantized(gguf) => Source::Quantized(Gguf {
                prefix: format!("{}{name}.", gguf.prefix),
                ..gguf.clone()
            }),
        }
    }

    /// An f32 tensor (dequantized when it comes from a GGUF).
    pub fn tensor(&self, shape: &[usize], name: &str) -> Result<Tensor> {
        Ok(match self {
            Source::Full(vb) => vb.get(shape, name)?,
            Source::Quantized(gguf) => gguf.get(shape, name)?.dequantize(&gguf.device)?,
        })
    }

    /// `nn.Linear(input, output, bias)` from `weight` (and `bias`).
    pub fn linear(&self, input: usize, output: usize, bias: bool) -> Result<Linear> {
        let bias = if bias {
            Some(self.tensor(&[output], "bias")?)
        } else {
            None
        };
        let weight = match self {
            Source::Full(vb) => Weight::Full(vb.get((output, input), "weight")?.t()?),
            Source::Quantized(gguf) => {
                Weight::quantized(gguf.get(&[output, input], "weight")?, gguf.kernel)?
            }
        };
        Ok(Linear::new(weight, bias))
    }

    /// `nn.LayerNorm(size)` from `weight` and `bias`, with PyTorch's default eps.
    pub fn layer_norm(&self, size: usize) -> Result<LayerNorm> {
        Ok(LayerNorm::new(
            self.tensor(&[size], "weight")?,
            self.tensor(&[size], "bias")?,
            1e-5,
        ))
    }
}
