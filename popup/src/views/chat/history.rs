//! The saved conversations: list (newest first), full-text search, open, rename, export as
//! Markdown or JSON, import, delete one or all.

use sycamore::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlInputElement, KeyboardEvent};

use super::session::Chat;
use crate::history::store::ChatStore;
use crate::history::{Summary, transfer};
use crate::i18n::{number, t, t_with, tn};

#[derive(Clone, Copy)]
struct HistoryPanel {
    chat: Chat,
    query: Signal<String>,
    /// `None` until the first read.
    results: Signal<Option<Vec<Summary>>>,
    renaming: Signal<Option<String>>,
    notice: Signal<Option<(bool, String)>>,
    confirm_all: Signal<bool>,
    /// Counts reads, so a slow older search cannot overwrite a newer one.
    reads: Signal<u32>,
    /// How many of the results are on screen (the rest behind "Show more").
    shown: Signal<usize>,
}

/// Results put on screen at once: a long history opens as fast as a short one.
const PAGE: usize = 50;

/// Offers `text` as a file download named `name`.
fn save_file(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    wasm_bindgen_futures::spawn_local(async move {
        // The download has started by then; the URL only holds the text in memory.
        gloo_timers::future::TimeoutFuture::new(60_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}

impl HistoryPanel {
    fn say(self, ok: bool, text: impl Into<String>) {
        self.notice.set(Some((ok, text.into())));
    }

    fn read(self) {
        let query = self.query.get_clone();
        self.reads.update(|n| *n += 1);
        let this_read = self.reads.get_untracked();
        wasm_bindgen_futures::spawn_local(async move {
            let found = match ChatStore::open().await {
                Ok(store) => store.search(&query).await,
                Err(error) => Err(error),
            };
            if self.reads.get_untracked() != this_read {
                return;
            }
            match found {
                Ok(list) => self.results.set(Some(list)),
                Err(error) => self.say(false, t_with("historyReadFailed", &[&error.to_string()])),
            }
        });
    }

    fn rename(self, id: String, title: String) {
        self.renaming.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            let done = match ChatStore::open().await {
                Ok(store) => store.rename(&id, &title).await,
                Err(error) => Err(error),
            };
            match done {
                Ok(()) => self.chat.history_changed(false, None, Some((&id, &title))),
                Err(error) => self.say(false, t_with("renameFailed", &[&error.to_string()])),
            }
        });
    }

    fn delete(self, id: String) {
        wasm_bindgen_futures::spawn_local(async move {
            let done = match ChatStore::open().await {
                Ok(store) => store.delete(&id).await,
                Err(error) => Err(error),
            };
            match done {
                Ok(()) => {
                    self.say(true, t("chatDeleted"));
                    self.chat.history_changed(false, Some(&id), None);
                }
                Err(error) => self.say(false, t_with("deleteFailed", &[&error.to_string()])),
            }
        });
    }

    fn delete_all(self) {
        self.confirm_all.set(false);
        wasm_bindgen_futures::spawn_local(async move {
            let done = match ChatStore::open().await {
                Ok(store) => store.delete_all().await,
                Err(error) => Err(error),
            };
            match done {
                Ok(()) => {
                    self.say(true, t("allChatsDeleted"));
                    self.chat.history_changed(true, None, None);
                }
                Err(error) => self.say(false, t_with("deleteFailed", &[&error.to_string()])),
            }
        });
    }

    /// Exports one conversation (`Some(id)`) or all of them.
    fn export(self, id: Option<String>, markdown: bool) {
        wasm_bindgen_futures::spawn_local(async move {
            let read = match ChatStore::open().await {
                Ok(store) => match &id {
                    Some(id) => store.get(id).await.map(|c| c.into_iter().collect()),
                    None => store.all().await,
                },
                Err(error) => Err(error),
            };
            let conversations = match read {
                Ok(list) if !list.is_empty() => list,
                Ok(_) => return self.say(false, t("nothingToExport")),
                Err(error) => {
                    return self.say(false, t_with("exportFailed", &[&error.to_string()]));
                }
            };
            let title = match (&id, conversations.first()) {
                (Some(_), Some(c)) => c.display_title(),
                _ => "lantern chats".into(),
            };
            let saved = if markdown {
                let text: Vec<String> = conversations.iter().map(transfer::to_markdown).collect();
                save_file(
                    &transfer::file_name(&title, "md"),
                    "text/markdown",
                    &text.join("\n---\n\n"),
                )
            } else {
                save_file(
                    &transfer::file_name(&title, "json"),
                    "application/json",
                    &transfer::to_json(&conversations),
                )
            };
            if saved.is_err() {
                self.say(false, t("saveRefused"));
            }
        });
    }

    fn import(self, input: HtmlInputElement) {
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let name = file.name();
        wasm_bindgen_futures::spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(_) => return self.say(false, t_with("fileReadFailed", &[&name])),
            };
            let conversations = match transfer::parse_import(&text) {
                Ok(list) => list,
                Err(why) => {
                    return self.say(false, t_with("importRefused", &[&name, &why.to_string()]));
                }
            };
            let saved = match ChatStore::open().await {
                Ok(store) => store.save_all(&conversations).await,
                Err(error) => Err(error),
            };
            match saved {
                Ok(()) => {
                    let n = conversations.len();
                    self.say(true, tn("importedChats", n as u64, &[]));
                    self.chat.history_changed(false, None, None);
                }
                Err(error) => self.say(false, t_with("importFailed", &[&name, &error.to_string()])),
            }
        });
    }
}

