//! The chat stratum: text in and out of a model. Messages rendered through the model's chat
//! template (`template`), text to token ids and back (`tokenizer`), and the tool calls a reply
//! makes read back out of its text (`tool_calls`), and its prose while it streams
//! (`prose_stream`). Knows nothing of the network.

mod plain_text;
mod prose_stream;
mod template;
mod tokenizer;
mod tool_calls;

pub use prose_stream::ProseStream;
pub use template::{ChatTemplate, Message};
pub use tokenizer::Tokenizer;
pub use tool_calls::{ParsedReply, ToolCall, ToolCallError, parse_tool_calls};
