//! The attention kernel: one layer's scores, softmax and weighted values over the cached
//! positions, as llama.cpp's `build_attn_mha` computes them without flash attention
//! (`mul_mat(k, q)`, `soft_max_ext` with the causal and sliding-window mask, `mul_mat(v, kq)`).

use super::ggml_math;

/// One layer's attention over `t` cached positions for `s` new queries, in llama.cpp's
/// arithmetic: KQ rows by `ggml_vec_dot_f32`, ggml's softmax, and KQV by tinyBLAS when a batch
/// has two or more queries (llamafile's sgemm takes those) or by `ggml_vec_dot_f32` for one.
/// Rows are padded with masked, zero-weight positions to a multiple of 64, as llama.cpp pads
/// its cache view (to 256): the padding adds exact zeros, and the sums keep the lane layout.
pub struct Scores<'a> {
    /// `(nh, s, hd)`, roped.
    pub q: &'a [f32],
    /// `(nkv, t, hd)`.
    pub k: &'a [f32],
    /// Query heads.
    pub nh: usize,
    /// Query heads per key/value head (grouped-query attention).
    pub n_rep: usize,
    /// New queries.
    pub s: usize,
    /// Cached positions, the new ones included.
    pub t: usize,
    /// Head dimension.
    pub hd: usize,
}

impl Scores<'_> {
    /// Row length: `t` rounded up to a multiple of 64.
    pub fn padded(&self) -> usize {
        self.t.div_ceil(64) * 64
    }

    /// Unscaled `q·k` rows `(nh, s, padded)`; hidden positions are -inf (llama.cpp computes
    /// them and masks them in the softmax, to the same effect).
    pub fn kq(&self, pos: usize, window: Option<usize>) -> Vec<f32> {
        let (tp, hd) = (self.padded(), self.hd);
        let mut out = vec![f32::NEG_INFINITY; self.nh * self.s * tp];
        for h in 0..self.nh {
            let g = h / self.n_rep;
            for i in 0..self.s {
                let qp = pos + i;
                let q = &self.q[(h * self.s + i) * hd..][..hd];
                let row = &mut out[(h * self.s + i) * tp..][..tp];
                for (j, v) in row.iter_mut().enumerate().take(qp + 1) {
                    // llama.cpp `is_masked_swa` (standard): a key at distance >= window is hidden.
                    if window.is_some_and(|w| qp - j >= w) {
                        continue;
                    }
                    *v = ggml_math::dot_ggml(&self.k[(g * self.t + j) * hd..][..hd], q);
                }
            }
        }
        out
    }

    /// ggml's softmax of every row of `kq`, after scaling it by `scale`.
    pub fn softmax(&self, mut kq: Vec<f32>, scale: f32) -> Vec<f32> {
        for row in kq.chunks_exact_mut(self.padded()) {
            ggml_math::softmax_row(row, scale);
        }
        kq
    }

    /// `att (nh, s, padded) x v (nkv, t, hd)`, merged into `(s, nh * hd)` (llama.cpp's
    /// `kqv_out`).
    pub fn weighted_values(&self, att: &[f32], v: &[f32]) -> Vec<f32> {
        let (tp, hd, nh) = (self.padded(), self.hd, self.nh);
        let nkv = nh / self.n_rep;
        // V as llama.cpp caches it without flash attention: transposed, one row per dimension.
        let mut vt = vec![0f32; nkv * hd * tp];
        for g in 0..nkv {
            for j in 0..self.t {
                for d in 0..hd {
                    vt[(g * hd + d) * tp + j] = v[(g * self.t + j) * hd + d];
                }
            }
        }
        let dot = if self.s >= 2 {
            ggml_math::dot_tinyblas
        } else {
            ggml_math::dot_ggml
        };
        // tinyBLAS adds zero-weight (masked) positions too; past a query's own position they
        // add exact zeros, so its rows stop there (the lanes are unchanged). vec_dot's blocks of
        // 64 need the whole padded row.
        let span = |i: usize| {
            if self.s >= 2 {
                (self.t - self.s + i + 1).min(tp)
            } else {
                tp
            }
        };
        let mut out = vec![0f32; self.s * nh * hd];
        for h in 0..nh {
            let g = h / self.n_rep;
            for i in 0..self.s {
                let n = span(i);
                let a = &att[(h * self.s + i) * tp..][..n];
                for d in 0..hd {
                    out[i * nh * hd + h * hd + d] = dot(&vt[(g * hd + d) * tp..][..n], a);
                }
            }
        }
        out
    }
}
