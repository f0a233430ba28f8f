//! Facts about the running browsing context (window or worker) that decide how models can run.

use js_sys::Reflect;
use protocol::ContextInfo;
use wasm_bindgen::JsValue;

/// Reads `crossOriginIsolated` and `navigator.hardwareConcurrency` from whatever global this is
/// (a document, a dedicated worker or a service worker: each has both).
pub fn context_info() -> ContextInfo {
    let global = js_sys::global();
    let isolated = Reflect::get(&global, &JsValue::from_str("crossOriginIsolated"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let cores = Reflect::get(&global, &JsValue::from_str("navigator"))
        .and_then(|nav| Reflect::get(&nav, &JsValue::from_str("hardwareConcurrency")))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(1.0);
    ContextInfo {
        cross_origin_isolated: isolated,
        hardware_concurrency: cores as u32,
    }
}
