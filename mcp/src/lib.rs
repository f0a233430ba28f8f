//! Lantern's Model Context Protocol client, without the browser: what goes over the wire
//! (`jsonrpc`, `schema`), the Streamable HTTP transport's pure parts (`http`), a client that
//! speaks both protocol generations over any [`client::Transport`] (`client`), and the server
//! side of the servers built into Lantern with a transport that reaches them in-process
//! (`server`). The extension drives the client with `fetch` (the `mcp_web` crate); tests drive
//! it natively.

// The extension must never panic on what a server sends; a failing test should.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod client;
pub mod error;
pub mod http;
pub mod jsonrpc;
pub mod schema;
pub mod server;
pub mod version;

pub use client::{Client, ClientConfig, Handler, Transport};
pub use error::McpError;
pub use version::ProtocolVersion;
