//! The requests each port still has in flight, so a port that closes (a popup shut, a service
//! worker killed) cancels the work it asked for, and a `stop_chat` sent on a port stops the one
//! request of that port it names (never another asker's).

use std::cell::RefCell;

use crate::chrome::Port;
use futures_channel::{mpsc, oneshot};
use wasm_bindgen::JsValue;

/// Resolves when the request's port went away.
pub type Cancel = oneshot::Receiver<()>;

/// What can end one request early: its asker going away, or the asker pressing Stop.
pub struct Signals {
    /// Resolves when the asker's port closed: the request is abandoned.
    pub gone: Cancel,
    /// Yields once for each Stop the asker sent for this request: it ends with what it has.
    pub stop: mpsc::UnboundedReceiver<()>,
}

struct Open {
    port: Port,
    id: u64,
    gone: oneshot::Sender<()>,
    stop: mpsc::UnboundedSender<()>,
}

#[derive(Default)]
pub struct PortRequests {
    // Few ports are open at once, so a list beats a map keyed by JS identity.
    open: RefCell<Vec<Open>>,
}

impl PortRequests {
    /// Registers request `id` on a port and returns what may end it early.
    pub fn open_request(&self, port: &Port, id: u64) -> Signals {
        let (gone, gone_rx) = oneshot::channel();
        let (stop, stop_rx) = mpsc::unbounded();
        let mut open = self.open.borrow_mut();
        // A request that ended dropped its signals.
        open.retain(|o| !o.gone.is_canceled());
        open.push(Open {
            port: port.clone(),
            id,
            gone,
            stop,
        });
        Signals {
            gone: gone_rx,
            stop: stop_rx,
        }
    }

    /// Stops request `id` of `port`; whether it was still in flight.
    pub fn stop(&self, port: &Port, id: u64) -> bool {
        self.open
            .borrow()
            .iter()
            .filter(|o| o.id == id && same(&o.port, port) && !o.gone.is_canceled())
            .any(|o| o.stop.unbounded_send(()).is_ok())
    }

    /// Cancels every request of a port that closed.
    pub fn close(&self, port: &Port) {
        let mut open = self.open.borrow_mut();
        let (closing, keep): (Vec<_>, Vec<_>) = open.drain(..).partition(|o| same(&o.port, port));
        *open = keep;
        for o in closing {
            let _ = o.gone.send(());
        }
    }
}

fn same(a: &Port, b: &Port) -> bool {
    let a: &JsValue = a.as_ref();
    a == AsRef::<JsValue>::as_ref(b)
}
