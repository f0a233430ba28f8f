//! The model cache in IndexedDB, shared by the offscreen engine (downloads, loading) and the UI
//! (imports, listings).
//!
//! Schema v1 of database `lantern-models`:
//! - `chunks`: key `[model_id, file, index]` -> the file's bytes in `CHUNK_BYTES` pieces. Records
//!   stay small enough for IndexedDB and for a 32-bit browser heap, and a file can be read back a
//!   chunk at a time without a second full copy in JavaScript.
//! - `files`: key `[model_id, file]` -> `FileProgress`, updated in the same transaction as each
//!   chunk, so what it says is always what is stored (this is what resuming trusts).
//! - `models`: key `model_id` -> `InstalledModel`, written last, only after every file is stored
//!   and checked. A model is installed exactly when this record exists.
//! - `meta`: small settings of the cache: the catalog URL the user chose, the last catalog fetched.

use js_sys::{Array, Uint8Array};
use protocol::ModelEntry;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbKeyRange};

use crate::idb::{self, IdbError, req};
use crate::{from_js, to_js};

pub const DB_NAME: &str = "lantern-models";
const DB_VERSION: u32 = 1;
const CHUNKS: &str = "chunks";
const FILES: &str = "files";
const MODELS: &str = "models";
const META: &str = "meta";

/// Size of a stored piece of a file.
pub const CHUNK_BYTES: u32 = 4 * 1024 * 1024;

/// How far a file's download has got, and what it should end up as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileProgress {
    pub model_id: String,
    pub name: String,
    /// The catalog entry version this download belongs to; a different version starts over.
    pub version: String,
    pub url: String,
    /// Whole chunks stored (all `CHUNK_BYTES` long except possibly the last of a finished file).
    pub chunks: u32,
    pub bytes: u64,
    pub expected_size: Option<u64>,
    pub expected_sha256: Option<String>,
    /// Set when the file is complete and checked.
    pub sha256: Option<String>,
}

/// One stored, checked file of an installed model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredFile {
    pub name: String,
    pub size: u64,
    pub sha256: String,
    pub chunks: u32,
}

/// Where an installed model came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelSource {
    Catalog,
    /// Imported by the user from a file on their computer.
    Import,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstalledModel {
    /// The catalog entry as it was when installed (for imports, one made from the file).
    pub entry: ModelEntry,
    pub source: ModelSource,
    pub files: Vec<StoredFile>,
    pub bytes: u64,
    /// Milliseconds since the epoch.
    pub installed_at: f64,
}

impl InstalledModel {
    pub fn file(&self, name: &str) -> Option<&StoredFile> {
        self.files.iter().find(|f| f.name == name)
    }
}

fn upgrade(db: &IdbDatabase, old_version: u32) -> Result<(), JsValue> {
    if old_version < 1 {
        db.create_object_store(CHUNKS)?;
        db.create_object_store(FILES)?;
        db.create_object_store(MODELS)?;
        db.create_object_store(META)?;
    }
    Ok(())
}

fn key(parts: &[JsValue]) -> JsValue {
    parts.iter().collect::<Array>().into()
}

fn file_key(model_id: &str, name: &str) -> JsValue {
    key(&[model_id.into(), name.into()])
}

fn chunk_key(model_id: &str, name: &str, index: u32) -> JsValue {
    key(&[model_id.into(), name.into(), index.into()])
}

/// Every key that starts with `prefix`: arrays sort after their prefixes, and an array element
/// sorts after any string, so `[...prefix]` to `[...prefix, []]` spans exactly those keys.
fn prefix_range(prefix: &[&str]) -> Result<JsValue, IdbError> {
    let lower: Array = prefix.iter().map(|p| JsValue::from_str(p)).collect();
    let upper = lower.slice(0, lower.length());
    upper.push(&Array::new());
    IdbKeyRange::bound(&lower, &upper)
        .map(JsValue::from)
        .map_err(|e| IdbError::from_js(&e))
}

fn decode<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, IdbError> {
    from_js(value).map_err(|e| IdbError::Failed(format!("unreadable record: {e}")))
}

pub struct ModelStore {
    db: IdbDatabase,
}

impl ModelStore {
    pub async fn open() -> Result<ModelStore, IdbError> {
        Ok(ModelStore {
            db: idb::open(DB_NAME, DB_VERSION, upgrade).await?,
        })
    }

    async fn get_all<T: serde::de::DeserializeOwned>(
        &self,
        store: &str,
    ) -> Result<Vec<T>, IdbError> {
        let tx = idb::transaction(&self.db, &[store], false)?;
        let values = idb::wait(&req(idb::store(&tx, store)?.get_all())?).await?;
        Array::from(&values).iter().map(decode).collect()
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        store: &str,
        key: &JsValue,
    ) -> Result<Option<T>, IdbError> {
        let tx = idb::transaction(&self.db, &[store], false)?;
        let value = idb::wait(&req(idb::store(&tx, store)?.get(key))?).await?;
        if value.is_undefined() {
            return Ok(None);
        }
        decode(value).map(Some)
    }

    pub async fn installed(&self) -> Result<Vec<InstalledModel>, IdbError> {
        self.get_all(MODELS).await
    }

    pub async fn installed_model(&self, id: &str) -> Result<Option<InstalledModel>, IdbError> {
        self.get(MODELS, &id.into()).await
    }

    /// Every file download on record, finished or not.
    pub async fn progress_all(&self) -> Result<Vec<FileProgress>, IdbError> {
        self.get_all(FILES).await
    }

    pub async fn progress(
        &self,
        model_id: &str,
        name: &str,
    ) -> Result<Option<FileProgress>, IdbError> {
        self.get(FILES, &file_key(model_id, name)).await
    }

