//! Reading a GGUF's tensors by llama.cpp's names (`LLM_TENSOR_*`: `token_embd`, `blk.N.attn_q`,
//! `ffn_gate`, ...) one at a time, from a file or from the chunks a wasm worker holds: each
//! tensor becomes its block's weights before the next is read, so no matrix is held twice.

use std::collections::HashMap;
use std::io::{Read, Seek};
use std::sync::Arc;

use candle_core::quantized::gguf_file::{self, Value};
use candle_core::quantized::{QMatMul, QTensor};
use candle_core::{Device, Tensor};

use crate::nn::{Linear, QuantizedKernel, Weight};
use crate::{ModelError, Result};

/// Where the tensors' bytes are read from (a file, a `ChunkReader`).
pub(crate) trait ReadSeek: Read + Seek {}

impl<T: Read + Seek> ReadSeek for T {}

pub(crate) struct Loader<'a> {
    ct: &'a gguf_file::Content,
    reader: &'a mut dyn ReadSeek,
    /// Every matrix widened to f32 (the f32 reference tests).
    dequantize: bool,
}

impl<'a> Loader<'a> {
    pub fn new(ct: &'a gguf_file::Content, reader: &'a mut dyn ReadSeek, dequantize: bool) -> Self {
        Loader {
            ct,
            reader,
            dequantize,
        }
    }

    /// Whether every matrix is widened to f32.
    pub fn dequantizes(&self) -> bool {
        self.dequantize
    }

    /// The file's metadata, for what an architecture reads beyond the common hyper-parameters.
    pub fn metadata(&self) -> &HashMap<String, Value> {
        &self.ct.metadata
    }

    pub fn has(&self, name: &str) -> bool {
        self.ct.tensor_infos.contains_key(name)
    }

    pub fn qtensor(&mut self, name: &str) -> Result<QTensor> {
        if !self.has(name) {
            return Err(ModelError::BadModel(format!("tensor {name} is missing")));
        }
        Ok(self.ct.tensor(&mut self.reader, name, &Device::Cpu)?)
    }

    fn dense(&mut self, name: &str) -> Result<Tensor> {
        Ok(self.qtensor(name)?.dequantize(&Device::Cpu)?)
    }

    /// The weight as Lantern's quantized kernels multiply it (`QuantizedKernel::Lantern`), or,
    /// dequantized, as an f32 reference's.
    pub fn matmul(&self, t: Arc<QTensor>) -> Result<Weight> {
        if self.dequantize {
            return Ok(Weight::Candle(QMatMul::Tensor(t.dequantize(&Device::Cpu)?)));
        }
        Weight::quantized(t, QuantizedKernel::Lantern)
    }

    /// `{name}.weight`, and `{name}.bias` where the file has one (qwen2's q, k and v).
    pub fn linear(&mut self, name: &str) -> Result<Linear> {
        let t = Arc::new(self.qtensor(&format!("{name}.weight"))?);
        let w = self.matmul(t)?;
        let bias = format!("{name}.bias");
        let b = if self.has(&bias) {
            Some(self.dense(&bias)?)
        } else {
            None
        };
        Ok(Linear::new(w, b))
    }

    /// A tensor as its f32 values in order (norm weights, RoPE factors).
    pub fn values(&mut self, name: &str) -> Result<Vec<f32>> {
        Ok(self.dense(name)?.flatten_all()?.to_vec1::<f32>()?)
    }

    /// [`Loader::values`] when the file has the tensor.
    pub fn optional_values(&mut self, name: &str) -> Result<Option<Vec<f32>>> {
        if self.has(name) {
            Ok(Some(self.values(name)?))
        } else {
            Ok(None)
        }
    }
}
