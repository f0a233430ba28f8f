//! JSON-RPC 2.0 as MCP uses it: requests, notifications, responses and errors, and reading one
//! message (or a batch) a server sent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A request id. Servers may use strings or numbers; ours are numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Id {
    Number(i64),
    String(String),
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Id::Number(n) => write!(f, "{n}"),
            Id::String(s) => f.write_str(s),
        }
    }
}

/// The error object of a failed request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl RpcError {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
    /// 2026-07-28: the protocol version asked for is not served; `data.supported` lists those that are.
    pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;

    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// The versions an "unsupported protocol version" error says the server speaks.
    pub fn supported_versions(&self) -> Vec<String> {
        self.data
            .as_ref()
            .and_then(|d| d.get("supported"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// One message as it travels (`jsonrpc: "2.0"` added when written).
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Request {
        id: Id,
        method: String,
        params: Option<Value>,
    },
    Notification {
        method: String,
        params: Option<Value>,
    },
    Result {
        id: Id,
        result: Value,
    },
    Error {
        id: Option<Id>,
        error: RpcError,
    },
}

impl Message {
    pub fn request(id: i64, method: &str, params: Option<Value>) -> Message {
        Message::Request {
            id: Id::Number(id),
            method: method.to_owned(),
            params,
        }
    }

    pub fn notification(method: &str, params: Option<Value>) -> Message {
        Message::Notification {
            method: method.to_owned(),
            params,
        }
    }

    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("jsonrpc".into(), "2.0".into());
        match self {
            Message::Request { id, method, params } => {
                m.insert("id".into(), json_id(id));
                m.insert("method".into(), method.clone().into());
                if let Some(p) = params {
                    m.insert("params".into(), p.clone());
                }
            }
            Message::Notification { method, params } => {
                m.insert("method".into(), method.clone().into());
                if let Some(p) = params {
                    m.insert("params".into(), p.clone());
                }
            }
            Message::Result { id, result } => {
                m.insert("id".into(), json_id(id));
                m.insert("result".into(), result.clone());
            }
            Message::Error { id, error } => {
                m.insert("id".into(), id.as_ref().map(json_id).unwrap_or(Value::Null));
                m.insert(
                    "error".into(),
                    serde_json::to_value(error).unwrap_or(Value::Null),
                );
            }
        }
        Value::Object(m)
    }

    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    /// Reads one message. Anything that is not JSON-RPC 2.0 is refused with the reason.
    pub fn from_value(value: Value) -> Result<Message, String> {
        let Value::Object(mut m) = value else {
            return Err("a JSON-RPC message must be an object".into());
        };
        if m.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return Err("missing \"jsonrpc\": \"2.0\"".into());
        }
        let id = match m.remove("id") {
            None | Some(Value::Null) => None,
            Some(v) => Some(serde_json::from_value::<Id>(v).map_err(|e| format!("bad id: {e}"))?),
        };
        if let Some(method) = m.remove("method") {
            let method = method
                .as_str()
                .ok_or("\"method\" must be a string")?
                .to_owned();
            let params = m.remove("params");
            return Ok(match id {
                Some(id) => Message::Request { id, method, params },
                None => Message::Notification { method, params },
            });
        }
        if let Some(error) = m.remove("error") {
            let error: RpcError =
                serde_json::from_value(error).map_err(|e| format!("bad error object: {e}"))?;
            return Ok(Message::Error { id, error });
        }
        match (id, m.remove("result")) {
            (Some(id), Some(result)) => Ok(Message::Result { id, result }),
            _ => Err("neither a request, a notification nor a response".into()),
        }
    }

    /// Reads a body that holds one message or a batch (older servers may batch).
    pub fn parse_all(text: &str) -> Result<Vec<Message>, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        match value {
            Value::Array(items) => items.into_iter().map(Message::from_value).collect(),
            one => Ok(vec![Message::from_value(one)?]),
        }
    }
}

fn json_id(id: &Id) -> Value {
    serde_json::to_value(id).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_round_trips() {
        let messages = [
            Message::request(7, "tools/list", Some(json!({"cursor": "c"}))),
            Message::notification("notifications/initialized", None),
            Message::Result {
                id: Id::String("a".into()),
                result: json!({}),
            },
            Message::Error {
                id: Some(Id::Number(3)),
                error: RpcError::new(-32601, "nope"),
            },
        ];
        for m in messages {
            let back = Message::from_value(m.to_value()).unwrap();
            assert_eq!(back, m);
        }
    }

    #[test]
    fn non_json_rpc_is_refused_and_batches_are_read() {
        assert!(Message::from_value(json!({"id": 1, "result": {}})).is_err());
        assert!(Message::from_value(json!({"jsonrpc": "2.0", "id": 1})).is_err());
        assert!(Message::from_value(json!([1])).is_err());
        assert!(Message::parse_all("[1, 2]").is_err());
        let batch = Message::parse_all(
            r#"[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","id":1,"result":{}}]"#,
        )
        .unwrap();
        assert_eq!(batch.len(), 2);
    }

    #[test]
    fn unsupported_version_errors_list_what_is_supported() {
        let e: RpcError = serde_json::from_value(json!({
            "code": -32022, "message": "Unsupported protocol version",
            "data": {"supported": ["2026-07-28"], "requested": "x"}
        }))
        .unwrap();
        assert_eq!(e.supported_versions(), ["2026-07-28"]);
    }
}
