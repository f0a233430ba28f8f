//! The document's half of dictation: opens the microphone, moves its buffers to the speech
//! worker (which detects speech, resamples and transcribes), relays the worker's events, and
//! closes the microphone as soon as the worker has heard enough, on `stop_dictation`, or when
//! the asker goes away. One dictation at a time: there is one microphone.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Float32Array};
use protocol::{Engine, ErrorCode, Event, Id, LanternError, Reply, Request};
use webext::PortLink;

use super::microphone::Microphone;
use super::pool::Pool;
use super::relay;
use crate::audio_feed;

/// The dictation in progress.
struct Active {
    pool: Rc<Pool>,
    /// The engine the audio goes to.
    engine: Engine,
    /// The worker's id for the request; 0 until it was sent.
    worker_id: Cell<Id>,
    microphone: RefCell<Option<Microphone>>,
}

impl Active {
    /// Closes the microphone and tells the worker the audio ended (once).
    fn stop(&self) {
        if self.microphone.borrow_mut().take().is_some() && self.worker_id.get() != 0 {
            let message = audio_feed::end_message(self.worker_id.get());
            self.pool.post_raw(self.engine, &message, &Array::new());
        }
    }
}

/// The document's dictation state: at most one at a time, since there is one microphone.
#[derive(Default)]
pub struct Dictation {
    active: RefCell<Option<Rc<Active>>>,
    /// Set while a dictation opens the microphone, before it is `active`.
    opening: Cell<bool>,
}

impl Dictation {
    /// `stop_dictation`: stops listening; the worker still transcribes what it heard.
    pub fn stop(&self) {
        let active = self.active.borrow().clone();
        if let Some(active) = active {
            active.stop();
        }
    }

    /// Serves `start_dictation` with `engine`'s worker; `None` when the asker went away (the
    /// dictation is then stopped).
    pub async fn serve(
        &self,
        pool: &Rc<Pool>,
        engine: Engine,
        id: Id,
        request: Request,
        post: &dyn Fn(&Reply),
        link: &mut PortLink,
    ) -> relay::Outcome {
        if self.opening.get() || self.active.borrow().is_some() {
            return Some(Err(LanternError::new(
                ErrorCode::Busy,
                "Lantern is already listening; stop that dictation first",
            )));
        }
        self.opening.set(true);
        let active = Rc::new(Active {
            pool: Rc::clone(pool),
            engine,
            worker_id: Cell::new(0),
            microphone: RefCell::new(None),
        });
        let device = match &request {
            Request::StartDictation { microphone, .. } => microphone.clone(),
            _ => None,
        };
        let opened = {
            let active = Rc::clone(&active);
            let rate = Rc::new(Cell::new(0.0f32));
            let rate_in = Rc::clone(&rate);
            Microphone::open(device.as_deref(), move |samples| {
                forward(&active, rate_in.get(), samples)
            })
            .await
            .inspect(|mic| rate.set(mic.sample_rate()))
        };
        self.opening.set(false);
        let microphone = match opened {
            Ok(microphone) => microphone,
            Err(error) => return Some(Err(error)),
        };
        let mut replies = match pool.start(engine, request) {
            Ok((worker_id, replies)) => {
                active.worker_id.set(worker_id);
                replies
            }
            Err(error) => return Some(Err(error)),
        };
        *active.microphone.borrow_mut() = Some(microphone);
        *self.active.borrow_mut() = Some(Rc::clone(&active));
        // The worker heard the end of speech: nothing more to record.
        let on_progress = |reply: &Reply| {
            if matches!(
                reply,
                Reply::Progress {
                    event: Event::SpeechEnded { .. },
                    ..
                }
            ) {
                active.stop();
            }
        };
        let outcome = relay::relay(&mut replies, id, post, link, &on_progress, &|| {}).await;
        active.stop();
        self.active.borrow_mut().take();
        outcome
    }
}

/// One captured buffer to the worker, moved rather than copied.
fn forward(active: &Active, rate: f32, samples: Float32Array) {
    let worker_id = active.worker_id.get();
    if worker_id == 0 || active.microphone.borrow().is_none() {
        return;
    }
    let message = audio_feed::samples_message(worker_id, rate, &samples);
    active
        .pool
        .post_raw(active.engine, &message, &Array::of1(&samples.buffer()));
}
