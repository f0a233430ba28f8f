//! "Read aloud" on an answer or summary: speaks its text with the settings' voice, highlights
//! the sentence being spoken (from the `sentence` events' char offsets), and offers pause,
//! resume and stop while it speaks. One message is read at a time, as the speaker plays one
//! speech at a time.

use protocol::{Event, Spoken};
use sycamore::prelude::*;

use super::session::Chat;
use crate::i18n::t;
use crate::settings::Settings;
use crate::state::client;
use crate::voices;

/// The message being read, and where in it.
#[derive(Clone, Copy)]
pub struct ReadAloud {
    /// The index in the conversation of the message being read.
    pub index: Signal<Option<usize>>,
    /// The sentence playing now: `start..end` in chars of the message.
    pub sentence: Signal<Option<(usize, usize)>>,
    pub paused: Signal<bool>,
    /// What the last reading played (measured in the document's playback graph), by message.
    pub last: Signal<Option<(usize, Spoken)>>,
}

impl ReadAloud {
    pub fn new() -> ReadAloud {
        ReadAloud {
            index: create_signal(None),
            sentence: create_signal(None),
            paused: create_signal(false),
            last: create_signal(None),
        }
    }

    /// Reads message `index` (its `text`), stopping whatever was read before.
    pub fn start(self, chat: Chat, index: usize, text: String) {
        chat.error.set(None);
        self.index.set(Some(index));
        self.sentence.set(None);
        self.paused.set(false);
        wasm_bindgen_futures::spawn_local(async move {
            let settings: Settings = chat.settings.get_clone();
            let voice = match voices::resolve(chat.list, &settings).await {
                Ok(voice) => voice,
                Err(error) => {
                    chat.error.set(Some(error));
                    self.finish(index);
                    return;
                }
            };
            let spoken = client()
                .speak(text, settings.speech_style(voice))
                .each(|event| {
                    if let Event::Sentence { start, end, .. } = event
                        && self.index.get_untracked() == Some(index)
                    {
                        self.sentence.set(Some((start as usize, end as usize)));
                    }
                })
                .await;
            // A newer reading replaced this one: its error or end is not this one's.
            if self.index.get_untracked() != Some(index) {
                return;
            }
            match spoken {
                Ok(spoken) => self.last.set(Some((index, spoken))),
                Err(error) => chat.error.set(Some(error)),
            }
            self.finish(index);
        });
    }

    fn finish(self, index: usize) {
        if self.index.get_untracked() == Some(index) {
            self.index.set(None);
            self.sentence.set(None);
            self.paused.set(false);
        }
    }

    pub fn pause(self, chat: Chat) {
        self.paused.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = client().pause_speaking().await {
                self.paused.set(false);
                chat.error.set(Some(error));
            }
        });
    }

    pub fn resume(self, chat: Chat) {
        self.paused.set(false);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = client().resume_speaking().await {
                chat.error.set(Some(error));
            }
        });
    }

    pub fn stop(self, chat: Chat) {
        wasm_bindgen_futures::spawn_local(async move {
            // A paused speech is resumed first, so it does not wait on a stopped clock.
            if self.paused.get_untracked() {
                let _ = client().resume_speaking().await;
            }
            if let Err(error) = client().stop_speaking().await {
                chat.error.set(Some(error));
            }
        });
    }

    /// Message `index` while it is read: its text with the sentence being spoken marked.
    /// `None` when it is not being read (it is then shown as Markdown).
    pub fn highlighted(self, index: usize, text: &str) -> Option<View> {
        if self.index.get() != Some(index) {
            return None;
        }
        let chars: Vec<char> = text.chars().collect();
        let (start, end) = self
            .sentence
            .get()
            .map(|(s, e)| (s.min(chars.len()), e.min(chars.len())))
            .unwrap_or((0, 0));
        let part = |from: usize, to: usize| chars[from..to.max(from)].iter().collect::<String>();
        let (before, current, after) = (part(0, start), part(start, end), part(end, chars.len()));
        Some(view! {
            div(class="plain reading") {
                (before)
                mark(class="spoken-sentence") { (current) }
                (after)
            }
        })
    }

    /// The message's Read aloud button, or its pause/resume and stop while it is read.
    pub fn controls(self, chat: Chat, index: usize, text: String) -> View {
        if self.index.get() != Some(index) {
            // What the last reading of this message played, for whoever checks it (tests).
            let played = self
                .last
                .get_clone()
                .filter(|(at, _)| *at == index)
                .map(|(_, s)| {
                    format!(
                        "{} {} {} {}",
                        s.sentences, s.started, s.played_seconds, s.rms
                    )
                })
                .unwrap_or_default();
            return view! {
                button(class="link read-aloud", r#type="button", aria-label=t("readAloudLabel"),
                       data-played=played,
                       on:click=move |_| self.start(chat, index, text.clone())) { (t("readAloud")) }
            };
        }
        let toggle = if self.paused.get() {
            view! {
                button(class="link resume-speaking", r#type="button",
                       on:click=move |_| self.resume(chat)) { (t("resumeSpeaking")) }
            }
        } else {
            view! {
                button(class="link pause-speaking", r#type="button",
                       on:click=move |_| self.pause(chat)) { (t("pauseSpeaking")) }
            }
        };
        view! {
            span(class="speaking-status", role="status") {
                (if self.paused.get() { t("speakingPaused") } else { t("speakingNow") })
            }
            (toggle)
            button(class="link stop-speaking", r#type="button",
                   on:click=move |_| self.stop(chat)) { (t("stopSpeaking")) }
        }
    }
}
