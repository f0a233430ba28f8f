//! `lantern speak --voice kokoro:NAME`: text (through the phonemizer), misaki phonemes or
//! Kokoro ids to a WAV file with Kokoro-82M and the voice pack `voices/NAME.bin` of the mirror's
//! `kokoro-82m-v1.0-int8`. Input longer than one pass (510 ids) is cut at sentence, then clause
//! boundaries and spoken pass after pass.

use std::path::PathBuf;
use std::time::Instant;

use models::tts::kokoro::{Kokoro, KokoroVoice};
use models::tts::phonemize::Phonemizer;
use models::tts::phonemize::kokoro::KokoroVocab;

use super::speak::{Args, parse_ids};

const MODEL_DIR: &str = "kokoro-82m-v1.0-int8";
const G2P_DIR: &str = "g2p-en-us";

fn mirror() -> PathBuf {
    std::env::var_os("LANTERN_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/models"))
}

fn read(path: PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read {}: {e} (run `cargo xtask fetch-models`)",
            path.display()
        )
    })
}

/// The phonemizer over the mirror's misaki dictionaries and g2p_en model.
pub(super) fn phonemizer() -> Result<Phonemizer, String> {
    let dir = mirror().join(G2P_DIR);
    Phonemizer::from_bytes(
        &read(dir.join("us_gold.json"))?,
        &read(dir.join("us_silver.json"))?,
        Some(&read(dir.join("g2p_en.npz"))?),
    )
    .map_err(|e| e.to_string())
}

pub(super) fn speak(args: &Args, voice_name: &str) -> Result<(), String> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(format!("--speed {} is not a positive number", args.speed));
    }
    let dir = mirror().join(MODEL_DIR);
    let voice_path = dir.join("voices").join(format!("{voice_name}.bin"));
    if !voice_path.is_file() {
        let known: Vec<String> = std::fs::read_dir(dir.join("voices"))
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        e.file_name()
                            .to_str()?
                            .strip_suffix(".bin")
                            .map(String::from)
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Err(format!(
            "no Kokoro voice {voice_name:?} in {} (voices there: {}; run `cargo xtask fetch-models`)",
            dir.display(),
            if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            }
        ));
    }
    let voice = KokoroVoice::from_bytes(&read(voice_path.clone())?)
        .map_err(|e| format!("{}: {e}", voice_path.display()))?;
    let vocab = KokoroVocab::from_json(&read(mirror().join(G2P_DIR).join("kokoro_vocab.json"))?)
        .map_err(|e| e.to_string())?;

    let phonemes = match (&args.text, &args.phonemes) {
        (Some(text), _) => Some(phonemizer()?.phonemize(text).phonemes),
        (None, Some(phonemes)) => Some(phonemes.clone()),
        (None, None) => None,
    };
    let ids: Vec<u32> = match (&args.ids, &phonemes) {
        (Some(ids), _) => parse_ids(ids)?
            .into_iter()
            .map(|id| u32::try_from(id).map_err(|_| format!("{id} is not a Kokoro id")))
            .collect::<Result<_, _>>()?,
        (None, Some(phonemes)) => vocab.ids(phonemes),
        (None, None) => return Err("give --text, --phonemes or --ids".into()),
    };
    if ids.is_empty() {
        return Err("nothing to say: no phoneme Kokoro knows".into());
    }
    // Where a long input may be cut, best first: sentence ends, clause marks, spaces.
    let breaks: Vec<u32> = ['.', '!', '?', ';', ':', ',', '—', ' ']
        .iter()
        .filter_map(|&c| vocab.id(c))
        .collect();

    let loading = Instant::now();
    let model = Kokoro::from_onnx(&read(dir.join("model.onnx"))?)
        .map_err(|e| format!("{}: {e}", dir.join("model.onnx").display()))?;
    let load_seconds = loading.elapsed().as_secs_f64();

    let started = Instant::now();
    let (result, profile) =
        models::profile::record(|| model.synthesize_long(&ids, &breaks, &voice, args.speed));
    let passes = result.map_err(|e| e.to_string())?;
    let synthesis_seconds = started.elapsed().as_secs_f64();
    let samples: Vec<f32> = passes.iter().flat_map(|p| p.pcm.iter().copied()).collect();
    let wav =
        models::audio::encode_wav(&samples, Kokoro::SAMPLE_RATE).map_err(|e| e.to_string())?;
    std::fs::write(&args.out, wav)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let seconds = samples.len() as f64 / f64::from(Kokoro::SAMPLE_RATE);
    let rtf = synthesis_seconds / seconds.max(f64::MIN_POSITIVE);
    if args.json {
        let durations: Vec<&Vec<usize>> = passes.iter().map(|p| &p.durations).collect();
        let out = serde_json::json!({
            "out": args.out,
            "voice": format!("kokoro:{voice_name}"),
            "phonemes": phonemes,
            "ids": ids,
            "seconds": seconds,
            "sample_rate": Kokoro::SAMPLE_RATE,
            "passes": passes.len(),
            "durations": durations,
            "frame_samples": models::tts::kokoro::SAMPLES_PER_FRAME,
            "load_seconds": load_seconds,
            "weight_bytes": model.weight_bytes(),
            "synthesis_seconds": synthesis_seconds,
            "real_time_factor": rtf,
            "profile": profile,
        });
        println!("{out}");
    } else {
        println!(
            "wrote {} ({seconds:.2} s of audio in {synthesis_seconds:.2} s, real-time factor {rtf:.3})",
            args.out.display()
        );
    }
    Ok(())
}
