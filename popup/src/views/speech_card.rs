//! Speech out on the options page: the voice (grouped by language, "fits this device" by
//! default, measured in the speech-out worker), a Preview that speaks with what the form says,
//! rate, volume, and whether chat answers are spoken as they stream.

use std::collections::BTreeMap;

use protocol::{ErrorCode, LanternError};
use sycamore::prelude::*;
use web_sys::Event;

use super::error_text::error_text;
use super::settings_card::select_value;
use crate::i18n::{number, t, t_with};
use crate::settings::Settings;
use crate::state::{AppState, client};
use crate::voices;

/// A language tag in words (`en-US` -> "English (US)"), in the page's language.
fn language_name(tag: &str) -> String {
    match tag {
        "en-US" => t("voiceLanguageEnUs"),
        "en-GB" => t("voiceLanguageEnGb"),
        other => other.to_string(),
    }
}

/// A voice family in words.
fn family_name(short: &str) -> String {
    match short.split(':').next() {
        Some("kokoro") => "Kokoro".into(),
        Some("piper") => "Piper".into(),
        _ => short.into(),
    }
}

#[component]
pub fn SpeechCard() -> View {
    let models = use_context::<AppState>().models;
    models.ensure();
    let loaded = create_signal(false);
    let voice = create_signal(String::new());
    let rate = create_signal(1.0f64);
    let volume = create_signal(1.0f64);
    let speak_answers = create_signal(false);
    // The voice "fits this device" stands for, once measured.
    let fitting = create_signal(None::<String>);
    let measuring = create_signal(false);
    let previewing = create_signal(false);
    let notice = create_signal(None::<(bool, String)>);
    let error = create_signal(None::<LanternError>);

    let find_fitting = move |settings: Settings| {
        measuring.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let unset = Settings {
                voice: None,
                ..settings
            };
            match voices::resolve(models, &unset).await {
                Ok(id) => fitting.set(Some(id)),
                Err(why) => error.set(Some(why)),
            }
            measuring.set(false);
        });
    };
    on_mount(move || {
        wasm_bindgen_futures::spawn_local(async move {
            let settings = Settings::load().await;
            voice.set(settings.voice.clone().unwrap_or_default());
            rate.set((f64::from(settings.speech_rate) * 100.0).round() / 100.0);
            volume.set((f64::from(settings.speech_volume) * 100.0).round() / 100.0);
            speak_answers.set(settings.speak_answers);
            loaded.set(true);
        });
    });
    // The default is measured once the model list says what is installed.
    let asked = create_signal(false);
    create_effect(move || {
        let listed = !models.is_loading();
        if listed && loaded.get() && !asked.get_untracked() {
            asked.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                find_fitting(Settings::load().await);
            });
        }
    });

    let chosen_voice = move || {
        let picked = voice.get_clone();
        if picked.is_empty() {
            fitting.get_clone()
        } else {
            Some(picked)
        }
    };
    let preview = move |_| {
        error.set(None);
        let Some(id) = chosen_voice() else {
            error.set(Some(LanternError::new(
                ErrorCode::NotInstalled,
                t("noVoiceInCatalog"),
            )));
            return;
        };
        let style = Settings {
            speech_rate: rate.get() as f32,
            speech_volume: volume.get() as f32,
            ..Settings::default()
        }
        .speech_style(id);
        previewing.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(why) = client().speak(t("voicePreviewText"), style).answer().await {
                error.set(Some(why));
            }
            previewing.set(false);
        });
    };
    let stop_preview = move |_| {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = client().stop_speaking().await;
        });
    };
    let save = move |_| {
        wasm_bindgen_futures::spawn_local(async move {
            // Over the latest stored settings: this card owns only its own fields.
            let mut settings = Settings::load().await;
            settings.voice = Some(voice.get_clone()).filter(|v| !v.is_empty());
            settings.speech_rate = rate.get() as f32;
            settings.speech_volume = volume.get() as f32;
            settings.speak_answers = speak_answers.get();
            match settings.save().await {
                Ok(()) => notice.set(Some((true, t("settingsSaved")))),
                Err(why) => notice.set(Some((false, t_with("notSaved", &[&why])))),
            }
        });
    };

    view! {
        section(class="card speech", aria-labelledby="speech-heading",
                data-state=if loaded.get() { "ready" } else { "loading" }) {
            h2(id="speech-heading") { (t("speechOutHeading")) }
            div(class="form") {
                label(r#for="set-voice") { (t("voiceLabel")) }
                select(id="set-voice", on:change=move |e: Event| voice.set(select_value(&e))) {
                    option(value="", selected=voice.with(String::is_empty)) {
                        (match (fitting.get_clone(), measuring.get()) {
                            (_, true) => t("voiceFitsMeasuring"),
                            (Some(id), false) => {
                                let short = voices::all(models)
                                    .into_iter()
                                    .find(|(v, _)| v.id == id)
                                    .map_or(id, |(v, _)| v.short);
                                t_with("voiceFitsDevice", &[&short])
                            }
                            (None, false) => t("voiceFitsDeviceUnknown"),
                        })
                    }
                    ({
                        let mut groups: BTreeMap<String, Vec<View>> = BTreeMap::new();
                        for (option, installed) in voices::all(models) {
                            let selected = voice.with(|v| *v == option.id);
                            let label = if installed {
                                format!("{} · {}", option.name, family_name(&option.short))
                            } else {
                                t_with("voiceNotDownloaded", &[&option.name, &family_name(&option.short)])
                            };
                            groups.entry(language_name(&option.language)).or_default().push(view! {
                                option(value=option.id.clone(), selected=selected) { (label) }
                            });
                        }
                        groups.into_iter().map(|(language, options)| {
                            let options: View = options.into();
                            view! { optgroup(label=language) { (options) } }
                        }).collect::<Vec<_>>()
                    })
                }
                label(r#for="set-rate") { (t("speechRateLabel")) }
                div(class="range") {
                    input(id="set-rate", r#type="range", min="0.5", max="2", step="0.1", bind:valueAsNumber=rate)
                    output(r#for="set-rate") { (format!("{}×", number(rate.get(), 1))) }
                }
                label(r#for="set-volume") { (t("speechVolumeLabel")) }
                div(class="range") {
                    input(id="set-volume", r#type="range", min="0", max="1", step="0.05", bind:valueAsNumber=volume)
                    output(r#for="set-volume") { (format!("{} %", number(volume.get() * 100.0, 0))) }
                }
                label(r#for="set-speak-answers") { (t("speakAnswersLabel")) }
                input(id="set-speak-answers", r#type="checkbox", bind:checked=speak_answers)
            }
            div(class="actions") {
                (if previewing.get() {
                    view! { button(class="secondary", r#type="button", on:click=stop_preview) { (t("stopPreview")) } }
                } else {
                    view! { button(class="secondary", r#type="button", on:click=preview, disabled=measuring.get()) { (t("previewVoice")) } }
                })
                button(r#type="button", on:click=save) { (t("saveSpeech")) }
            }
            (match notice.get_clone() {
                Some((true, text)) => view! { p(class="notice", role="status") { (text) } },
                Some((false, text)) => view! { p(class="error", role="alert") { (text) } },
                None => view! {},
            })
            (error.get_clone().map(|why| {
                let code = format!("{:?}", why.code);
                view! { p(class="error", role="alert", data-code=code) { (error_text(&why)) } }
            }))
        }
    }
}
