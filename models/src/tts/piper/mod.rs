//! Piper voices (rhasspy/piper, `piper_train/vits`): VITS text to speech over phoneme ids, read
//! straight from the voice's ONNX export and its `.onnx.json`. The graph mirrors
//! `SynthesizerTrn.infer`: the text encoder (`enc_p`), the stochastic duration predictor (`dp`,
//! in reverse), the prior expanded to frames by the rounded-up durations (`generate_path`), the
//! flow (`flow`, in reverse) and the HiFi-GAN decoder (`dec`). Single-speaker voices only.
//!
//! Why the ONNX is read here rather than converted: users download Piper voices from the hub as
//! `.onnx` + `.onnx.json`, and the ONNX's weights are plain f32 initializers, so a converted copy
//! would be no smaller; reading it needs only its initializers and Conv nodes (`onnx.rs`).

mod config;
mod decoder;
mod duration;
mod flow;
mod layers;
mod onnx;
mod spline;
mod text_encoder;

use candle_core::{Device, Tensor};

pub use config::{BOS, EOS, PAD, Scales, VoiceConfig};

pub use crate::nn::Rng;
use crate::profile;
use crate::{ModelError, Result};

/// One synthesized sentence.
#[derive(Debug, Clone)]
pub struct Synthesis {
    /// Mono PCM in [-1, 1] at the voice's sample rate.
    pub samples: Vec<f32>,
    /// Latent frames given to each phoneme id (`w_ceil`); `hop_length` samples per frame.
    pub durations: Vec<u32>,
}

pub struct PiperVoice {
    config: VoiceConfig,
    enc_p: text_encoder::TextEncoder,
    dp: duration::DurationPredictor,
    flow: flow::Flow,
    dec: decoder::Decoder,
    device: Device,
}

impl PiperVoice {
    /// A voice from its `.onnx` and `.onnx.json` bytes.
    pub fn from_bytes(onnx: &[u8], config_json: &[u8]) -> Result<Self> {
        let config = VoiceConfig::from_json(config_json)?;
        let device = Device::Cpu;
        let weights = onnx::OnnxWeights::read(onnx, &device)?;
        if weights.tensors.contains_key("emb_g.weight") {
            return Err(ModelError::Unsupported(
                "a multi-speaker voice (only single-speaker Piper voices run)".into(),
            ));
        }
        let enc_p = text_encoder::TextEncoder::load(&weights)?;
        let dp = duration::DurationPredictor::load(&weights, enc_p.hidden_channels())?;
        let flow = flow::Flow::load(&weights, enc_p.inter_channels())?;
        let dec = decoder::Decoder::load(&weights, enc_p.inter_channels())?;
        Ok(PiperVoice {
            config,
            enc_p,
            dp,
            flow,
            dec,
            device,
        })
    }

    pub fn config(&self) -> &VoiceConfig {
        &self.config
    }

    pub fn sample_rate(&self) -> u32 {
        self.config.sample_rate
    }

    /// Output samples per latent frame (256 for Piper's medium and high voices).
    pub fn hop_length(&self) -> usize {
        self.dec.hop_length()
    }

    /// `phonemes` (espeak-ng IPA, one code point per phoneme) as this voice's framed ids.
    pub fn phoneme_ids(&self, phonemes: &str) -> Result<Vec<i64>> {
        self.config.phoneme_ids(phonemes)
    }

    /// Frames per phoneme id, without running the flow and decoder.
    pub fn durations(&self, ids: &[i64], scales: Scales, rng: &mut Rng) -> Result<Vec<u32>> {
        let ids = self.checked_ids(ids)?;
        let encoded = self.enc_p.forward(&ids)?;
        self.predict_durations(&encoded.hidden, scales, rng)
    }

