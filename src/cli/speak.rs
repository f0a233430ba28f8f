//! `lantern speak`: English text (cut into sentences, phonemized and spoken one sentence at a
//! time, as the extension speaks it), phonemes or a voice's phoneme ids to a WAV file, with any
//! voice as the catalog names it: `piper:NAME` (the mirror's `piper-<lang>-NAME-<quality>`) or
//! `kokoro:NAME` (Kokoro-82M with the pack `voices/NAME.bin`). One output for every voice.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use models::tts::kokoro::{Kokoro, KokoroVoice};
use models::tts::phonemize::kokoro::KokoroVocab;
use models::tts::piper::{PiperVoice, Rng, Scales};
use models::tts::{KokoroSpeaker, Voice, split_sentences};

const KOKORO_DIR: &str = "kokoro-82m-v1.0-int8";

#[derive(clap::Args)]
pub struct Args {
    /// A voice as the catalog names it (`piper:joe`, `kokoro:af_heart`), looked for in the
    /// local mirror.
    #[arg(long, default_value = "piper:joe")]
    voice: String,
    /// A Piper voice file (.onnx, with its .onnx.json beside it) instead of `--voice`.
    #[arg(long)]
    model: Option<PathBuf>,
    /// English text: normalized, cut into sentences, phonemized, spoken sentence by sentence.
    #[arg(long, conflicts_with_all = ["phonemes", "ids"], required_unless_present_any = ["phonemes", "ids"])]
    text: Option<String>,
    /// The phonemizer's folder (us_gold.json, us_silver.json, g2p_en.npz, kokoro_vocab.json);
    /// default: g2p-en-us in the local model mirror.
    #[arg(long)]
    assets: Option<PathBuf>,
    /// Phonemes: espeak-ng IPA for Piper (one sentence per line, mapped through the voice's
    /// phoneme_id_map), misaki's for Kokoro.
    #[arg(long, conflicts_with = "ids")]
    phonemes: Option<String>,
    /// Phoneme ids: for Piper one sentence, already framed (`1 0 20 0 … 2`); for Kokoro without
    /// the boundary zeros. Spaces or commas between.
    #[arg(long)]
    ids: Option<String>,
    /// The WAV file to write (16-bit mono at the voice's rate).
    #[arg(long)]
    out: PathBuf,
    /// Speaking rate: 2 is twice as fast (Piper's length scale is its inverse; Kokoro's speed).
    #[arg(long, default_value_t = 1.0)]
    speed: f32,
    /// Piper's prior noise (`noise_scale`); default: the voice's.
    #[arg(long)]
    noise_scale: Option<f32>,
    /// Piper's duration noise (`noise_w`); default: the voice's.
    #[arg(long)]
    noise_w: Option<f32>,
    /// Seed of Piper's sampling noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print {"seconds", "sample_rate", "sentences", "phonemes", "ids", "durations",
    /// "first_audio_seconds", "synthesis_seconds", "real_time_factor", "profile"} instead of a
    /// line of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> ExitCode {
    match speak(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lantern speak: {error}");
            ExitCode::FAILURE
        }
    }
}

/// One piece spoken: a sentence of `--text`, a line of `--phonemes`, or the `--ids`.
struct Piece {
    /// The sentence and its char offsets in `--text`.
    text: Option<(String, usize, usize)>,
    phonemes: String,
    ids: Vec<i64>,
    durations: Vec<usize>,
    samples: Vec<f32>,
}

