//! The chat: the conversation, the message box, and a reply streaming in from the local model,
//! with a stop button. The model is the catalog's default chat model; when it is not downloaded
//! yet, the chat offers to download it.

use futures_util::StreamExt;
use protocol::{
    ChatMessage, ChatReply, Event, LanternError, ModelState, ModelStatus, Reply, Request, Response,
    Role, Sampling, Task,
};
use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlTextAreaElement, KeyboardEvent};

use super::chat_tools::{ChatTools, ToolsSwitch};
use crate::downloads;
use crate::state::client;

#[derive(Clone, Copy)]
struct Chat {
    model: Signal<Option<ModelStatus>>,
    messages: Signal<Vec<ChatMessage>>,
    /// The reply being streamed, while there is one.
    streaming: Signal<Option<String>>,
    last: Signal<Option<ChatReply>>,
    error: Signal<Option<LanternError>>,
    /// Bytes and total of the model download this view started.
    download: Signal<Option<(u64, Option<u64>)>>,
    tools: ChatTools,
}

impl Chat {
    fn find_model(self) {
        wasm_bindgen_futures::spawn_local(async move {
            match client().call(Request::ListModels).await {
                Ok(Response::Models(list)) => {
                    let chat_model = list.models.into_iter().find(|m| {
                        m.entry.task == Task::Llm && m.entry.role == Role::Model && m.entry.default
                    });
                    if chat_model.is_none() {
                        self.error.set(Some(LanternError::new(
                            protocol::ErrorCode::UnknownModel,
                            "the catalog has no chat model",
                        )));
                    }
                    self.model.set(chat_model);
                }
                Ok(_) => {}
                Err(error) => self.error.set(Some(error)),
            }
        });
    }

    fn download(self, model_id: String) {
        self.error.set(None);
        self.download.set(Some((0, None)));
        wasm_bindgen_futures::spawn_local(async move {
            let progress = move |bytes, total, _| self.download.set(Some((bytes, total)));
            if let Err(error) = downloads::follow(model_id, progress).await {
                self.error.set(Some(error));
            }
            self.download.set(None);
            self.find_model();
        });
    }

    fn send(self, text: String) {
        let Some(model) = self.model.get_clone() else {
            return;
        };
        if text.trim().is_empty() || self.streaming.with(Option::is_some) {
            return;
        }
        self.error.set(None);
        self.messages.update(|m| {
            m.push(ChatMessage {
                role: "user".into(),
                content: text,
            })
        });
        self.streaming.set(Some(String::new()));
        let request = Request::Chat {
            model_id: model.entry.id,
            messages: self.messages.get_clone(),
            sampling: Sampling::default(),
            tools: self.tools.offered(),
            fresh_context: false,
        };
        wasm_bindgen_futures::spawn_local(async move {
            let mut finished = None;
            match client().send(request) {
                Ok(mut replies) => {
                    while let Some(reply) = replies.next().await {
                        match reply {
                            Reply::Progress {
                                event: Event::Token { text },
                                ..
                            } => self.streaming.update(|s| {
                                if let Some(s) = s {
                                    s.push_str(&text);
                                }
                            }),
                            // The streamed call is replaced by the tool's own record.
                            Reply::Progress { event, .. }
                                if self.tools.record(self.messages.with(Vec::len), &event) =>
                            {
                                self.streaming.set(Some(String::new()))
                            }
                            Reply::Return {
                                value: Response::ChatReply(reply),
                                ..
                            } => {
                                finished = Some(reply);
                                break;
                            }
                            Reply::Throw { error, .. } => {
                                self.error.set(Some(error));
                                break;
                            }
                            _ => {}
                        }
                    }
                }
                Err(error) => self.error.set(Some(error)),
            }
            // What was streamed stays, also when the reply failed or was stopped part way.
            let text = finished
                .as_ref()
                .map(|r| r.text.clone())
                .or_else(|| self.streaming.get_clone())
                .unwrap_or_default();
            if !text.is_empty() {
                self.messages.update(|m| {
                    m.push(ChatMessage {
                        role: "assistant".into(),
                        content: text,
                    })
                });
            }
            self.last.set(finished);
            self.streaming.set(None);
        });
    }

