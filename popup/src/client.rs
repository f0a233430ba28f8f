//! The UI's connection to the background: one port, many requests in flight, replies matched by
//! id. When the service worker dies the port closes; idempotent requests are then sent once more
//! on a fresh port (which wakes the worker again), the others fail with `disconnected`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures_channel::mpsc;
use futures_util::StreamExt;
use protocol::{Envelope, ErrorCode, Id, LanternError, Reply, Request, Response, UI_PORT};
use wasm_bindgen::JsValue;
use webext::{Port, PortEvent, PortLink, from_js, to_js};

struct Pending {
    request: Request,
    replies: mpsc::UnboundedSender<Reply>,
    resent: bool,
}

#[derive(Default)]
struct Inner {
    port: Option<Port>,
    next_id: Id,
    pending: HashMap<Id, Pending>,
}

/// A cheap handle; clones share one connection.
#[derive(Clone, Default)]
pub struct Client {
    inner: Rc<RefCell<Inner>>,
}

impl Client {
    /// Sends a request and waits for its final reply.
    pub async fn call(&self, request: Request) -> Result<Response, LanternError> {
        let mut replies = self.send(request)?;
        while let Some(reply) = replies.next().await {
            match reply {
                Reply::Return { value, .. } => return Ok(value),
                Reply::Throw { error, .. } => return Err(error),
                Reply::Progress { .. } | Reply::Heartbeat { .. } => {}
            }
        }
        Err(disconnected())
    }

    /// Sends a request; every reply arrives on the stream, the final one last.
    pub fn send(&self, request: Request) -> Result<mpsc::UnboundedReceiver<Reply>, LanternError> {
        let (tx, rx) = mpsc::unbounded();
        let id = {
            let mut inner = self.inner.borrow_mut();
            inner.next_id += 1;
            inner.next_id
        };
        self.post(id, &request)?;
        self.inner.borrow_mut().pending.insert(
            id,
            Pending {
                request,
                replies: tx,
                resent: false,
            },
        );
        Ok(rx)
    }

    fn post(&self, id: Id, request: &Request) -> Result<(), LanternError> {
        let message = to_js(&Envelope::new(id, request.clone()));
        if self.port()?.post_message(&message).is_ok() {
            return Ok(());
        }
        // The port died before its disconnect event reached us (the service worker was just
        // killed): a fresh port wakes the worker again.
        self.inner.borrow_mut().port = None;
        self.port()?
            .post_message(&message)
            .map_err(|_| disconnected())
    }

    fn port(&self) -> Result<Port, LanternError> {
        if let Some(port) = self.inner.borrow().port.clone() {
            return Ok(port);
        }
        let info = js_sys::Object::new();
        js_sys::Reflect::set(&info, &"name".into(), &JsValue::from_str(UI_PORT))
            .map_err(|_| disconnected())?;
        let port = webext::connect(&info).map_err(|_| {
            LanternError::new(
                ErrorCode::Disconnected,
                "Lantern was updated or reloaded; close and reopen this page",
            )
        })?;
        self.inner.borrow_mut().port = Some(port.clone());
        let client = self.clone();
        let link = PortLink::new(port.clone());
        wasm_bindgen_futures::spawn_local(async move { client.read(link).await });
        Ok(port)
    }

    async fn read(&self, mut link: PortLink) {
        while let PortEvent::Message(value) = link.next().await {
            match from_js::<Reply>(value) {
                Ok(reply) => self.deliver(reply),
                Err(err) => web_sys_log(&format!("Lantern: unreadable reply: {err}")),
            }
        }
        self.reconnect_pending();
    }

    fn deliver(&self, reply: Reply) {
        let Some(id) = reply.id() else { return };
        let mut inner = self.inner.borrow_mut();
        if let Some(pending) = inner.pending.get(&id) {
            let _ = pending.replies.unbounded_send(reply.clone());
        }
        if reply.is_final() {
            inner.pending.remove(&id);
        }
    }

    /// The port closed: send idempotent requests once more on a new port, fail the rest.
    fn reconnect_pending(&self) {
        let lost: Vec<(Id, Pending)> = {
            let mut inner = self.inner.borrow_mut();
            inner.port = None;
            inner.pending.drain().collect()
        };
        for (id, mut pending) in lost {
            let again = !pending.resent && pending.request.is_idempotent();
            if again && self.post(id, &pending.request).is_ok() {
                pending.resent = true;
                self.inner.borrow_mut().pending.insert(id, pending);
            } else {
                let _ = pending.replies.unbounded_send(Reply::Throw {
                    id: Some(id),
                    error: disconnected(),
                });
            }
        }
    }
}

fn disconnected() -> LanternError {
    LanternError::new(
        ErrorCode::Disconnected,
        "lost the connection to Lantern's background; try again",
    )
}

fn web_sys_log(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}
