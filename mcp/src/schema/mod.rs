//! The MCP types Lantern reads and writes, by area. Unknown fields are ignored when read; values
//! a server chose (schemas, structured content, `_meta`) are kept as raw JSON, untouched.

pub mod content;
pub mod elicitation;
pub mod notifications;
pub mod prompts;
pub mod resources;
pub mod server;
pub mod tools;

pub use content::{Content, ResourceContents};
pub use server::{ClientInfo, ServerCapabilities, ServerDescription};
pub use tools::{CallToolResult, Tool};
