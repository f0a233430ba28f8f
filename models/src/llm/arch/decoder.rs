//! Lantern's one transformer decoder for every supported GGUF architecture, over Candle's
//! quantized tensors, with a KV cache the caller owns.
//!
//! Mirrors llama.cpp's graphs (`src/models/llama.cpp`, `qwen2.cpp`, `qwen3.cpp`, `phi3.cpp`,
//! `gemma3-iswa.cpp`) and tensor names (`LLM_TENSOR_*`: `blk.N.attn_q`, `ffn_gate`, ...); the
//! structure follows candle-transformers' `quantized_llama.rs`, which it replaces so the cache
//! can be reused across turns and truncated.

use std::io::{Read, Seek};
use std::sync::Arc;

use candle_core::quantized::{QMatMul, QTensor, gguf_file};
use candle_core::{D, Device, IndexOp, Tensor};

use super::config::{Activation, Arch, Config};
use super::kv_cache::KvCache;
use crate::kernels::attention::Scores;
use crate::kernels::ggml_math;
use crate::kernels::rms_norm::rms_norm;
use crate::kernels::rope::Rope;
use crate::nn::{Linear, QuantizedKernel, Weight};
use crate::{ModelError, Result};

/// Sees each intermediate tensor of a forward pass, by llama.cpp's graph name.
pub type Trace<'a> = &'a mut dyn FnMut(std::fmt::Arguments<'_>, &Tensor);

/// RMSNorm with its weight dequantized (llama.cpp `LLM_NORM_RMS`). Gemma's `1 + w` was folded
/// into the weight by the GGUF converter.
#[derive(Debug, Clone)]
struct RmsNorm {
    w: Vec<f32>,
    eps: f32,
}

impl RmsNorm {
    /// Over the last dimension, rounding as ggml does (`kernels::rms_norm`).
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut v = x.flatten_all()?.to_vec1::<f32>()?;
        rms_norm(&mut v, &self.w, self.eps);
        Ok(Tensor::from_vec(v, x.shape(), &Device::Cpu)?)
    }
}

#[derive(Debug, Clone)]
enum Qkv {
    Separate {
        q: Linear,
        k: Linear,
        v: Linear,
    },
    /// phi3's `attn_qkv`: q, k and v stacked along the output dimension.
    Fused(Linear),
}

#[derive(Debug, Clone)]
enum GateUp {
    Separate {
        gate: Linear,
        up: Linear,
    },
    /// phi3's `ffn_up` holds gate then up (`LLM_FFN_SWIGLU` splits it in half).
    Fused(Linear),
}

#[derive(Debug, Clone)]
struct Layer {
    attn_norm: RmsNorm,
    qkv: Qkv,
    /// qwen3 and gemma3 normalise each head of q and k before rope.
    q_norm: Option<RmsNorm>,
    k_norm: Option<RmsNorm>,
    attn_output: Linear,
    /// gemma3's `post_attention_norm` and `post_ffw_norm` (sandwich norms).
    attn_post_norm: Option<RmsNorm>,
    ffn_norm: RmsNorm,
    gate_up: GateUp,
    ffn_down: Linear,
    ffn_post_norm: Option<RmsNorm>,
    window: Option<usize>,
    rope: Arc<Rope>,
}

/// A loaded model: weights and config, no per-conversation state.
#[derive(Debug, Clone)]
pub struct Decoder {
    cfg: Config,
    /// Kept quantized; only the rows of the tokens seen are dequantized.
    token_embd: Arc<QTensor>,
    layers: Vec<Layer>,
    output_norm: RmsNorm,
    /// `output.weight`, or `token_embd` itself when the embeddings are tied.
    output: Linear,
}

struct Loader<'a, R> {
    ct: &'a gguf_file::Content,
    reader: &'a mut R,
    dequantize: bool,
}

