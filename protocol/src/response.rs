//! The values requests return.

use serde::{Deserialize, Serialize};

use crate::catalog::{ModelEntry, choice};
use crate::chat::ChatReply;
use crate::kind::Engine;
use crate::mcp::{
    McpPromptList, McpPromptText, McpResourceList, McpResourceText, McpServerList, McpServerState,
    McpToolResult,
};
use crate::summary::{PageSnapshot, SummaryReply};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    Pong(Pong),
    EngineInfo(EngineInfo),
    WorkerInfo(WorkerInfo),
    PageInfo(PageInfo),
    Models(ModelList),
    ModelInstalled(ModelInstalled),
    ModelLoaded(ModelLoaded),
    ChatReply(ChatReply),
    PageSnapshot(PageSnapshot),
    Summary(SummaryReply),
    Dictation(Dictation),
    EngineSpeed(EngineSpeed),
    Spoken(Spoken),
    McpServer(McpServerState),
    McpServers(McpServerList),
    McpResources(McpResourceList),
    McpResourceText(McpResourceText),
    McpPrompts(McpPromptList),
    McpPromptText(McpPromptText),
    McpToolResult(McpToolResult),
    VoiceSpeed(VoiceSpeed),
    Embeddings(Embeddings),
    BackendModels(crate::backend::BackendModels),
    ImageText(crate::vision::ImageText),
    /// The request was carried out and has nothing to say.
    Done,
}

/// Sentence embeddings, one per text asked for, in order; each has unit length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Embeddings {
    pub model_id: String,
    pub vectors: Vec<Vec<f32>>,
}

/// The catalog's models as this browser has them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelList {
    /// Where the catalog came from; `None` for the built-in one.
    pub catalog_url: Option<String>,
    /// Set when the catalog could not be fetched and a cached copy (or the built-in one) is shown.
    pub catalog_warning: Option<String>,
    pub models: Vec<ModelStatus>,
    /// `navigator.storage.estimate()`: bytes used and available to Lantern.
    pub storage_usage: u64,
    pub storage_quota: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelStatus {
    pub entry: ModelEntry,
    pub state: ModelState,
}

impl ModelStatus {
    pub fn is_installed(&self) -> bool {
        matches!(self.state, ModelState::Installed { .. })
    }
}

impl AsRef<ModelEntry> for ModelStatus {
    fn as_ref(&self) -> &ModelEntry {
        &self.entry
    }
}

impl ModelList {
    /// [`Catalog::speech_model_for`](crate::Catalog::speech_model_for), with the install state
    /// the list reports.
    pub fn speech_model_for(&self, language: Option<&str>) -> Option<&ModelStatus> {
        choice::speech_model_for(&self.models, language, ModelStatus::is_installed)
    }

    /// [`Catalog::requirements`](crate::Catalog::requirements) among the listed models.
    pub fn requirements(&self, entry: &ModelEntry) -> Vec<&ModelStatus> {
        choice::requirements(&self.models, entry)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ModelState {
    /// Not stored at all.
    Available,
    /// Downloading now.
    Downloading { bytes: u64, total: Option<u64> },
    /// A download stopped part way (closed browser, lost connection); it resumes where it stopped.
    Partial { bytes: u64, total: Option<u64> },
    Installed {
        bytes: u64,
        /// The catalog now lists another version or other files: download again to update.
        update_available: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInstalled {
    pub model_id: String,
    pub bytes: u64,
}

/// What a worker made of a model it loaded from the cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelLoaded {
    pub model_id: String,
    /// Bytes read from the cache.
    pub bytes: u64,
    /// e.g. "gguf llama, 272 tensors".
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pong {
    pub version: String,
    /// Whether an offscreen document exists right now.
    pub offscreen_open: bool,
}

/// What the engine sees, from the offscreen document and its workers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineInfo {
    pub offscreen: ContextInfo,
    /// What a worker sees (the model cache's, which is cheap to start when none runs).
    pub worker: WorkerInfo,
    /// Every engine worker running now: its memory and the models it holds.
    #[serde(default)]
    pub workers: Vec<WorkerStatus>,
    /// The user's "Engine threads" limit (`set_engine_threads`); `None`: one thread per core.
    #[serde(default)]
    pub thread_limit: Option<u32>,
}

/// How fast the LLM engine decodes on this machine (`measure_engine_speed`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EngineSpeed {
    /// Weight bytes a decode step streams per second: a model of N bytes decodes at about
    /// this / N tokens per second.
    pub decode_bytes_per_s: f64,
    /// The threads it was measured with (the engine's pool).
    pub threads: u32,
}

/// How fast a voice speaks on this machine (`measure_voice_speed`), timed in the speech-out
/// worker on one sentence after loading the voice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoiceSpeed {
    pub model_id: String,
    /// Seconds of audio made, and the seconds it took.
    pub audio_seconds: f64,
    pub synthesis_seconds: f64,
    /// `synthesis_seconds / audio_seconds`: below 1 speaks faster than real time.
    pub real_time_factor: f64,
}

/// One running engine worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerStatus {
    pub engine: Engine,
    #[serde(flatten)]
    pub info: WorkerInfo,
}

