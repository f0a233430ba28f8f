//! The speech worker's models, from the cache: Whisper (its files plus the mel filters from the
//! Whisper assets entry), kept between dictations and loaded again when the stored copy changed;
//! and the voice detector, Silero when it is downloaded, else the energy detector.

use std::cell::RefCell;

use models::ModelError;
use models::vad::{EnergyVad, FrameScorer, SileroVad};
use models::whisper::{Weights, Whisper, WhisperFiles};
use protocol::{ErrorCode, Event, Id, LanternError, Role, Stage, Task};
use webext::model_store::ModelStore;

use crate::models::{loader, storage_error};
use crate::outbox::Outbox;

const MEL_FILTERS: &str = "mel_filters.npz";

struct Held {
    model_id: String,
    installed_at: f64,
    whisper: Whisper,
}

thread_local! {
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// Whisper `model_id`, loaded from the cache unless this worker holds that copy already. Give it
/// back with [`keep`] when done.
pub async fn whisper(
    store: &ModelStore,
    model_id: &str,
    id: Id,
    outbox: &Outbox,
) -> Result<(Whisper, f64), LanternError> {
    let installed = store
        .installed_model(model_id)
        .await
        .map_err(storage_error)?
        .ok_or_else(|| not_installed(model_id))?;
    if let Some(held) = HELD.with(|h| h.borrow_mut().take())
        && held.model_id == model_id
        && held.installed_at == installed.installed_at
    {
        return Ok((held.whisper, held.installed_at));
    }
    let assets = store
        .installed()
        .await
        .map_err(storage_error)?
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
    let report = |done, total| {
        outbox.progress(
            id,
            Event::Step {
                stage: Stage::LoadingModel,
                done: Some(done),
                total: Some(total),
            },
        )
    };
    let mut files = loader::read(store, model_id, &report).await?.files;
    let mut take = |pick: &dyn Fn(&str) -> bool| {
        files
            .iter()
            .position(|(name, _)| pick(name))
            .map(|i| files.swap_remove(i))
    };
    let missing = |what: &str| {
        LanternError::new(
            ErrorCode::UnsupportedFormat,
            format!(
                "{model_id} has no {what}: it is not a Whisper model in the Hugging Face layout"
            ),
        )
    };
    let config = take(&|n| n == "config.json")
        .ok_or_else(|| missing("config.json"))?
        .1;
    let tokenizer = take(&|n| n == "tokenizer.json")
        .ok_or_else(|| missing("tokenizer.json"))?
        .1;
    let weights = match take(&|n| n.ends_with(".safetensors") || n.ends_with(".gguf")) {
        Some((name, bytes)) if name.ends_with(".gguf") => Weights::Gguf(bytes),
        Some((_, bytes)) => Weights::Safetensors(bytes),
        None => return Err(missing("weights (.safetensors or .gguf)")),
    };
    let filters = assets
        .file(MEL_FILTERS)
        .ok_or_else(|| not_installed(&assets.entry.id))?;
    let mel_filters = store
        .read_file(&assets.entry.id, filters)
        .await
        .map_err(storage_error)?;
    let whisper = Whisper::load(WhisperFiles {
        config,
        tokenizer,
        weights,
        mel_filters,
    })
    .map_err(model_error)?;
    Ok((whisper, installed.installed_at))
}

/// Keeps a Whisper model for the next dictation.
pub fn keep(model_id: &str, installed_at: f64, whisper: Whisper) {
    HELD.with(|h| {
        *h.borrow_mut() = Some(Held {
            model_id: model_id.into(),
            installed_at,
            whisper,
        })
    });
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

pub fn model_error(err: ModelError) -> LanternError {
    let code = match err {
        ModelError::BadModel(_) | ModelError::UnsupportedArch(_) => ErrorCode::UnsupportedFormat,
        _ => ErrorCode::Internal,
    };
    LanternError::new(code, err.to_string())
}

fn not_installed(model_id: &str) -> LanternError {
    LanternError::new(
        ErrorCode::NotInstalled,
        format!("{model_id} is not downloaded"),
    )
}
