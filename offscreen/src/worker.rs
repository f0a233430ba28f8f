//! The worker side: receives envelopes from the document, runs them, posts replies back.

use protocol::{ErrorCode, LanternError, Reply, Request, Response, parse_envelope};
use wasm_bindgen::prelude::*;
use web_sys::DedicatedWorkerGlobalScope;
use webext::{to_js, to_json};

use crate::engine_facts;

/// The engine inside one worker; created by `static/worker.js` once the wasm is ready.
#[wasm_bindgen]
pub struct WorkerEngine {
    scope: DedicatedWorkerGlobalScope,
}

#[wasm_bindgen]
impl WorkerEngine {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<WorkerEngine, JsValue> {
        console_error_panic_hook::set_once();
        let scope = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>()?;
        Ok(WorkerEngine { scope })
    }

    /// One message from the document.
    pub fn handle(&self, message: JsValue) {
        let reply = match parse_envelope(&to_json(message)) {
            Err(rejection) => Reply::Throw {
                id: rejection.id,
                error: LanternError::from(rejection.error),
            },
            Ok(envelope) => match envelope.body {
                Request::WorkerInfo => Reply::Return {
                    id: envelope.id,
                    value: Response::WorkerInfo(engine_facts::worker_info()),
                },
                other => Reply::Throw {
                    id: Some(envelope.id),
                    error: LanternError::new(
                        ErrorCode::Internal,
                        format!("the engine worker does not serve {:?}", other.type_name()),
                    ),
                },
            },
        };
        self.post(&reply);
    }

    fn post(&self, reply: &Reply) {
        // Only fails for values that cannot be cloned, which a serialised reply never is.
        let _ = self.scope.post_message(&to_js(reply));
    }
}
