//! Speech to text with OpenAI's Whisper. The network (`net.rs`) mirrors openai-whisper's
//! `model.py` over the Hugging Face safetensors layout candle-transformers' `models::whisper`
//! loads (or a quantized GGUF of it); the decoding around it mirrors
//! openai-whisper 20250625 (`decoding.py`, `transcribe.py`):
//! language detection, transcribe and translate, timestamped segments, long audio in 30-second
//! windows that seek to the last timestamp, temperature fallback on repetitive or improbable
//! text, and silence skipped by the no-speech probability and, when given, by VAD segments.

mod config;
mod decode;
mod layers;
mod net;
mod tokens;
mod transcribe;

use candle_core::{D, Device, IndexOp, Tensor};
use tokenizers::Tokenizer;

pub use config::Config;
pub use net::Weights;
pub use tokens::SpecialTokens;
pub use transcribe::{Progress, Segment, Task, TranscribeOptions, Transcript, Transcription};

use crate::audio::{LogMel, MelFilters, log_mel_spectrogram};
use crate::{ModelError, Result};

/// `N_FRAMES`: mel frames in one 30-second window.
pub const N_FRAMES: usize = 3000;
/// `N_SAMPLES`: 16 kHz samples in one 30-second window.
pub const N_SAMPLES: usize = 480_000;

/// Everything a Whisper model is made of, as bytes (so a wasm worker can hand them over).
pub struct WhisperFiles {
    /// The Hugging Face `config.json` (dimensions, `suppress_tokens`).
    pub config: Vec<u8>,
    /// The Hugging Face `tokenizer.json`.
    pub tokenizer: Vec<u8>,
    pub weights: Weights,
    /// openai-whisper's `mel_filters.npz`, or raw little-endian f32 filters for this model's bins.
    pub mel_filters: Vec<u8>,
}

pub struct Whisper {
    net: net::Net,
    config: Config,
    tokenizer: Tokenizer,
    tokens: SpecialTokens,
    /// What `SuppressTokens` always bans.
    suppress: Vec<u32>,
    filters: MelFilters,
    device: Device,
}

impl Whisper {
    pub fn load(files: WhisperFiles) -> Result<Self> {
        let device = Device::Cpu;
        let config: Config = serde_json::from_slice(&files.config)?;
        let tokenizer = Tokenizer::from_bytes(&files.tokenizer)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        let tokens = SpecialTokens::from_tokenizer(&tokenizer)?;
        if tokens.timestamp_begin as usize >= config.vocab_size {
            return Err(ModelError::BadModel(format!(
                "tokenizer's timestamps start at {} but the model has {} tokens",
                tokens.timestamp_begin, config.vocab_size
            )));
        }
        let filters = MelFilters::from_bytes(&files.mel_filters, config.num_mel_bins)?;
        let suppress = Self::suppress_list(&config.suppress_tokens, &tokens);
        let net = net::Net::load(files.weights, &config, &device)?;
        Ok(Whisper {
            net,
            config,
            tokenizer,
            tokens,
            suppress,
            filters,
            device,
        })
    }

    /// Loads from a model directory (`config.json`, `tokenizer.json`, and `model.safetensors` or
    /// one `*.gguf`), or from a `.safetensors` / `.gguf` file with those JSON files beside it. Not
    /// in the browser (no file system); WASI builds (the wasm speed checks under Node) have one.
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn from_path(model: &std::path::Path, mel_filters: &std::path::Path) -> Result<Self> {
        let (dir, weights_path) = if model.is_dir() {
            let gguf = std::fs::read_dir(model)?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .find(|p| p.extension().is_some_and(|e| e == "gguf"));
            let safetensors = model.join("model.safetensors");
            let weights = if safetensors.is_file() {
                safetensors
            } else {
                gguf.ok_or_else(|| {
                    ModelError::BadModel(format!(
                        "{} has neither model.safetensors nor a .gguf",
                        model.display()
                    ))
                })?
            };
            (model.to_path_buf(), weights)
        } else {
            let dir = model
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            (dir, model.to_path_buf())
        };
        let bytes = std::fs::read(&weights_path)?;
        let weights = if weights_path.extension().is_some_and(|e| e == "gguf") {
            Weights::Gguf(bytes)
        } else {
            Weights::Safetensors(bytes)
        };
        Self::load(WhisperFiles {
            config: std::fs::read(dir.join("config.json"))?,
            tokenizer: std::fs::read(dir.join("tokenizer.json"))?,
            weights,
            mel_filters: std::fs::read(mel_filters)?,
        })
    }

    /// `model.is_multilingual`: English-only vocabularies are one token shorter.
    pub fn is_multilingual(&self) -> bool {
        self.config.vocab_size >= 51865
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn special_tokens(&self) -> &SpecialTokens {
        &self.tokens
    }

    /// The log-mel spectrogram of 16 kHz `samples` with this model's bins, `padding` zeros after.
    pub fn mel(&self, samples: &[f32], padding: usize) -> LogMel {
        log_mel_spectrogram(samples, &self.filters, padding)
    }

    /// The encoder's output for the 3000 frames from `start` (zero past `size` frames).
    pub(crate) fn encode_window(
        &mut self,
        mel: &LogMel,
        start: usize,
        size: usize,
    ) -> Result<Tensor> {
        let window = mel.window(start, size, N_FRAMES);
        let input = Tensor::from_vec(window, (1, mel.n_mels, N_FRAMES), &self.device)?;
        self.net.encode(&input)
    }

    /// `Whisper.detect_language`: the language tokens' probabilities after
    /// `<|startoftranscript|>`, most likely first. English-only models answer English.
    pub fn detect_language(&mut self, samples: &[f32]) -> Result<Vec<(String, f32)>> {
        let mel = self.mel(samples, N_SAMPLES);
        let frames = mel.n_frames.saturating_sub(N_FRAMES).min(N_FRAMES);
        let audio = self.encode_window(&mel, 0, frames)?;
        self.language_probs(&audio)
    }

    pub(crate) fn language_probs(&mut self, audio: &Tensor) -> Result<Vec<(String, f32)>> {
        if !self.is_multilingual() {
            return Ok(vec![("en".to_string(), 1.0)]);
        }
        let sot = Tensor::new(&[self.tokens.sot], &self.device)?.unsqueeze(0)?;
        let hidden = self.net.decode(&sot, audio, true)?;
        let logits = self.net.logits(&hidden)?.i((0, 0))?;
        let ids: Vec<u32> = self.tokens.languages.iter().map(|(_, t)| *t).collect();
        let index = Tensor::new(ids.as_slice(), &self.device)?;
        let probs = candle_nn::ops::softmax(&logits.index_select(&index, 0)?, D::Minus1)?;
        let mut out: Vec<(String, f32)> = self
            .tokens
            .languages
            .iter()
            .map(|(code, _)| code.clone())
            .zip(probs.to_vec1::<f32>()?)
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        Ok(out)
    }
}
