//! Taking turns on what an engine holds (its loaded model): requests are served one at a time
//! in the order they came, a waiting one hears how many are ahead of it whenever that changes,
//! and a cancelled one leaves the line at once. Only the request whose turn it is reaches the
//! model, so an engine never loads a second copy of it.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::future::poll_fn;
use std::ops::{Deref, DerefMut};
use std::task::{Poll, Waker};

use futures_util::lock::{Mutex, MutexGuard};

use super::cancel::CancelToken;

/// The order of the requests, first in first served; the one at the front holds the turn.
#[derive(Debug, Default)]
pub struct Line {
    next: u64,
    order: VecDeque<u64>,
}

impl Line {
    /// A place at the back; its ticket.
    pub fn join(&mut self) -> u64 {
        self.next += 1;
        self.order.push_back(self.next);
        self.next
    }

    /// How many are ahead of `ticket` (0: its turn); `None` once it left.
    pub fn ahead(&self, ticket: u64) -> Option<usize> {
        self.order.iter().position(|&t| t == ticket)
    }

    /// Takes `ticket` out of the line, wherever it stands; whether it was there.
    pub fn leave(&mut self, ticket: u64) -> bool {
        let before = self.order.len();
        self.order.retain(|&t| t != ticket);
        self.order.len() != before
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.order.len()
    }
}

/// A value (an engine's model slot) that requests take turns on.
pub struct Turns<T> {
    line: RefCell<Line>,
    /// The tasks waiting for a turn, by ticket: each is woken when the line moves.
    waiting: RefCell<HashMap<u64, Waker>>,
    /// Only the front of the line locks it, so the lock never waits; it gives a guard that
    /// may be held across awaits.
    value: Mutex<T>,
}

impl<T: Default> Default for Turns<T> {
    fn default() -> Self {
        Turns {
            line: RefCell::default(),
            waiting: RefCell::default(),
            value: Mutex::new(T::default()),
        }
    }
}

/// The value, held for one request; the next in line goes on when it is dropped.
pub struct Turn<'a, T> {
    // Fields drop in order: the lock is released before the line moves on.
    guard: MutexGuard<'a, T>,
    _place: Place<'a, T>,
}

impl<T> Deref for Turn<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for Turn<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

/// A place in the line, given up when dropped (served, cancelled, or the request abandoned).
struct Place<'a, T> {
    turns: &'a Turns<T>,
    ticket: u64,
}

impl<T> Drop for Place<'_, T> {
    fn drop(&mut self) {
        self.turns.leave(self.ticket);
    }
}

