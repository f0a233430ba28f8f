//! Lantern's built-in tools the assistant may call, and the built-in MCP servers that offer
//! them: each server implements `mcp::server::Server` and is reached through the MCP client
//! over the in-process transport (`in_process`), as the user's servers are over HTTP. Pure
//! Rust and native-testable; the offscreen worker runs the calculator
//! (`offscreen/src/engines/llm/tools.rs`).

pub mod calculator;
pub mod calculator_server;
pub mod files;
pub mod in_process;
pub mod memories;
