//! The conversation on screen: user messages as typed, model answers as sanitised Markdown,
//! each with its actions (copy; edit a question; read an answer aloud; regenerate the last
//! answer), the pages it summarized or read, and the answer streaming in.

use protocol::ChatRole;
use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Element, MouseEvent};

use super::session::{Chat, Stats};
use crate::history::{PageNote, PageUse};
use crate::i18n::{number, t, t_with, tn};
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
/// `code_blocks`, outside Sycamore's views, so they cannot carry handlers of their own).
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
    super::code_blocks::answer_view(&markdown::render(text))
}

/// The figures of the last answer: its length and speed, or what a summary read.
fn stats_text(stats: &Stats) -> String {
    let (figures, spoken) = match stats {
        Stats::Reply(reply) => (
            format!(
                "{} · {}",
                tn("replyTokens", reply.generated_tokens as u64, &[]),
                t_with("tokensPerSecond", &[&number(reply.decode_tokens_per_s, 1)])
            ),
            reply.spoken.as_ref(),
        ),
        Stats::Summary(reply) => (
            format!(
                "{} · {} · {}",
                tn("summaryParts", reply.parts as u64, &[]),
                tn("tokensRead", reply.source_tokens as u64, &[]),
                t_with("tokensPerSecond", &[&number(reply.decode_tokens_per_s, 1)])
            ),
            reply.spoken.as_ref(),
        ),
    };
    // An answer spoken as it streamed says how much of it was heard.
    match spoken {
        Some(spoken) => format!(
            "{figures} · {}",
            tn("spokenSentences", u64::from(spoken.started), &[])
        ),
        None => figures,
    }
}

/// A page's title as a link to it. Only web addresses become links: a conversation may have
/// been imported from a file, and its addresses are untrusted.
fn page_link(page: &PageNote) -> View {
    let title = if page.title.trim().is_empty() {
        t("untitledPage")
    } else {
        page.title.clone()
    };
    let url = page.url.clone();
    if url.starts_with("https://") || url.starts_with("http://") {
        let tip = url.clone();
        view! { a(href=url, target="_blank", rel="noopener noreferrer", title=tip) { (title) } }
    } else {
        view! { span { (title) } }
    }
}

/// The source line of a summary, inside the answer it heads.
fn source_view(page: &PageNote) -> View {
    let link = page_link(page);
    view! { p(class="summary-source") { (link) } }
}

/// What "Read this page" saw, as its own entry of the conversation.
fn read_view(page: &PageNote) -> View {
    let title = if page.title.is_empty() {
        t("untitled")
    } else {
        page.title.clone()
    };
    let selection = if page.selection.is_empty() {
        t("nothingSelected")
    } else {
        page.selection.clone()
    };
    let url = page.url.clone();
    view! {
        div(class="message page") {
            p(class="page-heading") { (t("pageHeading")) }
            dl(class="facts") {
                div(class="fact") { dt { (t("factTitle")) } dd(data-field="title") { (title) } }
                div(class="fact") { dt { (t("factAddress")) } dd(data-field="url", class="url") { (url) } }
                div(class="fact") { dt { (t("factSelection")) } dd(data-field="selection") { (selection) } }
            }
        }
    }
}

/// A resource the user attached, as a chip where it was attached. Its address is shown as text:
/// it is the server's, not necessarily a web address.
fn attached_view(page: &PageNote) -> View {
    let name = page.title.clone();
    let uri = page.url.clone();
    let uri_attr = uri.clone();
    view! {
        div(class="message attachment", data-uri=uri_attr) {
            span(class="attachment-name") { (t_with("attachedResource", &[&name])) }
            " " code(class="muted") { (uri) }
        }
    }
}

