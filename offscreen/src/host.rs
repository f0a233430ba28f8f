//! The offscreen document's side: accepts one request per port from the service worker, serves
//! it with the worker pool, and keeps the port alive with heartbeats while work goes on.

use std::rc::Rc;

use futures_util::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use protocol::{
    EngineInfo, Envelope, ErrorCode, LanternError, Reply, Request, Response, parse_envelope,
};
use wasm_bindgen::prelude::*;
use webext::{Cancel, Port, PortRequests, to_js, to_json};

use crate::pool::{Pool, Task};

/// Heartbeats keep the service worker awake while it relays a long request.
const HEARTBEAT_MS: u32 = 10_000;

/// The document's router; created by `static/host.js` once the wasm is ready.
#[wasm_bindgen]
pub struct Host {
    pool: Rc<Pool>,
    requests: PortRequests,
    service_worker_url: String,
}

#[wasm_bindgen]
impl Host {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Host {
        console_error_panic_hook::set_once();
        Host {
            pool: Rc::default(),
            requests: PortRequests::default(),
            service_worker_url: webext::extension_url("background/sw.js"),
        }
    }

    /// The request on a port from the background.
    pub fn on_port_message(&self, port: Port, message: JsValue) {
        // Content scripts can open ports too: only our own service worker may drive the engine.
        let from_background = port.sender().is_some_and(|sender| {
            sender.id() == Some(webext::extension_id())
                && sender.url().as_deref() == Some(self.service_worker_url.as_str())
        });
        let message = to_json(message);
        if !from_background {
            let reply = Reply::Throw {
                id: message.get("id").and_then(|id| id.as_u64()),
                error: LanternError::new(
                    ErrorCode::Forbidden,
                    "only Lantern's background may talk to the engine",
                ),
            };
            let _ = port.post_message(&to_js(&reply));
            return port.disconnect();
        }
        let cancel = self.requests.open_request(&port);
        let pool = Rc::clone(&self.pool);
        wasm_bindgen_futures::spawn_local(async move {
            let post = |reply: &Reply| {
                let _ = port.post_message(&to_js(reply));
            };
            let reply = match parse_envelope(&message) {
                Ok(envelope) => serve(&pool, envelope, &post, cancel).await,
                Err(rejection) => Some(Reply::Throw {
                    id: rejection.id,
                    error: rejection.error.into(),
                }),
            };
            if let Some(reply) = reply {
                post(&reply);
            }
        });
    }

    /// The background closed a port: cancel its request.
    pub fn on_port_closed(&self, port: Port) {
        self.requests.close(&port);
    }
}

impl Default for Host {
    fn default() -> Self {
        Self::new()
    }
}

/// Serves one request; `None` when it was cancelled.
async fn serve(
    pool: &Pool,
    envelope: Envelope,
    post: &dyn Fn(&Reply),
    cancel: Cancel,
) -> Option<Reply> {
    let id = envelope.id;
    let mut cancel = cancel.fuse();
    let result = match envelope.body {
        Request::EngineInfo => {
            match ask_worker(pool, id, Request::WorkerInfo, post, &mut cancel).await? {
                Ok(Response::WorkerInfo(worker)) => Ok(Response::EngineInfo(EngineInfo {
                    offscreen: webext::context_info(),
                    worker,
                })),
                Ok(_) => Err(unexpected()),
                Err(error) => Err(error),
            }
        }
        Request::WorkerInfo => ask_worker(pool, id, Request::WorkerInfo, post, &mut cancel).await?,
        other => Err(LanternError::new(
            ErrorCode::WrongTarget,
            format!("the engine does not serve {:?}", other.type_name()),
        )),
    };
    Some(match result {
        Ok(value) => Reply::Return { id, value },
        Err(error) => Reply::Throw {
            id: Some(id),
            error,
        },
    })
}

/// Asks a worker and waits for its final reply, relaying progress and sending heartbeats.
async fn ask_worker(
    pool: &Pool,
    id: u64,
    request: Request,
    post: &dyn Fn(&Reply),
    mut cancel: &mut futures_util::future::Fuse<Cancel>,
) -> Option<Result<Response, LanternError>> {
    let mut replies = match pool.request(Task::General, request) {
        Ok(replies) => replies,
        Err(error) => return Some(Err(error)),
    };
    loop {
        let mut heartbeat = TimeoutFuture::new(HEARTBEAT_MS).fuse();
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
            _ = cancel => return None,
        }
    }
}

fn unexpected() -> LanternError {
    LanternError::new(
        ErrorCode::Internal,
        "the engine worker answered the wrong question",
    )
}
