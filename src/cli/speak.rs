//! `lantern speak`: text (cut into sentences, phonemized, spoken one sentence at a time as the
//! extension speaks it), espeak-ng-style IPA or a voice's phoneme ids to a WAV file with a Piper
//! voice; `--voice piper:NAME` finds `piper-<lang>-NAME-<quality>` in the mirror, and
//! `--voice kokoro:NAME` speaks with Kokoro (see `speak_kokoro`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use models::tts::piper::{PiperVoice, Rng, Scales};
use models::tts::{Voice, split_sentences};

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
    pub(super) text: Option<String>,
    /// The phonemizer's folder (us_gold.json, us_silver.json, g2p_en.npz) for `--text`;
    /// default: g2p-en-us in the local model mirror.
    #[arg(long)]
    assets: Option<PathBuf>,
    /// Phonemes: espeak-ng IPA for Piper (one sentence per line, mapped through the voice's
    /// phoneme_id_map), misaki's for Kokoro.
    #[arg(long, conflicts_with = "ids")]
    pub(super) phonemes: Option<String>,
    /// Phoneme ids: for Piper one sentence, already framed (`1 0 20 0 … 2`); for Kokoro without
    /// the boundary zeros. Spaces or commas between.
    #[arg(long)]
    pub(super) ids: Option<String>,
    /// The WAV file to write (16-bit mono at the voice's rate).
    #[arg(long)]
    pub(super) out: PathBuf,
    /// Speaking rate: 2 is twice as fast (Piper's length scale is its inverse; Kokoro's speed).
    #[arg(long, default_value_t = 1.0)]
    pub(super) speed: f32,
    /// Prior noise (`noise_scale`); default: the voice's.
    #[arg(long)]
    noise_scale: Option<f32>,
    /// Duration noise (`noise_w`); default: the voice's.
    #[arg(long)]
    noise_w: Option<f32>,
    /// Seed of the sampling noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print {"seconds", "sample_rate", "durations", "synthesis_seconds", "real_time_factor",
    /// "profile"} instead of a line of text.
    #[arg(long)]
    pub(super) json: bool,
}

pub fn run(args: Args) -> ExitCode {
    let result = match args.voice.strip_prefix("kokoro:") {
        Some(name) => super::speak_kokoro::speak(&args, name),
        None => speak(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lantern speak: {error}");
            ExitCode::FAILURE
        }
    }
}

