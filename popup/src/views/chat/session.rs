//! The chat's state and the one place that sends chat requests: send, regenerate, edit and
//! resend, stop, new chat, open a saved chat. Every change to the conversation is saved.
//! Whatever streams into the conversation (an answer here, a summary in `summary.rs`) goes
//! through `stream_into`.

use protocol::{
    AnswerSource, BackendModel, BackendServer, ChatMessage, ChatReply, ChatRole, ErrorCode, Event,
    Id, ImageJob, LanternError, Machine, ModelState, ModelStatus, Role, SpeechStyle, Stage,
    SummaryReply, Task, chat_model_for,
};
use sycamore::prelude::*;

use super::super::chat_tools::ChatTools;
use super::super::error_text::ui_error;
use super::approval::Asking;
use super::read_aloud::ReadAloud;
use super::tool_calls;
use crate::client::{Answer, ChatAsk, Streaming, SummaryAsk};
use crate::downloads;
use crate::history::Conversation;
use crate::history::store::ChatStore;
use crate::i18n::{t, t_with};
use crate::machine::this_machine;
use crate::model_list::Models;
use crate::model_servers::{self, ModelServer};
use crate::settings::Settings;
use crate::state::client;
use crate::tool_servers;
use crate::voices;

/// Said to the model, after the tool results, in the round that must answer without tools.
const WRAP_UP: &str =
    "Answer my question in words from the tool results above. Do not call a tool.";

/// A model download this view follows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Download {
    pub bytes: u64,
    pub total: Option<u64>,
    pub bytes_per_s: f64,
}

/// A server's model that answers instead of a local one.
pub(super) struct Served {
    /// Its picker value, which the conversation keeps.
    pub choice: String,
    /// The server's name for it.
    pub model: String,
    pub backend: BackendServer,
}

/// What the last answer took, shown under the conversation.
#[derive(Clone, Debug, PartialEq)]
pub enum Stats {
    Reply(ChatReply),
    Summary(SummaryReply),
}

#[derive(Clone, Copy)]
pub struct Chat {
    /// The page's model list, shared with its other views.
    pub list: Models,
    /// Every chat model of the catalog, with its state.
    pub models: ReadSignal<Vec<ModelStatus>>,
    /// The model picked here (or by the conversation opened); `None`: the settings' default.
    chosen: Signal<Option<String>>,
    /// The model that answers, when it is one of Lantern's.
    pub model: ReadSignal<Option<ModelStatus>>,
    /// The user's model servers and the models each listed (options page).
    pub servers: Signal<Vec<ModelServer>>,
    /// The server's model that answers instead, when one is picked.
    pub served: ReadSignal<Option<(ModelServer, BackendModel)>>,
    pub conversation: Signal<Conversation>,
    /// The reply being streamed, while there is one.
    pub streaming: Signal<Option<String>>,
    /// Whether something streams: changes twice per answer, not per token, so the controls
    /// that depend on it (Stop above all) are not rebuilt under the user's pointer.
    generating: ReadSignal<bool>,
    /// What a summary is doing before and while it streams ("Reading part 2 of 3…").
    pub stage: Signal<Option<String>>,
    /// Loading the model before the reply: (done, total) bytes.
    pub loading: Signal<Option<(u64, u64)>>,
    /// Waiting for the engine to finish other answers: how many are ahead of this one.
    pub waiting: Signal<Option<u32>>,
    /// The id of the chat or summary request streaming now (what Stop names).
    asking: Signal<Option<Id>>,
    pub last: Signal<Option<Stats>>,
    pub error: Signal<Option<LanternError>>,
    pub download: Signal<Option<Download>>,
    /// The index of the message being edited in the composer.
    pub editing: Signal<Option<usize>>,
    /// Bumped whenever the stored history changes, so its list reads again.
    pub saved: Signal<u32>,
    pub settings: Signal<Settings>,
    /// While streaming: when the first piece arrived (ms) and how many pieces so far.
    pub pace: Signal<Option<(f64, u32)>>,
    /// Asking to confirm removing the chosen model from the device.
    pub confirm_remove: Signal<bool>,
    /// Whether the calculator is offered, and the calls the model made.
    pub tools: ChatTools,
    /// A call to a user's tool server waiting for the user's decision.
    pub approval: Signal<Option<Asking>>,
    /// Rounds of tool-server calls since the user's question.
    tool_rounds: Signal<u32>,
    /// The tool-server call running now (its id, for Stop).
    running_call: Signal<Option<String>>,
    /// Stop was pressed since the user's question: no further call or round.
    stopped: Signal<bool>,
    /// The calls (tool, arguments) answered since the user's question: small models tend to
    /// call again with the result in hand, which would ask the user twice for nothing.
    answered: Signal<Vec<(String, String)>>,
    /// A summary asked for while something streamed: it starts when that has stopped.
    pub queued: Signal<Option<SummaryAsk>>,
    /// The summary that failed, which Retry asks for again.
    pub failed_summary: Signal<Option<SummaryAsk>>,
    /// The image whose reading failed, which Retry reads again.
    pub failed_image: Signal<Option<ImageJob>>,
    /// "Read this page" waits for the page's answer.
    pub reading: Signal<bool>,
    /// This machine, for sizing a first run's model; its decode speed once the engine measured
    /// it (`measure_engine_speed`).
    machine: Signal<Machine>,
    /// The speed probe was asked for (once per page).
    probed: Signal<bool>,
    /// The message read aloud, if any.
    pub aloud: ReadAloud,
}

