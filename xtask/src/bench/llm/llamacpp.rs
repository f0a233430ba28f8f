//! The native llama.cpp runner of `bench llm`: npm node-llama-cpp (pinned in
//! tests/bench/llamacpp/package.json, its prebuilt CPU binary for this machine, no GPU layers)
//! fed the exact prompt token ids our CLI made, greedy, at the thread count asked. Its npm
//! packages are installed on first use into tests/bench/llamacpp/node_modules.

use std::path::Path;
use std::process::Command;

use anyhow::Context;
use serde::Deserialize;
use serde_json::json;

use super::measure::{Measure, Run};
use crate::cmd;

/// The installed package, relative to the repository.
pub const PACKAGE: &str = "tests/bench/llamacpp/node_modules/node-llama-cpp";

#[derive(Deserialize)]
struct Output {
    runs: Vec<Run>,
    threads: usize,
    build: String,
}

pub fn measure(
    label: &str,
    model: &Path,
    prompt_ids: &[u32],
    tokens: usize,
    reps: usize,
    threads: usize,
    work: &Path,
) -> anyhow::Result<Measure> {
    let root = cmd::root();
    let folder = root.join("tests/bench/llamacpp");
    if !root.join(PACKAGE).is_dir() {
        // Only the CPU build: the CUDA and Vulkan packages are optional and hundreds of MB, and
        // the install must not try to compile llama.cpp when no prebuilt binary fits.
        cmd::run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--omit=optional"])
                .env("NODE_LLAMA_CPP_SKIP_DOWNLOAD", "true")
                .current_dir(&folder),
        )?;
    }
    let config = work.join("llamacpp-config.json");
    let out = work.join("llamacpp.json");
    let _ = std::fs::remove_file(&out);
    std::fs::write(
        &config,
        serde_json::to_string_pretty(&json!({
            "model": model,
            "prompt_ids": prompt_ids,
            "max_tokens": tokens,
            "reps": reps,
            "threads": threads,
            "out": out,
        }))?,
    )?;
    cmd::run(
        Command::new("node")
            .arg(folder.join("run.mjs"))
            .arg(&config)
            .current_dir(&folder),
    )?;
    let got: Output = serde_json::from_str(
        &std::fs::read_to_string(&out).with_context(|| format!("reading {}", out.display()))?,
    )?;
    anyhow::ensure!(
        got.threads == threads,
        "llama.cpp ran {} threads, asked for {threads}",
        got.threads
    );
    for (i, r) in got.runs.iter().enumerate() {
        eprintln!(
            "llama.cpp ({}) {label} {threads}t run {}: prefill {:.1} tok/s, decode {:.1} tok/s",
            got.build,
            i + 1,
            r.prefill_tokens_per_s,
            r.decode_tokens_per_s
        );
    }
    Ok(Measure {
        runner: "llamacpp".into(),
        model: label.into(),
        threads,
        runs: got.runs,
        peak_wasm_bytes: None,
        load_seconds: None,
        model_bytes: None,
        profile: None,
    })
}
