//! One JSON-RPC message in, the server's reply out: the handshake of either generation
//! (`initialize` with a session revision, or the stateless `server/discover`), then tools,
//! resources and prompts. Notifications and stray responses get no reply.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::Server;
use crate::jsonrpc::{Id, Message, RpcError};
use crate::schema::content::Content;
use crate::schema::tools::CallToolResult;
use crate::version::{OLDER_SESSION_REVISIONS, ProtocolVersion};

const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// The server's reply to `message`, or `None` when it calls for none.
pub async fn answer<S: Server>(server: &S, message: Message) -> Option<Message> {
    let Message::Request { id, method, params } = message else {
        return None;
    };
    let params = params.unwrap_or_else(|| json!({}));
    Some(reply(id, handle(server, &method, params).await))
}

fn reply(id: Id, result: Result<Value, RpcError>) -> Message {
    match result {
        Ok(result) => Message::Result { id, result },
        Err(error) => Message::Error {
            id: Some(id),
            error,
        },
    }
}

async fn handle<S: Server>(server: &S, method: &str, params: Value) -> Result<Value, RpcError> {
    check_stateless_version(&params)?;
    match method {
        "initialize" => Ok(initialize(server, &params)),
        "server/discover" => Ok(discover(server)),
        "ping" => Ok(json!({})),
        "tools/list" => Ok(json!({"tools": server.tools()})),
        "tools/call" => {
            let name = string_param(&params, "name")?;
            let arguments = params.get("arguments").cloned().unwrap_or(json!({}));
            if !server.tools().iter().any(|t| t.name == name) {
                return Err(RpcError::new(
                    RpcError::INVALID_PARAMS,
                    format!("there is no tool named {name:?}"),
                ));
            }
            to_value(server.call_tool(&name, arguments).await?)
        }
        "resources/list" => Ok(json!({"resources": server.list_resources().await?})),
        "resources/templates/list" => Ok(json!({"resourceTemplates": []})),
        "resources/read" => {
            let uri = string_param(&params, "uri")?;
            to_value(server.read_resource(&uri).await?)
        }
        "prompts/list" => Ok(json!({"prompts": server.prompts()})),
        "prompts/get" => {
            let name = string_param(&params, "name")?;
            let arguments = match params.get("arguments") {
                Some(Value::Object(map)) => map.clone(),
                _ => Map::new(),
            };
            to_value(server.get_prompt(&name, arguments).await?)
        }
        other => Err(RpcError::new(
            RpcError::METHOD_NOT_FOUND,
            format!("method {other:?} is not served"),
        )),
    }
}

/// A 2026-07-28 request names its revision in `_meta`; any other revision there is refused
/// with the list the client may retry with. Requests without it belong to a session.
fn check_stateless_version(params: &Value) -> Result<(), RpcError> {
    let Some(asked) = params.pointer(&format!("/_meta/{}", META_VERSION.replace('/', "~1"))) else {
        return Ok(());
    };
    if asked.as_str() == Some(ProtocolVersion::V2026_07_28.as_str()) {
        return Ok(());
    }
    Err(RpcError {
        code: RpcError::UNSUPPORTED_PROTOCOL_VERSION,
        message: "Unsupported protocol version".into(),
        data: Some(json!({
            "supported": [ProtocolVersion::V2026_07_28.as_str()],
            "requested": asked,
        })),
    })
}

fn initialize<S: Server>(server: &S, params: &Value) -> Value {
    let asked = params
        .get("protocolVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // A session revision the client asked for is spoken; anything else gets ours.
    let revision = if asked == ProtocolVersion::V2025_11_25.as_str()
        || OLDER_SESSION_REVISIONS.contains(&asked)
    {
        asked
    } else {
        ProtocolVersion::V2025_11_25.as_str()
    };
    let info = server.info();
    let mut result = json!({
        "protocolVersion": revision,
        "capabilities": server.capabilities(),
        "serverInfo": {"name": info.name, "version": info.version},
    });
    if let Some(text) = info.instructions {
        result["instructions"] = text.into();
    }
    result
}

fn discover<S: Server>(server: &S) -> Value {
    let info = server.info();
    let mut result = json!({
        "supportedVersions": [ProtocolVersion::V2026_07_28.as_str()],
        "capabilities": server.capabilities(),
        "_meta": {META_SERVER_INFO: {"name": info.name, "version": info.version}},
    });
    if let Some(text) = info.instructions {
        result["instructions"] = text.into();
    }
    result
}

fn string_param(params: &Value, key: &str) -> Result<String, RpcError> {
    params
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            RpcError::new(
                RpcError::INVALID_PARAMS,
                format!("the request needs a {key:?} string"),
            )
        })
}

fn to_value<T: Serialize>(value: T) -> Result<Value, RpcError> {
    serde_json::to_value(value).map_err(|e| RpcError::new(RpcError::INTERNAL_ERROR, e.to_string()))
}

/// A result of one text block.
pub fn tool_text(text: impl Into<String>) -> CallToolResult {
    CallToolResult {
        content: vec![Content::Text { text: text.into() }],
        structured_content: None,
        is_error: false,
    }
}

/// A failed call, as text the model reads and may correct.
pub fn tool_error(text: impl Into<String>) -> CallToolResult {
    CallToolResult {
        is_error: true,
        ..tool_text(text)
    }
}
