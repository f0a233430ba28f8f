//! One voice session, from a press to its end: listen (the offscreen document's microphone,
//! the voice detector ending the utterance, Whisper), ask (the chat, or the summary path for the
//! page, spoken as it streams), and meanwhile keep listening, so that speaking over the answer
//! stops its speech (barge-in) and becomes the next question. In conversation mode it listens
//! again after each answer; otherwise an answer heard to its end closes the session. A press,
//! Esc or the button stops it all.

use futures_channel::oneshot;
use protocol::{
    ErrorCode, Event, LanternError, ModelStatus, SummaryKind, SummaryMode, Task, VoiceBadge,
};
use sycamore::prelude::*;

use super::super::chat::Chat;
use super::super::dictate::{VoiceChoice, open_permission_page};
use super::super::error_text::{error_parts, ui_error};
use super::intent::{Intent, intent};
use super::readiness::{self, VoiceOut};
use crate::chrome;
use crate::client::SummaryAsk;
use crate::i18n::{t, ui_language};
use crate::model_list::Models;
use crate::settings::Settings;
use crate::state::client;

/// Where a voice session stands; `Idle` when there is none.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Idle,
    /// Opening the microphone, loading the speech model.
    Starting,
    Listening,
    Hearing,
    /// Whisper at work, with the text so far.
    Transcribing(String),
    /// The question is asked; no sentence is spoken yet.
    Thinking,
    Speaking,
    /// Saying what went wrong, aloud.
    Explaining,
}

impl Phase {
    pub fn name(&self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Starting => "starting",
            Phase::Listening => "listening",
            Phase::Hearing => "hearing",
            Phase::Transcribing(_) => "transcribing",
            Phase::Thinking => "thinking",
            Phase::Speaking => "speaking",
            Phase::Explaining => "explaining",
        }
    }

    fn badge(&self) -> VoiceBadge {
        match self {
            Phase::Idle => VoiceBadge::Off,
            Phase::Starting | Phase::Listening | Phase::Hearing => VoiceBadge::Listening,
            Phase::Transcribing(_) | Phase::Thinking => VoiceBadge::Working,
            Phase::Speaking | Phase::Explaining => VoiceBadge::Speaking,
        }
    }
}

#[derive(Clone, Copy)]
pub struct Voice {
    pub chat: Chat,
    pub models: Models,
    pub phase: Signal<Phase>,
    /// What went wrong, or a note such as "no question was heard".
    pub problem: Signal<Option<LanternError>>,
    /// Models to download before the voice command can work (offered with the problem).
    pub missing: Signal<Vec<ModelStatus>>,
    /// Conversation mode (the settings' `voice_conversation`).
    pub conversation: Signal<bool>,
    /// The window this panel belongs to, once known.
    pub window: Signal<Option<i64>>,
    /// Bumped by every start and stop: a session whose number is not the current one ends.
    run: Signal<u32>,
    /// The answer is being written or spoken: what the microphone hears now is a barge-in.
    answering: Signal<bool>,
    /// The user spoke over the answer.
    interrupted: Signal<bool>,
}

impl Voice {
    pub fn new(chat: Chat, models: Models) -> Voice {
        Voice {
            chat,
            models,
            phase: create_signal(Phase::Idle),
            problem: create_signal(None),
            missing: create_signal(Vec::new()),
            conversation: create_signal(false),
            window: create_signal(None),
            run: create_signal(0),
            answering: create_signal(false),
            interrupted: create_signal(false),
        }
    }

    pub fn active(self) -> bool {
        self.phase.with(|p| *p != Phase::Idle)
    }

    fn current(self, run: u32) -> bool {
        self.run.get_untracked() == run
    }

    fn show(self, run: u32, phase: Phase) {
        if !self.current(run) {
            return;
        }
        let badge = phase.badge();
        if badge != self.phase.with_untracked(Phase::badge) {
            chrome::set_badge(badge, &badge_title(badge));
        }
        self.phase.set(phase);
    }

    /// The command, the button: starts a session, or stops the one in progress.
    pub fn toggle(self, tab_id: Option<i64>) {
        if self.active() {
            self.stop();
        } else {
            self.start(tab_id);
        }
    }

    pub fn start(self, tab_id: Option<i64>) {
        self.problem.set(None);
        self.missing.set(Vec::new());
        if self.chat.busy() {
            // The background showed "listening" for the press; nothing listens.
            self.clear_badge();
            return self
                .problem
                .set(Some(ui_error(ErrorCode::Busy, t("voiceWhileAnswering"))));
        }
        let run = self.run.get_untracked() + 1;
        self.run.set(run);
        self.show(run, Phase::Starting);
        self.mark(true);
        wasm_bindgen_futures::spawn_local(async move {
            self.session(run, tab_id).await;
            if self.current(run) {
                self.end();
            }
        });
    }

