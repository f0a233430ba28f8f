//! The settings form on the options page: default model, sampling, system prompt, voice input,
//! theme, and privacy (what is stored where; clear all data). The catalog URL is set in the
//! models card.

use protocol::{ErrorCode, Role, Task};
use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlSelectElement};

use super::boundary::fault;
use super::error_text::ui_error;
use crate::history::store::ChatStore;
use crate::i18n::{t, t_with};
use crate::settings::{Settings, Theme, apply_theme};
use crate::state::{AppState, client};

/// Languages Whisper transcribes well, offered for speech input.
fn languages() -> [(&'static str, String); 9] {
    [
        ("auto", t("languageAuto")),
        ("en", t("languageEnglish")),
        ("de", t("languageGerman")),
        ("fr", t("languageFrench")),
        ("es", t("languageSpanish")),
        ("it", t("languageItalian")),
        ("pt", t("languagePortuguese")),
        ("nl", t("languageDutch")),
        ("ja", t("languageJapanese")),
    ]
}

pub(super) fn select_value(e: &Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

/// The microphones the browser lists (labels appear once microphone access was granted).
async fn microphones() -> Vec<(String, String)> {
    let Some(devices) = web_sys::window().and_then(|w| w.navigator().media_devices().ok()) else {
        return Vec::new();
    };
    let Ok(promise) = devices.enumerate_devices() else {
        return Vec::new();
    };
    let Ok(list) = wasm_bindgen_futures::JsFuture::from(promise).await else {
        return Vec::new();
    };
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|d| d.dyn_into::<web_sys::MediaDeviceInfo>().ok())
        .filter(|d| d.kind() == web_sys::MediaDeviceKind::Audioinput && !d.device_id().is_empty())
        .enumerate()
        .map(|(i, d)| {
            let label = d.label();
            let label = if label.is_empty() {
                t_with("microphoneNumber", &[&(i + 1).to_string()])
            } else {
                label
            };
            (d.device_id(), label)
        })
        .collect()
}

#[component]
pub fn SettingsCard() -> View {
    let loaded = create_signal(false);
    let list = use_context::<AppState>().models;
    list.ensure();
    // The chat models, for the default model.
    let models = create_memo(move || {
        list.of(Some(Task::Llm), Some(Role::Model))
            .into_iter()
            .map(|m| (m.entry.id, m.entry.name))
            .collect::<Vec<_>>()
    });
    let mics = create_signal(Vec::<(String, String)>::new());
    let default_model = create_signal(String::new());
    let temperature = create_signal(0.0f64);
    let top_p = create_signal(0.0f64);
    let max_tokens = create_signal(0.0f64);
    let system_prompt = create_signal(String::new());
    let language = create_signal(String::new());
    let microphone = create_signal(String::new());
    let conversation = create_signal(false);
    let theme = create_signal(Theme::System);
    let notice = create_signal(None::<(bool, String)>);
    let confirm_clear = create_signal(false);

    let show = move |s: &Settings| {
        default_model.set(s.default_model.clone().unwrap_or_default());
        // Stored as f32: shown rounded, not as 0.699999988.
        let shown = |v: f32| (f64::from(v) * 1000.0).round() / 1000.0;
        temperature.set(shown(s.temperature));
        top_p.set(shown(s.top_p));
        max_tokens.set(s.max_tokens as f64);
        system_prompt.set(s.system_prompt.clone());
        language.set(s.voice_language.clone());
        microphone.set(s.microphone.clone().unwrap_or_default());
        conversation.set(s.voice_conversation);
        theme.set(s.theme);
    };
    let fault = fault();
    on_mount(move || {
        wasm_bindgen_futures::spawn_local(async move {
            match Settings::read().await {
                Ok(settings) => show(&settings),
                // A form of defaults would overwrite settings the user cannot see.
                Err(why) => {
                    let text = t_with("settingsUnreadable", &[&why]);
                    match fault {
                        Some(fault) => fault.fail(ui_error(ErrorCode::StorageFailed, text)),
                        None => notice.set(Some((false, text))),
                    }
                    return;
                }
            }
            loaded.set(true);
            mics.set(microphones().await);
        });
    });
    let gather = move || Settings {
        default_model: Some(default_model.get_clone()).filter(|m| !m.is_empty()),
        // NaN (an empty number box) fails validation below with the field named.
        temperature: temperature.get() as f32,
        top_p: top_p.get() as f32,
        max_tokens: if max_tokens.get().is_finite() && max_tokens.get() >= 0.0 {
            max_tokens.get() as usize
        } else {
            0
        },
        system_prompt: system_prompt.get_clone(),
        voice_language: language.get_clone(),
        microphone: Some(microphone.get_clone()).filter(|m| !m.is_empty()),
        voice_conversation: conversation.get(),
        theme: theme.get(),
        // Speech out has its own card (and save), which owns these.
        ..Settings::default()
    };
    let save = move |_| {
        let form = gather();
        wasm_bindgen_futures::spawn_local(async move {
            let stored = Settings::load().await;
            let settings = Settings {
                voice: stored.voice,
                speech_rate: stored.speech_rate,
                speech_volume: stored.speech_volume,
                speak_answers: stored.speak_answers,
                voice_speeds: stored.voice_speeds,
                ..form
            };
            match settings.save().await {
                Ok(()) => {
                    apply_theme(settings.theme);
                    notice.set(Some((true, t("settingsSaved"))));
                }
                Err(why) => notice.set(Some((false, t_with("notSaved", &[&why])))),
            }
        });
    };
    let clear_all = move |_| {
        confirm_clear.set(false);
        wasm_bindgen_futures::spawn_local(async move {
            let chats = match ChatStore::open().await {
                Ok(store) => store.clear_everything().await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let models = client().clear_models().await.map_err(|e| e.message);
            // The device's own choices go back to their defaults too: the catalog the models
            // come from and the engine's thread count.
            let choices = match client().set_catalog_url(None).await {
                Ok(()) => client().set_engine_threads(None).await,
                Err(e) => Err(e),
            }
            .map_err(|e| e.message);
            match chats.and(models).and(choices) {
                Ok(_) => {
                    show(&Settings::default());
                    apply_theme(Theme::System);
                    crate::settings::announce_change();
                    notice.set(Some((true, t("allDataDeleted"))));
                }
                Err(why) => notice.set(Some((false, t_with("clearFailed", &[&why])))),
            }
        });
    };
    view! {
        section(class="card settings", aria-labelledby="settings-heading",
                data-state=if loaded.get() { "ready" } else { "loading" }) {
            h2(id="settings-heading") { (t("settingsHeading")) }
            div(class="form") {
                label(r#for="set-model") { (t("defaultModel")) }
                select(id="set-model", on:change=move |e: Event| default_model.set(select_value(&e))) {
                    option(value="", selected=default_model.with(String::is_empty)) { (t("modelForThisDevice")) }
                    (models.get_clone().into_iter().map(|(id, name)| {
                        let selected = default_model.with(|d| *d == id);
                        view! { option(value=id, selected=selected) { (name) } }
                    }).collect::<Vec<_>>())
                }
                label(r#for="set-temperature") { (t("temperatureLabel")) }
                input(id="set-temperature", r#type="number", min="0", max="2", step="0.05", bind:valueAsNumber=temperature)
                label(r#for="set-top-p") { (t("topPLabel")) }
                input(id="set-top-p", r#type="number", min="0.01", max="1", step="0.01", bind:valueAsNumber=top_p)
                label(r#for="set-max-tokens") { (t("maxTokensLabel")) }
                input(id="set-max-tokens", r#type="number", min="1", max="8192", step="1", bind:valueAsNumber=max_tokens)
                label(r#for="set-system") { (t("systemPromptLabel")) }
                textarea(id="set-system", rows="3", placeholder=t("systemPromptPlaceholder"), bind:value=system_prompt)
                label(r#for="set-language") { (t("speechLanguageLabel")) }
                select(id="set-language", on:change=move |e: Event| language.set(select_value(&e))) {
                    (languages().into_iter().map(|(code, name)| {
                        let selected = language.with(|l| l == code);
                        view! { option(value=code, selected=selected) { (name) } }
                    }).collect::<Vec<_>>())
                }
                label(r#for="set-mic") { (t("microphoneLabel")) }
                select(id="set-mic", on:change=move |e: Event| microphone.set(select_value(&e))) {
                    option(value="", selected=microphone.with(String::is_empty)) { (t("systemDefault")) }
                    (mics.get_clone().into_iter().map(|(id, name)| {
                        let selected = microphone.with(|m| *m == id);
                        view! { option(value=id, selected=selected) { (name) } }
                    }).collect::<Vec<_>>())
                }
                label(r#for="set-conversation") { (t("voiceConversation")) }
                input(id="set-conversation", r#type="checkbox", bind:checked=conversation)
                label(r#for="set-theme") { (t("themeLabel")) }
                select(id="set-theme", on:change=move |e: Event| theme.set(Theme::from_name(&select_value(&e)))) {
                    (
                        [(Theme::System, t("themeSystem")), (Theme::Light, t("themeLight")), (Theme::Dark, t("themeDark"))]
                            .into_iter()
                            .map(|(choice, name)| view! { option(value=choice.name(), selected=theme.get() == choice) { (name) } })
                            .collect::<Vec<_>>()
                    )
                }
            }
            div(class="actions") {
                button(r#type="button", on:click=save) { (t("saveSettings")) }
            }
            (match notice.get_clone() {
                Some((true, text)) => view! { p(class="notice", role="status") { (text) } },
                Some((false, text)) => view! { p(class="error", role="alert") { (text) } },
                None => view! {},
            })
            h3 { (t("privacyHeading")) }
            ul(class="permissions") {
                li { (t("privacyChats")) }
                li { (t("privacyModels")) }
                li { (t("privacyNothingSent")) }
            }
            div(class="actions") {
                (if confirm_clear.get() {
                    view! {
                        button(class="danger", r#type="button", on:click=clear_all) { (t("clearNow")) }
                        button(class="secondary", r#type="button", on:click=move |_| confirm_clear.set(false)) { (t("keepEverything")) }
                    }
                } else {
                    view! { button(class="secondary", r#type="button", on:click=move |_| confirm_clear.set(true)) { (t("clearAllData")) } }
                })
            }
        }
    }
}
