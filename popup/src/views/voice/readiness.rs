//! What the voice command needs before it listens: a speech model for the voice settings'
//! language and a voice to answer with, each downloaded with what it requires. A missing one is
//! a named error, with the models to download for it. Which voice answers is the speech
//! settings' (`voices::resolve`: the chosen one, else the one that fits this device).

use protocol::{ErrorCode, LanternError, ModelList, ModelStatus, Role, SpeechStyle, Task};

use super::super::dictate::speech_models;
use super::super::error_text::ui_error;
use crate::i18n::{megabytes, t, t_with};
use crate::model_list::{Models, of};
use crate::settings::Settings;
use crate::state::Fetch;
use crate::voices;

/// The voice that speaks the answers, and the languages it speaks.
#[derive(Clone, Debug, PartialEq)]
pub struct VoiceOut {
    pub style: SpeechStyle,
    pub languages: Vec<String>,
}

/// The models a voice session runs on.
#[derive(Clone, Debug, PartialEq)]
pub struct Ready {
    /// The Whisper model that hears the questions.
    pub speech_model: String,
    pub voice: VoiceOut,
}

/// Why the voice command cannot start, and what to download about it.
pub type NotReady = (LanternError, Vec<ModelStatus>);

fn size(models: &[ModelStatus]) -> String {
    megabytes(models.iter().filter_map(|m| m.entry.total_size()).sum())
}

/// A voice that can answer: an installed one whose requirements are installed (the catalog's
/// default first), or the error naming the one to download (the default) and what it needs.
fn choose_voice(list: &ModelList) -> Result<VoiceOut, NotReady> {
    let voices = of(list, Some(Task::Tts), Some(Role::Model));
    let complete = |voice: &&ModelStatus| {
        voice.is_installed()
            && list
                .requirements(&voice.entry)
                .iter()
                .all(|m| m.is_installed())
    };
    if let Some(voice) = voices
        .iter()
        .filter(complete)
        .min_by_key(|v| !v.entry.default)
    {
        let style = SpeechStyle {
            model_id: voice.entry.id.clone(),
            rate: None,
            volume: None,
        };
        return Ok(VoiceOut {
            style,
            languages: voice.entry.languages.clone(),
        });
    }
    let Some(offer) = voices.iter().min_by_key(|v| !v.entry.default) else {
        return Err((
            ui_error(ErrorCode::UnknownModel, t("voiceNoVoiceInCatalog")),
            vec![],
        ));
    };
    let missing: Vec<ModelStatus> = list
        .requirements(&offer.entry)
        .into_iter()
        .chain([offer])
        .filter(|m| !m.is_installed())
        .cloned()
        .collect();
    let error = ui_error(
        ErrorCode::NotInstalled,
        t_with("voiceNeedsVoice", &[&offer.entry.name, &size(&missing)]),
    );
    Err((error, missing))
}

/// Checks both models against the page's list, read again when something seems missing (it may
/// have been downloaded on another Lantern page since).
pub async fn check(models: Models, language: Option<&str>) -> Result<Ready, NotReady> {
    let (speech, missing) = speech_models(models, language).await?;
    if !missing.is_empty() {
        let error = ui_error(
            ErrorCode::NotInstalled,
            t_with(
                "voiceNeedsSpeechModel",
                &[&speech.entry.name, &size(&missing)],
            ),
        );
        return Err((error, missing));
    }
    let known = models.list.with_untracked(|l| match l {
        Fetch::Ready(list) => Some(list.clone()),
        _ => None,
    });
    let voice = match known.map(|list| choose_voice(&list)) {
        Some(Ok(voice)) => voice,
        _ => {
            let list = models.reload().await.map_err(|error| (error, vec![]))?;
            choose_voice(&list)?
        }
    };
    Ok(Ready {
        speech_model: speech.entry.id,
        voice,
    })
}

/// The voice the speech settings choose, spoken with their rate and volume (the first use on a
/// device measures the installed voices, which takes a few seconds: run it while listening).
pub async fn settings_voice(models: Models, settings: &Settings) -> Result<VoiceOut, LanternError> {
    let id = voices::resolve(models, settings).await?;
    let model = protocol::catalog::split_voice_id(&id).0.to_string();
    let languages = models
        .of(Some(Task::Tts), Some(Role::Model))
        .into_iter()
        .find(|m| m.entry.id == model)
        .map(|m| m.entry.languages)
        .unwrap_or_default();
    Ok(VoiceOut {
        style: settings.speech_style(id),
        languages,
    })
}

/// The voice alone, from the page's list: to say why the rest is not ready.
pub fn voice_only(models: Models) -> Option<VoiceOut> {
    models.list.with_untracked(|l| match l {
        Fetch::Ready(list) => choose_voice(list).ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_list::builtin_list as list;

    #[test]
    fn an_installed_voice_with_its_dictionaries_answers() {
        let voice = choose_voice(&list(&["piper-en_US-joe-medium", "g2p-en-us"])).expect("a voice");
        assert_eq!(voice.style.model_id, "piper-en_US-joe-medium");
        assert_eq!(voice.languages, ["en"]);
    }

    #[test]
    fn without_a_voice_the_default_one_and_what_it_needs_are_offered() {
        let (error, missing) = choose_voice(&list(&[])).expect_err("no voice");
        assert_eq!(error.code, ErrorCode::NotInstalled);
        let ids: Vec<_> = missing.iter().map(|m| m.entry.id.as_str()).collect();
        assert_eq!(ids, ["g2p-en-us", "piper-en_US-joe-medium"]);
        assert!(error.message.contains("Piper"), "{}", error.message);
        // A voice without the phonemizer's dictionaries cannot speak either.
        let (_, missing) =
            choose_voice(&list(&["piper-en_US-joe-medium"])).expect_err("no dictionaries");
        let ids: Vec<_> = missing.iter().map(|m| m.entry.id.as_str()).collect();
        assert_eq!(ids, ["g2p-en-us"]);
    }
}
