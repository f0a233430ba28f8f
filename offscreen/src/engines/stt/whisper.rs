//! The speech engine's models, from the cache: Whisper (its files plus the mel filters of the
//! Whisper assets entry it requires), held by the engine between dictations; and the voice
//! detector, Silero when it is downloaded, else the energy detector.

use models::vad::{EnergyVad, FrameScorer, SileroVad};
use models::whisper::{Weights, Whisper, WhisperFiles};
use protocol::{ErrorCode, HeldModel, Id, LanternError, ModelLoaded, Role, Task};
use webext::model_store::ModelStore;

use super::SttEngine;
use crate::errors;
use crate::model_cache::loader;
use crate::worker::Outbox;

const MEL_FILTERS: &str = "mel_filters.npz";

/// A Whisper model in memory, with the cached copy it came from.
pub struct HeldWhisper {
    pub model_id: String,
    installed_at: f64,
    bytes: u64,
    pub whisper: Whisper,
}

impl HeldWhisper {
    pub fn describe(&self) -> ModelLoaded {
        ModelLoaded {
            model_id: self.model_id.clone(),
            bytes: self.bytes,
            summary: format!(
                "whisper, {}",
                if self.whisper.is_multilingual() {
                    "multilingual"
                } else {
                    "english"
                }
            ),
        }
    }
}

impl SttEngine {
    /// Whisper `model_id` in `slot`, loaded from the cache unless the slot holds that copy.
    pub(super) async fn load<'a>(
        &self,
        store: &ModelStore,
        slot: &'a mut Option<HeldWhisper>,
        model_id: &str,
        id: Id,
        outbox: &Outbox,
    ) -> Result<&'a mut HeldWhisper, LanternError> {
        let installed = loader::installed(store, model_id).await?;
        let current = slot
            .as_ref()
            .is_some_and(|h| h.model_id == model_id && h.installed_at == installed.installed_at);
        if !current {
            *slot = None;
            self.held.replace(None);
            let installed_at = installed.installed_at;
            let bytes = installed.bytes;
            let whisper = read_whisper(store, installed, id, outbox).await?;
            self.held.replace(Some(HeldModel {
                model_id: model_id.to_string(),
                bytes,
            }));
            *slot = Some(HeldWhisper {
                model_id: model_id.to_string(),
                installed_at,
                bytes,
                whisper,
            });
        }
        slot.as_mut()
            .ok_or_else(|| LanternError::new(ErrorCode::Internal, "the model was not kept"))
    }
}

async fn read_whisper(
    store: &ModelStore,
    installed: webext::model_store::InstalledModel,
    id: Id,
    outbox: &Outbox,
) -> Result<Whisper, LanternError> {
    let model_id = installed.entry.id.clone();
    let assets = store
        .installed()
        .await
        .map_err(errors::storage)?
        .into_iter()
        .find(|m| {
            m.entry.task == Task::Stt
                && m.entry.role == Role::Asset
                && m.file(MEL_FILTERS).is_some()
        })
        .ok_or_else(|| {
            LanternError::new(
                ErrorCode::NotInstalled,
                "Whisper's assets (its mel filters) are not downloaded",
            )
        })?;
    let report = |done, total| outbox.loading(id, done, total);
    let mut files = loader::read(store, installed, &report).await?;
    let missing = |what: &str| {
        LanternError::new(
            ErrorCode::UnsupportedFormat,
            format!(
                "{model_id} has no {what}: it is not a Whisper model in the Hugging Face layout"
            ),
        )
    };
    let config = files
        .take(|n| n == "config.json")
        .ok_or_else(|| missing("config.json"))?
        .into_bytes();
    let tokenizer = files
        .take(|n| n == "tokenizer.json")
        .ok_or_else(|| missing("tokenizer.json"))?
        .into_bytes();
    let weights = match files.take(|n| n.ends_with(".safetensors") || n.ends_with(".gguf")) {
        Some(file) if file.name.ends_with(".gguf") => Weights::Gguf(file.into_bytes()),
        Some(file) => Weights::Safetensors(file.into_bytes()),
        None => return Err(missing("weights (.safetensors or .gguf)")),
    };
    let filters = assets
        .file(MEL_FILTERS)
        .ok_or_else(|| errors::not_installed(&assets.entry.id))?;
    let mel_filters = store
        .read_file(&assets.entry.id, filters)
        .await
        .map_err(errors::storage)?;
    Whisper::load(WhisperFiles {
        config,
        tokenizer,
        weights,
        mel_filters,
    })
    .map_err(errors::model)
}

/// The voice detector and its name: Silero from the cache when the default VAD model is there
/// and loads, else the energy detector (which needs nothing downloaded).
pub async fn voice_detector(store: &ModelStore) -> (Box<dyn FrameScorer + Send>, &'static str) {
    let silero = async {
        let model = store
            .installed()
            .await
            .ok()?
            .into_iter()
            .find(|m| m.entry.task == Task::Vad && m.entry.role == Role::Model)?;
        let file = model
            .files
            .iter()
            .find(|f| f.name.ends_with(".safetensors"))?;
        let bytes = store.read_file(&model.entry.id, file).await.ok()?;
        SileroVad::from_safetensors(&bytes).ok()
    };
    match silero.await {
        Some(vad) => (Box::new(vad), "silero"),
        None => (Box::new(EnergyVad::new()), "energy"),
    }
}
