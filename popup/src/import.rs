//! Importing a model the user picks from their computer (a GGUF file, or a folder of safetensors
//! with its config.json and tokenizer.json) into the model cache. Files are read a slice at a time
//! and hashed on the way, so the page never holds a whole model.

use protocol::{ErrorCode, FileEntry, Format, LanternError, ModelEntry, Role, Task};
use sha2::{Digest, Sha256};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;
use webext::model_store::{
    CHUNK_BYTES, FileProgress, InstalledModel, ModelSource, ModelStore, StoredFile,
};

/// One picked file and the name it takes in the model (its path inside a picked folder).
pub struct Picked {
    pub file: File,
    pub name: String,
}

impl Picked {
    pub fn new(file: File) -> Picked {
        // In a picked folder, keep the path below the folder itself (`1_Pooling/config.json`).
        let relative = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
            .ok()
            .and_then(|p| p.as_string())
            .filter(|p| !p.is_empty());
        let name = match relative {
            Some(path) => path
                .split_once('/')
                .map_or(path.clone(), |(_, rest)| rest.to_string()),
            None => file.name(),
        };
        Picked { file, name }
    }
}

fn unsupported(why: &str) -> LanternError {
    LanternError::new(ErrorCode::UnsupportedFormat, why)
}

fn storage(err: webext::idb::IdbError) -> LanternError {
    match err {
        webext::idb::IdbError::QuotaExceeded => LanternError::new(
            ErrorCode::QuotaExceeded,
            "the browser's storage for Lantern is full; delete a model or free disk space",
        ),
        other => LanternError::new(ErrorCode::StorageFailed, other.to_string()),
    }
}

/// What the picked files are: format, task, and the file that holds the weights.
fn recognise(picked: &[Picked]) -> Result<(Format, Task), LanternError> {
    let names: Vec<&str> = picked.iter().map(|p| p.name.as_str()).collect();
    if names.len() == 1 && names[0].to_lowercase().ends_with(".gguf") {
        return Ok((Format::Gguf, Task::Llm));
    }
    if names.iter().any(|n| n.ends_with(".safetensors")) {
        if !names.contains(&"config.json") {
            return Err(unsupported(
                "a safetensors model needs its config.json (and tokenizer.json) in the same folder",
            ));
        }
        return Ok((Format::Safetensors, task_of_folder(&names)));
    }
    Err(unsupported(
        "Lantern imports a .gguf file, or a folder with .safetensors weights, config.json and tokenizer.json",
    ))
}

/// What a safetensors folder is for, from the files it has (the config is read when loaded).
fn task_of_folder(names: &[&str]) -> Task {
    if names.iter().any(|n| n.contains("Pooling")) {
        Task::Embed
    } else if names.contains(&"preprocessor_config.json") {
        Task::Stt
    } else {
        Task::Llm
    }
}

/// The magic a format's weights file starts with, checked on its first chunk.
fn check_magic(format: Format, name: &str, first: &[u8]) -> Result<(), LanternError> {
    let ok = match format {
        Format::Gguf => first.starts_with(b"GGUF"),
        Format::Safetensors if name.ends_with(".safetensors") => {
            // u64 header length, then a JSON object.
            first.len() > 9 && first[8] == b'{'
        }
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(unsupported(
            &format!("{name} is not a valid {format:?} file").to_lowercase(),
        ))
    }
}

/// Imports the picked files as one model; `progress(bytes, total)` is called as they are stored.
pub async fn import(
    picked: Vec<Picked>,
    progress: &dyn Fn(u64, u64),
) -> Result<InstalledModel, LanternError> {
    let (format, task) = recognise(&picked)?;
    let store = ModelStore::open().await.map_err(storage)?;
    let title = picked
        .iter()
        .find(|p| p.name.ends_with(".gguf") || p.name.ends_with(".safetensors"))
        .map_or("model", |p| p.name.as_str())
        .to_string();
    let slug: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let id = format!(
        "import-{}-{}",
        slug.trim_matches('-'),
        js_sys::Date::now() as u64
    );
    let result = store_files(&store, &id, format, &picked, progress).await;
    let files = match result {
        Ok(files) => files,
        Err(error) => {
            // Nothing half-imported may stay behind.
            let _ = store.delete_model(&id).await;
            return Err(error);
        }
    };
    let bytes: u64 = files.iter().map(|f| f.size).sum();
    let entry = ModelEntry {
        id: id.clone(),
        task,
        name: title,
        version: files
            .first()
            .map_or(String::new(), |f| f.sha256[..12].to_string()),
        role: Role::Model,
        default: false,
        format,
        quantization: "as imported".into(),
        license: "as provided by you".into(),
        // Weights as loaded plus working memory: a rough but safe guess.
        ram_bytes: bytes + bytes / 5,
        // Nothing in the picked files says which languages the model knows or what it needs.
        languages: Vec::new(),
        requires: Vec::new(),
        files: files
            .iter()
            .map(|f| FileEntry {
                name: f.name.clone(),
                path: String::new(),
                size: Some(f.size),
                sha256: Some(f.sha256.clone()),
            })
            .collect(),
    };
    let installed = InstalledModel {
        entry,
        source: ModelSource::Import,
        files,
        bytes,
        installed_at: js_sys::Date::now(),
    };
    if let Err(err) = store.mark_installed(&installed).await {
        let _ = store.delete_model(&id).await;
        return Err(storage(err));
    }
    Ok(installed)
}

async fn store_files(
    store: &ModelStore,
    id: &str,
    format: Format,
    picked: &[Picked],
    progress: &dyn Fn(u64, u64),
) -> Result<Vec<StoredFile>, LanternError> {
    let total: u64 = picked.iter().map(|p| p.file.size() as u64).sum();
    let mut done = 0u64;
    let mut stored = Vec::new();
    for pick in picked {
        let size = pick.file.size() as u64;
        let mut record = FileProgress {
            model_id: id.to_string(),
            name: pick.name.clone(),
            version: String::new(),
            url: String::new(),
            chunks: 0,
            bytes: 0,
            expected_size: Some(size),
            expected_sha256: None,
            sha256: None,
        };
        store.start_file(&record).await.map_err(storage)?;
        let mut hasher = Sha256::new();
        while record.bytes < size {
            let end = (record.bytes + u64::from(CHUNK_BYTES)).min(size);
            let bytes = read_slice(&pick.file, record.bytes, end).await?;
            if record.bytes == 0 {
                check_magic(format, &pick.name, &bytes)?;
            }
            hasher.update(&bytes);
            record.chunks += 1;
            record.bytes = end;
            store.append_chunk(&record, &bytes).await.map_err(storage)?;
            progress(done + record.bytes, total);
        }
        let sha256: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        record.sha256 = Some(sha256.clone());
        store.put_progress(&record).await.map_err(storage)?;
        done += size;
        stored.push(StoredFile {
            name: pick.name.clone(),
            size,
            sha256,
            chunks: record.chunks,
        });
    }
    Ok(stored)
}

async fn read_slice(file: &File, start: u64, end: u64) -> Result<Vec<u8>, LanternError> {
    let blob = file
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|_| unsupported("the file could not be read"))?;
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| unsupported("the file could not be read (was it moved or deleted?)"))?;
    Ok(js_sys::Uint8Array::new(buffer.unchecked_ref()).to_vec())
}
