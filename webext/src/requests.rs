//! The requests each port still has in flight, so a port that closes (a popup shut, a service
//! worker killed) cancels the work it asked for.

use std::cell::RefCell;

use crate::chrome::Port;
use futures_channel::oneshot;
use wasm_bindgen::JsValue;

/// Resolves when the request's port went away.
pub type Cancel = oneshot::Receiver<()>;

#[derive(Default)]
pub struct PortRequests {
    // Few ports are open at once, so a list beats a map keyed by JS identity.
    open: RefCell<Vec<(Port, oneshot::Sender<()>)>>,
}

impl PortRequests {
    /// Registers a request on a port and returns its cancellation signal.
    pub fn open_request(&self, port: &Port) -> Cancel {
        let (tx, rx) = oneshot::channel();
        let mut open = self.open.borrow_mut();
        open.retain(|(_, tx)| !tx.is_canceled());
        open.push((port.clone(), tx));
        rx
    }

    /// Cancels every request of a port that closed.
    pub fn close(&self, port: &Port) {
        let mut open = self.open.borrow_mut();
        let (closing, keep): (Vec<_>, Vec<_>) = open.drain(..).partition(|(p, _)| {
            let p: &JsValue = p.as_ref();
            p == AsRef::<JsValue>::as_ref(port)
        });
        *open = keep;
        for (_, tx) in closing {
            let _ = tx.send(());
        }
    }
}
