//! `mcp::Transport` over the global `fetch`: bodies read chunk by chunk from the response's
//! stream (an SSE answer may stay open for minutes), timers from `setTimeout`.

use js_sys::{Promise, Reflect, Uint8Array};
use mcp::McpError;
use mcp::client::{Body, HttpResponse, Transport};
use mcp::http::HttpRequest;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Request, RequestInit, Response};

// Globals, not `window.fetch`: the same module runs in a document, a worker and Node.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &Request) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: f64) -> JsValue;
}

pub struct FetchTransport;

pub struct FetchBody {
    reader: Option<ReadableStreamDefaultReader>,
}

/// The most telling text of a JS failure: Node's fetch hides the cause (`ECONNREFUSED`) one
/// level down.
fn describe(error: &JsValue) -> String {
    let message = |v: &JsValue| {
        Reflect::get(v, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
    };
    let cause = Reflect::get(error, &"cause".into()).ok();
    let mut text = message(error).unwrap_or_else(|| format!("{error:?}"));
    if let Some(cause) = cause.filter(|c| !c.is_undefined() && !c.is_null())
        && let Some(detail) = message(&cause)
    {
        text = format!("{text} ({detail})");
    }
    text
}

/// A body dropped before its end (an answer read, or a call stopped) closes its stream: for a
/// 2026-07-28 server that is how a request is cancelled, and either way the connection is freed.
impl Drop for FetchBody {
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            // A stream that already failed refuses to cancel: nothing to do about it, and no
            // unhandled rejection to report.
            IGNORE.with(|ignore| drop(reader.cancel().catch(ignore)));
        }
    }
}

thread_local! {
    static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

impl Body for FetchBody {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, McpError> {
        let Some(reader) = &self.reader else {
            return Ok(None);
        };
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|e| McpError::Unreachable(describe(&e)))?;
        let done = Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            self.reader = None;
            return Ok(None);
        }
        let value = Reflect::get(&step, &"value".into())
            .map_err(|e| McpError::Unreachable(describe(&e)))?;
        Ok(Some(Uint8Array::new(&value).to_vec()))
    }
}

impl Transport for FetchTransport {
    type Body = FetchBody;

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse<FetchBody>, McpError> {
        let init = RequestInit::new();
        init.set_method(request.method.as_str());
        let headers = web_sys::Headers::new().map_err(|e| McpError::Unreachable(describe(&e)))?;
        for (name, value) in &request.headers {
            headers
                .append(name, value)
                .map_err(|e| McpError::Protocol(format!("header {name}: {}", describe(&e))))?;
        }
        init.set_headers(&headers);
        if let Some(body) = &request.body {
            init.set_body(&JsValue::from_str(body));
        }
        let js_request = Request::new_with_str_and_init(&request.url, &init)
            .map_err(|e| McpError::Unreachable(describe(&e)))?;
        let response: Response = JsFuture::from(global_fetch(&js_request))
            .await
            .map_err(|e| McpError::Unreachable(describe(&e)))?
            .unchecked_into();
        let mut kept = Vec::new();
        for name in ["content-type", "mcp-session-id"] {
            if let Ok(Some(value)) = response.headers().get(name) {
                kept.push((name.to_owned(), value));
            }
        }
        let reader = response.body().map(|stream| {
            stream
                .get_reader()
                .unchecked_into::<ReadableStreamDefaultReader>()
        });
        Ok(HttpResponse {
            status: response.status(),
            headers: kept,
            body: FetchBody { reader },
        })
    }

    async fn sleep(&self, ms: u64) {
        let wait = Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, ms as f64);
        });
        let _ = JsFuture::from(wait).await;
    }
}
