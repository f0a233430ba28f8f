//! The summary card of the side panel: "Summarize this page" for the active tab, the jobs that
//! context-menu clicks leave for this window, progress while a long page is read in parts, the
//! summary streaming in under its source's title and link, and "Continue in chat", which hands
//! the summary and the page's text to the chat view.

use protocol::{
    ChatMessage, ErrorCode, Event, LanternError, ModelState, Role, Stage, SummaryJob, SummaryKind,
    SummaryMode, SummaryReply, Task,
};
use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;

use super::error_text::error_text;
use super::error_text::ui_error;
use crate::chrome;
use crate::client::SummaryAsk;
use crate::i18n::{number, t, t_with, tn};
use crate::model_list::Models;
use crate::state::{AppState, Fetch, client};

#[derive(Clone, Copy)]
struct Summary {
    /// The page's model list.
    models: Models,
    mode: Signal<SummaryMode>,
    /// Write in the user's language (`navigator.language`) instead of the page's.
    in_my_language: Signal<bool>,
    running: Signal<bool>,
    status: Signal<Option<String>>,
    /// Title and address of the page being summarized.
    source: Signal<Option<(String, String)>>,
    text: Signal<String>,
    done: Signal<Option<SummaryReply>>,
    error: Signal<Option<LanternError>>,
    /// The `created_ms` of the last job taken, so one click never runs twice.
    last_job: Signal<f64>,
}

fn user_language() -> Option<String> {
    web_sys::window().and_then(|w| w.navigator().language())
}

/// The installed default chat model, or an error that says what to do. The page's model list
/// answers; it is read first when it has not been (or could not be).
async fn chat_model(models: Models) -> Result<String, LanternError> {
    if models
        .list
        .with_untracked(|l| !matches!(l, Fetch::Ready(_)))
    {
        models.reload().await?;
    }
    let model = models
        .of(Some(Task::Llm), Some(Role::Model))
        .into_iter()
        .find(|m| m.entry.default)
        .ok_or_else(|| ui_error(ErrorCode::UnknownModel, t("noChatModel")))?;
    match model.state {
        ModelState::Installed { .. } => Ok(model.entry.id),
        _ => Err(ui_error(
            ErrorCode::NotInstalled,
            t_with("summaryNeedsModel", &[&model.entry.name]),
        )),
    }
}

fn step_text(stage: Stage, done: Option<u64>, total: Option<u64>) -> String {
    match (stage, done, total) {
        (Stage::ReadingPart, Some(done), Some(total)) => t_with(
            "readingPart",
            &[&number(done as f64, 0), &number(total as f64, 0)],
        ),
        (Stage::LoadingModel, Some(done), Some(total)) if total > 0 => t_with(
            "loadingTheModel",
            &[&number((done * 100 / total) as f64, 0)],
        ),
        (Stage::LoadingModel, ..) => t_with("loadingTheModel", &[&number(0.0, 0)]),
        (Stage::ReadingPage | Stage::ReadingPart, ..) => t("readingPage"),
        (Stage::WritingSummary, ..) => t("writingSummary"),
    }
}

impl Summary {
    fn start(self, tab_id: Option<i64>, kind: SummaryKind, selection: Option<String>) {
        if self.running.get() {
            return;
        }
        self.running.set(true);
        self.error.set(None);
        self.done.set(None);
        self.source.set(None);
        self.text.set(String::new());
        self.status.set(Some(t("readingPage")));
        let language = if self.in_my_language.get() {
            user_language()
        } else {
            None
        };
        let mode = self.mode.get();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = self.run(tab_id, kind, mode, language, selection).await {
                self.error.set(Some(error));
            }
            self.status.set(None);
            self.running.set(false);
        });
    }

    async fn run(
        self,
        tab_id: Option<i64>,
        kind: SummaryKind,
        mode: SummaryMode,
        language: Option<String>,
        selection: Option<String>,
    ) -> Result<(), LanternError> {
        let model_id = chat_model(self.models).await?;
        let ask = SummaryAsk {
            tab_id,
            kind,
            mode,
            language,
            selection,
        };
        let reply = client()
            .summarize(model_id, ask)
            .each(|event| match event {
                Event::Token { text } => self.text.update(|t| t.push_str(&text)),
                Event::Step { stage, done, total } => {
                    self.status.set(Some(step_text(stage, done, total)))
                }
                Event::SummarySource { title, url, .. } => self.source.set(Some((title, url))),
                // Download progress, and events of other requests' kinds, say nothing here.
                _ => {}
            })
            .await?;
        self.text.set(reply.text.clone());
        self.done.set(Some(reply));
        Ok(())
    }

    fn take_job(self) {
        wasm_bindgen_futures::spawn_local(async move {
            let Some(window) = chrome::current_window_id().await else {
                return;
            };
            if let Some(job) = chrome::take_summary_job(window).await {
                self.run_job(job);
            }
        });
    }

    fn run_job(self, job: SummaryJob) {
        if job.created_ms <= self.last_job.get() {
            return;
        }
        self.last_job.set(job.created_ms);
        self.start(Some(job.tab_id), job.kind, job.selection);
    }
}