    /// Records a new (empty) download of a file, dropping whatever was stored for it before.
    pub async fn start_file(&self, progress: &FileProgress) -> Result<(), IdbError> {
        self.forget_file(&progress.model_id, &progress.name).await?;
        let tx = idb::transaction(&self.db, &[FILES], true)?;
        let key = file_key(&progress.model_id, &progress.name);
        req(idb::store(&tx, FILES)?.put_with_key(&to_js(progress), &key))?;
        idb::committed(&tx).await
    }

    /// Stores the next chunk of a file together with the progress that now describes it.
    pub async fn append_chunk(
        &self,
        progress: &FileProgress,
        bytes: &[u8],
    ) -> Result<(), IdbError> {
        let index = progress
            .chunks
            .checked_sub(1)
            .ok_or_else(|| IdbError::Failed("a chunk was appended with no chunk counted".into()))?;
        let tx = idb::transaction(&self.db, &[CHUNKS, FILES], true)?;
        let data = Uint8Array::from(bytes);
        req(idb::store(&tx, CHUNKS)?
            .put_with_key(&data, &chunk_key(&progress.model_id, &progress.name, index)))?;
        req(idb::store(&tx, FILES)?.put_with_key(
            &to_js(progress),
            &file_key(&progress.model_id, &progress.name),
        ))?;
        idb::committed(&tx).await
    }

    /// Updates a file's progress record alone (e.g. to mark it checked).
    pub async fn put_progress(&self, progress: &FileProgress) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[FILES], true)?;
        req(idb::store(&tx, FILES)?.put_with_key(
            &to_js(progress),
            &file_key(&progress.model_id, &progress.name),
        ))?;
        idb::committed(&tx).await
    }

    /// One stored chunk of a file, as a JS array (so callers can copy it where they need it).
    pub async fn chunk(
        &self,
        model_id: &str,
        name: &str,
        index: u32,
    ) -> Result<Uint8Array, IdbError> {
        self.stored_chunk(model_id, name, index)
            .await?
            .ok_or_else(|| {
                IdbError::Failed(format!("chunk {index} of {model_id}/{name} is missing"))
            })
    }

    /// One stored chunk of a file; `None` when the store holds no such chunk (the copy is
    /// damaged), an error when the store could not be read (the copy may be fine).
    pub async fn stored_chunk(
        &self,
        model_id: &str,
        name: &str,
        index: u32,
    ) -> Result<Option<Uint8Array>, IdbError> {
        let tx = idb::transaction(&self.db, &[CHUNKS], false)?;
        let value = idb::wait(&req(
            idb::store(&tx, CHUNKS)?.get(&chunk_key(model_id, name, index))
        )?)
        .await?;
        Ok(value.dyn_into::<Uint8Array>().ok())
    }

    /// Reads a whole stored file into one buffer, a chunk at a time: the only full copy is the
    /// one returned.
    pub async fn read_file(&self, model_id: &str, file: &StoredFile) -> Result<Vec<u8>, IdbError> {
        let size = usize::try_from(file.size)
            .map_err(|_| IdbError::Failed("file too large for this browser".into()))?;
        let mut bytes = vec![0u8; size];
        let mut at = 0usize;
        for index in 0..file.chunks {
            let chunk = self.chunk(model_id, &file.name, index).await?;
            let len = chunk.length() as usize;
            let end = at + len;
            if end > size {
                return Err(IdbError::Failed(format!(
                    "{model_id}/{} is longer than recorded",
                    file.name
                )));
            }
            chunk.copy_to(&mut bytes[at..end]);
            at = end;
        }
        if at != size {
            return Err(IdbError::Failed(format!(
                "{model_id}/{} is incomplete: {at} of {size} bytes stored",
                file.name
            )));
        }
        Ok(bytes)
    }

    /// Marks a model installed. Called last, after every file is stored and checked.
    pub async fn mark_installed(&self, model: &InstalledModel) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[MODELS], true)?;
        req(idb::store(&tx, MODELS)?.put_with_key(&to_js(model), &model.entry.id.as_str().into()))?;
        idb::committed(&tx).await
    }

    /// Drops a file's chunks and progress.
    pub async fn forget_file(&self, model_id: &str, name: &str) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[CHUNKS, FILES], true)?;
        req(idb::store(&tx, CHUNKS)?.delete(&prefix_range(&[model_id, name])?))?;
        req(idb::store(&tx, FILES)?.delete(&file_key(model_id, name)))?;
        idb::committed(&tx).await
    }

    /// Deletes a model and everything stored for it, in one transaction: it is never left
    /// half-deleted.
    pub async fn delete_model(&self, model_id: &str) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[CHUNKS, FILES, MODELS], true)?;
        req(idb::store(&tx, MODELS)?.delete(&model_id.into()))?;
        req(idb::store(&tx, FILES)?.delete(&prefix_range(&[model_id])?))?;
        req(idb::store(&tx, CHUNKS)?.delete(&prefix_range(&[model_id])?))?;
        idb::committed(&tx).await
    }

    /// A value of the `meta` store.
    pub async fn meta<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, IdbError> {
        self.get(META, &name.into()).await
    }

    pub async fn set_meta<T: Serialize>(
        &self,
        name: &str,
        value: Option<&T>,
    ) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[META], true)?;
        let store = idb::store(&tx, META)?;
        match value {
            Some(value) => req(store.put_with_key(&to_js(value), &name.into()))?,
            None => req(store.delete(&name.into()))?,
        };
        idb::committed(&tx).await
    }

    /// Deletes every model and download.
    pub async fn clear(&self) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[CHUNKS, FILES, MODELS], true)?;
        for store in [CHUNKS, FILES, MODELS] {
            req(idb::store(&tx, store)?.clear())?;
        }
        idb::committed(&tx).await
    }
}
