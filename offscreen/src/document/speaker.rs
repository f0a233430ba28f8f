//! The document's half of speech out: plays the sentences the speech-out worker makes through
//! one AudioContext, each scheduled right after the one before (no gap, whatever the time each
//! took to make), tells the asker as each begins, honours volume and stops at once on
//! `stop_speaking`, a newer `speak`, or the asker going away; pauses and resumes by stopping
//! the audio clock. It measures what it plays (samples scheduled, their RMS, time played): that
//! is what `spoken` reports. A `Playback` is also what an answer spoken as it streams
//! (`aloud.rs`) schedules its sentences on.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_channel::mpsc;
use futures_util::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use protocol::{Engine, ErrorCode, Event, Id, LanternError, Reply, Request, Response, Spoken};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioBufferSourceNode, AudioContext, AudioContextState, GainNode};
use webext::{PortEvent, PortLink};

use super::pool::Pool;
use super::relay;
use crate::speech_feed::SentenceAudio;

/// Heartbeats keep the service worker awake while a long text is read.
const HEARTBEAT_MS: f64 = 10_000.0;
/// The first sentence starts this long after it arrives, so its start is never in the past.
const LEAD_SECONDS: f64 = 0.05;
/// How often the loop looks at the clock while audio plays (sentence starts, the end).
const TICK_MS: u32 = 50;

/// One speech being played: a `speak`, or an answer spoken as it streams.
pub(super) struct Playback {
    pool: Rc<Pool>,
    engine: Engine,
    /// The worker's id of the request making the audio now (what a stop is sent for).
    worker_id: Cell<Id>,
    context: AudioContext,
    gain: GainNode,
    sources: RefCell<Vec<AudioBufferSourceNode>>,
    stopped_at: Cell<Option<f64>>,
    wake: mpsc::UnboundedSender<()>,
    measures: RefCell<Measures>,
    /// Sentence starts not yet announced: (context time, event).
    upcoming: RefCell<Vec<(f64, Event)>>,
}

impl Playback {
    /// The worker request whose sentences are scheduled now.
    pub(super) fn set_worker_id(&self, id: Id) {
        self.worker_id.set(id);
    }

    pub(super) fn is_stopped(&self) -> bool {
        self.stopped_at.get().is_some()
    }

    /// The sentences whose audio has begun since the last call, in order.
    pub(super) fn due_events(&self) -> Vec<Event> {
        let now = self.context.current_time();
        let mut upcoming = self.upcoming.borrow_mut();
        let due = upcoming.iter().take_while(|(at, _)| *at <= now).count();
        self.measures.borrow_mut().started += due as u32;
        upcoming.drain(..due).map(|(_, event)| event).collect()
    }

    /// Every scheduled sentence has been announced and has played to its end.
    pub(super) fn played_out(&self) -> bool {
        self.upcoming.borrow().is_empty()
            && self.context.current_time() >= self.measures.borrow().end
    }

    /// Plays `sentence` right after the ones before; `event` is announced when it starts.
    pub(super) fn schedule(
        &self,
        sentence: &SentenceAudio,
        event: Event,
    ) -> Result<(), LanternError> {
        let at = schedule(self, sentence, &mut self.measures.borrow_mut())?;
        self.upcoming.borrow_mut().push((at, event));
        Ok(())
    }

    /// What was spoken: `sentences` the text was cut into (`None`: those that started).
    pub(super) fn spoken(&self, sentences: Option<u32>) -> Spoken {
        spoken(sentences, &self.measures.borrow(), self, self.is_stopped())
    }

    /// Silences every scheduled sentence now and tells the worker to make no more (once).
    pub(super) fn stop(&self) {
        if self.stopped_at.get().is_some() {
            return;
        }
        self.stopped_at.set(Some(self.context.current_time()));
        for source in self.sources.borrow_mut().drain(..) {
            #[allow(deprecated)] // `stop()` without a time is `stop(0)`: now
            let _ = source.stop();
            let _ = source.disconnect();
        }
        let _ = self.gain.disconnect();
        if self.worker_id.get() != 0 {
            self.pool.cancel(self.engine, self.worker_id.get());
        }
        let _ = self.wake.unbounded_send(());
    }
}

/// The document's speakers: one AudioContext for every `speak`, one playback at a time.
#[derive(Default)]
pub struct Speaker {
    context: RefCell<Option<AudioContext>>,
    current: RefCell<Option<Rc<Playback>>>,
}

/// What has been scheduled so far, for `spoken`.
#[derive(Default)]
pub(super) struct Measures {
    samples: f64,
    squares: f64,
    seconds: f64,
    synthesis_seconds: f64,
    first_start: Option<f64>,
    end: f64,
    started: u32,
}

impl Speaker {
    /// `stop_speaking`: the audio ends now.
    pub fn stop(&self) {
        let current = self.current.borrow().clone();
        if let Some(playback) = current {
            playback.stop();
        }
    }

    /// `pause_speaking`: the audio clock stops, so every scheduled sentence waits where it is
    /// (and its `sentence` event with it). Pausing with nothing playing is harmless.
    pub async fn pause(&self) -> Result<(), LanternError> {
        self.run_clock(false).await
    }