fn speak(args: &Args) -> Result<(), String> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(format!("--speed {} is not a positive number", args.speed));
    }
    let assets = args
        .assets
        .clone()
        .unwrap_or_else(super::phonemize::mirror_assets);
    let loading = Instant::now();
    let voice = load_voice(args, &assets)?;
    let mut load_seconds = loading.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut first_audio_seconds = None;
    let (pieces, profile) = models::profile::record(|| -> Result<Vec<Piece>, String> {
        match &args.text {
            Some(text) => {
                let loading = Instant::now();
                let phonemizer = super::phonemize::load(&assets)?;
                load_seconds += loading.elapsed().as_secs_f64();
                let sentences = split_sentences(text);
                if sentences.is_empty() {
                    return Err("the text has nothing to say (no letters or digits)".into());
                }
                let mut rng = Rng::new(args.seed);
                let mut pieces = Vec::new();
                for sentence in &sentences {
                    let speech = voice
                        .speak(&phonemizer, &sentence.text, args.speed, &mut rng)
                        .map_err(|e| format!("{:?}: {e}", sentence.text))?;
                    first_audio_seconds.get_or_insert(started.elapsed().as_secs_f64());
                    pieces.push(Piece {
                        ids: voice_ids(&voice, &speech.phonemes),
                        text: Some((sentence.text.clone(), sentence.start, sentence.end)),
                        phonemes: speech.phonemes,
                        durations: Vec::new(),
                        samples: speech.samples,
                    });
                }
                Ok(pieces)
            }
            None => {
                let pieces = from_phonemes(args, &voice)?;
                first_audio_seconds = Some(started.elapsed().as_secs_f64());
                Ok(pieces)
            }
        }
    });
    let pieces = pieces?;
    let synthesis_seconds = started.elapsed().as_secs_f64();
    let rate = voice.sample_rate();
    let samples: Vec<f32> = pieces
        .iter()
        .flat_map(|p| p.samples.iter().copied())
        .collect();
    let wav = models::audio::encode_wav(&samples, rate).map_err(|e| e.to_string())?;
    std::fs::write(&args.out, wav)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let seconds = samples.len() as f64 / f64::from(rate);
    let rtf = synthesis_seconds / seconds.max(f64::MIN_POSITIVE);
    if args.json {
        let sentences: Vec<_> = pieces
            .iter()
            .map(|p| {
                serde_json::json!({
                    "text": p.text.as_ref().map(|t| &t.0),
                    "start": p.text.as_ref().map(|t| t.1),
                    "end": p.text.as_ref().map(|t| t.2),
                    "phonemes": p.phonemes,
                    "seconds": p.samples.len() as f64 / f64::from(rate),
                })
            })
            .collect();
        let phonemes: Vec<&str> = pieces.iter().map(|p| p.phonemes.as_str()).collect();
        let out = serde_json::json!({
            "out": args.out,
            "voice": args.voice,
            "seconds": seconds,
            "sample_rate": rate,
            "sentences": sentences,
            "phonemes": phonemes.join(" "),
            "ids": pieces.iter().flat_map(|p| p.ids.iter().copied()).collect::<Vec<_>>(),
            "durations": pieces.iter().map(|p| &p.durations).collect::<Vec<_>>(),
            "load_seconds": load_seconds,
            "first_audio_seconds": first_audio_seconds,
            "synthesis_seconds": synthesis_seconds,
            "real_time_factor": rtf,
            "profile": profile,
        });
        println!("{out}");
    } else {
        println!(
            "wrote {} ({} pieces, {seconds:.2} s of audio in {synthesis_seconds:.2} s, real-time factor {rtf:.3})",
            args.out.display(),
            pieces.len()
        );
    }
    Ok(())
}

/// The voice `--model` or `--voice` names.
fn load_voice(args: &Args, assets: &Path) -> Result<Voice, String> {
    if let Some(onnx) = &args.model {
        return piper(onnx);
    }
    match args.voice.split_once(':') {
        Some(("piper", name)) => piper(&mirror_piper(name)?),
        Some(("kokoro", name)) => kokoro(name, assets),
        _ => Err(format!(
            "voice {:?} is not a voice name (piper:NAME or kokoro:NAME)",
            args.voice
        )),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| {
        format!(
            "cannot read {}: {e} (run `cargo xtask fetch-models`)",
            path.display()
        )
    })
}

fn piper(onnx: &Path) -> Result<Voice, String> {
    let json = PathBuf::from(format!("{}.json", onnx.display()));
    let voice = PiperVoice::from_bytes(&read(onnx)?, &read(&json)?)
        .map_err(|e| format!("{}: {e}", onnx.display()))?;
    Ok(Voice::Piper(voice))
}

fn kokoro(name: &str, assets: &Path) -> Result<Voice, String> {
    let dir = mirror().join(KOKORO_DIR);
    let pack_path = dir.join("voices").join(format!("{name}.bin"));
    if !pack_path.is_file() {
        let known: Vec<String> = std::fs::read_dir(dir.join("voices"))
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| Some(e.file_name().to_str()?.strip_suffix(".bin")?.into()))
                    .collect()
            })
            .unwrap_or_default();
        return Err(format!(
            "no Kokoro voice {name:?} in {} (voices there: {}; run `cargo xtask fetch-models`)",
            dir.display(),
            if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            }
        ));
    }
    let pack = KokoroVoice::from_bytes(&read(&pack_path)?)
        .map_err(|e| format!("{}: {e}", pack_path.display()))?;
    let vocab_path = assets.join("kokoro_vocab.json");
    let vocab = KokoroVocab::from_json(&read(&vocab_path)?)
        .map_err(|e| format!("{}: {e}", vocab_path.display()))?;
    let onnx = dir.join("model.onnx");
    let model = Kokoro::from_onnx(&read(&onnx)?).map_err(|e| format!("{}: {e}", onnx.display()))?;
    Ok(Voice::Kokoro(KokoroSpeaker { model, pack, vocab }))
}

