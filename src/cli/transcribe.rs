//! `lantern transcribe`: a WAV file to text with Whisper, gated by voice activity detection.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use models::whisper::{Progress, Task, TranscribeOptions, Whisper};

use super::speech_assets;

#[derive(clap::Args)]
pub struct Args {
    /// A Whisper model directory (config.json, tokenizer.json, model.safetensors or *.gguf), or
    /// its .safetensors / .gguf file.
    #[arg(long)]
    model: PathBuf,
    /// The WAV file (any PCM or float layout, 8 to 96 kHz).
    #[arg(long)]
    audio: PathBuf,
    /// The spoken language (ISO 639-1, e.g. "de"); detected when omitted.
    #[arg(long)]
    language: Option<String>,
    /// "transcribe" (default) or "translate" (into English).
    #[arg(long, default_value = "transcribe", value_parser = ["transcribe", "translate"])]
    task: String,
    /// openai-whisper's mel_filters.npz; default: beside the model or in the local mirror.
    #[arg(long)]
    mel_filters: Option<PathBuf>,
    /// Silero VAD weights; default: the local mirror (else an energy detector).
    #[arg(long)]
    vad: Option<PathBuf>,
    /// Decode all the audio, even where no voice was detected.
    #[arg(long)]
    no_vad: bool,
    /// Print {"text", "language", "segments", "real_time_factor"} instead of the text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> ExitCode {
    match transcribe(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lantern transcribe: {error}");
            ExitCode::FAILURE
        }
    }
}

fn transcribe(args: &Args) -> Result<(), String> {
    let filters = args
        .mel_filters
        .clone()
        .or_else(|| speech_assets::mel_filters(&args.model))
        .ok_or("no mel_filters.npz beside the model or in the mirror; pass --mel-filters")?;
    let mut whisper = Whisper::from_path(&args.model, &filters).map_err(|e| e.to_string())?;
    let samples = speech_assets::read_audio(&args.audio)?;
    let started = Instant::now();
    let speech = if args.no_vad {
        None
    } else {
        let mut scorer = speech_assets::frame_scorer(args.vad.as_deref(), Some(&args.model))?;
        let options = models::vad::VadOptions::default();
        Some(
            models::vad::detect_speech(scorer.as_mut(), &samples, options)
                .map_err(|e| e.to_string())?,
        )
    };
    let options = TranscribeOptions {
        language: args.language.clone(),
        task: if args.task == "translate" {
            Task::Translate
        } else {
            Task::Transcribe
        },
        speech,
        ..Default::default()
    };
    let json = args.json;
    let transcript = whisper
        .transcribe(&samples, options, &mut |progress| {
            if let (Progress::Segment(s), false) = (progress, json) {
                eprintln!("[{:7.2} -> {:7.2}]{}", s.start, s.end, s.text);
            }
            ControlFlow::Continue(())
        })
        .map_err(|e| e.to_string())?;
    let seconds = samples.len() as f64 / 16_000.0;
    let real_time_factor = started.elapsed().as_secs_f64() / seconds.max(1e-9);
    if json {
        let segments: Vec<_> = transcript
            .segments
            .iter()
            .map(|s| serde_json::json!({"start": s.start, "end": s.end, "text": s.text.trim()}))
            .collect();
        let out = serde_json::json!({
            "text": transcript.text,
            "language": transcript.language,
            "segments": segments,
            "real_time_factor": real_time_factor,
        });
        println!("{out}");
    } else {
        println!("{}", transcript.text);
    }
    Ok(())
}
