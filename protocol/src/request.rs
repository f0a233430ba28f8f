//! Every request Lantern's contexts send each other, and the context that serves each.

use serde::{Deserialize, Serialize};

use crate::backend::BackendServer;
use crate::catalog::Task;
use crate::chat::{BuiltinTool, ChatMessage, ChatRole, Sampling};
use crate::envelope::Id;
use crate::kind::{self, Engine, RequestKind, Server};
use crate::mcp::ExternalTool;
use crate::speech::SpeechStyle;
use crate::summary::{PageSnapshot, SummaryKind, SummaryMode};
use crate::target::Target;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Liveness and version of the background.
    Ping,
    /// What the inference engine sees: SIMD, isolation, threads, memory.
    EngineInfo,
    /// What one engine worker sees (the offscreen document asks its worker this for `EngineInfo`).
    WorkerInfo,
    /// Title, URL and selected text of a tab (the active tab when `tab_id` is absent).
    PageInfo {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tab_id: Option<i64>,
    },
    /// The catalog's models with what is installed, downloading or half-downloaded.
    ListModels,
    /// Downloads a model (or joins its download in progress), streaming `download` events.
    DownloadModel { model_id: String },
    /// Stops a download and drops what it stored.
    CancelDownload { model_id: String },
    /// Deletes an installed or half-downloaded model.
    DeleteModel { model_id: String },
    /// Deletes every model and download.
    ClearModels,
    /// Loads an installed model into the worker of its task, from the cache alone.
    LoadModel { model_id: String, task: Task },
    /// Frees a loaded model's memory (the model stays downloaded; the next use loads it again).
    UnloadModel { model_id: String },
    /// A reply from the model to the conversation, streamed as `token` events. The model is
    /// loaded from the cache first if the worker does not hold it.
    Chat {
        model_id: String,
        messages: Vec<ChatMessage>,
        #[serde(default)]
        sampling: Sampling,
        /// Tools the model may call; the worker runs them and feeds the results back.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tools: Vec<BuiltinTool>,
        /// Tools of the user's MCP servers the model may call. The worker never runs them: a
        /// reply that calls one ends with `pending_calls`, for the user to allow or deny.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        external_tools: Vec<ExternalTool>,
        /// Forget the cached context first, so the whole prompt is evaluated (a new
        /// conversation, or a benchmark that measures prefill).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fresh_context: bool,
        /// Time each operation of the prefill and of the decoding (`ChatReply.profile`): the
        /// benchmark's view of where the time goes.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        profile: bool,
        /// Speak the answer as it streams (see [`SpeechStyle`]); the reply then comes when the
        /// last sentence has played, with what was spoken.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        speak: Option<SpeechStyle>,
        /// A model server of the user's that answers instead of Lantern's engine (`model_id` is
        /// then the server's name for the model). The offscreen document streams it itself.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        backend: Option<BackendServer>,
    },
    /// Stops one reply or summary (between two tokens, or in the queue before its turn) and its
    /// speech: the `chat` or `summarize` whose envelope id is `id`, sent on the same port as
    /// this stop. The background resolves it to that request alone; a stop never reaches
    /// another asker's answer.
    StopChat { id: Id },
    /// The page the content script captures in a tab (the active tab when `tab_id` is absent).
    PageSnapshot {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tab_id: Option<i64>,
    },
    /// Summarizes a tab's page or selection: the background captures the page and hands it to
    /// the engine as `summarize_page`; progress, then `token` events, then the summary.
    Summarize {
        model_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tab_id: Option<i64>,
        kind: SummaryKind,
        #[serde(default)]
        mode: SummaryMode,
        /// The language to write in (a BCP 47 tag such as `fr`); absent: the page's own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        language: Option<String>,
        /// Text the menu saw selected, used when the page itself cannot be read.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        selection: Option<String>,
        /// A question about the page ("what does it say about X"): the answer, from the page's
        /// text alone, instead of a summary.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question: Option<String>,
        /// Speak the summary as it streams (see [`SpeechStyle`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        speak: Option<SpeechStyle>,
        /// A model server of the user's that writes the summary (see `chat`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        backend: Option<BackendServer>,
    },
    /// The engine's part of a summary: extract the page, read it in parts that fit the model,
    /// and stream the summary. Stopped by `stop_chat`.
    SummarizePage {
        model_id: String,
        page: PageSnapshot,
        kind: SummaryKind,
        #[serde(default)]
        mode: SummaryMode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        language: Option<String>,
        /// Passed on from `summarize`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question: Option<String>,
        /// Passed on from `summarize`: the document speaks the summary as it streams.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        speak: Option<SpeechStyle>,
        /// Passed on from `summarize`: the document summarizes with that server.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        backend: Option<BackendServer>,
    },
    /// Listens to the microphone until voice activity detection hears one utterance end (or
    /// `stop_dictation`), then transcribes it with `model_id` (a Whisper model in the cache).
    /// Streams `listening`, `speech_started`, `speech_ended` and `transcript` events; returns a
    /// `dictation`.
    StartDictation {
        model_id: String,
        /// An ISO 639-1 code; `None` detects it (multilingual models) or means English.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        language: Option<String>,
        /// A `MediaDeviceInfo.deviceId` chosen in the settings; `None` is the system's default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        microphone: Option<String>,
    },
    /// Stops listening now; what was heard so far is still transcribed.
    StopDictation,
    /// Speaks `text` with the voice `model_id` (a TTS voice in the cache, with the phonemizer
    /// it requires), sentence by sentence, through the offscreen document's speakers. Streams a
    /// `sentence` event as each sentence's audio starts; returns `spoken` when the last one has
    /// played or `stop_speaking` cut it short.
    Speak {
        model_id: String,
        text: String,
        /// Speaking rate, 0.5 to 2 (2 is twice as fast); `None` is the voice's own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rate: Option<f32>,
        /// Loudness, 0 to 1; `None` is full.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        volume: Option<f32>,
    },
    /// Stops speaking now: the audio ends at once and no further sentence is synthesized. A
    /// chat or summary being spoken goes on generating, silently.
    StopSpeaking,
    /// Pauses the speech where it is (the audio clock stops; synthesis goes on ahead).
    PauseSpeaking,
    /// Resumes paused speech where it stopped.
    ResumeSpeaking,
    /// Where the catalog comes from: a URL (a local mirror's `catalog.json`), or `None` for the
    /// build's default.
    SetCatalogUrl {
        #[serde(default)]
        url: Option<String>,
    },
    /// The most threads an engine worker's pool may have (`None`: one per core). Engine workers
    /// running with another count are ended, so the next request starts them with this one.
    SetEngineThreads {
        #[serde(default)]
        threads: Option<u32>,
    },
    /// How fast this machine decodes, measured by the LLM engine in a fraction of a second (no
    /// model needed): what the first-run model choice sizes models by.
    MeasureEngineSpeed,
    /// Connects to a user's MCP server (the newest protocol first, else the older one) and
    /// lists its tools. `remembered` is the protocol version it spoke last time.
    McpConnect {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remembered: Option<String>,
    },
    /// Calls a tool of a user's MCP server, with arguments the user saw and allowed. Streams
    /// `tool_progress` events while the server reports progress; `call_id` (chosen by the
    /// sender) names the call for `mcp_cancel_call`.
    McpCallTool {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remembered: Option<String>,
        tool: String,
        #[serde(default)]
        arguments: serde_json::Value,
        #[serde(default)]
        call_id: String,
    },
    /// Stops the tool call `call_id` (the user pressed Stop): it fails with `cancelled`.
    McpCancelCall { call_id: String },
    /// The tools of every server the document holds a session with, as they are now (no
    /// server is asked: a list a server announced as changed was listed again already).
    McpToolLists,
    /// A server's resources, which the user may attach to a conversation.
    McpListResources {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remembered: Option<String>,
    },
    /// Reads one resource the user chose to attach.
    McpReadResource {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remembered: Option<String>,
        uri: String,
    },
    /// A server's prompts (the composer's slash commands).
    McpListPrompts {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remembered: Option<String>,
    },
    /// Fills a prompt with the user's arguments.
    McpGetPrompt {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remembered: Option<String>,
        name: String,
        #[serde(default)]
        arguments: serde_json::Value,
    },
    /// How fast the voice `model_id` (as `speak` names it) speaks here: the speech-out worker
    /// loads it and times one sentence. What the default voice is chosen by.
    MeasureVoiceSpeed { model_id: String },
    /// The models a user's model server lists (`/v1/models`), with their context sizes where
    /// the server says them. Served by the document, which may fetch any origin the user granted.
    BackendModels { server: BackendServer },
    /// The unit-length sentence embeddings of `texts` under the embedding model `model_id`, in
    /// order (the built-in memories server asks, to store and to search by meaning).
    EmbedTexts {
        model_id: String,
        texts: Vec<String>,
    },
    /// The lines of text in the image at `url` (http, https or data), read with the OCR model
    /// `model_id`. The vision worker fetches the image itself, so its bytes never cross
    /// `chrome.runtime`; a page's image is reachable where Lantern has host access (or the
    /// server allows any origin).
    ReadImageText { model_id: String, url: String },
}

