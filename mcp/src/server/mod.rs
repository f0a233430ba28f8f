//! The server side of MCP, for servers that live inside Lantern (the built-in ones): a
//! [`Server`] says what it offers and runs calls; [`answer`] turns one JSON-RPC message into
//! the server's reply for either protocol generation; [`InProcess`] is a client
//! [`Transport`](crate::client::Transport) that hands requests to a server without a network,
//! so built-in servers are reached through the very client path the user's servers are.

mod answer;
mod in_process;
#[cfg(test)]
mod tests;

pub use answer::{answer, tool_error, tool_text};
pub use in_process::{InProcess, OneChunk};

use std::rc::Rc;

use serde_json::{Map, Value, json};

use crate::jsonrpc::RpcError;
use crate::schema::prompts::{GetPromptResult, Prompt};
use crate::schema::resources::{ReadResourceResult, Resource};
use crate::schema::tools::{CallToolResult, Tool};

/// A server's name and version, as `serverInfo` carries them.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerInfo {
    pub name: String,
    pub version: String,
    /// How a model should use the server (shown to the user; fenced if ever prompted).
    pub instructions: Option<String>,
}

/// What a built-in server offers. The futures are not `Send`: the extension runs on one thread.
/// Lists are whole (no pagination): a built-in server's lists are short.
#[allow(async_fn_in_trait)]
pub trait Server {
    fn info(&self) -> ServerInfo;

    fn tools(&self) -> Vec<Tool>;

    /// Runs a tool. A failure the model should read (bad arguments, nothing found) is an
    /// `is_error` result; `Err` is for a call that cannot be made at all (no such tool).
    async fn call_tool(&self, name: &str, arguments: Value) -> Result<CallToolResult, RpcError>;

    async fn list_resources(&self) -> Result<Vec<Resource>, RpcError> {
        Ok(Vec::new())
    }

    async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, RpcError> {
        Err(resource_not_found(uri))
    }

    fn prompts(&self) -> Vec<Prompt> {
        Vec::new()
    }

    async fn get_prompt(
        &self,
        name: &str,
        _arguments: Map<String, Value>,
    ) -> Result<GetPromptResult, RpcError> {
        Err(RpcError::new(
            RpcError::INVALID_PARAMS,
            format!("there is no prompt named {name:?}"),
        ))
    }

    /// The capabilities announced: tools always; resources and prompts when the server has them.
    fn capabilities(&self) -> Value {
        let mut caps = json!({"tools": {}});
        if self.has_resources() {
            caps["resources"] = json!({});
        }
        if !self.prompts().is_empty() {
            caps["prompts"] = json!({});
        }
        caps
    }

    /// Whether the server offers resources (announced in its capabilities).
    fn has_resources(&self) -> bool {
        false
    }
}

/// Servers are often shared between the transport and their owner.
impl<S: Server + ?Sized> Server for Rc<S> {
    fn info(&self) -> ServerInfo {
        (**self).info()
    }
    fn tools(&self) -> Vec<Tool> {
        (**self).tools()
    }
    async fn call_tool(&self, name: &str, arguments: Value) -> Result<CallToolResult, RpcError> {
        (**self).call_tool(name, arguments).await
    }
    async fn list_resources(&self) -> Result<Vec<Resource>, RpcError> {
        (**self).list_resources().await
    }
    async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, RpcError> {
        (**self).read_resource(uri).await
    }
    fn prompts(&self) -> Vec<Prompt> {
        (**self).prompts()
    }
    async fn get_prompt(
        &self,
        name: &str,
        arguments: Map<String, Value>,
    ) -> Result<GetPromptResult, RpcError> {
        (**self).get_prompt(name, arguments).await
    }
    fn capabilities(&self) -> Value {
        (**self).capabilities()
    }
    fn has_resources(&self) -> bool {
        (**self).has_resources()
    }
}

/// The error for a resource the server does not have (MCP's "resource not found").
pub fn resource_not_found(uri: &str) -> RpcError {
    RpcError {
        code: RESOURCE_NOT_FOUND,
        message: format!("there is no resource {uri:?}"),
        data: Some(json!({"uri": uri})),
    }
}

/// MCP's code for `resources/read` of an unknown URI.
pub const RESOURCE_NOT_FOUND: i64 = -32002;