/// The model that answers: the one picked here, else the settings' default, else an installed
/// chat model (the catalog's default first), else the one sized to this machine — so a first
/// run offers what the machine runs well, and nobody who has a model is asked for another.
fn pick<'a>(
    models: &'a [ModelStatus],
    chosen: Option<&str>,
    default: Option<&str>,
    machine: &Machine,
) -> Option<&'a ModelStatus> {
    let find = |id: Option<&str>| id.and_then(|id| models.iter().find(|m| m.entry.id == id));
    find(chosen)
        .or_else(|| find(default))
        .or_else(|| {
            models
                .iter()
                .filter(|m| m.is_installed())
                .min_by_key(|m| !m.entry.default)
        })
        .or_else(|| chat_model_for(models, machine))
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn new_id() -> String {
    format!(
        "{:x}-{:08x}",
        now() as u64,
        (js_sys::Math::random() * f64::from(u32::MAX)) as u32
    )
}

fn storage_error(error: impl std::fmt::Display) -> LanternError {
    ui_error(
        ErrorCode::Internal,
        t_with("saveConversationFailed", &[&error.to_string()]),
    )
}

impl Chat {
    pub fn new(list: Models) -> Chat {
        let settings = create_signal(Settings::default());
        let chosen = create_signal(None::<String>);
        let models = create_selector(move || list.of(Some(Task::Llm), Some(Role::Model)));
        let machine = create_signal(this_machine());
        let model = create_selector(move || {
            let default = settings.with(|s| s.default_model.clone());
            models.with(|models| {
                machine.with(|machine| {
                    chosen
                        .with(|chosen| pick(models, chosen.as_deref(), default.as_deref(), machine))
                        .cloned()
                })
            })
        });
        let streaming = create_signal(None::<String>);
        let servers = create_signal(Vec::<ModelServer>::new());
        let served = create_selector(move || {
            servers.with(|servers| {
                chosen.with(|chosen| {
                    chosen
                        .as_deref()
                        .and_then(|id| model_servers::find(servers, id))
                        .map(|(s, m)| (s.clone(), m.clone()))
                })
            })
        });
        Chat {
            list,
            models,
            chosen,
            model,
            servers,
            served,
            conversation: create_signal(Conversation::new(new_id(), now())),
            streaming,
            generating: create_selector(move || streaming.with(Option::is_some)),
            stage: create_signal(None),
            loading: create_signal(None),
            waiting: create_signal(None),
            asking: create_signal(None),
            last: create_signal(None),
            error: create_signal(None),
            download: create_signal(None),
            editing: create_signal(None),
            saved: create_signal(0),
            settings,
            pace: create_signal(None),
            confirm_remove: create_signal(false),
            tools: ChatTools::new(),
            approval: create_signal(None),
            tool_rounds: create_signal(0),
            running_call: create_signal(None),
            stopped: create_signal(false),
            answered: create_signal(Vec::new()),
            queued: create_signal(None),
            failed_summary: create_signal(None),
            failed_image: create_signal(None),
            reading: create_signal(false),
            machine,
            probed: create_signal(false),
            aloud: ReadAloud::new(),
        }
    }

