//! qwen2 (llama.cpp `LLM_ARCH_QWEN2`, `src/models/qwen2.cpp`): Qwen2 and Qwen2.5, Qwen2.5-Coder.
//!
//! llama's graph with NEOX RoPE; its q, k and v projections carry biases, which the loader
//! reads wherever the file has them.

use std::sync::Arc;

use super::config::Config;
use super::graph::Graph;
use super::llama::Llama;
use super::loader::Loader;
use crate::Result;
use crate::kernels::rope::RopeStyle;

pub(super) fn load(ld: &mut Loader<'_>, cfg: &Config) -> Result<Arc<dyn Graph>> {
    Llama::load(ld, cfg, cfg.rope(RopeStyle::Neox, None), false)
}
