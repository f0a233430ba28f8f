//! One row of facts per kind of request: its wire name, who serves it, whether sending it again
//! is harmless, and whether a web page may ask for it. Every router reads this table (the
//! background's, the offscreen document's, the UI client's resend rule, the sender check), so a
//! new request is one variant plus one row, and a request no one serves cannot be written.

use serde::{Deserialize, Serialize};

use crate::catalog::Task;
use crate::target::Target;

/// An engine worker in the offscreen document. Each has its own worker, so a long generation
/// never queues behind a transcription and a crash takes down one capability, not all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// The model cache: catalog, downloads, deletions. One worker, so downloads never race.
    Models,
    /// Chat and summaries (a GGUF language model).
    Llm,
    /// Speech to text (voice detection and Whisper).
    Stt,
    /// Text to speech (the phonemizer and a voice); its audio plays in the document.
    Tts,
    /// Sentence embeddings (what the memories server searches by meaning).
    Embed,
    /// Images in: the text in an image (OCR).
    Vision,
}

impl Engine {
    pub const ALL: [Engine; 6] = [
        Engine::Models,
        Engine::Llm,
        Engine::Stt,
        Engine::Tts,
        Engine::Embed,
        Engine::Vision,
    ];

    /// The engine that runs models of a catalog task.
    pub fn for_task(task: Task) -> Engine {
        match task {
            Task::Llm => Engine::Llm,
            Task::Stt | Task::Vad => Engine::Stt,
            Task::Tts => Engine::Tts,
            Task::Embed => Engine::Embed,
            Task::Vision => Engine::Vision,
        }
    }

    /// The name the engine card and logs show for its worker.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Models => "models",
            Engine::Llm => "llm",
            Engine::Stt => "stt",
            Engine::Tts => "tts",
            Engine::Embed => "embed",
            Engine::Vision => "vision",
        }
    }
}

/// Where a request is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// The service worker.
    Background,
    /// The content script in a tab.
    Content,
    /// The offscreen document itself (it owns the microphone and asks every worker).
    Document,
    /// One engine worker of the offscreen document.
    Worker(Engine),
    /// One engine worker, fed audio from the microphone the offscreen document opens for the
    /// request (only a document may capture audio).
    Microphone(Engine),
    /// One engine worker, whose audio the offscreen document plays (only a document has an
    /// AudioContext; the worker moves each sentence's samples to it).
    Speaker(Engine),
    /// The engine worker of the model's task (`load_model`); see [`Engine::for_task`].
    TaskWorker,
    /// Every engine worker answers it about itself; the document asks them (`worker_info`).
    EachWorker,
}

impl Server {
    /// The engine of a request served in a worker, whether or not the document feeds it audio.
    pub fn engine(self) -> Option<Engine> {
        match self {
            Server::Worker(engine) | Server::Microphone(engine) | Server::Speaker(engine) => {
                Some(engine)
            }
            _ => None,
        }
    }

    /// The context an envelope carrying such a request is addressed to.
    pub fn target(self) -> Target {
        match self {
            Server::Background => Target::Background,
            Server::Content => Target::Content,
            Server::Document
            | Server::Worker(_)
            | Server::Microphone(_)
            | Server::Speaker(_)
            | Server::TaskWorker
            | Server::EachWorker => Target::Offscreen,
        }
    }
}

/// The facts about one kind of request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestKind {
    /// The `type` tag on the wire.
    pub name: &'static str,
    pub server: Server,
    /// Sending it again after a lost connection is harmless (the UI client resends these).
    pub idempotent: bool,
    /// Only Lantern's own pages may ask; a content script speaks for a web page and may not.
    pub privileged: bool,
}

const fn row(name: &'static str, server: Server, idempotent: bool) -> RequestKind {
    RequestKind {
        name,
        server,
        idempotent,
        privileged: true,
    }
}

use Engine::{Llm, Models};
use Server::{Background, Content, Document, Worker};

pub(crate) const PING: RequestKind = RequestKind {
    // The one request a page may make: it only says the background is alive.
    privileged: false,
    ..row("ping", Background, true)
};
pub(crate) const ENGINE_INFO: RequestKind = row("engine_info", Document, true);
pub(crate) const WORKER_INFO: RequestKind = row("worker_info", Server::EachWorker, true);
pub(crate) const PAGE_INFO: RequestKind = row("page_info", Content, true);
pub(crate) const LIST_MODELS: RequestKind = row("list_models", Worker(Models), true);
// Downloading again joins the running download.
pub(crate) const DOWNLOAD_MODEL: RequestKind = row("download_model", Worker(Models), true);
pub(crate) const CANCEL_DOWNLOAD: RequestKind = row("cancel_download", Worker(Models), true);
pub(crate) const DELETE_MODEL: RequestKind = row("delete_model", Worker(Models), true);
pub(crate) const CLEAR_MODELS: RequestKind = row("clear_models", Worker(Models), true);
pub(crate) const SET_CATALOG_URL: RequestKind = row("set_catalog_url", Worker(Models), true);
// The document stores it and ends the workers whose pool has another size.
pub(crate) const SET_ENGINE_THREADS: RequestKind = row("set_engine_threads", Document, true);
// Measuring twice costs a fraction of a second and changes nothing.
pub(crate) const MEASURE_ENGINE_SPEED: RequestKind = row("measure_engine_speed", Worker(Llm), true);
// Measuring a voice again takes a sentence's synthesis and changes nothing.
pub(crate) const MEASURE_VOICE_SPEED: RequestKind =
    row("measure_voice_speed", Worker(Engine::Tts), true);
