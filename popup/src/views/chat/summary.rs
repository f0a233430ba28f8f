//! A page in the conversation: its summary streams in as the assistant's answer, under a link
//! to its source, and "Read this page" shows what Lantern can read of the tab (title, address,
//! selection). A summary keeps the page's text as a system message, so follow-up questions are
//! about the page.

use protocol::{
    AnswerSource, ChatMessage, ChatRole, ErrorCode, Event, ModelState, SpeechStyle, Stage,
    SummaryKind, SummaryReply,
};

use super::session::{Chat, Stats};
use crate::client::SummaryAsk;
use crate::history::{PageNote, PageUse};
use crate::i18n::{number, t, t_with};
use crate::state::{Fetch, client};
use crate::views::error_text::ui_error;

/// What a summary's step reads as.
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

/// The user's side of a summary in the conversation: what was asked, of which page once known.
fn request_text(kind: SummaryKind, title: Option<&str>) -> String {
    let title = title.map(|title| {
        if title.trim().is_empty() {
            t("untitledPage")
        } else {
            title.trim().to_string()
        }
    });
    match (kind, title) {
        (SummaryKind::Page, None) => t("summarizeThisPage"),
        (SummaryKind::Selection, None) => t("menuSummarizeSelection"),
        (SummaryKind::Explain, None) => t("menuExplainSelection"),
        (SummaryKind::Page, Some(title)) => t_with("summarizeNamedPage", &[&title]),
        (SummaryKind::Selection, Some(title)) => t_with("summarizeSelectionOn", &[&title]),
        (SummaryKind::Explain, Some(title)) => t_with("explainSelectionOn", &[&title]),
    }
}

impl Chat {
    /// Runs the summary that waited, once nothing streams and the model list is read.
    pub fn run_queued(self) {
        let free = !self.busy() && !self.list.is_loading();
        if free && let Some(ask) = self.queued.get_clone() {
            self.queued.set(None);
            // Started after this update has reached every signal: the model that answers is
            // derived from the list, and may not be derived yet while the list's change
            // reaches this.
            wasm_bindgen_futures::spawn_local(async move { self.summarize(ask) });
        }
    }

