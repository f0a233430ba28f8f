//! The user's settings: stored in the `lantern-chats` database (`settings` store), read by the
//! chat (model, sampling, system prompt), every page (theme), the voice features (language,
//! microphone) and speech out (voice, rate, volume, speaking answers aloud, the voice speeds
//! measured here). A save is announced to every open Lantern page, so a change made on the options
//! page shows in an open side panel at once.

use protocol::{Sampling, SpeechStyle};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::history::store::ChatStore;
use crate::i18n::t;

const KEY: &str = "settings";
/// Every page of the extension shares this origin, so one channel reaches them all.
const CHANNEL: &str = "lantern-settings";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn name(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn from_name(name: &str) -> Theme {
        match name {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The chat model; `None` means the catalog's default chat model.
    pub default_model: Option<String>,
    pub temperature: f32,
    pub top_p: f32,
    pub max_tokens: usize,
    /// Sent first in every conversation when not empty.
    pub system_prompt: String,
    /// A BCP 47 language for speech input, or "auto".
    pub voice_language: String,
    /// A `MediaDeviceInfo.deviceId`; `None` means the system's default microphone.
    pub microphone: Option<String>,
    /// The voice command's conversation mode: after each answer it listens again, until the
    /// user stops it.
    pub voice_conversation: bool,
    pub theme: Theme,
    /// The voice that speaks, as `speak` names it; `None`: the one that fits this device.
    pub voice: Option<String>,
    /// Speaking rate, 0.5 to 2.
    pub speech_rate: f32,
    /// Loudness of speech, 0 to 1.
    pub speech_volume: f32,
    /// Every chat answer is spoken as it streams.
    pub speak_answers: bool,
    /// Real-time factors measured here, per voice (`measure_voice_speed`): what the default
    /// voice is chosen by, kept so each voice is measured once.
    pub voice_speeds: Vec<(String, f64)>,
}

impl Default for Settings {
    fn default() -> Settings {
        let sampling = Sampling::default();
        Settings {
            default_model: None,
            temperature: sampling.temperature,
            top_p: sampling.top_p,
            max_tokens: sampling.max_tokens,
            system_prompt: String::new(),
            voice_language: "auto".into(),
            microphone: None,
            voice_conversation: false,
            theme: Theme::System,
            voice: None,
            speech_rate: 1.0,
            speech_volume: 1.0,
            speak_answers: false,
            voice_speeds: Vec::new(),
        }
    }
}

impl Settings {
    pub fn sampling(&self) -> Sampling {
        Sampling {
            temperature: self.temperature,
            top_p: self.top_p,
            max_tokens: self.max_tokens,
            ..Sampling::default()
        }
    }

    /// How `voice` speaks with these settings.
    pub fn speech_style(&self, voice: String) -> SpeechStyle {
        SpeechStyle {
            model_id: voice,
            rate: Some(self.speech_rate),
            volume: Some(self.speech_volume),
        }
    }

    /// Checks values typed by the user; the message names the field and its range.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=2.0).contains(&self.temperature) {
            return Err(t("invalidTemperature"));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(t("invalidTopP"));
        }
        if !(1..=8192).contains(&self.max_tokens) {
            return Err(t("invalidMaxTokens"));
        }
        if self.system_prompt.len() > 20_000 {
            return Err(t("invalidSystemPrompt"));
        }
        if !(0.5..=2.0).contains(&self.speech_rate) {
            return Err(t("invalidSpeechRate"));
        }
        if !(0.0..=1.0).contains(&self.speech_volume) {
            return Err(t("invalidSpeechVolume"));
        }
        Ok(())
    }

    /// The stored settings, or the defaults when none are stored or storage fails.
    pub async fn load() -> Settings {
        Settings::read().await.unwrap_or_default()
    }

    /// The stored settings (the defaults when none are stored), or why they cannot be read.
    pub async fn read() -> Result<Settings, String> {
        let store = ChatStore::open().await.map_err(|e| e.to_string())?;
        let stored = store.setting(KEY).await.map_err(|e| e.to_string())?;
        Ok(stored.unwrap_or_default())
    }

    pub async fn save(&self) -> Result<(), String> {
        self.validate()?;
        let store = ChatStore::open().await.map_err(|e| e.to_string())?;
        store
            .put_setting(KEY, self)
            .await
            .map_err(|e| e.to_string())?;
        announce_change();
        Ok(())
    }
}

/// Tells the other open pages that the stored settings changed (they read them again).
pub fn announce_change() {
    if let Ok(channel) = BroadcastChannel::new(CHANNEL) {
        let _ = channel.post_message(&"changed".into());
        channel.close();
    }
}

/// Calls `changed` with the stored settings whenever another page saves them, until dropped.
pub struct SettingsWatch {
    channel: BroadcastChannel,
    _listener: Closure<dyn FnMut(MessageEvent)>,
}

impl SettingsWatch {
    pub fn start(changed: impl Fn(Settings) + Clone + 'static) -> Option<SettingsWatch> {
        let channel = BroadcastChannel::new(CHANNEL).ok()?;
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
            let changed = changed.clone();
            wasm_bindgen_futures::spawn_local(async move { changed(Settings::load().await) });
        });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Some(SettingsWatch {
            channel,
            _listener: listener,
        })
    }
}

impl Drop for SettingsWatch {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

/// Shows `theme` on this page (`data-theme` on the root element; the stylesheet does the rest).
pub fn apply_theme(theme: Theme) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.name());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_values_are_refused_with_the_field_named() {
        let ok = Settings::default();
        assert_eq!(ok.validate(), Ok(()));
        let hot = Settings {
            temperature: 3.0,
            ..ok.clone()
        };
        assert!(hot.validate().expect_err("refused").contains("Temperature"));
        let long = Settings {
            max_tokens: 0,
            ..ok.clone()
        };
        assert!(long.validate().expect_err("refused").contains("Max tokens"));
        let top = Settings {
            top_p: 0.0,
            ..ok.clone()
        };
        assert!(top.validate().expect_err("refused").contains("Top-p"));
        let fast = Settings {
            speech_rate: 3.0,
            ..ok.clone()
        };
        assert!(fast.validate().expect_err("refused").contains("rate"));
        let loud = Settings {
            speech_volume: 1.5,
            ..ok
        };
        assert!(loud.validate().expect_err("refused").contains("olume"));
    }

    #[test]
    fn older_records_fill_missing_fields_with_defaults() {
        let read: Settings = serde_json::from_str(r#"{"theme":"dark"}"#).expect("readable");
        assert_eq!(read.theme, Theme::Dark);
        assert_eq!(read.max_tokens, Settings::default().max_tokens);
    }
}
