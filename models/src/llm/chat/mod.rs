//! The chat stratum: text in and out of a model. Messages rendered through the model's chat
//! template (`template`), text to token ids and back (`tokenizer`), and the tool calls a reply
//! makes read back out of its text (`tool_calls`). Knows nothing of the network.

mod template;
mod tokenizer;
mod tool_calls;

pub use template::{ChatTemplate, Message};
pub use tokenizer::Tokenizer;
pub use tool_calls::{ParsedReply, ToolCall, ToolCallError, parse_tool_calls};