    /// `resume_speaking`: the clock runs on from where it paused.
    pub async fn resume(&self) -> Result<(), LanternError> {
        self.run_clock(true).await
    }

    /// Suspends or resumes the one AudioContext every sentence is scheduled on.
    async fn run_clock(&self, running: bool) -> Result<(), LanternError> {
        let context = self.context.borrow().clone();
        let Some(context) = context else {
            return Ok(());
        };
        let failed = || {
            cannot_play(if running {
                "the audio would not resume"
            } else {
                "the audio would not pause"
            })
        };
        let changed = if running {
            context.resume()
        } else {
            context.suspend()
        }
        .map_err(|_| failed())?;
        JsFuture::from(changed).await.map_err(|_| failed())?;
        Ok(())
    }

    fn context(&self) -> Result<AudioContext, LanternError> {
        let mut slot = self.context.borrow_mut();
        if let Some(context) = slot
            .as_ref()
            .filter(|c| c.state() != AudioContextState::Closed)
        {
            return Ok(context.clone());
        }
        let context = AudioContext::new().map_err(|_| cannot_play("no audio context"))?;
        *slot = Some(context.clone());
        Ok(context)
    }

    /// Starts a playback for `engine`'s audio at `volume`, stopping the one before (one
    /// voice speaks at a time). Its `woken` stream fires when it is stopped.
    pub(super) async fn begin(
        &self,
        pool: &Rc<Pool>,
        engine: Engine,
        volume: f32,
    ) -> Result<(Rc<Playback>, mpsc::UnboundedReceiver<()>), LanternError> {
        self.stop();
        let context = self.context()?;
        if let Ok(resumed) = context.resume() {
            let _ = JsFuture::from(resumed).await;
        }
        if context.state() != AudioContextState::Running {
            return Err(cannot_play("the browser keeps the audio suspended"));
        }
        let gain = context
            .create_gain()
            .map_err(|_| cannot_play("no gain node"))?;
        gain.gain().set_value(volume);
        gain.connect_with_audio_node(&context.destination())
            .map_err(|_| cannot_play("the speakers cannot be reached"))?;
        let (wake, woken) = mpsc::unbounded();
        let playback = Rc::new(Playback {
            pool: Rc::clone(pool),
            engine,
            worker_id: Cell::new(0),
            context,
            gain,
            sources: RefCell::default(),
            stopped_at: Cell::new(None),
            wake,
            measures: RefCell::default(),
            upcoming: RefCell::default(),
        });
        *self.current.borrow_mut() = Some(Rc::clone(&playback));
        Ok((playback, woken))
    }

    /// The playback is over: silenced if it still sounds, and no longer the current one.
    pub(super) fn end(&self, playback: &Rc<Playback>) {
        playback.stop();
        let mut current = self.current.borrow_mut();
        if current.as_ref().is_some_and(|c| Rc::ptr_eq(c, playback)) {
            *current = None;
        }
    }

    /// Serves `speak` with `engine`'s worker; `None` when the asker went away (the speech is
    /// then stopped).
    pub async fn serve(
        &self,
        pool: &Rc<Pool>,
        engine: Engine,
        id: Id,
        request: Request,
        post: &dyn Fn(&Reply),
        link: &mut PortLink,
    ) -> relay::Outcome {
        let volume = match &request {
            Request::Speak { rate, volume, .. } => {
                if let Err(error) = check(*rate, *volume) {
                    return Some(Err(error));
                }
                volume.unwrap_or(1.0)
            }
            other => return Some(Err(crate::errors::not_served("speaker", other))),
        };
        let (playback, mut woken) = match self.begin(pool, engine, volume).await {
            Ok(started) => started,
            Err(error) => return Some(Err(error)),
        };
        let outcome = self
            .play(&playback, pool, engine, id, request, post, link, &mut woken)
            .await;
        self.end(&playback);
        pool.stop_listening(engine, playback.worker_id.get());
        outcome
    }

