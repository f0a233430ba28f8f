//! Replies to a request: exactly one `return` or `throw` ends it; `progress` and `heartbeat` may
//! come before.

use serde::{Deserialize, Serialize};

use crate::envelope::Id;
use crate::error::LanternError;
use crate::response::Response;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reply {
    Return {
        id: Id,
        value: Response,
    },
    /// `id` is absent only when the request was too malformed to carry one.
    Throw {
        id: Option<Id>,
        error: LanternError,
    },
    Progress {
        id: Id,
        event: Event,
    },
    /// "Still working": keeps the service worker awake and tells the UI the request is alive.
    Heartbeat {
        id: Id,
    },
}

impl Reply {
    pub fn id(&self) -> Option<Id> {
        match self {
            Reply::Return { id, .. } | Reply::Progress { id, .. } | Reply::Heartbeat { id } => {
                Some(*id)
            }
            Reply::Throw { id, .. } => *id,
        }
    }

    /// Whether this reply ends its request.
    pub fn is_final(&self) -> bool {
        matches!(self, Reply::Return { .. } | Reply::Throw { .. })
    }

    pub fn with_id(mut self, new_id: Id) -> Reply {
        match &mut self {
            Reply::Return { id, .. } | Reply::Progress { id, .. } | Reply::Heartbeat { id } => {
                *id = new_id
            }
            Reply::Throw { id, .. } => *id = Some(new_id),
        }
        self
    }
}

/// Something that happened while a request was being served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A step of the work with optional counts (bytes of a model loaded, parts of a page read).
    Step {
        stage: Stage,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        done: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<u64>,
    },
    /// The next piece of a streamed reply (whole characters only).
    Token { text: String },
    /// The engine is busy with other requests: `ahead` of this one (the one running counts).
    /// Sent when the request joins the engine's queue and each time it moves up; its turn
    /// begins with whatever event comes next.
    Queued { ahead: u32 },
    /// The page a summary is about, once it was read: its title, address and language.
    SummarySource {
        title: String,
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
    },
    /// Bytes of a model stored so far (over all its files).
    Download {
        model_id: String,
        file: String,
        bytes: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<u64>,
        bytes_per_s: f64,
    },
    /// Dictation: the microphone is open and the model ready; `vad` names the detector deciding
    /// when speech starts and ends (`silero`, or `energy` when Silero is not downloaded).
    Listening { vad: String },
    /// Dictation: the detector heard speech begin.
    SpeechStarted,
    /// Dictation: the speech ended (or listening was stopped); transcription begins.
    SpeechEnded { seconds: f64 },
    /// Dictation: the transcript so far. `partial` while Whisper is still decoding; the last one
    /// (`partial: false`) is the whole text.
    Transcript { text: String, partial: bool },
    /// Speech: sentence `index` of the text (`start..end` in chars of `speak`'s text, or of the
    /// answer of a `chat` or `summarize` asked to `speak`) has begun to play.
    Sentence { index: u32, start: u32, end: u32 },
    /// The model called a tool (`arguments` is the JSON object it gave, as text).
    ToolCall { name: String, arguments: String },
    /// What a tool call gave back to the model. `ok` is false for a failed call and for a call
    /// the model wrote wrongly (then `name` is what could be read of it, maybe empty).
    ToolResult {
        name: String,
        content: String,
        ok: bool,
    },
    /// A tool server's report on the call in flight (`progress` of `total`, if it knows one;
    /// `message` is the server's text).
    ToolProgress {
        progress: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
}

/// The steps a request goes through before its answer streams; the UI words each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading a model from the cache into the engine (`done`/`total` in bytes).
    LoadingModel,
    /// Capturing the page from its tab.
    ReadingPage,
    /// Taking notes on one part of a long page (`done` parts of `total`).
    ReadingPart,
    /// Writing the summary from the notes.
    WritingSummary,
}
