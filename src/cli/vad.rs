//! `lantern vad`: where a WAV file has speech, by Silero VAD (or the energy detector).

use std::path::PathBuf;
use std::process::ExitCode;

use super::speech_assets;

#[derive(clap::Args)]
pub struct Args {
    /// The WAV file (any PCM or float layout, 8 to 96 kHz).
    #[arg(long)]
    audio: PathBuf,
    /// Silero VAD weights (silero_vad_16k.safetensors); default: the local model mirror.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Print {"segments": [{"start", "end"}]} in seconds instead of one line per segment.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> ExitCode {
    match detect(&args) {
        Ok(segments) if args.json => {
            let segments: Vec<_> = segments
                .iter()
                .map(|s| serde_json::json!({"start": s.start_seconds(), "end": s.end_seconds()}))
                .collect();
            println!("{}", serde_json::json!({ "segments": segments }));
            ExitCode::SUCCESS
        }
        Ok(segments) => {
            for s in segments {
                println!("{:.3}\t{:.3}", s.start_seconds(), s.end_seconds());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("lantern vad: {error}");
            ExitCode::FAILURE
        }
    }
}

fn detect(args: &Args) -> Result<Vec<models::vad::SpeechSegment>, String> {
    let samples = speech_assets::read_audio(&args.audio)?;
    let mut scorer = speech_assets::frame_scorer(args.model.as_deref(), None)?;
    models::vad::detect_speech(
        scorer.as_mut(),
        &samples,
        models::vad::VadOptions::default(),
    )
    .map_err(|e| e.to_string())
}
