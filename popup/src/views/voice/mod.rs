//! The voice command in the side panel: its button (the same as Alt+Shift+V), the session's
//! state in words, conversation mode, and what stands in the way with its fix (a model to
//! download, the microphone to allow). Presses of the hotkey arrive through
//! `chrome.storage.session` (`protocol::VoicePress`): one left before this panel finished
//! loading is taken when it starts. The session itself is `session.rs`; where a question goes,
//! `intent.rs`; what must be downloaded first, `readiness.rs`.

mod intent;
mod readiness;
mod session;

use protocol::{ErrorCode, VoicePress};
use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::KeyboardEvent;

use super::chat::Chat;
use super::dictate::PERMISSION_PAGE;
use super::error_text::status_problem;
use crate::chrome;
use crate::downloads;
use crate::i18n::{number, t, t_with};
use crate::settings::Settings;
use crate::state::AppState;
use session::{Phase, Voice};

/// A press older than this was not meant for a panel opening now (it waited for a panel that
/// never came): it is dropped rather than opening the microphone by surprise.
const PRESS_FRESH_MS: f64 = 10_000.0;

fn status(phase: &Phase) -> String {
    match phase {
        Phase::Idle => String::new(),
        Phase::Starting => t("micStarting"),
        Phase::Listening => t("voiceListening"),
        Phase::Hearing => t("hearing"),
        Phase::Transcribing(text) if text.is_empty() => t("transcribing"),
        Phase::Transcribing(text) => format!("{} {text}", t("transcribing")),
        Phase::Thinking => t("voiceThinking"),
        Phase::Speaking => t("voiceSpeaking"),
        Phase::Explaining => t("voiceExplaining"),
    }
}

fn take_press(voice: Voice) {
    wasm_bindgen_futures::spawn_local(async move {
        let window = match voice.window.get_untracked() {
            Some(window) => window,
            None => match chrome::current_window_id().await {
                Some(window) => {
                    voice.window.set(Some(window));
                    window
                }
                None => return,
            },
        };
        if let Some(press) = chrome::take_voice_press(window).await {
            act_on(voice, press);
        }
    });
}

fn act_on(voice: Voice, press: VoicePress) {
    if js_sys::Date::now() - press.pressed_ms > PRESS_FRESH_MS {
        // The badge the background set for it says nothing true any more.
        voice.clear_badge();
        return;
    }
    voice.toggle(press.tab_id);
}

/// Esc stops the voice session from anywhere in the panel.
fn listen_for_escape(voice: Voice) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let on_key = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
        if e.key() == "Escape" && voice.active() {
            voice.stop();
        }
    });
    let _ = document.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    on_cleanup(move || {
        let _ = document
            .remove_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    });
}

/// A closing panel ends its session: the badge and the background's note must not outlive it.
fn end_with_the_page(voice: Voice) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_hide = Closure::<dyn Fn()>::new(move || voice.stop());
    let _ = window.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    on_hide.forget();
}

fn save_conversation_mode(voice: Voice, on: bool) {
    voice.conversation.set(on);
    wasm_bindgen_futures::spawn_local(async move {
        let mut settings = Settings::load().await;
        settings.voice_conversation = on;
        if let Err(why) = settings.save().await {
            voice.problem.set(Some(super::error_text::ui_error(
                ErrorCode::StorageFailed,
                t_with("notSaved", &[&why]),
            )));
        }
    });
}

fn download(voice: Voice) {
    let models = voice.missing.get_clone();
    voice.problem.set(None);
    wasm_bindgen_futures::spawn_local(async move {
        for model in models {
            let name = model.entry.name.clone();
            voice.problem.set(Some(super::error_text::ui_error(
                ErrorCode::Cancelled,
                t_with("voiceDownloading", &[&name, &number(0.0, 0)]),
            )));
            let progress = move |bytes: u64, total: Option<u64>, _| {
                let percent = total
                    .and_then(|t| (bytes * 100).checked_div(t))
                    .unwrap_or(0);
                voice.problem.set(Some(super::error_text::ui_error(
                    ErrorCode::Cancelled,
                    t_with("voiceDownloading", &[&name, &number(percent as f64, 0)]),
                )));
            };
            if let Err(error) =
                downloads::follow(voice.models, model.entry.id.clone(), progress).await
            {
                voice.problem.set(Some(error));
                return;
            }
        }
        voice.missing.set(Vec::new());
        voice.problem.set(None);
    });
}

/// The voice command's controls, for the side panel's composer.
#[component(inline_props)]
pub fn VoiceCommand(chat: Chat) -> View {
    let voice = Voice::new(chat, use_context::<AppState>().models);
    on_mount(move || {
        chrome::on_voice_press(move || take_press(voice));
        take_press(voice);
        listen_for_escape(voice);
        end_with_the_page(voice);
        wasm_bindgen_futures::spawn_local(async move {
            voice
                .conversation
                .set(Settings::load().await.voice_conversation);
        });
    });
    view! {
        div(class="voice-command", data-state=voice.phase.with(Phase::name)) {
            button(class="secondary voice", r#type="button",
                   aria-pressed=if voice.active() { "true" } else { "false" },
                   aria-keyshortcuts="Alt+Shift+V", title=t("voiceCommandTitle"),
                   on:click=move |_| voice.toggle(None)) { (t("voiceCommand")) }
            label(class="voice-conversation") {
                input(r#type="checkbox", checked=voice.conversation.get(),
                      on:change=move |e: web_sys::Event| {
                          let on = e.target()
                              .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                              .is_some_and(|i| i.checked());
                          save_conversation_mode(voice, on);
                      })
                " " (t("voiceConversation"))
            }
        }
        p(class="voice-status", role="status", aria-live="polite") {
            (status(&voice.phase.get_clone()))
            (match voice.problem.get_clone() {
                Some(problem) => status_problem(&problem),
                None => view! {},
            })
            (match voice.problem.get_clone().map(|p| p.code) {
                Some(ErrorCode::MicrophonePermissionNeeded) => view! {
                    " " a(href=PERMISSION_PAGE, target="_blank") { (t("allowMicrophone")) }
                },
                Some(ErrorCode::NotInstalled) if !voice.missing.with(Vec::is_empty) => view! {
                    " " button(r#type="button", on:click=move |_| download(voice)) { (t("voiceDownload")) }
                },
                _ => view! {},
            })
        }
    }
}