impl<R: Read + Seek> Loader<'_, R> {
    fn has(&self, name: &str) -> bool {
        self.ct.tensor_infos.contains_key(name)
    }

    fn qtensor(&mut self, name: &str) -> Result<QTensor> {
        if !self.has(name) {
            return Err(ModelError::BadModel(format!("tensor {name} is missing")));
        }
        Ok(self.ct.tensor(self.reader, name, &Device::Cpu)?)
    }

    fn dense(&mut self, name: &str) -> Result<Tensor> {
        Ok(self.qtensor(name)?.dequantize(&Device::Cpu)?)
    }

    /// The weight's products round as llama.cpp's (`QuantizedKernel::LlamaCpp`), or, dequantized,
    /// as an f32 reference's.
    fn matmul(&self, t: Arc<QTensor>) -> Result<Weight> {
        if self.dequantize {
            return Ok(Weight::Candle(QMatMul::Tensor(t.dequantize(&Device::Cpu)?)));
        }
        Weight::quantized(t, QuantizedKernel::LlamaCpp)
    }

    fn linear(&mut self, name: &str) -> Result<Linear> {
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

    fn norm(&mut self, name: &str, eps: f64) -> Result<RmsNorm> {
        Ok(RmsNorm {
            w: self
                .dense(&format!("{name}.weight"))?
                .flatten_all()?
                .to_vec1::<f32>()?,
            eps: eps as f32,
        })
    }

    fn opt_norm(&mut self, name: &str, eps: f64) -> Result<Option<RmsNorm>> {
        if self.has(&format!("{name}.weight")) {
            Ok(Some(self.norm(name, eps)?))
        } else {
            Ok(None)
        }
    }

    fn factors(&mut self, name: &str) -> Result<Option<Vec<f32>>> {
        if self.has(name) {
            Ok(Some(self.dense(name)?.flatten_all()?.to_vec1::<f32>()?))
        } else {
            Ok(None)
        }
    }
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
        let mut ld = Loader {
            ct,
            reader,
            dequantize,
        };
        let eps = cfg.rms_eps;
        let token_embd = Arc::new(ld.qtensor("token_embd.weight")?);
        let output = if ld.has("output.weight") {
            let t = Arc::new(ld.qtensor("output.weight")?);
            Linear::new(ld.matmul(t)?, None)
        } else {
            Linear::new(ld.matmul(token_embd.clone())?, None)
        };
        let output_norm = ld.norm("output_norm", eps)?;
        // llama 3's `rope_freqs`; phi3's long-context factors are valid only past the original
        // context, so the short ones are used (Lantern's windows stay within it).
        let factors = match ld.factors("rope_freqs.weight")? {
            Some(f) => Some(f),
            None => ld.factors("rope_factors_short.weight")?,
        };
        let rope_global = Arc::new(Rope::new(
            cfg.rope_dim,
            cfg.rope_theta,
            cfg.rope_freq_scale,
            factors.as_deref(),
            cfg.rope_style,
        ));
        let rope_local = Arc::new(Rope::new(
            cfg.rope_dim,
            cfg.rope_theta_swa,
            1.0,
            factors.as_deref(),
            cfg.rope_style,
        ));
        let mut layers = Vec::with_capacity(cfg.n_layer);
        for il in 0..cfg.n_layer {
            let p = format!("blk.{il}");
            let qkv = if ld.has(&format!("{p}.attn_qkv.weight")) {
                Qkv::Fused(ld.linear(&format!("{p}.attn_qkv"))?)
            } else {
                Qkv::Separate {
                    q: ld.linear(&format!("{p}.attn_q"))?,
                    k: ld.linear(&format!("{p}.attn_k"))?,
                    v: ld.linear(&format!("{p}.attn_v"))?,
                }
            };
            let gate_up = if ld.has(&format!("{p}.ffn_gate.weight")) {
                GateUp::Separate {
                    gate: ld.linear(&format!("{p}.ffn_gate"))?,
                    up: ld.linear(&format!("{p}.ffn_up"))?,
                }
            } else {
                GateUp::Fused(ld.linear(&format!("{p}.ffn_up"))?)
            };
            let window = cfg.layer_window(il);
            // gemma3's local layers use their own theta and no linear scaling.
            let rope = if window.is_some() && cfg.arch == Arch::Gemma3 {
                rope_local.clone()
            } else {
                rope_global.clone()
            };
            layers.push(Layer {
                attn_norm: ld.norm(&format!("{p}.attn_norm"), eps)?,
                qkv,
                q_norm: ld.opt_norm(&format!("{p}.attn_q_norm"), eps)?,
                k_norm: ld.opt_norm(&format!("{p}.attn_k_norm"), eps)?,
                attn_output: ld.linear(&format!("{p}.attn_output"))?,
                attn_post_norm: ld.opt_norm(&format!("{p}.post_attention_norm"), eps)?,
                ffn_norm: ld.norm(&format!("{p}.ffn_norm"), eps)?,
                gate_up,
                ffn_down: ld.linear(&format!("{p}.ffn_down"))?,
                ffn_post_norm: ld.opt_norm(&format!("{p}.post_ffw_norm"), eps)?,
                window,
                rope,
            });
        }
        Ok(Decoder {
            cfg,
            token_embd,
            layers,
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
        self.forward_traced(tokens, cache, all_logits, &mut |_, _| {})
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
        let ids = Tensor::new(tokens, &Device::Cpu)?;
        let mut x = self.token_embd.embedding(&ids)?.unsqueeze(0)?;
        if let Some(scale) = self.cfg.embed_scale {
            x = (x * scale as f64)?;
        }
        for (il, layer) in self.layers.iter().enumerate() {
            let h = layer.attn_norm.forward(&x)?;
            trace(format_args!("attn_norm-{il}"), &h);
            let h = self.attention(layer, il, &h, pos, cache, trace)?;
            let h = match &layer.attn_post_norm {
                Some(n) => n.forward(&h)?,
                None => h,
            };
            x = (x + h)?;
            trace(format_args!("ffn_inp-{il}"), &x);
            let h = layer.ffn_norm.forward(&x)?;
            trace(format_args!("ffn_norm-{il}"), &h);
            let h = self.mlp(layer, il, &h, trace)?;
            let h = match &layer.ffn_post_norm {
                Some(n) => n.forward(&h)?,
                None => h,
            };
            x = (x + h)?;
            trace(format_args!("l_out-{il}"), &x);
        }
        cache.push_tokens(tokens);
        let x = if all_logits {
            x.i(0)?
        } else {
            x.i((0, s - 1..s))?
        };
        let x = self.output_norm.forward(&x)?;
        trace(format_args!("result_norm"), &x);
        let logits = self.output.forward(&x)?;
        trace(format_args!("result_output"), &logits);
        Ok(if all_logits {
            logits
        } else {
            logits.squeeze(0)?
        })
    }

    fn attention(
        &self,
        layer: &Layer,
        il: usize,
        x: &Tensor,
        pos: usize,
        cache: &mut KvCache,
        trace: Trace<'_>,
    ) -> Result<Tensor> {
        let cfg = &self.cfg;
        let (_, s, _) = x.dims3()?;
        let (hd, nh, nkv) = (cfg.head_dim, cfg.n_head, cfg.n_kv_head);
        let (q, k, v) = match &layer.qkv {
            Qkv::Separate { q, k, v } => (q.forward(x)?, k.forward(x)?, v.forward(x)?),
            Qkv::Fused(qkv) => {
                let all = qkv.forward(x)?;
                (
                    all.narrow(D::Minus1, 0, nh * hd)?,
                    all.narrow(D::Minus1, nh * hd, nkv * hd)?,
                    all.narrow(D::Minus1, (nh + nkv) * hd, nkv * hd)?,
                )
            }
        };
        trace(format_args!("Qcur-{il}"), &q);
        trace(format_args!("Kcur-{il}"), &k);
        trace(format_args!("Vcur-{il}"), &v);
        let q = q.reshape((1, s, nh, hd))?;
        let k = k.reshape((1, s, nkv, hd))?;
        let q = match &layer.q_norm {
            Some(n) => n.forward(&q)?,
            None => q,
        };
        let k = match &layer.k_norm {
            Some(n) => n.forward(&k)?,
            None => k,
        };
        let q = layer.rope.apply(&q.transpose(1, 2)?, pos)?;
        let k = layer.rope.apply(&k.transpose(1, 2)?, pos)?;
        trace(format_args!("Qrope-{il}"), &q.transpose(1, 2)?);
        trace(format_args!("Krope-{il}"), &k.transpose(1, 2)?);
        let v = v.reshape((1, s, nkv, hd))?.transpose(1, 2)?.contiguous()?;
        let (k_all, v_all) = cache.append(il, pos, &k, &v)?;
        let t = pos + s;
        let scores = Scores {
            q: &q.flatten_all()?.to_vec1::<f32>()?,
            k: &k_all.flatten_all()?.to_vec1::<f32>()?,
            nh,
            n_rep: nh / nkv,
            s,
            t,
            hd,
        };
        let kq = scores.kq(pos, layer.window);
        trace(
            format_args!("kq-{il}"),
            &Tensor::from_vec(kq.clone(), (nh, s, scores.padded()), &Device::Cpu)?
                .narrow(2, 0, t)?,
        );
        let att = scores.softmax(kq, cfg.attn_scale);
        trace(
            format_args!("kq_soft_max-{il}"),
            &Tensor::from_vec(att.clone(), (nh, s, scores.padded()), &Device::Cpu)?
                .narrow(2, 0, t)?,
        );
        let y = scores.weighted_values(&att, &v_all.flatten_all()?.to_vec1::<f32>()?);
        let y = Tensor::from_vec(y, (1, s, nh * hd), &Device::Cpu)?;
        trace(format_args!("kqv_out-{il}"), &y);
        let out = layer.attn_output.forward(&y)?;
        trace(format_args!("attn_out-{il}"), &out);
        Ok(out)
    }

    fn mlp(&self, layer: &Layer, il: usize, x: &Tensor, trace: Trace<'_>) -> Result<Tensor> {
        let (gate, up) = match &layer.gate_up {
            GateUp::Separate { gate, up } => (gate.forward(x)?, up.forward(x)?),
            GateUp::Fused(gu) => {
                let both = gu.forward(x)?;
                let n = both.dim(D::Minus1)? / 2;
                (both.narrow(D::Minus1, 0, n)?, both.narrow(D::Minus1, n, n)?)
            }
        };
        trace(format_args!("ffn_gate-{il}"), &gate);
        trace(format_args!("ffn_up-{il}"), &up);
        let act = match self.cfg.activation {
            // `ggml_vec_swiglu_f32`: silu(gate) * up, with ggml's own exp.
            Activation::Silu => {
                let g = gate.flatten_all()?.to_vec1::<f32>()?;
                let u = up.flatten_all()?.to_vec1::<f32>()?;
                Tensor::from_vec(ggml_math::swiglu(&g, &u), gate.shape(), &Device::Cpu)?
            }
            Activation::GeluTanh => (gate.gelu()? * up)?,
        };
        trace(format_args!("ffn_swiglu-{il}"), &act);
        let out = layer.ffn_down.forward(&act)?;
        trace(format_args!("ffn_out-{il}"), &out);
        Ok(out)
    }
}
