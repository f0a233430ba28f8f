//! Kokoro-82M (hexgrad/kokoro `model.py` `KModel.forward_with_tokens`) in Candle: phoneme ids,
//! a voice's style vector and a speed to 24 kHz PCM and frames per phoneme.
//!
//! Weights come from the int8 ONNX export, dequantized to f32 at load (about 330 MB for 82 M
//! parameters). The pipeline, with upstream names:
//! `bert` + `bert_encoder` -> `predictor.text_encoder` -> `predictor.lstm` / `duration_proj`
//! (durations) -> alignment -> `predictor.F0Ntrain` (F0, energy) and `text_encoder` -> `decoder`.

mod albert;
mod decoder;
mod layers;
mod onnx;
mod prosody;
mod source;
mod text_encoder;
mod voice;

use candle_core::{Device, Tensor};

pub use voice::KokoroVoice;

use crate::{ModelError, Result};

/// Kokoro-82M's `config.json` values the graph depends on.
const HIDDEN_DIM: usize = 512;
const N_LAYER: usize = 3;
/// Audio samples per predicted frame: F0 runs at twice the frame rate, 300 samples a value.
pub const SAMPLES_PER_FRAME: usize = 600;

/// What one pass produces.
#[derive(Debug, Clone)]
pub struct KokoroSpeech {
    /// Mono PCM at [`Kokoro::SAMPLE_RATE`].
    pub pcm: Vec<f32>,
    /// Frames ([`SAMPLES_PER_FRAME`] samples each) per input position, including the boundary
    /// token 0 that is added before and after the ids.
    pub durations: Vec<usize>,
    /// The predicted F0 curve in Hz, two values per frame.
    pub f0: Vec<f32>,
}

pub struct Kokoro {
    bert: albert::Albert,
    predictor: prosody::Prosody,
    text_encoder: text_encoder::TextEncoder,
    decoder: decoder::Decoder,
    device: Device,
    n_tokens: usize,
    f32_bytes: usize,
}

impl Kokoro {
    pub const SAMPLE_RATE: u32 = 24_000;
    /// Phoneme ids one pass takes (512 positions less the two boundary tokens).
    pub const MAX_IDS: usize = 510;

    /// Loads `kokoro-v1.0.int8.onnx` (or any export with the same node names) from its bytes,
    /// onto the CPU (natively, or in a wasm32 worker).
    pub fn from_onnx(bytes: &[u8]) -> Result<Self> {
        let device = &Device::Cpu;
        let w = onnx::KokoroWeights::read(bytes, device)?;
        let bert = albert::Albert::load(&w)?;
        let n_tokens = w.get("text_encoder.embedding.weight")?.dim(0)?;
        Ok(Self {
            bert,
            predictor: prosody::Prosody::load(&w, N_LAYER, HIDDEN_DIM)?,
            text_encoder: text_encoder::TextEncoder::load(&w, N_LAYER)?,
            decoder: decoder::Decoder::load(&w, HIDDEN_DIM)?,
            device: device.clone(),
            n_tokens,
            f32_bytes: w.f32_bytes(),
        })
    }

    /// Bytes the dequantized weights take.
    pub fn weight_bytes(&self) -> usize {
        self.f32_bytes
    }

    /// One pass over at most [`Self::MAX_IDS`] phoneme ids.
    pub fn synthesize(&self, ids: &[u32], voice: &KokoroVoice, speed: f32) -> Result<KokoroSpeech> {
        if !(speed.is_finite() && speed > 0.0) {
            return Err(ModelError::Unsupported(format!(
                "Kokoro: speed {speed} must be a positive number"
            )));
        }
        self.run(ids, voice, Durations::Predict(speed))
    }

    /// As [`Self::synthesize`], with the frames per position given (one per id plus the two
    /// boundary tokens) instead of predicted: to compare two engines on the same alignment.
    pub fn synthesize_with_durations(
        &self,
        ids: &[u32],
        voice: &KokoroVoice,
        durations: &[usize],
    ) -> Result<KokoroSpeech> {
        if durations.len() != ids.len() + 2 {
            return Err(ModelError::Unsupported(format!(
                "Kokoro: {} durations for {} ids (one per id and per boundary token)",
                durations.len(),
                ids.len()
            )));
        }
        if durations.contains(&0) {
            return Err(ModelError::Unsupported(
                "Kokoro: a duration of 0 frames".into(),
            ));
        }
        self.run(ids, voice, Durations::Given(durations))
    }

