//! qwen3 (llama.cpp `LLM_ARCH_QWEN3`, `src/models/qwen3.cpp`): Qwen3's dense models.
//!
//! llama's graph with NEOX RoPE and no biases, and each head of q and k normalised before RoPE
//! (`attn_q_norm`, `attn_k_norm`). Its heads are wider than `n_embd / n_head`: the common
//! hyper-parameters read `attention.key_length`.

use std::sync::Arc;

use super::config::Config;
use super::graph::Graph;
use super::llama::Llama;
use super::loader::Loader;
use crate::Result;
use crate::kernels::rope::RopeStyle;

pub(super) fn load(ld: &mut Loader<'_>, cfg: &Config) -> Result<Arc<dyn Graph>> {
    Llama::load(ld, cfg, cfg.rope(RopeStyle::Neox, None), true)
}
