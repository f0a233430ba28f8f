//! RMSNorm (llama.cpp `LLM_NORM_RMS`) with its weight dequantized; the arithmetic is
//! `kernels::rms_norm`.

use candle_core::{Device, Tensor};

use crate::Result;
use crate::kernels::rms_norm::rms_norm;
use crate::llm::arch::loader::Loader;

#[derive(Debug, Clone)]
pub struct RmsNorm {
    w: Vec<f32>,
    eps: f32,
}

impl RmsNorm {
    /// `{name}.weight`. Gemma's `1 + w` was folded into the weight by the GGUF converter.
    pub fn load(ld: &mut Loader<'_>, name: &str, eps: f64) -> Result<RmsNorm> {
        Ok(RmsNorm {
            w: ld.values(&format!("{name}.weight"))?,
            eps: eps as f32,
        })
    }

    /// Over the last dimension.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut v = x.flatten_all()?.to_vec1::<f32>()?;
        self.apply(&mut v);
        Ok(Tensor::from_vec(v, x.shape(), &Device::Cpu)?)
    }

    /// In place, over each run of `weight.len()` values (a head, for q/k norms).
    pub fn apply(&self, x: &mut [f32]) {
        rms_norm(x, &self.w, self.eps);
    }
}