    #[allow(clippy::too_many_arguments)] // one request's streams, the port and its playback
    async fn play(
        &self,
        playback: &Playback,
        pool: &Pool,
        engine: Engine,
        id: Id,
        request: Request,
        post: &dyn Fn(&Reply),
        link: &mut PortLink,
        woken: &mut mpsc::UnboundedReceiver<()>,
    ) -> relay::Outcome {
        let (worker_id, mut replies, mut audio) = match pool.start_speaking(engine, request) {
            Ok(started) => started,
            Err(error) => return Some(Err(error)),
        };
        playback.set_worker_id(worker_id);
        let mut made: Option<Spoken> = None;
        let mut last_post = js_sys::Date::now();
        loop {
            for event in playback.due_events() {
                post(&Reply::Progress { id, event });
                last_post = js_sys::Date::now();
            }
            if playback.is_stopped() || (made.is_some() && playback.played_out()) {
                let sentences = made.map(|m| m.sentences);
                return Some(Ok(Response::Spoken(playback.spoken(sentences))));
            }
            if js_sys::Date::now() - last_post >= HEARTBEAT_MS {
                post(&Reply::Heartbeat { id });
                last_post = js_sys::Date::now();
            }
            let mut tick = TimeoutFuture::new(TICK_MS).fuse();
            let mut closed = std::pin::pin!(link.next().fuse());
            futures_util::select! {
                sentence = audio.next() => if let Some(sentence) = sentence {
                    let event = Event::Sentence {
                        index: sentence.index,
                        start: sentence.start,
                        end: sentence.end,
                    };
                    if let Err(error) = playback.schedule(&sentence, event) {
                        return Some(Err(error));
                    }
                },
                reply = replies.next() => match reply {
                    Some(Reply::Return { value: Response::Spoken(value), .. }) => {
                        // The worker posts each sentence's audio before its answer, so the last
                        // ones are queued by now; the select may have taken the answer first.
                        while let Ok(sentence) = audio.try_recv() {
                            let event = Event::Sentence {
                                index: sentence.index,
                                start: sentence.start,
                                end: sentence.end,
                            };
                            if let Err(error) = playback.schedule(&sentence, event) {
                                return Some(Err(error));
                            }
                        }
                        made = Some(value);
                    }
                    Some(Reply::Return { .. }) => return Some(Err(LanternError::new(
                        ErrorCode::Internal,
                        "the speech worker answered the wrong question",
                    ))),
                    Some(Reply::Throw { error, .. }) => return Some(Err(error)),
                    Some(reply) => {
                        post(&reply.with_id(id));
                        last_post = js_sys::Date::now();
                    }
                    None if made.is_some() => {}
                    None => return Some(Err(LanternError::new(
                        ErrorCode::WorkerCrashed,
                        "the speech worker stopped without answering",
                    ))),
                },
                _ = woken.next() => {},
                _ = tick => {},
                event = closed => if matches!(event, PortEvent::Disconnected) {
                    return None;
                },
            }
        }
    }
}

/// Plays one sentence right after the ones before; returns when (context time) it starts.
fn schedule(
    playback: &Playback,
    sentence: &SentenceAudio,
    measures: &mut Measures,
) -> Result<f64, LanternError> {
    let context = &playback.context;
    let samples = sentence.samples.to_vec();
    let at = measures.end.max(context.current_time() + LEAD_SECONDS);
    if samples.is_empty() {
        return Ok(at);
    }
    let length = u32::try_from(samples.len()).map_err(|_| cannot_play("a sentence too long"))?;
    let buffer = context
        .create_buffer(1, length, sentence.rate)
        .map_err(|_| cannot_play("an audio buffer at the voice's rate"))?;
    // From the transferred array, not from wasm memory: the engine's memory is shared, and the
    // browser copies no audio out of a shared buffer.
    buffer
        .copy_to_channel_with_f32_array(&sentence.samples, 0)
        .map_err(|_| cannot_play("copying the audio"))?;
    let source = context
        .create_buffer_source()
        .map_err(|_| cannot_play("no buffer source"))?;
    source.set_buffer(Some(&buffer));
    source
        .connect_with_audio_node(&playback.gain)
        .map_err(|_| cannot_play("the volume control cannot be reached"))?;
    source
        .start_with_when(at)
        .map_err(|_| cannot_play("the sentence would not start"))?;
    playback.sources.borrow_mut().push(source);
    let seconds = samples.len() as f64 / f64::from(sentence.rate);
    measures.samples += samples.len() as f64;
    measures.squares += samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>();
    measures.seconds += seconds;
    measures.synthesis_seconds += sentence.synthesis_ms / 1000.0;
    measures.first_start.get_or_insert(at);
    measures.end = at + seconds;
    Ok(at)
}

fn spoken(
    sentences: Option<u32>,
    measures: &Measures,
    playback: &Playback,
    stopped: bool,
) -> Spoken {
    let first = measures.first_start.unwrap_or(measures.end);
    let until = playback
        .stopped_at
        .get()
        .unwrap_or(measures.end)
        .min(measures.end);
    Spoken {
        sentences: sentences.unwrap_or(measures.started),
        started: measures.started,
        scheduled_seconds: measures.seconds,
        played_seconds: (until - first).max(0.0),
        rms: if measures.samples > 0.0 {
            (measures.squares / measures.samples).sqrt()
        } else {
            0.0
        },
        synthesis_seconds: measures.synthesis_seconds,
        stopped,
    }
}

/// A rate and volume the speaker takes, or why not.
pub(super) fn check(rate: Option<f32>, volume: Option<f32>) -> Result<(), LanternError> {
    let bad = |what: String| Err(LanternError::new(ErrorCode::MalformedMessage, what));
    if let Some(rate) = rate
        && !(0.5..=2.0).contains(&rate)
    {
        return bad(format!("speaking rate {rate} is outside 0.5 to 2"));
    }
    if let Some(volume) = volume
        && !(0.0..=1.0).contains(&volume)
    {
        return bad(format!("volume {volume} is outside 0 to 1"));
    }
    Ok(())
}

fn cannot_play(why: &str) -> LanternError {
    LanternError::new(
        ErrorCode::Internal,
        format!("Lantern cannot play speech here: {why}"),
    )
}
