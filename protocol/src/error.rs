//! The one error shape that crosses contexts (`LanternError`), and this crate's own errors.

use serde::{Deserialize, Serialize};

/// What went wrong, in a form the UI can act on (retry, ask for permission, explain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not a request at all, or a field is missing or has the wrong type.
    MalformedMessage,
    /// A `body.type` Lantern does not know.
    UnknownType,
    /// A `target` Lantern does not know.
    UnknownTarget,
    /// A known request sent to a context that does not serve it.
    WrongTarget,
    /// The sender may not make this request (a web page, another extension).
    Forbidden,
    /// The offscreen document could not be created or reached.
    OffscreenUnavailable,
    /// The worker running the engine crashed or was killed; the next request restarts it.
    WorkerCrashed,
    /// The engine panicked; its context must be restarted.
    EngineStopped,
    /// The connection carrying the request closed before it was answered.
    Disconnected,
    /// Lantern cannot read this tab (browser pages, the web store, no permission).
    NoPageAccess,
    /// The page (or selection) has no text to work on: images only, empty, nothing selected.
    NoReadableText,
    /// The request was cancelled by its sender.
    Cancelled,
    /// The network is unreachable (offline, or the server is down).
    Offline,
    /// The server answered with an error status.
    ServerError,
    /// A downloaded file is not the file the catalog names (its SHA-256 differs).
    HashMismatch,
    /// The browser's storage for Lantern is full, or would be by this download.
    QuotaExceeded,
    /// The model needs more memory than a browser tab's WebAssembly can have (4 GiB).
    ModelTooLarge,
    /// The file is not in a format Lantern can load.
    UnsupportedFormat,
    /// The catalog has no model with this id.
    UnknownModel,
    /// The model is not downloaded (or was deleted).
    NotInstalled,
    /// The browser's storage failed in another way.
    StorageFailed,
    /// One message alone is longer than the model's context window.
    MessageTooLong,
    /// The microphone is blocked for Lantern (the user or a policy said no).
    MicrophoneDenied,
    /// Lantern was never granted the microphone: its permission page must ask once.
    MicrophonePermissionNeeded,
    /// No microphone is connected (or the browser cannot open one).
    MicrophoneNotFound,
    /// A dictation is already listening.
    Busy,
    /// A tool server (MCP) could not be reached: it is not running, or the address is wrong.
    ToolServerUnreachable,
    /// A tool server refused the browser's `Origin` header (local servers guarding against DNS
    /// rebinding do).
    ToolServerRefusedOrigin,
    /// A tool server answered, but not with what was asked (an error, or not MCP).
    ToolServerFailed,
    /// A model server the user added could not be reached (not running, wrong address).
    BackendUnreachable,
    /// A model server refused the request (401/403: a wrong or missing API key).
    BackendRefused,
    /// A model server does not have the model asked for (404).
    BackendModelMissing,
    /// The conversation is longer than the server's model takes.
    BackendContextTooLong,
    /// A model server's answer stopped in the middle (the server died or the connection
    /// broke); the text that came is kept.
    BackendStreamCut,
    /// A model server answered, but not in the OpenAI dialect Lantern speaks.
    BackendDialect,
    /// A model server answered with another error.
    BackendFailed,
    /// An image Lantern cannot read: damaged, of another format, or too big.
    BadImage,
    /// An image could not be fetched: the site refused Lantern, answered with an error, or is
    /// unreachable.
    ImageUnreachable,
    /// A bug: something Lantern did not expect.
    Internal,
}

impl ErrorCode {
    /// Whether asking again may succeed without the user changing anything.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorCode::Disconnected
                | ErrorCode::WorkerCrashed
                | ErrorCode::OffscreenUnavailable
                | ErrorCode::Offline
                | ErrorCode::ServerError
        )
    }
}

/// The serialisable error every context sends and shows: a code to act on and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct LanternError {
    pub code: ErrorCode,
    pub message: String,
}

impl LanternError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> LanternError {
        LanternError {
            code,
            message: message.into(),
        }
    }
}

/// Why a message could not be accepted as a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("a request must be an object with id, target and body; got {0}")]
    NotAnObject(&'static str),
    #[error("the request has no usable id (a whole number below 2^53)")]
    MissingId,
    #[error("unknown target {0:?}")]
    UnknownTarget(String),
    #[error("unknown request type {0:?}")]
    UnknownType(String),
    #[error("{request:?} is served by {expected}, not {got}")]
    WrongTarget {
        request: String,
        expected: &'static str,
        got: &'static str,
    },
    #[error("malformed {request:?} request: {detail}")]
    Malformed { request: String, detail: String },
    #[error("{request:?} may not be sent from {from}")]
    Forbidden { request: String, from: &'static str },
}

impl From<ProtocolError> for LanternError {
    fn from(err: ProtocolError) -> LanternError {
        let code = match &err {
            ProtocolError::NotAnObject(_) | ProtocolError::MissingId => ErrorCode::MalformedMessage,
            ProtocolError::Malformed { .. } => ErrorCode::MalformedMessage,
            ProtocolError::UnknownTarget(_) => ErrorCode::UnknownTarget,
            ProtocolError::UnknownType(_) => ErrorCode::UnknownType,
            ProtocolError::WrongTarget { .. } => ErrorCode::WrongTarget,
            ProtocolError::Forbidden { .. } => ErrorCode::Forbidden,
        };
        LanternError::new(code, err.to_string())
    }
}

/// Why a catalog cannot be used as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog schema {0} is not one this version of Lantern reads")]
    UnsupportedSchema(u32),
    #[error("base_url {0:?} must be absolute, or relative without `..`")]
    BadBaseUrl(String),
    #[error("a model has an empty id")]
    EmptyId,
    #[error("model id {0:?} appears more than once")]
    DuplicateId(String),
    #[error("model {0:?} has no files")]
    NoFiles(String),
    #[error("model {model:?} has a file with no name")]
    EmptyFileName { model: String },
    #[error("model {model:?} names file {file:?} twice")]
    DuplicateFileName { model: String, file: String },
    #[error("model {model:?} file {file:?} has an unusable path {path:?}")]
    BadPath {
        model: String,
        file: String,
        path: String,
    },
    #[error("model {model:?} file {file:?} has a sha256 that is not 64 lowercase hex digits")]
    BadSha256 { model: String, file: String },
    #[error("task {task} has {count} default models; it needs exactly one")]
    DefaultCount { task: &'static str, count: usize },
    #[error("{0:?} is an asset and cannot be a default model")]
    DefaultAsset(String),
    #[error("model {model:?} requires {required:?}, which the catalog does not list")]
    UnknownRequirement { model: String, required: String },
    #[error("model {0:?} requires itself")]
    RequiresItself(String),
    #[error("model {model:?} lists language {language:?}, which is not an ISO 639-1 code")]
    BadLanguage { model: String, language: String },
    #[error(
        "{0} is not HTTPS: a catalog and its files need HTTPS (plain HTTP only on this computer)"
    )]
    InsecureUrl(String),
    #[error(
        "model {model:?} file {file:?} is on {origin}, not on the catalog's own site {catalog_origin}"
    )]
    ForeignFile {
        model: String,
        file: String,
        origin: String,
        catalog_origin: String,
    },
    #[error(
        "model {model:?} file {file:?} has no sha256: a catalog from elsewhere must give every file's hash"
    )]
    MissingSha256 { model: String, file: String },
}