impl Request {
    /// This request's row in the table of request facts.
    pub fn kind(&self) -> RequestKind {
        match self {
            Request::Ping => kind::PING,
            Request::EngineInfo => kind::ENGINE_INFO,
            Request::WorkerInfo => kind::WORKER_INFO,
            Request::PageInfo { .. } => kind::PAGE_INFO,
            Request::ListModels => kind::LIST_MODELS,
            Request::DownloadModel { .. } => kind::DOWNLOAD_MODEL,
            Request::CancelDownload { .. } => kind::CANCEL_DOWNLOAD,
            Request::DeleteModel { .. } => kind::DELETE_MODEL,
            Request::ClearModels => kind::CLEAR_MODELS,
            Request::LoadModel { .. } => kind::LOAD_MODEL,
            Request::UnloadModel { .. } => kind::UNLOAD_MODEL,
            Request::SetCatalogUrl { .. } => kind::SET_CATALOG_URL,
            Request::SetEngineThreads { .. } => kind::SET_ENGINE_THREADS,
            Request::MeasureEngineSpeed => kind::MEASURE_ENGINE_SPEED,
            Request::MeasureVoiceSpeed { .. } => kind::MEASURE_VOICE_SPEED,
            Request::Chat { .. } => kind::CHAT,
            Request::StopChat { .. } => kind::STOP_CHAT,
            Request::PageSnapshot { .. } => kind::PAGE_SNAPSHOT,
            Request::Summarize { .. } => kind::SUMMARIZE,
            Request::SummarizePage { .. } => kind::SUMMARIZE_PAGE,
            Request::StartDictation { .. } => kind::START_DICTATION,
            Request::StopDictation => kind::STOP_DICTATION,
            Request::Speak { .. } => kind::SPEAK,
            Request::StopSpeaking => kind::STOP_SPEAKING,
            Request::McpConnect { .. } => kind::MCP_CONNECT,
            Request::McpCallTool { .. } => kind::MCP_CALL_TOOL,
            Request::McpCancelCall { .. } => kind::MCP_CANCEL_CALL,
            Request::McpToolLists => kind::MCP_TOOL_LISTS,
            Request::McpListResources { .. } => kind::MCP_LIST_RESOURCES,
            Request::McpReadResource { .. } => kind::MCP_READ_RESOURCE,
            Request::McpListPrompts { .. } => kind::MCP_LIST_PROMPTS,
            Request::McpGetPrompt { .. } => kind::MCP_GET_PROMPT,
            Request::PauseSpeaking => kind::PAUSE_SPEAKING,
            Request::ResumeSpeaking => kind::RESUME_SPEAKING,
            Request::EmbedTexts { .. } => kind::EMBED_TEXTS,
            Request::BackendModels { .. } => kind::BACKEND_MODELS,
            Request::ReadImageText { .. } => kind::READ_IMAGE_TEXT,
        }
    }