/// The text read in an image, as its own entry of the conversation: the image's address (a link
/// only for web addresses: an imported conversation's are untrusted) and the lines read.
fn image_text_view(page: &PageNote) -> View {
    let url = page.url.clone();
    let address = if url.starts_with("https://") || url.starts_with("http://") {
        let (href, tip) = (url.clone(), url.clone());
        view! { a(href=href, target="_blank", rel="noopener noreferrer", title=tip, data-field="image") { (url) } }
    } else {
        view! { span(data-field="image") { (url) } }
    };
    let text = page.selection.clone();
    view! {
        div(class="message image-text") {
            p(class="page-heading") { (t("imageTextHeading")) }
            p(class="image-source url") { (address) }
            div(class="image-lines", data-field="text") { (text) }
        }
    }
}

/// The pages read before message `index`, and the source of the summary it is, if any.
fn pages_at(chat: Chat, index: usize) -> (View, Option<View>) {
    // Cloned out first, as the messages are (see `Messages`).
    let pages: Vec<PageNote> = chat
        .conversation
        .with(|c| c.pages_before(index).cloned().collect());
    let read: Vec<View> = pages
        .iter()
        .filter_map(|p| match p.kind {
            PageUse::Read => Some(read_view(p)),
            PageUse::Attached => Some(attached_view(p)),
            PageUse::ImageText => Some(image_text_view(p)),
            PageUse::Summarized => None,
        })
        .collect();
    let source = pages
        .iter()
        .find(|p| p.kind == PageUse::Summarized)
        .map(source_view);
    (read.into(), source)
}

/// Keeps the end of the conversation in view as it grows or the panel is resized, while the
/// reader is at the end (who scrolled up to read stays where they are, until a new entry comes).
/// `at_end` follows the log's scrolling.
fn follow_the_end(chat: Chat, log: NodeRef, at_end: Signal<bool>) {
    let to_end = move || {
        if at_end.get_untracked()
            && let Some(log) = log.try_get().and_then(|l| l.dyn_into::<Element>().ok())
        {
            log.set_scroll_top(log.scroll_height());
        }
    };
    let entries = std::cell::Cell::new(usize::MAX);
    create_effect(move || {
        let count = chat.conversation.with(|c| c.messages.len() + c.pages.len());
        chat.streaming.track();
        if entries.replace(count) != count {
            at_end.set(true);
        }
        // After this change has reached the page.
        wasm_bindgen_futures::spawn_local(async move { to_end() });
    });
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_resize = Closure::<dyn Fn()>::new(to_end);
    let _ = window.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
    on_cleanup(move || {
        let _ = window
            .remove_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
    });
}

fn near_the_end(log: &Element) -> bool {
    log.scroll_height() - log.scroll_top() - log.client_height() < 48
}

