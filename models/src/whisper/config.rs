//! The Hugging Face `config.json` fields Whisper's shape comes from (openai-whisper's
//! `ModelDimensions` under their transformers names, as candle-transformers' `whisper::Config`).

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Config {
    /// `n_mels`
    pub num_mel_bins: usize,
    /// `n_audio_ctx`
    pub max_source_positions: usize,
    /// `n_audio_state` = `n_text_state`
    pub d_model: usize,
    /// `n_audio_head`
    pub encoder_attention_heads: usize,
    /// `n_audio_layer`
    pub encoder_layers: usize,
    /// `n_vocab`
    pub vocab_size: usize,
    /// `n_text_ctx`
    pub max_target_positions: usize,
    /// `n_text_head`
    pub decoder_attention_heads: usize,
    /// `n_text_layer`
    pub decoder_layers: usize,
    /// The non-speech tokens `suppress_tokens="-1"` stands for.
    #[serde(default)]
    pub suppress_tokens: Vec<u32>,
}
