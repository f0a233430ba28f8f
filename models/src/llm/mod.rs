//! Local chat LLMs from GGUF files: Lantern's own decoder (llama, qwen2, qwen3, phi3, gemma3)
//! over Candle's quantized tensors, the tokenizer, the chat template, sampling, and a stepwise
//! session (prefill, then one token per call) that a wasm worker drives and can stop anytime.
//!
//! A worker's loop, in outline:
//! ```text
//! let model = Arc::new(LlmModel::from_chunks(&chunks, None)?);   // chunks may be dropped after
//! let mut session = Session::new(model, 4096);
//! let prompt = session.chat_prompt(&messages, &tools, opts.max_tokens)?;  // trims old turns
//! session.start(prompt, opts)?;                  // keeps the cached prefix it shares
//! while !session.prefill_step()?.done {}         // report progress / check for stop between
//! loop { let step = session.next_token()?; send(step.delta); if step.finished.is_some() { break } }
//! session.cancel();                              // to stop early; session.reset() forgets all
//! parse_tool_calls(&reply_text)                  // then add the results and go again
//! ```

mod cache;
mod calculator;
mod config;
mod decoder;
mod model;
mod sampler;
mod session;
mod source;
mod stream;
mod template;
mod tokenizer;
mod tools;

pub use crate::kernels::rope::RopeStyle;
pub use crate::nn::Rng;
pub use cache::KvCache;
pub use calculator::{CALCULATOR, CalcError, calculate, calculator_tool, run_calculator};
pub use config::{Activation, Arch, Config};
pub use decoder::{Decoder, Trace};
pub use model::LlmModel;
pub use sampler::{Sampler, SamplingParams, argmax};
pub use session::{FinishReason, GenerateOptions, PrefillProgress, Session, Step};
pub use source::ChunkReader;
pub use stream::TextStream;
pub use template::{ChatTemplate, Message};
pub use tokenizer::Tokenizer;
pub use tools::{ParsedReply, ToolCall, ToolCallError, parse_tool_calls};
