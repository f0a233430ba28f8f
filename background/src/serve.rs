//! Serving one routed message: every reply goes to `sink`, the last one final.

use protocol::{ErrorCode, LanternError, Origin, Pong, Reply, Request, Response, VERSION};
use serde_json::Value;

use crate::router::{Route, route};
use crate::{forward, offscreen_doc, page, summarize};
use webext::Cancel;

pub async fn serve(
    message: &Value,
    origin: Origin,
    sink: &mut dyn FnMut(Reply),
    cancel: Option<Cancel>,
) {
    match route(message, origin) {
        Route::Reject(reply) => sink(reply),
        Route::Local(envelope) if matches!(envelope.body, Request::Summarize { .. }) => {
            summarize::serve(envelope, sink, cancel).await
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
        Route::Offscreen(envelope) => forward::to_offscreen(envelope, sink, cancel).await,
        Route::Content(envelope) => sink(page::serve(envelope).await),
    }
}
