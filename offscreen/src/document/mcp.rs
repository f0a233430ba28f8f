//! The user's MCP servers, served by the document: requests go to `dist/mcp/mcp_host.js`,
//! which keeps one session per server in the MCP client module (`mcp_web`) and answers with a
//! `Response`. The document is where a tool call may wait minutes without anything killing it:
//! its progress streams back as `tool_progress` events, heartbeats keep the service worker
//! awake, and a page that goes away stops the call.

use futures_channel::mpsc;
use protocol::{ErrorCode, Event, Id, LanternError, Reply, Request, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use webext::{PortLink, from_js, to_js};

use super::relay;

#[wasm_bindgen(raw_module = "../mcp/mcp_host.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = mcpServe)]
    fn mcp_serve(request: JsValue, on_progress: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// Serves an MCP request; `None` when the background closed the port (the call is stopped).
pub async fn serve(
    request: Request,
    id: Id,
    post: &dyn Fn(&Reply),
    link: &mut PortLink,
) -> relay::Outcome {
    let Request::McpCallTool { call_id, .. } = &request else {
        return Some(ask(&request, &JsValue::UNDEFINED).await);
    };
    let call_id = call_id.clone();
    let (tx, mut replies) = mpsc::unbounded();
    let progress = tx.clone();
    let on_progress = Closure::<dyn Fn(JsValue)>::new(move |value: JsValue| {
        // Only a progress event is passed on: the host cannot make the call say anything else.
        if let Ok(event @ Event::ToolProgress { .. }) = from_js::<Event>(value) {
            let _ = progress.unbounded_send(Reply::Progress { id, event });
        }
    });
    wasm_bindgen_futures::spawn_local(async move {
        let answer = ask(&request, on_progress.as_ref()).await;
        drop(on_progress);
        let _ = tx.unbounded_send(match answer {
            Ok(value) => Reply::Return { id, value },
            Err(error) => Reply::Throw {
                id: Some(id),
                error,
            },
        });
    });
    let outcome = relay::relay(&mut replies, id, post, link, &|_| {}).await;
    if outcome.is_none() && !call_id.is_empty() {
        // Nobody waits for the result any more: the server is told to stop.
        let _ = ask(&Request::McpCancelCall { call_id }, &JsValue::UNDEFINED).await;
    }
    outcome
}

async fn ask(request: &Request, on_progress: &JsValue) -> Result<Response, LanternError> {
    let promise = mcp_serve(to_js(request), on_progress).map_err(failure)?;
    let value = JsFuture::from(promise).await.map_err(failure)?;
    from_js::<Response>(value).map_err(|e| {
        LanternError::new(
            ErrorCode::Internal,
            format!("the MCP host answered in a shape Lantern does not know: {e}"),
        )
    })
}

/// The client's `{code, message}` as Lantern's error (`code` from `mcp::McpError::code`).
fn failure(error: JsValue) -> LanternError {
    let field = |key: &str| {
        js_sys::Reflect::get(&error, &key.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    let message = field("message").unwrap_or_else(|| format!("{error:?}"));
    let code = match field("code").as_deref() {
        Some("unreachable") => ErrorCode::ToolServerUnreachable,
        Some("origin_refused") => ErrorCode::ToolServerRefusedOrigin,
        Some("cancelled") => ErrorCode::Cancelled,
        _ => ErrorCode::ToolServerFailed,
    };
    LanternError::new(code, message)
}