    pub fn busy(self) -> bool {
        self.generating.get()
    }

    pub fn ready(self) -> bool {
        self.served.with(Option::is_some)
            || self.model.with(|m| {
                matches!(
                    m,
                    Some(ModelStatus {
                        state: ModelState::Installed { .. },
                        ..
                    })
                )
            })
    }

    /// Reads the settings, and the page's model list unless another view did. On a first run
    /// (no chat model on this device) the engine measures how fast it decodes, and the model
    /// offered is sized by that rather than by memory and cores alone.
    pub fn start(self) {
        self.list.ensure();
        wasm_bindgen_futures::spawn_local(async move {
            self.settings.set(Settings::load().await);
        });
        wasm_bindgen_futures::spawn_local(async move {
            self.servers.set(model_servers::load().await);
        });
        create_effect(move || {
            let first_run = self
                .models
                .with(|m| !m.is_empty() && !m.iter().any(ModelStatus::is_installed));
            if first_run && !self.probed.get_untracked() {
                self.probed.set(true);
                wasm_bindgen_futures::spawn_local(async move {
                    // Without a measure the estimate from memory and cores stands: nothing to
                    // tell the user.
                    if let Ok(speed) = client().measure_engine_speed().await {
                        self.machine.update(|m| {
                            m.decode_bytes_per_s = Some(speed.decode_bytes_per_s);
                        });
                    }
                });
            }
        });
    }

    pub fn choose_model(self, id: &str) {
        let server_model = self
            .servers
            .with(|servers| model_servers::find(servers, id).is_some());
        if server_model
            || self
                .models
                .with(|list| list.iter().any(|m| m.entry.id == id))
        {
            self.chosen.set(Some(id.to_string()));
        }
    }

    pub fn download(self, model_id: String) {
        self.error.set(None);
        self.download.set(Some(Download {
            bytes: 0,
            total: None,
            bytes_per_s: 0.0,
        }));
        wasm_bindgen_futures::spawn_local(async move {
            let progress = move |bytes, total, bytes_per_s| {
                self.download.set(Some(Download {
                    bytes,
                    total,
                    bytes_per_s,
                }))
            };
            if let Err(error) = downloads::follow(self.list, model_id, progress).await {
                self.error.set(Some(error));
            }
            self.download.set(None);
        });
    }

