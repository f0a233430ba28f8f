//! The model files `bench llm` runs: three chat models as shipped in the mirror (SmolLM2-135M
//! Q4_1, Qwen2.5-Coder 0.5B's Q5_0/Q8_0 mix, Gemma 3 270M Q4_K_M) and four re-quantizations of
//! SmolLM2 made with our own code, each in its own folder of the bench mirror with a catalog
//! the extension accepts.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::json;

use super::requantize::{self, Scheme};
use crate::{digest, mirror};

const SMOLLM2: &str = "smollm2-135m-instruct-q4_1";
const QWEN: &str = "qwen2.5-coder-0.5b-instruct-q5_0";
const GEMMA3: &str = "gemma-3-270m-q4_k_m";

/// One model file of the bench.
pub struct Variant {
    /// Its id in the bench catalog.
    pub id: String,
    /// Its name in the table: model and quantization.
    pub label: String,
    pub path: PathBuf,
    /// The mirror catalog entry it is described by (name, tokenizer, sizes come from there).
    template_id: &'static str,
    /// The re-quantization of SmolLM2 it is, if it is one.
    scheme: Option<Scheme>,
}

/// What the bench can run, in the order it runs them; `only` keeps the labels or ids given
/// (case-insensitive), everything when empty.
pub fn prepare(mirror_dir: &Path, only: &[String]) -> anyhow::Result<Vec<Variant>> {
    let source = mirror::mirror_dir();
    let mut all = Vec::new();
    for (id, label) in [
        (SMOLLM2, "SmolLM2 Q4_1"),
        (QWEN, "Qwen2.5 0.5B Q5_0"),
        (GEMMA3, "Gemma3 270M Q4_K_M"),
    ] {
        all.push(Variant {
            id: id.into(),
            label: label.into(),
            path: source.join(id).join("model.gguf"),
            template_id: id,
            scheme: None,
        });
    }
    for scheme in [Scheme::Q4_0, Scheme::Q8_0, Scheme::Q4KM, Scheme::Q6K] {
        let id = format!("smollm2-135m-instruct-{}", scheme.suffix());
        all.push(Variant {
            path: mirror_dir.join(&id).join("model.gguf"),
            id,
            label: format!("SmolLM2 {}", scheme.label()),
            template_id: SMOLLM2,
            scheme: Some(scheme),
        });
    }
    let wanted = |v: &Variant| {
        only.is_empty()
            || only
                .iter()
                .any(|o| o.eq_ignore_ascii_case(&v.label) || o.eq_ignore_ascii_case(&v.id))
    };
    let chosen: Vec<Variant> = all.into_iter().filter(wanted).collect();
    anyhow::ensure!(
        !chosen.is_empty(),
        "no bench model matches {only:?} (labels: SmolLM2 Q4_1, Qwen2.5 0.5B Q5_0, Gemma3 270M \
         Q4_K_M, SmolLM2 Q4_0, SmolLM2 Q8_0, SmolLM2 Q4_K_M, SmolLM2 Q6_K)"
    );
    let shipped_smollm2 = source.join(SMOLLM2).join("model.gguf");
    for v in &chosen {
        if v.path.is_file() {
            continue;
        }
        if let Some(scheme) = v.scheme {
            anyhow::ensure!(
                shipped_smollm2.is_file(),
                "{} is missing: run `cargo xtask fetch-models` first",
                shipped_smollm2.display()
            );
            std::fs::create_dir_all(v.path.parent().context("a model folder")?)?;
            eprintln!("re-quantizing SmolLM2 to {}", scheme.label());
            let counts = requantize::requantize(&shipped_smollm2, &v.path, scheme)?;
            eprintln!("  {}: {counts:?}", v.path.display());
        } else {
            anyhow::bail!(
                "{} is missing: run `cargo xtask fetch-models --all` first",
                v.path.display()
            );
        }
    }
    Ok(chosen)
}

/// The bench mirror: each file linked (or copied) under its bench id, and a catalog.json whose
/// entries are the mirror's own, with the bench's ids, sizes and hashes.
pub fn write_mirror(variants: &[Variant], mirror_dir: &Path) -> anyhow::Result<()> {
    let shipped: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(mirror::mirror_dir().join("catalog.json"))
            .context("the model mirror has no catalog.json: run `cargo xtask fetch-models`")?,
    )?;
    let mut models = Vec::new();
    for v in variants {
        let served = mirror_dir.join(&v.id).join("model.gguf");
        if served != v.path && !served.is_file() {
            std::fs::create_dir_all(served.parent().context("a model folder")?)?;
            // A hard link when the mirror is on the same disk; the shared mirror is never written.
            if std::fs::hard_link(&v.path, &served).is_err() {
                std::fs::copy(&v.path, &served)?;
            }
        }
        let template = shipped["models"]
            .as_array()
            .and_then(|models| models.iter().find(|m| m["id"] == v.template_id))
            .with_context(|| format!("the mirror catalog lacks {}", v.template_id))?;
        let (sha256, size) = digest::sha256_file(&served)?;
        let mut entry = template.clone();
        entry["id"] = json!(v.id);
        entry["name"] = json!(v.label);
        entry["default"] = json!(v.id == SMOLLM2);
        entry["files"] = json!([{
            "name": "model.gguf",
            "path": format!("{}/model.gguf", v.id),
            "size": size,
            "sha256": sha256,
        }]);
        models.push(entry);
    }
    if !models.iter().any(|m| m["default"] == true)
        && let Some(first) = models.first_mut()
    {
        first["default"] = json!(true);
    }
    let catalog = json!({"schema": shipped["schema"], "base_url": "", "models": models});
    // The extension checks catalogs strictly: make sure this one passes the same rules.
    let parsed: protocol::Catalog = serde_json::from_value(catalog.clone())?;
    parsed.validate().context("the bench catalog")?;
    std::fs::write(
        mirror_dir.join("catalog.json"),
        serde_json::to_string_pretty(&catalog)?,
    )?;
    Ok(())
}
