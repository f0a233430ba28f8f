//! Serving one routed message: every reply goes to `sink`, the last one final.

use std::rc::Rc;

use protocol::{ErrorCode, LanternError, Origin, Pong, Reply, Request, Response, VERSION};
use serde_json::Value;
use webext::{Port, PortRequests, Signals};

use crate::router::{Route, route};
use crate::{forward, offscreen_doc, page, summarize};

/// Who asked, when the request came on a UI port: what may end it early, and that port's other
/// requests (a `stop_chat` stops one of them).
pub struct Asker {
    pub signals: Signals,
    pub port: Port,
    pub requests: Rc<PortRequests>,
}

pub async fn serve(
    message: &Value,
    origin: Origin,
    sink: &mut dyn FnMut(Reply),
    asker: Option<Asker>,
) {
    match route(message, origin) {
        Route::Reject(reply) => sink(reply),
        Route::Local(envelope) if matches!(envelope.body, Request::Summarize { .. }) => {
            summarize::serve(envelope, sink, asker.map(|a| a.signals)).await
        }
        Route::Local(envelope) => {
            let reply = match envelope.body {
                Request::Ping => Reply::Return {
                    id: envelope.id,
                    value: Response::Pong(Pong {
                        version: VERSION.into(),
                        offscreen_open: offscreen_doc::is_open().await,
                    }),
                },
                Request::StopChat { id } => stop(envelope.id, id, asker.as_ref()),
                other => Reply::Throw {
                    id: Some(envelope.id),
                    error: LanternError::new(
                        ErrorCode::Internal,
                        format!("the background has no handler for {:?}", other.type_name()),
                    ),
                },
            };
            sink(reply);
        }
        Route::Offscreen(envelope) => {
            forward::to_offscreen(envelope, sink, asker.map(|a| a.signals)).await
        }
        Route::Content(envelope) => sink(page::serve(envelope).await),
    }
}

/// `stop_chat {id: target}`: stops the asker's own request `target`. One that already ended is
/// stopped too (the stop raced its end); a one-shot message has no port to name a request on.
fn stop(id: u64, target: u64, asker: Option<&Asker>) -> Reply {
    match asker {
        Some(asker) => {
            asker.requests.stop(&asker.port, target);
            Reply::Return {
                id,
                value: Response::Done,
            }
        }
        None => Reply::Throw {
            id: Some(id),
            error: LanternError::new(
                ErrorCode::MalformedMessage,
                "stop_chat must be sent on the port of the request it stops",
            ),
        },
    }
}
