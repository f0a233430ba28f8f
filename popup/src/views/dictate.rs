//! The Dictate button of the message box: the offscreen document listens through the microphone
//! until the speaker pauses, Whisper transcribes in a worker, and the text lands in the box. It
//! says what stands in the way and offers the fix: no speech model yet (download it), no
//! microphone permission yet (Lantern's permission page), a blocked or missing microphone.

use protocol::{ErrorCode, Event, LanternError, ModelList, ModelStatus};
use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;

use super::error_text::status_problem;
use super::error_text::ui_error;
use crate::downloads;
use crate::i18n::{megabytes, number, t, t_with};
use crate::model_list::Models;
use crate::settings::Settings;
use crate::state::{AppState, Fetch, client};

/// The page that asks for the microphone once (an offscreen document cannot prompt).
pub(super) const PERMISSION_PAGE: &str = "microphone.html";

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    /// Waiting for the microphone and the model (with the load's percentage when known).
    Starting(Option<u64>),
    Listening,
    Hearing,
    /// Whisper at work, with the text so far.
    Transcribing(String),
    /// Downloading the speech models: bytes, total.
    Downloading(u64, Option<u64>),
}

#[derive(Clone, Copy)]
struct Dictation {
    input: NodeRef,
    /// The page's model list.
    models: Models,
    phase: Signal<Phase>,
    /// What went wrong, or a note such as "no speech was heard".
    problem: Signal<Option<LanternError>>,
    /// The speech models to download before dictation can work (named in the offer).
    missing: Signal<Vec<ModelStatus>>,
}

impl Dictation {
    fn press(self) {
        match self.phase.get_clone() {
            Phase::Idle => self.start(),
            Phase::Downloading(..) => {}
            _ => wasm_bindgen_futures::spawn_local(async move {
                if let Err(error) = client().stop_dictation().await {
                    self.problem.set(Some(error));
                }
            }),
        }
    }

    fn start(self) {
        self.problem.set(None);
        self.missing.set(Vec::new());
        self.phase.set(Phase::Starting(None));
        wasm_bindgen_futures::spawn_local(async move {
            let settings = Settings::load().await;
            let voice = VoiceChoice::from_settings(&settings);
            let outcome = match speech_models(self.models, voice.language.as_deref()).await {
                Ok((model, missing)) if missing.is_empty() => {
                    self.listen(model.entry.id, voice).await
                }
                Ok((model, missing)) => Err(not_installed(&model, missing)),
                Err(error) => Err(error),
            };
            self.phase.set(Phase::Idle);
            match outcome {
                Ok(text) if text.is_empty() => self
                    .problem
                    .set(Some(ui_error(ErrorCode::Cancelled, t("noSpeechHeard")))),
                Ok(text) => self.fill(&text),
                Err((error, missing)) => {
                    if error.code == ErrorCode::MicrophonePermissionNeeded {
                        open_permission_page();
                    }
                    self.missing.set(missing);
                    self.problem.set(Some(error));
                }
            }
        });
    }

    async fn listen(
        self,
        model_id: String,
        voice: VoiceChoice,
    ) -> Result<String, (LanternError, Vec<ModelStatus>)> {
        let request = client().start_dictation(model_id, voice.language, voice.microphone);
        let dictation = request
            .each(|event| {
                let phase = match event {
                    Event::Step { done, total, .. } => Phase::Starting(
                        done.zip(total)
                            .and_then(|(done, total)| (done * 100).checked_div(total)),
                    ),
                    Event::Listening { .. } => Phase::Listening,
                    Event::SpeechStarted => Phase::Hearing,
                    Event::SpeechEnded { .. } => Phase::Transcribing(String::new()),
                    Event::Transcript { text, .. } => Phase::Transcribing(text),
                    _ => return,
                };
                self.phase.set(phase);
            })
            .await;
        dictation.map(|d| d.text).map_err(|e| (e, Vec::new()))
    }

    /// Adds the transcript to what the box holds, and tells the box's listeners it changed.
    fn fill(self, text: &str) {
        let Ok(area) = self.input.get().dyn_into::<HtmlTextAreaElement>() else {
            return;
        };
        let before = area.value();
        let joined = if before.trim().is_empty() {
            text.to_string()
        } else {
            format!("{} {text}", before.trim_end())
        };
        area.set_value(&joined);
        if let Ok(event) = web_sys::Event::new("input") {
            let _ = area.dispatch_event(&event);
        }
        let _ = area.focus();
    }