#[component(inline_props)]
pub fn Messages(chat: Chat) -> View {
    let log = create_node_ref();
    let at_end = create_signal(true);
    follow_the_end(chat, log, at_end);
    let on_scroll = move |_| {
        if let Some(log) = log.try_get().and_then(|l| l.dyn_into::<Element>().ok()) {
            at_end.set(near_the_end(&log));
        }
    };
    view! {
        div(r#ref=log, class="messages", role="log", aria-live="polite", aria-label=t("conversationLabel"),
            tabindex="0", on:click=on_code_copy, on:scroll=on_scroll) {
            ({
                // Cloned out first: building views inside `with` would create signals while the
                // reactive arena is borrowed.
                let list = chat.conversation.with(|c| c.messages.clone());
                let empty = list.is_empty()
                    && chat.streaming.with(Option::is_none)
                    && chat.conversation.with(|c| c.pages.is_empty());
                let last_answer = list.iter().rposition(|m| m.role == ChatRole::Assistant);
                let entries = list.into_iter().enumerate().filter(|(_, m)| m.role != ChatRole::System).map(|(index, m)| {
                    // A tool server's answer shows as its call's step; the fenced text is the model's.
                    if m.role == ChatRole::Tool {
                        return view! { (chat.tools.before(index)) };
                    }
                    let content = m.content.clone();
                    let is_user = m.role == ChatRole::User;
                    // Which server wrote the answer, and whether it stopped in the middle.
                    let backend = m.source.clone().map(|s| {
                        let cut = s.cut.then(|| view! { " " span(class="answer-cut") { (t("answerCut")) } });
                        let from = t_with("answerFromServer", &[&s.server, s.model.rsplit('/').next().unwrap_or(&s.model)]);
                        view! { p(class="muted answer-source", data-cut=s.cut.to_string()) { (from) (cut) } }
                    });
                    let (read, source) = pages_at(chat, index);
                    let class = if source.is_some() {
                        format!("message {} summary", m.role.as_str())
                    } else {
                        format!("message {}", m.role.as_str())
                    };
                    let body = if is_user {
                        let text = content.clone();
                        view! { div(class="plain") { (text) } }
                    } else {
                        // Reactive on its own: a sentence event redraws this message alone.
                        let text = content.clone();
                        view! { (chat.aloud.highlighted(index, &text).unwrap_or_else(|| answer_html(&text))) }
                    };
                    let read_aloud = (!is_user).then(|| {
                        let text = content.clone();
                        view! { (chat.aloud.controls(chat, index, text.clone())) }
                    });
                    let regenerate = (Some(index) == last_answer).then(|| view! {
                        button(class="link", r#type="button", disabled=chat.busy(),
                               on:click=move |_| chat.regenerate()) { (t("regenerate")) }
                        // What the answer just written took (an answer reopened has no figures).
                        (chat.last.get_clone().map(|stats| view! {
                            span(class="muted stats", title=t("replyStatsTitle")) { (stats_text(&stats)) }
                        }))
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
                        (read)
                        article(class=class, data-index=index.to_string()) {
                            (source)
                            (body)
                            (backend)
                            div(class="message-actions") {
                                button(class="link", r#type="button", aria-label=t("copyMessage"),
                                       on:click=move |e: MouseEvent| {
                                           let button = e.current_target().and_then(|t| t.dyn_into::<Element>().ok());
                                           copy(content.clone(), button);
                                       }) { (t("copy")) }
                                (edit)
                                (read_aloud)
                                (regenerate)
                            }
                        }
                    }
                }).collect::<Vec<_>>();
                if empty {
                    view! { p(class="muted chat-empty") { (t("chatEmpty")) " " (t("pageOnlyWhenAsked")) } }
                } else {
                    entries.into()
                }
            })
            ({
                let next = chat.conversation.with(|c| c.messages.len());
                let (read, source) = pages_at(chat, next);
                match chat.streaming.get_clone() {
                    Some(text) => {
                        let class = if source.is_some() {
                            "message assistant summary streaming"
                        } else {
                            "message assistant streaming"
                        };
                        view! {
                            (chat.tools.before(next))
                            (read)
                            article(class=class, aria-busy="true") {
                                (source)
                                (chat.waiting.get().map(|ahead| view! {
                                    p(class="muted stream-status queue-status", role="status") {
                                        (t_with("waitingForTurn", &[&number(f64::from(ahead), 0)]))
                                    }
                                }))
                                (match chat.stage.get_clone() {
                                    Some(stage) => view! { p(class="muted stream-status", role="status") { (stage) } },
                                    None => view! {},
                                })
                                (if text.is_empty() {
                                    if chat.stage.with(Option::is_some) || chat.waiting.with(Option::is_some) {
                                        view! {}
                                    } else {
                                        view! { p(class="muted thinking") { (t("thinking")) } }
                                    }
                                } else {
                                    answer_html(&text)
                                })
                                (chat.live_speed().map(|speed| view! {
                                    p(class="muted live-stats", aria-hidden="true") { (t_with("tokensPerSecond", &[&number(speed, 1)])) }
                                }))
                            }
                        }
                    }
                    None => read,
                }
            })
        }
    }
}
