//! The user's own model servers (llama.cpp's server, Ollama, vLLM, LM Studio, LocalAI), spoken
//! to in the OpenAI dialect: where each endpoint is (`endpoint`), what a chat request sends
//! (`body`), the conversation cut to the server's context (`fit`), what `/v1/models` and `/props` say (`models`), the streamed answer assembled from
//! its Server-Sent Events (`stream`), and every failure by name (`error`). No browser code: the
//! offscreen document fetches, this crate reads and writes, and native tests feed it hostile input.

// Hostile server input must never panic the document; tests may.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod body;
pub mod endpoint;
pub mod error;
pub mod fit;
pub mod models;
pub mod stream;

pub use body::{chat_body, tool_schema, with_tool_markup};
pub use endpoint::{Endpoint, base_url};
pub use error::{BackendError, from_status};
pub use fit::{estimate_tokens, fit_to_context};
pub use models::{context_from_props, parse_models};
pub use stream::{Completion, CompletionStream, StreamedCall, Usage};
