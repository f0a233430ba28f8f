//! The UI's connection to the background: one port, many requests in flight, replies matched by
//! id. When the service worker dies the port closes; idempotent requests are then sent once more
//! on a fresh port (which wakes the worker again), the others fail with `disconnected`.
//!
//! Views call typed methods (`list_models`, `chat`, ...): the reply is checked against the kind
//! of answer its request has here, once, instead of in a wrong-variant arm of every view.

use std::cell::RefCell;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::rc::Rc;

use futures_channel::mpsc;
use futures_util::StreamExt;
use protocol::{
    BackendModels, BackendServer, BuiltinTool, ChatMessage, ChatReply, Dictation, EngineInfo,
    EngineSpeed, Envelope, ErrorCode, Event, ExternalTool, Id, ImageText, LanternError,
    McpPromptInfo, McpPromptList, McpPromptText, McpResourceInfo, McpResourceList, McpResourceText,
    McpServerList, McpServerState, McpToolResult, ModelInstalled, ModelList, ModelLoaded, PageInfo,
    Reply, Request, Response, Sampling, SpeechStyle, Spoken, SummaryKind, SummaryMode,
    SummaryReply, Task, UI_PORT, VoiceSpeed,
};
use wasm_bindgen::JsValue;
use webext::{Port, PortEvent, PortLink, from_js, to_js};

struct Pending {
    request: Request,
    replies: mpsc::UnboundedSender<Reply>,
    resent: bool,
}

#[derive(Default)]
struct Inner {
    port: Option<Port>,
    next_id: Id,
    pending: HashMap<Id, Pending>,
}

/// What to summarize, and how (the request's fields apart from the model).
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryAsk {
    pub tab_id: Option<i64>,
    pub kind: SummaryKind,
    pub mode: SummaryMode,
    /// The language to write in; `None`: the page's own.
    pub language: Option<String>,
    /// The text the context menu saw selected.
    pub selection: Option<String>,
    /// A question about the page (asked by voice): answered instead of summarized.
    pub question: Option<String>,
}

/// A cheap handle; clones share one connection.
#[derive(Clone, Default)]
pub struct Client {
    inner: Rc<RefCell<Inner>>,
}

/// The kind of answer a request has, taken out of a `Response`.
pub trait Answer: Sized {
    /// The answer, or `None` when the response is of another kind.
    fn from_response(response: Response) -> Option<Self>;
}

macro_rules! answers {
    ($($answer:ty => $variant:ident),* $(,)?) => {$(
        impl Answer for $answer {
            fn from_response(response: Response) -> Option<Self> {
                match response {
                    Response::$variant(answer) => Some(answer),
                    _ => None,
                }
            }
        }
    )*};
}

answers! {
    EngineInfo => EngineInfo,
    EngineSpeed => EngineSpeed,
    PageInfo => PageInfo,
    ModelList => Models,
    ModelInstalled => ModelInstalled,
    ModelLoaded => ModelLoaded,
    ChatReply => ChatReply,
    SummaryReply => Summary,
    Dictation => Dictation,
    McpServerState => McpServer,
    McpServerList => McpServers,
    McpResourceList => McpResources,
    McpResourceText => McpResourceText,
    McpPromptList => McpPrompts,
    McpPromptText => McpPromptText,
    McpToolResult => McpToolResult,
    Spoken => Spoken,
    VoiceSpeed => VoiceSpeed,
    BackendModels => BackendModels,
    ImageText => ImageText,
}

/// Requests that are carried out with nothing to say answer `done`.
impl Answer for () {
    fn from_response(response: Response) -> Option<Self> {
        matches!(response, Response::Done).then_some(())
    }
}

/// What the chat asks for one answer.
pub struct ChatAsk {
    pub model_id: String,
    pub messages: Vec<ChatMessage>,
    pub sampling: Sampling,
    pub tools: Vec<BuiltinTool>,
    pub external_tools: Vec<ExternalTool>,
    pub speak: Option<SpeechStyle>,
    pub backend: Option<BackendServer>,
}

/// A request in flight whose events stream before its answer.
#[must_use = "a request's events and answer arrive only when it is awaited"]
pub struct Streaming<T> {
    kind: &'static str,
    /// The request's id on this page's port (what `stop_chat` names).
    id: Option<Id>,
    replies: Result<mpsc::UnboundedReceiver<Reply>, LanternError>,
    answer: PhantomData<T>,
}

impl<T: Answer> Streaming<T> {
    /// The id the request was sent with; `None` when it could not be sent.
    pub fn id(&self) -> Option<Id> {
        self.id
    }

