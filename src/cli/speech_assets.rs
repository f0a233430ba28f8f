//! Where the speech subcommands find what a model directory does not hold itself: the mel
//! filters and the Silero VAD weights, looked for beside the model, then in the local mirror.

use std::path::{Path, PathBuf};

/// The mirror `cargo xtask fetch-models` builds, or `LANTERN_MODELS_DIR`.
fn mirror() -> PathBuf {
    std::env::var_os("LANTERN_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/models"))
}

/// The first existing `name` (relative path) beside `model` (its directory, or its parent),
/// one level up from it, or in the mirror.
fn find(model: Option<&Path>, names: &[&str]) -> Option<PathBuf> {
    let model_dir = model.map(|m| {
        if m.is_dir() {
            m.to_path_buf()
        } else {
            m.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    });
    let mut places = Vec::new();
    if let Some(dir) = &model_dir {
        places.push(dir.clone());
        if let Some(up) = dir.parent() {
            places.push(up.to_path_buf());
        }
    }
    places.push(mirror());
    places
        .iter()
        .flat_map(|place| names.iter().map(move |name| place.join(name)))
        .find(|path| path.is_file())
}

pub fn mel_filters(model: &Path) -> Option<PathBuf> {
    find(
        Some(model),
        &["mel_filters.npz", "whisper-assets/mel_filters.npz"],
    )
}

pub fn silero(model: Option<&Path>) -> Option<PathBuf> {
    find(
        model,
        &[
            "silero_vad_16k.safetensors",
            "silero-vad-16k/model.safetensors",
        ],
    )
}

/// A WAV file as 16 kHz mono samples.
pub fn read_audio(path: &Path) -> Result<Vec<f32>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    models::audio::wav_to_16k_mono(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Silero if its weights are found, otherwise the energy detector (said on stderr).
pub fn frame_scorer(
    explicit: Option<&Path>,
    model: Option<&Path>,
) -> Result<Box<dyn models::vad::FrameScorer + Send>, String> {
    let path = explicit.map(Path::to_path_buf).or_else(|| silero(model));
    match path {
        Some(path) => {
            let bytes =
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let vad = models::vad::SileroVad::from_safetensors(&bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(Box::new(vad))
        }
        None => {
            eprintln!(
                "note: no Silero VAD weights found (--vad, or silero-vad-16k/ in {}); using the energy detector",
                mirror().display()
            );
            Ok(Box::new(models::vad::EnergyVad::new()))
        }
    }
}
