//! Lantern's user interface: one Sycamore app, mounted as the toolbar popup, the side panel, the
//! options page and the welcome page. It talks only to the background, through `client`.
#![deny(clippy::unwrap_used)]

mod chrome;
mod client;
mod downloads;
mod fetch;
mod history;
mod i18n;
mod import;
mod machine;
mod markdown;
mod model_list;
mod model_servers;
mod settings;
mod state;
mod tool_servers;
mod views;
mod voices;

use wasm_bindgen::prelude::*;

pub use client::Client;
pub use views::Surface;

/// Mounts the app into the page's body. `surface` is the page's `data-surface`.
#[wasm_bindgen]
pub fn mount(surface: &str) -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let surface = Surface::from_name(surface)
        .ok_or_else(|| JsValue::from_str(&format!("unknown surface {surface:?}")))?;
    i18n::set_document_language();
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(document) = &document {
        document.set_title(&surface.title());
    }
    let body = document
        .and_then(|d| d.body())
        .ok_or_else(|| JsValue::from_str("no document body to mount into"))?;
    sycamore::render_to(
        move || sycamore::prelude::view! { views::App(surface=surface) },
        &body,
    );
    Ok(())
}