    /// One sentence's phoneme ids (framed as `phoneme_ids` frames them) to audio.
    pub fn synthesize(&self, ids: &[i64], scales: Scales, rng: &mut Rng) -> Result<Synthesis> {
        let ids = self.checked_ids(ids)?;
        let encoded = {
            let _span = profile::span("piper_enc_p");
            self.enc_p.forward(&ids)?
        };
        let durations = self.predict_durations(&encoded.hidden, scales, rng)?;
        let z_p = {
            let _span = profile::span("piper_prior");
            self.prior_frames(&encoded, &durations, scales.noise_scale, rng)?
        };
        let z = {
            let _span = profile::span("piper_flow");
            self.flow.reverse(&z_p)?
        };
        let samples = {
            let _span = profile::span("piper_dec");
            self.dec.forward(&z)?.to_vec1::<f32>()?
        };
        Ok(Synthesis { samples, durations })
    }

    fn checked_ids(&self, ids: &[i64]) -> Result<Vec<u32>> {
        if ids.is_empty() {
            return Err(ModelError::Unsupported("no phoneme ids to speak".into()));
        }
        let vocab = self.enc_p.vocab_size();
        ids.iter()
            .map(|&id| {
                u32::try_from(id)
                    .ok()
                    .filter(|&id| (id as usize) < vocab)
                    .ok_or_else(|| {
                        ModelError::Unsupported(format!(
                            "phoneme id {id} is outside this voice's {vocab} symbols"
                        ))
                    })
            })
            .collect()
    }

    /// `w_ceil = ceil(exp(logw) * length_scale)`.
    fn predict_durations(
        &self,
        hidden: &Tensor,
        scales: Scales,
        rng: &mut Rng,
    ) -> Result<Vec<u32>> {
        let _span = profile::span("piper_dp");
        if !(scales.length_scale.is_finite() && scales.length_scale > 0.0) {
            return Err(ModelError::Unsupported(format!(
                "length_scale {} is not a positive number",
                scales.length_scale
            )));
        }
        let logw = self.dp.log_durations(hidden, scales.noise_w, rng)?;
        let logw = logw.flatten_all()?.to_vec1::<f32>()?;
        Ok(logw
            .iter()
            .map(|&l| {
                let w = (l.exp() * scales.length_scale).ceil();
                // A NaN or absurd duration would be a broken voice; keep the buffer sane.
                if w.is_finite() {
                    w.clamp(0.0, 10_000.0) as u32
                } else {
                    0
                }
            })
            .collect())
    }

    /// `z_p = m_p + ε · exp(logs_p) · noise_scale`, with the per-phoneme prior repeated over its
    /// frames (`generate_path` and the two matmuls with it).
    fn prior_frames(
        &self,
        encoded: &text_encoder::Encoded,
        durations: &[u32],
        noise_scale: f32,
        rng: &mut Rng,
    ) -> Result<Tensor> {
        let frame_phoneme: Vec<u32> = durations
            .iter()
            .enumerate()
            .flat_map(|(i, &d)| std::iter::repeat_n(i as u32, d as usize))
            .collect();
        let inter = self.enc_p.inter_channels();
        if frame_phoneme.is_empty() {
            // y_lengths is clamped to 1: one frame that no phoneme covers, so m = logs = 0.
            return Ok(Tensor::zeros(
                (1, inter, 1),
                candle_core::DType::F32,
                &self.device,
            )?);
        }
        let frames = frame_phoneme.len();
        let index = Tensor::new(frame_phoneme.as_slice(), &self.device)?;
        let mean = encoded.mean.index_select(&index, 2)?;
        if noise_scale == 0.0 {
            return Ok(mean);
        }
        let log_scale = encoded.log_scale.index_select(&index, 2)?;
        let noise = duration::standard_normal(rng, inter * frames);
        let noise = Tensor::from_vec(noise, (1, inter, frames), &self.device)?;
        let spread = ((noise * log_scale.exp()?)? * f64::from(noise_scale))?;
        Ok((mean + spread)?)
    }
}
