//! The offscreen document's lifecycle: at most one, created on demand by whichever request needs
//! it first, and created again after it was closed.

use std::cell::RefCell;

use js_sys::Promise;
use protocol::{ErrorCode, LanternError};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::chrome;

const PATH: &str = protocol::OFFSCREEN_DOCUMENT_PATH;

thread_local! {
    /// The check-and-create in flight, shared by every concurrent caller so that ten requests
    /// arriving together create one document.
    static ENSURING: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

/// Whether the offscreen document exists now.
pub async fn is_open() -> bool {
    chrome::offscreen_document_count(&webext::extension_url(PATH))
        .await
        .is_ok_and(|count| count > 0)
}

/// Makes sure the offscreen document exists.
pub async fn ensure() -> Result<(), LanternError> {
    let promise = ENSURING.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| wasm_bindgen_futures::future_to_promise(check_and_create()))
            .clone()
    });
    JsFuture::from(promise).await.map(drop).map_err(|err| {
        LanternError::new(
            ErrorCode::OffscreenUnavailable,
            format!("could not start the engine's document: {}", describe(&err)),
        )
    })
}

async fn check_and_create() -> Result<JsValue, JsValue> {
    let result = async {
        let url = webext::extension_url(PATH);
        if chrome::offscreen_document_count(&url).await? == 0 {
            chrome::create_offscreen_document(
                PATH,
                // AUDIO_PLAYBACK alone would close the document after 30 s of silence; with
                // WORKERS among the reasons that limit does not apply, so the engines stay.
                &["WORKERS", "USER_MEDIA", "AUDIO_PLAYBACK"],
                "Runs Lantern's local AI models in Web Workers, listens to the microphone \
                 while you dictate, and plays answers read aloud.",
            )
            .await?;
        }
        Ok(JsValue::UNDEFINED)
    }
    .await;
    ENSURING.with(|cell| cell.borrow_mut().take());
    result
}

fn describe(err: &JsValue) -> String {
    js_sys::Error::from(err.clone())
        .message()
        .as_string()
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
