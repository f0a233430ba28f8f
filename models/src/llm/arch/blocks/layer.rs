//! The pre-norm decoder layer every architecture here runs (the loop body of llama.cpp's
//! `llm_build_*`): attention, then the feed-forward block, each reading an RMS-normalised copy of
//! the residual stream and added back to it. With sandwich norms (gemma3) each output is
//! normalised once more before it is added.

use candle_core::Tensor;

use super::attention::SelfAttention;
use super::ffn::Ffn;
use super::norm::RmsNorm;
use crate::Result;
use crate::llm::arch::graph::Pass;
use crate::llm::arch::loader::Loader;
use crate::profile;

#[derive(Debug, Clone)]
pub struct Layer {
    attn_norm: RmsNorm,
    attn: SelfAttention,
    attn_post_norm: Option<RmsNorm>,
    ffn_norm: RmsNorm,
    ffn: Ffn,
    ffn_post_norm: Option<RmsNorm>,
}

impl Layer {
    /// `attn` and `ffn` with layer `p` (`blk.N`)'s `attn_norm` and `ffn_norm`.
    pub fn load(
        ld: &mut Loader<'_>,
        p: &str,
        eps: f64,
        attn: SelfAttention,
        ffn: Ffn,
    ) -> Result<Layer> {
        Ok(Layer {
            attn_norm: RmsNorm::load(ld, &format!("{p}.attn_norm"), eps)?,
            attn,
            attn_post_norm: None,
            ffn_norm: RmsNorm::load(ld, &format!("{p}.ffn_norm"), eps)?,
            ffn,
            ffn_post_norm: None,
        })
    }

    /// Normalises the attention's and the feed-forward's outputs again (`post_attention_norm`,
    /// `post_ffw_norm`).
    pub fn with_sandwich_norms(mut self, ld: &mut Loader<'_>, p: &str, eps: f64) -> Result<Layer> {
        self.attn_post_norm = Some(RmsNorm::load(ld, &format!("{p}.post_attention_norm"), eps)?);
        self.ffn_post_norm = Some(RmsNorm::load(ld, &format!("{p}.post_ffw_norm"), eps)?);
        Ok(self)
    }

    /// The residual stream `x` after layer `il`.
    pub fn forward(&self, il: usize, x: Tensor, pass: &mut Pass<'_>) -> Result<Tensor> {
        let h = profile::timed("norm", || self.attn_norm.forward(&x))?;
        pass.trace(format_args!("attn_norm-{il}"), &h);
        let h = self.attn.forward(il, &h, pass)?;
        let x = {
            let _span = profile::span("norm_residual");
            (x + sandwiched(&self.attn_post_norm, h)?)?
        };
        pass.trace(format_args!("ffn_inp-{il}"), &x);
        let h = profile::timed("norm", || self.ffn_norm.forward(&x))?;
        pass.trace(format_args!("ffn_norm-{il}"), &h);
        let h = self.ffn.forward(il, &h, pass)?;
        let x = {
            let _span = profile::span("norm_residual");
            (x + sandwiched(&self.ffn_post_norm, h)?)?
        };
        pass.trace(format_args!("l_out-{il}"), &x);
        Ok(x)
    }
}

/// A block's output `h`, normalised again where the layer has sandwich norms.
fn sandwiched(post_norm: &Option<RmsNorm>, h: Tensor) -> Result<Tensor> {
    match post_norm {
        Some(n) => n.forward(&h),
        None => Ok(h),
    }
}
