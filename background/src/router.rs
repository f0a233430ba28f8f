//! Where each message goes: pure decisions over untrusted JSON, testable without a browser.

use protocol::{
    Envelope, LanternError, Origin, ProtocolError, Rejection, Reply, Target, parse_envelope,
};
use serde_json::Value;

/// The decision for one incoming message.
#[derive(Debug, PartialEq)]
pub enum Route {
    /// Answer at once with this reply (an error).
    Reject(Reply),
    /// Served by the background itself.
    Local(Envelope),
    /// Forwarded to the offscreen document.
    Offscreen(Envelope),
    /// Served by a content script in a tab.
    Content(Envelope),
}

/// Parses, authorises and routes one message from a sender of the given origin.
pub fn route(message: &Value, origin: Origin) -> Route {
    let envelope = match parse_envelope(message) {
        Ok(envelope) => envelope,
        Err(Rejection { id, error }) => return Route::Reject(throw(id, error)),
    };
    if !origin.may_send(&envelope.body) {
        let error = ProtocolError::Forbidden {
            request: envelope.body.type_name().into(),
            from: origin.describe(),
        };
        return Route::Reject(throw(Some(envelope.id), error));
    }
    match envelope.target {
        Target::Background => Route::Local(envelope),
        Target::Offscreen => Route::Offscreen(envelope),
        Target::Content => Route::Content(envelope),
    }
}

/// The reply to anything that reaches us from outside the extension.
pub fn refuse_external(id: Option<u64>, request: &str) -> Reply {
    let request = request.to_string();
    throw(
        id,
        ProtocolError::Forbidden {
            request,
            from: Origin::External.describe(),
        },
    )
}

fn throw(id: Option<u64>, error: ProtocolError) -> Reply {
    Reply::Throw {
        id,
        error: LanternError::from(error),
    }
}
