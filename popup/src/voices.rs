//! Which voice speaks: the one chosen in the settings, else the one that fits this device —
//! each installed voice model is measured once in the speech-out worker
//! (`measure_voice_speed`), the result kept in the settings, and `voice_for_machine` picks
//! Kokoro where it speaks faster than real time here, else Piper.

use protocol::catalog::{VoiceOption, voice_for_machine, voices};
use protocol::{ErrorCode, LanternError, ModelStatus, Task};

use crate::i18n::t;
use crate::model_list::Models;
use crate::settings::Settings;
use crate::state::client;
use crate::views::ui_error;

/// Every voice the catalog offers, with whether its model is installed.
pub fn all(models: Models) -> Vec<(VoiceOption, bool)> {
    let list: Vec<ModelStatus> = models.of(Some(Task::Tts), None);
    voices(&list)
        .into_iter()
        .map(|voice| {
            let installed = list
                .iter()
                .any(|m| m.entry.id == voice.model_id && m.is_installed());
            (voice, installed)
        })
        .collect()
}

/// The voice to speak with: the settings' choice, else the one that fits this device,
/// measuring the installed voice models not measured yet (and storing what was measured).
pub async fn resolve(models: Models, settings: &Settings) -> Result<String, LanternError> {
    if let Some(voice) = &settings.voice {
        return Ok(voice.clone());
    }
    let speeds = measure_installed(models, settings).await?;
    let list: Vec<ModelStatus> = models.of(Some(Task::Tts), None);
    voice_for_machine(&list, &speeds)
        .map(|voice| voice.id)
        .ok_or_else(|| ui_error(ErrorCode::NotInstalled, t("noVoiceInCatalog")))
}

/// The speeds known, after measuring each installed voice model that has none yet (its first
/// voice stands for the model: the packs share one network).
pub async fn measure_installed(
    models: Models,
    settings: &Settings,
) -> Result<Vec<(String, f64)>, LanternError> {
    let mut speeds = settings.voice_speeds.clone();
    let mut measured = false;
    let mut seen_models = Vec::new();
    for (voice, installed) in all(models) {
        if !installed || seen_models.contains(&voice.model_id) {
            continue;
        }
        seen_models.push(voice.model_id.clone());
        let known = speeds
            .iter()
            .any(|(id, _)| protocol::catalog::split_voice_id(id).0 == voice.model_id);
        if known {
            continue;
        }
        let speed = client().measure_voice_speed(voice.id.clone()).await?;
        speeds.push((voice.id, speed.real_time_factor));
        measured = true;
    }
    if measured {
        // Stored over the latest settings, so a change saved meanwhile is kept.
        let mut stored = Settings::load().await;
        stored.voice_speeds = speeds.clone();
        // A measure that cannot be kept is measured again next time: nothing to tell.
        let _ = stored.save().await;
    }
    Ok(speeds)
}
