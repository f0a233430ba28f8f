//! An answer spoken as it streams (`chat` or `summarize_page` with `speak` set): the LLM
//! worker's (or a user's model server's) tokens are relayed as usual and cut into sentences as they arrive
//! (`models::tts::SentenceStream`); each complete sentence goes to the speech-out worker at once
//! (one at a time, in order) and its audio onto one playback of the document's speaker, so the
//! first sentence plays while the model still writes. `sentence` events carry char offsets into
//! the whole answer. The reply waits for the answer to end and the last sentence to play (or
//! be stopped), and says what was spoken.

use std::collections::VecDeque;
use std::rc::Rc;

use futures_channel::mpsc::UnboundedReceiver;
use futures_util::future::pending;
use futures_util::{FutureExt, Stream, StreamExt};
use gloo_timers::future::TimeoutFuture;
use models::llm::ProseStream;
use models::tts::{Sentence, SentenceStream};
use protocol::{
    Engine, ErrorCode, Event, Id, LanternError, Reply, Request, Response, SpeechStyle, Spoken,
};
use webext::{PortEvent, PortLink};

use super::pool::{Pool, Replies};
use super::relay;
use super::speaker::{self, Playback, Speaker};
use crate::speech_feed::SentenceAudio;

/// An answer being written, by an engine worker or a user's model server: its replies, and a
/// way to stop it from outside the loop that reads them.
pub trait Answer: Stream<Item = Reply> + Unpin {
    fn stopper(&self) -> Rc<dyn Fn()>;
}

impl Answer for super::pool::Replies {
    fn stopper(&self) -> Rc<dyn Fn()> {
        let canceller = self.canceller();
        Rc::new(move || canceller.cancel())
    }
}

impl Answer for super::backend::Answering {
    fn stopper(&self) -> Rc<dyn Fn()> {
        Rc::new(self.stop_handle())
    }
}

/// Heartbeats keep the service worker awake while the last sentences play.
const HEARTBEAT_MS: f64 = 10_000.0;
/// How often the loop looks at the audio clock (sentence starts, the end).
const TICK_MS: u32 = 50;

/// One sentence being made by the speech-out worker.
struct Making {
    worker_id: Id,
    replies: Replies,
    audio: UnboundedReceiver<SentenceAudio>,
    /// Where the sentence starts in the answer, in chars.
    offset: u32,
}

