//! Loading an installed model from the cache into this worker: every file read back a chunk at a
//! time into wasm memory (no second full copy in JavaScript) and checked against the SHA-256
//! recorded at download, then recognised by its format.

use protocol::{ErrorCode, Format, LanternError, ModelLoaded};
use sha2::{Digest, Sha256};
use webext::model_store::{InstalledModel, ModelStore};

use super::download::hex;
use super::errors;

/// A model's files, read and checked.
pub struct LoadedFiles {
    pub model: InstalledModel,
    pub files: Vec<(String, Vec<u8>)>,
}

/// Reads every file of an installed model, reporting `progress(bytes, total)` after each. A
/// damaged copy (missing chunks, wrong checksum) is removed, so the next download starts clean.
pub async fn read(
    store: &ModelStore,
    model_id: &str,
    progress: &dyn Fn(u64, u64),
) -> Result<LoadedFiles, LanternError> {
    let model = store
        .installed_model(model_id)
        .await
        .map_err(errors::storage)?
        .ok_or_else(|| errors::not_installed(model_id))?;
    let total = model.bytes;
    let mut done = 0;
    let mut files = Vec::new();
    for file in &model.files {
        let checked = match store.read_file(model_id, file).await {
            Ok(bytes) if hex(&Sha256::digest(&bytes)) == file.sha256 => Ok(bytes),
            Ok(_) => Err(format!("{} no longer matches its checksum", file.name)),
            Err(err) => Err(err.to_string()),
        };
        let bytes = match checked {
            Ok(bytes) => bytes,
            Err(why) => {
                let removed = store.delete_model(model_id).await.is_ok();
                return Err(corrupt(model_id, &why, removed));
            }
        };
        done += file.size;
        progress(done, total);
        files.push((file.name.clone(), bytes));
    }
    Ok(LoadedFiles { model, files })
}

fn corrupt(model_id: &str, why: &str, removed: bool) -> LanternError {
    let next = if removed {
        "it was removed; download it again"
    } else {
        "delete it and download it again"
    };
    LanternError::new(
        ErrorCode::HashMismatch,
        format!("the stored copy of {model_id} was damaged ({why}); {next}"),
    )
}

/// What the worker made of the files: for GGUF, the header (version, tensors, metadata entries).
pub fn describe(loaded: &LoadedFiles) -> Result<ModelLoaded, LanternError> {
    let bytes: u64 = loaded.files.iter().map(|(_, b)| b.len() as u64).sum();
    let entry = &loaded.model.entry;
    let summary = match entry.format {
        Format::Gguf => {
            let (_, data) = loaded
                .files
                .iter()
                .find(|(name, _)| name.ends_with(".gguf"))
                .or(loaded.files.first())
                .ok_or_else(|| unsupported(&entry.id, "it has no files"))?;
            gguf_header(data).ok_or_else(|| unsupported(&entry.id, "it is not a GGUF file"))?
        }
        other => format!("{other:?} model, {} files", loaded.files.len()).to_lowercase(),
    };
    Ok(ModelLoaded {
        model_id: entry.id.clone(),
        bytes,
        summary,
    })
}

/// `GGUF` magic, then u32 version, u64 tensor count, u64 metadata count (little-endian).
fn gguf_header(data: &[u8]) -> Option<String> {
    if data.get(..4)? != b"GGUF" {
        return None;
    }
    let version = u32::from_le_bytes(data.get(4..8)?.try_into().ok()?);
    let tensors = u64::from_le_bytes(data.get(8..16)?.try_into().ok()?);
    let metadata = u64::from_le_bytes(data.get(16..24)?.try_into().ok()?);
    Some(format!(
        "gguf v{version}, {tensors} tensors, {metadata} metadata entries"
    ))
}

fn unsupported(id: &str, why: &str) -> LanternError {
    LanternError::new(
        ErrorCode::UnsupportedFormat,
        format!("cannot load {id}: {why}"),
    )
}