    /// Deletes the chosen model's files from this device.
    pub fn remove_model(self, model_id: String) {
        self.confirm_remove.set(false);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = client().delete_model(model_id).await {
                self.error.set(Some(error));
            }
            let _ = self.list.reload().await;
        });
    }

    /// Pieces per second of the answer streaming now, once there are a few to judge by.
    pub fn live_speed(self) -> Option<f64> {
        let (started, pieces) = self.pace.get()?;
        let seconds = (now() - started) / 1000.0;
        (pieces >= 4 && seconds > 0.0).then(|| f64::from(pieces) / seconds)
    }

    pub fn cancel_download(self, model_id: String) {
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = client().cancel_download(model_id).await {
                self.error.set(Some(error));
            }
        });
    }

    /// Sends the composer's text: a new question, or the edited one replacing a message and
    /// everything after it.
    pub fn submit(self, text: String) {
        if text.trim().is_empty() || self.busy() || !self.ready() {
            return;
        }
        self.tool_rounds.set(0);
        self.answered.set(Vec::new());
        self.stopped.set(false);
        let cut = self.editing.get().unwrap_or(usize::MAX);
        self.editing.set(None);
        self.conversation.update(|c| {
            c.truncate(cut);
            c.messages.push(ChatMessage {
                source: None,
                role: ChatRole::User,
                content: text,
            });
        });
        self.answer();
    }

    /// After an error: asks again for a summary that failed; else reads the models again,
    /// and asks again when a question went unanswered.
    pub fn retry(self) {
        self.error.set(None);
        if let Some(ask) = self.failed_summary.get_clone() {
            return self.summarize(ask);
        }
        if let Some(job) = self.failed_image.get_clone() {
            return self.read_image_text(job);
        }
        let unanswered = self
            .conversation
            .with(|c| c.messages.last().is_some_and(|m| m.role == ChatRole::User));
        wasm_bindgen_futures::spawn_local(async move {
            let _ = self.list.reload().await;
            if unanswered && self.ready() {
                self.regenerate();
            }
        });
    }

    /// Asks again for the last answer.
    pub fn regenerate(self) {
        if self.busy() || !self.ready() {
            return;
        }
        self.tool_rounds.set(0);
        self.answered.set(Vec::new());
        self.stopped.set(false);
        self.conversation.update(|c| {
            while c
                .messages
                .last()
                .is_some_and(|m| m.role == ChatRole::Assistant)
            {
                c.messages.pop();
            }
        });
        if self.conversation.with(|c| c.messages.is_empty()) {
            return;
        }
        self.answer();
    }

    /// Streams the model's answer to the conversation as it stands, then saves it.
    fn answer(self) {
        wasm_bindgen_futures::spawn_local(async move {
            let speak = self.spoken_as(&self.settings.get_clone()).await;
            self.answer_now(speak, |_| {}).await;
        });
    }

    /// A question asked by voice: added to the conversation as the user's message, answered
    /// in it and, with `speak`, spoken as the answer streams. Resolves when the answer is
    /// written and its speech over; `None` when nothing could be asked or the answer failed
    /// (the error is shown).
    /// Events the answer's stream does not show itself (its sentences' starts) go to `on_event`.
    pub async fn ask_aloud(
        self,
        text: String,
        speak: Option<SpeechStyle>,
        on_event: impl FnMut(Event),
    ) -> Option<ChatReply> {
        if text.trim().is_empty() || self.busy() || !self.ready() {
            return None;
        }
        self.tool_rounds.set(0);
        self.answered.set(Vec::new());
        self.stopped.set(false);
        self.editing.set(None);
        self.conversation.update(|c| {
            c.messages.push(ChatMessage {
                source: None,
                role: ChatRole::User,
                content: text,
            });
        });
        self.answer_now(speak, on_event).await
    }

    /// `answer`, awaited: round after round while the model's tool calls give it results to
    /// answer from. The last round's reply.
    async fn answer_now(
        self,
        speak: Option<SpeechStyle>,
        mut on_event: impl FnMut(Event),
    ) -> Option<ChatReply> {
        loop {
            let (finished, again) = self.answer_once(speak.clone(), &mut on_event).await;
            if !again {
                return finished;
            }
        }
    }

    /// One round: the model's answer to the conversation as it stands, then the calls to the
    /// user's tools it ended with, asked about and run. The reply, and whether the model
    /// goes on (it has tool results to answer from, or only repeated calls already answered).
    async fn answer_once(
        self,
        speak: Option<SpeechStyle>,
        on_event: impl FnMut(Event),
    ) -> (Option<ChatReply>, bool) {
        let served = self.served_now().await;
        let (model_id, picked) = match &served {
            Some(served) => (served.model.clone(), served.choice.clone()),
            None => match self.model.get_clone() {
                Some(model) => (model.entry.id.clone(), model.entry.id),
                None => return (None, false),
            },
        };
        self.error.set(None);
        self.failed_summary.set(None);
        self.last.set(None);
        self.streaming.set(Some(String::new()));
        let settings = self.settings.get_clone();
        let mut messages = Vec::new();
        if !settings.system_prompt.trim().is_empty() {
            messages.push(ChatMessage {
                source: None,
                role: ChatRole::System,
                content: settings.system_prompt.clone(),
            });
        }
        messages.extend(self.conversation.with(|c| c.messages.clone()));
        if self.tool_rounds.get_untracked() >= tool_calls::MAX_ROUNDS
            && messages.last().is_some_and(|m| m.role == ChatRole::Tool)
        {
            // The last round, without tools: small models (Qwen2.5-Coder 0.5B, measured) write
            // the same call again after a tool message, with or without tools offered, but
            // answer in words when the question is put to them once more. Sent, not kept.
            messages.push(ChatMessage {
                source: None,
                role: ChatRole::User,
                content: WRAP_UP.into(),
            });
        }
        self.conversation.update(|c| c.model_id = Some(picked));
        let asked_in = self.conversation.with(|c| c.id.clone());
        // The tool servers as saved on the options page, read for every answer so a switch
        // turned there counts from the next message (the calculator's too).
        let servers = tool_servers::load().await;
        let builtin = if tool_servers::calculator_enabled(&servers) {
            self.tools.offered()
        } else {
            Vec::new()
        };
        let offered = if self.tool_rounds.get_untracked() < tool_calls::MAX_ROUNDS {
            // A server whose tool list changed since it was saved offers its tools as now.
            let mut servers = servers;
            tool_servers::follow_live(&mut servers).await;
            // The browser forgets session rules on restart: the switches go back in first.
            let _ = tool_servers::apply_origin_rules(&servers).await;
            tool_servers::offered(&servers, &builtin)
        } else {
            Vec::new()
        };
        let external = offered.iter().map(|(tool, _)| tool.clone()).collect();
        let source = served.as_ref().map(|s| AnswerSource {
            server: s.backend.name.clone(),
            model: s.model.clone(),
            cut: false,
        });
        let request = client().chat(ChatAsk {
            model_id,
            messages,
            sampling: settings.sampling(),
            tools: builtin,
            external_tools: external,
            speak,
            backend: served.map(|s| s.backend),
        });
        self.save();
        let finished = self.stream_into(request, on_event).await;
        let mut pending = finished
            .as_ref()
            .map(|r| r.pending_calls.clone())
            .unwrap_or_default();
        // The same call written twice in one reply runs (and is asked about) once.
        let mut seen = Vec::new();
        pending.retain(|call| {
            let key = (call.name.clone(), call.arguments.to_string());
            let first = !seen.contains(&key);
            seen.push(key);
            first
        });
        // What was streamed stays, also when the reply failed or was stopped part way.
        let text = finished
            .as_ref()
            .map(|r| r.text.clone())
            .or_else(|| self.streaming.get_clone())
            .unwrap_or_default();
        // A server that died mid-answer: the text that came stays, marked as cut.
        let cut = finished.is_none()
            && self.error.with(|e| {
                e.as_ref()
                    .is_some_and(|e| e.code == ErrorCode::BackendStreamCut)
            });
        let answer = ChatMessage {
            source: source.map(|source| AnswerSource { cut, ..source }),
            role: ChatRole::Assistant,
            content: text,
        };
        let still_open = self.conversation.with(|c| c.id == asked_in);
        if still_open && !answer.content.is_empty() {
            self.conversation.update(|c| c.messages.push(answer));
            self.last.set(finished.clone().map(Stats::Reply));
            self.save();
        } else if !answer.content.is_empty() {
            // A new chat was started while this answer streamed: it belongs to the old one.
            self.append_stored(asked_in.clone(), answer).await;
        }
        self.end_stream();
        let key = |call: &protocol::PendingCall| (call.name.clone(), call.arguments.to_string());
        let repeats = !pending.is_empty()
            && self
                .answered
                .with(|done| pending.iter().all(|call| done.contains(&key(call))));
        if still_open && repeats {
            // Only calls already answered: the model is asked again, without tools, to
            // answer from the results it has.
            self.conversation.update(|c| {
                if c.messages
                    .last()
                    .is_some_and(|m| m.role == ChatRole::Assistant)
                {
                    c.messages.pop();
                }
            });
            self.tool_rounds.set(tool_calls::MAX_ROUNDS);
            return (finished, true);
        }
        if still_open && !pending.is_empty() {
            // The reply called the user's tools: each is asked about, run or refused, and
            // the model goes on with the results.
            self.tool_rounds.update(|n| *n += 1);
            self.answered
                .update(|done| done.extend(pending.iter().map(key)));
            self.streaming.set(Some(String::new()));
            tool_calls::run(self, pending, &offered).await;
            self.streaming.set(None);
            self.save();
            let go_on =
                !self.stopped.get_untracked() && self.conversation.with(|c| c.id == asked_in);
            return (finished, go_on);
        }
        (finished, false)
    }

    /// The server's model picked to answer, with what a request for it carries (its key read
    /// now, so a key changed on the options page counts from the next message).
    pub(super) async fn served_now(self) -> Option<Served> {
        let (server, model) = self.served.get_clone()?;
        Some(Served {
            choice: model_servers::choice_id(&server.url, &model.id),
            model: model.id.clone(),
            backend: model_servers::backend(&server, &model).await,
        })
    }

    /// How an answer is spoken as it streams, when the settings ask for it. A voice that
    /// cannot be chosen is said, and the answer comes silently.
    pub(super) async fn spoken_as(self, settings: &Settings) -> Option<SpeechStyle> {
        if !settings.speak_answers {
            return None;
        }
        match voices::resolve(self.list, settings).await {
            Ok(voice) => Some(settings.speech_style(voice)),
            Err(error) => {
                self.error.set(Some(error));
                None
            }
        }
    }

    /// Back to idle after a stream, however it ended.
    pub(super) fn end_stream(self) {
        self.pace.set(None);
        self.loading.set(None);
        self.waiting.set(None);
        self.stage.set(None);
        self.streaming.set(None);
    }

    async fn append_stored(self, id: String, answer: ChatMessage) {
        let saved = match ChatStore::open().await {
            Ok(store) => match store.get(&id).await {
                Ok(Some(mut conversation)) => {
                    conversation.messages.push(answer);
                    conversation.updated_at = now();
                    store.save(&conversation).await
                }
                Ok(None) => Ok(()),
                Err(error) => Err(error),
            },
            Err(error) => Err(error),
        };
        match saved {
            Ok(()) => self.saved.update(|n| *n += 1),
            Err(error) => self.error.set(Some(storage_error(error))),
        }
    }

    /// Streams a reply into the answer on screen: its text and pace, the model loading, the
    /// tool calls; other events go to `on_event`. A failure is shown, and gives `None`.
    pub(super) async fn stream_into<T: Answer>(
        self,
        request: Streaming<T>,
        mut on_event: impl FnMut(Event),
    ) -> Option<T> {
        self.asking.set(request.id());
        let outcome = request
            .each(|event| {
                // Any event after a place in the queue means the turn has come.
                if !matches!(event, Event::Queued { .. }) && self.waiting.with(Option::is_some) {
                    self.waiting.set(None);
                }
                self.show(event, &mut on_event)
            })
            .await;
        self.asking.set(None);
        outcome.map_err(|error| self.error.set(Some(error))).ok()
    }

    /// One event of a streaming reply, shown where it belongs.
    fn show(self, event: Event, on_event: &mut impl FnMut(Event)) {
        match event {
            Event::Queued { ahead } => self.waiting.set(Some(ahead)),
            Event::Token { text } => {
                self.loading.set(None);
                self.pace.update(|p| match p {
                    Some((_, pieces)) => *pieces += 1,
                    None => *p = Some((now(), 0)),
                });
                self.streaming.update(|s| {
                    if let Some(s) = s {
                        s.push_str(&text);
                    }
                });
            }
            Event::Step {
                stage: Stage::LoadingModel,
                done: Some(done),
                total: Some(total),
            } => self.loading.set(Some((done, total))),
            // The streamed call is replaced by the tool's own record.
            event
                if self
                    .tools
                    .record(self.conversation.with(|c| c.messages.len()), &event) =>
            {
                self.streaming.set(Some(String::new()))
            }
            event => on_event(event),
        }
    }

    pub fn stop(self) {
        self.stopped.set(true);
        // A call waiting for the user's decision is refused; one running is cancelled.
        if self.approval.with_untracked(Option::is_some) {
            super::approval::dismiss();
        }
        let running = self.running_call.get_clone_untracked();
        let asking = self.asking_now();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(call_id) = running
                && let Err(error) = client().mcp_cancel_call(call_id).await
            {
                self.error.set(Some(error));
            }
            if let Some(id) = asking
                && let Err(error) = client().stop_chat(id).await
            {
                self.error.set(Some(error));
            }
        });
    }

    /// The chat or summary request streaming now, if one is (for a Stop that names it).
    pub fn asking_now(self) -> Option<Id> {
        self.asking.get_untracked()
    }

    /// Whether Stop was pressed since the user's question.
    pub fn stopped(self) -> bool {
        self.stopped.get_untracked()
    }

    /// Notes a tool-server call starting; its id.
    pub(super) fn start_call(self) -> String {
        let id = new_id();
        self.running_call.set(Some(id.clone()));
        id
    }

    pub(super) fn end_call(self) {
        self.running_call.set(None);
    }

    /// Starts an empty conversation (stopping a reply in progress).
    pub fn new_chat(self) {
        if self.busy() {
            self.stop();
        }
        self.editing.set(None);
        self.last.set(None);
        self.error.set(None);
        self.failed_summary.set(None);
        self.failed_image.set(None);
        self.tools.clear();
        self.conversation.set(Conversation::new(new_id(), now()));
    }

    pub fn open(self, id: String) {
        if self.busy() {
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            let found = match ChatStore::open().await {
                Ok(store) => store.get(&id).await,
                Err(error) => Err(error),
            };
            match found {
                Ok(Some(conversation)) => {
                    self.editing.set(None);
                    self.last.set(None);
                    self.error.set(None);
                    self.failed_summary.set(None);
                    if let Some(id) = conversation.model_id.as_deref() {
                        self.choose_model(id);
                    }
                    self.tools.clear();
                    self.conversation.set(conversation);
                }
                Ok(None) => self.error.set(Some(ui_error(
                    ErrorCode::Internal,
                    t("conversationWasDeleted"),
                ))),
                Err(error) => self.error.set(Some(storage_error(error))),
            }
        });
    }

    /// Stores the conversation as it is now (an empty one is not stored).
    pub fn save(self) {
        let mut conversation = self.conversation.get_clone();
        if conversation.messages.is_empty() {
            return;
        }
        conversation.updated_at = now();
        wasm_bindgen_futures::spawn_local(async move {
            let saved = match ChatStore::open().await {
                Ok(store) => store.save(&conversation).await,
                Err(error) => Err(error),
            };
            match saved {
                Ok(()) => self.saved.update(|n| *n += 1),
                Err(error) => self.error.set(Some(storage_error(error))),
            }
        });
    }

    /// The history changed elsewhere (renamed, deleted, imported): keep the open conversation
    /// in step with it.
    pub fn history_changed(
        self,
        deleted_all: bool,
        deleted: Option<&str>,
        renamed: Option<(&str, &str)>,
    ) {
        let open = self.conversation.with(|c| c.id.clone());
        if deleted_all || deleted == Some(open.as_str()) {
            self.new_chat();
        } else if let Some((id, title)) = renamed
            && id == open
        {
            self.conversation.update(|c| {
                c.title = title.trim().to_string();
                c.renamed = !c.title.is_empty();
            });
        }
        self.saved.update(|n| *n += 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_list::{builtin_list, of};

    /// A small machine: two cores, 4 GiB.
    const SMALL: Machine = Machine {
        memory_bytes: Some(4 << 30),
        cores: 2,
        decode_bytes_per_s: None,
    };

    #[test]
    fn the_model_picked_here_wins_then_the_settings_then_the_machine() {
        let models = of(&builtin_list(&[]), Some(Task::Llm), Some(Role::Model));
        assert!(models.len() > 1, "the test needs two chat models");
        let sized = chat_model_for(&models, &SMALL).expect("a model for the machine");
        let other = models
            .iter()
            .find(|m| m.entry.id != sized.entry.id)
            .expect("another model");
        let id = |m: Option<&ModelStatus>| m.map(|m| m.entry.id.clone());
        let other_id = Some(other.entry.id.as_str());
        assert_eq!(id(pick(&models, None, None, &SMALL)), id(Some(sized)));
        assert_eq!(id(pick(&models, None, other_id, &SMALL)), id(Some(other)));
        assert_eq!(id(pick(&models, other_id, None, &SMALL)), id(Some(other)));
        // A model the catalog no longer lists falls back to the next choice.
        assert_eq!(
            id(pick(&models, Some("gone"), None, &SMALL)),
            id(Some(sized))
        );
        assert_eq!(pick(&[], None, None, &SMALL), None);
    }

    #[test]
    fn an_installed_model_is_kept_before_the_machine_s_choice() {
        let mut models = of(&builtin_list(&[]), Some(Task::Llm), Some(Role::Model));
        let big = Machine {
            memory_bytes: Some(8 << 30),
            cores: 8,
            decode_bytes_per_s: None,
        };
        let sized = chat_model_for(&models, &big)
            .expect("a model")
            .entry
            .id
            .clone();
        let other = models
            .iter()
            .position(|m| m.entry.id != sized)
            .expect("another model");
        models[other].state = ModelState::Installed {
            bytes: 1,
            update_available: false,
        };
        let picked = pick(&models, None, None, &big).map(|m| m.entry.id.clone());
        assert_eq!(picked.as_deref(), Some(models[other].entry.id.as_str()));
    }
}
