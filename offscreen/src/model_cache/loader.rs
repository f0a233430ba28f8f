//! Loading an installed model from the cache into this worker: each file read back a stored
//! chunk at a time into wasm memory and kept as those chunks (never joined into one buffer
//! unless a format needs it, and never a second full copy in JavaScript), checked against the
//! SHA-256 recorded at download, then recognised by its format.

use protocol::{ErrorCode, Format, LanternError, ModelLoaded};
use sha2::{Digest, Sha256};
use webext::idb::IdbError;
use webext::model_store::{InstalledModel, ModelStore, StoredFile};

use super::download::hex;
use crate::errors;

/// One file of a model as stored: its chunks in order.
pub struct LoadedFile {
    pub name: String,
    pub chunks: Vec<Vec<u8>>,
}

impl LoadedFile {
    pub fn len(&self) -> u64 {
        self.chunks.iter().map(|c| c.len() as u64).sum()
    }

    /// The chunks as slices, for readers that take a file in pieces (GGUF).
    pub fn slices(&self) -> Vec<&[u8]> {
        self.chunks.iter().map(Vec::as_slice).collect()
    }

    /// The file in one buffer, for formats whose readers need that (safetensors, JSON).
    pub fn into_bytes(self) -> Vec<u8> {
        if self.chunks.len() == 1 {
            return self.chunks.into_iter().next().unwrap_or_default();
        }
        self.chunks.concat()
    }
}

/// A model's files, read and checked.
pub struct LoadedFiles {
    pub model: InstalledModel,
    pub files: Vec<LoadedFile>,
}

impl LoadedFiles {
    /// Takes out the first file whose name `pick` accepts.
    pub fn take(&mut self, pick: impl Fn(&str) -> bool) -> Option<LoadedFile> {
        let at = self.files.iter().position(|f| pick(&f.name))?;
        Some(self.files.swap_remove(at))
    }
}

/// The installed record of `model_id`, or `not_installed`.
pub async fn installed(store: &ModelStore, model_id: &str) -> Result<InstalledModel, LanternError> {
    store
        .installed_model(model_id)
        .await
        .map_err(errors::storage)?
        .ok_or_else(|| errors::not_installed(model_id))
}

/// Reads every file of an installed model, reporting `progress(bytes, total)` after each chunk.
/// A damaged copy (missing chunks, wrong checksum) is removed, so the next download starts clean;
/// a copy the browser's storage failed to read is kept (the failure may pass, the copy is fine).
pub async fn read(
    store: &ModelStore,
    model: InstalledModel,
    progress: &dyn Fn(u64, u64),
) -> Result<LoadedFiles, LanternError> {
    let model_id = model.entry.id.clone();
    let total = model.bytes;
    let mut done = 0;
    let mut files = Vec::with_capacity(model.files.len());
    for file in &model.files {
        let checked = match read_chunks(store, &model_id, file, &mut |n| {
            done += n;
            progress(done, total);
        })
        .await
        {
            Ok((chunks, sha256)) if sha256 == file.sha256 => Ok(chunks),
            Ok(_) => Err(Unread::Damaged(format!(
                "{} no longer matches its checksum",
                file.name
            ))),
            Err(err) => Err(err),
        };
        let chunks = match checked {
            Ok(chunks) => chunks,
            Err(Unread::Damaged(why)) => {
                let removed = store.delete_model(&model_id).await.is_ok();
                return Err(corrupt(&model_id, &why, removed));
            }
            Err(Unread::Storage(error)) => return Err(unreadable(&model_id, error)),
        };
        files.push(LoadedFile {
            name: file.name.clone(),
            chunks,
        });
    }
    Ok(LoadedFiles { model, files })
}

/// Why a stored file could not be read back.
enum Unread {
    /// The copy itself is wrong (a chunk missing, too long, too short, another checksum).
    Damaged(String),
    /// The browser's storage failed to answer; nothing is known about the copy.
    Storage(IdbError),
}

/// A file's chunks and the hex SHA-256 of their bytes, hashed as they arrive.
async fn read_chunks(
    store: &ModelStore,
    model_id: &str,
    file: &StoredFile,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<(Vec<Vec<u8>>, String), Unread> {
    let mut hasher = Sha256::new();
    let mut chunks = Vec::with_capacity(file.chunks as usize);
    let mut at = 0u64;
    for index in 0..file.chunks {
        let chunk = match store.stored_chunk(model_id, &file.name, index).await {
            Ok(Some(chunk)) => chunk.to_vec(),
            Ok(None) => {
                return Err(Unread::Damaged(format!(
                    "chunk {index} of {} is missing",
                    file.name
                )));
            }
            Err(error) => return Err(Unread::Storage(error)),
        };
        at += chunk.len() as u64;
        if at > file.size {
            return Err(Unread::Damaged(format!(
                "{} is longer than recorded",
                file.name
            )));
        }
        hasher.update(&chunk);
        on_bytes(chunk.len() as u64);
        chunks.push(chunk);
    }
    if at != file.size {
        return Err(Unread::Damaged(format!(
            "{} is incomplete: {at} of {} bytes stored",
            file.name, file.size
        )));
    }
    Ok((chunks, hex(&hasher.finalize())))
}

fn unreadable(model_id: &str, error: IdbError) -> LanternError {
    if matches!(error, IdbError::QuotaExceeded) {
        return errors::storage(error);
    }
    LanternError::new(
        ErrorCode::StorageFailed,
        format!(
            "the browser could not read the stored copy of {model_id} ({error}); it was kept: \
             try again, and restart the browser if this repeats"
        ),
    )
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
    let bytes: u64 = loaded.files.iter().map(LoadedFile::len).sum();
    let entry = &loaded.model.entry;
    let summary = match entry.format {
        Format::Gguf => {
            let file = loaded
                .files
                .iter()
                .find(|f| f.name.ends_with(".gguf"))
                .or(loaded.files.first())
                .ok_or_else(|| unsupported(&entry.id, "it has no files"))?;
            let head = file.chunks.first().map(Vec::as_slice).unwrap_or_default();
            gguf_header(head).ok_or_else(|| unsupported(&entry.id, "it is not a GGUF file"))?
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
