//! The side channel that cancels one request inside a worker: `{kind: "cancel", id}` from the
//! document to the worker serving request `id` (the pool's id of it). The worker sets that
//! request's `CancelToken`; the request ends at its next step with what it has (a reply stopped
//! part way, a queue left), and its final reply still comes. Written and read only here.

use js_sys::{Object, Reflect};
use protocol::Id;
use wasm_bindgen::JsValue;

const CANCEL: &str = "cancel";

/// "Cancel request `id`".
pub fn message(id: Id) -> Object {
    let message = Object::new();
    let _ = Reflect::set(&message, &"kind".into(), &CANCEL.into());
    let _ = Reflect::set(&message, &"id".into(), &JsValue::from(id as f64));
    message
}

/// The request a cancel message is for (`None` inside when malformed); `None` for other
/// messages.
pub fn read(message: &JsValue) -> Option<Option<Id>> {
    if !message.is_object() {
        return None;
    }
    let kind = Reflect::get(message, &"kind".into()).ok()?.as_string();
    (kind.as_deref() == Some(CANCEL)).then(|| {
        Reflect::get(message, &"id".into())
            .ok()
            .and_then(|id| id.as_f64())
            .map(|id| id as Id)
    })
}
