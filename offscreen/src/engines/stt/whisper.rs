//! The speech engine's models, from the cache: Whisper (its files plus the mel filters of the
//! Whisper assets entry it requires), held by the engine between dictations; and the voice
//! detector, Silero when it is downloaded, else the energy detector.

use models::vad::{EnergyVad, FrameScorer, SileroVad};
use models::whisper::{Weights, Whisper, WhisperFiles};
use protocol::{ErrorCode, HeldModel, Id, LanternError, ModelEntry, ModelLoaded, Role, Task};
use webext::model_store::{ModelStore, StoredFile};

use super::SttEngine;
use crate::errors;
use crate::model_cache::{self, loader};
use crate::outbox::Outbox;

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
    let filters = mel_filters(store, &installed.entry).await?;
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
    let (assets_id, filters) = filters;
    let mel_filters = store
        .read_file(&assets_id, &filters)
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

/// The mel filters among the entries a Whisper model requires (the catalog's data; an imported
/// model the catalog does not list needs what the catalog's default speech model needs), with
/// the id of the entry that holds them.
async fn mel_filters(
    store: &ModelStore,
    entry: &ModelEntry,
) -> Result<(String, StoredFile), LanternError> {
    let catalog = model_cache::known_catalog(store).await;
    let listed = catalog
        .model(&entry.id)
        .or_else(|| catalog.default_for(Task::Stt));
    let required = listed.map(|e| catalog.requirements(e)).unwrap_or_default();
    for requirement in required {
        let installed = loader::installed(store, &requirement.id).await?;
        if let Some(file) = installed.file(MEL_FILTERS) {
            return Ok((requirement.id.clone(), file.clone()));
        }
    }
    Err(LanternError::new(
        ErrorCode::NotInstalled,
        format!(
            "{} needs Whisper's assets (its mel filters): none of what it requires holds them",
            entry.id
        ),
    ))
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
