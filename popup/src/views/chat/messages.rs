//! The conversation on screen: user messages as typed, model answers as sanitised Markdown,
//! each with its actions (copy; edit a question; regenerate the last answer), and the answer
//! streaming in.

use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, MouseEvent};

use super::session::Chat;
use crate::i18n::t;
use crate::markdown;

/// Puts `text` on the clipboard, and says so on `button` for a moment.
pub fn copy(text: String, button: Option<Element>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = window.navigator().clipboard().write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        let done = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
        if let Some(button) = button {
            let before = button.text_content().unwrap_or_default();
            let said = if done { t("copied") } else { t("copyFailed") };
            button.set_text_content(Some(&said));
            gloo_timers::future::TimeoutFuture::new(1500).await;
            button.set_text_content(Some(&before));
        }
    });
}

/// The one click handler for the copy buttons inside rendered answers (their HTML is made by
/// `markdown::render`, so they cannot carry handlers of their own).
fn on_code_copy(event: MouseEvent) {
    let Some(button) = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .filter(|e| e.class_list().contains("copy-code"))
    else {
        return;
    };
    let code = button
        .parent_element()
        .and_then(|block| block.query_selector("pre").ok().flatten())
        .and_then(|pre| pre.text_content())
        .unwrap_or_default();
    copy(code, Some(button));
}

fn answer_html(text: &str) -> View {
    let html = markdown::render(text);
    view! { div(class="markdown", dangerously_set_inner_html=html) }
}

#[component(inline_props)]
pub fn Messages(chat: Chat) -> View {
    view! {
        div(class="messages", role="log", aria-live="polite", aria-label=t("conversationLabel"),
            on:click=on_code_copy) {
            ({
                // Cloned out first: building views inside `with` would create signals while the
                // reactive arena is borrowed.
                let list = chat.conversation.with(|c| c.messages.clone());
                let last_answer = list.iter().rposition(|m| m.role == "assistant");
                list.into_iter().enumerate().filter(|(_, m)| m.role != "system").map(|(index, m)| {
                    let content = m.content.clone();
                    let is_user = m.role == "user";
                    let class = format!("message {}", m.role);
                    let body = if is_user {
                        let text = content.clone();
                        view! { div(class="plain") { (text) } }
                    } else {
                        answer_html(&content)
                    };
                    let regenerate = (Some(index) == last_answer).then(|| view! {
                        button(class="link", r#type="button", disabled=chat.busy(),
                               on:click=move |_| chat.regenerate()) { (t("regenerate")) }
                    });
                    let edit = is_user.then(|| {
                        let text = content.clone();
                        view! {
                            button(class="link", r#type="button", aria-label=t("editMessage"),
                                   disabled=chat.busy(),
                                   on:click=move |_| super::edit_message(chat, index, text.clone())) { (t("edit")) }
                        }
                    });
                    view! {
                        (chat.tools.before(index))
                        article(class=class, data-index=index.to_string()) {
                            (body)
                            div(class="message-actions") {
                                button(class="link", r#type="button", aria-label=t("copyMessage"),
                                       on:click=move |e: MouseEvent| {
                                           let button = e.current_target().and_then(|t| t.dyn_into::<Element>().ok());
                                           copy(content.clone(), button);
                                       }) { (t("copy")) }
                                (edit)
                                (regenerate)
                            }
                        }
                    }
                }).collect::<Vec<_>>()
            })
            (match chat.streaming.get_clone() {
                Some(text) => view! {
                    (chat.tools.before(chat.conversation.with(|c| c.messages.len())))
                    article(class="message assistant streaming", aria-busy="true") {
                        (if text.is_empty() {
                            view! { p(class="muted thinking") { (t("thinking")) } }
                        } else {
                            answer_html(&text)
                        })
                    }
                },
                None => view! {},
            })
        }
    }
}
