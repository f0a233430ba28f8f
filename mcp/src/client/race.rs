//! Waiting for the first of two futures (a request, or the user stopping it) without pulling
//! in an executor's combinators: the loser is dropped, which for a request closes its stream.

use std::future::poll_fn;
use std::pin::pin;
use std::task::Poll;

/// `Some` with `work`'s output, or `None` when `stop` completed first.
pub async fn first<T>(work: impl Future<Output = T>, stop: impl Future<Output = ()>) -> Option<T> {
    let mut work = pin!(work);
    let mut stop = pin!(stop);
    poll_fn(|cx| {
        // The stop is looked at first: a user's Stop wins over an answer arriving at once.
        if stop.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        work.as_mut().poll(cx).map(Some)
    })
    .await
}