pub(crate) const LOAD_MODEL: RequestKind = row("load_model", Server::TaskWorker, true);
// The document unloads: it knows every worker and what each holds.
pub(crate) const UNLOAD_MODEL: RequestKind = row("unload_model", Document, true);
// Sent again, a chat or summary would be generated twice and the microphone opened twice.
pub(crate) const CHAT: RequestKind = row("chat", Worker(Llm), false);
// The background knows which port asked for which request, so it finds the one to stop.
pub(crate) const STOP_CHAT: RequestKind = row("stop_chat", Background, true);
pub(crate) const SUMMARIZE_PAGE: RequestKind = row("summarize_page", Worker(Llm), false);
pub(crate) const PAGE_SNAPSHOT: RequestKind = row("page_snapshot", Content, true);
pub(crate) const SUMMARIZE: RequestKind = row("summarize", Background, false);
pub(crate) const START_DICTATION: RequestKind =
    row("start_dictation", Server::Microphone(Engine::Stt), false);
pub(crate) const STOP_DICTATION: RequestKind = row("stop_dictation", Document, true);
// Sent again, the text would be spoken twice.
pub(crate) const SPEAK: RequestKind = row("speak", Server::Speaker(Engine::Tts), false);
// The document stops its playback at once and tells the worker to stop synthesizing.
pub(crate) const STOP_SPEAKING: RequestKind = row("stop_speaking", Document, true);
// The document's speaker suspends or resumes its audio clock; the worker keeps synthesizing.
pub(crate) const PAUSE_SPEAKING: RequestKind = row("pause_speaking", Document, true);
pub(crate) const RESUME_SPEAKING: RequestKind = row("resume_speaking", Document, true);

// Embedding the same texts again gives the same vectors.
pub(crate) const EMBED_TEXTS: RequestKind = row("embed_texts", Worker(Engine::Embed), true);
// Reading an image again fetches it again and gives the same lines.
pub(crate) const READ_IMAGE_TEXT: RequestKind =
    row("read_image_text", Worker(Engine::Vision), true);
// Connecting again lists the tools again.
pub(crate) const MCP_CONNECT: RequestKind = row("mcp_connect", Document, true);
// Sent again, a tool the user allowed once would run twice.
pub(crate) const MCP_CALL_TOOL: RequestKind = row("mcp_call_tool", Document, false);
// Cancelling a call that already ended does nothing.
pub(crate) const MCP_CANCEL_CALL: RequestKind = row("mcp_cancel_call", Document, true);
// Only reads what the document holds.
pub(crate) const MCP_TOOL_LISTS: RequestKind = row("mcp_tool_lists", Document, true);
// Listing and reading resources change nothing on the server.
pub(crate) const MCP_LIST_RESOURCES: RequestKind = row("mcp_list_resources", Document, true);
pub(crate) const MCP_READ_RESOURCE: RequestKind = row("mcp_read_resource", Document, true);
// Filling a prompt only returns text.
pub(crate) const MCP_LIST_PROMPTS: RequestKind = row("mcp_list_prompts", Document, true);
pub(crate) const MCP_GET_PROMPT: RequestKind = row("mcp_get_prompt", Document, true);
// Listing a server's models changes nothing on it.
pub(crate) const BACKEND_MODELS: RequestKind = row("backend_models", Document, true);

/// Every row, for lookups by wire name before a message is parsed.
pub(crate) const ALL: &[RequestKind] = &[
    PING,
    ENGINE_INFO,
    WORKER_INFO,
    PAGE_INFO,
    LIST_MODELS,
    DOWNLOAD_MODEL,
    CANCEL_DOWNLOAD,
    DELETE_MODEL,
    CLEAR_MODELS,
    SET_CATALOG_URL,
    SET_ENGINE_THREADS,
    MEASURE_ENGINE_SPEED,
    MEASURE_VOICE_SPEED,
    LOAD_MODEL,
    UNLOAD_MODEL,
    CHAT,
    STOP_CHAT,
    SUMMARIZE_PAGE,
    PAGE_SNAPSHOT,
    SUMMARIZE,
    START_DICTATION,
    STOP_DICTATION,
    SPEAK,
    STOP_SPEAKING,
    MCP_CONNECT,
    MCP_CALL_TOOL,
    MCP_CANCEL_CALL,
    MCP_TOOL_LISTS,
    MCP_LIST_RESOURCES,
    MCP_READ_RESOURCE,
    MCP_LIST_PROMPTS,
    MCP_GET_PROMPT,
    PAUSE_SPEAKING,
    RESUME_SPEAKING,
    EMBED_TEXTS,
    BACKEND_MODELS,
    READ_IMAGE_TEXT,
];

impl RequestKind {
    /// The row of a wire `type`, or `None` when no such request exists. Read before the full
    /// parse, so an unknown type and a wrong target get their own errors.
    pub fn by_name(name: &str) -> Option<RequestKind> {
        ALL.iter().copied().find(|kind| kind.name == name)
    }

    /// Every row.
    pub fn all() -> &'static [RequestKind] {
        ALL
    }

    /// The context a request of this kind is addressed to.
    pub fn home(self) -> Target {
        self.server.target()
    }
}
