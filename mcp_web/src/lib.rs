//! Lantern's MCP client in the browser: the `mcp` crate's client over the global `fetch`
//! (`fetch.rs`), or in-process to a server built into Lantern (`builtin.rs`), exported to
//! JavaScript as `McpSession` (`session.rs`). It uses only globals
//! that an offscreen document, a worker and Node ≥ 22 all have, so the conformance suite runs
//! the very module the extension ships.

#![deny(clippy::unwrap_used)]

mod builtin;
mod fetch;
mod handler;
mod session;

pub use session::McpSession;