    /// Stops listening, the answer and its speech; what was written stays.
    pub fn stop(self) {
        if !self.active() {
            return;
        }
        self.run.set(self.run.get_untracked() + 1);
        let answering = self.answering.get_untracked() || self.chat.busy();
        let asking = self.chat.asking_now();
        self.end();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = client().stop_dictation().await;
            if answering {
                // `stop_chat` ends the answer and its speech alike.
                if let Some(id) = asking {
                    let _ = client().stop_chat(id).await;
                }
            } else {
                let _ = client().stop_speaking().await;
            }
        });
    }

    fn end(self) {
        self.answering.set(false);
        self.phase.set(Phase::Idle);
        self.clear_badge();
        self.mark(false);
    }

    /// Takes the badge back to the toolbar's own, unless a session runs.
    pub fn clear_badge(self) {
        if !self.active() {
            chrome::set_badge(VoiceBadge::Off, &badge_title(VoiceBadge::Off));
        }
    }

    /// Tells the background whether a press in this window means "stop".
    fn mark(self, active: bool) {
        if let Some(window) = self.window.get_untracked() {
            wasm_bindgen_futures::spawn_local(chrome::mark_voice_session(window, active));
        }
    }

    async fn session(self, run: u32, tab_id: Option<i64>) {
        let settings = Settings::load().await;
        self.conversation.set(settings.voice_conversation);
        let choice = VoiceChoice::from_settings(&settings);
        let ready = match readiness::check(self.models, choice.language.as_deref()).await {
            Ok(ready) => ready,
            Err((error, missing)) => {
                // Without a voice nothing can be said aloud; a missing speech model can be.
                let voice = readiness::voice_only(self.models);
                return self.fail(run, error, missing, voice.as_ref()).await;
            }
        };
        // The settings' voice, resolved while the first question is heard (its first use on a
        // device measures the voices); until then the installed default can say a failure.
        let (sender, resolved) = oneshot::channel();
        {
            let models = self.models;
            wasm_bindgen_futures::spawn_local(async move {
                let _ = sender.send(readiness::settings_voice(models, &settings).await);
            });
        }
        let mut resolved = Some(resolved);
        let mut voice = ready.voice.clone();
        if !self.chat.ready() {
            // Perhaps downloaded on another Lantern page since this one read the list.
            let _ = self.models.reload().await;
        }
        if !self.chat.ready() {
            let error = ui_error(ErrorCode::NotInstalled, t("voiceNeedsChatModel"));
            return self.fail(run, error, Vec::new(), Some(&voice)).await;
        }
        // The chat model loads while the question is spoken, not after it: the first answer
        // starts sooner. A failure here shows again, with its reason, when the question is asked.
        if let Some(model) = self.chat.model.get_clone_untracked() {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = client().load_model(model.entry.id, Task::Llm).await;
            });
        }
        // The barge-in listener of the answer before, which heard the next question.
        let mut next: Option<oneshot::Receiver<Result<String, LanternError>>> = None;
        let mut first = true;
        loop {
            let heard = match next.take() {
                Some(listener) => listener.await.unwrap_or_else(|_| Ok(String::new())),
                None => self.listen(run, &ready.speech_model, &choice).await,
            };
            if !self.current(run) {
                return;
            }
            let question = match heard {
                Ok(text) if text.trim().is_empty() => {
                    if first {
                        let note = ui_error(ErrorCode::Cancelled, t("voiceNothingHeard"));
                        self.problem.set(Some(note));
                    }
                    return;
                }
                Ok(text) => text,
                Err(error) => {
                    return self.fail(run, error, Vec::new(), Some(&voice)).await;
                }
            };
            if let Some(resolved) = resolved.take() {
                match resolved.await {
                    Ok(Ok(chosen)) => voice = chosen,
                    Ok(Err(error)) => return self.fail(run, error, Vec::new(), Some(&voice)).await,
                    // The page is closing.
                    Err(_) => return,
                }
            }
            first = false;
            self.show(run, Phase::Thinking);
            self.answering.set(true);
            self.interrupted.set(false);
            let (sender, listener) = oneshot::channel();
            {
                let (model, choice) = (ready.speech_model.clone(), choice.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let heard = self.listen_over_answer(run, &model, &choice).await;
                    let _ = sender.send(heard);
                });
            }
            let answered = self.ask(run, question, tab_id, &voice).await;
            self.answering.set(false);
            if !self.current(run) {
                return;
            }
            if !answered {
                // The chat shows why; a listener still open has nothing to add.
                let _ = client().stop_dictation().await;
                let _ = listener.await;
                return;
            }
            if self.interrupted.get_untracked() || self.conversation.get_untracked() {
                if !self.interrupted.get_untracked() {
                    self.show(run, Phase::Listening);
                }
                next = Some(listener);
            } else {
                let _ = client().stop_dictation().await;
                let _ = listener.await;
                return;
            }
        }
    }

    /// One utterance from the microphone, transcribed; empty when nobody spoke.
    async fn listen(
        self,
        run: u32,
        model: &str,
        choice: &VoiceChoice,
    ) -> Result<String, LanternError> {
        let request = client().start_dictation(
            model.to_string(),
            choice.language.clone(),
            choice.microphone.clone(),
        );
        let dictation = request
            .each(|event| {
                let answering = self.answering.get_untracked();
                let phase = match event {
                    Event::Listening { .. } if answering => return,
                    Event::Listening { .. } => Phase::Listening,
                    Event::SpeechStarted => {
                        if answering {
                            self.interrupted.set(true);
                            // Barge-in: the speech stops, the answer's text goes on.
                            wasm_bindgen_futures::spawn_local(async {
                                let _ = client().stop_speaking().await;
                            });
                        }
                        Phase::Hearing
                    }
                    Event::SpeechEnded { .. } => Phase::Transcribing(String::new()),
                    Event::Transcript { text, .. } => Phase::Transcribing(text),
                    _ => return,
                };
                // Until the user interrupts, the answer's own state is what the panel shows.
                if !answering || self.interrupted.get_untracked() {
                    self.show(run, phase);
                }
            })
            .await;
        dictation.map(|d| d.text)
    }

    /// Listens while the answer is written and spoken: whatever is said over it is the next
    /// question. Nobody speaking for the detector's whole patience only means listening again,
    /// as long as the answer lasts.
    async fn listen_over_answer(
        self,
        run: u32,
        model: &str,
        choice: &VoiceChoice,
    ) -> Result<String, LanternError> {
        loop {
            let heard = self.listen(run, model, choice).await;
            let again = matches!(&heard, Ok(text) if text.trim().is_empty())
                && self.answering.get_untracked()
                && self.current(run);
            if !again {
                return heard;
            }
        }
    }

    /// Asks the question where its intent says, spoken as it streams; whether it was answered.
    async fn ask(self, run: u32, question: String, tab_id: Option<i64>, voice: &VoiceOut) -> bool {
        let on_event = move |event: Event| {
            if matches!(event, Event::Sentence { .. }) && !self.interrupted.get_untracked() {
                self.show(run, Phase::Speaking);
            }
        };
        let speak = Some(voice.style.clone());
        let page = |question: Option<String>| SummaryAsk {
            tab_id,
            kind: SummaryKind::Page,
            // Spoken, a summary is best short.
            mode: SummaryMode::Tldr,
            language: None,
            selection: None,
            question,
        };
        match intent(&question) {
            Intent::Chat => self
                .chat
                .ask_aloud(question, speak.clone(), on_event)
                .await
                .is_some(),
            Intent::SummarizePage => self
                .chat
                .summarize_aloud(page(None), question, speak, on_event)
                .await
                .is_some(),
            Intent::AskPage => self
                .chat
                .summarize_aloud(page(Some(question.clone())), question, speak, on_event)
                .await
                .is_some(),
        }
    }

    /// Shows what went wrong and, when a voice is there and speaks the interface's language,
    /// says it too.
    async fn fail(
        self,
        run: u32,
        error: LanternError,
        missing: Vec<ModelStatus>,
        voice: Option<&VoiceOut>,
    ) {
        if error.code == ErrorCode::MicrophonePermissionNeeded {
            open_permission_page();
        }
        let (kind, detail) = error_parts(&error);
        self.missing.set(missing);
        self.problem.set(Some(error));
        let Some(voice) = voice.filter(|v| speaks(&v.languages, &ui_language())) else {
            return;
        };
        self.show(run, Phase::Explaining);
        // The sentence in the user's language; an engine's technical detail stays on screen.
        let said = kind.unwrap_or(detail);
        let _ = client().speak(said, voice.style.clone()).answer().await;
    }
}

