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
    /// An architecture Lantern does not run.
    #[error("unsupported architecture {0:?}")]
    UnsupportedArch(String),
    /// The tokenizer could not be built or could not encode/decode.
    #[error("tokenizer error: {0}")]
    Tokenizer(String),
    /// The chat template did not parse or render.
    #[error("chat template error: {0}")]
    Template(String),
    /// One message (or the system prompt with the newest message) is longer than the context.
    #[error(
        "message {index} needs {tokens} tokens but the context holds {context} (with {reserved} kept for the reply)"
    )]
    MessageTooLong {
        index: usize,
        tokens: usize,
        context: usize,
        reserved: usize,
    },
    /// The context window is full: generation cannot take another token.
    #[error("the context window of {0} tokens is full")]
    ContextFull(usize),
    /// A call made out of order, e.g. `next_token` before `prefill`.
    #[error("{0}")]
    InvalidState(&'static str),
    /// A request's JSON (messages, tools) did not parse.
    #[error("bad JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Reading the weights failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The audio could not be decoded or has a shape we do not take (rate, channels, bit depth).
    #[error("bad audio: {0}")]
    BadAudio(String),
    /// The image could not be decoded, is of a format Lantern does not read, or is too big.
    #[error("bad image: {0}")]
    BadImage(String),
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
