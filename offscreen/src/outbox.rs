//! A worker's way back to the document (worker side): replies and progress, posted as plain
//! JSON values.

use protocol::{Event, Id, Reply, Stage};
use web_sys::DedicatedWorkerGlobalScope;
use webext::to_js;

pub struct Outbox {
    scope: DedicatedWorkerGlobalScope,
}

impl Outbox {
    pub fn new(scope: DedicatedWorkerGlobalScope) -> Outbox {
        Outbox { scope }
    }

    pub fn post(&self, reply: &Reply) {
        // Only fails for values that cannot be cloned, which a serialised reply never is.
        let _ = self.scope.post_message(&to_js(reply));
    }

    /// A side-channel message (not a reply), moving `transfer`'s buffers instead of copying.
    pub fn post_with_transfer(&self, message: &wasm_bindgen::JsValue, transfer: &js_sys::Array) {
        let _ = self.scope.post_message_with_transfer(message, transfer);
    }

    pub fn progress(&self, id: Id, event: Event) {
        self.post(&Reply::Progress { id, event });
    }

    /// `done` of `total` bytes of a model read from the cache into this worker.
    pub fn loading(&self, id: Id, done: u64, total: u64) {
        self.progress(
            id,
            Event::Step {
                stage: Stage::LoadingModel,
                done: Some(done),
                total: Some(total),
            },
        );
    }
}
