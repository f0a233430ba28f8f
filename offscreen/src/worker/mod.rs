//! The worker side: `WorkerEngine` is the entry point of each engine worker. It owns the
//! worker's engines as fields, reads each envelope from the document, routes it by the request
//! table (`Request::server`) to the engine that serves it, each in its own task (a long
//! download must not block a listing) with its own `CancelToken` (which the document's cancel
//! message for that request sets), and posts the replies back.

mod facts;
mod heap;
mod threads;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use protocol::{
    Engine, HeldModel, LanternError, Reply, Request, Response, Server, WorkerThreads,
    parse_envelope,
};
use wasm_bindgen::prelude::*;
use web_sys::DedicatedWorkerGlobalScope;
use webext::to_json;

pub use heap::Counting;

use crate::audio_feed::AudioFeed;
use crate::cancel_signal;
use crate::engines::{CancelToken, EmbedEngine, LlmEngine, SttEngine, TtsEngine, VisionEngine};
use crate::errors;
use crate::model_cache::ModelCache;
use crate::outbox::Outbox;

/// Every engine a worker can run. The pool gives each engine a worker of its own, so in one
/// worker only one of these ever holds anything; they cost nothing until used.
struct Engines {
    cache: ModelCache,
    llm: LlmEngine,
    stt: SttEngine,
    tts: TtsEngine,
    embed: EmbedEngine,
    vision: VisionEngine,
    /// The threads this worker computes with, fixed when it starts.
    threads: WorkerThreads,
}

impl Engines {
    /// The models this worker holds.
    fn held(&self) -> Vec<HeldModel> {
        self.llm
            .held()
            .into_iter()
            .chain(self.stt.held())
            .chain(self.tts.held())
            .chain(self.embed.held())
            .chain(self.vision.held())
            .collect()
    }

    async fn serve(
        &self,
        request: Request,
        id: protocol::Id,
        outbox: &Rc<Outbox>,
        cancel: &CancelToken,
    ) -> Result<Response, LanternError> {
        let server = request.server();
        match (server, server.engine()) {
            (Server::EachWorker, _) => Ok(Response::WorkerInfo(facts::worker_info(
                self.held(),
                self.threads.clone(),
            ))),
            (_, Some(Engine::Models)) => self.cache.serve(request, id, outbox).await,
            (_, Some(Engine::Llm)) if request == Request::MeasureEngineSpeed => self
                .llm
                .measure_speed(self.threads.count, id, outbox, cancel)
                .await
                .map(Response::EngineSpeed),
            (_, Some(Engine::Llm)) => self.llm.serve(request, id, outbox, cancel).await,
            (_, Some(Engine::Stt)) => self.stt.serve(request, id, outbox, cancel).await,
            (_, Some(Engine::Tts)) => self.tts.serve(request, id, outbox, cancel).await,
            (_, Some(Engine::Embed)) => self.embed.serve(request, id, outbox, cancel).await,
            (_, Some(Engine::Vision)) => self.vision.serve(request, id, outbox, cancel).await,
            (_, None) => Err(errors::not_served("worker", &request)),
        }
    }
}

/// The worker's high-resolution clock in milliseconds (what a profiled chat's spans and the
/// speed probe read).
pub(crate) fn performance_now() -> f64 {
    js_sys::global()
        .unchecked_into::<web_sys::WorkerGlobalScope>()
        .performance()
        .map_or(0.0, |p| p.now())
}

/// The engine inside one worker; started by `static/worker.js` once the wasm is ready.
#[wasm_bindgen]
pub struct WorkerEngine {
    outbox: Rc<Outbox>,
    engines: Rc<Engines>,
    /// The cancellation of each request in progress, by its id.
    cancels: Rc<RefCell<HashMap<protocol::Id, CancelToken>>>,
}

#[wasm_bindgen]
impl WorkerEngine {
    /// Starts the worker's thread pool (before anything can use rayon), then its engines. The
    /// document names each worker after its engine (`Engine::as_str`).
    pub async fn start() -> Result<WorkerEngine, JsValue> {
        console_error_panic_hook::set_once();
        models::profile::set_clock(performance_now);
        let scope = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>()?;
        let name = scope.name();
        let engine = Engine::ALL.into_iter().find(|e| e.as_str() == name);
        let threads = threads::start(engine, &webext::context_info()).await;
        Ok(WorkerEngine {
            outbox: Rc::new(Outbox::new(scope)),
            engines: Rc::new(Engines {
                cache: ModelCache::default(),
                llm: LlmEngine::default(),
                stt: SttEngine::default(),
                tts: TtsEngine::default(),
                embed: EmbedEngine::default(),
                vision: VisionEngine::default(),
                threads,
            }),
            cancels: Rc::default(),
        })
    }

    /// One message from the document: an envelope, audio for a dictation in progress, or the
    /// cancellation of a request in progress.
    pub fn handle(&self, message: JsValue) {
        if let Some(cancel) = cancel_signal::read(&message) {
            if let Some(token) = cancel.and_then(|id| self.cancels.borrow().get(&id).cloned()) {
                token.cancel();
            }
            return;
        }
        if let Some(feed) = AudioFeed::read(&message) {
            if let Some(feed) = feed {
                self.engines.stt.feed(feed);
            }
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
        let engines = Rc::clone(&self.engines);
        let cancels = Rc::clone(&self.cancels);
        let id = envelope.id;
        let cancel = CancelToken::default();
        cancels.borrow_mut().insert(id, cancel.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let result = engines.serve(envelope.body, id, &outbox, &cancel).await;
            cancels.borrow_mut().remove(&id);
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
