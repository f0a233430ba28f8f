//! Self-attention as llama.cpp's graphs build it: the q, k and v projections, per-head q/k norms
//! where an architecture has them, RoPE, the KV cache, the attention kernel and the output
//! projection, each intermediate traced under llama.cpp's name (`Qcur-N`, `kq-N`, ...).

use std::sync::Arc;

use candle_core::{D, Device, Tensor};

use super::norm::RmsNorm;
use crate::Result;
use crate::kernels::attention::{Attention, Scores};
use crate::kernels::rope::Rope;
use crate::llm::arch::config::Config;
use crate::llm::arch::graph::Pass;
use crate::llm::arch::loader::Loader;
use crate::nn::Linear;
use crate::profile;

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

/// One layer's attention.
#[derive(Debug, Clone)]
pub struct SelfAttention {
    qkv: Qkv,
    q_norm: Option<RmsNorm>,
    k_norm: Option<RmsNorm>,
    output: Linear,
    rope: Arc<Rope>,
    /// Keys this far back or further are hidden (a sliding-window layer).
    window: Option<usize>,
    n_head: usize,
    n_kv_head: usize,
    head_dim: usize,
    scale: f32,
}

impl SelfAttention {
    /// Layer `p` (`blk.N`)'s `attn_q`, `attn_k`, `attn_v` (or the fused `attn_qkv` where the file
    /// has it, as llama.cpp's phi3 graph takes it) and `attn_output`, rotating with `rope`.
    pub fn load(
        ld: &mut Loader<'_>,
        p: &str,
        cfg: &Config,
        rope: Arc<Rope>,
    ) -> Result<SelfAttention> {
        let qkv = if ld.has(&format!("{p}.attn_qkv.weight")) {
            Qkv::Fused(ld.linear(&format!("{p}.attn_qkv"))?)
        } else {
            Qkv::Separate {
                q: ld.linear(&format!("{p}.attn_q"))?,
                k: ld.linear(&format!("{p}.attn_k"))?,
                v: ld.linear(&format!("{p}.attn_v"))?,
            }
        };
        Ok(SelfAttention {
            qkv,
            q_norm: None,
            k_norm: None,
            output: ld.linear(&format!("{p}.attn_output"))?,
            rope,
            window: None,
            n_head: cfg.n_head,
            n_kv_head: cfg.n_kv_head,
            head_dim: cfg.head_dim,
            scale: cfg.attn_scale,
        })
    }

    /// Normalises each head of q and k before RoPE (`attn_q_norm`, `attn_k_norm`).
    pub fn with_qk_norm(mut self, ld: &mut Loader<'_>, p: &str, eps: f64) -> Result<SelfAttention> {
        self.q_norm = Some(RmsNorm::load(ld, &format!("{p}.attn_q_norm"), eps)?);
        self.k_norm = Some(RmsNorm::load(ld, &format!("{p}.attn_k_norm"), eps)?);
        Ok(self)
    }

    /// Hides keys `window` or more positions back (llama.cpp `LLAMA_SWA_TYPE_STANDARD`).
    pub fn with_window(mut self, window: Option<usize>) -> SelfAttention {
        self.window = window;
        self
    }

    /// Attends from `x` `(1, s, n_embd)` over the cache of layer `il`, after storing the new
    /// keys and values there.
    pub fn forward(&self, il: usize, x: &Tensor, pass: &mut Pass<'_>) -> Result<Tensor> {
        let pos = pass.pos;
        let (_, s, _) = x.dims3()?;
        let (hd, nh, nkv) = (self.head_dim, self.n_head, self.n_kv_head);
        let qkv_span = profile::span("attn_qkv");
        let (q, k, v) = match &self.qkv {
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
        drop(qkv_span);
        pass.trace(format_args!("Qcur-{il}"), &q);
        pass.trace(format_args!("Kcur-{il}"), &k);
        pass.trace(format_args!("Vcur-{il}"), &v);
        // `(s, heads, hd)` row-major from here on: plain slices, no tensor reshapes.
        let mut q = q.flatten_all()?.to_vec1::<f32>()?;
        let mut k = k.flatten_all()?.to_vec1::<f32>()?;
        let v = v.flatten_all()?.to_vec1::<f32>()?;
        let rope_span = profile::span("qk_norm_rope");
        if let Some(n) = &self.q_norm {
            n.apply(&mut q);
        }
        if let Some(n) = &self.k_norm {
            n.apply(&mut k);
        }
        self.rope.apply(&mut q, pos, nh, hd);
        self.rope.apply(&mut k, pos, nkv, hd);
        drop(rope_span);
        pass.trace_with(format_args!("Qrope-{il}"), || {
            Ok(Tensor::from_vec(q.clone(), (1, s, nh, hd), &Device::Cpu)?)
        })?;
        pass.trace_with(format_args!("Krope-{il}"), || {
            Ok(Tensor::from_vec(k.clone(), (1, s, nkv, hd), &Device::Cpu)?)
        })?;
        let tracing = pass.tracing();
        let t = pos + s;
        let attn_span = profile::span("attention");
        let layer = pass.cache.append(il, pos, (nkv, hd), &k, &v)?;
        let attention = Attention {
            q: &q,
            k: layer.k,
            v: layer.v,
            cap: layer.cap,
            nh,
            n_rep: nh / nkv,
            hd,
            pos,
            s,
            window: self.window,
            scale: self.scale,
        };
        let mut scores = tracing.then(|| Scores {
            kq: Vec::new(),
            soft_max: Vec::new(),
        });
        let y = attention.run(scores.as_mut());
        if let Some(sc) = scores {
            let kq = Tensor::from_vec(sc.kq, (nh, s, t), &Device::Cpu)?;
            pass.trace(format_args!("kq-{il}"), &kq);
            let soft_max = Tensor::from_vec(sc.soft_max, (nh, s, t), &Device::Cpu)?;
            pass.trace(format_args!("kq_soft_max-{il}"), &soft_max);
        }
        let y = Tensor::from_vec(y, (1, s, nh * hd), &Device::Cpu)?;
        drop(attn_span);
        pass.trace(format_args!("kqv_out-{il}"), &y);
        let out = {
            let _span = profile::span("attn_output");
            self.output.forward(&y)?
        };
        pass.trace(format_args!("attn_out-{il}"), &out);
        Ok(out)
    }
}
