//! The chrome.* APIs the UI calls directly (the rest goes through the background): the window it
//! lives in, the summary or image job a context-menu click and the press the voice command leave in
//! `chrome.storage.session`, the model servers' keys in `chrome.storage.local`, and the toolbar
//! badge a voice session shows. Also the files server's folder in the origin-private file system
//! (`dist/mcp/files_store.js`, shared with the offscreen document), which the Tools card fills
//! and empties for the user.

use js_sys::{Array, Object};
use js_sys::{Function, Promise, Reflect};
use protocol::{
    IMAGE_JOB_KEY, ImageJob, SUMMARY_JOB_KEY, SummaryJob, VOICE_ACTIVE_KEY, VOICE_PRESS_KEY,
    VoiceBadge, VoicePress,
};
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
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = set, catch)]
    fn session_set(items: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "onChanged"], js_name = addListener, catch)]
    fn storage_on_changed(listener: &Function) -> Result<(), JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "action"], js_name = setBadgeText, catch)]
    fn action_set_badge_text(details: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "action"], js_name = setBadgeBackgroundColor, catch)]
    fn action_set_badge_background_color(details: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "action"], js_name = setTitle, catch)]
    fn action_set_title(details: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = get, catch)]
    fn local_get(key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = set, catch)]
    fn local_set(items: &JsValue) -> Result<Promise, JsValue>;
}

/// A value this extension keeps in `chrome.storage.local` (never synced, never readable by a
/// web page or another extension).
pub async fn local_value<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    let items = JsFuture::from(local_get(key).ok()?).await.ok()?;
    let value = Reflect::get(&items, &JsValue::from_str(key)).ok()?;
    webext::from_js(value).ok()
}

/// Stores a value in `chrome.storage.local`.
pub async fn set_local_value<T: serde::Serialize>(key: &str, value: &T) -> Result<(), String> {
    let items = Object::new();
    Reflect::set(&items, &JsValue::from_str(key), &webext::to_js(value))
        .map_err(|e| format!("{e:?}"))?;
    let promise = local_set(&items).map_err(|e| format!("{e:?}"))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(())
}

#[wasm_bindgen(raw_module = "../mcp/files_store.js")]
extern "C" {
    #[wasm_bindgen(js_name = listFiles, catch)]
    fn files_list() -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = writeFile, catch)]
    fn files_write(path: &str, data: &web_sys::Blob) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = deleteFile, catch)]
    fn files_delete(path: &str) -> Result<Promise, JsValue>;
}

