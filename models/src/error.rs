//! The one error type of the `models` crate: every model family reports through `ModelError`.

/// What went wrong while loading or running a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Candle failed: a malformed tensor, a shape mismatch, an unsupported quantization.
    #[error("tensor error: {0}")]
    Candle(#[from] candle_core::Error),
    /// The weights file is readable but lacks something this model needs, or holds a wrong value.
    #[error("bad model file: {0}")]
    BadModel(String),
    /// The tokenizer could not be built or could not encode/decode.
    #[error("tokenizer error: {0}")]
    Tokenizer(String),
    /// A request's JSON (messages, tools) did not parse.
    #[error("bad JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Reading the weights failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The audio could not be decoded or has a shape we do not take (rate, channels, bit depth).
    #[error("bad audio: {0}")]
    BadAudio(String),
    /// A request the loaded model cannot serve, e.g. translation with an English-only Whisper.
    #[error("unsupported request: {0}")]
    Unsupported(String),
    /// The caller's progress callback asked to stop.
    #[error("cancelled")]
    Cancelled,
}

impl From<hound::Error> for ModelError {
    fn from(error: hound::Error) -> Self {
        match error {
            hound::Error::IoError(io) => ModelError::Io(io),
            other => ModelError::BadAudio(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, ModelError>;
