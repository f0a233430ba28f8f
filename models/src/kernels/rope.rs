//! Rotary position embeddings (llama.cpp `ggml_compute_forward_rope_flt`) in plain f32: per
//! position, `theta` starts at the position and is multiplied by `theta_scale =
//! base^(-2/n_dims)` from one pair to the next; pair `k` turns by `theta_k / freq_factor_k ·
//! freq_scale`.

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
            theta_scale: theta.powf(-2.0 / rope_dim as f32),
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
            let (s, c) = (self.freq_scale * (theta / ff)).sin_cos();
            out.push((c, s));
            theta *= self.theta_scale;
        }
    }

    /// Rotates `x` in place: `s` positions (`pos..pos + s`) of `heads` heads of `head_dim`
    /// values, laid out `(s, heads, head_dim)`.
    pub fn apply(&self, x: &mut [f32], pos: usize, heads: usize, head_dim: usize) {
        let half = self.dims / 2;
        let mut angles = Vec::with_capacity(half);
        for (i, position) in x.chunks_exact_mut(heads * head_dim).enumerate() {
            self.angles(pos + i, &mut angles);
            for row in position.chunks_exact_mut(head_dim) {
                for (k, &(c, sn)) in angles.iter().enumerate() {
                    let (a, b) = match self.style {
                        RopeStyle::Interleaved => (2 * k, 2 * k + 1),
                        RopeStyle::Neox => (k, k + half),
                    };
                    let (x0, x1) = (row[a], row[b]);
                    row[a] = x0 * c - x1 * sn;
                    row[b] = x0 * sn + x1 * c;
                }
            }
        }
    }
}
