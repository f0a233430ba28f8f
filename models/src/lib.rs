//! Lantern's inference code: plain Rust that knows nothing of the browser, so the same code runs
//! in the offscreen workers (wasm32), in native tests and benches, and in the `lantern` CLI.
//!
//! Model families arrive here one by one (LLM, Whisper, VAD, TTS, vision, embeddings); each
//! documents the upstream reference it mirrors.

pub mod audio;
pub mod embed;
mod error;
mod kernels;
pub mod llm;
mod nn;
pub mod profile;
pub mod tts;
pub mod vad;
pub mod vision;
pub mod whisper;

pub use error::{ModelError, Result};
pub use kernels::qmatmul::QMatrix;
pub use kernels::speed_probe::{DecodeSpeed, measure_decode};
