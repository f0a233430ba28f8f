//! MCP servers, served by the document: requests go to `dist/mcp/mcp_host.js`, which keeps one
//! session per server in the MCP client module (`mcp_web`) and answers with a `Response`. The
//! document is where a tool call may wait minutes without anything killing it: its progress
//! streams back as `tool_progress` events, heartbeats keep the service worker awake, and a page
//! that goes away stops the call. The built-in memories server embeds through this document:
//! `mcpServe` gets a function that asks the embeddings worker.

use std::rc::Rc;

use futures_channel::mpsc;
use futures_util::StreamExt;
use js_sys::Promise;
use protocol::{Engine, ErrorCode, Event, Id, LanternError, Reply, Request, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use webext::{PortLink, from_js, to_js};

use super::pool::Pool;
use super::relay;

#[wasm_bindgen(raw_module = "../mcp/mcp_host.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = mcpServe)]
    fn mcp_serve(
        request: JsValue,
        embed: JsValue,
        on_progress: &JsValue,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// Serves an MCP request; `None` when the background closed the port (the call is stopped).
pub async fn serve(
    pool: &Rc<Pool>,
    request: Request,
    id: Id,
    post: &dyn Fn(&Reply),
    link: &mut PortLink,
) -> relay::Outcome {
    let Request::McpCallTool { call_id, .. } = &request else {
        return Some(ask(pool, &request, &JsValue::UNDEFINED).await);
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
    let asker = Rc::clone(pool);
    wasm_bindgen_futures::spawn_local(async move {
        let answer = ask(&asker, &request, on_progress.as_ref()).await;
        drop(on_progress);
        let _ = tx.unbounded_send(match answer {
            Ok(value) => Reply::Return { id, value },
            Err(error) => Reply::Throw {
                id: Some(id),
                error,
            },
        });
    });
    let outcome = relay::relay(&mut replies, id, post, link, &|_| {}, &|| {}).await;
    if outcome.is_none() && !call_id.is_empty() {
        // Nobody waits for the result any more: the server is told to stop.
        let cancel = Request::McpCancelCall { call_id };
        let _ = ask(pool, &cancel, &JsValue::UNDEFINED).await;
    }
    outcome
}

async fn ask(
    pool: &Rc<Pool>,
    request: &Request,
    on_progress: &JsValue,
) -> Result<Response, LanternError> {
    let promise = mcp_serve(to_js(request), embedder(pool), on_progress).map_err(failure)?;
    let value = JsFuture::from(promise).await.map_err(failure)?;
    from_js::<Response>(value).map_err(|e| {
        LanternError::new(
            ErrorCode::Internal,
            format!("the MCP host answered in a shape Lantern does not know: {e}"),
        )
    })
}

/// `(model, texts) => Promise<number[][]>`, rejecting with the engine's message. Owned by
/// JavaScript (sessions keep it beyond this request), freed when it is collected.
fn embedder(pool: &Rc<Pool>) -> JsValue {
    let pool = Rc::clone(pool);
    Closure::<dyn Fn(String, JsValue) -> Promise>::new(move |model_id: String, texts: JsValue| {
        let pool = Rc::clone(&pool);
        future_to_promise(async move {
            let texts: Vec<String> = from_js(texts).map_err(|e| JsValue::from_str(&e))?;
            embed(&pool, model_id, texts)
                .await
                .map(|vectors| to_js(&vectors))
                .map_err(|e| JsValue::from_str(&e.message))
        })
    })
    .into_js_value()
}

/// Asks the embeddings worker (started on first use) and waits for its vectors.
async fn embed(
    pool: &Pool,
    model_id: String,
    texts: Vec<String>,
) -> Result<Vec<Vec<f32>>, LanternError> {
    let mut replies = pool.request(Engine::Embed, Request::EmbedTexts { model_id, texts })?;
    while let Some(reply) = replies.next().await {
        match reply {
            Reply::Return {
                value: Response::Embeddings(embeddings),
                ..
            } => return Ok(embeddings.vectors),
            Reply::Return { .. } => {
                return Err(LanternError::new(
                    ErrorCode::Internal,
                    "the embeddings worker answered the wrong question",
                ));
            }
            Reply::Throw { error, .. } => return Err(error),
            Reply::Progress { .. } | Reply::Heartbeat { .. } => {}
        }
    }
    Err(LanternError::new(
        ErrorCode::WorkerCrashed,
        "the embeddings worker stopped without answering",
    ))
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
