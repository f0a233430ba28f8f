//! Forwarding a request to the offscreen document and relaying every reply. The document gets the
//! request by message and answers on a port it opens back (see `protocol::EngineHandoff`), so
//! cancelling is closing that port, a Stop is a `stop` signal posted on it, and a dead document
//! shows as a disconnect. A request the document took is handed over again only when running it
//! twice is harmless (`retry`).

use futures_util::future::{Either, select};
use futures_util::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use protocol::{EngineHandoff, Envelope, ErrorCode, HandoffSignal, LanternError, Reply};
use wasm_bindgen::JsValue;
use webext::{PortEvent, PortLink, Signals, from_js, to_js};

use crate::retry::{self, Attempt, Next};
use crate::{chrome, engine_ports, offscreen_doc};

/// How often a request that never reached the document is sent again (a document that was just
/// created may not be listening yet; one that was closed mid-request is created again).
const ATTEMPTS: u32 = 3;
/// How long the document may take to open its port after accepting.
const PORT_TIMEOUT_MS: u32 = 10_000;

pub async fn to_offscreen(
    envelope: Envelope,
    sink: &mut dyn FnMut(Reply),
    signals: Option<Signals>,
) {
    let id = envelope.id;
    let mut signals = signals;
    // The same on every attempt: the document takes a non-idempotent request once per key.
    let key = webext::random_token();
    let throw = |code, message: String| Reply::Throw {
        id: Some(id),
        error: LanternError::new(code, message),
    };
    for attempt in 1..=ATTEMPTS {
        if let Err(error) = offscreen_doc::ensure().await {
            return sink(Reply::Throw {
                id: Some(id),
                error,
            });
        }
        let outcome = attempt_once(&envelope, key, sink, &mut signals).await;
        let waits = matches!(outcome, Attempt::NotTaken(_));
        match retry::next(outcome, envelope.body.is_idempotent(), attempt, ATTEMPTS) {
            Next::Stop => return,
            Next::Retry if waits => TimeoutFuture::new(50 * attempt).await,
            Next::Retry => {}
            Next::Unavailable(why) => {
                return sink(throw(
                    ErrorCode::OffscreenUnavailable,
                    format!("the engine did not take the request: {why}"),
                ));
            }
            Next::Abandoned(why) => return sink(throw(ErrorCode::Disconnected, why.into())),
        }
    }
}

/// What wakes the relay: the engine's port, or the asker.
enum Wake {
    Port(PortEvent),
    Gone,
    Stop,
    /// The asker's stop channel closed: nothing to do.
    Nothing,
}

/// The next thing to act on while relaying.
async fn wake(link: &mut PortLink, signals: &mut Option<Signals>) -> Wake {
    let Some(signals) = signals.as_mut() else {
        return Wake::Port(link.next().await);
    };
    let mut port = std::pin::pin!(link.next().fuse());
    let mut stop = signals.stop.next();
    futures_util::select! {
        event = port => Wake::Port(event),
        // Cancelled (or the connection table dropped the sender): stop relaying.
        _ = &mut signals.gone => Wake::Gone,
        // A closed channel is terminated, so the next wait skips it.
        stopped = stop => if stopped.is_some() { Wake::Stop } else { Wake::Nothing },
    }
}

async fn attempt_once(
    envelope: &Envelope,
    key: u64,
    sink: &mut dyn FnMut(Reply),
    signals: &mut Option<Signals>,
) -> Attempt {
    let id = envelope.id;
    let (token, port) = engine_ports::expect();
    let handoff = EngineHandoff {
        token,
        key,
        envelope: envelope.clone(),
    };
    let answer = match chrome::send_message(&to_js(&handoff)).await {
        Ok(answer) => answer,
        Err(err) => {
            engine_ports::forget(token);
            return Attempt::NotTaken(message_of(&err));
        }
    };
    if !accepted(&answer) {
        engine_ports::forget(token);
        return match from_js::<Reply>(answer) {
            Ok(reply) => {
                sink(reply.with_id(id));
                Attempt::Done
            }
            Err(_) => Attempt::NotTaken("no engine answered".into()),
        };
    }
    let timeout = TimeoutFuture::new(PORT_TIMEOUT_MS);
    let mut link = match select(port, timeout).await {
        Either::Left((Ok(link), _)) => link,
        _ => {
            // The document took it: if its port turns up later, nobody waits for it and
            // `engine_ports::arrived` closes it, which cancels the request there.
            engine_ports::forget(token);
            return Attempt::Unanswered;
        }
    };
    loop {
        match wake(&mut link, signals).await {
            Wake::Gone => {
                link.close();
                return Attempt::Done;
            }
            Wake::Nothing => {}
            Wake::Stop => {
                // The document ends the answer and still sends its final reply.
                link.post(&to_js(&HandoffSignal::Stop));
            }
            Wake::Port(PortEvent::Message(value)) => {
                let reply = from_js::<Reply>(value).unwrap_or_else(|err| Reply::Throw {
                    id: Some(id),
                    error: LanternError::new(
                        ErrorCode::Internal,
                        format!("the engine sent an unreadable reply: {err}"),
                    ),
                });
                let done = reply.is_final();
                sink(reply.with_id(id));
                if done {
                    link.close();
                    return Attempt::Done;
                }
            }
            Wake::Port(PortEvent::Disconnected) => return Attempt::Lost,
        }
    }
}

fn accepted(answer: &JsValue) -> bool {
    js_sys::Reflect::get(answer, &"accepted".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

fn message_of(err: &JsValue) -> String {
    js_sys::Error::from(err.clone())
        .message()
        .as_string()
        .unwrap_or_else(|| "unknown error".into())
}
