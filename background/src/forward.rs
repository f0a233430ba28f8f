//! Forwarding a request to the offscreen document over a port of its own, relaying every reply.
//! A port per request means cancelling is closing it, and a dead document shows as a disconnect.

use futures_util::future::{Either, select};
use protocol::{Envelope, ErrorCode, LanternError, OFFSCREEN_PORT, Reply};
use wasm_bindgen::JsValue;
use webext::{PortEvent, PortLink, from_js, to_js};

use crate::offscreen_doc;
use webext::Cancel;

/// How often a request that never reached the document is sent again (a document that was just
/// created may not be listening yet; one that was closed mid-request is created again).
const ATTEMPTS: u32 = 3;

pub async fn to_offscreen(envelope: Envelope, sink: &mut dyn FnMut(Reply), cancel: Option<Cancel>) {
    let id = envelope.id;
    let mut cancel = cancel;
    let throw = |code, message: &str| Reply::Throw {
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
        let mut link = match connect() {
            Ok(link) => link,
            Err(error) => return sink(throw(ErrorCode::OffscreenUnavailable, &error)),
        };
        link.post(&to_js(&envelope));
        let mut answered = false;
        loop {
            let event = match cancel.as_mut() {
                // Cancelled (or the connection table dropped the sender): stop relaying.
                Some(cancel) => match select(cancel, std::pin::pin!(link.next())).await {
                    Either::Left(_) => None,
                    Either::Right((event, _)) => Some(event),
                },
                None => Some(link.next().await),
            };
            match event {
                None => return link.close(),
                Some(PortEvent::Message(value)) => {
                    answered = true;
                    let reply = from_js::<Reply>(value).unwrap_or_else(|err| {
                        throw(
                            ErrorCode::Internal,
                            &format!("the engine sent an unreadable reply: {err}"),
                        )
                    });
                    let done = reply.is_final();
                    sink(reply.with_id(id));
                    if done {
                        return link.close();
                    }
                }
                Some(PortEvent::Disconnected) => break,
            }
        }
        if answered || !envelope.body.is_idempotent() || attempt == ATTEMPTS {
            return sink(throw(
                ErrorCode::Disconnected,
                "the engine's document closed before answering; ask again to restart it",
            ));
        }
    }
}

fn connect() -> Result<PortLink, String> {
    let info = js_sys::Object::new();
    js_sys::Reflect::set(&info, &"name".into(), &JsValue::from_str(OFFSCREEN_PORT))
        .map_err(|_| "could not build the connection request".to_string())?;
    webext::connect(&info)
        .map(PortLink::new)
        .map_err(|_| "the extension was reloaded; reopen this page".to_string())
}
