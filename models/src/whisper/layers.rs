//! The pieces Whisper's network is built of, from either kind of weights (`nn::Source`):
//! openai-whisper `model.py`'s `MultiHeadAttention` and `ResidualAttentionBlock`.

use candle_core::{Module, Tensor};
use candle_nn::LayerNorm;

use crate::Result;
use crate::nn::{Linear, Source};

/// `MultiHeadAttention`: the key projection has no bias.
pub(super) struct Attention {
    query: Linear,
    key: Linear,
    value: Linear,
    out: Linear,
    n_head: usize,
}

impl Attention {
    fn load(source: &Source, n_state: usize, n_head: usize) -> Result<Self> {
        Ok(Attention {
            query: source.pp("q_proj").linear(n_state, n_state, true)?,
            key: source.pp("k_proj").linear(n_state, n_state, false)?,
            value: source.pp("v_proj").linear(n_state, n_state, true)?,
            out: source.pp("out_proj").linear(n_state, n_state, true)?,
            n_head,
        })
    }

    pub(super) fn key_value(&self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        Ok((self.key.forward(x)?, self.value.forward(x)?))
    }

    /// `qkv_attention` of the queries from `x` over keys `k` and values `v` `(b, n_kv, d)`.
    pub(super) fn attend(
        &self,
        x: &Tensor,
        k: &Tensor,
        v: &Tensor,
        mask: Option<&Tensor>,
    ) -> Result<Tensor> {
        let q = self.query.forward(x)?;
        let (b, n_ctx, n_state) = q.dims3()?;
        let n_kv = k.dim(1)?;
        let head = n_state / self.n_head;
        let scale = (head as f64).powf(-0.25);
        let q = (q.reshape((b, n_ctx, self.n_head, head))?.transpose(1, 2)? * scale)?;
        let k = (k
            .reshape((b, n_kv, self.n_head, head))?
            .permute((0, 2, 3, 1))?
            * scale)?;
        let v = v.reshape((b, n_kv, self.n_head, head))?.transpose(1, 2)?;
        let mut qk = q.contiguous()?.matmul(&k.contiguous()?)?;
        if let Some(mask) = mask {
            qk = qk.broadcast_add(mask)?;
        }
        let w = candle_nn::ops::softmax_last_dim(&qk)?;
        let wv = w
            .matmul(&v.contiguous()?)?
            .transpose(1, 2)?
            .flatten_from(2)?;
        self.out.forward(&wv)
    }
}

/// `ResidualAttentionBlock`; decoder blocks also attend to the audio.
pub(super) struct Block {
    pub(super) attn: Attention,
    pub(super) attn_ln: LayerNorm,
    pub(super) cross: Option<(Attention, LayerNorm)>,
    fc1: Linear,
    fc2: Linear,
    mlp_ln: LayerNorm,
}

impl Block {
    pub(super) fn load(
        source: &Source,
        n_state: usize,
        n_head: usize,
        cross: bool,
    ) -> Result<Self> {
        let n_mlp = 4 * n_state;
        let cross = if cross {
            Some((
                Attention::load(&source.pp("encoder_attn"), n_state, n_head)?,
                source.pp("encoder_attn_layer_norm").layer_norm(n_state)?,
            ))
        } else {
            None
        };
        Ok(Block {
            attn: Attention::load(&source.pp("self_attn"), n_state, n_head)?,
            attn_ln: source.pp("self_attn_layer_norm").layer_norm(n_state)?,
            cross,
            fc1: source.pp("fc1").linear(n_state, n_mlp, true)?,
            fc2: source.pp("fc2").linear(n_mlp, n_state, true)?,
            mlp_ln: source.pp("final_layer_norm").layer_norm(n_state)?,
        })
    }

    pub(super) fn mlp(&self, x: &Tensor) -> Result<Tensor> {
        let h = self.fc1.forward(&self.mlp_ln.forward(x)?)?.gelu_erf()?;
        Ok((x + self.fc2.forward(&h)?)?)
    }
}
