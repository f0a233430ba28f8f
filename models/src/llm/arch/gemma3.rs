//! gemma3 (llama.cpp `LLM_ARCH_GEMMA3`, `src/models/gemma3-iswa.cpp`): Gemma 3's text decoder.
//!
//! Everything in which Gemma 3 differs from llama's graph is here:
//! - the token embeddings are multiplied by `sqrt(n_embd)`;
//! - the gate's activation is GELU (tanh approximation), not SiLU;
//! - sandwich norms: the attention's and the feed-forward's outputs are normalised again
//!   (`post_attention_norm`, `post_ffw_norm`) before they join the residual;
//! - each head of q and k is normalised before RoPE (`attn_q_norm`, `attn_k_norm`);
//! - interleaved sliding-window attention (`set_swa_pattern(6)`): five local layers, then one
//!   global; the local ones rotate with theta 10 000 and no scaling;
//! - its GGUF states the global layers' linear RoPE scaling as a factor without a type.

use std::sync::Arc;

use candle_core::Tensor;

use super::blocks::{Activation, Ffn, Layer, SelfAttention};
use super::config::Config;
use super::graph::{Graph, Pass};
use super::loader::Loader;
use crate::Result;
use crate::kernels::rope::{Rope, RopeStyle};
use crate::nn::gguf_metadata::{md_f32, md_usize};

/// Layers come in groups of this many: all but the last of each attend over a sliding window.
const SWA_PATTERN: usize = 6;
/// llama.cpp hard-codes `rope_freq_base_train_swa = 10000` for gemma3's local layers.
const LOCAL_ROPE_THETA: f32 = 10_000.0;

pub(super) fn load(ld: &mut Loader<'_>, cfg: &Config) -> Result<Arc<dyn Graph>> {
    let md = ld.metadata();
    // A factor without `rope.scaling.type` is still linear scaling here.
    let factor = md_f32(md, "gemma3.rope.scaling.factor").unwrap_or(1.0);
    let freq_scale = if factor > 0.0 { 1.0 / factor } else { 1.0 };
    let window = md_usize(md, "gemma3.attention.sliding_window")
        .ok()
        .filter(|&w| w > 0);
    let global = Arc::new(Rope::new(
        cfg.rope_dim,
        cfg.rope_theta,
        freq_scale,
        None,
        RopeStyle::Neox,
    ));
    let local = Arc::new(Rope::new(
        cfg.rope_dim,
        LOCAL_ROPE_THETA,
        1.0,
        None,
        RopeStyle::Neox,
    ));
    let eps = cfg.rms_eps;
    let mut layers = Vec::with_capacity(cfg.n_layer);
    for il in 0..cfg.n_layer {
        let p = format!("blk.{il}");
        let window = window.filter(|_| il % SWA_PATTERN < SWA_PATTERN - 1);
        let rope = if window.is_some() { &local } else { &global };
        let attn = SelfAttention::load(ld, &p, cfg, rope.clone())?
            .with_qk_norm(ld, &p, eps)?
            .with_window(window);
        let ffn = Ffn::load(ld, &p, Activation::GeluTanh)?;
        layers.push(Layer::load(ld, &p, eps, attn, ffn)?.with_sandwich_norms(ld, &p, eps)?);
    }
    Ok(Arc::new(Gemma3 {
        embed_scale: (cfg.n_embd as f32).sqrt(),
        layers,
    }))
}

/// Gemma 3's graph: scaled embeddings, then its layers in order.
#[derive(Debug)]
struct Gemma3 {
    embed_scale: f32,
    layers: Vec<Layer>,
}

impl Graph for Gemma3 {
    fn forward(&self, x: Tensor, pass: &mut Pass<'_>) -> Result<Tensor> {
        let mut x = (x * self.embed_scale as f64)?;
        for (il, layer) in self.layers.iter().enumerate() {
            x = layer.forward(il, x, pass)?;
        }
        Ok(x)
    }
}
