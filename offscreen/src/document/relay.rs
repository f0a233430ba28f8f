//! Relaying one worker request back to the background: the worker's progress goes out on the
//! reply port as it comes, a heartbeat every 10 s keeps the service worker awake during long
//! work, a `stop` signal from the background is passed to `on_stop` (the request then ends with
//! what it has), and the background closing the port abandons the request.

use futures_util::stream::FusedStream;
use futures_util::{FutureExt, Stream, StreamExt};
use gloo_timers::future::TimeoutFuture;
use protocol::{ErrorCode, HandoffSignal, Id, LanternError, Reply, Response};
use wasm_bindgen::JsValue;
use webext::{PortEvent, PortLink, from_js};

/// Heartbeats keep the service worker awake while it relays a long request.
const HEARTBEAT_MS: u32 = 10_000;

/// What the relay ends with: the worker's final answer, or `None` when the background went away.
pub type Outcome = Option<Result<Response, LanternError>>;

/// Relays `replies` (a worker's, for request `id`) until the final one; `on_progress` sees each
/// progress reply before it is posted, `on_stop` each stop the asker sends.
pub async fn relay<S>(
    replies: &mut S,
    id: Id,
    post: &dyn Fn(&Reply),
    link: &mut PortLink,
    on_progress: &dyn Fn(&Reply),
    on_stop: &dyn Fn(),
) -> Outcome
where
    S: Stream<Item = Reply> + FusedStream + Unpin,
{
    loop {
        let mut heartbeat = TimeoutFuture::new(HEARTBEAT_MS).fuse();
        let mut closed = std::pin::pin!(link.next().fuse());
        futures_util::select! {
            reply = replies.next() => match reply {
                Some(Reply::Return { value, .. }) => return Some(Ok(value)),
                Some(Reply::Throw { error, .. }) => return Some(Err(error)),
                Some(reply) => {
                    on_progress(&reply);
                    post(&reply.with_id(id));
                }
                None => return Some(Err(LanternError::new(
                    ErrorCode::WorkerCrashed,
                    "the engine worker stopped without answering",
                ))),
            },
            _ = heartbeat => post(&Reply::Heartbeat { id }),
            event = closed => match event {
                PortEvent::Disconnected => return None,
                PortEvent::Message(message) if is_stop(&message) => on_stop(),
                PortEvent::Message(_) => {}
            },
        }
    }
}

/// Whether a message from the background on a request's port is its `stop` signal.
pub fn is_stop(message: &JsValue) -> bool {
    from_js::<HandoffSignal>(message.clone()).is_ok_and(|signal| signal == HandoffSignal::Stop)
}
