//! A `chrome.runtime.Port` as an async stream of events, so request handlers read replies with
//! `.await` instead of juggling callbacks.

use futures_channel::mpsc;
use futures_util::StreamExt;
use wasm_bindgen::prelude::*;

use crate::chrome::Port;

/// What happened on a port.
#[derive(Debug)]
pub enum PortEvent {
    Message(JsValue),
    /// The other end went away (closed, crashed, or its context was killed).
    Disconnected,
}

/// A port with its listeners. Dropping the link removes the listeners; call `close` to also
/// disconnect the port.
pub struct PortLink {
    port: Port,
    events: mpsc::UnboundedReceiver<PortEvent>,
    on_message: Closure<dyn FnMut(JsValue)>,
    on_disconnect: Closure<dyn FnMut(JsValue)>,
}

impl PortLink {
    pub fn new(port: Port) -> PortLink {
        let (tx, events) = mpsc::unbounded();
        let message_tx = tx.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
            let _ = message_tx.unbounded_send(PortEvent::Message(message));
        });
        let on_disconnect = Closure::<dyn FnMut(JsValue)>::new(move |_port: JsValue| {
            let _ = tx.unbounded_send(PortEvent::Disconnected);
        });
        port.on_message()
            .add_listener(on_message.as_ref().unchecked_ref());
        port.on_disconnect()
            .add_listener(on_disconnect.as_ref().unchecked_ref());
        PortLink {
            port,
            events,
            on_message,
            on_disconnect,
        }
    }

    pub fn port(&self) -> &Port {
        &self.port
    }

    /// Posts a message; false when the port is already gone.
    pub fn post(&self, message: &JsValue) -> bool {
        self.port.post_message(message).is_ok()
    }

    /// The next event; `Disconnected` once the port is gone, and on every call after that.
    pub async fn next(&mut self) -> PortEvent {
        self.events.next().await.unwrap_or(PortEvent::Disconnected)
    }

    /// Disconnects the port; the other end sees `onDisconnect`.
    pub fn close(self) {
        self.port.disconnect();
    }
}

impl Drop for PortLink {
    fn drop(&mut self) {
        self.port
            .on_message()
            .remove_listener(self.on_message.as_ref().unchecked_ref());
        self.port
            .on_disconnect()
            .remove_listener(self.on_disconnect.as_ref().unchecked_ref());
    }
}
