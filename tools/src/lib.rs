//! Lantern's built-in tools the assistant may call: each is its JSON Schema, as chat templates
//! offer tools, and a function from a call's arguments to the JSON text the model reads back.
//! Pure Rust and native-testable; the offscreen worker runs them (`offscreen/src/chat_tools.rs`).
//! MCP's built-in servers will join them here.

pub mod calculator;
