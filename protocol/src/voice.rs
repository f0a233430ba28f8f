//! The voice command's hand-off from the service worker to the side panel: a press of the
//! hotkey waits in `chrome.storage.session` (a restarted service worker loses nothing, a panel
//! that is still opening finds it when it starts), and the panel of that window takes it.

use serde::{Deserialize, Serialize};

/// The `chrome.storage.session` key under which a press of the voice command waits.
pub const VOICE_PRESS_KEY: &str = "lantern.voice_press";

/// The `chrome.storage.session` key listing the windows whose side panel is in a voice session
/// (listening, answering or speaking): there a press means "stop", so the background leaves the
/// toolbar badge to the panel.
pub const VOICE_ACTIVE_KEY: &str = "lantern.voice_active";

/// One press of the voice command. The panel decides what it means: start listening when idle,
/// stop everything (listening, the answer, its speech) otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoicePress {
    pub window_id: i64,
    /// The tab the command was pressed over: the page "this page" means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tab_id: Option<i64>,
    /// When the press happened (ms since the epoch): tells two presses apart, and lets the
    /// panel measure how long its indicator took.
    pub pressed_ms: f64,
}

/// What the toolbar badge shows of a voice session; the background sets `Listening` the moment
/// the command fires, the side panel every state after that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoiceBadge {
    Off,
    Listening,
    /// Transcribing, thinking, or waiting for the first sentence's audio.
    Working,
    Speaking,
}

impl VoiceBadge {
    /// The badge's text: a symbol, the same in every language (the title says it in words).
    pub fn text(self) -> &'static str {
        match self {
            VoiceBadge::Off => "",
            VoiceBadge::Listening => "●",
            VoiceBadge::Working => "…",
            VoiceBadge::Speaking => "♪",
        }
    }

    /// The badge's colour: red while the microphone is open, as browsers mark recording.
    pub fn color(self) -> &'static str {
        match self {
            VoiceBadge::Listening => "#c5221f",
            VoiceBadge::Off | VoiceBadge::Working | VoiceBadge::Speaking => "#3c4043",
        }
    }
}