/// Serves a `chat` or `summarize_page` whose answer is spoken with `style`, its replies coming
/// from what `start` begins (the LLM worker, or a user's model server); `None` when the asker
/// went away (generation and speech are then abandoned).
#[allow(clippy::too_many_arguments)] // one request, its port, and the two engines it drives
pub async fn serve<A: Answer>(
    pool: &Rc<Pool>,
    speaker: &Speaker,
    start: impl FnOnce() -> Result<A, LanternError>,
    id: Id,
    style: SpeechStyle,
    post: &dyn Fn(&Reply),
    link: &mut PortLink,
) -> relay::Outcome {
    if let Err(error) = speaker::check(style.rate, style.volume) {
        return Some(Err(error));
    }
    let mut answer = match start() {
        Ok(replies) => replies,
        Err(error) => return Some(Err(error)),
    };
    let stop_answer = answer.stopper();
    let (playback, mut woken) = match speaker
        .begin(pool, Engine::Tts, style.volume.unwrap_or(1.0))
        .await
    {
        Ok(started) => started,
        Err(error) => return Some(Err(error)),
    };
    let mut speech = Speech {
        pool,
        playback: &playback,
        style: &style,
        prose: ProseStream::new(),
        cutter: SentenceStream::new(),
        waiting: VecDeque::new(),
        making: None,
        cut: 0,
        announced: 0,
        failed: None,
    };
    let mut finished: Option<Result<Response, LanternError>> = None;
    let mut last_post = js_sys::Date::now();
    let outcome = loop {
        for event in playback.due_events() {
            post(&Reply::Progress { id, event });
            last_post = js_sys::Date::now();
        }
        if let Err(error) = speech.next_sentence() {
            speech.fail(error);
        }
        if finished.is_some() && speech.done() {
            break finished.take().map(|result| speech.attach(result));
        }
        if js_sys::Date::now() - last_post >= HEARTBEAT_MS {
            post(&Reply::Heartbeat { id });
            last_post = js_sys::Date::now();
        }
        // The futures borrow the streams only for this wait.
        let step = {
            let mut tick = TimeoutFuture::new(TICK_MS).fuse();
            let mut closed = std::pin::pin!(link.next().fuse());
            let (made_replies, made_audio) = match speech.making.as_mut() {
                Some(making) => (
                    making.replies.next().left_future(),
                    making.audio.next().left_future(),
                ),
                None => (
                    pending::<Option<Reply>>().right_future(),
                    pending::<Option<SentenceAudio>>().right_future(),
                ),
            };
            let generating = if finished.is_none() {
                answer.next().left_future()
            } else {
                pending::<Option<Reply>>().right_future()
            };
            let (mut made_replies, mut made_audio, mut generating) =
                (made_replies.fuse(), made_audio.fuse(), generating.fuse());
            futures_util::select! {
                reply = generating => Step::Answer(reply),
                sentence = made_audio => Step::Audio(sentence),
                reply = made_replies => Step::Made(reply),
                _ = woken.next() => Step::Tick,
                _ = tick => Step::Tick,
                event = closed => match event {
                    PortEvent::Disconnected => Step::Gone,
                    PortEvent::Message(message) if relay::is_stop(&message) => Step::Stop,
                    PortEvent::Message(_) => Step::Tick,
                },
            }
        };
        match step {
            Step::Answer(Some(Reply::Progress { event, .. })) => {
                if let Event::Token { text } = &event {
                    speech.written(text);
                }
                post(&Reply::Progress { id, event });
                last_post = js_sys::Date::now();
            }
            Step::Answer(Some(Reply::Heartbeat { .. })) => {}
            Step::Answer(Some(Reply::Return { value, .. })) => {
                speech.ended();
                finished = Some(Ok(value));
            }
            Step::Answer(Some(Reply::Throw { error, .. })) => {
                // Nothing more will be written: what was is still spoken, then the error.
                speech.ended();
                finished = Some(Err(error));
            }
            Step::Answer(None) => {
                speech.ended();
                finished = Some(Err(LanternError::new(
                    ErrorCode::WorkerCrashed,
                    "the engine worker stopped without answering",
                )));
            }
            Step::Audio(Some(sentence)) => {
                if let Err(error) = speech.play(&sentence) {
                    speech.fail(error);
                }
            }
            // The worker's audio channel closed: its reply follows.
            Step::Audio(None) => {}
            Step::Made(reply) => speech.made(reply),
            Step::Tick => {}
            // The answer ends with what it wrote, and nothing more is said.
            Step::Stop => {
                speech.waiting.clear();
                playback.stop();
                stop_answer();
            }
            // Dropping the answer's replies cancels it in the worker.
            Step::Gone => break None,
        }
    };
    if let Some(making) = speech.making.take() {
        pool.stop_listening(Engine::Tts, making.worker_id);
    }
    speaker.end(&playback);
    outcome
}

enum Step {
    Answer(Option<Reply>),
    Audio(Option<SentenceAudio>),
    Made(Option<Reply>),
    Tick,
    /// The asker pressed Stop.
    Stop,
    Gone,
}

/// The speaking half of one request.
struct Speech<'a> {
    pool: &'a Rc<Pool>,
    playback: &'a Playback,
    style: &'a SpeechStyle,
    /// Tool-call markup is never read aloud; the sentences are cut from the prose around it.
    prose: ProseStream,
    cutter: SentenceStream,
    /// Complete sentences not yet sent to the worker.
    waiting: VecDeque<Sentence>,
    making: Option<Making>,
    /// Sentences cut so far, and `sentence` indexes handed out.
    cut: u32,
    announced: u32,
    /// Why the speech stopped early, told once the answer has ended.
    failed: Option<LanternError>,
}

