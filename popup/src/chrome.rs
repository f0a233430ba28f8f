//! The chrome.* APIs the UI calls directly (the rest goes through the background): the window it
//! lives in, and the summary job a context-menu click leaves in `chrome.storage.session`.

use js_sys::{Function, Promise, Reflect};
use protocol::{SUMMARY_JOB_KEY, SummaryJob};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["chrome", "windows"], js_name = getCurrent, catch)]
    fn windows_get_current() -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = get, catch)]
    fn session_get(key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = remove, catch)]
    fn session_remove(key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "permissions"], js_name = request, catch)]
    fn permissions_request(permissions: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "declarativeNetRequest"], js_name = updateSessionRules, catch)]
    fn dnr_update_session_rules(options: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "declarativeNetRequest"], js_name = getSessionRules, catch)]
    fn dnr_get_session_rules() -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "onChanged"], js_name = addListener, catch)]
    fn storage_on_changed(listener: &Function) -> Result<(), JsValue>;
}

/// The id of the window this page is in.
pub async fn current_window_id() -> Option<i64> {
    let window = JsFuture::from(windows_get_current().ok()?).await.ok()?;
    Reflect::get(&window, &JsValue::from_str("id"))
        .ok()?
        .as_f64()
        .map(|id| id as i64)
}

/// Takes the waiting summary job if it is for `window_id` (it is removed, so it runs once).
pub async fn take_summary_job(window_id: i64) -> Option<SummaryJob> {
    let items = JsFuture::from(session_get(SUMMARY_JOB_KEY).ok()?)
        .await
        .ok()?;
    let value = Reflect::get(&items, &JsValue::from_str(SUMMARY_JOB_KEY)).ok()?;
    let job: SummaryJob = webext::from_js(value).ok()?;
    if job.window_id != window_id {
        return None;
    }
    JsFuture::from(session_remove(SUMMARY_JOB_KEY).ok()?)
        .await
        .ok()?;
    Some(job)
}

/// Asks the user for access to one origin (`https://example.com`). Must be called in the click
/// that asks for it (the browser refuses a request without a user gesture), so the prompt is
/// started at once and only awaited after.
pub fn request_origin(origin: &str) -> impl std::future::Future<Output = bool> + 'static {
    let permissions = js_sys::Object::new();
    let origins = js_sys::Array::of1(&JsValue::from_str(&format!("{origin}/*")));
    let _ = Reflect::set(&permissions, &JsValue::from_str("origins"), &origins);
    let asked = permissions_request(&permissions);
    async move {
        let Ok(promise) = asked else { return false };
        JsFuture::from(promise)
            .await
            .ok()
            .and_then(|granted| granted.as_bool())
            .unwrap_or(false)
    }
}

/// Session rules (ids from 1000 up) that remove the `Origin` header from Lantern's own requests
/// to each of `prefixes` (server addresses): the switch for local servers that refuse
/// `chrome-extension://` Origins. Every such rule is replaced, so a switch turned off takes its
/// rule away. Session rules end with the browser; pages apply them again when they load.
pub async fn set_origin_rules(prefixes: &[String]) -> Result<(), String> {
    const FIRST: u32 = 1000;
    let existing = JsFuture::from(dnr_get_session_rules().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let remove = js_sys::Array::new();
    for rule in js_sys::Array::from(&existing).iter() {
        let id = Reflect::get(&rule, &"id".into())
            .ok()
            .and_then(|v| v.as_f64());
        if let Some(id) = id.filter(|id| *id >= f64::from(FIRST)) {
            remove.push(&JsValue::from_f64(id));
        }
    }
    let extension = webext::extension_id();
    let add = js_sys::Array::new();
    for (i, prefix) in prefixes.iter().enumerate() {
        let rule = serde_json::json!({
            "id": FIRST + i as u32,
            "priority": 1,
            "action": {"type": "modifyHeaders", "requestHeaders": [{"header": "origin", "operation": "remove"}]},
            // Only Lantern's own requests (no tab, initiated by the extension): a web page's
            // requests to the same server keep their Origin, and the server's check for them.
            "condition": {
                "urlFilter": format!("|{prefix}"),
                "initiatorDomains": [extension],
                "tabIds": [-1],
                "resourceTypes": ["xmlhttprequest", "other"],
            },
        });
        add.push(&webext::to_js(&rule));
    }
    let options = js_sys::Object::new();
    let _ = Reflect::set(&options, &"removeRuleIds".into(), &remove);
    let _ = Reflect::set(&options, &"addRules".into(), &add);
    JsFuture::from(dnr_update_session_rules(&options).map_err(|e| format!("{e:?}"))?)
        .await
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

/// Calls `on_job` whenever a new summary job is left (for as long as the page lives).
pub fn on_summary_job(on_job: impl Fn() + 'static) {
    let listener =
        Closure::<dyn Fn(JsValue, JsValue)>::new(move |changes: JsValue, area: JsValue| {
            let ours = area.as_string().as_deref() == Some("session")
                && Reflect::has(&changes, &JsValue::from_str(SUMMARY_JOB_KEY)).unwrap_or(false);
            if ours {
                on_job();
            }
        });
    if storage_on_changed(listener.as_ref().unchecked_ref()).is_ok() {
        // The listener lives as long as the page.
        listener.forget();
    }
}
