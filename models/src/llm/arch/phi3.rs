//! phi3 (llama.cpp `LLM_ARCH_PHI3`, `src/models/phi3.cpp`): Phi-3 and Phi-3.5 mini.
//!
//! llama's graph with NEOX RoPE over fused projections: `attn_qkv` holds q, k and v, and
//! `ffn_up` holds gate and up (the blocks split them). Its GGUF states a sliding window that
//! llama.cpp no longer applies (llama.cpp#13676); neither does Lantern.

use std::sync::Arc;

use super::config::Config;
use super::graph::Graph;
use super::llama::Llama;
use super::loader::Loader;
use crate::Result;
use crate::kernels::rope::RopeStyle;

pub(super) fn load(ld: &mut Loader<'_>, cfg: &Config) -> Result<Arc<dyn Graph>> {
    // Phi-3's long-context RoPE factors are valid only past the original context, so the short
    // ones are used (Lantern's windows stay within it).
    let factors = ld.optional_values("rope_factors_short.weight")?;
    Llama::load(
        ld,
        cfg,
        cfg.rope(RopeStyle::Neox, factors.as_deref()),
        false,
    )
}
