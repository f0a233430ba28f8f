//! The chat view, the whole of the popup and the side panel: a header (history, new chat, the
//! page actions, the model), the conversation filling the height, and the composer at the
//! bottom. Its pieces live in `chat/`; requests are sent by `chat/session.rs` (answers),
//! `chat/summary.rs` (a page summarized or read into the conversation) and `chat/read_aloud.rs`
//! (an answer spoken), nowhere else.
//!
//! Keyboard: Enter sends, Shift+Enter breaks the line, Esc stops an answer (or leaves editing,
//! or stops reading aloud), Ctrl/Cmd+K starts a new chat, ArrowUp in an empty box edits the last
//! question.

mod approval;
mod attach;
mod code_blocks;
mod history;
mod image_text;
mod messages;
mod model_status;
mod page_actions;
mod prompts;
mod read_aloud;
mod session;
mod summary;
mod tool_calls;

use protocol::ChatRole;
use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{HtmlTextAreaElement, KeyboardEvent};

use super::Surface;
use super::chat_tools::ToolsSwitch;
use super::dictate::Dictate;
use super::error_text::error_text;
use super::voice::VoiceCommand;
use crate::i18n::t;
use crate::settings::SettingsWatch;
use crate::state::AppState;
use history::History;
use messages::Messages;
use model_status::{ModelPicker, ModelStatusLine};
use page_actions::PageActions;
pub use session::Chat;

/// The composer's text box (one per page).
fn composer_box() -> Option<HtmlTextAreaElement> {
    web_sys::window()?
        .document()?
        .query_selector("textarea.composer-input")
        .ok()??
        .dyn_into()
        .ok()
}

/// Puts message `index` back in the composer; sending replaces it and everything after it.
pub(crate) fn edit_message(chat: Chat, index: usize, text: String) {
    if chat.busy() {
        return;
    }
    chat.editing.set(Some(index));
    if let Some(area) = composer_box() {
        area.set_value(&text);
        let _ = area.focus();
    }
}

fn edit_last_question(chat: Chat) {
    let last = chat.conversation.with(|c| {
        c.messages
            .iter()
            .rposition(|m| m.role == ChatRole::User)
            .map(|i| (i, c.messages[i].content.clone()))
    });
    if let Some((index, text)) = last {
        edit_message(chat, index, text);
    }
}

fn cancel_edit(chat: Chat) {
    chat.editing.set(None);
    if let Some(area) = composer_box() {
        area.set_value("");
    }
}

fn new_chat(chat: Chat) {
    chat.new_chat();
    if let Some(area) = composer_box() {
        area.set_value("");
        let _ = area.focus();
    }
}

/// Page-wide keys: Ctrl/Cmd+K for a new chat, Esc to stop an answer from anywhere.
fn listen_to_page_keys(chat: Chat) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let on_key = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
        if (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("k") {
            e.prevent_default();
            new_chat(chat);
        } else if e.key() == "Escape" && chat.busy() && !e.default_prevented() {
            chat.stop();
        } else if e.key() == "Escape" && chat.aloud.index.get_untracked().is_some() {
            chat.aloud.stop(chat);
        }
    });
    let _ = document.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    on_cleanup(move || {
        let _ = document
            .remove_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    });
}

