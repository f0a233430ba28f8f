//! The chat header's page actions: "Summarize this page" (its form and language behind
//! "Summary options") and "Read this page"; and, in the side panel, the summaries and images
//! that context-menu clicks leave for its window. What they bring arrives in the conversation
//! (`summary.rs`, `image_text.rs`).

use protocol::{ImageJob, SummaryJob, SummaryKind, SummaryMode};
use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;

use super::session::Chat;
use crate::chrome;
use crate::client::SummaryAsk;
use crate::i18n::{t, t_with};

#[derive(Clone, Copy)]
struct Choices {
    mode: Signal<SummaryMode>,
    /// Write in the user's language (`navigator.language`) instead of the page's.
    in_my_language: Signal<bool>,
    /// The `created_ms` of the last job taken, so one click never runs twice.
    last_job: Signal<f64>,
}

fn user_language() -> Option<String> {
    web_sys::window().and_then(|w| w.navigator().language())
}

fn selected_value(event: web_sys::Event) -> Option<String> {
    let select = event.target()?.dyn_into::<HtmlSelectElement>().ok()?;
    Some(select.value())
}

impl Choices {
    fn ask(self, tab_id: Option<i64>, kind: SummaryKind, selection: Option<String>) -> SummaryAsk {
        SummaryAsk {
            tab_id,
            kind,
            mode: self.mode.get(),
            language: if self.in_my_language.get() {
                user_language()
            } else {
                None
            },
            selection,
            question: None,
        }
    }

    fn take_job(self, chat: Chat) {
        wasm_bindgen_futures::spawn_local(async move {
            let Some(window) = chrome::current_window_id().await else {
                return;
            };
            if let Some(job) = chrome::take_summary_job(window).await {
                self.run_job(chat, job);
            }
        });
    }

    fn take_image_job(self, chat: Chat) {
        wasm_bindgen_futures::spawn_local(async move {
            let Some(window) = chrome::current_window_id().await else {
                return;
            };
            if let Some(job) = chrome::take_image_job(window).await {
                self.run_image_job(chat, job);
            }
        });
    }

    fn run_image_job(self, chat: Chat, job: ImageJob) {
        if job.created_ms <= self.last_job.get() {
            return;
        }
        self.last_job.set(job.created_ms);
        chat.read_image_text(job);
    }

    fn run_job(self, chat: Chat, job: SummaryJob) {
        if job.created_ms <= self.last_job.get() {
            return;
        }
        self.last_job.set(job.created_ms);
        chat.summarize(self.ask(Some(job.tab_id), job.kind, job.selection));
    }
}

/// The actions; `takes_jobs` in the side panel, which context-menu clicks open.
#[component(inline_props)]
pub fn PageActions(chat: Chat, takes_jobs: bool) -> View {
    let choices = Choices {
        mode: create_signal(SummaryMode::KeyPoints),
        in_my_language: create_signal(false),
        last_job: create_signal(0.0),
    };
    if takes_jobs {
        on_mount(move || {
            chrome::on_summary_job(move || choices.take_job(chat));
            chrome::on_image_job(move || choices.take_image_job(chat));
            choices.take_job(chat);
            choices.take_image_job(chat);
        });
    }
    let show_options = create_signal(false);
    let my_language = user_language().unwrap_or_else(|| "en".into());
    view! {
        div(class="page-actions", role="group", aria-label=t("pageHeading")) {
            button(r#type="button", disabled=chat.busy(),
                   on:click=move |_| chat.summarize(choices.ask(None, SummaryKind::Page, None))) {
                (t("summarizeThisPage"))
            }
            button(class="secondary icon", r#type="button", aria-label=t("summaryOptions"), title=t("summaryOptions"),
                   aria-expanded=show_options.get().to_string(), aria-controls="summary-options",
                   on:click=move |_| show_options.set(!show_options.get())) { "⋯" }
            button(class="secondary", r#type="button", disabled=chat.busy() || chat.reading.get(),
                   aria-busy=chat.reading.get().to_string(), on:click=move |_| chat.read_page()) {
                (t("readThisPage"))
            }
        }
        (if show_options.get() {
            let my_language = my_language.clone();
            view! {
                div(id="summary-options", class="summary-options") {
                    select(aria-label=t("summaryForm"), on:change=move |e: web_sys::Event| {
                        choices.mode.set(match selected_value(e).as_deref() {
                            Some("tldr") => SummaryMode::Tldr,
                            Some("detailed") => SummaryMode::Detailed,
                            _ => SummaryMode::KeyPoints,
                        })
                    }) {
                        option(value="key_points", selected=choices.mode.get_untracked() == SummaryMode::KeyPoints) { (t("summaryKeyPoints")) }
                        option(value="tldr", selected=choices.mode.get_untracked() == SummaryMode::Tldr) { (t("summaryTldr")) }
                        option(value="detailed", selected=choices.mode.get_untracked() == SummaryMode::Detailed) { (t("summaryDetailed")) }
                    }
                    select(aria-label=t("summaryLanguage"), on:change=move |e: web_sys::Event| {
                        choices.in_my_language.set(selected_value(e).as_deref() == Some("mine"))
                    }) {
                        option(value="page", selected=!choices.in_my_language.get_untracked()) { (t("summaryInPageLanguage")) }
                        option(value="mine", selected=choices.in_my_language.get_untracked()) { (t_with("summaryInMyLanguage", &[&my_language])) }
                    }
                }
            }
        } else {
            view! {}
        })
    }
}
