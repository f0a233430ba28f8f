//! `bert` (PL-BERT: a `transformers` ALBERT, `modules.py` `CustomAlbert`) and `bert_encoder`
//! (`model.py`): phoneme ids to the `[T, 512]` features the duration predictor reads. ALBERT's
//! one layer (`albert_layer_groups.0.albert_layers.0`) runs `num_hidden_layers` times.

use candle_core::Tensor;
use candle_nn::ops::softmax_last_dim;

use super::layers::{Linear, layer_norm_last};
use super::onnx::KokoroWeights;
use crate::Result;

/// Kokoro-82M's `plbert` config.
const HEADS: usize = 12;
const LAYERS: usize = 12;
const LN_EPS: f64 = 1e-12;

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
}

impl LayerNorm {
    fn load(w: &KokoroWeights, path: &str) -> Result<Self> {
        Ok(Self {
            weight: w.get(&format!("{path}.weight"))?,
            bias: w.get(&format!("{path}.bias"))?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(layer_norm_last(x, LN_EPS)?
            .broadcast_mul(&self.weight)?
            .broadcast_add(&self.bias)?)
    }
}

pub(crate) struct Albert {
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    token_type_embedding: Tensor,
    embeddings_norm: LayerNorm,
    embedding_hidden_mapping_in: Linear,
    query: Linear,
    key: Linear,
    value: Linear,
    dense: Linear,
    attention_norm: LayerNorm,
    ffn: Linear,
    ffn_output: Linear,
    full_layer_layer_norm: LayerNorm,
    /// `bert_encoder`: hidden (768) to the predictor's width (512).
    bert_encoder: Linear,
}

impl Albert {
    pub fn load(w: &KokoroWeights) -> Result<Self> {
        let layer = "bert.encoder.albert_layer_groups.0.albert_layers.0";
        Ok(Self {
            word_embeddings: w.get("bert.embeddings.word_embeddings.weight")?,
            position_embeddings: w.get("bert.embeddings.position_embeddings.weight")?,
            token_type_embedding: w
                .get("bert.embeddings.token_type_embeddings.weight")?
                .get(0)?,
            embeddings_norm: LayerNorm::load(w, "bert.embeddings.LayerNorm")?,
            embedding_hidden_mapping_in: Linear::load(
                w,
                "bert.encoder.embedding_hidden_mapping_in",
            )?,
            query: Linear::load(w, &format!("{layer}.attention.query"))?,
            key: Linear::load(w, &format!("{layer}.attention.key"))?,
            value: Linear::load(w, &format!("{layer}.attention.value"))?,
            dense: Linear::load(w, &format!("{layer}.attention.dense"))?,
            attention_norm: LayerNorm::load(w, &format!("{layer}.attention.LayerNorm"))?,
            ffn: Linear::load(w, &format!("{layer}.ffn"))?,
            ffn_output: Linear::load(w, &format!("{layer}.ffn_output"))?,
            full_layer_layer_norm: LayerNorm::load(w, &format!("{layer}.full_layer_layer_norm"))?,
            bert_encoder: Linear::load(w, "bert_encoder")?,
        })
    }

    pub fn max_positions(&self) -> usize {
        self.position_embeddings.dim(0).unwrap_or(0)
    }

    /// `ids [T]` -> `d_en [T, 512]` (`bert_encoder(bert(ids))`, before upstream's transpose).
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let t = ids.dim(0)?;
        let x = self
            .word_embeddings
            .index_select(ids, 0)?
            .broadcast_add(&self.token_type_embedding)?
            .add(&self.position_embeddings.narrow(0, 0, t)?)?;
        let mut x = self
            .embedding_hidden_mapping_in
            .forward(&self.embeddings_norm.forward(&x)?)?;
        let hidden = x.dim(1)?;
        let head_dim = hidden / HEADS;
        let scale = 1.0 / (head_dim as f64).sqrt();
        let heads = |y: Tensor| -> Result<Tensor> {
            Ok(y.reshape((t, HEADS, head_dim))?
                .transpose(0, 1)?
                .contiguous()?)
        };
        for _ in 0..LAYERS {
            // One sequence, no padding: the attention mask is all ones.
            let q = heads(self.query.forward(&x)?)?;
            let k = heads(self.key.forward(&x)?)?;
            let v = heads(self.value.forward(&x)?)?;
            let scores = (q.matmul(&k.transpose(1, 2)?.contiguous()?)? * scale)?;
            let context = softmax_last_dim(&scores)?
                .matmul(&v)?
                .transpose(0, 1)?
                .reshape((t, hidden))?;
            let attended = self
                .attention_norm
                .forward(&(x + self.dense.forward(&context)?)?)?;
            let ff = self
                .ffn_output
                .forward(&self.ffn.forward(&attended)?.gelu()?)?;
            x = self.full_layer_layer_norm.forward(&(ff + attended)?)?;
        }
        self.bert_encoder.forward(&x)
    }
}
