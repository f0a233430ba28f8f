//! What every model family builds on, written once (as candle-transformers' `quantized_nn.rs`
//! and `utils.rs` are): where weights come from, `Linear` over them, typed reads of GGUF
//! metadata, and a seedable random generator. The LLM and Whisper use these; text-to-speech,
//! vision and embeddings will too.

pub(crate) mod gguf_metadata;
pub(crate) mod gguf_read;
pub(crate) mod linear;
pub(crate) mod onnx;
pub(crate) mod rng;
pub(crate) mod source;

pub(crate) use linear::{Linear, QuantizedKernel, Weight};
pub use rng::Rng;
pub(crate) use source::{Gguf, Source};