fn speak(args: &Args) -> Result<(), String> {
    let onnx_path = match &args.model {
        Some(path) => path.clone(),
        None => mirror_voice(&args.voice)?,
    };
    let json_path = PathBuf::from(format!("{}.json", onnx_path.display()));
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let loading = Instant::now();
    let voice = PiperVoice::from_bytes(&read(&onnx_path)?, &read(&json_path)?)
        .map_err(|e| format!("{}: {e}", onnx_path.display()))?;
    let load_seconds = loading.elapsed().as_secs_f64();
    if let Some(text) = &args.text {
        return speak_text(args, text, Voice::Piper(voice), load_seconds);
    }
    let sentences: Vec<Vec<i64>> = match (&args.ids, &args.phonemes) {
        (Some(ids), _) => vec![parse_ids(ids)?],
        (None, Some(phonemes)) => phonemes
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| voice.phoneme_ids(line.trim()).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?,
        (None, None) => return Err("give --text, --phonemes or --ids".into()),
    };
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(format!("--speed {} is not a positive number", args.speed));
    }
    let defaults = voice.config().inference;
    let scales = Scales {
        noise_scale: args.noise_scale.unwrap_or(defaults.noise_scale),
        length_scale: defaults.length_scale / args.speed,
        noise_w: args.noise_w.unwrap_or(defaults.noise_w),
    };
    let mut rng = Rng::new(args.seed);
    let mut samples = Vec::new();
    let mut durations = Vec::new();
    let started = Instant::now();
    let (result, profile) = models::profile::record(|| {
        for ids in &sentences {
            let out = voice.synthesize(ids, scales, &mut rng)?;
            samples.extend(out.samples);
            durations.push(out.durations);
        }
        Ok::<(), models::ModelError>(())
    });
    result.map_err(|e| e.to_string())?;
    let synthesis_seconds = started.elapsed().as_secs_f64();
    let wav =
        models::audio::encode_wav(&samples, voice.sample_rate()).map_err(|e| e.to_string())?;
    std::fs::write(&args.out, wav)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let seconds = samples.len() as f64 / f64::from(voice.sample_rate());
    let rtf = synthesis_seconds / seconds.max(f64::MIN_POSITIVE);
    if args.json {
        let out = serde_json::json!({
            "out": args.out,
            "seconds": seconds,
            "sample_rate": voice.sample_rate(),
            "sentences": sentences.len(),
            "durations": durations,
            "load_seconds": load_seconds,
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

/// Text as the extension speaks it: sentence by sentence, each phonemized and synthesized.
fn speak_text(args: &Args, text: &str, voice: Voice, load_seconds: f64) -> Result<(), String> {
    let loading = Instant::now();
    let assets = args
        .assets
        .clone()
        .unwrap_or_else(super::phonemize::mirror_assets);
    let phonemizer = super::phonemize::load(&assets)?;
    let load_seconds = load_seconds + loading.elapsed().as_secs_f64();
    let sentences = split_sentences(text);
    if sentences.is_empty() {
        return Err("the text has nothing to say (no letters or digits)".into());
    }
    let mut rng = Rng::new(args.seed);
    let mut samples = Vec::new();
    let mut spoken = Vec::new();
    let started = Instant::now();
    let mut first_audio_seconds = None;
    for sentence in &sentences {
        let speech = voice
            .speak(&phonemizer, &sentence.text, args.speed, &mut rng)
            .map_err(|e| format!("{:?}: {e}", sentence.text))?;
        first_audio_seconds.get_or_insert(started.elapsed().as_secs_f64());
        spoken.push(serde_json::json!({
            "text": sentence.text,
            "start": sentence.start,
            "end": sentence.end,
            "phonemes": speech.phonemes,
            "seconds": speech.samples.len() as f64 / f64::from(speech.sample_rate),
        }));
        samples.extend(speech.samples);
    }
    let synthesis_seconds = started.elapsed().as_secs_f64();
    let rate = voice.sample_rate();
    let wav = models::audio::encode_wav(&samples, rate).map_err(|e| e.to_string())?;
    std::fs::write(&args.out, wav)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let seconds = samples.len() as f64 / f64::from(rate);
    let rtf = synthesis_seconds / seconds.max(f64::MIN_POSITIVE);
    if args.json {
        let out = serde_json::json!({
            "out": args.out,
            "seconds": seconds,
            "sample_rate": rate,
            "sentences": spoken,
            "load_seconds": load_seconds,
            "first_audio_seconds": first_audio_seconds,
            "synthesis_seconds": synthesis_seconds,
            "real_time_factor": rtf,
        });
        println!("{out}");
    } else {
        println!(
            "wrote {} ({} sentences, {seconds:.2} s of audio in {synthesis_seconds:.2} s, real-time factor {rtf:.3})",
            args.out.display(),
            sentences.len()
        );
    }
    Ok(())
}

/// `piper:NAME` -> the mirror's `piper-<lang>-NAME-<quality>/model.onnx`.
fn mirror_voice(voice: &str) -> Result<PathBuf, String> {
    let name = voice
        .strip_prefix("piper:")
        .ok_or_else(|| format!("voice {voice:?} is not a Piper voice (piper:NAME)"))?;
    let mirror = std::env::var_os("LANTERN_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/models"));
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

pub(super) fn parse_ids(text: &str) -> Result<Vec<i64>, String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("{s:?} is not a phoneme id")))
        .collect()
}
