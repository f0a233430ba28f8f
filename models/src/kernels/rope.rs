//! Rotary position embeddings, rounded as ggml's CPU `rope` rounds them.
//!
//! Mirrors `ggml_compute_forward_rope_flt`: per position, `theta` starts at the position and is
//! multiplied by `theta_scale = powf(base, -2/n_dims)` in f32 from one pair to the next;
//! `theta / freq_factor * freq_scale` goes through glibc's `sincosf`; each rotated value is one
//! fused multiply-add over one rounded product, as GCC contracts `x0*cos - x1*sin` and
//! `x0*sin + x1*cos` in `rotate_pairs` (checked against llama.cpp's dumped tensors).

use candle_core::{Device, Tensor};

use super::ggml_math::{fmaf, sincosf};
use crate::Result;

/// How rotary embedding pairs dimensions (llama.cpp `LLAMA_ROPE_TYPE_*`); each architecture
/// names its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RopeStyle {
    /// `LLAMA_ROPE_TYPE_NORM`: adjacent pairs (x0, x1). The GGUF converter permuted llama's q/k
    /// weights into this layout.
    Interleaved,
    /// `LLAMA_ROPE_TYPE_NEOX`: the first half pairs with the second half.
    Neox,
}

/// One RoPE table's parameters: a layer rotates its q and k with it.
#[derive(Debug, Clone)]
pub struct Rope {
    /// Rotated dimensions (`n_dims`); the rest of each head passes through.
    dims: usize,
    theta_scale: f32,
    freq_scale: f32,
    /// llama 3's `rope_freqs.weight` (or phi3's `rope_factors_*`), one per pair; else 1.
    factors: Vec<f32>,
    style: RopeStyle,
}

impl Rope {
    pub fn new(
        rope_dim: usize,
        theta: f32,
        freq_scale: f32,
        freq_factors: Option<&[f32]>,
        style: RopeStyle,
    ) -> Rope {
        let exponent = -2.0f32 / rope_dim as f32;
        let factors = (0..rope_dim / 2)
            .map(|i| {
                freq_factors
                    .and_then(|ff| ff.get(i))
                    .copied()
                    .unwrap_or(1.0)
            })
            .collect();
        Rope {
            dims: rope_dim,
            // glibc's powf is correctly rounded; so is the f64 power rounded to f32 (but for
            // a double rounding no base here comes near).
            theta_scale: (theta as f64).powf(exponent as f64) as f32,
            freq_scale,
            factors,
            style,
        }
    }

    /// `(cos, sin)` of every rotated pair at position `p`.
    fn angles(&self, p: usize, out: &mut Vec<(f32, f32)>) {
        out.clear();
        let mut theta = p as f32;
        for &ff in &self.factors {
            let t = self.freq_scale * (theta / ff);
            let (s, c) = sincosf(t);
            out.push((c, s));
            theta *= self.theta_scale;
        }
    }

    /// Rotates `x` (`(1, heads, s, head_dim)`, positions `pos..pos + s`).
    pub fn apply(&self, x: &Tensor, pos: usize) -> Result<Tensor> {
        let (_, heads, s, head_dim) = x.dims4()?;
        let mut v = x.contiguous()?.flatten_all()?.to_vec1::<f32>()?;
        let half = self.dims / 2;
        let mut angles = Vec::with_capacity(half);
        for i in 0..s {
            self.angles(pos + i, &mut angles);
            for h in 0..heads {
                let row = &mut v[(h * s + i) * head_dim..][..head_dim];
                for (k, &(c, sn)) in angles.iter().enumerate() {
                    let (a, b) = match self.style {
                        RopeStyle::Interleaved => (2 * k, 2 * k + 1),
                        RopeStyle::Neox => (k, k + half),
                    };
                    let (x0, x1) = (row[a], row[b]);
                    row[a] = fmaf(x0, c, -(x1 * sn));
                    row[b] = fmaf(x0, sn, x1 * c);
                }
            }
        }
        Ok(Tensor::from_vec(v, (1, heads, s, head_dim), &Device::Cpu)?)
    }
}
