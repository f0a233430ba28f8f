//! The offscreen document's side: takes requests the background hands off, serves each with the
//! worker pool, and answers on a port it opens back to the background, with heartbeats while work
//! goes on. The background closing that port cancels the request.

use std::rc::Rc;

use futures_util::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use protocol::{
    EngineHandoff, EngineInfo, Envelope, ErrorCode, LanternError, Reply, Request, Response,
};
use wasm_bindgen::prelude::*;
use webext::{MessageSender, Port, PortEvent, PortLink, from_js, to_js};

use crate::dictation_relay;
use crate::pool::{Pool, Task};

/// Heartbeats keep the service worker awake while it relays a long request.
const HEARTBEAT_MS: u32 = 10_000;

/// The document's router; created by `static/host.js` once the wasm is ready.
#[wasm_bindgen]
pub struct Host {
    pool: Rc<Pool>,
    service_worker_url: String,
}

#[wasm_bindgen]
impl Host {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Host {
        console_error_panic_hook::set_once();
        Host {
            pool: Rc::default(),
            service_worker_url: webext::extension_url("background/sw.js"),
        }
    }

    /// A handoff from the background: `{accepted: true}`, then the replies on a port of its own;
    /// or a `throw` reply when it cannot be taken.
    pub fn accept(&self, message: JsValue, sender: MessageSender) -> JsValue {
        // Other extension pages can send messages too: only our service worker drives the engine.
        let from_background = sender.id() == Some(webext::extension_id())
            && sender.url().as_deref() == Some(self.service_worker_url.as_str());
        if !from_background {
            return refuse(
                ErrorCode::Forbidden,
                "only Lantern's background may talk to the engine",
            );
        }
        let handoff = match from_js::<EngineHandoff>(message) {
            Ok(handoff) => handoff,
            Err(err) => return refuse(ErrorCode::MalformedMessage, &format!("bad handoff: {err}")),
        };
        let info = js_sys::Object::new();
        let named = js_sys::Reflect::set(&info, &"name".into(), &handoff.port_name().into());
        let port = match named.ok().and_then(|_| webext::connect(&info).ok()) {
            Some(port) => port,
            None => return refuse(ErrorCode::Internal, "could not open a reply port"),
        };
        let link = PortLink::new(port.clone());
        let pool = Rc::clone(&self.pool);
        wasm_bindgen_futures::spawn_local(serve(pool, handoff.envelope, port, link));
        let accepted = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&accepted, &"accepted".into(), &JsValue::TRUE);
        accepted.into()
    }
}

impl Default for Host {
    fn default() -> Self {
        Self::new()
    }
}

fn refuse(code: ErrorCode, message: &str) -> JsValue {
    to_js(&Reply::Throw {
        id: None,
        error: LanternError::new(code, message),
    })
}

/// Serves one request, posting its replies on `port`; stops early when the background closes it.
async fn serve(pool: Rc<Pool>, envelope: Envelope, port: Port, mut link: PortLink) {
    let id = envelope.id;
    let post = |reply: &Reply| {
        let _ = port.post_message(&to_js(reply));
    };
    let result = match envelope.body {
        Request::EngineInfo => {
            match ask_worker(&pool, id, Request::WorkerInfo, &post, &mut link).await {
                None => return,
                Some(Ok(Response::WorkerInfo(worker))) => Ok(Response::EngineInfo(EngineInfo {
                    offscreen: webext::context_info(),
                    worker,
                })),
                Some(Ok(_)) => Err(unexpected()),
                Some(Err(error)) => Err(error),
            }
        }
        request @ Request::StartDictation { .. } => {
            match dictation_relay::serve(&pool, id, request, &post, &mut link).await {
                None => return,
                Some(result) => result,
            }
        }
        Request::StopDictation => {
            dictation_relay::stop();
            Ok(Response::Done)
        }
        request => {
            if matches!(request, Request::DownloadModel { .. }) {
                request_persistence();
            }
            match ask_worker(&pool, id, request, &post, &mut link).await {
                None => return,
                Some(result) => result,
            }
        }
    };
    post(&match result {
        Ok(value) => Reply::Return { id, value },
        Err(error) => Reply::Throw {
            id: Some(id),
            error,
        },
    });
}

/// Asks a worker and waits for its final reply, relaying progress and sending heartbeats;
/// `None` when the background closed the port (the request is cancelled).
async fn ask_worker(
    pool: &Pool,
    id: u64,
    request: Request,
    post: &dyn Fn(&Reply),
    link: &mut PortLink,
) -> Option<Result<Response, LanternError>> {
    let mut replies = match pool.request(Task::for_request(&request), request) {
        Ok(replies) => replies,
        Err(error) => return Some(Err(error)),
    };
    loop {
        let mut heartbeat = TimeoutFuture::new(HEARTBEAT_MS).fuse();
        let mut closed = std::pin::pin!(link.next().fuse());
        futures_util::select! {
            reply = replies.next() => match reply {
                Some(Reply::Return { value, .. }) => return Some(Ok(value)),
                Some(Reply::Throw { error, .. }) => return Some(Err(error)),
                Some(reply) => post(&reply.with_id(id)),
                None => return Some(Err(LanternError::new(
                    ErrorCode::WorkerCrashed,
                    "the engine worker stopped without answering",
                ))),
            },
            _ = heartbeat => post(&Reply::Heartbeat { id }),
            event = closed => if matches!(event, PortEvent::Disconnected) {
                return None;
            },
        }
    }
}

/// Asks the browser not to evict the model cache under storage pressure. Only a document can ask
/// (not a worker); the answer changes nothing we do, so it is not awaited.
fn request_persistence() {
    if let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) {
        let _ = storage.persist();
    }
}

fn unexpected() -> LanternError {
    LanternError::new(
        ErrorCode::Internal,
        "the engine worker answered the wrong question",
    )
}
