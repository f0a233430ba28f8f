//! `cargo xtask bench llm` times prefill and decode of real chat models (SmolLM2-135M, Qwen2.5
//! 0.5B and Gemma 3 270M as shipped, and SmolLM2 re-quantized) at one thread and at every core:
//! natively in llama.cpp (npm node-llama-cpp's prebuilt CPU build) and in our models crate, in
//! our wasm worker inside the extension, and in npm @wllama/wllama (llama.cpp in wasm) in the
//! same browser; writes target/bench/llm.json and prints a table of ratios.

mod browser;
mod llamacpp;
mod llm_prompt;
mod measure;
mod models;
mod native;
mod report;
mod requantize;

use serde_json::json;

use crate::{cmd, dist};

pub struct LlmBench {
    pub reps: usize,
    pub tokens: usize,
    pub native_only: bool,
    /// Thread counts to run every runner at; empty means 1 and every core.
    pub threads: Vec<usize>,
    /// Model labels or ids to run; empty means all.
    pub models: Vec<String>,
}

pub fn llm(options: &LlmBench) -> anyhow::Result<()> {
    let work = cmd::root().join("target/bench");
    let mirror = work.join("llm-mirror");
    std::fs::create_dir_all(&mirror)?;
    let variants = models::prepare(&mirror, &options.models)?;
    models::write_mirror(&variants, &mirror)?;
    let threads = super::thread_counts(&options.threads);
    let messages = json!([
        {"role": "system", "content": llm_prompt::SYSTEM},
        {"role": "user", "content": llm_prompt::USER},
    ]);
    let chat_json = work.join("llm-chat.json");
    std::fs::write(
        &chat_json,
        serde_json::to_string_pretty(&json!({"messages": messages}))?,
    )?;

    let cli = cmd::build_cli()?;
    let mut all = Vec::new();
    for v in &variants {
        for &t in &threads {
            let (ours, prompt_ids) = native::measure(
                &cli,
                &v.label,
                &v.path,
                &chat_json,
                options.tokens,
                options.reps,
                t,
            )?;
            all.push(ours);
            // The same prompt tokens, the same file, the same thread count, right after ours.
            all.push(llamacpp::measure(
                &v.label,
                &v.path,
                &prompt_ids,
                options.tokens,
                options.reps,
                t,
                &work,
            )?);
        }
    }
    if !options.native_only {
        let dist = dist::dist(None)?;
        let models: Vec<serde_json::Value> = variants
            .iter()
            .map(|v| {
                let bytes = std::fs::metadata(&v.path).map_or(0, |m| m.len());
                json!({"id": v.id, "label": v.label, "file": format!("{}/model.gguf", v.id), "bytes": bytes})
            })
            .collect();
        all.extend(browser::measure(
            &dist, &mirror, &models, messages, &threads, options, &work,
        )?);
    }
    let labels: Vec<String> = variants.iter().map(|v| v.label.clone()).collect();
    let table = report::table(&all, &labels, &threads);
    let out = work.join("llm.json");
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&json!({
            "generated_tokens": options.tokens,
            "reps": options.reps,
            "threads": threads,
            "wllama": package_version("node_modules/@wllama/wllama"),
            "node_llama_cpp": package_version(llamacpp::PACKAGE),
            "measures": all,
            "table": table,
        }))?,
    )?;
    println!("{table}");
    eprintln!("wrote {}", out.display());
    Ok(())
}

fn package_version(folder: &str) -> String {
    let package = cmd::root().join(folder).join("package.json");
    std::fs::read_to_string(package)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| v["version"].as_str().map(str::to_string))
        .unwrap_or_default()
}