    /// Hands every event to `on_event` as it arrives, then returns the answer.
    pub async fn each(self, mut on_event: impl FnMut(Event)) -> Result<T, LanternError> {
        let mut replies = self.replies?;
        while let Some(reply) = replies.next().await {
            match reply {
                Reply::Progress { event, .. } => on_event(event),
                Reply::Heartbeat { .. } => {}
                Reply::Throw { error, .. } => return Err(error),
                Reply::Return { value, .. } => {
                    return T::from_response(value).ok_or_else(|| {
                        LanternError::new(
                            ErrorCode::Internal,
                            format!("{} was answered with another kind of reply", self.kind),
                        )
                    });
                }
            }
        }
        Err(disconnected())
    }

    /// Waits for the answer, passing over the events.
    pub async fn answer(self) -> Result<T, LanternError> {
        self.each(|_| {}).await
    }
}

impl Client {
    /// The engine's facts, fetched from its worker.
    pub async fn engine_info(&self) -> Result<EngineInfo, LanternError> {
        self.stream(Request::EngineInfo).answer().await
    }

    /// How fast the LLM engine decodes here (a probe of a fraction of a second).
    pub async fn measure_engine_speed(&self) -> Result<EngineSpeed, LanternError> {
        self.stream(Request::MeasureEngineSpeed).answer().await
    }

    /// Title, address and selection of the active tab.
    pub async fn page_info(&self) -> Result<PageInfo, LanternError> {
        self.stream(Request::PageInfo { tab_id: None })
            .answer()
            .await
    }

    /// The lines of text in the image at `url`, read by the vision worker with `model_id`
    /// (it fetches the image itself), with `loading` steps while the model loads.
    pub fn read_image_text(&self, model_id: String, url: String) -> Streaming<ImageText> {
        self.stream(Request::ReadImageText { model_id, url })
    }

    /// The catalog's models as this browser has them.
    pub async fn list_models(&self) -> Result<ModelList, LanternError> {
        self.stream(Request::ListModels).answer().await
    }

    /// Downloads a model (or joins its download), streaming `download` events.
    pub fn download_model(&self, model_id: String) -> Streaming<ModelInstalled> {
        self.stream(Request::DownloadModel { model_id })
    }

    pub async fn cancel_download(&self, model_id: String) -> Result<(), LanternError> {
        self.stream(Request::CancelDownload { model_id })
            .answer()
            .await
    }

    pub async fn delete_model(&self, model_id: String) -> Result<(), LanternError> {
        self.stream(Request::DeleteModel { model_id })
            .answer()
            .await
    }

    pub async fn clear_models(&self) -> Result<(), LanternError> {
        self.stream(Request::ClearModels).answer().await
    }

    /// Frees a model a worker holds (it loads again when next asked for).
    /// Loads an installed model into its worker ahead of use (a no-op when it is loaded).
    pub async fn load_model(&self, model_id: String, task: Task) -> Result<(), LanternError> {
        self.stream::<ModelLoaded>(Request::LoadModel { model_id, task })
            .answer()
            .await
            .map(drop)
    }

    pub async fn unload_model(&self, model_id: String) -> Result<(), LanternError> {
        self.stream(Request::UnloadModel { model_id })
            .answer()
            .await
    }

    /// The most threads an engine worker computes with (`None`: one per core).
    pub async fn set_engine_threads(&self, threads: Option<u32>) -> Result<(), LanternError> {
        self.stream(Request::SetEngineThreads { threads })
            .answer()
            .await
    }

    /// Chooses the catalog (`None`: the build's or the built-in one).
    pub async fn set_catalog_url(&self, url: Option<String>) -> Result<(), LanternError> {
        self.stream(Request::SetCatalogUrl { url }).answer().await
    }

    /// The model's reply to `messages`, streamed as `token` (and tool) events; spoken as it
    /// streams when `speak` names a voice (the reply then waits for the speech); written by a
    /// user's model server when `backend` names one.
    pub fn chat(&self, ask: ChatAsk) -> Streaming<ChatReply> {
        self.stream(Request::Chat {
            model_id: ask.model_id,
            messages: ask.messages,
            sampling: ask.sampling,
            tools: ask.tools,
            external_tools: ask.external_tools,
            fresh_context: false,
            profile: false,
            speak: ask.speak,
            backend: ask.backend,
        })
    }

    /// Connects to a user's MCP server and lists its tools.
    pub async fn mcp_connect(
        &self,
        url: String,
        remembered: Option<String>,
    ) -> Result<McpServerState, LanternError> {
        self.stream(Request::McpConnect { url, remembered })
            .answer()
            .await
    }

