//! A Kokoro voice: its style pack, raw f32 little-endian `[510, 1, 256]` (kokoro-js
//! `voices/*.bin`; the `.pt` packs of hexgrad/Kokoro-82M hold the same tensor). Row `n - 1` is
//! the style for an utterance of `n` phonemes: its first 128 values condition the decoder, the
//! last 128 the prosody predictor.

use candle_core::{Device, Tensor};

use crate::{ModelError, Result};

const STYLE_DIM: usize = 256;

pub struct KokoroVoice {
    styles: Vec<f32>,
    rows: usize,
}

impl KokoroVoice {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let row_bytes = STYLE_DIM * 4;
        if bytes.is_empty() || !bytes.len().is_multiple_of(row_bytes) {
            return Err(ModelError::BadModel(format!(
                "a Kokoro voice is rows of {STYLE_DIM} f32 values ({row_bytes} bytes); this file has {} bytes",
                bytes.len()
            )));
        }
        let styles: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if let Some(i) = styles.iter().position(|v| !v.is_finite()) {
            return Err(ModelError::BadModel(format!(
                "Kokoro voice: value {i} is not a finite number"
            )));
        }
        Ok(Self {
            rows: styles.len() / STYLE_DIM,
            styles,
        })
    }

    /// The style `[1, 256]` for `n_phonemes` phonemes (the last row for longer input).
    pub fn style(&self, n_phonemes: usize, device: &Device) -> Result<Tensor> {
        let row = n_phonemes.clamp(1, self.rows) - 1;
        let values = self.styles[row * STYLE_DIM..(row + 1) * STYLE_DIM].to_vec();
        Ok(Tensor::from_vec(values, (1, STYLE_DIM), device)?)
    }
}
