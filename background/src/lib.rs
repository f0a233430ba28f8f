//! Lantern's service worker in Rust: the message router and everything it routes to.
//! `static/sw.js` registers every listener synchronously and calls into `Background` once the
//! wasm is ready; nothing here keeps state that matters after the worker is killed and restarted.
#![deny(clippy::unwrap_used)]

mod chrome;
mod engine_ports;
mod forward;
mod menus;
mod offscreen_doc;
mod page;
pub mod retry;
pub mod router;
mod serve;
mod summarize;
mod voice_command;

use std::rc::Rc;

use js_sys::Promise;
use protocol::{ErrorCode, LanternError, Origin, Reply};
use wasm_bindgen::prelude::*;
use webext::{MessageSender, Port, PortRequests, to_js, to_json};

/// The router, created once per service-worker start by the JS shim.
#[wasm_bindgen]
pub struct Background {
    our_id: String,
    requests: Rc<PortRequests>,
}

#[wasm_bindgen]
impl Background {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Background {
        console_error_panic_hook::set_once();
        Background {
            our_id: webext::extension_id(),
            requests: Rc::default(),
        }
    }

    /// `chrome.runtime.onMessage`: resolves to the one final reply (progress is not delivered on
    /// this channel; UIs that want it use a port).
    pub fn on_message(&self, message: JsValue, sender: MessageSender) -> Promise {
        let origin = self.origin_of(&sender);
        let message = to_json(message);
        wasm_bindgen_futures::future_to_promise(async move {
            let mut last = None;
            serve::serve(&message, origin, &mut |reply| last = Some(reply), None).await;
            let reply = last.unwrap_or_else(|| Reply::Throw {
                id: message.get("id").and_then(|id| id.as_u64()),
                error: LanternError::new(ErrorCode::Internal, "the request ended with no reply"),
            });
            Ok(to_js(&reply))
        })
    }

    /// A message on a UI port: served in its own task, every reply posted back on the port.
    pub fn on_port_message(&self, port: Port, message: JsValue) {
        let origin = match port.sender() {
            Some(sender) => self.origin_of(&sender),
            None => Origin::External,
        };
        let message = to_json(message);
        // A message without an id is refused by the router; its signals are never used.
        let id = message.get("id").and_then(|id| id.as_u64()).unwrap_or(0);
        let signals = self.requests.open_request(&port, id);
        let asker = serve::Asker {
            signals,
            port: port.clone(),
            requests: Rc::clone(&self.requests),
        };
        wasm_bindgen_futures::spawn_local(async move {
            let post = |reply: Reply| {
                // A closed port only means the UI went away; its request is being cancelled.
                let _ = port.post_message(&to_js(&reply));
            };
            serve::serve(&message, origin, &mut { post }, Some(asker)).await;
        });
    }

    /// A port the offscreen document opened to answer a handed-off request.
    pub fn on_engine_port(&self, port: Port) {
        let sender = port.sender();
        let from_document = sender.as_ref().is_some_and(|s| {
            protocol::is_offscreen_document(&self.our_id, s.id().as_deref(), s.url().as_deref())
        });
        // Replies only come from the document the request was handed to: a content script (any
        // page can drive one) naming a port after a waiting token would otherwise answer it.
        if from_document {
            engine_ports::arrived(port);
        } else {
            port.disconnect();
        }
    }

    /// A UI port closed: cancel what it still had in flight.
    pub fn on_port_closed(&self, port: Port) {
        self.requests.close(&port);
    }

    /// `onMessageExternal` / `onConnectExternal`: web pages and other extensions get a typed refusal.
    pub fn on_external(&self, message: JsValue) -> JsValue {
        // Only the id and the request's name are read, each bounded: the rest of a stranger's
        // message (any size, any depth) is never converted.
        let (id, request) = webext::peek_request(&message);
        to_js(&router::refuse_external(id, &request))
    }

    /// `chrome.contextMenus.onClicked` (after `sw.js` opened the side panel): leaves the
    /// summary or image job for the panel.
    pub fn on_menu_click(&self, info: JsValue, tab: JsValue) -> Promise {
        wasm_bindgen_futures::future_to_promise(async move {
            menus::clicked(info, tab).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `chrome.commands.onCommand` for the voice command (after `sw.js` opened the side panel):
    /// leaves the press for the panel, and shows "listening" on the toolbar if it starts one.
    pub fn on_voice_command(&self, tab: JsValue) -> Promise {
        wasm_bindgen_futures::future_to_promise(async move {
            voice_command::pressed(tab).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `chrome.runtime.onInstalled` (and each browser start, as "startup"): set up the context
    /// menu, and greet a new user.
    pub fn on_installed(&self, reason: String) -> Promise {
        wasm_bindgen_futures::future_to_promise(async move {
            menus::install().await?;
            if reason == "install" {
                chrome::open_tab(&webext::extension_url("ui/welcome.html")).await?;
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    fn origin_of(&self, sender: &MessageSender) -> Origin {
        protocol::classify_sender(
            &self.our_id,
            sender.id().as_deref(),
            sender.url().as_deref(),
        )
    }
}

impl Default for Background {
    fn default() -> Self {
        Self::new()
    }
}