    /// Calls a tool the user allowed, streaming `tool_progress` events; `call_id` names the
    /// call for `mcp_cancel_call`.
    pub fn mcp_call_tool(
        &self,
        url: String,
        remembered: Option<String>,
        tool: String,
        arguments: serde_json::Value,
        call_id: String,
    ) -> Streaming<McpToolResult> {
        self.stream(Request::McpCallTool {
            url,
            remembered,
            tool,
            arguments,
            call_id,
        })
    }

    /// The tools of every server the offscreen document is connected to, as they are now.
    pub async fn mcp_tool_lists(&self) -> Result<Vec<McpServerState>, LanternError> {
        self.stream::<McpServerList>(Request::McpToolLists)
            .answer()
            .await
            .map(|list| list.servers)
    }

    /// A server's resources.
    pub async fn mcp_list_resources(
        &self,
        url: String,
        remembered: Option<String>,
    ) -> Result<Vec<McpResourceInfo>, LanternError> {
        self.stream::<McpResourceList>(Request::McpListResources { url, remembered })
            .answer()
            .await
            .map(|list| list.resources)
    }

    /// Reads a resource the user chose to attach.
    pub async fn mcp_read_resource(
        &self,
        url: String,
        remembered: Option<String>,
        uri: String,
    ) -> Result<McpResourceText, LanternError> {
        self.stream(Request::McpReadResource {
            url,
            remembered,
            uri,
        })
        .answer()
        .await
    }

    /// A server's prompts.
    pub async fn mcp_list_prompts(
        &self,
        url: String,
        remembered: Option<String>,
    ) -> Result<Vec<McpPromptInfo>, LanternError> {
        self.stream::<McpPromptList>(Request::McpListPrompts { url, remembered })
            .answer()
            .await
            .map(|list| list.prompts)
    }

    /// A prompt filled with `arguments`: the text of its messages.
    pub async fn mcp_get_prompt(
        &self,
        url: String,
        remembered: Option<String>,
        name: String,
        arguments: serde_json::Value,
    ) -> Result<String, LanternError> {
        self.stream::<McpPromptText>(Request::McpGetPrompt {
            url,
            remembered,
            name,
            arguments,
        })
        .answer()
        .await
        .map(|filled| filled.text)
    }

    /// Stops a tool call: it fails with `cancelled`.
    pub async fn mcp_cancel_call(&self, call_id: String) -> Result<(), LanternError> {
        self.stream(Request::McpCancelCall { call_id })
            .answer()
            .await
    }

    /// The models a user's model server lists, with their context sizes where it says them.
    pub async fn backend_models(
        &self,
        server: BackendServer,
    ) -> Result<BackendModels, LanternError> {
        self.stream(Request::BackendModels { server })
            .answer()
            .await
    }

    /// Stops request `id` of this page, a reply or summary being written (between two tokens,
    /// or while it waits for the engine), and its speech.
    pub async fn stop_chat(&self, id: Id) -> Result<(), LanternError> {
        self.stream(Request::StopChat { id }).answer().await
    }

    /// A summary of a tab (the active one when `tab_id` is `None`): steps, its source, then
    /// `token` events.
    pub fn summarize(
        &self,
        model_id: String,
        ask: SummaryAsk,
        speak: Option<SpeechStyle>,
        backend: Option<BackendServer>,
    ) -> Streaming<SummaryReply> {
        self.stream(Request::Summarize {
            model_id,
            tab_id: ask.tab_id,
            kind: ask.kind,
            mode: ask.mode,
            language: ask.language,
            selection: ask.selection,
            question: ask.question,
            speak,
            backend,
        })
    }

    /// Listens until the speaker pauses, then transcribes.
    pub fn start_dictation(
        &self,
        model_id: String,
        language: Option<String>,
        microphone: Option<String>,
    ) -> Streaming<Dictation> {
        self.stream(Request::StartDictation {
            model_id,
            language,
            microphone,
        })
    }

    pub async fn stop_dictation(&self) -> Result<(), LanternError> {
        self.stream(Request::StopDictation).answer().await
    }

    /// Speaks `text` with `style`'s voice, streaming a `sentence` event as each starts.
    pub fn speak(&self, text: String, style: SpeechStyle) -> Streaming<Spoken> {
        self.stream(Request::Speak {
            model_id: style.model_id,
            text,
            rate: style.rate,
            volume: style.volume,
        })
    }

    pub async fn stop_speaking(&self) -> Result<(), LanternError> {
        self.stream(Request::StopSpeaking).answer().await
    }

    pub async fn pause_speaking(&self) -> Result<(), LanternError> {
        self.stream(Request::PauseSpeaking).answer().await
    }

