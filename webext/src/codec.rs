//! Values across `chrome.runtime` and `postMessage`: serialised JSON-compatibly (plain objects,
//! numbers not BigInts, no Maps), because that is the only form those channels deliver intact.

use js_sys::Reflect;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// Serialises a message for a channel. Only a bug (a map with non-string keys, a number past
/// 2^53) can fail here, so failures become an `internal` error value rather than a panic.
pub fn to_js<T: Serialize>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).unwrap_or_else(|err| {
        let reply = protocol::Reply::Throw {
            id: None,
            error: protocol::LanternError::new(
                protocol::ErrorCode::Internal,
                format!("could not encode a message: {err}"),
            ),
        };
        reply
            .serialize(&serializer)
            .unwrap_or_else(|_| JsValue::from_str("could not encode a message"))
    })
}

/// Reads a typed value out of a received message.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|err| err.to_string())
}

/// Reads an untrusted message as JSON, to be validated by `protocol::parse_envelope`.
/// Values JSON has no form for (functions, symbols, undefined) become null, as JSON.stringify does.
pub fn to_json(value: JsValue) -> serde_json::Value {
    serde_wasm_bindgen::from_value(value).unwrap_or(serde_json::Value::Null)
}

/// Longest request name kept from an untrusted message (ours are under 40 characters).
const MAX_REQUEST_NAME: usize = 64;

/// The `id` and `body.type` of a message from a stranger, read without converting anything
/// else: its size and depth are the sender's choice. A missing or odd-typed field reads as
/// no id / "message".
pub fn peek_request(message: &JsValue) -> (Option<u64>, String) {
    let field = |v: &JsValue, k: &str| {
        if v.is_object() {
            Reflect::get(v, &JsValue::from_str(k)).ok()
        } else {
            None
        }
    };
    let id = field(message, "id")
        .and_then(|v| v.as_f64())
        .filter(|n| n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(n))
        .map(|n| n as u64);
    let request = field(message, "body")
        .and_then(|body| field(&body, "type"))
        .and_then(|v| v.as_string())
        .map(|s| s.chars().take(MAX_REQUEST_NAME).collect())
        .unwrap_or_else(|| "message".to_string());
    (id, request)
}
