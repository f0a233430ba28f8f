//! In a real browser: every protocol message survives `to_js`, the JSON that `chrome.runtime`
//! messaging turns it into, and `from_js`.
#![cfg(target_arch = "wasm32")]

use protocol::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// What chrome.runtime delivers: the value after a JSON serialisation round trip.
fn as_delivered(value: &wasm_bindgen::JsValue) -> wasm_bindgen::JsValue {
    let text = js_sys::JSON::stringify(value).expect("JSON-serialisable");
    js_sys::JSON::parse(&String::from(text)).expect("parses back")
}

#[wasm_bindgen_test]
fn requests_survive_runtime_messaging() {
    for (i, request) in Request::examples().into_iter().enumerate() {
        let envelope = Envelope::new(i as u64 + 1, request);
        let delivered = as_delivered(&webext::to_js(&envelope));
        assert_eq!(
            parse_envelope(&webext::to_json(delivered.clone())),
            Ok(envelope.clone())
        );
        assert_eq!(webext::from_js::<Envelope>(delivered), Ok(envelope));
    }
}

#[wasm_bindgen_test]
fn replies_survive_runtime_messaging() {
    let replies = [
        Reply::Return {
            id: 9_007_199_254_740_991,
            value: Response::PageInfo(PageInfo {
                tab_id: 3,
                title: "标题 🚀 \u{0} \"quoted\"".into(),
                url: "https://example.org/".into(),
                selection: "line\nbreak".into(),
            }),
        },
        Reply::Throw {
            id: None,
            error: LanternError::new(ErrorCode::Forbidden, "no"),
        },
        Reply::Progress {
            id: 2,
            event: Event::Step {
                stage: Stage::LoadingModel,
                done: Some(5),
                total: None,
            },
        },
        Reply::Heartbeat { id: 4 },
    ];
    for reply in replies {
        let delivered = as_delivered(&webext::to_js(&reply));
        assert_eq!(webext::from_js::<Reply>(delivered), Ok(reply));
    }
}

#[wasm_bindgen_test]
fn plain_objects_not_maps() {
    // serde_wasm_bindgen's default would make a Map, which JSON.stringify turns into {}.
    let value = webext::to_js(&Envelope::new(1, Request::Ping));
    let text = String::from(js_sys::JSON::stringify(&value).expect("serialisable"));
    assert!(text.contains("\"type\":\"ping\""), "{text}");
}

#[wasm_bindgen_test]
fn context_facts_read_from_the_page() {
    let info = webext::context_info();
    assert!(info.hardware_concurrency >= 1);
}
