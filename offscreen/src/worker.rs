//! The worker side: receives envelopes from the document, serves each in its own task (a long
//! download must not block a listing), and posts replies back.

use std::rc::Rc;

use protocol::{ErrorCode, LanternError, Reply, Request, Response, parse_envelope};
use wasm_bindgen::prelude::*;
use web_sys::DedicatedWorkerGlobalScope;
use webext::to_json;

use crate::outbox::Outbox;
use crate::summarize::{SummaryRequest, summarize};
use crate::{dictation, engine_facts, llm, models};

/// The engine inside one worker; created by `static/worker.js` once the wasm is ready.
#[wasm_bindgen]
pub struct WorkerEngine {
    outbox: Rc<Outbox>,
}

#[wasm_bindgen]
impl WorkerEngine {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<WorkerEngine, JsValue> {
        console_error_panic_hook::set_once();
        let scope = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>()?;
        Ok(WorkerEngine {
            outbox: Rc::new(Outbox::new(scope)),
        })
    }

    /// One message from the document.
    pub fn handle(&self, message: JsValue) {
        if dictation::feed(&message) {
            return;
        }
        let envelope = match parse_envelope(&to_json(message)) {
            Ok(envelope) => envelope,
            Err(rejection) => {
                return self.outbox.post(&Reply::Throw {
                    id: rejection.id,
                    error: LanternError::from(rejection.error),
                });
            }
        };
        let outbox = Rc::clone(&self.outbox);
        wasm_bindgen_futures::spawn_local(async move {
            let id = envelope.id;
            let result = match envelope.body {
                Request::WorkerInfo => Ok(Response::WorkerInfo(engine_facts::worker_info())),
                Request::Chat {
                    model_id,
                    messages,
                    sampling,
                    tools,
                    fresh_context,
                } => {
                    let options = llm::ChatOptions {
                        sampling,
                        tools,
                        fresh_context,
                    };
                    llm::chat(&model_id, messages, options, id, &outbox)
                        .await
                        .map(Response::ChatReply)
                }
                Request::SummarizePage {
                    model_id,
                    page,
                    kind,
                    mode,
                    language,
                } => {
                    let request = SummaryRequest {
                        model_id,
                        page,
                        kind,
                        mode,
                        language,
                    };
                    summarize(request, id, &outbox).await.map(Response::Summary)
                }
                Request::StartDictation {
                    model_id, language, ..
                } => dictation::dictate(&model_id, language, id, &outbox)
                    .await
                    .map(Response::Dictation),
                Request::StopChat => {
                    llm::stop();
                    Ok(Response::Done)
                }
                request if models::serves(&request) => {
                    models::serve(request, id, Rc::clone(&outbox)).await
                }
                other => Err(LanternError::new(
                    ErrorCode::Internal,
                    format!("the engine worker does not serve {:?}", other.type_name()),
                )),
            };
            outbox.post(&match result {
                Ok(value) => Reply::Return { id, value },
                Err(error) => Reply::Throw {
                    id: Some(id),
                    error,
                },
            });
        });
    }
}