/// The conversation a follow-up chat starts from: the page as context, the summary as the
/// assistant's first answer.
fn chat_seed(reply: &SummaryReply) -> Vec<ChatMessage> {
    vec![
        ChatMessage {
            role: "system".into(),
            content: reply.chat_context.clone(),
        },
        ChatMessage {
            role: "assistant".into(),
            content: reply.text.clone(),
        },
    ]
}

fn selected_value(event: web_sys::Event) -> Option<String> {
    let select = event.target()?.dyn_into::<HtmlSelectElement>().ok()?;
    Some(select.value())
}

#[component]
pub fn SummaryView() -> View {
    let state = use_context::<AppState>();
    let summary = Summary {
        models: state.models,
        mode: create_signal(SummaryMode::KeyPoints),
        in_my_language: create_signal(false),
        running: create_signal(false),
        status: create_signal(None),
        source: create_signal(None),
        text: create_signal(String::new()),
        done: create_signal(None),
        error: create_signal(None),
        last_job: create_signal(0.0),
    };
    on_mount(move || {
        chrome::on_summary_job(move || summary.take_job());
        summary.take_job();
    });
    let my_language = user_language().unwrap_or_else(|| "en".into());
    view! {
        section(class="card summary", aria-labelledby="summary-heading",
                data-state=if summary.running.get() { "running" } else if summary.done.with(Option::is_some) { "done" } else { "idle" }) {
            h2(id="summary-heading") { (t("summaryHeading")) }
            div(class="summary-options") {
                select(aria-label=t("summaryForm"), on:change=move |e: web_sys::Event| {
                    summary.mode.set(match selected_value(e).as_deref() {
                        Some("tldr") => SummaryMode::Tldr,
                        Some("detailed") => SummaryMode::Detailed,
                        _ => SummaryMode::KeyPoints,
                    })
                }) {
                    option(value="key_points") { (t("summaryKeyPoints")) }
                    option(value="tldr") { (t("summaryTldr")) }
                    option(value="detailed") { (t("summaryDetailed")) }
                }
                select(aria-label=t("summaryLanguage"), on:change=move |e: web_sys::Event| {
                    summary.in_my_language.set(selected_value(e).as_deref() == Some("mine"))
                }) {
                    option(value="page") { (t("summaryInPageLanguage")) }
                    option(value="mine") { (t_with("summaryInMyLanguage", &[&my_language])) }
                }
            }
            (match summary.source.get_clone() {
                Some((title, url)) => {
                    let label = if title.is_empty() { t("untitledPage") } else { title };
                    let tip = url.clone();
                    view! {
                        p(class="summary-source") {
                            a(href=url, target="_blank", rel="noopener noreferrer", title=tip) { (label) }
                        }
                    }
                }
                None => view! {},
            })
            (match summary.status.get_clone() {
                Some(status) => view! { p(class="muted summary-status", role="status") { (status) } },
                None => view! {},
            })
            (if summary.text.with(String::is_empty) {
                view! {}
            } else {
                view! { div(class="summary-text", aria-live="polite") { (summary.text.get_clone()) } }
            })
            (match summary.done.get_clone() {
                Some(reply) => view! {
                    p(class="muted stats") {
                        (tn("summaryParts", reply.parts as u64, &[])) " · "
                        (tn("tokensRead", reply.source_tokens as u64, &[])) " · "
                        (t_with("tokensPerSecond", &[&number(reply.decode_tokens_per_s, 1)]))
                    }
                },
                None => view! {},
            })
            (match summary.error.get_clone() {
                Some(error) => {
                    let text = error_text(&error);
                    view! {
                        p(class="error", role="alert", data-code=format!("{:?}", error.code)) { (text) }
                    }
                }
                None => view! {},
            })
            div(class="summary-actions") {
                (if summary.running.get() {
                    view! {
                        button(class="secondary", on:click=move |_| {
                            wasm_bindgen_futures::spawn_local(async move {
                                let _ = client().stop_chat().await;
                            });
                        }) { (t("stop")) }
                    }
                } else {
                    view! {
                        button(on:click=move |_| summary.start(None, SummaryKind::Page, None)) { (t("summarizeThisPage")) }
                    }
                })
                (match summary.done.get_clone() {
                    Some(reply) if !reply.text.trim().is_empty() => view! {
                        button(class="secondary", on:click=move |_| state.chat_seed.set(Some(chat_seed(&reply)))) {
                            (t("continueInChat"))
                        }
                    },
                    _ => view! {},
                })
            }
        }
    }
}
