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
