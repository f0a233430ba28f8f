//! In a real browser: a stranger's message is refused after reading two bounded fields, however
//! large or deep the rest of it is, and reply-port tokens are unguessable.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn set(o: &JsValue, k: &str, v: &JsValue) {
    Reflect::set(o, &JsValue::from_str(k), v).expect("set");
}

#[wasm_bindgen_test]
fn a_deep_huge_message_is_peeked_not_converted() {
    // 200,000 levels of nesting: converting it whole overflows the wasm stack.
    let mut inner: JsValue = Array::new().into();
    for _ in 0..200_000 {
        let a = Array::new();
        a.push(&inner);
        inner = a.into();
    }
    let body: JsValue = Object::new().into();
    set(&body, "type", &JsValue::from_str(&"x".repeat(10_000)));
    set(&body, "payload", &inner);
    let message: JsValue = Object::new().into();
    set(&message, "id", &JsValue::from_f64(7.0));
    set(&message, "body", &body);
    let (id, request) = webext::peek_request(&message);
    assert_eq!(id, Some(7));
    assert_eq!(request.len(), 64);
}

#[wasm_bindgen_test]
fn odd_messages_read_as_no_id_and_a_plain_name() {
    for message in [
        JsValue::NULL,
        JsValue::from_str("hello"),
        JsValue::from_f64(3.0),
        Object::new().into(),
    ] {
        assert_eq!(
            webext::peek_request(&message),
            (None, "message".to_string())
        );
    }
    let message: JsValue = Object::new().into();
    set(&message, "id", &JsValue::from_f64(1.5));
    assert_eq!(webext::peek_request(&message).0, None);
    set(&message, "id", &JsValue::from_f64(-1.0));
    assert_eq!(webext::peek_request(&message).0, None);
}

#[wasm_bindgen_test]
fn tokens_are_random_and_fit_a_javascript_number() {
    let tokens: Vec<u64> = (0..64).map(|_| webext::random_token()).collect();
    assert!(tokens.iter().all(|&t| t < 1 << 53));
    let mut unique = tokens.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), tokens.len());
    // Not a counter: consecutive tokens are far apart.
    assert!(tokens.windows(2).all(|w| w[0].abs_diff(w[1]) > 1 << 20));
}