/// A model held in a worker's memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldModel {
    pub model_id: String,
    /// Bytes of its files in the cache.
    pub bytes: u64,
}

/// Facts about a browsing context that decide how fast models can run in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextInfo {
    /// `crossOriginIsolated`: SharedArrayBuffer, and so wasm threads, are allowed.
    pub cross_origin_isolated: bool,
    /// `navigator.hardwareConcurrency`.
    pub hardware_concurrency: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerInfo {
    #[serde(flatten)]
    pub context: ContextInfo,
    /// The engine was compiled with wasm SIMD128 instructions.
    pub simd128_compiled: bool,
    /// This browser validates a module that uses SIMD128.
    pub simd128_supported: bool,
    /// Current size of the engine's linear memory. It never shrinks: freed memory is reused by
    /// the worker but given back to the browser only when the worker ends.
    pub wasm_memory_bytes: u64,
    /// Bytes allocated in that memory now (live Rust allocations).
    #[serde(default)]
    pub heap_bytes: u64,
    /// The models this worker holds.
    #[serde(default)]
    pub models: Vec<HeldModel>,
    /// Lantern version the worker's wasm was built from.
    pub engine_version: String,
    /// The threads that compute for this worker.
    pub threads: WorkerThreads,
}

/// The threads an engine worker computes with: its rayon pool, whose threads are Web Workers
/// sharing its memory, or the worker alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerThreads {
    /// `rayon::current_num_threads()` in the worker: the pool's threads, or 1 without a pool.
    pub count: u32,
    /// Why there are that many.
    pub why: ThreadCount,
}

/// Why an engine worker has the threads it has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ThreadCount {
    /// One per core (`navigator.hardwareConcurrency`).
    AllCores,
    /// Fewer than the cores, as the user's "Engine threads" setting asks.
    Limited,
    /// This worker computes nothing in parallel (the model cache) and starts no pool.
    NotNeeded,
    /// The engine was built without wasm threads (atomics and a shared memory).
    NotBuilt,
    /// The worker is not cross-origin isolated, so its memory cannot be shared with threads.
    NotIsolated,
    /// The pool did not start; the worker computes alone.
    Failed { message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageInfo {
    pub tab_id: i64,
    pub title: String,
    pub url: String,
    /// The selected text; empty when nothing is selected.
    pub selection: String,
}

/// What a `speak` played, measured where the audio is scheduled (the document's playback graph).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spoken {
    /// Sentences the text was cut into, and how many of them began to play.
    pub sentences: u32,
    pub started: u32,
    /// Seconds of audio scheduled, and of it played before the end (all of it, unless stopped).
    pub scheduled_seconds: f64,
    pub played_seconds: f64,
    /// Root mean square of the samples scheduled (0 for silence).
    pub rms: f64,
    /// Seconds the speech worker spent making the scheduled audio (its own clock, from text to
    /// samples); over `scheduled_seconds` it is the voice's real-time factor on this machine.
    #[serde(default)]
    pub synthesis_seconds: f64,
    /// `stop_speaking` (or a newer `speak`) ended it.
    pub stopped: bool,
}

/// A finished dictation: the transcript and what it took (the worker's own clock).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dictation {
    /// Empty when no speech was heard.
    pub text: String,
    pub language: String,
    /// The voice activity detector used: `silero` or `energy`.
    pub vad: String,
    /// Seconds of speech transcribed (the utterance the detector cut, padding included).
    pub speech_seconds: f64,
    /// Milliseconds Whisper took for them (mel, encoder, decoder).
    pub transcribe_ms: f64,
    /// `transcribe_ms / 1000 / speech_seconds`; below 1 is faster than real time.
    pub real_time_factor: f64,
}