/// The ids a voice reads for phonemes it was given (Kokoro's vocabulary; Piper's map).
fn voice_ids(voice: &Voice, phonemes: &str) -> Vec<i64> {
    match voice {
        Voice::Piper(piper) => piper.phoneme_ids(phonemes).unwrap_or_default(),
        Voice::Kokoro(kokoro) => kokoro
            .vocab
            .ids(phonemes)
            .into_iter()
            .map(i64::from)
            .collect(),
    }
}

/// `--phonemes` or `--ids` straight to the voice, bypassing the phonemizer (for parity runs).
fn from_phonemes(args: &Args, voice: &Voice) -> Result<Vec<Piece>, String> {
    match voice {
        Voice::Piper(piper) => {
            let lines: Vec<(String, Vec<i64>)> = match (&args.ids, &args.phonemes) {
                (Some(ids), _) => vec![(String::new(), parse_ids(ids)?)],
                (None, Some(phonemes)) => phonemes
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(|line| Ok((line.to_string(), piper.phoneme_ids(line)?)))
                    .collect::<Result<_, models::ModelError>>()
                    .map_err(|e| e.to_string())?,
                (None, None) => return Err("give --text, --phonemes or --ids".into()),
            };
            let defaults = piper.config().inference;
            let scales = Scales {
                noise_scale: args.noise_scale.unwrap_or(defaults.noise_scale),
                length_scale: defaults.length_scale / args.speed,
                noise_w: args.noise_w.unwrap_or(defaults.noise_w),
            };
            let mut rng = Rng::new(args.seed);
            lines
                .into_iter()
                .map(|(phonemes, ids)| {
                    let out = piper
                        .synthesize(&ids, scales, &mut rng)
                        .map_err(|e| e.to_string())?;
                    Ok(Piece {
                        text: None,
                        phonemes,
                        ids,
                        durations: out.durations.iter().map(|&d| d as usize).collect(),
                        samples: out.samples,
                    })
                })
                .collect()
        }
        Voice::Kokoro(kokoro) => {
            let (phonemes, ids) = match (&args.ids, &args.phonemes) {
                (Some(ids), _) => (String::new(), parse_ids(ids)?),
                (None, Some(phonemes)) => (phonemes.clone(), voice_ids(voice, phonemes)),
                (None, None) => return Err("give --text, --phonemes or --ids".into()),
            };
            let ids: Vec<u32> = ids
                .into_iter()
                .map(|id| u32::try_from(id).map_err(|_| format!("{id} is not a Kokoro id")))
                .collect::<Result<_, _>>()?;
            if ids.is_empty() {
                return Err("nothing to say: no phoneme Kokoro knows".into());
            }
            let passes = kokoro
                .model
                .synthesize_long(&ids, &kokoro.breaks(), &kokoro.pack, args.speed)
                .map_err(|e| e.to_string())?;
            Ok(vec![Piece {
                text: None,
                phonemes,
                ids: ids.iter().map(|&id| i64::from(id)).collect(),
                durations: passes
                    .iter()
                    .flat_map(|p| p.durations.iter().copied())
                    .collect(),
                samples: passes.into_iter().flat_map(|p| p.pcm).collect(),
            }])
        }
    }
}

fn mirror() -> PathBuf {
    std::env::var_os("LANTERN_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/models"))
}

/// `piper:NAME` -> the mirror's `piper-<lang>-NAME-<quality>/model.onnx`.
fn mirror_piper(name: &str) -> Result<PathBuf, String> {
    let mirror = mirror();
    let entries = std::fs::read_dir(&mirror)
        .map_err(|e| format!("cannot list the model mirror {}: {e}", mirror.display()))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let dir = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let parts: Vec<&str> = dir.split('-').collect();
            parts.len() == 4 && parts[0] == "piper" && parts[2] == name
        })
        .map(|dir| dir.join("model.onnx"))
        .filter(|onnx| onnx.is_file())
        .collect();
    found.sort();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!(
            "no Piper voice {name:?} in {} (run `cargo xtask fetch-models`, or pass --model)",
            mirror.display()
        )),
        many => Err(format!(
            "several voices named {name:?}: {many:?}; pass --model"
        )),
    }
}

fn parse_ids(text: &str) -> Result<Vec<i64>, String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("{s:?} is not a phoneme id")))
        .collect()
}
