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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pack_of_whole_rows_loads_and_picks_the_row_by_length() -> Result<()> {
        let values: Vec<f32> = (0..3 * STYLE_DIM).map(|i| (i / STYLE_DIM) as f32).collect();
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let voice = KokoroVoice::from_bytes(&bytes)?;
        let row = |n| -> Result<f32> {
            Ok(voice
                .style(n, &Device::Cpu)?
                .flatten_all()?
                .to_vec1::<f32>()?[0])
        };
        assert_eq!(row(1)?, 0.0);
        assert_eq!(row(3)?, 2.0);
        // Longer input than the pack has rows: the last row.
        assert_eq!(row(40)?, 2.0);
        Ok(())
    }

    #[test]
    fn corrupt_packs_are_refused_with_a_reason() {
        let error = |bytes: &[u8]| match KokoroVoice::from_bytes(bytes) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted {} bytes", bytes.len()),
        };
        assert!(error(&[]).contains("0 bytes"));
        assert!(error(&[0u8; 1000]).contains("1000 bytes"));
        let mut nan = vec![0u8; STYLE_DIM * 4];
        nan[8..12].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(error(&nan).contains("value 2"));
    }
}
