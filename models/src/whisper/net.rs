//! The network: candle-transformers' `whisper::model::Whisper` (f32, from HF safetensors) or
//! `whisper::quantized_model::Whisper` (from a GGUF with the same tensor names), behind one face.

use candle_core::{DType, Device, Tensor};
use candle_transformers::models::whisper::{Config, model, quantized_model};

use crate::Result;

pub enum Weights {
    /// `model.safetensors` in the Hugging Face layout (`model.encoder.*`, `model.decoder.*`).
    Safetensors(Vec<u8>),
    /// A GGUF whose tensors carry the same names, as candle's quantized whisper example uses.
    Gguf(Vec<u8>),
}

pub(crate) enum Net {
    Full(model::Whisper),
    Quantized(quantized_model::Whisper),
}

impl Net {
    pub fn load(weights: Weights, config: Config, device: &Device) -> Result<Self> {
        Ok(match weights {
            Weights::Safetensors(bytes) => {
                // f32 on the CPU: candle's f16 matmuls there are slower, and wasm32 has no f16.
                let vb =
                    candle_nn::VarBuilder::from_buffered_safetensors(bytes, DType::F32, device)?;
                Net::Full(model::Whisper::load(&vb, config)?)
            }
            Weights::Gguf(bytes) => {
                let vb = candle_transformers::quantized_var_builder::VarBuilder::from_gguf_buffer(
                    &bytes, device,
                )?;
                Net::Quantized(quantized_model::Whisper::load(&vb, config)?)
            }
        })
    }

    /// `model.encoder(mel)`: `(1, n_mels, 3000)` to `(1, 1500, d_model)`.
    pub fn encode(&mut self, mel: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Net::Full(m) => m.encoder.forward(mel, true)?,
            Net::Quantized(m) => m.encoder.forward(mel, true)?,
        })
    }

    /// The decoder's hidden states for every position of `tokens` `(1, n)`. `fresh` drops the
    /// cross-attention keys and values cached from the previous audio.
    pub fn decode(&mut self, tokens: &Tensor, audio: &Tensor, fresh: bool) -> Result<Tensor> {
        Ok(match self {
            Net::Full(m) => m.decoder.forward(tokens, audio, fresh)?,
            Net::Quantized(m) => m.decoder.forward(tokens, audio, fresh)?,
        })
    }

    /// Logits over the vocabulary for hidden states `(1, n, d_model)`.
    pub fn logits(&self, hidden: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Net::Full(m) => m.decoder.final_linear(hidden)?,
            Net::Quantized(m) => m.decoder.final_linear(hidden)?,
        })
    }
}