/// The text of a rejection (a DOMException's message).
fn rejection(error: JsValue) -> String {
    Reflect::get(&error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}

async fn settle(promise: Result<Promise, JsValue>) -> Result<JsValue, String> {
    JsFuture::from(promise.map_err(rejection)?)
        .await
        .map_err(rejection)
}

/// The files server's files (path and size).
pub async fn stored_files() -> Result<Vec<tools::files::FileInfo>, String> {
    let listed = settle(files_list()).await?;
    webext::from_js(listed)
}

/// Stores `data` (a picked or dropped file) at `path`, a checked path.
pub async fn store_file(path: &str, data: &web_sys::Blob) -> Result<(), String> {
    settle(files_write(path, data)).await.map(|_| ())
}

/// Removes the file at `path`.
pub async fn remove_file(path: &str) -> Result<(), String> {
    settle(files_delete(path)).await.map(|_| ())
}

/// The id of the window this page is in.
pub async fn current_window_id() -> Option<i64> {
    let window = JsFuture::from(windows_get_current().ok()?).await.ok()?;
    Reflect::get(&window, &JsValue::from_str("id"))
        .ok()?
        .as_f64()
        .map(|id| id as i64)
}

/// Takes the job waiting under `key` if `window_of` says it is for `window_id` (it is removed,
/// so it runs once).
async fn take_job<T: serde::de::DeserializeOwned>(
    key: &str,
    window_id: i64,
    window_of: impl Fn(&T) -> i64,
) -> Option<T> {
    let items = JsFuture::from(session_get(key).ok()?).await.ok()?;
    let value = Reflect::get(&items, &JsValue::from_str(key)).ok()?;
    let job: T = webext::from_js(value).ok()?;
    if window_of(&job) != window_id {
        return None;
    }
    JsFuture::from(session_remove(key).ok()?).await.ok()?;
    Some(job)
}

/// Takes the waiting summary job if it is for `window_id`.
pub async fn take_summary_job(window_id: i64) -> Option<SummaryJob> {
    take_job(SUMMARY_JOB_KEY, window_id, |job: &SummaryJob| job.window_id).await
}

/// Takes the waiting "Read text in image" job if it is for `window_id`.
pub async fn take_image_job(window_id: i64) -> Option<ImageJob> {
    take_job(IMAGE_JOB_KEY, window_id, |job: &ImageJob| job.window_id).await
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
    on_session_key(SUMMARY_JOB_KEY, on_job);
}

/// Calls `on_job` whenever a new image job is left (for as long as the page lives).
pub fn on_image_job(on_job: impl Fn() + 'static) {
    on_session_key(IMAGE_JOB_KEY, on_job);
}

/// Calls `on_press` whenever the voice command leaves a press (for as long as the page lives).
pub fn on_voice_press(on_press: impl Fn() + 'static) {
    on_session_key(VOICE_PRESS_KEY, on_press);
}

fn on_session_key(key: &'static str, on_change: impl Fn() + 'static) {
    let listener =
        Closure::<dyn Fn(JsValue, JsValue)>::new(move |changes: JsValue, area: JsValue| {
            let ours = area.as_string().as_deref() == Some("session")
                && Reflect::get(&changes, &JsValue::from_str(key))
                    .ok()
                    .and_then(|c| Reflect::get(&c, &JsValue::from_str("newValue")).ok())
                    .is_some_and(|v| !v.is_undefined());
            if ours {
                on_change();
            }
        });
    if storage_on_changed(listener.as_ref().unchecked_ref()).is_ok() {
        // The listener lives as long as the page.
        listener.forget();
    }
}

async fn session_value(key: &str) -> Option<JsValue> {
    let items = JsFuture::from(session_get(key).ok()?).await.ok()?;
    Reflect::get(&items, &JsValue::from_str(key)).ok()
}

/// Takes the waiting voice press if it is for `window_id` (it is removed, so it acts once).
pub async fn take_voice_press(window_id: i64) -> Option<VoicePress> {
    let press: VoicePress = webext::from_js(session_value(VOICE_PRESS_KEY).await?).ok()?;
    if press.window_id != window_id {
        return None;
    }
    JsFuture::from(session_remove(VOICE_PRESS_KEY).ok()?)
        .await
        .ok()?;
    Some(press)
}

/// Notes whether `window_id`'s panel is in a voice session, for the background to read when
/// the command fires (see `protocol::VOICE_ACTIVE_KEY`).
pub async fn mark_voice_session(window_id: i64, active: bool) {
    let mut windows: Vec<f64> = session_value(VOICE_ACTIVE_KEY)
        .await
        .filter(Array::is_array)
        .map(|list| {
            Array::from(&list)
                .iter()
                .filter_map(|w| w.as_f64())
                .collect()
        })
        .unwrap_or_default();
    windows.retain(|w| *w != window_id as f64);
    if active {
        windows.push(window_id as f64);
    }
    let list: Array = windows.into_iter().map(JsValue::from_f64).collect();
    let items = Object::new();
    if Reflect::set(&items, &JsValue::from_str(VOICE_ACTIVE_KEY), &list).is_ok()
        && let Ok(set) = session_set(&items)
    {
        // Best effort: a stale entry only costs the next press its instant badge.
        let _ = JsFuture::from(set).await;
    }
}

fn details(key: &str, value: &str) -> JsValue {
    let object = Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    object.into()
}

/// Shows a voice session's state on the toolbar button: the badge and, in words, its title.
pub fn set_badge(badge: VoiceBadge, title: &str) {
    // Fire and forget: the badge is a hint, and the calls only fail if the page is closing.
    let _ = action_set_badge_text(&details("text", badge.text()));
    let _ = action_set_badge_background_color(&details("color", badge.color()));
    let _ = action_set_title(&details("title", title));
}
