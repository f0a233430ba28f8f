//! The document's engine workers: one per engine (`protocol::Engine`), spawned on first use,
//! replaced after a crash. Each engine has its own worker so a long generation never queues
//! behind a transcription, and a crash takes down one capability, not all. A request's replies
//! come as `Replies`: dropped before the final one (its asker went away), they cancel the
//! request in the worker, so nothing goes on working for nobody.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_channel::mpsc;
use futures_util::stream::{FusedStream, Stream, StreamExt};
use protocol::{Engine, Envelope, ErrorCode, Id, LanternError, Reply, Request};
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};
use webext::{from_js, to_js};

use crate::speech_feed::SentenceAudio;

type Pending = Rc<RefCell<HashMap<Id, mpsc::UnboundedSender<Reply>>>>;
/// Where each `speak` request's sentences go, by the worker's id of the request.
type Listeners = Rc<RefCell<HashMap<Id, mpsc::UnboundedSender<SentenceAudio>>>>;

struct EngineWorker {
    worker: Worker,
    pending: Pending,
    speech: Listeners,
    dead: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl EngineWorker {
    /// Tells the worker to cancel request `id`, if it still runs there.
    fn cancel(&self, id: Id) {
        if !self.dead.get() && self.pending.borrow().contains_key(&id) {
            let _ = self
                .worker
                .post_message(&crate::cancel_signal::message(id).into());
        }
    }
}

/// The replies of one worker request, its final one last.
pub struct Replies {
    rx: mpsc::UnboundedReceiver<Reply>,
    canceller: Canceller,
    ended: bool,
}

/// Cancels one worker request from wherever its replies are being read.
#[derive(Clone)]
pub struct Canceller {
    worker: Rc<EngineWorker>,
    id: Id,
}

impl Canceller {
    /// The request stops at its next step and still sends its final reply (what it has).
    pub fn cancel(&self) {
        self.worker.cancel(self.id);
    }
}

impl Replies {
    pub fn canceller(&self) -> Canceller {
        self.canceller.clone()
    }
}

impl Stream for Replies {
    type Item = Reply;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Reply>> {
        let next = self.rx.poll_next_unpin(cx);
        if let Poll::Ready(reply) = &next
            && reply.as_ref().is_none_or(Reply::is_final)
        {
            self.ended = true;
        }
        next
    }
}

impl FusedStream for Replies {
    fn is_terminated(&self) -> bool {
        self.rx.is_terminated()
    }
}

impl Drop for Replies {
    /// Abandoned before its end: the worker stops working on it, and its replies go nowhere.
    fn drop(&mut self) {
        if !self.ended {
            self.canceller.cancel();
            let id = self.canceller.id;
            self.canceller.worker.pending.borrow_mut().remove(&id);
        }
    }
}

#[derive(Default)]
pub struct Pool {
    workers: RefCell<HashMap<Engine, Rc<EngineWorker>>>,
    next_id: Cell<Id>,
}

impl Pool {
    /// Sends a request to the engine's worker; its replies arrive on the returned stream, which
    /// ends after the final one. Dropping the stream abandons the request (and cancels it).
    pub fn request(&self, engine: Engine, body: Request) -> Result<Replies, LanternError> {
        self.start(engine, body).map(|(_, replies)| replies)
    }

    /// Cancels request `id` of the engine's worker (see [`Canceller::cancel`]).
    pub fn cancel(&self, engine: Engine, id: Id) {
        if let Some(worker) = self.workers.borrow().get(&engine) {
            worker.cancel(id);
        }
    }

    /// Like [`Pool::request`], also giving the id the worker knows the request by (for
    /// [`Pool::post_raw`] messages that belong to it).
    pub fn start(&self, engine: Engine, body: Request) -> Result<(Id, Replies), LanternError> {
        let worker = self.worker(engine)?;
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        let (tx, rx) = mpsc::unbounded();
        worker.pending.borrow_mut().insert(id, tx);
        worker
            .worker
            .post_message(&to_js(&Envelope::new(id, body)))
            .map_err(|_| {
                worker.pending.borrow_mut().remove(&id);
                crashed("the engine worker refused the request")
            })?;
        let replies = Replies {
            rx,
            canceller: Canceller { worker, id },
            ended: false,
        };
        Ok((id, replies))
    }

    /// Like [`Pool::start`] for a request whose worker sends audio: each sentence's samples
    /// arrive on the third stream, which ends when the worker is gone.
    pub fn start_speaking(
        &self,
        engine: Engine,
        body: Request,
    ) -> Result<(Id, Replies, mpsc::UnboundedReceiver<SentenceAudio>), LanternError> {
        let worker = self.worker(engine)?;
        let (tx, audio) = mpsc::unbounded();
        // Registered before the request goes out, so no sentence can arrive unheard.
        let id = self.next_id.get() + 1;
        worker.speech.borrow_mut().insert(id, tx);
        let (started, replies) = self.start(engine, body)?;
        debug_assert_eq!(started, id);
        Ok((id, replies, audio))
    }

