//! One request's cancellation inside a worker: set when the document says the request is
//! stopped or abandoned (its asker pressed Stop, or went away), read by the engine between two
//! steps, and waking the request at once when it is waiting in an engine's queue.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::Waker;

/// Cheap to clone; clones share one flag.
#[derive(Clone, Default)]
pub struct CancelToken(Rc<Inner>);

#[derive(Default)]
struct Inner {
    cancelled: Cell<bool>,
    /// The task waiting for its turn, if it is.
    waiting: RefCell<Option<Waker>>,
}

impl CancelToken {
    pub fn cancel(&self) {
        self.0.cancelled.set(true);
        let waker = self.0.waiting.borrow_mut().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.get()
    }

    /// The flag itself, for the generation loops that read it between two steps.
    pub fn flag(&self) -> &Cell<bool> {
        &self.0.cancelled
    }

    /// Wakes `waker` when the request is cancelled.
    pub(super) fn wake_on_cancel(&self, waker: &Waker) {
        *self.0.waiting.borrow_mut() = Some(waker.clone());
    }
}
