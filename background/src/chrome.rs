//! The chrome.* APIs only the background uses; each returns a Result because each can throw.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = getContexts, catch)]
    fn get_contexts(filter: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = sendMessage, catch)]
    fn runtime_send_message(message: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "offscreen"], js_name = createDocument, catch)]
    fn create_document(params: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "scripting"], js_name = executeScript, catch)]
    fn execute_script(injection: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = query, catch)]
    fn tabs_query(query: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = sendMessage, catch)]
    fn tabs_send_message(
        tab_id: f64,
        message: &JsValue,
        options: &JsValue,
    ) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = create, catch)]
    fn tabs_create(properties: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = get, catch)]
    fn tabs_get(tab_id: f64) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "i18n"], js_name = getMessage, catch)]
    fn i18n_get_message(key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(text: &str);
    #[wasm_bindgen(js_namespace = ["chrome", "contextMenus"], js_name = removeAll, catch)]
    fn context_menus_remove_all() -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "contextMenus"], js_name = create, catch)]
    fn context_menus_create(properties: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = set, catch)]
    fn storage_session_set(items: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = get, catch)]
    fn storage_session_get(key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "action"], js_name = setBadgeText, catch)]
    fn action_set_badge_text(details: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "action"], js_name = setBadgeBackgroundColor, catch)]
    fn action_set_badge_background_color(details: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "action"], js_name = setTitle, catch)]
    fn action_set_title(details: &JsValue) -> Result<Promise, JsValue>;
}

/// The text of `key` from `_locales` in the browser's language. A key the catalog lacks is loud:
/// a console error, and the key itself as the text.
pub fn message(key: &str) -> String {
    let text = i18n_get_message(key)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    if text.is_empty() {
        console_error(&format!(
            "Lantern i18n: no message {key:?} in _locales (shown as its key)"
        ));
        return key.to_string();
    }
    text
}

/// Builds a plain JS object from key/value pairs.
fn object(pairs: &[(&str, JsValue)]) -> Result<JsValue, JsValue> {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &JsValue::from_str(key), value)?;
    }
    Ok(object.into())
}

fn strings(items: &[&str]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

async fn call(promise: Result<Promise, JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(promise?).await
}

/// How many offscreen documents with this URL exist.
pub async fn offscreen_document_count(url: &str) -> Result<u32, JsValue> {
    let filter = object(&[
        ("contextTypes", strings(&["OFFSCREEN_DOCUMENT"])),
        ("documentUrls", strings(&[url])),
    ])?;
    let contexts = call(get_contexts(&filter)).await?;
    Ok(Array::from(&contexts).length())
}

pub async fn create_offscreen_document(
    path: &str,
    reasons: &[&str],
    justification: &str,
) -> Result<(), JsValue> {
    let params = object(&[
        ("url", JsValue::from_str(path)),
        ("reasons", strings(reasons)),
        ("justification", JsValue::from_str(justification)),
    ])?;
    call(create_document(&params)).await.map(drop)
}

/// Injects a script file into the top frame of a tab.
pub async fn inject_file(tab_id: i64, file: &str) -> Result<(), JsValue> {
    let target = object(&[("tabId", JsValue::from_f64(tab_id as f64))])?;
    let injection = object(&[("target", target), ("files", strings(&[file]))])?;
    call(execute_script(&injection)).await.map(drop)
}

/// The id of the active tab in the window the user last focused.
pub async fn active_tab_id() -> Result<Option<i64>, JsValue> {
    let query = object(&[
        ("active", JsValue::TRUE),
        ("lastFocusedWindow", JsValue::TRUE),
    ])?;
    let tabs = Array::from(&call(tabs_query(&query)).await?);
    let id = Reflect::get(&tabs.get(0), &JsValue::from_str("id"))
        .ok()
        .and_then(|id| id.as_f64());
    Ok(id.map(|id| id as i64))
}

/// Sends a message to the content script in a tab's top frame and returns its answer.
pub async fn send_to_tab(tab_id: i64, message: &JsValue) -> Result<JsValue, JsValue> {
    let options = object(&[("frameId", JsValue::from_f64(0.0))])?;
    call(tabs_send_message(tab_id as f64, message, &options)).await
}

pub async fn open_tab(url: &str) -> Result<(), JsValue> {
    let properties = object(&[("url", JsValue::from_str(url))])?;
    call(tabs_create(&properties)).await.map(drop)
}

/// Sends a message to the extension's other pages (the offscreen document is the one that answers).
pub async fn send_message(message: &JsValue) -> Result<JsValue, JsValue> {
    call(runtime_send_message(message)).await
}

/// The address of a tab, when Lantern may see it (activeTab granted, or a host permission).
pub async fn tab_url(tab_id: i64) -> Result<Option<String>, JsValue> {
    let tab = call(tabs_get(tab_id as f64)).await?;
    Ok(Reflect::get(&tab, &JsValue::from_str("url"))
        .ok()
        .and_then(|url| url.as_string()))
}

/// Replaces every context-menu item of ours with these (id, title, contexts).
pub async fn set_context_menus(items: &[(&str, String, &[&str])]) -> Result<(), JsValue> {
    call(context_menus_remove_all()).await?;
    for (id, title, contexts) in items {
        let properties = object(&[
            ("id", JsValue::from_str(id)),
            ("title", JsValue::from_str(title)),
            ("contexts", strings(contexts)),
        ])?;
        context_menus_create(&properties)?;
    }
    Ok(())
}

/// Stores one value in `chrome.storage.session` (memory only, gone when the browser closes).
pub async fn session_set(key: &str, value: &JsValue) -> Result<(), JsValue> {
    let items = object(&[(key, value.clone())])?;
    call(storage_session_set(&items)).await.map(drop)
}

/// Reads one value from `chrome.storage.session` (`undefined` when absent).
pub async fn session_get(key: &str) -> Result<JsValue, JsValue> {
    let items = call(storage_session_get(key)).await?;
    Reflect::get(&items, &JsValue::from_str(key))
}

/// Sets the toolbar button's badge text, its colour and the button's title (all windows).
pub async fn set_badge(text: &str, color: &str, title: &str) -> Result<(), JsValue> {
    let text = object(&[("text", JsValue::from_str(text))])?;
    let color = object(&[("color", JsValue::from_str(color))])?;
    let title = object(&[("title", JsValue::from_str(title))])?;
    // Started together: the text is what the user waits for, the other two follow it.
    let text = action_set_badge_text(&text);
    let color = action_set_badge_background_color(&color);
    let title = action_set_title(&title);
    call(text).await?;
    call(color).await?;
    call(title).await.map(drop)
}
