//! The attention kernel: one layer's scores, softmax and weighted values over the cached
//! positions (llama.cpp's `build_attn_mha` without flash attention: `mul_mat(k, q)`,
//! `soft_max_ext` with the causal and sliding-window mask, `mul_mat(v, kq)`), in plain f32,
//! reading keys and values where the KV cache keeps them (no copies). Heads run on rayon's pool
//! when there is enough work.

use rayon::prelude::*;

use super::vec_f32::{add_scaled, dot, softmax};

/// Below this many multiply-adds a layer's heads stay on the calling thread: waking the pool
/// costs more (as `qmatmul::MIN_TASK_WORK`; in the browser a decoding step's attention over a
/// few hundred positions took 2.3x as long on two threads as on one with 2^18).
const MIN_PARALLEL_WORK: usize = 1 << 20;

/// One layer's attention for `s` new queries at positions `pos..pos + s`.
pub struct Attention<'a> {
    /// `(s, nh, hd)`, roped.
    pub q: &'a [f32],
    /// Cached keys `(nkv, cap, hd)`, the new ones included.
    pub k: &'a [f32],
    /// Cached values, laid out as the keys.
    pub v: &'a [f32],
    /// Positions each kv head has room for in `k` and `v`.
    pub cap: usize,
    /// Query heads.
    pub nh: usize,
    /// Query heads per key/value head (grouped-query attention).
    pub n_rep: usize,
    /// Head dimension.
    pub hd: usize,
    /// The first new position.
    pub pos: usize,
    /// New queries.
    pub s: usize,
    /// Keys this far back or further are hidden (a sliding-window layer).
    pub window: Option<usize>,
    /// Scale of q·k.
    pub scale: f32,
}

/// The score rows a trace shows, `(nh, s, t)` each: q·k unscaled (`kq`, hidden positions
/// -inf) and the softmax (`kq_soft_max`, hidden positions 0).
pub struct Scores {
    pub kq: Vec<f32>,
    pub soft_max: Vec<f32>,
}

