//! HTTP for downloads: a ranged, abortable fetch whose body is read as a stream of byte chunks.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStreamDefaultReader, RequestInit, Response, WorkerGlobalScope};

/// Why a fetch failed.
#[derive(Debug)]
pub enum FetchError {
    /// No answer at all: offline, server down, or refused (the browser does not say which).
    Unreachable(String),
    /// Cancelled through the abort signal.
    Aborted,
}

fn describe(err: &JsValue) -> String {
    js_sys::Error::from(err.clone())
        .message()
        .as_string()
        .unwrap_or_else(|| "network error".into())
}

fn classify(err: JsValue, signal: &AbortSignal) -> FetchError {
    if signal.aborted() {
        FetchError::Aborted
    } else {
        FetchError::Unreachable(describe(&err))
    }
}

/// GETs `url`, from byte `from` on when `from > 0`.
pub async fn get(url: &str, from: u64, signal: &AbortSignal) -> Result<Response, FetchError> {
    let init = RequestInit::new();
    init.set_signal(Some(signal));
    // The browser's HTTP cache would keep a second copy of every model; IndexedDB is the cache.
    init.set_cache(web_sys::RequestCache::NoStore);
    let headers = web_sys::Headers::new().map_err(|e| classify(e, signal))?;
    if from > 0 {
        headers
            .set("Range", &format!("bytes={from}-"))
            .map_err(|e| classify(e, signal))?;
    }
    init.set_headers(&headers);
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let response = JsFuture::from(scope.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| classify(e, signal))?;
    Ok(response.unchecked_into())
}

/// Fetches a small JSON document.
pub async fn json(url: &str) -> Result<JsValue, String> {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let response: Response = JsFuture::from(scope.fetch_with_str(url))
        .await
        .map_err(|e| describe(&e))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    JsFuture::from(response.json().map_err(|e| describe(&e))?)
        .await
        .map_err(|e| describe(&e))
}

/// The start offset a 206 response says it serves (`Content-Range: bytes START-END/TOTAL`).
pub fn range_start(response: &Response) -> Option<u64> {
    let header = response.headers().get("content-range").ok()??;
    header
        .strip_prefix("bytes ")?
        .split('-')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// A response body, read piece by piece.
pub struct Body {
    reader: ReadableStreamDefaultReader,
}

impl Body {
    pub fn of(response: &Response) -> Option<Body> {
        let reader = response.body()?.get_reader();
        Some(Body {
            reader: reader.unchecked_into(),
        })
    }

    /// The next piece, `None` at the end.
    pub async fn next(&self, signal: &AbortSignal) -> Result<Option<Uint8Array>, FetchError> {
        let result = JsFuture::from(self.reader.read())
            .await
            .map_err(|e| classify(e, signal))?;
        let done = Reflect::get(&result, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(None);
        }
        Reflect::get(&result, &"value".into())
            .map_err(|e| classify(e, signal))
            .map(|v| Some(v.unchecked_into()))
    }

    pub fn cancel(&self) {
        let _ = self.reader.cancel();
    }
}
