//! The KV cache Lantern controls: kept across chat turns so only new tokens are prefilled, and
//! truncated to a common prefix when the history changes (trimmed, edited, regenerated). The
//! decoder's attention writes it; whoever runs the decoder (a `Session`) owns it.

use candle_core::{DType, Device, Tensor};

use crate::Result;

/// Positions are allocated in blocks so appending a token rarely reallocates (and wasm memory,
/// which never shrinks, does not fragment into one buffer per length).
const GROW_BY: usize = 256;

/// Keys and values of one layer, laid out `(1, n_kv_head, capacity, head_dim)`.
#[derive(Debug, Clone, Default)]
struct LayerCache {
    k: Option<Tensor>,
    v: Option<Tensor>,
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

    /// Writes `k`, `v` (`(1, n_kv_head, s, head_dim)`) for layer `il` at position `pos` and
    /// returns all keys and values up to `pos + s`, contiguous.
    pub(crate) fn append(
        &mut self,
        il: usize,
        pos: usize,
        k: &Tensor,
        v: &Tensor,
    ) -> Result<(Tensor, Tensor)> {
        let (_, n_kv, s, d) = k.dims4()?;
        let end = pos + s;
        let layer = &mut self.layers[il];
        let cap = layer.k.as_ref().map_or(0, |t| t.dim(2).unwrap_or(0));
        if end > cap {
            let new_cap = end.div_ceil(GROW_BY) * GROW_BY;
            let new_cap = new_cap.min(self.max_len.max(end));
            let grow = |old: &Option<Tensor>| -> Result<Tensor> {
                let t = Tensor::zeros((1, n_kv, new_cap, d), DType::F32, &Device::Cpu)?;
                if let Some(old) = old {
                    t.slice_set(&old.narrow(2, 0, pos.min(cap))?.contiguous()?, 2, 0)?;
                }
                Ok(t)
            };
            layer.k = Some(grow(&layer.k)?);
            layer.v = Some(grow(&layer.v)?);
        }
        let (Some(kc), Some(vc)) = (&layer.k, &layer.v) else {
            return Err(crate::ModelError::InvalidState("kv cache lost its storage"));
        };
        kc.slice_set(&k.contiguous()?, 2, pos)?;
        vc.slice_set(&v.contiguous()?, 2, pos)?;
        Ok((
            kc.narrow(2, 0, end)?.contiguous()?,
            vc.narrow(2, 0, end)?.contiguous()?,
        ))
    }
}
