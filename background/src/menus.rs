//! The page context menu: "Summarize page", "Summarize selection" (shown only over a selection),
//! "Explain selection" and "Read text in image" (shown only over an image). A click opens the
//! side panel (in `static/sw.js`, where the user's gesture still holds) and leaves a
//! `SummaryJob` or an `ImageJob` in `chrome.storage.session` for that window's panel, which
//! takes it and asks for the summary or the image's text; a panel already open sees it arrive.

use js_sys::Reflect;
use protocol::{IMAGE_JOB_KEY, ImageJob, SUMMARY_JOB_KEY, SummaryJob, SummaryKind};
use wasm_bindgen::JsValue;

use crate::chrome;

const SUMMARIZE_PAGE: &str = "lantern-summarize-page";
const SUMMARIZE_SELECTION: &str = "lantern-summarize-selection";
const EXPLAIN_SELECTION: &str = "lantern-explain-selection";
const READ_IMAGE_TEXT: &str = "lantern-read-image-text";

/// Creates the menu items, titled in the browser's language (on install and update: Chromium
/// keeps them across restarts, so a changed browser language shows after the next update).
pub async fn install() -> Result<(), JsValue> {
    chrome::set_context_menus(&[
        (
            SUMMARIZE_PAGE,
            chrome::message("menuSummarizePage"),
            &["page"],
        ),
        (
            SUMMARIZE_SELECTION,
            chrome::message("menuSummarizeSelection"),
            &["selection"],
        ),
        (
            EXPLAIN_SELECTION,
            chrome::message("menuExplainSelection"),
            &["selection"],
        ),
        (
            READ_IMAGE_TEXT,
            chrome::message("menuReadImageText"),
            &["image"],
        ),
    ])
    .await
}

/// The job a click asks for, from Chromium's `OnClickData` and `Tab`; `None` for an item that is
/// not ours or a click outside a tab.
pub fn job_of(info: &JsValue, tab: &JsValue, now_ms: f64) -> Option<SummaryJob> {
    let get = |object: &JsValue, key: &str| Reflect::get(object, &JsValue::from_str(key)).ok();
    let kind = match get(info, "menuItemId")?.as_string()?.as_str() {
        SUMMARIZE_PAGE => SummaryKind::Page,
        SUMMARIZE_SELECTION => SummaryKind::Selection,
        EXPLAIN_SELECTION => SummaryKind::Explain,
        _ => return None,
    };
    Some(SummaryJob {
        window_id: get(tab, "windowId")?.as_f64()? as i64,
        tab_id: get(tab, "id")?.as_f64()? as i64,
        kind,
        selection: get(info, "selectionText").and_then(|s| s.as_string()),
        created_ms: now_ms,
    })
}

/// The image job a "Read text in image" click asks for; `None` for another item, a click
/// outside a tab or without an image address.
pub fn image_job_of(info: &JsValue, tab: &JsValue, now_ms: f64) -> Option<ImageJob> {
    let get = |object: &JsValue, key: &str| Reflect::get(object, &JsValue::from_str(key)).ok();
    if get(info, "menuItemId")?.as_string()?.as_str() != READ_IMAGE_TEXT {
        return None;
    }
    Some(ImageJob {
        window_id: get(tab, "windowId")?.as_f64()? as i64,
        tab_id: get(tab, "id")?.as_f64()? as i64,
        src_url: get(info, "srcUrl")?.as_string()?,
        page_url: get(info, "pageUrl")
            .and_then(|u| u.as_string())
            .unwrap_or_default(),
        created_ms: now_ms,
    })
}

/// Leaves the click's job for the side panel.
pub async fn clicked(info: JsValue, tab: JsValue) -> Result<(), JsValue> {
    let now = js_sys::Date::now();
    if let Some(job) = image_job_of(&info, &tab, now) {
        return chrome::session_set(IMAGE_JOB_KEY, &webext::to_js(&job)).await;
    }
    let Some(job) = job_of(&info, &tab, now) else {
        return Ok(());
    };
    chrome::session_set(SUMMARY_JOB_KEY, &webext::to_js(&job)).await
}
