//! Local chat LLMs from GGUF files: Lantern's own decoder (llama, qwen2, qwen3, phi3, gemma3)
//! over Candle's quantized tensors, the tokenizer, the chat template, sampling, and a stepwise
//! session (prefill, then one token per call) that a wasm worker drives and can stop anytime.

mod cache;
mod config;
mod decoder;
mod model;
mod rope;
mod sampler;
mod session;
mod source;
mod stream;
mod template;
mod tokenizer;
mod tools;

pub use cache::KvCache;
pub use config::{Activation, Arch, Config, RopeStyle};
pub use decoder::Decoder;
pub use model::LlmModel;
pub use sampler::{Rng, Sampler, SamplingParams, argmax};
pub use session::{FinishReason, GenerateOptions, PrefillProgress, Session, Step};
pub use source::ChunkReader;
pub use stream::TextStream;
pub use template::{ChatTemplate, Message};
pub use tokenizer::Tokenizer;
pub use tools::{ParsedReply, ToolCall, ToolCallError, parse_tool_calls};
