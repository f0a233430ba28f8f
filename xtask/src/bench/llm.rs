//! `cargo xtask bench llm` times prefill
//! and decode of the real SmolLM2-135M (Q4_1 as shipped, and our Q4_K_M and Q8_0
//! re-quantizations of it) natively, in our wasm worker inside the extension, and in npm
//! @wllama/wllama (llama.cpp in wasm) single- and multi-threaded, and writes target/bench/llm.json.

mod browser;
mod llm_prompt;
mod measure;
mod native;
mod report;
mod requantize;

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::json;

use crate::{cmd, digest, dist, mirror};
use requantize::Scheme;

const SOURCE_ID: &str = "smollm2-135m-instruct-q4_1";

pub struct LlmBench {
    pub reps: usize,
    pub tokens: usize,
    pub native_only: bool,
}

/// One model file of the bench.
struct Variant {
    id: String,
    label: &'static str,
    path: PathBuf,
}

pub fn llm(options: &LlmBench) -> anyhow::Result<()> {
    let source = mirror::mirror_dir().join(SOURCE_ID).join("model.gguf");
    anyhow::ensure!(
        source.is_file(),
        "{} is missing: run `cargo xtask fetch-models` first",
        source.display()
    );
    let work = cmd::root().join("target/bench");
    let mirror = work.join("llm-mirror");
    let variants = prepare_models(&source, &mirror)?;
    write_catalog(&variants, &mirror)?;
    let messages = json!([
        {"role": "system", "content": llm_prompt::SYSTEM},
        {"role": "user", "content": llm_prompt::USER},
    ]);
    let chat_json = work.join("llm-chat.json");
    std::fs::write(
        &chat_json,
        serde_json::to_string_pretty(&json!({"messages": messages}))?,
    )?;

    let cli = native::build_cli()?;
    let mut all = Vec::new();
    for v in &variants {
        all.push(native::measure(
            &cli,
            v.label,
            &v.path,
            &chat_json,
            options.tokens,
            options.reps,
        )?);
    }
    if !options.native_only {
        let dist = dist::dist(None)?;
        let models: Vec<serde_json::Value> = variants
            .iter()
            .map(|v| json!({"id": v.id, "label": v.label, "file": format!("{}/model.gguf", v.id)}))
            .collect();
        all.extend(browser::measure(
            &dist,
            &mirror,
            &models,
            messages,
            options.tokens,
            options.reps,
            &work,
        )?);
    }
    let labels: Vec<String> = variants.iter().map(|v| v.label.to_string()).collect();
    let table = report::table(&all, &labels);
    let out = work.join("llm.json");
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&json!({
            "generated_tokens": options.tokens,
            "reps": options.reps,
            "wllama": wllama_version(),
            "measures": all,
            "table": table,
        }))?,
    )?;
    println!("{table}");
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// The shipped Q4_1 file and our re-quantizations, each in its own folder of the bench mirror.
/// Re-quantized files are cached: delete target/bench/llm-mirror to make them again.
fn prepare_models(source: &Path, mirror: &Path) -> anyhow::Result<Vec<Variant>> {
    let mut variants = Vec::new();
    let shipped = mirror.join(SOURCE_ID).join("model.gguf");
    if !shipped.is_file() {
        std::fs::create_dir_all(shipped.parent().context("a model folder")?)?;
        // A hard link when the mirror is on the same disk; the shared mirror is never written.
        if std::fs::hard_link(source, &shipped).is_err() {
            std::fs::copy(source, &shipped)?;
        }
    }
    variants.push(Variant {
        id: SOURCE_ID.into(),
        label: "Q4_1",
        path: shipped,
    });
    // Q4_K_M last: its Q5_0 tensors are the slowest to run, so it is the one to cut short.
    for (scheme, suffix) in [(Scheme::Q8_0, "q8_0"), (Scheme::Q4KM, "q4_k_m")] {
        let id = format!("smollm2-135m-instruct-{suffix}");
        let path = mirror.join(&id).join("model.gguf");
        if !path.is_file() {
            std::fs::create_dir_all(mirror.join(&id))?;
            eprintln!("re-quantizing {} to {}", source.display(), scheme.label());
            let counts = requantize::requantize(source, &path, scheme)?;
            eprintln!("  {}: {counts:?}", path.display());
        }
        variants.push(Variant {
            id,
            label: scheme.label(),
            path,
        });
    }
    Ok(variants)
}

/// The bench mirror's catalog: the shipped model's entry, once per file, with its own id,
/// quantization, size and hash.
fn write_catalog(variants: &[Variant], mirror: &Path) -> anyhow::Result<()> {
    let shipped: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(mirror::mirror_dir().join("catalog.json"))
            .context("the model mirror has no catalog.json: run `cargo xtask fetch-models`")?,
    )?;
    let template = shipped["models"]
        .as_array()
        .and_then(|models| models.iter().find(|m| m["id"] == SOURCE_ID))
        .context("the mirror catalog lacks SmolLM2")?;
    let mut models = Vec::new();
    for v in variants {
        let (sha256, size) = digest::sha256_file(&v.path)?;
        let mut entry = template.clone();
        entry["id"] = json!(v.id);
        entry["name"] = json!(format!("SmolLM2 135M Instruct {}", v.label));
        entry["quantization"] = json!(v.label);
        entry["default"] = json!(v.id == SOURCE_ID);
        entry["files"] = json!([{
            "name": "model.gguf",
            "path": format!("{}/model.gguf", v.id),
            "size": size,
            "sha256": sha256,
        }]);
        models.push(entry);
    }
    let catalog = json!({"schema": shipped["schema"], "base_url": "", "models": models});
    // The extension checks catalogs strictly: make sure this one passes the same rules.
    let parsed: protocol::Catalog = serde_json::from_value(catalog.clone())?;
    parsed.validate().context("the bench catalog")?;
    std::fs::write(
        mirror.join("catalog.json"),
        serde_json::to_string_pretty(&catalog)?,
    )?;
    Ok(())
}

fn wllama_version() -> String {
    let package = cmd::root().join("node_modules/@wllama/wllama/package.json");
    std::fs::read_to_string(package)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| v["version"].as_str().map(str::to_string))
        .unwrap_or_default()
}
