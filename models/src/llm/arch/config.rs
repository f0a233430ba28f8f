//! The hyper-parameters every architecture has, read from GGUF metadata (llama.cpp
//! `llama-model.cpp` `load_hparams`, its common part; key names are llama.cpp's `LLM_KV_*`
//! strings). What one architecture reads or decides beyond these is in its own file.

use std::collections::HashMap;

use candle_core::quantized::gguf_file::{TensorInfo, Value};

use crate::kernels::rope::{Rope, RopeStyle};
use crate::nn::gguf_metadata::{md_f32, md_str, md_usize, md_usize_or};
use crate::{ModelError, Result};

/// More layers than any published model has (Llama 3.1 405B: 126).
const MAX_LAYERS: usize = 1024;
/// Wider than any published model's embedding, heads or feed-forward (405B: 53,248).
const MAX_WIDTH: usize = 1 << 20;

/// The GGUF `general.architecture` values Lantern runs, one file each beside this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    /// llama.cpp `LLM_ARCH_LLAMA`: SmolLM2, TinyLlama, Llama 3.x.
    Llama,
    Qwen2,
    Qwen3,
    Phi3,
    Gemma3,
}

impl Arch {
    pub fn parse(name: &str) -> Result<Arch> {
        Ok(match name {
            "llama" => Arch::Llama,
            "qwen2" => Arch::Qwen2,
            "qwen3" => Arch::Qwen3,
            "phi3" => Arch::Phi3,
            "gemma3" => Arch::Gemma3,
            other => return Err(ModelError::UnsupportedArch(other.to_string())),
        })
    }
}

/// The hyper-parameters the decoder and every architecture's graph share.
#[derive(Debug, Clone)]
pub struct Config {
    pub arch: Arch,
    pub n_layer: usize,
    pub n_embd: usize,
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
    pub n_ff: usize,
    pub vocab_size: usize,
    /// The training context (`{arch}.context_length`).
    pub context_length: usize,
    pub rms_eps: f64,
    pub rope_dim: usize,
    pub rope_theta: f32,
    /// Multiplies positions: `1 / rope.scaling.factor` when `rope.scaling.type` is linear.
    /// (Gemma 3 states its factor without a type; its file reads it.)
    pub rope_freq_scale: f32,
    /// Scale of q·k (1/sqrt(head_dim) for all of these).
    pub attn_scale: f32,
}

impl Config {
    /// Reads the architecture and the hyper-parameters all architectures share.
    pub fn from_gguf(md: &HashMap<String, Value>) -> Result<Config> {
        let arch_name = md_str(md, "general.architecture")?;
        let arch = Arch::parse(arch_name)?;
        let key = |k: &str| format!("{arch_name}.{k}");
        let n_embd = md_usize(md, &key("embedding_length"))?;
        let n_head = md_usize(md, &key("attention.head_count"))?;
        let n_kv_head = md_usize_or(md, &key("attention.head_count_kv"), n_head);
        // `key_length` exists where head_dim != n_embd / n_head (qwen3, gemma3).
        let head_dim = md_usize_or(md, &key("attention.key_length"), n_embd / n_head.max(1));
        let n_layer = md_usize(md, &key("block_count"))?;
        let n_ff = md_usize(md, &key("feed_forward_length"))?;
        let context_length = md_usize_or(md, &key("context_length"), 2048);
        let rms_eps = md_f32(md, &key("attention.layer_norm_rms_epsilon")).unwrap_or(1e-5) as f64;
        let rope_dim = md_usize_or(md, &key("rope.dimension_count"), head_dim);
        let rope_theta = md_f32(md, &key("rope.freq_base")).unwrap_or(10_000.0);
        let scaling_type = md
            .get(&key("rope.scaling.type"))
            .and_then(|v| v.to_string().ok())
            .map(String::as_str);
        let factor = md_f32(md, &key("rope.scaling.factor")).unwrap_or(1.0);
        let rope_freq_scale = if scaling_type == Some("linear") && factor > 0.0 {
            1.0 / factor
        } else {
            1.0
        };
        let vocab_size = md_usize(md, &key("vocab_size")).or_else(|_| {
            match md.get("tokenizer.ggml.tokens") {
                Some(Value::Array(a)) => Ok(a.len()),
                _ => Err(ModelError::BadModel("no vocab size".into())),
            }
        })?;
        if n_head == 0 || n_kv_head == 0 || n_head % n_kv_head != 0 || rope_dim > head_dim {
            return Err(ModelError::BadModel(format!(
                "inconsistent heads: {n_head} query heads, {n_kv_head} kv heads, rope dim {rope_dim}, head dim {head_dim}"
            )));
        }
        Ok(Config {
            arch,
            n_layer,
            n_embd,
            n_head,
            n_kv_head,
            head_dim,
            n_ff,
            vocab_size,
            context_length,
            rms_eps,
            rope_dim,
            rope_theta,
            rope_freq_scale,
            // llama.cpp: `1.0f/sqrtf(float(n_embd_head))`.
            attn_scale: 1.0 / (head_dim as f32).sqrt(),
        })
    }

    /// The sizes the metadata states, checked against the tensors the file holds before anything
    /// is allocated from them: a `block_count` of 2^40 must be an error, not an aborted allocation.
    pub fn check_layers(&self, tensors: &HashMap<String, TensorInfo>) -> Result<()> {
        let bad = |m: String| Err(ModelError::BadModel(m));
        if self.n_layer == 0 || self.n_layer > MAX_LAYERS {
            return bad(format!(
                "block_count {} is not a model's layer count",
                self.n_layer
            ));
        }
        let last = format!("blk.{}.", self.n_layer - 1);
        if !tensors.keys().any(|k| k.starts_with(&last)) {
            return bad(format!(
                "block_count says {} layers, but the file has no tensors for layer {}",
                self.n_layer,
                self.n_layer - 1
            ));
        }
        for (what, n) in [
            ("embedding_length", self.n_embd),
            ("attention.head_count", self.n_head),
            ("attention.key_length", self.head_dim),
            ("feed_forward_length", self.n_ff),
        ] {
            if n == 0 || n > MAX_WIDTH {
                return bad(format!("{what} {n} is out of range"));
            }
        }
        match tensors.get("token_embd.weight").map(|t| t.shape.dims()) {
            Some([_, cols]) if *cols == self.n_embd => Ok(()),
            Some(dims) => bad(format!(
                "token_embd.weight has shape {dims:?}, but embedding_length is {}",
                self.n_embd
            )),
            None => bad("no token_embd.weight".into()),
        }
    }

    /// RoPE over these hyper-parameters, with an architecture's pairing and per-pair
    /// frequency factors (llama 3's `rope_freqs`, phi3's `rope_factors_short`).
    pub(super) fn rope(&self, style: RopeStyle, freq_factors: Option<&[f32]>) -> Rope {
        Rope::new(
            self.rope_dim,
            self.rope_theta,
            self.rope_freq_scale,
            freq_factors,
            style,
        )
    }
}
