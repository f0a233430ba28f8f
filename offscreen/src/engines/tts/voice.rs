//! The voice and the phonemizer, from the cache: a Piper voice (`.onnx` and `.onnx.json`) or
//! Kokoro (`model.onnx` and its voice packs `voices/NAME.bin`, with the vocabulary of the
//! phonemizer's entry), and the phonemizer's dictionaries from the entry the voice requires
//! (`g2p-en-us`), held by the engine between requests.

use std::collections::HashMap;

use models::tts::kokoro::{Kokoro, KokoroVoice};
use models::tts::phonemize::Phonemizer;
use models::tts::phonemize::kokoro::KokoroVocab;
use models::tts::piper::PiperVoice;
use models::tts::{KokoroSpeaker, Voice};
use protocol::catalog::voice_packs;
use protocol::{ErrorCode, Format, Id, LanternError, ModelLoaded, Task};
use webext::model_store::{InstalledModel, ModelStore};

use crate::errors;
use crate::model_cache::{self, loader};
use crate::outbox::Outbox;

const GOLD: &str = "us_gold.json";
const SILVER: &str = "us_silver.json";
const OOV: &str = "g2p_en.npz";
const KOKORO_VOCAB: &str = "kokoro_vocab.json";

/// A voice in memory with the phonemizer it reads through, and the cached copy it came from.
pub struct HeldVoice {
    pub model_id: String,
    pub installed_at: f64,
    pub bytes: u64,
    pub voice: Voice,
    /// The pack speaking now, for a model with packs.
    pub pack: Option<String>,
    /// The model's other packs, read with it: choosing one swaps it in, the model stays.
    spare_packs: HashMap<String, KokoroVoice>,
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

    /// Speaks with `pack` from now on (`None`: the one speaking). A single-voice model has no
    /// pack to choose.
    pub fn choose(&mut self, pack: Option<&str>) -> Result<(), LanternError> {
        let Some(pack) = pack else { return Ok(()) };
        if self.pack.as_deref() == Some(pack) {
            return Ok(());
        }
        let Voice::Kokoro(kokoro) = &mut self.voice else {
            return Err(unknown_pack(&self.model_id, pack, &[]));
        };
        let Some(chosen) = self.spare_packs.remove(pack) else {
            let mut known: Vec<&str> = self.spare_packs.keys().map(String::as_str).collect();
            known.extend(self.pack.as_deref());
            known.sort_unstable();
            return Err(unknown_pack(&self.model_id, pack, &known));
        };
        let previous = std::mem::replace(&mut kokoro.pack, chosen);
        if let Some(name) = self.pack.replace(pack.to_string()) {
            self.spare_packs.insert(name, previous);
        }
        Ok(())
    }
}

fn unknown_pack(model_id: &str, pack: &str, known: &[&str]) -> LanternError {
    let has = if known.is_empty() {
        "it has a single voice".to_string()
    } else {
        format!("its voices are {}", known.join(", "))
    };
    LanternError::new(
        ErrorCode::NotInstalled,
        format!("{model_id} has no voice {pack:?}: {has}"),
    )
}

