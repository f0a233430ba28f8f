//! The `config.json` fields of a Hugging Face `BertModel` the encoder needs.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    /// Only `gelu` (the exact, erf form) is known; anything else is refused at load.
    pub hidden_act: String,
}