    /// The `type` tag of a request, as it appears on the wire.
    pub fn type_name(&self) -> &'static str {
        self.kind().name
    }

    /// The context that serves this request.
    pub fn home(&self) -> Target {
        self.kind().home()
    }

    /// Where this request is served, with a task's worker resolved to its engine.
    pub fn server(&self) -> Server {
        match (self.kind().server, self) {
            (Server::TaskWorker, Request::LoadModel { task, .. }) => {
                Server::Worker(Engine::for_task(*task))
            }
            // A user's model server is fetched by the document itself, never an engine worker.
            (
                Server::Worker(Engine::Llm),
                Request::Chat {
                    backend: Some(_), ..
                }
                | Request::SummarizePage {
                    backend: Some(_), ..
                },
            ) => Server::Document,
            (server, _) => server,
        }
    }

    /// Whether repeating the request after a lost connection is harmless.
    pub fn is_idempotent(&self) -> bool {
        self.kind().idempotent
    }

    /// One value of every variant, for tests that must cover them all.
    pub fn examples() -> Vec<Request> {
        vec![
            Request::Ping,
            Request::EngineInfo,
            Request::WorkerInfo,
            Request::PageInfo { tab_id: None },
            Request::PageInfo { tab_id: Some(7) },
            Request::ListModels,
            Request::DownloadModel {
                model_id: "smollm2-135m-instruct".into(),
            },
            Request::CancelDownload {
                model_id: "smollm2-135m-instruct".into(),
            },
            Request::DeleteModel {
                model_id: "smollm2-135m-instruct".into(),
            },
            Request::ClearModels,
            Request::LoadModel {
                model_id: "smollm2-135m-instruct".into(),
                task: Task::Llm,
            },
            Request::UnloadModel {
                model_id: "smollm2-135m-instruct".into(),
            },
            Request::SetCatalogUrl {
                url: Some("http://127.0.0.1:8799/catalog.json".into()),
            },
            Request::SetCatalogUrl { url: None },
            Request::SetEngineThreads { threads: Some(1) },
            Request::SetEngineThreads { threads: None },
            Request::MeasureEngineSpeed,
            Request::MeasureVoiceSpeed {
                model_id: "kokoro-82m-v1.0-int8:af_heart".into(),
            },
            Request::Chat {
                model_id: "smollm2-135m-instruct-q4_1".into(),
                messages: vec![ChatMessage {
                    source: None,
                    role: ChatRole::User,
                    content: "Hi 👋".into(),
                }],
                sampling: Sampling::default(),
                tools: Vec::new(),
                external_tools: Vec::new(),
                fresh_context: false,
                profile: false,
                speak: None,
                backend: None,
            },
            Request::Chat {
                model_id: "qwen2.5-coder-0.5b-instruct-q5_0".into(),
                messages: vec![ChatMessage {
                    source: None,
                    role: ChatRole::User,
                    content: "What is 4817 * 23?".into(),
                }],
                sampling: Sampling {
                    temperature: 0.0,
                    ignore_eos: true,
                    ..Sampling::default()
                },
                tools: vec![BuiltinTool::Calculator],
                external_tools: vec![ExternalTool {
                    name: "get-sum".into(),
                    description: "Returns the sum of two numbers".into(),
                    input_schema: serde_json::json!({"type": "object", "properties": {"a": {"type": "number"}}}),
                }],
                fresh_context: true,
                profile: true,
                speak: Some(SpeechStyle {
                    model_id: "kokoro-82m-v1.0-int8:af_heart".into(),
                    rate: Some(1.25),
                    volume: None,
                }),
                backend: None,
            },
            Request::Chat {
                model_id: "smollm2".into(),
                messages: vec![ChatMessage::new(ChatRole::User, "Hi")],
                sampling: Sampling::default(),
                tools: vec![BuiltinTool::Calculator],
                external_tools: Vec::new(),
                fresh_context: false,
                profile: false,
                speak: None,
                backend: Some(BackendServer {
                    url: "http://127.0.0.1:8080".into(),
                    name: "llama.cpp".into(),
                    api_key: Some("sk-local".into()),
                    context: Some(2048),
                }),
            },
            Request::StopChat { id: 7 },
            Request::PageSnapshot { tab_id: Some(3) },
            Request::Summarize {
                model_id: "smollm2-135m-instruct-q4_1".into(),
                tab_id: Some(3),
                kind: SummaryKind::Selection,
                mode: SummaryMode::Tldr,
                language: Some("fr".into()),
                selection: Some("Des lanternes".into()),
                question: None,
                speak: None,
                backend: None,
            },
            Request::Summarize {
                model_id: "smollm2-135m-instruct-q4_1".into(),
                tab_id: None,
                kind: SummaryKind::Page,
                mode: SummaryMode::Tldr,
                language: None,
                selection: None,
                question: Some("What does it say about lanterns?".into()),
                speak: Some(SpeechStyle {
                    model_id: "piper-en_US-joe-medium".into(),
                    rate: None,
                    volume: Some(0.8),
                }),
                backend: None,
            },
            Request::SummarizePage {
                model_id: "smollm2-135m-instruct-q4_1".into(),
                page: PageSnapshot {
                    url: "http://127.0.0.1/a".into(),
                    title: "A".into(),
                    html: "<p>Hi</p>".into(),
                    selection: String::new(),
                    content_type: "text/html".into(),
                },
                kind: SummaryKind::Page,
                mode: SummaryMode::KeyPoints,
                language: None,
                question: Some("Who wrote it?".into()),
                speak: None,
                backend: None,
            },
            Request::SummarizePage {
                model_id: "smollm2".into(),
                page: PageSnapshot {
                    url: "http://127.0.0.1/a".into(),
                    title: "A".into(),
                    html: "<p>Hi</p>".into(),
                    selection: String::new(),
                    content_type: "text/html".into(),
                },
                kind: SummaryKind::Page,
                mode: SummaryMode::Tldr,
                language: None,
                question: None,
                speak: None,
                backend: Some(BackendServer {
                    url: "http://192.168.1.20:11434/v1".into(),
                    name: "Ollama".into(),
                    api_key: None,
                    context: None,
                }),
            },
            Request::StartDictation {
                model_id: "whisper-tiny.en".into(),
                language: None,
                microphone: None,
            },
            Request::StartDictation {
                model_id: "whisper-base".into(),
                language: Some("de".into()),
                microphone: Some("4f1c0a".into()),
            },
            Request::StopDictation,
            Request::Speak {
                model_id: "piper-en_US-joe-medium".into(),
                text: "Hello. How are you?".into(),
                rate: None,
                volume: None,
            },
            Request::Speak {
                model_id: "piper-en_US-joe-medium".into(),
                text: "Faster and quieter.".into(),
                rate: Some(1.5),
                volume: Some(0.5),
            },
            Request::StopSpeaking,
            Request::McpConnect {
                url: "http://127.0.0.1:3001/mcp".into(),
                remembered: None,
            },
            Request::McpCallTool {
                url: "http://127.0.0.1:3001/mcp".into(),
                remembered: Some("2025-11-25".into()),
                tool: "get-sum".into(),
                arguments: serde_json::json!({"a": 1, "b": 2}),
                call_id: "c-1".into(),
            },
            Request::McpCancelCall {
                call_id: "c-1".into(),
            },
            Request::McpToolLists,
            Request::McpListResources {
                url: "http://127.0.0.1:3001/mcp".into(),
                remembered: None,
            },
            Request::McpReadResource {
                url: "http://127.0.0.1:3001/mcp".into(),
                remembered: None,
                uri: "demo://resource/static/document/architecture.md".into(),
            },
            Request::McpListPrompts {
                url: "http://127.0.0.1:3001/mcp".into(),
                remembered: None,
            },
            Request::McpGetPrompt {
                url: "http://127.0.0.1:3001/mcp".into(),
                remembered: None,
                name: "args-prompt".into(),
                arguments: serde_json::json!({"city": "Paris"}),
            },
            Request::PauseSpeaking,
            Request::ResumeSpeaking,
            Request::EmbedTexts {
                model_id: "all-minilm-l6-v2".into(),
                texts: vec!["My bike lock code is 4721.".into()],
            },
            Request::BackendModels {
                server: BackendServer {
                    url: "http://127.0.0.1:8080".into(),
                    name: "llama.cpp".into(),
                    api_key: None,
                    context: None,
                },
            },
            Request::ReadImageText {
                model_id: "ppocrv6-tiny".into(),
                url: "http://127.0.0.1:8000/receipt.png".into(),
            },
        ]
    }
}
