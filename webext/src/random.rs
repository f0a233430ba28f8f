//! Unguessable numbers from the platform's cryptographic generator (`crypto.getRandomValues`,
//! present in pages, workers and service workers alike).

use js_sys::{Reflect, Uint32Array};
use wasm_bindgen::{JsCast, JsValue};

/// A random integer below 2^53, so it survives JSON and JavaScript numbers unchanged.
pub fn random_token() -> u64 {
    let words = Uint32Array::new_with_length(2);
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok();
    let filled = crypto.and_then(|c| {
        let f = Reflect::get(&c, &JsValue::from_str("getRandomValues")).ok()?;
        f.dyn_into::<js_sys::Function>()
            .ok()?
            .call1(&c, &words)
            .ok()
    });
    // Every context Lantern runs in has `crypto`; without it there is nothing safe to return.
    assert!(filled.is_some(), "crypto.getRandomValues is missing");
    let (hi, lo) = (words.get_index(0) as u64, words.get_index(1) as u64);
    ((hi << 32) | lo) & ((1 << 53) - 1)
}