    fn stop(self) {
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = client().call(Request::StopChat).await {
                self.error.set(Some(error));
            }
        });
    }
}

#[component]
pub fn ChatView() -> View {
    let chat = Chat {
        model: create_signal(None),
        messages: create_signal(Vec::new()),
        streaming: create_signal(None),
        last: create_signal(None),
        error: create_signal(None),
        download: create_signal(None),
        tools: ChatTools::new(),
    };
    on_mount(move || chat.find_model());
    let input = create_node_ref();
    let take_input = move || {
        let area = input.get().dyn_into::<HtmlTextAreaElement>().ok()?;
        let text = area.value();
        area.set_value("");
        Some(text)
    };
    let submit = move || {
        if let Some(text) = take_input() {
            chat.send(text);
        }
    };
    view! {
        section(class="card chat", aria-labelledby="chat-heading",
                data-state=if chat.streaming.with(Option::is_some) { "generating" } else { "idle" }) {
            h2(id="chat-heading") { "Chat" }
            (model_line(chat))
            div(class="messages", role="log", aria-live="polite") {
                (chat.messages.get_clone().into_iter().enumerate().map(|(i, m)| {
                    let class = format!("message {}", m.role);
                    view! { (chat.tools.before(i)) p(class=class) { (m.content) } }
                }).collect::<Vec<_>>())
                (if chat.streaming.with(Option::is_some) { chat.tools.before(chat.messages.with(Vec::len)) } else { view! {} })
                (match chat.streaming.get_clone() {
                    Some(text) => view! { p(class="message assistant streaming") { (text) } },
                    None => view! {},
                })
            }
            (match chat.error.get_clone() {
                Some(error) => view! {
                    p(class="error", role="alert", data-code=format!("{:?}", error.code)) { (error.message.clone()) }
                },
                None => view! {},
            })
            (match chat.last.get_clone() {
                Some(reply) => view! {
                    p(class="muted stats") {
                        (format!("{} tokens · {:.1} tokens/s", reply.generated_tokens, reply.decode_tokens_per_s))
                    }
                },
                None => view! {},
            })
            ToolsSwitch(tools=chat.tools)
            div(class="composer") {
                textarea(r#ref=input, aria-label="Message", rows="2", placeholder="Ask anything…",
                         on:keydown=move |e: KeyboardEvent| {
                             if e.key() == "Enter" && !e.shift_key() {
                                 e.prevent_default();
                                 submit();
                             }
                         })
                (if chat.streaming.with(Option::is_some) {
                    view! { button(class="secondary", on:click=move |_| chat.stop()) { "Stop" } }
                } else {
                    view! { button(on:click=move |_| submit(), disabled=chat.model.with(|m| !matches!(m, Some(ModelStatus { state: ModelState::Installed { .. }, .. })))) { "Send" } }
                })
            }
        }
    }
}

/// Which model answers, or what to do before it can.
fn model_line(chat: Chat) -> View {
    let Some(model) = chat.model.get_clone() else {
        return view! { p(class="muted", role="status") { "Looking for the chat model…" } };
    };
    let name = model.entry.name.clone();
    match (model.state, chat.download.get()) {
        (_, Some((bytes, total))) => {
            let total = total.unwrap_or(0);
            let percent = (bytes * 100).checked_div(total).unwrap_or(0);
            view! {
                p(role="status") { "Downloading " (name) "… " (percent) "%" }
                progress(max=total.to_string(), value=bytes.to_string(), aria-label="Model download")
            }
        }
        (ModelState::Installed { .. }, None) => {
            view! { p(class="muted") { "Model: " (name) " (on this device)" } }
        }
        (ModelState::Downloading { .. }, None) => {
            view! { p(class="muted", role="status") { (name) " is downloading (see Settings)" } }
        }
        (_, None) => {
            let size = model
                .entry
                .total_size()
                .map_or(String::new(), |b| format!(" ({:.0} MB)", b as f64 / 1e6));
            let id = model.entry.id.clone();
            view! {
                p { "Chat needs a model on this device: " (name) (size) "." }
                button(on:click=move |_| chat.download(id.clone())) { "Download model" }
            }
        }
    }
}