impl Speech<'_> {
    fn written(&mut self, text: &str) {
        let prose = self.prose.push(text);
        let sentences = self.cutter.push(&prose);
        self.take(sentences);
    }

    /// The answer has ended: its last sentence is complete.
    fn ended(&mut self) {
        let rest = self.prose.finish();
        let mut sentences = self.cutter.push(&rest);
        sentences.extend(self.cutter.finish());
        self.take(sentences);
    }

    fn take(&mut self, sentences: Vec<Sentence>) {
        self.cut += sentences.len() as u32;
        if !self.playback.is_stopped() {
            self.waiting.extend(sentences);
        }
    }

    /// Sends the next sentence to the worker when it is free.
    fn next_sentence(&mut self) -> Result<(), LanternError> {
        if self.making.is_some() || self.playback.is_stopped() {
            return Ok(());
        }
        let Some(sentence) = self.waiting.pop_front() else {
            return Ok(());
        };
        let request = Request::Speak {
            model_id: self.style.model_id.clone(),
            text: sentence.text,
            rate: self.style.rate,
            // The playback's gain sets the volume once for every sentence.
            volume: None,
        };
        let (worker_id, replies, audio) = self.pool.start_speaking(Engine::Tts, request)?;
        self.playback.set_worker_id(worker_id);
        self.making = Some(Making {
            worker_id,
            replies,
            audio,
            offset: u32::try_from(sentence.start).unwrap_or(u32::MAX),
        });
        Ok(())
    }

    /// Schedules a sentence's audio, its offsets moved from the sentence into the answer.
    fn play(&mut self, audio: &SentenceAudio) -> Result<(), LanternError> {
        let Some(offset) = self.making.as_ref().map(|m| m.offset) else {
            return Ok(());
        };
        let event = Event::Sentence {
            index: self.announced,
            start: offset + audio.start,
            end: offset + audio.end,
        };
        self.announced += 1;
        self.playback.schedule(audio, event)
    }

    /// The worker's answer for the sentence it was making.
    fn made(&mut self, reply: Option<Reply>) {
        let failure = match reply {
            // Progress (the voice loading) and heartbeats: the answer is still to come.
            Some(Reply::Progress { .. } | Reply::Heartbeat { .. }) => return,
            Some(Reply::Return { .. }) => None,
            Some(Reply::Throw { error, .. }) => Some(error),
            None => Some(LanternError::new(
                ErrorCode::WorkerCrashed,
                "the speech worker stopped without answering",
            )),
        };
        // The worker posts a sentence's audio before its answer, so all of it is queued by now;
        // the select may have taken the answer first.
        let mut queued = Vec::new();
        if let Some(making) = self.making.as_mut() {
            while let Ok(audio) = making.audio.try_recv() {
                queued.push(audio);
            }
        }
        for audio in &queued {
            if let Err(error) = self.play(audio) {
                self.fail(error);
            }
        }
        if let Some(making) = self.making.take() {
            self.pool.stop_listening(Engine::Tts, making.worker_id);
        }
        if let Some(error) = failure {
            self.fail(error);
        }
    }

    /// Speech cannot go on: it stops; the answer goes on being written.
    fn fail(&mut self, error: LanternError) {
        self.waiting.clear();
        self.playback.stop();
        self.failed.get_or_insert(error);
    }

    /// Nothing is waiting, being made or still sounding (or it was stopped).
    fn done(&self) -> bool {
        self.playback.is_stopped()
            || (self.waiting.is_empty() && self.making.is_none() && self.playback.played_out())
    }

    /// The answer's reply with what was spoken; a speech failure is the request's error (the
    /// answer's text has streamed already and stays where it was shown).
    fn attach(&mut self, result: Result<Response, LanternError>) -> Result<Response, LanternError> {
        let result = result?;
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        let spoken: Spoken = self.playback.spoken(Some(self.cut));
        match result {
            Response::ChatReply(mut reply) => {
                reply.spoken = Some(spoken);
                Ok(Response::ChatReply(reply))
            }
            Response::Summary(mut reply) => {
                reply.spoken = Some(spoken);
                Ok(Response::Summary(reply))
            }
            other => Ok(other),
        }
    }
}
