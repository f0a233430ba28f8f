//! The document's half of dictation: opens the microphone, moves its buffers to the speech
//! worker (which detects speech, resamples and transcribes), relays the worker's events, and
//! closes the microphone as soon as the worker has heard enough, on `stop_dictation`, or when
//! the asker goes away. One dictation at a time: there is one microphone.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_util::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Float32Array, Object, Reflect};
use protocol::{ErrorCode, Event, Id, LanternError, Reply, Request, Response};
use wasm_bindgen::JsValue;
use webext::{PortEvent, PortLink};

use crate::microphone::Microphone;
use crate::pool::{Pool, Task};

/// Heartbeats keep the service worker awake while it relays the dictation.
const HEARTBEAT_MS: u32 = 10_000;

/// The dictation in progress.
struct Active {
    pool: Rc<Pool>,
    task: Task,
    /// The worker's id for the request; 0 until it was sent.
    worker_id: Cell<Id>,
    microphone: RefCell<Option<Microphone>>,
}

impl Active {
    /// Closes the microphone and tells the worker the audio ended (once).
    fn stop(&self) {
        if self.microphone.borrow_mut().take().is_some() && self.worker_id.get() != 0 {
            let message = audio_message(self.worker_id.get());
            let _ = Reflect::set(&message, &"end".into(), &JsValue::TRUE);
            self.pool.post_raw(self.task, &message, &Array::new());
        }
    }
}

thread_local! {
    static ACTIVE: RefCell<Option<Rc<Active>>> = const { RefCell::new(None) };
    /// Set while a dictation opens the microphone, before it is `ACTIVE`.
    static OPENING: Cell<bool> = const { Cell::new(false) };
}

/// `stop_dictation`: stops listening; the worker still transcribes what it heard.
pub fn stop() {
    if let Some(active) = ACTIVE.with(|a| a.borrow().clone()) {
        active.stop();
    }
}

/// Serves `start_dictation`; `None` when the asker went away (the dictation is then stopped).
pub async fn serve(
    pool: &Rc<Pool>,
    id: Id,
    request: Request,
    post: &dyn Fn(&Reply),
    link: &mut PortLink,
) -> Option<Result<Response, LanternError>> {
    if OPENING.with(Cell::get) || ACTIVE.with(|a| a.borrow().is_some()) {
        return Some(Err(LanternError::new(
            ErrorCode::Busy,
            "Lantern is already listening; stop that dictation first",
        )));
    }
    OPENING.with(|o| o.set(true));
    let task = Task::for_request(&request);
    let active = Rc::new(Active {
        pool: Rc::clone(pool),
        task,
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
    OPENING.with(|o| o.set(false));
    let microphone = match opened {
        Ok(microphone) => microphone,
        Err(error) => return Some(Err(error)),
    };
    let mut replies = match pool.start(task, request) {
        Ok((worker_id, replies)) => {
            active.worker_id.set(worker_id);
            replies
        }
        Err(error) => return Some(Err(error)),
    };
    *active.microphone.borrow_mut() = Some(microphone);
    ACTIVE.with(|a| *a.borrow_mut() = Some(Rc::clone(&active)));
    let outcome = relay(&mut replies, &active, id, post, link).await;
    active.stop();
    ACTIVE.with(|a| a.borrow_mut().take());
    outcome
}

async fn relay(
    replies: &mut futures_channel::mpsc::UnboundedReceiver<Reply>,
    active: &Active,
    id: Id,
    post: &dyn Fn(&Reply),
    link: &mut PortLink,
) -> Option<Result<Response, LanternError>> {
    loop {
        let mut heartbeat = TimeoutFuture::new(HEARTBEAT_MS).fuse();
        let mut closed = std::pin::pin!(link.next().fuse());
        futures_util::select! {
            reply = replies.next() => match reply {
                Some(Reply::Return { value, .. }) => return Some(Ok(value)),
                Some(Reply::Throw { error, .. }) => return Some(Err(error)),
                Some(reply) => {
                    // The worker heard the end of speech: nothing more to record.
                    if matches!(reply, Reply::Progress { event: Event::SpeechEnded { .. }, .. }) {
                        active.stop();
                    }
                    post(&reply.with_id(id));
                }
                None => return Some(Err(LanternError::new(
                    ErrorCode::WorkerCrashed,
                    "the speech worker stopped without answering",
                ))),
            },
            _ = heartbeat => post(&Reply::Heartbeat { id }),
            event = closed => if matches!(event, PortEvent::Disconnected) {
                return None;
            },
        }
    }
}

/// One captured buffer to the worker, moved rather than copied.
fn forward(active: &Active, rate: f32, samples: Float32Array) {
    let worker_id = active.worker_id.get();
    if worker_id == 0 || active.microphone.borrow().is_none() {
        return;
    }
    let message = audio_message(worker_id);
    let _ = Reflect::set(&message, &"rate".into(), &JsValue::from(rate));
    let _ = Reflect::set(&message, &"samples".into(), &samples);
    active
        .pool
        .post_raw(active.task, &message, &Array::of1(&samples.buffer()));
}

/// `{kind: "audio", id}`: the worker routes it to the dictation with that request id.
fn audio_message(worker_id: Id) -> Object {
    let message = Object::new();
    let _ = Reflect::set(&message, &"kind".into(), &"audio".into());
    let _ = Reflect::set(&message, &"id".into(), &JsValue::from(worker_id as f64));
    message
}
