//! Lantern's one transformer decoder for every supported GGUF architecture: the token
//! embeddings, the architecture's graph, the output norm and the logits, with a KV cache the
//! caller owns so it can be reused across turns and truncated.
//!
//! Mirrors llama.cpp's tensor names (`LLM_TENSOR_*`) and what its `llm_build_*` graphs share
//! (`build_inp_embd`, `LLM_TENSOR_OUTPUT_NORM`, `LLM_TENSOR_OUTPUT`); the structure follows
//! candle-transformers' `quantized_llama.rs`, which it replaces.

use std::io::{Read, Seek};
use std::sync::Arc;

use candle_core::quantized::{QTensor, gguf_file};
use candle_core::{Device, IndexOp, Tensor};

use super::blocks::RmsNorm;
use super::config::{Arch, Config};
use super::graph::{Graph, Pass, Trace};
use super::kv_cache::KvCache;
use super::loader::Loader;
use super::{gemma3, llama, phi3, qwen2, qwen3};
use crate::kernels::qmatmul::QMatrix;
use crate::nn::{Linear, Weight};
use crate::profile;
use crate::{ModelError, Result};

/// The token embeddings, kept quantized; only the rows of the tokens seen are dequantized.
#[derive(Debug, Clone)]
enum Embeddings {
    /// A type `qmatmul` reads; with tied embeddings the output multiplies the same blocks.
    Blocks(Arc<QMatrix>),
    /// Any other type, through Candle.
    Candle(Arc<QTensor>),
}

impl Embeddings {
    /// `(1, s, n_embd)` for `tokens` (already checked to be in the vocabulary).
    fn lookup(&self, tokens: &[u32]) -> Result<Tensor> {
        match self {
            Embeddings::Blocks(m) => {
                let n = m.cols();
                let mut x = vec![0f32; tokens.len() * n];
                for (&t, row) in tokens.iter().zip(x.chunks_exact_mut(n)) {
                    m.row(t as usize, row);
                }
                Ok(Tensor::from_vec(x, (1, tokens.len(), n), &Device::Cpu)?)
            }
            Embeddings::Candle(t) => {
                let ids = Tensor::new(tokens, &Device::Cpu)?;
                Ok(t.embedding(&ids)?.unsqueeze(0)?)
            }
        }
    }
}

/// A loaded model: weights and config, no per-conversation state.
#[derive(Debug, Clone)]
pub struct Decoder {
    cfg: Config,
    token_embd: Embeddings,
    graph: Arc<dyn Graph>,
    output_norm: RmsNorm,
    /// `output.weight`, or `token_embd` itself when the embeddings are tied.
    output: Linear,
}

impl Decoder {
    /// Loads the weights named in `ct` from `reader`, one tensor at a time. With `dequantize`
    /// every matrix is widened to f32 (memory ×4–8): matmuls then skip the activation
    /// quantization, which is what f32 references compute.
    pub fn load<R: Read + Seek>(
        ct: &gguf_file::Content,
        reader: &mut R,
        cfg: Config,
        dequantize: bool,
    ) -> Result<Decoder> {
        let mut ld = Loader::new(ct, reader, dequantize);
        let embd = Arc::new(ld.qtensor("token_embd.weight")?);
        let token_embd = match QMatrix::from_qtensor(&embd)? {
            Some(m) => Embeddings::Blocks(Arc::new(m)),
            None => Embeddings::Candle(embd.clone()),
        };
        let output = if ld.has("output.weight") {
            let t = Arc::new(ld.qtensor("output.weight")?);
            Linear::new(ld.matmul(t)?, None)
        } else {
            // Tied: the output reads the embeddings' blocks, stored once.
            match &token_embd {
                Embeddings::Blocks(m) if !ld.dequantizes() => {
                    Linear::new(Weight::Blocks(m.clone()), None)
                }
                _ => Linear::new(ld.matmul(embd.clone())?, None),
            }
        };
        drop(embd);
        let output_norm = RmsNorm::load(&mut ld, "output_norm", cfg.rms_eps)?;
        // llama.cpp's `llm_build_*` choice: each architecture's file loads its own layers.
        let graph = match cfg.arch {
            Arch::Llama => llama::load(&mut ld, &cfg)?,
            Arch::Qwen2 => qwen2::load(&mut ld, &cfg)?,
            Arch::Qwen3 => qwen3::load(&mut ld, &cfg)?,
            Arch::Phi3 => phi3::load(&mut ld, &cfg)?,
            Arch::Gemma3 => gemma3::load(&mut ld, &cfg)?,
        };
        Ok(Decoder {
            cfg,
            token_embd,
            graph,
            output_norm,
            output,
        })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// A fresh cache sized for `context` positions (at most the training context).
    pub fn new_cache(&self, context: usize) -> KvCache {
        KvCache::new(
            self.cfg.n_layer,
            context.min(self.cfg.context_length).max(1),
        )
    }

    /// Runs `tokens` at positions `cache.len()..`, stores their keys and values, and returns the
    /// logits `(vocab,)` of the last token, or `(tokens, vocab)` for every token if `all_logits`.
    pub fn forward(&self, tokens: &[u32], cache: &mut KvCache, all_logits: bool) -> Result<Tensor> {
        self.run(tokens, cache, all_logits, None)
    }

    /// [`Decoder::forward`], showing `trace` every intermediate tensor under llama.cpp's graph
    /// name (`attn_norm-0`, `Qcur-0`, `kq-0`, ..., `result_output`), so each op can be compared
    /// with llama.cpp's own (models/tests/fixtures/dump_llama_intermediates.py).
    pub fn forward_traced(
        &self,
        tokens: &[u32],
        cache: &mut KvCache,
        all_logits: bool,
        trace: Trace<'_>,
    ) -> Result<Tensor> {
        self.run(tokens, cache, all_logits, Some(trace))
    }

    fn run(
        &self,
        tokens: &[u32],
        cache: &mut KvCache,
        all_logits: bool,
        mut trace: Option<Trace<'_>>,
    ) -> Result<Tensor> {
        let pos = cache.len();
        let s = tokens.len();
        if s == 0 {
            return Err(ModelError::InvalidState("no tokens to run"));
        }
        if pos + s > cache.max_len() {
            return Err(ModelError::ContextFull(cache.max_len()));
        }
        if let Some(&bad) = tokens.iter().find(|&&t| t as usize >= self.cfg.vocab_size) {
            return Err(ModelError::BadModel(format!(
                "token id {bad} is outside the vocabulary"
            )));
        }
        let x = profile::timed("token_embd", || self.token_embd.lookup(tokens))?;
        let layers_trace: Option<Trace<'_>> = match trace.as_mut() {
            Some(t) => Some(&mut **t),
            None => None,
        };
        let x = self
            .graph
            .forward(x, &mut Pass::new(pos, cache, layers_trace))?;
        cache.push_tokens(tokens);
        let x = if all_logits {
            x.i(0)?
        } else {
            x.i((0, s - 1..s))?
        };
        let x = profile::timed("norm", || self.output_norm.forward(&x))?;
        if let Some(trace) = trace.as_mut() {
            trace(format_args!("result_norm"), &x);
        }
        let logits = profile::timed("output", || self.output.forward(&x))?;
        if let Some(trace) = trace.as_mut() {
            trace(format_args!("result_output"), &logits);
        }
        Ok(if all_logits {
            logits
        } else {
            logits.squeeze(0)?
        })
    }
}