/// Whether a voice for `languages` speaks the interface language `ui` ("en-US" is English).
fn speaks(languages: &[String], ui: &str) -> bool {
    let primary = ui.split(['-', '_']).next().unwrap_or_default();
    languages.iter().any(|l| l.eq_ignore_ascii_case(primary))
}

fn badge_title(badge: VoiceBadge) -> String {
    match badge {
        VoiceBadge::Off => t("actionTitle"),
        VoiceBadge::Listening => t("voiceBadgeListening"),
        VoiceBadge::Working => t("voiceBadgeWorking"),
        VoiceBadge::Speaking => t("voiceBadgeSpeaking"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voice_speaks_the_interface_language_by_its_primary_tag() {
        let english = vec!["en".to_string()];
        assert!(speaks(&english, "en-US"));
        assert!(speaks(&english, "en"));
        assert!(!speaks(&english, "de"));
        assert!(!speaks(&[], "en"));
    }

    #[test]
    fn the_badge_follows_the_phase() {
        assert_eq!(Phase::Starting.badge(), VoiceBadge::Listening);
        assert_eq!(Phase::Thinking.badge(), VoiceBadge::Working);
        assert_eq!(Phase::Speaking.badge(), VoiceBadge::Speaking);
        assert_eq!(Phase::Idle.badge(), VoiceBadge::Off);
    }
}
