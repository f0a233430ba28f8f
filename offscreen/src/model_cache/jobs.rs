//! Downloads in progress, one per model. A second request for the same model joins the running
//! download (it gets the same progress and result); a download belongs to no connection, so a
//! closed popup or a killed service worker does not stop it. Only `cancel` (and `cancel_all`,
//! when every model is deleted) does.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures_channel::oneshot;
use protocol::{Event, Id, LanternError, ModelInstalled};
use web_sys::AbortController;

use super::download::Reporter;
use crate::outbox::Outbox;

pub type Outcome = Result<ModelInstalled, LanternError>;

pub struct Job {
    pub abort: AbortController,
    subscribers: RefCell<Vec<Id>>,
    waiters: RefCell<Vec<oneshot::Sender<Outcome>>>,
    pub bytes: Cell<u64>,
    pub total: Cell<Option<u64>>,
    outbox: Rc<Outbox>,
}

impl Reporter for Job {
    fn report(&self, event: Event) {
        if let Event::Download { bytes, total, .. } = &event {
            self.bytes.set(*bytes);
            self.total.set(*total);
        }
        for id in self.subscribers.borrow().iter() {
            self.outbox.progress(*id, event.clone());
        }
    }
}

/// The running downloads of one worker, by model id.
#[derive(Default)]
pub struct Jobs {
    running: RefCell<HashMap<String, Rc<Job>>>,
}

impl Jobs {
    pub fn running(&self, model_id: &str) -> Option<Rc<Job>> {
        self.running.borrow().get(model_id).cloned()
    }

    /// Starts a job for `model_id`, or `None` when one is running (then use `join`).
    pub fn start(&self, model_id: &str, subscriber: Id, outbox: Rc<Outbox>) -> Option<Rc<Job>> {
        let mut running = self.running.borrow_mut();
        if running.contains_key(model_id) {
            return None;
        }
        let job = Rc::new(Job {
            abort: AbortController::new().ok()?,
            subscribers: RefCell::new(vec![subscriber]),
            waiters: RefCell::default(),
            bytes: Cell::new(0),
            total: Cell::new(None),
            outbox,
        });
        running.insert(model_id.to_string(), Rc::clone(&job));
        Some(job)
    }

    /// Ends a job: everyone who joined gets the outcome.
    pub fn finish(&self, model_id: &str, outcome: &Outcome) {
        let job = self.running.borrow_mut().remove(model_id);
        if let Some(job) = job {
            for waiter in job.waiters.borrow_mut().drain(..) {
                let _ = waiter.send(outcome.clone());
            }
        }
    }

    /// Stops `model_id`'s download, if one runs.
    pub fn cancel(&self, model_id: &str) {
        if let Some(job) = self.running(model_id) {
            job.abort.abort();
        }
    }

    /// Stops every download, installed model or not; each receiver resolves once its job has
    /// ended (its last write done), so what is cleared after stays cleared.
    pub fn cancel_all(&self) -> Vec<oneshot::Receiver<Outcome>> {
        let running: Vec<Rc<Job>> = self.running.borrow().values().cloned().collect();
        running
            .iter()
            .map(|job| {
                let (tx, rx) = oneshot::channel();
                job.waiters.borrow_mut().push(tx);
                job.abort.abort();
                rx
            })
            .collect()
    }
}

impl Job {
    /// Follows a running job: its progress goes to `subscriber` too, and its outcome arrives here.
    pub fn join(&self, subscriber: Id) -> oneshot::Receiver<Outcome> {
        self.subscribers.borrow_mut().push(subscriber);
        let (tx, rx) = oneshot::channel();
        self.waiters.borrow_mut().push(tx);
        rx
    }
}
