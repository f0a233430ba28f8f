//! The generation stratum: a conversation run step by step on a loaded model (`session`), the
//! next token picked from the logits (`sampler`), and token bytes turned into text deltas that
//! never split a character or show part of a stop string (`stream`).

mod sampler;
mod session;
mod stream;

pub use sampler::{Sampler, SamplingParams, argmax};
pub use session::{FinishReason, GenerateOptions, PrefillProgress, Session, Step};
pub use stream::TextStream;
