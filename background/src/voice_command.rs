//! The voice command (Alt+Shift+V). `static/sw.js` opens the side panel inside the key press's
//! gesture; here the press is left for that window's panel (`protocol::VoicePress` in
//! `chrome.storage.session`), which may still be loading: it takes the press when it starts.
//! The panel decides what a press means (start, or stop what runs); when its window has no voice
//! session the press can only mean "start", so the toolbar badge says "listening" at once,
//! before the panel has even loaded.

use js_sys::{Array, Reflect};
use protocol::{VOICE_ACTIVE_KEY, VOICE_PRESS_KEY, VoiceBadge, VoicePress};
use wasm_bindgen::JsValue;

use crate::chrome;

/// The press a `commands.onCommand` call makes, from Chromium's `Tab`; `None` outside a window.
pub fn press_of(tab: &JsValue, now_ms: f64) -> Option<VoicePress> {
    let get = |key: &str| Reflect::get(tab, &JsValue::from_str(key)).ok();
    Some(VoicePress {
        window_id: get("windowId")?.as_f64()? as i64,
        tab_id: get("id").and_then(|id| id.as_f64()).map(|id| id as i64),
        pressed_ms: now_ms,
    })
}

/// Whether `window_id`'s panel said it is in a voice session.
async fn in_session(window_id: i64) -> bool {
    let Ok(windows) = chrome::session_get(VOICE_ACTIVE_KEY).await else {
        return false;
    };
    Array::is_array(&windows)
        && Array::from(&windows)
            .iter()
            .any(|w| w.as_f64() == Some(window_id as f64))
}

pub async fn pressed(tab: JsValue) -> Result<(), JsValue> {
    let Some(press) = press_of(&tab, js_sys::Date::now()) else {
        return Ok(());
    };
    if !in_session(press.window_id).await {
        let badge = VoiceBadge::Listening;
        let title = chrome::message("voiceBadgeListening");
        chrome::set_badge(badge.text(), badge.color(), &title).await?;
    }
    chrome::session_set(VOICE_PRESS_KEY, &webext::to_js(&press)).await
}