    fn download(self) {
        let models = self.missing.get_clone();
        self.problem.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            let total: u64 = models.iter().filter_map(|m| m.entry.total_size()).sum();
            let mut before = 0;
            for model in models {
                self.phase.set(Phase::Downloading(before, Some(total)));
                let progress = move |bytes, _, _| {
                    self.phase
                        .set(Phase::Downloading(before + bytes, Some(total)))
                };
                if let Err(error) =
                    downloads::follow(self.models, model.entry.id.clone(), progress).await
                {
                    self.problem.set(Some(error));
                    break;
                }
                before += model.entry.total_size().unwrap_or(0);
            }
            self.phase.set(Phase::Idle);
            if self.problem.with(Option::is_none) {
                self.missing.set(Vec::new());
            }
        });
    }
}

/// What the voice settings ask of a dictation.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct VoiceChoice {
    /// An ISO 639-1 code, or `None` to detect it (or English, for an English-only model).
    pub(super) language: Option<String>,
    pub(super) microphone: Option<String>,
}

impl VoiceChoice {
    pub(super) fn from_settings(settings: &Settings) -> VoiceChoice {
        // Settings may hold a BCP 47 tag ("pt-BR"); Whisper knows languages, not regions.
        let primary = settings
            .voice_language
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        VoiceChoice {
            language: Some(primary).filter(|l| !l.is_empty() && l != "auto"),
            microphone: settings.microphone.clone().filter(|m| !m.is_empty()),
        }
    }
}

/// The speech model for `language`, and what of it and what it requires is not downloaded yet;
/// the catalog's data decides both (`ModelList::speech_model_for`, `requirements`). The page's
/// model list answers, unless it lacks something: then it is read again, in case that was
/// downloaded since on another Lantern page.
pub(super) async fn speech_models(
    models: Models,
    language: Option<&str>,
) -> Result<(ModelStatus, Vec<ModelStatus>), (LanternError, Vec<ModelStatus>)> {
    let known = models.list.with_untracked(|l| match l {
        Fetch::Ready(list) => Some(list.clone()),
        _ => None,
    });
    if let Some(Ok((model, missing))) = known.map(|list| choose_speech_model(&list, language))
        && missing.is_empty()
    {
        return Ok((model, missing));
    }
    let list = models.reload().await.map_err(|error| (error, vec![]))?;
    choose_speech_model(&list, language).map_err(|error| (error, vec![]))
}

/// The speech model for `language` and the not yet downloaded ones among it and its requirements
/// (in the order to download them), or why there is none.
fn choose_speech_model(
    list: &ModelList,
    language: Option<&str>,
) -> Result<(ModelStatus, Vec<ModelStatus>), LanternError> {
    let Some(model) = list.speech_model_for(language) else {
        // Some speech model exists, just none for this language: name the language.
        let any = list.speech_model_for(None).is_some();
        let text = match language.filter(|_| any) {
            Some(language) => t_with("noSpeechModelForLanguage", &[language]),
            None => t("noSpeechModel"),
        };
        return Err(ui_error(ErrorCode::UnknownModel, text));
    };
    let missing = list
        .requirements(&model.entry)
        .into_iter()
        .chain([model])
        .filter(|m| !m.is_installed())
        .cloned()
        .collect();
    Ok((model.clone(), missing))
}

fn not_installed(
    model: &ModelStatus,
    missing: Vec<ModelStatus>,
) -> (LanternError, Vec<ModelStatus>) {
    let bytes: u64 = missing.iter().filter_map(|m| m.entry.total_size()).sum();
    let error = ui_error(
        ErrorCode::NotInstalled,
        t_with(
            "dictationNeedsModel",
            &[&model.entry.name, &megabytes(bytes)],
        ),
    );
    (error, missing)
}

pub(super) fn open_permission_page() {
    if let Some(window) = web_sys::window() {
        let _ = window.open_with_url_and_target(PERMISSION_PAGE, "_blank");
    }
}