#[component]
pub fn ChatView() -> View {
    let state = use_context::<AppState>();
    let chat = Chat::new(state.models);
    on_mount(move || {
        chat.start();
        listen_to_page_keys(chat);
    });
    // Sampling and the system prompt saved on the options page apply from the next message.
    let watch = SettingsWatch::start(move |settings| chat.settings.set(settings));
    on_cleanup(move || drop(watch));
    // A summary asked for while something streamed (or before the models were read) starts
    // once that is over.
    create_effect(move || chat.run_queued());
    // Only the side panel takes the summaries context-menu clicks leave: the click opens it.
    let takes_jobs = try_use_context::<Surface>() == Some(Surface::SidePanel);
    let show_history = create_signal(false);
    let input = create_node_ref();
    // What follows a `/` the composer starts with (one line): the prompt menu is open.
    let slash = create_signal(None::<String>);
    let submit = move || {
        if let Some(area) = composer_box() {
            let text = area.value();
            if text.trim().is_empty() || chat.busy() || !chat.ready() {
                return;
            }
            area.set_value("");
            slash.set(None);
            chat.submit(text);
        }
    };
    let on_input = move |_: web_sys::Event| {
        let text = composer_box().map(|a| a.value()).unwrap_or_default();
        slash.set(
            text.strip_prefix('/')
                .filter(|rest| !rest.contains('\n'))
                .map(str::to_owned),
        );
    };
    let on_key = move |e: KeyboardEvent| match e.key().as_str() {
        // A slash command is chosen from its menu, not sent as text.
        "Enter" if slash.with(Option::is_some) => e.prevent_default(),
        "Escape" if slash.with(Option::is_some) => {
            e.prevent_default();
            slash.set(None);
        }
        "Enter" if !e.shift_key() && !e.is_composing() => {
            e.prevent_default();
            submit();
        }
        "Escape" if chat.busy() => {
            e.prevent_default();
            chat.stop();
        }
        "Escape" if chat.editing.with(Option::is_some) => {
            e.prevent_default();
            cancel_edit(chat);
        }
        "ArrowUp" if composer_box().is_some_and(|a| a.value().is_empty()) => {
            e.prevent_default();
            edit_last_question(chat);
        }
        _ => {}
    };
    view! {
        section(class="chat", aria-labelledby="chat-heading",
                data-state=if chat.busy() { "generating" } else { "idle" }) {
            div(class="chat-header") {
                div(class="chat-title") {
                    img(class="logo", src="../icons/lantern-32.png", alt="", width="22", height="22")
                    h1 { (t("productName")) }
                    h2(id="chat-heading", class="visually-hidden") { (t("chatHeading")) }
                }
                div(class="chat-header-actions") {
                    button(class="secondary", r#type="button", aria-expanded=show_history.get().to_string(),
                           aria-controls="chat-history", on:click=move |_| show_history.set(!show_history.get())) { (t("historyButton")) }
                    button(class="secondary", r#type="button", aria-keyshortcuts="Control+K Meta+K", on:click=move |_| new_chat(chat)) { (t("newChat")) }
                }
            }
            PageActions(chat=chat, takes_jobs=takes_jobs)
            (if show_history.get() { view! { History(chat=chat) } } else { view! {} })
            div(class="model-bar") {
                ModelPicker(chat=chat)
                ModelStatusLine(chat=chat)
            }
            Messages(chat=chat)
            div(class="composer") {
                (match chat.error.get_clone() {
                    Some(error) => {
                        let text = error_text(&error);
                        view! {
                            div(class="error-box", role="alert", data-code=format!("{:?}", error.code)) {
                                p(class="error") { (text) }
                                button(class="secondary", r#type="button", on:click=move |_| chat.retry()) { (t("retry")) }
                            }
                        }
                    }
                    None => view! {},
                })
                approval::ApprovalCard(shown=chat.approval)
                (if chat.editing.with(Option::is_some) {
                    view! {
                        p(class="editing", role="status") {
                            (t("editingNotice")) " "
                            button(class="link", r#type="button", on:click=move |_| cancel_edit(chat)) { (t("cancelEdit")) }
                        }
                    }
                } else {
                    view! {}
                })
                textarea(r#ref=input, class="composer-input", aria-label=t("messageLabel"), rows="2",
                         placeholder=t("messagePlaceholder"),
                         on:keydown=on_key, on:input=on_input)
                prompts::PromptMenu(chat=chat, input=input, query=slash)
                // The voice command answers in the side panel, which its hotkey opens.
                (if takes_jobs { view! { VoiceCommand(chat=chat) } } else { view! {} })
                div(class="composer-bar") {
                    // Extra input buttons (dictation, attachments) mount here.
                    div(class="composer-tools") {
                        Dictate(input=input)
                        ToolsSwitch(tools=chat.tools)
                        attach::AttachResource(chat=chat)
                    }
                    (if chat.busy() {
                        view! { button(class="secondary", r#type="button", aria-keyshortcuts="Escape", on:click=move |_| chat.stop()) { (t("stop")) } }
                    } else {
                        view! { button(r#type="button", on:click=move |_| submit(), disabled=!chat.ready()) { (t("send")) } }
                    })
                }
            }
        }
    }
}