    /// Summarizes a page into the conversation: a new one unless this one is still empty (a
    /// summary brings its page's text as context, and one page per conversation keeps that
    /// context whole). Asked while something streams, it waits for that to stop; asked before
    /// the model list is read (a context-menu click opening the panel), it waits for the list.
    pub fn summarize(self, ask: SummaryAsk) {
        if self.busy() {
            self.queued.set(Some(ask));
            self.stop();
            return;
        }
        if self.list.is_loading() {
            self.queued.set(Some(ask));
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            let speak = self.spoken_as(&self.settings.get_clone()).await;
            self.summarize_now(ask, None, speak, |_| {}).await;
        });
    }

    /// A summary of (or a question about) the page asked by voice: `words`, what the user
    /// said, stand as the user's message. Resolves when it is written and, with `ask.speak`,
    /// spoken; `None` when it failed (the error is shown).
    /// Events the summary does not show itself (its sentences' starts) go to `on_event`.
    pub async fn summarize_aloud(
        self,
        ask: SummaryAsk,
        words: String,
        speak: Option<SpeechStyle>,
        on_event: impl FnMut(Event),
    ) -> Option<SummaryReply> {
        if self.busy() || self.list.is_loading() {
            return None;
        }
        self.summarize_now(ask, Some(words), speak, on_event).await
    }

    /// `summarize`, awaited, once nothing streams.
    async fn summarize_now(
        self,
        ask: SummaryAsk,
        words: Option<String>,
        speak: Option<SpeechStyle>,
        mut on_event: impl FnMut(Event),
    ) -> Option<SummaryReply> {
        self.error.set(None);
        self.failed_summary.set(None);
        let served = self.served_now().await;
        let local = if served.is_some() {
            None
        } else {
            self.model.get_clone()
        };
        let (model_id, picked, source, backend) = match (served, local) {
            (Some(served), _) => (
                served.model.clone(),
                served.choice,
                Some(AnswerSource {
                    server: served.backend.name.clone(),
                    model: served.model,
                    cut: false,
                }),
                Some(served.backend),
            ),
            (None, Some(model)) if !matches!(model.state, ModelState::Installed { .. }) => {
                self.error.set(Some(ui_error(
                    ErrorCode::NotInstalled,
                    t_with("summaryNeedsModel", &[&model.entry.name]),
                )));
                return None;
            }
            (None, Some(model)) => (model.entry.id.clone(), model.entry.id, None, None),
            (None, None) => {
                // No model: the list could not be read, or it has no chat model.
                let why = match self.list.list.get_clone() {
                    Fetch::Failed(error) => error,
                    _ => ui_error(ErrorCode::UnknownModel, t("noChatModel")),
                };
                self.error.set(Some(why));
                return None;
            }
        };
        if self.conversation.with(|c| !c.messages.is_empty()) {
            self.new_chat();
        }
        // The page's text is in this conversation from now on: the calculator (which runs
        // without asking) is not offered with it until the user switches it on again.
        self.tools.switch_off();
        self.last.set(None);
        let asked_at = self.conversation.with(|c| c.messages.len());
        let asked_in = self.conversation.with(|c| c.id.clone());
        self.conversation.update(|c| {
            c.model_id = Some(picked);
            c.messages.push(ChatMessage {
                source: None,
                role: ChatRole::User,
                content: words
                    .clone()
                    .unwrap_or_else(|| request_text(ask.kind, None)),
            });
        });
        self.streaming.set(Some(String::new()));
        self.stage.set(Some(t("readingPage")));
        let still_open = move || self.conversation.with(|c| c.id == asked_in);
        {
            let request = client().summarize(model_id, ask.clone(), speak, backend);
            let reply = self
                .stream_into(request, |event| match event {
                    Event::Step { stage, done, total } => {
                        self.stage.set(Some(step_text(stage, done, total)))
                    }
                    Event::SummarySource { title, url, .. } if still_open() => {
                        self.conversation.update(|c| {
                            if let Some(asked) = c.messages.get_mut(asked_at)
                                && words.is_none()
                            {
                                asked.content = request_text(ask.kind, Some(&title));
                            }
                            c.pages.push(PageNote {
                                before: asked_at + 1,
                                kind: PageUse::Summarized,
                                title,
                                url,
                                selection: String::new(),
                            });
                        })
                    }
                    // Download progress says nothing here; speech events are the caller's.
                    event => on_event(event),
                })
                .await;
            // A new chat was started while it streamed: that stopped it, and it goes unsaved.
            if still_open() {
                let text = reply
                    .as_ref()
                    .map(|r| r.text.clone())
                    .or_else(|| self.streaming.get_clone())
                    .unwrap_or_default();
                if reply.is_none() {
                    self.failed_summary.set(Some(ask));
                }
                if text.trim().is_empty() {
                    // Nothing came of it: the request leaves the conversation again.
                    self.conversation.update(|c| c.truncate(asked_at));
                } else {
                    self.conversation.update(|c| {
                        if let Some(reply) = reply.as_ref().filter(|r| !r.chat_context.is_empty()) {
                            c.insert(
                                asked_at,
                                ChatMessage {
                                    source: None,
                                    role: ChatRole::System,
                                    content: reply.chat_context.clone(),
                                },
                            );
                        }
                        c.messages.push(ChatMessage {
                            source,
                            role: ChatRole::Assistant,
                            content: text,
                        });
                    });
                    self.last.set(reply.clone().map(Stats::Summary));
                    self.save();
                }
            }
            self.end_stream();
            reply
        }
    }

    /// "Read this page": the active tab's title, address and selection, shown in the
    /// conversation where it stands.
    pub fn read_page(self) {
        if self.reading.get() {
            return;
        }
        self.reading.set(true);
        self.error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match client().page_info().await {
                Ok(info) => {
                    self.conversation.update(|c| {
                        c.pages.push(PageNote {
                            before: c.messages.len(),
                            kind: PageUse::Read,
                            title: info.title,
                            url: info.url,
                            selection: info.selection,
                        })
                    });
                    self.save();
                }
                Err(error) => self.error.set(Some(error)),
            }
            self.reading.set(false);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_request_names_its_page_once_known() {
        assert_eq!(request_text(SummaryKind::Page, None), "Summarize this page");
        assert_eq!(
            request_text(SummaryKind::Page, Some("Lanterns")),
            "Summarize “Lanterns”"
        );
        assert_eq!(
            request_text(SummaryKind::Explain, Some("  ")),
            "Explain the selection on “(untitled page)”"
        );
    }

    #[test]
    fn steps_read_as_progress() {
        assert_eq!(
            step_text(Stage::ReadingPart, Some(2), Some(3)),
            "Reading part 2 of 3…"
        );
        assert_eq!(
            step_text(Stage::WritingSummary, None, None),
            "Writing the summary…"
        );
    }
}
