//! The BERT encoder, after Hugging Face transformers' `modeling_bert.py` (BertEmbeddings,
//! BertSelfAttention, BertSelfOutput, BertIntermediate, BertOutput, BertLayer), post-norm, with
//! its safetensors names (`embeddings.word_embeddings`, `encoder.layer.N.attention.self.query`).
//! Inference only (dropout is the identity); one unpadded sequence, so no attention mask.

use candle_core::Tensor;
use candle_nn::{Embedding, LayerNorm, Linear, Module, VarBuilder};

use super::config::BertConfig;
use crate::{ModelError, Result};

/// BertEmbeddings: word + position + token type (always type 0: one segment), then LayerNorm.
struct Embeddings {
    word_embeddings: Embedding,
    position_embeddings: Embedding,
    token_type_embeddings: Embedding,
    layer_norm: LayerNorm,
}

impl Embeddings {
    fn load(vb: VarBuilder, c: &BertConfig) -> Result<Embeddings> {
        Ok(Embeddings {
            word_embeddings: candle_nn::embedding(
                c.vocab_size,
                c.hidden_size,
                vb.pp("word_embeddings"),
            )?,
            position_embeddings: candle_nn::embedding(
                c.max_position_embeddings,
                c.hidden_size,
                vb.pp("position_embeddings"),
            )?,
            token_type_embeddings: candle_nn::embedding(
                c.type_vocab_size,
                c.hidden_size,
                vb.pp("token_type_embeddings"),
            )?,
            layer_norm: candle_nn::layer_norm(c.hidden_size, c.layer_norm_eps, vb.pp("LayerNorm"))?,
        })
    }

    fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let (_, len) = ids.dims2()?;
        let positions = Tensor::arange(0u32, len as u32, ids.device())?.unsqueeze(0)?;
        let types = positions.zeros_like()?;
        let x = self.word_embeddings.forward(ids)?;
        let x = x.broadcast_add(&self.position_embeddings.forward(&positions)?)?;
        let x = x.broadcast_add(&self.token_type_embeddings.forward(&types)?)?;
        Ok(self.layer_norm.forward(&x)?)
    }
}

/// BertLayer: self-attention with its output projection and residual LayerNorm
/// (BertSelfAttention + BertSelfOutput), then the feed-forward (BertIntermediate + BertOutput).
struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_output: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
    heads: usize,
    head_dim: usize,
}

impl Layer {
    fn load(vb: VarBuilder, c: &BertConfig) -> Result<Layer> {
        let h = c.hidden_size;
        let attention = vb.pp("attention");
        let this = attention.pp("self");
        Ok(Layer {
            query: candle_nn::linear(h, h, this.pp("query"))?,
            key: candle_nn::linear(h, h, this.pp("key"))?,
            value: candle_nn::linear(h, h, this.pp("value"))?,
            attention_output: candle_nn::linear(h, h, attention.pp("output").pp("dense"))?,
            attention_norm: candle_nn::layer_norm(
                h,
                c.layer_norm_eps,
                attention.pp("output").pp("LayerNorm"),
            )?,
            intermediate: candle_nn::linear(
                h,
                c.intermediate_size,
                vb.pp("intermediate").pp("dense"),
            )?,
            output: candle_nn::linear(c.intermediate_size, h, vb.pp("output").pp("dense"))?,
            output_norm: candle_nn::layer_norm(
                h,
                c.layer_norm_eps,
                vb.pp("output").pp("LayerNorm"),
            )?,
            heads: c.num_attention_heads,
            head_dim: h / c.num_attention_heads,
        })
    }

    /// (1, tokens, hidden) -> (1, tokens, hidden).
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (b, len, hidden) = x.dims3()?;
        // (b, len, hidden) -> (b, heads, len, head_dim)
        let split = |t: Tensor| -> Result<Tensor> {
            Ok(t.reshape((b, len, self.heads, self.head_dim))?
                .transpose(1, 2)?
                .contiguous()?)
        };
        let q = split(self.query.forward(x)?)?;
        let k = split(self.key.forward(x)?)?;
        let v = split(self.value.forward(x)?)?;
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let scores = (q.matmul(&k.t()?.contiguous()?)? * scale)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((b, len, hidden))?;
        let attended = self
            .attention_norm
            .forward(&(self.attention_output.forward(&context)? + x)?)?;
        // hidden_act "gelu" in transformers is the exact erf form.
        let inner = self.intermediate.forward(&attended)?.gelu_erf()?;
        let out = self.output.forward(&inner)?;
        Ok(self.output_norm.forward(&(out + attended)?)?)
    }
}

pub struct Bert {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    hidden_size: usize,
}

impl Bert {
    pub fn load(vb: VarBuilder, c: &BertConfig) -> Result<Bert> {
        if c.hidden_act != "gelu" {
            return Err(ModelError::BadModel(format!(
                "hidden_act {:?} is not supported (only \"gelu\")",
                c.hidden_act
            )));
        }
        if c.num_attention_heads == 0 || !c.hidden_size.is_multiple_of(c.num_attention_heads) {
            return Err(ModelError::BadModel(format!(
                "{} heads do not divide a hidden size of {}",
                c.num_attention_heads, c.hidden_size
            )));
        }
        let embeddings = Embeddings::load(vb.pp("embeddings"), c)?;
        let layers = (0..c.num_hidden_layers)
            .map(|i| Layer::load(vb.pp("encoder").pp("layer").pp(i.to_string()), c))
            .collect::<Result<Vec<_>>>()?;
        Ok(Bert {
            embeddings,
            layers,
            hidden_size: c.hidden_size,
        })
    }

    /// Token ids (1, tokens) -> the last hidden state (1, tokens, hidden).
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let mut x = self.embeddings.forward(ids)?;
        for layer in &self.layers {
            x = layer.forward(&x)?;
        }
        Ok(x)
    }

    pub fn hidden_size(&self) -> usize {
        self.hidden_size
    }
}
