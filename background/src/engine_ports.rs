//! Ports the offscreen document opens back to us, one per handed-off request, matched to the
//! forwarder waiting for each by the token in the port's name.

use std::cell::RefCell;
use std::collections::HashMap;

use futures_channel::oneshot;
use protocol::EngineHandoff;
use webext::{Port, PortLink};

thread_local! {
    static WAITING: RefCell<HashMap<u64, oneshot::Sender<PortLink>>> = RefCell::new(HashMap::new());
}

/// A fresh token and the port that will arrive for it. Random, not a counter: a token names
/// the port that answers a request, so it must not be guessable by anything else that can
/// open a port to us.
pub fn expect() -> (u64, oneshot::Receiver<PortLink>) {
    let (tx, rx) = oneshot::channel();
    let token = WAITING.with(|waiting| {
        let mut waiting = waiting.borrow_mut();
        let mut token = webext::random_token();
        while waiting.contains_key(&token) {
            token = webext::random_token();
        }
        waiting.insert(token, tx);
        token
    });
    (token, rx)
}

/// Stops waiting for a token's port (the handoff failed or was cancelled).
pub fn forget(token: u64) {
    WAITING.with(|waiting| waiting.borrow_mut().remove(&token));
}

/// A port arrived: give it to whoever waits for it, or close it when nobody does (it belongs to a
/// request from before this service worker restarted).
pub fn arrived(port: Port) {
    let waiter = EngineHandoff::token_of(&port.name())
        .and_then(|token| WAITING.with(|waiting| waiting.borrow_mut().remove(&token)));
    match waiter {
        // Listen at once: the document may already be posting its first reply.
        Some(tx) => {
            if let Err(link) = tx.send(PortLink::new(port)) {
                link.close();
            }
        }
        None => port.disconnect(),
    }
}
