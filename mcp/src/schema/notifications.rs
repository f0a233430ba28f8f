//! The notifications a client sends or reads: progress, cancellation, list changes, logs.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::jsonrpc::Id;

pub const INITIALIZED: &str = "notifications/initialized";
pub const CANCELLED: &str = "notifications/cancelled";
pub const PROGRESS: &str = "notifications/progress";
pub const TOOLS_LIST_CHANGED: &str = "notifications/tools/list_changed";
pub const RESOURCES_LIST_CHANGED: &str = "notifications/resources/list_changed";
pub const PROMPTS_LIST_CHANGED: &str = "notifications/prompts/list_changed";
pub const MESSAGE: &str = "notifications/message";

/// How far a request has come, as the server reports it against our progress token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub progress_token: Value,
    pub progress: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// Server-written text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The params of `notifications/cancelled` for one of our requests.
pub fn cancelled(request_id: &Id, reason: &str) -> Value {
    json!({"requestId": request_id, "reason": reason})
}

/// A notification the client acts on, read once at the edge.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerNotification {
    Progress(Progress),
    ToolsListChanged,
    ResourcesListChanged,
    PromptsListChanged,
    /// Anything else (logs included), kept as sent.
    Other {
        method: String,
        params: Value,
    },
}

impl ServerNotification {
    pub fn read(method: &str, params: Option<Value>) -> ServerNotification {
        let params = params.unwrap_or(Value::Null);
        match method {
            PROGRESS => match serde_json::from_value(params.clone()) {
                Ok(p) => ServerNotification::Progress(p),
                Err(_) => ServerNotification::Other {
                    method: method.into(),
                    params,
                },
            },
            TOOLS_LIST_CHANGED => ServerNotification::ToolsListChanged,
            RESOURCES_LIST_CHANGED => ServerNotification::ResourcesListChanged,
            PROMPTS_LIST_CHANGED => ServerNotification::PromptsListChanged,
            _ => ServerNotification::Other {
                method: method.into(),
                params,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_are_read_once() {
        let p = ServerNotification::read(
            PROGRESS,
            Some(json!({"progressToken": 1, "progress": 2, "total": 4})),
        );
        assert!(matches!(p, ServerNotification::Progress(ref p) if p.total == Some(4.0)));
        assert_eq!(
            ServerNotification::read(TOOLS_LIST_CHANGED, None),
            ServerNotification::ToolsListChanged
        );
        assert!(matches!(
            ServerNotification::read(PROGRESS, Some(json!({}))),
            ServerNotification::Other { .. }
        ));
        assert_eq!(
            cancelled(&Id::Number(4), "stop"),
            json!({"requestId": 4, "reason": "stop"})
        );
    }
}
