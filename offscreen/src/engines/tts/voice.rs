//! The voice and the phonemizer, from the cache: the voice's files (a Piper `.onnx` and its
//! `.onnx.json`) and the phonemizer's dictionaries from the entry the voice requires
//! (`g2p-en-us`), held by the engine between requests.

use models::tts::Voice;
use models::tts::phonemize::Phonemizer;
use models::tts::piper::PiperVoice;
use protocol::{ErrorCode, Format, Id, LanternError, ModelLoaded, Task};
use webext::model_store::{InstalledModel, ModelStore};

use crate::errors;
use crate::model_cache::{self, loader};
use crate::outbox::Outbox;

const GOLD: &str = "us_gold.json";
const SILVER: &str = "us_silver.json";
const OOV: &str = "g2p_en.npz";

/// A voice in memory with the phonemizer it reads through, and the cached copy it came from.
pub struct HeldVoice {
    pub model_id: String,
    pub installed_at: f64,
    pub bytes: u64,
    pub voice: Voice,
    pub phonemizer: Phonemizer,
}

impl HeldVoice {
    pub fn describe(&self) -> ModelLoaded {
        ModelLoaded {
            model_id: self.model_id.clone(),
            bytes: self.bytes,
            summary: format!("voice, {} Hz", self.voice.sample_rate()),
        }
    }
}

pub async fn read_voice(
    store: &ModelStore,
    installed: InstalledModel,
    id: Id,
    outbox: &Outbox,
) -> Result<HeldVoice, LanternError> {
    let model_id = installed.entry.id.clone();
    if installed.entry.task != Task::Tts || installed.entry.format != Format::Onnx {
        return Err(LanternError::new(
            ErrorCode::UnsupportedFormat,
            format!("{model_id} is not a voice Lantern can speak with (a Piper .onnx voice)"),
        ));
    }
    let phonemizer = phonemizer(store, &installed).await?;
    let (installed_at, bytes) = (installed.installed_at, installed.bytes);
    let report = |done, total| outbox.loading(id, done, total);
    let mut files = loader::read(store, installed, &report).await?;
    let missing = |what: &str| {
        LanternError::new(
            ErrorCode::UnsupportedFormat,
            format!("{model_id} has no {what}: it is not a Piper voice"),
        )
    };
    let config = files
        .take(|n| n.ends_with(".onnx.json"))
        .ok_or_else(|| missing("voice config (.onnx.json)"))?
        .into_bytes();
    let onnx = files
        .take(|n| n.ends_with(".onnx"))
        .ok_or_else(|| missing("voice (.onnx)"))?
        .into_bytes();
    let voice = PiperVoice::from_bytes(&onnx, &config).map_err(|e| {
        LanternError::new(
            ErrorCode::UnsupportedFormat,
            format!("{model_id} cannot be read as a Piper voice: {e}"),
        )
    })?;
    Ok(HeldVoice {
        model_id,
        installed_at,
        bytes,
        voice: Voice::Piper(voice),
        phonemizer,
    })
}

/// The phonemizer from the entries the voice requires (the catalog's data; a voice the catalog
/// does not list needs what its default voice needs).
async fn phonemizer(
    store: &ModelStore,
    voice: &InstalledModel,
) -> Result<Phonemizer, LanternError> {
    let catalog = model_cache::known_catalog(store).await;
    let listed = catalog
        .model(&voice.entry.id)
        .or_else(|| catalog.default_for(Task::Tts));
    let required = listed.map(|e| catalog.requirements(e)).unwrap_or_default();
    for requirement in required {
        let installed = loader::installed(store, &requirement.id).await?;
        let (Some(gold), Some(silver)) = (installed.file(GOLD), installed.file(SILVER)) else {
            continue;
        };
        let read = |file| async move {
            store
                .read_file(&requirement.id, file)
                .await
                .map_err(errors::storage)
        };
        let gold = read(gold).await?;
        let silver = read(silver).await?;
        let oov = match installed.file(OOV) {
            Some(file) => Some(read(file).await?),
            None => None,
        };
        return Phonemizer::from_bytes(&gold, &silver, oov.as_deref()).map_err(|e| {
            LanternError::new(
                ErrorCode::UnsupportedFormat,
                format!("{}'s dictionaries cannot be read: {e}", requirement.id),
            )
        });
    }
    Err(LanternError::new(
        ErrorCode::NotInstalled,
        format!(
            "{} needs the phonemizer's dictionaries (g2p-en-us): none of what it requires holds them",
            voice.entry.id
        ),
    ))
}