pub async fn read_voice(
    store: &ModelStore,
    installed: InstalledModel,
    pack: Option<&str>,
    id: Id,
    outbox: &Outbox,
) -> Result<HeldVoice, LanternError> {
    let model_id = installed.entry.id.clone();
    if installed.entry.task != Task::Tts || installed.entry.format != Format::Onnx {
        return Err(LanternError::new(
            ErrorCode::UnsupportedFormat,
            format!(
                "{model_id} is not a voice Lantern can speak with (a Piper or Kokoro .onnx voice)"
            ),
        ));
    }
    let (phonemizer, vocab) = phonemizer(store, &installed).await?;
    let packs: Vec<String> = voice_packs(&installed.entry)
        .into_iter()
        .map(String::from)
        .collect();
    let (installed_at, bytes) = (installed.installed_at, installed.bytes);
    let report = |done, total| outbox.loading(id, done, total);
    let mut files = loader::read(store, installed, &report).await?;
    let unreadable = |what: &str, e: models::ModelError| {
        LanternError::new(
            ErrorCode::UnsupportedFormat,
            format!("{model_id}'s {what} cannot be read: {e}"),
        )
    };
    if packs.is_empty() {
        if let Some(pack) = pack {
            return Err(unknown_pack(&model_id, pack, &[]));
        }
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
        let voice =
            PiperVoice::from_bytes(&onnx, &config).map_err(|e| unreadable("Piper voice", e))?;
        return Ok(HeldVoice {
            model_id,
            installed_at,
            bytes,
            voice: Voice::Piper(voice),
            pack: None,
            spare_packs: HashMap::new(),
            phonemizer,
        });
    }
    let chosen = pack.unwrap_or(&packs[0]).to_string();
    if !packs.contains(&chosen) {
        let known: Vec<&str> = packs.iter().map(String::as_str).collect();
        return Err(unknown_pack(&model_id, &chosen, &known));
    }
    let vocab = vocab.ok_or_else(|| {
        LanternError::new(
            ErrorCode::NotInstalled,
            format!("{model_id} needs Kokoro's phoneme vocabulary ({KOKORO_VOCAB} of g2p-en-us)"),
        )
    })?;
    let vocab = KokoroVocab::from_json(&vocab).map_err(|e| unreadable(KOKORO_VOCAB, e))?;
    let mut spare_packs = HashMap::new();
    for name in &packs {
        let file = format!("voices/{name}.bin");
        let bytes = files
            .take(|n| n == file)
            .ok_or_else(|| unreadable(&file, models::ModelError::BadModel("missing".into())))?
            .into_bytes();
        let voice = KokoroVoice::from_bytes(&bytes)
            .map_err(|e| unreadable(&format!("voice {name} ({file})"), e))?;
        spare_packs.insert(name.clone(), voice);
    }
    let onnx = files
        .take(|n| n == "model.onnx")
        .ok_or_else(|| {
            LanternError::new(
                ErrorCode::UnsupportedFormat,
                format!("{model_id} has no model.onnx: it is not Kokoro"),
            )
        })?
        .into_bytes();
    let model = Kokoro::from_onnx(&onnx).map_err(|e| unreadable("Kokoro model", e))?;
    drop(onnx);
    let pack = spare_packs
        .remove(&chosen)
        .ok_or_else(|| unknown_pack(&model_id, &chosen, &[]))?;
    Ok(HeldVoice {
        model_id,
        installed_at,
        bytes,
        voice: Voice::Kokoro(KokoroSpeaker { model, pack, vocab }),
        pack: Some(chosen),
        spare_packs,
        phonemizer,
    })
}

/// The phonemizer from the entries the voice requires (the catalog's data; a voice the catalog
/// does not list needs what its default voice needs), and Kokoro's vocabulary when that entry
/// holds it.
async fn phonemizer(
    store: &ModelStore,
    voice: &InstalledModel,
) -> Result<(Phonemizer, Option<Vec<u8>>), LanternError> {
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
        let vocab = match installed.file(KOKORO_VOCAB) {
            Some(file) => Some(read(file).await?),
            None => None,
        };
        let phonemizer = Phonemizer::from_bytes(&gold, &silver, oov.as_deref()).map_err(|e| {
            LanternError::new(
                ErrorCode::UnsupportedFormat,
                format!("{}'s dictionaries cannot be read: {e}", requirement.id),
            )
        })?;
        return Ok((phonemizer, vocab));
    }
    Err(LanternError::new(
        ErrorCode::NotInstalled,
        format!(
            "{} needs the phonemizer's dictionaries (g2p-en-us): none of what it requires holds them",
            voice.entry.id
        ),
    ))
}
