//! Self-attention as llama.cpp's graphs build it: the q, k and v projections, per-head q/k norms
//! where an architecture has them, RoPE, the KV cache, the attention kernel and the output
//! projection, each intermediate traced under llama.cpp's name (`Qcur-N`, `kq-N`, ...).

use std::sync::Arc;

use candle_core::{D, Device, Tensor};

use super::norm::RmsNorm;
use crate::Result;
use crate::kernels::attention::Scores;
use crate::kernels::rope::Rope;
use crate::llm::arch::config::Config;
use crate::llm::arch::graph::Pass;
use crate::llm::arch::loader::Loader;
use crate::nn::Linear;

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
        pass.trace(format_args!("Qcur-{il}"), &q);
        pass.trace(format_args!("Kcur-{il}"), &k);
        pass.trace(format_args!("Vcur-{il}"), &v);
        let q = q.reshape((1, s, nh, hd))?;
        let k = k.reshape((1, s, nkv, hd))?;
        let q = match &self.q_norm {
            Some(n) => n.forward(&q)?,
            None => q,
        };
        let k = match &self.k_norm {
            Some(n) => n.forward(&k)?,
            None => k,
        };
        let q = self.rope.apply(&q.transpose(1, 2)?, pos)?;
        let k = self.rope.apply(&k.transpose(1, 2)?, pos)?;
        pass.trace(format_args!("Qrope-{il}"), &q.transpose(1, 2)?);
        pass.trace(format_args!("Krope-{il}"), &k.transpose(1, 2)?);
        let v = v.reshape((1, s, nkv, hd))?.transpose(1, 2)?.contiguous()?;
        let (k_all, v_all) = pass.cache.append(il, pos, &k, &v)?;
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
        let kq = scores.kq(pos, self.window);
        pass.trace(
            format_args!("kq-{il}"),
            &Tensor::from_vec(kq.clone(), (nh, s, scores.padded()), &Device::Cpu)?
                .narrow(2, 0, t)?,
        );
        let att = scores.softmax(kq, self.scale);
        pass.trace(
            format_args!("kq_soft_max-{il}"),
            &Tensor::from_vec(att.clone(), (nh, s, scores.padded()), &Device::Cpu)?
                .narrow(2, 0, t)?,
        );
        let y = scores.weighted_values(&att, &v_all.flatten_all()?.to_vec1::<f32>()?);
        let y = Tensor::from_vec(y, (1, s, nh * hd), &Device::Cpu)?;
        pass.trace(format_args!("kqv_out-{il}"), &y);
        let out = self.output.forward(&y)?;
        pass.trace(format_args!("attn_out-{il}"), &out);
        Ok(out)
    }
}
