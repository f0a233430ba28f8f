//! `lantern phonemize`: English text to misaki phonemes (Kokoro's alphabet), the espeak-style
//! IPA Piper voices take, and, with --json, each word and each voice's ids.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use models::tts::phonemize::espeak::{PiperPhonemeMap, to_espeak};
use models::tts::phonemize::kokoro::KokoroVocab;
use models::tts::phonemize::{Phonemes, Phonemizer};

#[derive(clap::Args)]
pub struct Args {
    /// The text to phonemize.
    #[arg(long)]
    text: String,
    /// The folder with us_gold.json, us_silver.json, g2p_en.npz (and kokoro_vocab.json);
    /// default: g2p-en-us in the local model mirror.
    #[arg(long)]
    assets: Option<PathBuf>,
    /// Print JSON: the normalized text, the phonemes, the words, and Kokoro's and Piper's ids.
    #[arg(long)]
    json: bool,
}

fn mirror() -> PathBuf {
    std::env::var_os("LANTERN_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/models"))
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read {}: {e} (run `cargo xtask fetch-models`, or pass --assets)",
            path.display()
        )
    })
}

/// The phonemizer from a folder of `g2p-en-us` files.
pub fn load(dir: &Path) -> Result<Phonemizer, String> {
    Phonemizer::from_bytes(
        &read(dir, "us_gold.json")?,
        &read(dir, "us_silver.json")?,
        Some(&read(dir, "g2p_en.npz")?),
    )
    .map_err(|e| e.to_string())
}

/// The mirror's `g2p-en-us` folder.
pub fn mirror_assets() -> PathBuf {
    mirror().join("g2p-en-us")
}

pub fn run(args: Args) -> ExitCode {
    match phonemize(&args) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("lantern phonemize: {error}");
            ExitCode::FAILURE
        }
    }
}

fn phonemize(args: &Args) -> Result<String, String> {
    let dir = args.assets.clone().unwrap_or_else(mirror_assets);
    let phonemizer = load(&dir)?;
    let normalized = models::tts::phonemize::normalize::normalize(&args.text);
    let result = phonemizer.phonemize_normalized(&normalized);
    if !args.json {
        return Ok(result.phonemes);
    }
    Ok(json(&dir, &normalized, &result)?.to_string())
}

fn json(dir: &Path, normalized: &str, result: &Phonemes) -> Result<serde_json::Value, String> {
    let ipa = to_espeak(&result.phonemes);
    let kokoro_ids = match std::fs::read(dir.join("kokoro_vocab.json")) {
        Ok(bytes) => {
            let vocab = KokoroVocab::from_json(&bytes).map_err(|e| e.to_string())?;
            serde_json::json!(vocab.ids(&result.phonemes))
        }
        Err(_) => serde_json::Value::Null,
    };
    let piper_config = mirror().join("piper-en_US-joe-medium/model.onnx.json");
    let piper_ids = match std::fs::read(&piper_config) {
        Ok(bytes) => {
            let map = PiperPhonemeMap::from_voice_json(&bytes).map_err(|e| e.to_string())?;
            serde_json::json!(map.ids(&ipa))
        }
        Err(_) => serde_json::Value::Null,
    };
    let words: Vec<_> = result
        .words
        .iter()
        .map(|w| serde_json::json!({"text": w.text, "phonemes": w.phonemes, "rating": w.rating}))
        .collect();
    Ok(serde_json::json!({
        "text": normalized,
        "phonemes": result.phonemes,
        "ipa": ipa,
        "words": words,
        "kokoro_ids": kokoro_ids,
        "piper_ids": piper_ids,
    }))
}