    fn run(&self, ids: &[u32], voice: &KokoroVoice, durations: Durations) -> Result<KokoroSpeech> {
        self.check_ids(ids)?;
        // `ref_s = pack[len(phonemes) - 1]`: the voice's style for an utterance of this length.
        let ref_s = voice.style(ids.len(), &self.device)?;
        let s_decoder = ref_s.narrow(1, 0, 128)?;
        let s_prosody = ref_s.narrow(1, 128, 128)?;

        let mut padded = Vec::with_capacity(ids.len() + 2);
        padded.push(0);
        padded.extend_from_slice(ids);
        padded.push(0);
        let t = padded.len();
        let input_ids = Tensor::from_vec(padded, t, &self.device)?;

        let d_en = self.bert.forward(&input_ids)?;
        let d = self.predictor.encode(&d_en, &s_prosody)?;
        let durations = match durations {
            Durations::Predict(speed) => self.predictor.durations(&d, speed)?,
            Durations::Given(given) => given.to_vec(),
        };
        let alignment = alignment(&durations, &self.device)?;
        // en = d.T @ pred_aln_trg
        let en = d.t()?.matmul(&alignment)?;
        let (f0, n) = self.predictor.f0_n(&en, &s_prosody)?;
        let asr = self.text_encoder.forward(&input_ids)?.matmul(&alignment)?;
        let pcm = self.decoder.forward(&asr, &f0, &n, &s_decoder)?;
        Ok(KokoroSpeech {
            pcm,
            durations,
            f0: f0.to_vec1()?,
        })
    }

    fn check_ids(&self, ids: &[u32]) -> Result<()> {
        if ids.is_empty() {
            return Err(ModelError::Unsupported(
                "Kokoro: no phonemes to speak".into(),
            ));
        }
        if ids.len() > Self::MAX_IDS.min(self.bert.max_positions().saturating_sub(2)) {
            return Err(ModelError::Unsupported(format!(
                "Kokoro takes at most {} phonemes per pass, got {}; split the text first",
                Self::MAX_IDS,
                ids.len()
            )));
        }
        if let Some(bad) = ids.iter().find(|&&id| id as usize >= self.n_tokens) {
            return Err(ModelError::Unsupported(format!(
                "Kokoro: phoneme id {bad} is outside its vocabulary of {} ids",
                self.n_tokens
            )));
        }
        Ok(())
    }

    /// Any number of ids: split at clause and sentence boundaries into passes of at most
    /// [`Self::MAX_IDS`], spoken one after another.
    pub fn synthesize_long(
        &self,
        ids: &[u32],
        break_ids: &[u32],
        voice: &KokoroVoice,
        speed: f32,
    ) -> Result<Vec<KokoroSpeech>> {
        split_ids(ids, break_ids, Self::MAX_IDS)
            .into_iter()
            .map(|chunk| self.synthesize(chunk, voice, speed))
            .collect()
    }
}

enum Durations<'a> {
    Predict(f32),
    Given(&'a [usize]),
}

/// `pred_aln_trg`: `[T, frames]`, one 1 per frame in the row of the phoneme it belongs to.
fn alignment(durations: &[usize], device: &Device) -> Result<Tensor> {
    let frames: usize = durations.iter().sum();
    let mut a = vec![0f32; durations.len() * frames];
    let mut col = 0;
    for (row, &d) in durations.iter().enumerate() {
        for c in col..col + d {
            a[row * frames + c] = 1.0;
        }
        col += d;
    }
    Ok(Tensor::from_vec(a, (durations.len(), frames), device)?)
}

/// Cuts `ids` into pieces of at most `max` ids, each ending after the last id in `break_ids`
/// (sentence punctuation first, then clause punctuation and spaces, as the caller orders them)
/// that keeps it within `max`; a piece with no such id is cut at `max`.
pub fn split_ids<'a>(ids: &'a [u32], break_ids: &[u32], max: usize) -> Vec<&'a [u32]> {
    let mut out = Vec::new();
    let mut rest = ids;
    while rest.len() > max {
        let window = &rest[..max];
        let cut = break_ids
            .iter()
            .find_map(|b| window.iter().rposition(|id| id == b).map(|p| p + 1))
            .filter(|&p| p > 0)
            .unwrap_or(max);
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_input_is_cut_after_the_last_break_that_fits() {
        let ids: Vec<u32> = vec![1, 2, 9, 3, 4, 8, 5, 6, 7];
        assert_eq!(
            split_ids(&ids, &[9, 8], 5),
            vec![&ids[..3], &ids[3..6], &ids[6..]]
        );
        assert_eq!(
            split_ids(&ids, &[], 4),
            vec![&ids[..4], &ids[4..8], &ids[8..]]
        );
        assert_eq!(split_ids(&ids, &[9], 20), vec![&ids[..]]);
    }

    #[test]
    fn a_file_that_is_not_the_model_is_refused() {
        for bytes in [&b"not a protobuf at all"[..], &[]] {
            match Kokoro::from_onnx(bytes) {
                Err(ModelError::BadModel(why)) => assert!(!why.is_empty()),
                Err(other) => panic!("unexpected error {other}"),
                Ok(_) => panic!("accepted {} bytes", bytes.len()),
            }
        }
    }

    #[test]
    fn alignment_puts_each_frame_under_its_phoneme() -> Result<()> {
        let a = alignment(&[2, 1], &Device::Cpu)?.to_vec2::<f32>()?;
        assert_eq!(a, vec![vec![1.0, 1.0, 0.0], vec![0.0, 0.0, 1.0]]);
        Ok(())
    }
}
