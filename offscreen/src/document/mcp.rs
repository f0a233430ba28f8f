//! The user's MCP servers, served by the document: requests go to `dist/mcp/mcp_host.js`,
//! which keeps one session per server in the MCP client module (`mcp_web`) and answers with a
//! `Response`. The document is where a tool call may wait minutes without anything killing it.

use protocol::{ErrorCode, LanternError, Request, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use webext::{from_js, to_js};

#[wasm_bindgen(raw_module = "../mcp/mcp_host.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = mcpServe)]
    fn mcp_serve(request: JsValue) -> Result<js_sys::Promise, JsValue>;
}

pub async fn serve(request: &Request) -> Result<Response, LanternError> {
    let promise = mcp_serve(to_js(request)).map_err(failure)?;
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
        _ => ErrorCode::ToolServerFailed,
    };
    LanternError::new(code, message)
}
