//! What the server asks of the user, handed to JavaScript callbacks the page supplies: a form
//! to fill (elicitation) and notifications (progress, list changes).

use js_sys::{Function, Promise};
use mcp::client::Handler;
use mcp::schema::elicitation::{ElicitRequest, ElicitResult};
use mcp::schema::notifications::ServerNotification;
use serde_json::json;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::session::to_js;

pub struct JsHandler {
    /// `(request) => Promise<{action, content}>`; without it every form is declined.
    pub elicit: Option<Function>,
    /// `(notification) => void`.
    pub notify: Option<Function>,
}

impl Handler for JsHandler {
    async fn elicit(&self, request: ElicitRequest) -> ElicitResult {
        let Some(elicit) = &self.elicit else {
            return ElicitResult::declined();
        };
        let Ok(answer) = elicit.call1(&JsValue::NULL, &to_js(&request)) else {
            return ElicitResult::declined();
        };
        let answer = JsFuture::from(Promise::resolve(&answer)).await;
        answer
            .ok()
            .and_then(|v| serde_wasm_bindgen::from_value(v).ok())
            .unwrap_or_else(ElicitResult::declined)
    }

    fn notify(&self, notification: ServerNotification) {
        let Some(notify) = &self.notify else { return };
        let value = match notification {
            ServerNotification::Progress(p) => json!({"type": "progress", "progress": p}),
            ServerNotification::ToolsListChanged => json!({"type": "tools_list_changed"}),
            ServerNotification::ResourcesListChanged => {
                json!({"type": "resources_list_changed"})
            }
            ServerNotification::PromptsListChanged => json!({"type": "prompts_list_changed"}),
            ServerNotification::Other { method, params } => {
                json!({"type": "other", "method": method, "params": params})
            }
        };
        // A throwing callback is the page's problem, not the request's.
        let _ = notify.call1(&JsValue::NULL, &to_js(&value));
    }
}