    /// Forgets where request `id`'s sentences go (it ended).
    pub fn stop_listening(&self, engine: Engine, id: Id) {
        if let Some(worker) = self.workers.borrow().get(&engine) {
            worker.speech.borrow_mut().remove(&id);
        }
    }

    /// Posts a message that is not a request (audio for a request in flight) to the engine's
    /// running worker, moving `transfer`'s buffers instead of copying them. Dropped when that
    /// worker is gone: its requests have already failed.
    pub fn post_raw(&self, engine: Engine, message: &JsValue, transfer: &js_sys::Array) {
        let workers = self.workers.borrow();
        if let Some(worker) = workers.get(&engine).filter(|w| !w.dead.get()) {
            let _ = worker.worker.post_message_with_transfer(message, transfer);
        }
    }

    /// The engines whose worker is running now.
    pub fn running(&self) -> Vec<Engine> {
        let mut running: Vec<Engine> = self
            .workers
            .borrow()
            .iter()
            .filter(|(_, worker)| !worker.dead.get())
            .map(|(engine, _)| *engine)
            .collect();
        running.sort();
        running
    }

    /// Ends the engine's worker, giving its memory back to the browser (a wasm memory never
    /// shrinks, so ending the worker is the only way); its requests in flight end with
    /// `cancelled` and `why`. The next request starts a fresh worker.
    pub fn retire(&self, engine: Engine, why: &str) {
        if let Some(worker) = self.workers.borrow_mut().remove(&engine) {
            end(
                &worker.pending,
                &worker.dead,
                &worker.worker,
                LanternError::new(ErrorCode::Cancelled, why),
            );
        }
    }

    fn worker(&self, engine: Engine) -> Result<Rc<EngineWorker>, LanternError> {
        let mut workers = self.workers.borrow_mut();
        if let Some(worker) = workers.get(&engine).filter(|w| !w.dead.get()) {
            return Ok(Rc::clone(worker));
        }
        let worker = Rc::new(spawn(engine)?);
        workers.insert(engine, Rc::clone(&worker));
        Ok(worker)
    }
}

fn spawn(engine: Engine) -> Result<EngineWorker, LanternError> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    // The worker starts what its engine needs (a thread pool for the LLM and speech) by its name.
    options.set_name(engine.as_str());
    let url = webext::extension_url("offscreen/worker.js");
    let worker = Worker::new_with_options(&url, &options)
        .map_err(|_| crashed("the browser would not start an engine worker"))?;
    let pending: Pending = Rc::default();
    let speech: Listeners = Rc::default();
    let dead = Rc::new(Cell::new(false));

    let on_message = {
        let (pending, dead, worker) = (Rc::clone(&pending), Rc::clone(&dead), worker.clone());
        let speech = Rc::clone(&speech);
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            if SentenceAudio::is_speech(&data) {
                // A malformed one can only be our own bug; it is dropped, not fatal.
                if let Some(audio) = SentenceAudio::read(&data)
                    && let Some(tx) = speech.borrow().get(&audio.id)
                {
                    let _ = tx.unbounded_send(audio);
                }
                return;
            }
            let Ok(reply) = from_js::<Reply>(data) else {
                return fail_all(
                    &pending,
                    &dead,
                    &worker,
                    "the engine worker sent an unreadable reply",
                );
            };
            if let Reply::Throw { error, .. } = &reply
                && error.code == ErrorCode::EngineStopped
            {
                // A trapped wasm instance cannot be trusted again: replace the worker.
                let message = error.message.clone();
                deliver(&pending, reply);
                return fail_all(&pending, &dead, &worker, &message);
            }
            deliver(&pending, reply);
        })
    };
    let on_error = {
        let (pending, dead, worker) = (Rc::clone(&pending), Rc::clone(&dead), worker.clone());
        Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let message = format!("the engine worker crashed: {}", event.message());
            fail_all(&pending, &dead, &worker, &message);
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(EngineWorker {
        worker,
        pending,
        speech,
        dead,
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn deliver(pending: &Pending, reply: Reply) {
    let Some(id) = reply.id() else { return };
    let mut pending = pending.borrow_mut();
    let done = reply.is_final();
    if let Some(tx) = pending.get(&id) {
        let _ = tx.unbounded_send(reply);
    }
    if done {
        pending.remove(&id);
    }
}

/// Ends every request of a worker that can no longer answer and marks it for replacement.
fn fail_all(pending: &Pending, dead: &Cell<bool>, worker: &Worker, message: &str) {
    end(pending, dead, worker, crashed(message));
}

/// Ends a worker and every request in flight on it with `error`.
fn end(pending: &Pending, dead: &Cell<bool>, worker: &Worker, error: LanternError) {
    dead.set(true);
    worker.terminate();
    for (id, tx) in pending.borrow_mut().drain() {
        let _ = tx.unbounded_send(Reply::Throw {
            id: Some(id),
            error: error.clone(),
        });
    }
}

fn crashed(message: &str) -> LanternError {
    LanternError::new(ErrorCode::WorkerCrashed, message)
}
