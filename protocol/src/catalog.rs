//! The model catalog: the one list of models Lantern can download, each with its files, sizes,
//! hashes, format and quantization, and which model each task uses by default.
//!
//! The background, the offscreen document and the UI all read the same `Catalog`. The built-in
//! one (`Catalog::builtin`) points at the public hubs real users download from; a mirror such as
//! `cargo xtask serve-models` publishes its own `catalog.json` with a relative `base_url`.

mod builtin;
pub(crate) mod choice;
mod fit;
mod remote;
mod url;
mod validate;
mod voices;

use serde::{Deserialize, Serialize};

pub use fit::{Machine, WASM_MEMORY_LIMIT, chat_model_for};
pub use url::resolve_url;
pub use voices::{VoiceOption, split_voice_id, voice_for_machine, voice_packs, voices};

/// The catalog layout this code reads. Bumped when a field changes meaning.
pub const CATALOG_SCHEMA: u32 = 1;

/// What a model is for. The UI offers one choice per task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Chat and text generation.
    Llm,
    /// Speech to text.
    Stt,
    /// Voice activity detection.
    Vad,
    /// Text to speech.
    Tts,
    /// Image to text.
    Vision,
    /// Sentence embeddings.
    Embed,
}

impl Task {
    pub const ALL: [Task; 6] = [
        Task::Llm,
        Task::Stt,
        Task::Vad,
        Task::Tts,
        Task::Vision,
        Task::Embed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Task::Llm => "llm",
            Task::Stt => "stt",
            Task::Vad => "vad",
            Task::Tts => "tts",
            Task::Vision => "vision",
            Task::Embed => "embed",
        }
    }
}

/// How a model's weights are stored, which decides the loader the engine uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Gguf,
    /// Hugging Face safetensors, with config.json and tokenizer.json beside it where the model has them.
    Safetensors,
    /// A CTranslate2 `model.bin` (faster-whisper conversions).
    Ctranslate2,
    Onnx,
    /// A numpy archive (reference data such as Whisper's mel filters).
    Npz,
}

/// Whether an entry is something the user picks, or data that models of its task rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[default]
    Model,
    /// Never offered as a choice and never a default (e.g. Whisper's mel filters).
    Asset,
}

/// One file of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The name the engine asks for (`model.gguf`, `tokenizer.json`); unique within a model.
    pub name: String,
    /// Where to get it: relative to the catalog's `base_url`, or an absolute http(s) URL for the
    /// few files no hub repository holds.
    pub path: String,
    /// Size in bytes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Lowercase hex SHA-256 of the file, when known. A download is checked against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// One downloadable model (or asset) and everything needed to fetch, check and load it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelEntry {
    /// Stable id, the key of the model cache. Two catalogs use the same id for the same model.
    pub id: String,
    pub task: Task,
    /// Name shown to people.
    pub name: String,
    /// Revision of this entry's files: a change here, or in any file's size or hash, means the
    /// cached copy is stale.
    pub version: String,
    #[serde(default)]
    pub role: Role,
    /// The model this task uses until the user picks another.
    #[serde(default)]
    pub default: bool,
    pub format: Format,
    /// e.g. `Q4_1`, `Q4_K_M`, `f16`, `f32`.
    pub quantization: String,
    /// SPDX id where there is one.
    pub license: String,
    /// Memory needed to run it, in bytes (weights as loaded plus working memory; an estimate).
    pub ram_bytes: u64,
    /// The languages it understands or speaks, as ISO 639-1 codes (`en`); empty when it is not
    /// specific to any (a multilingual Whisper, a voice detector). Absent from catalogs older
    /// than the field: read as empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// Ids of the catalog entries that must be installed for this one to run (a Whisper model
    /// needs the Whisper assets' mel filters). Absent from older catalogs: read as none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    pub files: Vec<FileEntry>,
}

impl ModelEntry {
    /// Total download size, when every file's size is known.
    pub fn total_size(&self) -> Option<u64> {
        self.files.iter().map(|f| f.size).sum()
    }

    pub fn file(&self, name: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.name == name)
    }

    /// Whether a cached copy described by `installed` must be fetched again to match this entry:
    /// the version changed, or the set of files, or a size or hash that both sides know.
    pub fn changed_since(&self, installed: &ModelEntry) -> bool {
        if self.version != installed.version || self.files.len() != installed.files.len() {
            return true;
        }
        self.files.iter().any(|file| {
            installed.file(&file.name).is_none_or(|old| {
                known_and_differ(&file.size, &old.size)
                    || known_and_differ(&file.sha256, &old.sha256)
            })
        })
    }
}

fn known_and_differ<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x != y)
}

/// A list of models and the URL their relative file paths resolve against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub schema: u32,
    /// Absolute (`https://huggingface.co/`), or relative to where the catalog itself was
    /// fetched from (`""` for the same folder); see `rebased`.
    pub base_url: String,
    pub models: Vec<ModelEntry>,
}

impl Catalog {
    /// The catalog Lantern ships with: public hub URLs, for real users.
    pub fn builtin() -> Catalog {
        builtin::catalog()
    }

    pub fn model(&self, id: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The default model of a task, if the catalog has one.
    pub fn default_for(&self, task: Task) -> Option<&ModelEntry> {
        self.models
            .iter()
            .find(|m| m.task == task && m.default && m.role == Role::Model)
    }

    /// The URL to download a file from.
    pub fn file_url(&self, file: &FileEntry) -> String {
        resolve_url(&self.base_url, &file.path)
    }

    /// This catalog with a relative `base_url` made absolute against the URL the catalog was
    /// fetched from, so file URLs work wherever the mirror is served.
    pub fn rebased(mut self, catalog_url: &str) -> Catalog {
        self.base_url = url::rebase(catalog_url, &self.base_url);
        self
    }
}
