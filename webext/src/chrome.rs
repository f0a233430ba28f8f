//! The `chrome.runtime` declarations every wasm crate needs; crate-specific APIs are declared in
//! each crate's own `chrome.rs`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `chrome.runtime.Port`.
    #[derive(Clone, Debug)]
    pub type Port;
    #[wasm_bindgen(method, getter)]
    pub fn name(this: &Port) -> String;
    #[wasm_bindgen(method, getter)]
    pub fn sender(this: &Port) -> Option<MessageSender>;
    /// Throws when the port is already disconnected.
    #[wasm_bindgen(method, catch, js_name = postMessage)]
    pub fn post_message(this: &Port, message: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    pub fn disconnect(this: &Port);
    #[wasm_bindgen(method, getter, js_name = onMessage)]
    pub fn on_message(this: &Port) -> ChromeEvent;
    #[wasm_bindgen(method, getter, js_name = onDisconnect)]
    pub fn on_disconnect(this: &Port) -> ChromeEvent;

    /// Any `chrome.events.Event`.
    pub type ChromeEvent;
    #[wasm_bindgen(method, js_name = addListener)]
    pub fn add_listener(this: &ChromeEvent, listener: &js_sys::Function);
    #[wasm_bindgen(method, js_name = removeListener)]
    pub fn remove_listener(this: &ChromeEvent, listener: &js_sys::Function);

    /// `chrome.runtime.MessageSender`.
    #[derive(Clone, Debug)]
    pub type MessageSender;
    #[wasm_bindgen(method, getter)]
    pub fn id(this: &MessageSender) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    pub fn url(this: &MessageSender) -> Option<String>;

    #[wasm_bindgen(thread_local_v2, js_namespace = ["chrome", "runtime"], js_name = id)]
    static RUNTIME_ID: String;
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = getURL)]
    fn get_url(path: &str) -> String;
    /// Throws when the extension context is invalidated (the extension was reloaded).
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = connect, catch)]
    pub fn connect(info: &JsValue) -> Result<Port, JsValue>;
}

/// This extension's id.
pub fn extension_id() -> String {
    RUNTIME_ID.with(Clone::clone)
}

/// The full URL of a file in the extension package.
pub fn extension_url(path: &str) -> String {
    get_url(path)
}
