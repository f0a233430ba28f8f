//! Local chat LLMs from GGUF files: Lantern's own decoder (llama, qwen2, qwen3, phi3, gemma3)
//! over Candle's quantized tensors, the tokenizer, the chat template, sampling, and a stepwise
//! session (prefill, then one token per call) that a wasm worker drives and can stop anytime.
//!
//! In strata, each using only those below it (the arithmetic is in `crate::kernels`, the
//! layers shared with other model families in `crate::nn`):
//! - `arch`: the network, from hyper-parameters and weights to logits, with its KV cache;
//! - `chat`: text in and out (chat template, tokenizer, tool calls in a reply);
//! - `model`: one GGUF loaded as a decoder with its tokenizer and template;
//! - `generation`: a conversation run step by step, sampling, streamed text.
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

mod arch;
mod chat;
mod generation;
mod model;

pub use crate::kernels::rope::RopeStyle;
pub use crate::nn::Rng;
pub use arch::{Activation, Arch, ChunkReader, Config, Decoder, KvCache, Trace};
pub use chat::{
    ChatTemplate, Message, ParsedReply, ProseStream, Tokenizer, ToolCall, ToolCallError,
    parse_tool_calls,
};
pub use generation::{
    FinishReason, GenerateOptions, PrefillProgress, Sampler, SamplingParams, Session, Step,
    TextStream, argmax,
};
pub use model::LlmModel;