impl<T> Turns<T> {
    /// Waits for this request's turn, calling `on_wait` with how many are ahead when it must
    /// wait and whenever that number changes; `None` as soon as `cancel` is set.
    pub async fn take(
        &self,
        cancel: &CancelToken,
        on_wait: &mut dyn FnMut(usize),
    ) -> Option<Turn<'_, T>> {
        let ticket = self.line.borrow_mut().join();
        let place = Place {
            turns: self,
            ticket,
        };
        let mut told = None;
        let turn = poll_fn(|cx| {
            if cancel.is_cancelled() {
                return Poll::Ready(false);
            }
            let ahead = self.line.borrow().ahead(ticket);
            match ahead {
                Some(0) => Poll::Ready(true),
                Some(n) => {
                    if told != Some(n) {
                        told = Some(n);
                        on_wait(n);
                    }
                    self.waiting.borrow_mut().insert(ticket, cx.waker().clone());
                    cancel.wake_on_cancel(cx.waker());
                    Poll::Pending
                }
                None => Poll::Ready(false),
            }
        })
        .await;
        self.waiting.borrow_mut().remove(&ticket);
        if !turn {
            // Dropping the place leaves the line and moves the others up.
            return None;
        }
        let guard = self.value.lock().await;
        Some(Turn {
            guard,
            _place: place,
        })
    }

    /// How many requests hold or wait for a turn.
    #[cfg(test)]
    pub fn queued(&self) -> usize {
        self.line.borrow().len()
    }

    fn leave(&self, ticket: u64) {
        self.line.borrow_mut().leave(ticket);
        // Everyone behind moved up: each hears its new place, the new front takes its turn.
        let wakers: Vec<Waker> = {
            let mut waiting = self.waiting.borrow_mut();
            waiting.remove(&ticket);
            waiting.values().cloned().collect()
        };
        for waker in wakers {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell as Cells;
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::Context;

    #[test]
    fn the_line_is_first_come_first_served_and_a_leaver_moves_the_rest_up() {
        let mut line = Line::default();
        let (a, b, c) = (line.join(), line.join(), line.join());
        assert_eq!(
            (line.ahead(a), line.ahead(b), line.ahead(c)),
            (Some(0), Some(1), Some(2))
        );
        // The second leaves while waiting: the third is now next.
        assert!(line.leave(b));
        assert_eq!((line.ahead(a), line.ahead(c)), (Some(0), Some(1)));
        assert!(!line.leave(b));
        assert!(line.leave(a));
        assert_eq!(line.ahead(c), Some(0));
        assert_eq!(line.ahead(b), None);
    }

    type Waiting<'a> = Pin<Box<dyn Future<Output = Option<Turn<'a, u32>>> + 'a>>;

    fn poll<'a>(future: &mut Waiting<'a>) -> Poll<Option<Turn<'a, u32>>> {
        future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn waiting_requests_hear_their_place_and_are_served_in_order() {
        let turns = Turns::<u32>::default();
        let heard = Rc::new(Cells::new(Vec::new()));
        let token = CancelToken::default();
        let mut quiet = |_: usize| {};
        let mut first: Waiting = Box::pin(turns.take(&token, &mut quiet));
        let Poll::Ready(Some(mut held)) = poll(&mut first) else {
            panic!("an idle engine serves at once")
        };
        *held += 1;
        let log = |tag: &'static str| {
            let heard = Rc::clone(&heard);
            move |n: usize| heard.borrow_mut().push((tag, n))
        };
        let (mut log_b, mut log_c) = (log("b"), log("c"));
        let mut second: Waiting = Box::pin(turns.take(&token, &mut log_b));
        let mut third: Waiting = Box::pin(turns.take(&token, &mut log_c));
        assert!(poll(&mut second).is_pending());
        assert!(poll(&mut third).is_pending());
        assert_eq!(*heard.borrow(), vec![("b", 1), ("c", 2)]);
        drop(held);
        // The third is not served before the second, and hears it moved up.
        assert!(poll(&mut third).is_pending());
        assert_eq!(heard.borrow().last(), Some(&("c", 1)));
        let Poll::Ready(Some(held)) = poll(&mut second) else {
            panic!("the second is served once the first is done")
        };
        assert_eq!(*held, 1, "the same value, not a second copy");
        drop(held);
        assert!(matches!(poll(&mut third), Poll::Ready(Some(_))));
    }

    #[test]
    fn a_cancelled_waiting_request_leaves_the_line_at_once() {
        let turns = Turns::<u32>::default();
        let (holder, stopped, after) = (
            CancelToken::default(),
            CancelToken::default(),
            CancelToken::default(),
        );
        let (mut quiet_a, mut quiet_b) = (|_: usize| {}, |_: usize| {});
        let behind = Rc::new(Cells::new(Vec::new()));
        let mut log = {
            let behind = Rc::clone(&behind);
            move |n: usize| behind.borrow_mut().push(n)
        };
        let mut first: Waiting = Box::pin(turns.take(&holder, &mut quiet_a));
        let Poll::Ready(Some(held)) = poll(&mut first) else {
            panic!("an idle engine serves at once")
        };
        let mut waiting: Waiting = Box::pin(turns.take(&stopped, &mut quiet_b));
        let mut last: Waiting = Box::pin(turns.take(&after, &mut log));
        assert!(poll(&mut waiting).is_pending());
        assert!(poll(&mut last).is_pending());
        stopped.cancel();
        assert!(matches!(poll(&mut waiting), Poll::Ready(None)));
        assert_eq!(turns.queued(), 2, "the stopped request left the line");
        assert!(poll(&mut last).is_pending());
        // Stopping a waiting request touched neither the one served nor the one behind it.
        assert!(!holder.is_cancelled() && !after.is_cancelled());
        drop(held);
        assert!(matches!(poll(&mut last), Poll::Ready(Some(_))));
        assert_eq!(*behind.borrow(), vec![2, 1]);
    }

    #[test]
    fn an_abandoned_waiting_request_gives_its_place_back() {
        let turns = Turns::<u32>::default();
        let token = CancelToken::default();
        let (mut quiet_a, mut quiet_b) = (|_: usize| {}, |_: usize| {});
        let mut first: Waiting = Box::pin(turns.take(&token, &mut quiet_a));
        let Poll::Ready(Some(held)) = poll(&mut first) else {
            panic!("an idle engine serves at once")
        };
        let mut dropped: Waiting = Box::pin(turns.take(&token, &mut quiet_b));
        assert!(poll(&mut dropped).is_pending());
        drop(dropped);
        assert_eq!(turns.queued(), 1);
        drop(held);
        assert_eq!(turns.queued(), 0);
    }
}
