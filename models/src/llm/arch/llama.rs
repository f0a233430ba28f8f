//! llama (llama.cpp `LLM_ARCH_LLAMA`, `src/models/llama.cpp`): SmolLM2, TinyLlama, Llama 3.x.
//!
//! Its graph, the plain pre-norm layers with SwiGLU, is qwen2's, qwen3's and phi3's too: their
//! files load it with their own RoPE and, for qwen3, per-head q/k norms.

use std::sync::Arc;

use candle_core::Tensor;

use super::blocks::{Activation, Ffn, Layer, SelfAttention};
use super::config::Config;
use super::graph::{Graph, Pass};
use super::loader::Loader;
use crate::Result;
use crate::kernels::rope::{Rope, RopeStyle};

pub(super) fn load(ld: &mut Loader<'_>, cfg: &Config) -> Result<Arc<dyn Graph>> {
    // llama 3's `rope_freqs`: a frequency factor per rotated pair (older llamas have none).
    let factors = ld.optional_values("rope_freqs.weight")?;
    // `LLAMA_ROPE_TYPE_NORM`: the GGUF converter permuted q and k so RoPE pairs adjacent
    // dimensions.
    let rope = cfg.rope(RopeStyle::Interleaved, factors.as_deref());
    Llama::load(ld, cfg, rope, false)
}

/// llama's graph: its layers, in order.
#[derive(Debug)]
pub(super) struct Llama {
    layers: Vec<Layer>,
}

impl Llama {
    /// Loads every layer, each rotating with `rope`; `qk_norm` normalises each head of q and k
    /// before RoPE (`attn_q_norm`, `attn_k_norm`: qwen3).
    pub(super) fn load(
        ld: &mut Loader<'_>,
        cfg: &Config,
        rope: Rope,
        qk_norm: bool,
    ) -> Result<Arc<dyn Graph>> {
        let rope = Arc::new(rope);
        let mut layers = Vec::with_capacity(cfg.n_layer);
        for il in 0..cfg.n_layer {
            let p = format!("blk.{il}");
            let mut attn = SelfAttention::load(ld, &p, cfg, rope.clone())?;
            if qk_norm {
                attn = attn.with_qk_norm(ld, &p, cfg.rms_eps)?;
            }
            let ffn = Ffn::load(ld, &p, Activation::Silu)?;
            layers.push(Layer::load(ld, &p, cfg.rms_eps, attn, ffn)?);
        }
        Ok(Arc::new(Llama { layers }))
    }
}

impl Graph for Llama {
    fn forward(&self, mut x: Tensor, pass: &mut Pass<'_>) -> Result<Tensor> {
        for (il, layer) in self.layers.iter().enumerate() {
            x = layer.forward(il, x, pass)?;
        }
        Ok(x)
    }
}