fn status(phase: &Phase) -> String {
    match phase {
        Phase::Idle => String::new(),
        Phase::Starting(None) => t("micStarting"),
        Phase::Starting(Some(percent)) => {
            t_with("loadingSpeechModel", &[&number(*percent as f64, 0)])
        }
        Phase::Listening => t("listening"),
        Phase::Hearing => t("hearing"),
        Phase::Transcribing(text) if text.is_empty() => t("transcribing"),
        Phase::Transcribing(text) => format!("{} {text}", t("transcribing")),
        Phase::Downloading(bytes, total) => {
            let percent = total
                .and_then(|t| (bytes * 100).checked_div(t))
                .unwrap_or(0);
            t_with("downloadingSpeechModel", &[&number(percent as f64, 0)])
        }
    }
}

/// The button and its status line; `input` is the message box it fills.
#[component(inline_props)]
pub fn Dictate(input: NodeRef) -> View {
    let dictation = Dictation {
        input,
        models: use_context::<AppState>().models,
        phase: create_signal(Phase::Idle),
        problem: create_signal(None),
        missing: create_signal(Vec::new()),
    };
    let active = move || {
        !matches!(
            dictation.phase.get_clone(),
            Phase::Idle | Phase::Downloading(..)
        )
    };
    view! {
        button(class="secondary dictate", r#type="button", aria-pressed=if active() { "true" } else { "false" },
               title=t("dictateTitle"),
               on:click=move |_| dictation.press()) { (t("dictate")) }
        p(class="dictate-status", role="status", aria-live="polite") {
            (status(&dictation.phase.get_clone()))
            (match dictation.problem.get_clone() {
                Some(problem) => status_problem(&problem),
                None => view! {},
            })
            (match dictation.problem.get_clone().map(|p| p.code) {
                Some(ErrorCode::MicrophonePermissionNeeded) => view! {
                    " " a(href=PERMISSION_PAGE, target="_blank") { (t("allowMicrophone")) }
                },
                Some(ErrorCode::NotInstalled) if !dictation.missing.with(Vec::is_empty) => view! {
                    " " button(r#type="button", on:click=move |_| dictation.download()) { (t("downloadSpeechModel")) }
                },
                _ => view! {},
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_list::builtin_list as list;

    fn voice(language: &str, microphone: Option<&str>) -> VoiceChoice {
        VoiceChoice::from_settings(&Settings {
            voice_language: language.into(),
            microphone: microphone.map(str::to_string),
            ..Settings::default()
        })
    }

    fn ids(models: &[ModelStatus]) -> Vec<&str> {
        models.iter().map(|m| m.entry.id.as_str()).collect()
    }

    #[test]
    fn settings_become_a_whisper_language_and_a_device() {
        assert_eq!(voice("auto", None).language, None);
        assert_eq!(voice("pt-BR", None).language.as_deref(), Some("pt"));
        assert_eq!(voice("DE", None).language.as_deref(), Some("de"));
        assert_eq!(voice("en", Some("")).microphone, None);
        assert_eq!(
            voice("en", Some("ab12")).microphone.as_deref(),
            Some("ab12")
        );
    }

    #[test]
    fn the_offer_names_the_model_and_what_it_requires_that_is_not_downloaded() {
        let (model, missing) = choose_speech_model(&list(&[]), Some("en")).expect("a model");
        assert_eq!(model.entry.id, "whisper-tiny.en");
        assert_eq!(ids(&missing), ["whisper-assets", "whisper-tiny.en"]);

        let installed = list(&["whisper-tiny.en", "whisper-assets"]);
        let (model, missing) = choose_speech_model(&installed, Some("de")).expect("a model");
        assert_eq!(model.entry.id, "whisper-base");
        assert_eq!(ids(&missing), ["whisper-base"]);

        let (_, missing) = choose_speech_model(&installed, None).expect("a model");
        assert!(missing.is_empty());
    }

    #[test]
    fn no_model_for_the_language_is_a_named_error() {
        let mut english_only = list(&[]);
        english_only.models.retain(|m| m.entry.id != "whisper-base");
        let error =
            choose_speech_model(&english_only, Some("fr")).expect_err("nothing hears French");
        assert_eq!(error.code, ErrorCode::UnknownModel);
        assert!(error.message.contains("(fr)"), "{}", error.message);

        let mut no_speech = list(&[]);
        no_speech
            .models
            .retain(|m| m.entry.task != protocol::Task::Stt);
        let error = choose_speech_model(&no_speech, Some("fr")).expect_err("no speech model");
        assert!(
            error.message.ends_with(&t("noSpeechModel")),
            "{}",
            error.message
        );
    }
}