    pub async fn resume_speaking(&self) -> Result<(), LanternError> {
        self.stream(Request::ResumeSpeaking).answer().await
    }

    /// How fast a voice speaks here (it is loaded and times one sentence).
    pub async fn measure_voice_speed(&self, model_id: String) -> Result<VoiceSpeed, LanternError> {
        self.stream(Request::MeasureVoiceSpeed { model_id })
            .answer()
            .await
    }

    fn stream<T>(&self, request: Request) -> Streaming<T> {
        let kind = request.type_name();
        let sent = self.send(request);
        Streaming {
            kind,
            id: sent.as_ref().ok().map(|(id, _)| *id),
            replies: sent.map(|(_, replies)| replies),
            answer: PhantomData,
        }
    }

    /// Sends a request; every reply arrives on the stream, the final one last.
    fn send(&self, request: Request) -> Result<(Id, mpsc::UnboundedReceiver<Reply>), LanternError> {
        let (tx, rx) = mpsc::unbounded();
        let id = {
            let mut inner = self.inner.borrow_mut();
            inner.next_id += 1;
            inner.next_id
        };
        self.post(id, &request)?;
        self.inner.borrow_mut().pending.insert(
            id,
            Pending {
                request,
                replies: tx,
                resent: false,
            },
        );
        Ok((id, rx))
    }

    fn post(&self, id: Id, request: &Request) -> Result<(), LanternError> {
        let message = to_js(&Envelope::new(id, request.clone()));
        if self.port()?.post_message(&message).is_ok() {
            return Ok(());
        }
        // The port died before its disconnect event reached us (the service worker was just
        // killed): a fresh port wakes the worker again.
        self.inner.borrow_mut().port = None;
        self.port()?
            .post_message(&message)
            .map_err(|_| disconnected())
    }

    fn port(&self) -> Result<Port, LanternError> {
        if let Some(port) = self.inner.borrow().port.clone() {
            return Ok(port);
        }
        let info = js_sys::Object::new();
        js_sys::Reflect::set(&info, &"name".into(), &JsValue::from_str(UI_PORT))
            .map_err(|_| disconnected())?;
        let port = webext::connect(&info).map_err(|_| {
            LanternError::new(
                ErrorCode::Disconnected,
                "Lantern was updated or reloaded; close and reopen this page",
            )
        })?;
        self.inner.borrow_mut().port = Some(port.clone());
        let client = self.clone();
        let link = PortLink::new(port.clone());
        wasm_bindgen_futures::spawn_local(async move { client.read(link).await });
        Ok(port)
    }

    async fn read(&self, mut link: PortLink) {
        while let PortEvent::Message(value) = link.next().await {
            match from_js::<Reply>(value) {
                Ok(reply) => self.deliver(reply),
                Err(err) => web_sys_log(&format!("Lantern: unreadable reply: {err}")),
            }
        }
        self.reconnect_pending();
    }

    fn deliver(&self, reply: Reply) {
        let Some(id) = reply.id() else { return };
        let mut inner = self.inner.borrow_mut();
        if let Some(pending) = inner.pending.get(&id) {
            let _ = pending.replies.unbounded_send(reply.clone());
        }
        if reply.is_final() {
            inner.pending.remove(&id);
        }
    }

    /// The port closed: send idempotent requests once more on a new port, fail the rest.
    fn reconnect_pending(&self) {
        let lost: Vec<(Id, Pending)> = {
            let mut inner = self.inner.borrow_mut();
            inner.port = None;
            inner.pending.drain().collect()
        };
        for (id, mut pending) in lost {
            let again = !pending.resent && pending.request.is_idempotent();
            if again && self.post(id, &pending.request).is_ok() {
                pending.resent = true;
                self.inner.borrow_mut().pending.insert(id, pending);
            } else {
                let _ = pending.replies.unbounded_send(Reply::Throw {
                    id: Some(id),
                    error: disconnected(),
                });
            }
        }
    }
}

fn disconnected() -> LanternError {
    LanternError::new(
        ErrorCode::Disconnected,
        "lost the connection to Lantern's background; try again",
    )
}

fn web_sys_log(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_counts_only_as_its_own_kind_of_answer() {
        assert_eq!(<()>::from_response(Response::Done), Some(()));
        assert_eq!(ModelList::from_response(Response::Done), None);
        assert_eq!(EngineInfo::from_response(Response::Done), None);
    }
}

thread_local! {
    /// The page's one connection to the background. A thread-local rather than a context value:
    /// views call it from async tasks and event handlers, where no reactive scope is current.
    static CLIENT: Client = Client::default();
}

/// The app's one client, shared by every view.
pub fn shared() -> Client {
    CLIENT.with(Client::clone)
}
