//! Rotary position embeddings: cos/sin for a span of positions, computed per call so no table
//! of the whole context (128k positions for some models) sits in memory.
//!
//! Mirrors ggml's `ggml_rope_ext` (`theta = pos * freq_scale * base^(-2i/n_dims) / freq_factors[i]`).

use candle_core::{Device, Tensor};

use super::config::RopeStyle;
use crate::Result;

#[derive(Debug, Clone)]
pub struct Rope {
    /// One inverse frequency per rotated pair, already divided by the freq factors and scaled.
    inv_freq: Vec<f64>,
    style: RopeStyle,
}

impl Rope {
    /// `freq_factors` is llama 3's `rope_freqs.weight` (or phi3's `rope_factors_*`), one per pair.
    pub fn new(
        rope_dim: usize,
        theta: f32,
        freq_scale: f32,
        freq_factors: Option<&[f32]>,
        style: RopeStyle,
    ) -> Rope {
        let inv_freq = (0..rope_dim / 2)
            .map(|i| {
                let f = (theta as f64).powf(-2.0 * i as f64 / rope_dim as f64) * freq_scale as f64;
                let factor = freq_factors
                    .and_then(|ff| ff.get(i))
                    .copied()
                    .unwrap_or(1.0);
                f / factor as f64
            })
            .collect();
        Rope { inv_freq, style }
    }

    /// Rotates `x` (`(1, heads, s, head_dim)`, positions `pos..pos + s`); dimensions past the
    /// rotary ones pass through unchanged.
    pub fn apply(&self, x: &Tensor, pos: usize) -> Result<Tensor> {
        let (_, _, s, head_dim) = x.dims4()?;
        let half = self.inv_freq.len();
        let mut cos = Vec::with_capacity(s * half);
        let mut sin = Vec::with_capacity(s * half);
        for p in pos..pos + s {
            for f in &self.inv_freq {
                let (sn, cs) = (p as f64 * f).sin_cos();
                cos.push(cs as f32);
                sin.push(sn as f32);
            }
        }
        let cos = Tensor::from_vec(cos, (s, half), &Device::Cpu)?;
        let sin = Tensor::from_vec(sin, (s, half), &Device::Cpu)?;
        let rot = |x: &Tensor| match self.style {
            RopeStyle::Interleaved => candle_nn::rotary_emb::rope_i(x, &cos, &sin),
            RopeStyle::Neox => candle_nn::rotary_emb::rope(x, &cos, &sin),
        };
        if 2 * half == head_dim {
            Ok(rot(&x.contiguous()?)?)
        } else {
            let rotated = rot(&x.narrow(3, 0, 2 * half)?.contiguous()?)?;
            let rest = x.narrow(3, 2 * half, head_dim - 2 * half)?;
            Ok(Tensor::cat(&[&rotated, &rest], 3)?.contiguous()?)
        }
    }
}
