//! The KV cache Lantern controls: kept across chat turns so only new tokens are prefilled, and
//! truncated to a common prefix when the history changes (trimmed, edited, regenerated). The
//! decoder's attention writes it; whoever runs the decoder (a `Session`) owns it.

use crate::{ModelError, Result};

/// Positions are allocated in blocks so appending a token rarely reallocates (and wasm memory,
/// which never shrinks, does not fragment into one buffer per length).
const GROW_BY: usize = 256;

/// Keys and values of one layer, each laid out `(n_kv_head, cap, head_dim)`: the attention
/// kernel reads a head's positions as one run, where they are stored (no per-step copies).
#[derive(Debug, Clone, Default)]
struct LayerCache {
    k: Vec<f32>,
    v: Vec<f32>,
    cap: usize,
    n_kv: usize,
    hd: usize,
}

/// One layer's stored keys and values, as the attention kernel reads them.
pub(crate) struct LayerView<'a> {
    /// `(n_kv_head, cap, head_dim)`.
    pub k: &'a [f32],
    pub v: &'a [f32],
    pub cap: usize,
}

/// All layers' keys and values, plus the tokens they were computed from.
#[derive(Debug, Clone)]
pub struct KvCache {
    layers: Vec<LayerCache>,
    /// The tokens whose keys and values are stored, in order: `tokens.len()` is the length.
    tokens: Vec<u32>,
    max_len: usize,
}

impl KvCache {
    pub fn new(n_layer: usize, max_len: usize) -> KvCache {
        KvCache {
            layers: vec![LayerCache::default(); n_layer],
            tokens: Vec::new(),
            max_len,
        }
    }

    /// Number of cached positions.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The most positions this cache will hold (the context window).
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    pub fn tokens(&self) -> &[u32] {
        &self.tokens
    }

    /// Forgets every position after the first `len` (cheap: storage is kept for reuse).
    pub fn truncate(&mut self, len: usize) {
        self.tokens.truncate(len);
    }

    /// Forgets everything and frees the storage.
    pub fn clear(&mut self) {
        self.tokens.clear();
        for l in &mut self.layers {
            *l = LayerCache::default();
        }
    }

    /// How many leading tokens of `tokens` are already cached.
    pub fn common_prefix(&self, tokens: &[u32]) -> usize {
        self.tokens
            .iter()
            .zip(tokens)
            .take_while(|(a, b)| a == b)
            .count()
    }

    /// Records that `tokens` were appended (after every layer stored their keys and values).
    pub(crate) fn push_tokens(&mut self, tokens: &[u32]) {
        self.tokens.extend_from_slice(tokens);
    }

    /// Writes `k`, `v` (`(s, n_kv, hd)`, as the projections give them) for layer `il` at
    /// positions `pos..pos + s` and returns the layer's storage.
    pub(crate) fn append(
        &mut self,
        il: usize,
        pos: usize,
        (n_kv, hd): (usize, usize),
        k: &[f32],
        v: &[f32],
    ) -> Result<LayerView<'_>> {
        let s = k.len() / (n_kv * hd).max(1);
        let end = pos + s;
        let max_len = self.max_len;
        let layer = self
            .layers
            .get_mut(il)
            .ok_or(ModelError::InvalidState("kv cache has no such layer"))?;
        if layer.cap > 0 && (layer.n_kv, layer.hd) != (n_kv, hd) {
            return Err(ModelError::InvalidState("kv cache layer changed shape"));
        }
        if end > layer.cap {
            // Grows once per GROW_BY positions, keeping the first `pos` (still valid).
            let cap = end.div_ceil(GROW_BY) * GROW_BY;
            let cap = cap.min(max_len.max(end));
            let keep = pos.min(layer.cap);
            let grow = |old: &[f32]| {
                let mut t = vec![0f32; n_kv * cap * hd];
                for g in 0..n_kv {
                    t[g * cap * hd..][..keep * hd]
                        .copy_from_slice(&old[g * layer.cap * hd..][..keep * hd]);
                }
                t
            };
            let (k, v) = (grow(&layer.k), grow(&layer.v));
            *layer = LayerCache {
                k,
                v,
                cap,
                n_kv,
                hd,
            };
        }
        let cap = layer.cap;
        for (i, (kr, vr)) in k
            .chunks_exact(n_kv * hd)
            .zip(v.chunks_exact(n_kv * hd))
            .enumerate()
        {
            for g in 0..n_kv {
                let at = (g * cap + pos + i) * hd;
                layer.k[at..][..hd].copy_from_slice(&kr[g * hd..][..hd]);
                layer.v[at..][..hd].copy_from_slice(&vr[g * hd..][..hd]);
            }
        }
        Ok(LayerView {
            k: &layer.k,
            v: &layer.v,
            cap,
        })
    }
}
