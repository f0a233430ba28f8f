//! Sentence embeddings with all-MiniLM-L6-v2 (sentence-transformers): a BERT encoder
//! (`bert.rs`, mirroring Hugging Face transformers' `modeling_bert.py` over its safetensors
//! names), then sentence-transformers' `Pooling` (mean over the tokens) and `Normalize` (L2),
//! so the dot product of two embeddings is their cosine similarity.

mod bert;
mod config;

use candle_core::{DType, Device, Tensor};
use tokenizers::{Tokenizer, TruncationParams};

pub use config::BertConfig;

use crate::{ModelError, Result};

/// sentence-transformers' `max_seq_length` for all-MiniLM-L6-v2: longer input is cut there
/// (the model was trained on at most 256 word pieces).
pub const MAX_TOKENS: usize = 256;

/// What an embedding model is made of, as bytes (a wasm worker hands them over).
pub struct EmbedFiles {
    /// Hugging Face `config.json`.
    pub config: Vec<u8>,
    /// Hugging Face `tokenizer.json`.
    pub tokenizer: Vec<u8>,
    /// `model.safetensors` (f32).
    pub weights: Vec<u8>,
}

pub struct Embedder {
    bert: bert::Bert,
    tokenizer: Tokenizer,
    device: Device,
}

impl Embedder {
    pub fn load(files: EmbedFiles) -> Result<Embedder> {
        let device = Device::Cpu;
        // A folder the user brought may hold another model's files: that is the model's fault,
        // said as such, not a failure of ours.
        let config: BertConfig = serde_json::from_slice(&files.config).map_err(|e| {
            ModelError::BadModel(format!(
                "config.json is not a BERT config Lantern reads ({e})"
            ))
        })?;
        let mut tokenizer = Tokenizer::from_bytes(&files.tokenizer)
            .map_err(|e| ModelError::BadModel(format!("tokenizer.json cannot be read ({e})")))?;
        // One text at a time: no padding, so no attention mask is needed.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS.min(config.max_position_embeddings),
                ..TruncationParams::default()
            }))
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        let vb =
            candle_nn::VarBuilder::from_buffered_safetensors(files.weights, DType::F32, &device)?;
        let bert = bert::Bert::load(vb, &config)?;
        Ok(Embedder {
            bert,
            tokenizer,
            device,
        })
    }

    /// The word-piece ids of `text` as the model reads them (`[CLS] ... [SEP]`, cut at
    /// [`MAX_TOKENS`]).
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        Ok(encoding.get_ids().to_vec())
    }

    /// The unit-length embedding of `text`.
    pub fn embed(&self, text: &str) -> Result<Vec<f32>> {
        let ids = self.token_ids(text)?;
        self.embed_ids(&ids)
    }

    /// The unit-length embedding of a sequence of word-piece ids.
    pub fn embed_ids(&self, ids: &[u32]) -> Result<Vec<f32>> {
        if ids.is_empty() {
            return Err(ModelError::InvalidState("nothing to embed"));
        }
        let input = Tensor::new(ids, &self.device)?.unsqueeze(0)?;
        // (1, tokens, hidden) -> mean over the tokens -> L2 normalised.
        let hidden = self.bert.forward(&input)?;
        let mean = hidden.mean(1)?.squeeze(0)?;
        let norm = mean.sqr()?.sum_all()?.sqrt()?.to_scalar::<f32>()?;
        let unit = (mean / f64::from(norm.max(1e-12)))?;
        Ok(unit.to_vec1::<f32>()?)
    }

    /// How many numbers an embedding has.
    pub fn dimensions(&self) -> usize {
        self.bert.hidden_size()
    }
}

/// The cosine similarity of two unit-length embeddings.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
