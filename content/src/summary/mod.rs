//! How page text becomes prompts for a summary: the text fenced as data (`fence`), cut into parts
//! that fit the model's context (`chunk`), and the messages for each step of a map-reduce summary
//! in the chosen mode and language (`prompt`, `language`). No model code: the engine counts
//! tokens with the model's own tokenizer and passes the count in.

mod chunk;
mod fence;
mod language;
mod prompt;

pub use chunk::{Budget, split_into_parts};
pub use fence::{BEGIN, END, fence, sanitize};
pub use language::language_name;
pub use prompt::{Job, MAP_MAX_TOKENS, chat_context, final_prompt, map_prompt, reduce_prompt};