#[component(inline_props)]
pub fn History(chat: Chat) -> View {
    let panel = HistoryPanel {
        chat,
        query: create_signal(String::new()),
        results: create_signal(None),
        renaming: create_signal(None),
        notice: create_signal(None),
        confirm_all: create_signal(false),
        reads: create_signal(0),
        shown: create_signal(PAGE),
    };
    // Read again whenever the history is saved or the search changes.
    create_effect(move || {
        chat.saved.track();
        panel.query.track();
        panel.shown.set_silent(PAGE);
        panel.read();
    });
    let import_input = create_node_ref();
    view! {
        div(class="history", id="chat-history") {
            input(r#type="search", class="history-search", aria-label=t("searchChats"),
                  placeholder=t("searchChats"), bind:value=panel.query)
            (match panel.notice.get_clone() {
                Some((true, text)) => view! { p(class="notice", role="status") { (text) } },
                Some((false, text)) => view! {
                    div(class="error-box", role="alert") {
                        p(class="error") { (text) }
                        button(class="secondary", r#type="button", on:click=move |_| { panel.notice.set(None); panel.read() }) { (t("retry")) }
                    }
                },
                None => view! {},
            })
            (match panel.results.get_clone() {
                None => view! { p(class="muted", role="status") { (t("readingHistory")) } },
                Some(list) if list.is_empty() => view! {
                    p(class="muted history-empty", role="status") {
                        (if panel.query.with(|q| q.trim().is_empty()) { t("noSavedChats") } else { t("noChatMatches") })
                    }
                },
                Some(list) => {
                    let count = list.len();
                    let shown = panel.shown.get().min(count);
                    view! {
                        p(class="visually-hidden", role="status") { (tn("chatCount", count as u64, &[])) }
                        ul(class="history-list", data-count=count.to_string()) {
                            (list.iter().take(shown).cloned().map(|s| item(panel, s)).collect::<Vec<_>>())
                        }
                        (if shown < count {
                            view! {
                                button(class="secondary", r#type="button", on:click=move |_| panel.shown.update(|n| *n += PAGE)) {
                                    (t_with("showMore", &[&number(shown as f64, 0), &number(count as f64, 0)]))
                                }
                            }
                        } else {
                            view! {}
                        })
                    }
                }
            })
            div(class="actions history-actions") {
                label(class="button") {
                    (t("importChats"))
                    input(r#ref=import_input, class="visually-hidden", r#type="file",
                          accept=".json,application/json", aria-label=t("importChatsLabel"),
                          on:change=move |_| {
                              if let Ok(input) = import_input.get().dyn_into::<HtmlInputElement>() {
                                  panel.import(input);
                              }
                          })
                }
                button(class="secondary", r#type="button", on:click=move |_| panel.export(None, false)) { (t("exportAll")) }
                (if panel.confirm_all.get() {
                    view! {
                        button(class="danger", r#type="button", on:click=move |_| panel.delete_all()) { (t("deleteAllChatsNow")) }
                        button(class="secondary", r#type="button", on:click=move |_| panel.confirm_all.set(false)) { (t("keepThem")) }
                    }
                } else {
                    view! {
                        button(class="secondary", r#type="button", on:click=move |_| panel.confirm_all.set(true)) { (t("deleteAll")) }
                    }
                })
            }
        }
    }
}

fn item(panel: HistoryPanel, summary: Summary) -> View {
    let id = summary.id.clone();
    let open_now = panel.chat.conversation.with(|c| c.id == id);
    let renaming = panel.renaming.with(|r| r.as_deref() == Some(id.as_str()));
    let title_view = if renaming {
        let title_input = create_node_ref();
        let (id_enter, id_save) = (id.clone(), id.clone());
        let value = move || {
            title_input
                .get()
                .dyn_into::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default()
        };
        view! {
            div(class="rename") {
                input(r#ref=title_input, r#type="text", aria-label=t("chatTitleLabel"), value=summary.title.clone(),
                      on:keydown=move |e: KeyboardEvent| match e.key().as_str() {
                          "Enter" => panel.rename(id_enter.clone(), value()),
                          "Escape" => { e.stop_propagation(); panel.renaming.set(None) }
                          _ => {}
                      })
                button(r#type="button", on:click=move |_| panel.rename(id_save.clone(), value())) { (t("save")) }
            }
        }
    } else {
        let open_id = id.clone();
        view! {
            button(class="history-open", r#type="button", aria-current=if open_now { "true" } else { "false" },
                   on:click=move |_| panel.chat.open(open_id.clone())) {
                span(class="history-title") { (summary.title.clone()) }
                span(class="history-snippet muted") { (summary.snippet.clone()) }
            }
        }
    };
    let (rename_id, md_id, json_id, delete_id) = (id.clone(), id.clone(), id.clone(), id.clone());
    view! {
        li(class="history-item", data-id=id) {
            (title_view)
            div(class="history-item-actions") {
                button(class="link", r#type="button", aria-label=t("renameChat"),
                       on:click=move |_| panel.renaming.set(Some(rename_id.clone()))) { (t("rename")) }
                button(class="link", r#type="button", aria-label=t("exportMarkdown"),
                       on:click=move |_| panel.export(Some(md_id.clone()), true)) { "Markdown" }
                button(class="link", r#type="button", aria-label=t("exportJson"),
                       on:click=move |_| panel.export(Some(json_id.clone()), false)) { "JSON" }
                button(class="link danger-text", r#type="button", aria-label=t("deleteChat"),
                       on:click=move |_| panel.delete(delete_id.clone())) { (t("delete")) }
            }
        }
    }
}
