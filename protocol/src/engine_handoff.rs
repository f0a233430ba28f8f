//! How the background hands a request to the offscreen document. The background sends the request
//! with `chrome.runtime.sendMessage`; the document accepts, then opens a port back named
//! `lantern-engine:<token>` and streams the replies on it. The document initiates the port because
//! only the service worker may listen to `onConnect` (see `UI_PORT`). Closing that port cancels
//! the request; its closing tells either side that the other is gone. The background may post
//! one [`HandoffSignal`] on that port: `stop` (the asker pressed Stop), after which the document
//! still sends the request's final reply (the text so far, `finish: cancelled`).

use serde::{Deserialize, Serialize};

use crate::envelope::Envelope;

/// Prefix of the port the offscreen document opens for one handed-off request.
pub const ENGINE_PORT_PREFIX: &str = "lantern-engine:";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "engine_handoff")]
pub struct EngineHandoff {
    /// Names the port the document opens for this request; unique per service-worker run.
    pub token: u64,
    /// The forwarded request's own random key, the same on every attempt to hand it over: the
    /// document takes a request that must not run twice (`!is_idempotent`) once per key.
    pub key: u64,
    pub envelope: Envelope,
}

/// What the background may say to the document about a request in flight, on its reply port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HandoffSignal {
    /// Stop the answer (and its speech) and reply with what was written.
    Stop,
}

impl EngineHandoff {
    pub fn port_name(&self) -> String {
        format!("{ENGINE_PORT_PREFIX}{}", self.token)
    }

    /// The token of a port opened for a handoff, from its name.
    pub fn token_of(port_name: &str) -> Option<u64> {
        port_name.strip_prefix(ENGINE_PORT_PREFIX)?.parse().ok()
    }
}