impl Attention<'_> {
    /// Cached positions, the new ones included.
    pub fn t(&self) -> usize {
        self.pos + self.s
    }

    /// The attention output `(s, nh * hd)` (llama.cpp's `kqv_out`), and the scores when
    /// `scores` is asked for (which keeps the heads on this thread).
    pub fn run(&self, mut scores: Option<&mut Scores>) -> Vec<f32> {
        let (s, hd, nh, t) = (self.s, self.hd, self.nh, self.t());
        let mut heads = vec![0f32; nh * s * hd];
        let work = nh * s * t * hd * 2;
        if let Some(sc) = scores.as_mut() {
            sc.kq = vec![f32::NEG_INFINITY; nh * s * t];
            sc.soft_max = vec![0f32; nh * s * t];
            for (h, ((out, kq), p)) in heads
                .chunks_exact_mut(s * hd)
                .zip(sc.kq.chunks_exact_mut(s * t))
                .zip(sc.soft_max.chunks_exact_mut(s * t))
                .enumerate()
            {
                self.head(h, out, Some((kq, p)));
            }
        } else if work >= MIN_PARALLEL_WORK && rayon::current_num_threads() > 1 {
            heads
                .par_chunks_mut(s * hd)
                .enumerate()
                .for_each(|(h, out)| self.head(h, out, None));
        } else {
            for (h, out) in heads.chunks_exact_mut(s * hd).enumerate() {
                self.head(h, out, None);
            }
        }
        if nh == 1 {
            return heads;
        }
        // (nh, s, hd) to (s, nh, hd).
        let mut out = vec![0f32; s * nh * hd];
        for (h, head) in heads.chunks_exact(s * hd).enumerate() {
            for (i, row) in head.chunks_exact(hd).enumerate() {
                out[(i * nh + h) * hd..][..hd].copy_from_slice(row);
            }
        }
        out
    }

    /// Head `h`'s outputs `(s, hd)` into `out`; its `(s, t)` score rows into `trace`.
    fn head(&self, h: usize, out: &mut [f32], mut trace: Option<(&mut [f32], &mut [f32])>) {
        let (hd, t) = (self.hd, self.t());
        let g = h / self.n_rep;
        let k = &self.k[g * self.cap * hd..][..t * hd];
        let v = &self.v[g * self.cap * hd..][..t * hd];
        let mut p = vec![0f32; t];
        for (i, out) in out.chunks_exact_mut(hd).enumerate() {
            let qp = self.pos + i;
            // llama.cpp `is_masked_swa` (standard): a key at distance >= window is hidden.
            let lo = self.window.map_or(0, |w| (qp + 1).saturating_sub(w));
            let q = &self.q[(i * self.nh + h) * hd..][..hd];
            let row = &mut p[lo..=qp];
            for (x, key) in row.iter_mut().zip(k[lo * hd..].chunks_exact(hd)) {
                *x = dot(q, key);
            }
            if let Some((kq, _)) = trace.as_mut() {
                kq[i * t + lo..][..row.len()].copy_from_slice(row);
            }
            softmax(row, self.scale);
            if let Some((_, sm)) = trace.as_mut() {
                sm[i * t + lo..][..row.len()].copy_from_slice(row);
            }
            out.fill(0.0);
            for (&pj, value) in row.iter().zip(v[lo * hd..].chunks_exact(hd)) {
                add_scaled(out, pj, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    /// The kernel against the textbook formula in f64, with grouped heads, a window and a
    /// cache with room to spare.
    #[wasm_bindgen_test(unsupported = test)]
    fn matches_the_definition() {
        let (nh, nkv, hd, cap, pos, s) = (4, 2, 8, 16, 3, 4);
        let t = pos + s;
        let val = |i: usize| ((i * 7919 % 113) as f32 / 56.0 - 1.0) * 0.8;
        let q: Vec<f32> = (0..s * nh * hd).map(val).collect();
        let k: Vec<f32> = (0..nkv * cap * hd).map(|i| val(i + 5)).collect();
        let v: Vec<f32> = (0..nkv * cap * hd).map(|i| val(i + 11)).collect();
        for window in [None, Some(3)] {
            let att = Attention {
                q: &q,
                k: &k,
                v: &v,
                cap,
                nh,
                n_rep: nh / nkv,
                hd,
                pos,
                s,
                window,
                scale: 0.35,
            };
            let got = att.run(None);
            let mut scores = Scores {
                kq: vec![],
                soft_max: vec![],
            };
            assert_eq!(att.run(Some(&mut scores)), got);
            for h in 0..nh {
                let g = h / (nh / nkv);
                for i in 0..s {
                    let qp = pos + i;
                    let seen: Vec<usize> = (0..t)
                        .filter(|&j| j <= qp && window.is_none_or(|w| qp - j < w))
                        .collect();
                    let logit = |j: usize| {
                        (0..hd)
                            .map(|d| {
                                q[(i * nh + h) * hd + d] as f64 * k[(g * cap + j) * hd + d] as f64
                            })
                            .sum::<f64>()
                    };
                    let e: Vec<f64> = seen.iter().map(|&j| (logit(j) * 0.35).exp()).collect();
                    let z: f64 = e.iter().sum();
                    for d in 0..hd {
                        let want: f64 = seen
                            .iter()
                            .zip(&e)
                            .map(|(&j, e)| e / z * v[(g * cap + j) * hd + d] as f64)
                            .sum();
                        let have = got[(i * nh + h) * hd + d] as f64;
                        assert!((have - want).abs() < 1e-5, "{window:?} h{h} i{i} d{d}");
                    }
                    for j in 0..t {
                        let kq = scores.kq[(h * s + i) * t + j];
                        if seen.contains(&j) {
                            assert!((kq as f64 - logit(j)).abs() < 1e-5);
                        } else {
                            assert_eq!(kq, f32::NEG_INFINITY);
                            assert_eq!(scores.soft_max[(h * s + i) * t + j], 0.0);
                        }
                    }
                }
            }
        }
    }
}
