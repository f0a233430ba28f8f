//! What each architecture's file builds, its graph (the layers between the token embeddings and
//! the output norm: the part of llama.cpp's `llm_build_*` that differs between architectures),
//! and the pass a graph runs in: positions, KV cache and trace hook, as llama.cpp's
//! `llm_graph_context` holds them for its graph builders.

use candle_core::Tensor;

use super::kv_cache::KvCache;
use crate::Result;

/// Sees each intermediate tensor of a forward pass, by llama.cpp's graph name.
pub type Trace<'a> = &'a mut dyn FnMut(std::fmt::Arguments<'_>, &Tensor);

/// One forward pass over new tokens.
pub(crate) struct Pass<'a> {
    /// The position of the first new token (the tokens already cached).
    pub pos: usize,
    /// Where every layer stores the new tokens' keys and values.
    pub cache: &'a mut KvCache,
    /// `None` on the plain forward pass: then nothing is built for tracing.
    trace: Option<Trace<'a>>,
}

impl<'a> Pass<'a> {
    pub fn new(pos: usize, cache: &'a mut KvCache, trace: Option<Trace<'a>>) -> Pass<'a> {
        Pass { pos, cache, trace }
    }

    /// Whether anything traces this pass (so a tensor only a trace needs is worth building).
    pub fn tracing(&self) -> bool {
        self.trace.is_some()
    }

    /// Shows `t` to the trace hook as `name` (llama.cpp's `cb(cur, name, il)`).
    pub fn trace(&mut self, name: std::fmt::Arguments<'_>, t: &Tensor) {
        if let Some(trace) = self.trace.as_mut() {
            trace(name, t)
        }
    }

    /// Shows the tensor `make` builds, building it only when something traces.
    pub fn trace_with(
        &mut self,
        name: std::fmt::Arguments<'_>,
        make: impl FnOnce() -> Result<Tensor>,
    ) -> Result<()> {
        if let Some(trace) = self.trace.as_mut() {
            trace(name, &make()?);
        }
        Ok(())
    }
}

/// One architecture's layers, loaded.
pub(crate) trait Graph: std::fmt::Debug + Send + Sync {
    /// The residual stream after the last layer, from the new tokens' embeddings `(1, s, n_embd)`.
    fn forward(&self, x: Tensor, pass: &mut Pass<'_>) -> Result<Tensor>;
}
