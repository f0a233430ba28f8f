//! `lantern`: the native command line over the same code the extension runs (models, extraction).
//! Subcommands arrive with the features they serve; each beyond a few lines lives in `cli/`.

mod cli;

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "lantern",
    version = env!("LANTERN_MANIFEST_VERSION"),
    about = "Lantern's models and page extraction, outside the browser"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Print the message protocol's version and request types, as JSON.
    Protocol,
    /// Find the readable article in a saved page and print its title and text (or JSON).
    Extract(cli::extract::Args),
    /// Generate text with a local GGUF chat model.
    Generate(cli::generate::GenerateArgs),
    /// Transcribe (or translate) a WAV file with Whisper; text, or JSON with timed segments.
    Transcribe(cli::transcribe::Args),
    /// Find the speech in a WAV file (Silero VAD); segments in seconds.
    Vad(cli::vad::Args),
    /// English text to phonemes: misaki's (Kokoro), espeak-style IPA (Piper), or JSON with ids.
    Phonemize(cli::phonemize::Args),
    /// Speak English text, phonemes or phoneme ids with a Piper or Kokoro voice into a WAV file.
    Speak(cli::speak::Args),
    /// Read the text in an image (PNG, JPEG, WebP) with PaddleOCR; lines, or JSON with boxes.
    Ocr(cli::ocr::Args),
}

fn main() -> ExitCode {
    one_thread_pool_under_wasi();
    match Cli::parse().command {
        Command::Protocol => {
            let mut types: Vec<_> = protocol::Request::examples()
                .iter()
                .map(|r| serde_json::json!({"type": r.type_name(), "target": r.home().as_str()}))
                .collect();
            types.dedup();
            let out = serde_json::json!({"version": protocol::VERSION, "requests": types});
            println!("{out}");
            ExitCode::SUCCESS
        }
        Command::Extract(args) => cli::extract::run(args),
        Command::Generate(args) => match cli::generate::run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("lantern generate: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Transcribe(args) => cli::transcribe::run(args),
        Command::Vad(args) => cli::vad::run(args),
        Command::Phonemize(args) => cli::phonemize::run(args),
        Command::Speak(args) => cli::speak::run(args),
        Command::Ocr(args) => cli::ocr::run(args),
    }
}

/// Under WASI (the wasm speed checks run this CLI in Node, which cannot spawn threads) rayon's
/// pool is the main thread alone; elsewhere rayon sizes its pool itself.
fn one_thread_pool_under_wasi() {
    #[cfg(target_os = "wasi")]
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .use_current_thread()
        .build_global();
}
