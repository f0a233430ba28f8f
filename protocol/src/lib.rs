//! Typed messages shared by every part of Lantern: the request envelope, the replies, the error DTO,
//! the rules for which sender may ask what, and the model catalog.
//!
//! Everything here crosses `chrome.runtime` messaging or `postMessage` as the JSON-like values those
//! channels deliver, so every type round-trips through `serde_json::Value` (see `tests/`).

mod backend;
pub mod catalog;
mod chat;
mod engine_handoff;
mod envelope;
mod error;
mod kind;
mod mcp;
mod parse;
mod reply;
mod request;
mod response;
mod sender;
mod speech;
mod summary;
mod target;
pub mod untrusted;
mod vision;
mod voice;

pub use backend::{BackendModel, BackendModels, BackendServer};
pub use catalog::{
    CATALOG_SCHEMA, Catalog, FileEntry, Format, Machine, ModelEntry, Role, Task, WASM_MEMORY_LIMIT,
    chat_model_for,
};
pub use chat::{
    AnswerSource, BuiltinTool, ChatMessage, ChatProfile, ChatReply, ChatRole, Finish, OpTime,
    Sampling, StepProfile,
};
pub use engine_handoff::{ENGINE_PORT_PREFIX, EngineHandoff, HandoffSignal};
pub use envelope::{Envelope, Id};
pub use error::{CatalogError, ErrorCode, LanternError, ProtocolError};
pub use kind::{Engine, RequestKind, Server};
pub use mcp::{
    ExternalTool, McpLink, McpMedia, McpPromptArgument, McpPromptInfo, McpPromptList,
    McpPromptText, McpResourceInfo, McpResourceList, McpResourceText, McpServerList,
    McpServerState, McpToolInfo, McpToolResult, PendingCall, fence_resource, fence_result,
};
pub use parse::{Rejection, parse_envelope};
pub use reply::{Event, Reply, Stage};
pub use request::Request;
pub use response::{
    ContextInfo, Dictation, Embeddings, EngineInfo, EngineSpeed, HeldModel, ModelInstalled,
    ModelList, ModelLoaded, ModelState, ModelStatus, PageInfo, Pong, Response, Spoken, ThreadCount,
    VoiceSpeed, WorkerInfo, WorkerStatus, WorkerThreads,
};
pub use sender::{OFFSCREEN_DOCUMENT_PATH, Origin, classify_sender, is_offscreen_document};
pub use speech::SpeechStyle;
pub use summary::{PageSnapshot, SummaryJob, SummaryKind, SummaryMode, SummaryReply};
pub use target::Target;
pub use vision::{IMAGE_JOB_KEY, ImageJob, ImageText, TextLine, fence_image_text, shown_address};
pub use voice::{VOICE_ACTIVE_KEY, VOICE_PRESS_KEY, VoiceBadge, VoicePress};

/// Lantern's version, as every context reports it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The `chrome.runtime.connect` port name a UI page uses to talk to the background.
///
/// Only the service worker listens to `onConnect`. A connect reaches every listening extension
/// page, and a UI's port stays open while any receiver lives: were the offscreen document also
/// listening, a UI would never see the service worker die.
pub const UI_PORT: &str = "lantern-ui";

/// The `chrome.storage.session` key under which a context-menu click leaves its `SummaryJob`
/// for the side panel.
pub const SUMMARY_JOB_KEY: &str = "lantern.summary_job";
