//! The native runner of `bench llm`: the `lantern generate` command (our models crate, the code
//! the extension's worker runs) with its rayon pool at the thread count asked, `reps` times;
//! each run is a fresh process that loads the model (not timed) and reports its own prefill and
//! decode speeds, and the prompt's token ids (what the llama.cpp runner is fed).

use std::path::Path;
use std::process::Command;

use anyhow::Context;
use serde::Deserialize;

use super::measure::{Measure, Run};

#[derive(Deserialize)]
struct Generated {
    prompt_ids: Vec<u32>,
    prompt_tokens: usize,
    prefill_tokens: usize,
    tokens: Vec<u32>,
    prefill_tokens_per_s: f64,
    decode_tokens_per_s: f64,
    threads: usize,
}

/// The runs, and the prompt's token ids.
pub fn measure(
    cli: &Path,
    label: &str,
    model: &Path,
    chat_json: &Path,
    tokens: usize,
    reps: usize,
    threads: usize,
) -> anyhow::Result<(Measure, Vec<u32>)> {
    let mut runs = Vec::new();
    let mut prompt_ids = Vec::new();
    for rep in 1..=reps {
        let mut command = Command::new(cli);
        command
            .args(["generate", "--model"])
            .arg(model)
            .arg("--chat-json")
            .arg(chat_json)
            .args(["--max-tokens", &tokens.to_string()])
            .args([
                "--temperature",
                "0",
                "--repeat-penalty",
                "1",
                "--ignore-eos",
            ])
            .arg("--json")
            .env("RAYON_NUM_THREADS", threads.to_string());
        let out = command
            .output()
            .with_context(|| format!("running {}", cli.display()))?;
        anyhow::ensure!(
            out.status.success(),
            "lantern generate failed on {}: {}",
            model.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let g: Generated =
            serde_json::from_slice(&out.stdout).context("lantern generate --json")?;
        anyhow::ensure!(
            g.threads == threads,
            "lantern generate ran {} threads, asked for {threads}",
            g.threads
        );
        eprintln!(
            "native {label} {threads}t run {rep}: prefill {:.1} tok/s, decode {:.1} tok/s",
            g.prefill_tokens_per_s, g.decode_tokens_per_s
        );
        prompt_ids = g.prompt_ids;
        runs.push(Run {
            prompt_tokens: g.prompt_tokens,
            prefill_tokens: g.prefill_tokens,
            generated_tokens: g.tokens.len(),
            prefill_tokens_per_s: g.prefill_tokens_per_s,
            decode_tokens_per_s: g.decode_tokens_per_s,
        });
    }
    Ok((
        Measure {
            runner: "native".into(),
            model: label.into(),
            threads,
            runs,
            peak_wasm_bytes: None,
            load_seconds: None,
            model_bytes: None,
            profile: None,
        },
        prompt_ids,
    ))
}
