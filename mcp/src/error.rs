//! Every way an MCP exchange fails, each with what the user or the model needs to act on it.

use crate::jsonrpc::RpcError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum McpError {
    /// The server could not be reached at all (refused, reset, DNS, offline).
    #[error("the server could not be reached: {0}")]
    Unreachable(String),
    /// The server refused the request's `Origin` (local servers that guard against DNS rebinding).
    #[error("the server refused this browser's Origin header (HTTP 403: {0})")]
    OriginRefused(String),
    /// The server wants credentials.
    #[error("the server requires authorization (HTTP 401)")]
    Unauthorized,
    /// An HTTP status that is not a JSON-RPC answer.
    #[error("the server answered HTTP {status}: {body}")]
    Http { status: u16, body: String },
    /// A JSON-RPC error from the server.
    #[error("the server returned error {}: {}", .0.code, .0.message)]
    Rpc(RpcError),
    /// What came back is not MCP.
    #[error("the server's answer is not valid MCP: {0}")]
    Protocol(String),
    /// The server speaks no revision this client knows.
    #[error("the server speaks none of the protocol versions this client knows ({0})")]
    NoCommonVersion(String),
    /// The response ended without an answer and could not be resumed.
    #[error("the server closed the response before answering")]
    StreamEnded,
    /// The caller cancelled the request.
    #[error("the request was cancelled")]
    Cancelled,
    /// A tool the server listed cannot be called as it is described.
    #[error("tool {tool:?} cannot be called: {reason}")]
    InvalidTool { tool: String, reason: String },
}

impl McpError {
    /// A stable word for the kind of failure, for code that acts on it (the UI words it).
    pub fn code(&self) -> &'static str {
        match self {
            McpError::Unreachable(_) => "unreachable",
            McpError::OriginRefused(_) => "origin_refused",
            McpError::Unauthorized => "unauthorized",
            McpError::Http { .. } => "http",
            McpError::Rpc(_) => "rpc",
            McpError::Protocol(_) => "protocol",
            McpError::NoCommonVersion(_) => "no_common_version",
            McpError::StreamEnded => "stream_ended",
            McpError::Cancelled => "cancelled",
            McpError::InvalidTool { .. } => "invalid_tool",
        }
    }

    /// Whether a failed `server/discover` means "try the older protocol" rather than "give up".
    pub fn suggests_older_protocol(&self) -> bool {
        match self {
            McpError::Http { status, .. } => matches!(status, 400 | 404 | 405 | 406 | 415),
            McpError::Rpc(_) => true,
            McpError::Protocol(_) => true,
            _ => false,
        }
    }
}
