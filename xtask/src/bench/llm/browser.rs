//! The browser runners of `bench llm`, in one headless Chromium: our wasm LLM worker through the
//! real extension (models downloaded into IndexedDB from a local mirror, the worker's own
//! timings from its chat reply), then npm @wllama/wllama on the same files in a cross-origin
//! isolated page, and Lantern answering through llama.cpp's server (PyPI xllamacpp, a user's
//! model server) on the same files, each at every thread count asked. The driving script is
//! tests/bench/llm_browser.mjs.

use std::path::Path;
use std::process::Command;

use anyhow::Context;
use serde::Serialize;

use super::measure::Measure;
use crate::{browser, cmd};

/// What the script is asked to do.
#[derive(Serialize)]
struct Config<'a> {
    /// `{id, label, file}` of each model in the mirror (file relative to the mirror).
    models: &'a [serde_json::Value],
    messages: serde_json::Value,
    max_tokens: usize,
    reps: usize,
    threads: &'a [usize],
    out: &'a Path,
}

pub fn measure(
    dist: &Path,
    mirror: &Path,
    models: &[serde_json::Value],
    messages: serde_json::Value,
    threads: &[usize],
    options: &super::LlmBench,
    work: &Path,
) -> anyhow::Result<Vec<Measure>> {
    let root = cmd::root();
    if !root.join("node_modules/@wllama/wllama").is_dir() {
        cmd::run(Command::new("npm").arg("ci").current_dir(&root))?;
    }
    let out = work.join("browser.json");
    let _ = std::fs::remove_file(&out);
    let config = work.join("browser-config.json");
    std::fs::write(
        &config,
        serde_json::to_string_pretty(&Config {
            models,
            messages,
            max_tokens: options.tokens,
            reps: options.reps,
            threads,
            out: &out,
        })?,
    )?;
    let ran = cmd::run(
        Command::new("node")
            .arg(root.join("tests/bench/llm_browser.mjs"))
            .arg(&config)
            .current_dir(&root)
            .env("LANTERN_DIST", dist)
            .env("LANTERN_EXTENSION_ID", browser::extension_id()?)
            .env("LANTERN_XTASK", crate::cmd::own_exe()?)
            .env("LANTERN_MODELS_DIR", mirror)
            .env("LANTERN_PYTHON_LLAMA", crate::python_env::xllamacpp()?)
            .env("CHROME", browser::find_chrome()?),
    );
    // The script saves after each runner: a failure part way still leaves what was measured.
    if let Err(err) = ran {
        anyhow::ensure!(out.is_file(), err);
        eprintln!(
            "warning: the browser runners stopped part way ({err:#}); reporting what they measured"
        );
    }
    let text = std::fs::read_to_string(&out).with_context(|| out.display().to_string())?;
    Ok(serde_json::from_str(&text)?)
}
