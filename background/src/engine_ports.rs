//! Ports the offscreen document opens back to us, one per handed-off request, matched to the
//! forwarder waiting for each by the token in the port's name.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use futures_channel::oneshot;
use protocol::EngineHandoff;
use webext::{Port, PortLink};

thread_local! {
    static WAITING: RefCell<HashMap<u64, oneshot::Sender<PortLink>>> = RefCell::new(HashMap::new());
    static NEXT_TOKEN: Cell<u64> = const { Cell::new(0) };
}

/// A fresh token and the port that will arrive for it.
pub fn expect() -> (u64, oneshot::Receiver<PortLink>) {
    let token = NEXT_TOKEN.with(|next| {
        next.set(next.get() + 1);
        next.get()
    });
    let (tx, rx) = oneshot::channel();
    WAITING.with(|waiting| waiting.borrow_mut().insert(token, tx));
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
