//! The offscreen document's router: takes requests the background hands off, sends each where the
//! request table says it is served (an engine's worker, or the document itself), and answers on a
//! port it opens back to the background. The background closing that port cancels the request;
//! a `stop` signal on it stops the request's answer, which still replies with what it wrote.
//! A request that must not run twice is taken once per handoff key.

use std::cell::RefCell;
use std::rc::Rc;

use futures_util::StreamExt;
use protocol::{
    Engine, EngineHandoff, EngineInfo, Envelope, ErrorCode, LanternError, Reply, Request, Response,
    Server, SpeechStyle, WorkerInfo, WorkerStatus,
};
use wasm_bindgen::prelude::*;
use webext::{MessageSender, Port, PortLink, from_js, to_js};

use super::aloud;
use super::dictation::Dictation;
use super::pool::Pool;
use super::relay;
use super::speaker::Speaker;
use super::taken::Taken;

/// The document's router; created by `static/host.js` once the wasm is ready.
#[wasm_bindgen]
pub struct Host {
    pool: Rc<Pool>,
    /// The dictation in progress, if any (there is one microphone).
    dictation: Rc<Dictation>,
    /// The speech playing, if any.
    speaker: Rc<Speaker>,
    /// The keys of the handoffs taken lately.
    taken: RefCell<Taken>,
    service_worker_url: String,
}

#[wasm_bindgen]
impl Host {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Host {
        console_error_panic_hook::set_once();
        Host {
            pool: Rc::default(),
            dictation: Rc::default(),
            speaker: Rc::default(),
            taken: RefCell::default(),
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
        let first_time = self.taken.borrow_mut().take(handoff.key);
        if !first_time && !handoff.envelope.body.is_idempotent() {
            // The background thought an earlier handoff of it lost; it may be running.
            return refuse(
                ErrorCode::Disconnected,
                "the engine had already taken this request; ask again",
            );
        }
        let info = js_sys::Object::new();
        let named = js_sys::Reflect::set(&info, &"name".into(), &handoff.port_name().into());
        let port = match named.ok().and_then(|_| webext::connect(&info).ok()) {
            Some(port) => port,
            None => return refuse(ErrorCode::Internal, "could not open a reply port"),
        };
        let link = PortLink::new(port.clone());
        let pool = Rc::clone(&self.pool);
        let dictation = Rc::clone(&self.dictation);
        let speaker = Rc::clone(&self.speaker);
        wasm_bindgen_futures::spawn_local(serve(
            pool,
            dictation,
            speaker,
            handoff.envelope,
            port,
            link,
        ));
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
async fn serve(
    pool: Rc<Pool>,
    dictation: Rc<Dictation>,
    speaker: Rc<Speaker>,
    envelope: Envelope,
    port: Port,
    mut link: PortLink,
) {
    let id = envelope.id;
    let post = |reply: &Reply| {
        let _ = port.post_message(&to_js(reply));
    };
    let request = envelope.body;
    let style = speech_style(&request).cloned();
    let outcome = match (request.server(), style) {
        (Server::Worker(engine), Some(style)) => {
            let start = || pool.request(engine, request);
            aloud::serve(&pool, &speaker, start, id, style, &post, &mut link).await
        }
        // A user's model server, spoken as the engine's answers are (the voice command).
        (Server::Document, Some(style)) => {
            let start = || super::backend::start(request, id);
            aloud::serve(&pool, &speaker, start, id, style, &post, &mut link).await
        }
        (Server::Worker(engine), None) => {
            if matches!(request, Request::DownloadModel { .. }) {
                request_persistence();
            }
            let clearing = matches!(request, Request::ClearModels);
            let outcome = ask_worker(&pool, engine, id, request, &post, &mut link).await;
            if clearing {
                // With every model deleted, none stays in memory either, nor the KV cache of
                // the last conversation (a chat in progress ends with them).
                for running in pool.running() {
                    if running != Engine::Models {
                        pool.retire(running, "every model was deleted");
                    }
                }
            }
            outcome
        }
        (Server::Microphone(engine), _) => {
            dictation
                .serve(&pool, engine, id, request, &post, &mut link)
                .await
        }
        (Server::Speaker(engine), _) => {
            speaker
                .serve(&pool, engine, id, request, &post, &mut link)
                .await
        }
        (Server::Document, _) => match request {
            Request::EngineInfo => Some(engine_info(&pool).await),
            Request::UnloadModel { model_id } => Some(unload(&pool, &model_id).await),
            Request::SetEngineThreads { threads } => Some(set_threads(&pool, threads).await),
            Request::StopDictation => {
                dictation.stop();
                Some(Ok(Response::Done))
            }
            Request::StopSpeaking => {
                speaker.stop();
                Some(Ok(Response::Done))
            }
            Request::McpConnect { .. }
            | Request::McpCallTool { .. }
            | Request::McpCancelCall { .. }
            | Request::McpToolLists
            | Request::McpListResources { .. }
            | Request::McpReadResource { .. }
            | Request::McpListPrompts { .. }
            | Request::McpGetPrompt { .. } => {
                super::mcp::serve(&pool, request, id, &post, &mut link).await
            }
            Request::BackendModels { .. }
            | Request::Chat { .. }
            | Request::SummarizePage { .. } => {
                super::backend::serve(request, id, &post, &mut link).await
            }
            Request::PauseSpeaking => Some(speaker.pause().await.map(|()| Response::Done)),
            Request::ResumeSpeaking => Some(speaker.resume().await.map(|()| Response::Done)),
            other => Some(Err(not_here(&other))),
        },
        // Workers answer these to the document itself, never to the background.
        (Server::EachWorker | Server::TaskWorker | Server::Background | Server::Content, _) => {
            Some(Err(not_here(&request)))
        }
    };
    let Some(result) = outcome else { return };
    post(&match result {
        Ok(value) => Reply::Return { id, value },
        Err(error) => Reply::Throw {
            id: Some(id),
            error,
        },
    });
}

/// The voice an answer should be spoken with as it streams, if it asked.
fn speech_style(request: &Request) -> Option<&SpeechStyle> {
    match request {
        Request::Chat { speak, .. } | Request::SummarizePage { speak, .. } => speak.as_ref(),
        _ => None,
    }
}

/// Asks the engine's worker and waits for its final reply, relaying progress and heartbeats;
/// a stop cancels it in the worker; `None` when the background closed the port (the request
/// is abandoned, which cancels it in the worker too).
async fn ask_worker(
    pool: &Pool,
    engine: Engine,
    id: u64,
    request: Request,
    post: &dyn Fn(&Reply),
    link: &mut PortLink,
) -> relay::Outcome {
    match pool.request(engine, request) {
        Ok(mut replies) => {
            let canceller = replies.canceller();
            let stop = || canceller.cancel();
            relay::relay(&mut replies, id, post, link, &|_| {}, &stop).await
        }
        Err(error) => Some(Err(error)),
    }
}

/// What the document and every running worker see; the model cache's worker is started when
/// none runs, so the capabilities of a worker are always there.
async fn engine_info(pool: &Pool) -> Result<Response, LanternError> {
    let worker = worker_info(pool, Engine::Models).await?;
    let mut workers = Vec::new();
    for engine in pool.running() {
        let info = if engine == Engine::Models {
            Ok(worker.clone())
        } else {
            worker_info(pool, engine).await
        };
        // A worker that ended meanwhile is simply not listed.
        if let Ok(info) = info {
            workers.push(WorkerStatus { engine, info });
        }
    }
    Ok(Response::EngineInfo(EngineInfo {
        offscreen: webext::context_info(),
        worker,
        workers,
        thread_limit: crate::thread_limit::read().await,
    }))
}

/// Stores the user's thread limit. A worker's pool keeps the size it started with, so the
/// engines that compute in parallel are ended (their requests in flight are cancelled, what
/// they held loads again on next use) and the next request starts them with the new limit.
async fn set_threads(pool: &Pool, threads: Option<u32>) -> Result<Response, LanternError> {
    if crate::thread_limit::write(threads).await? {
        for engine in [Engine::Llm, Engine::Stt, Engine::Tts, Engine::Vision] {
            pool.retire(engine, "the engine's thread count changed");
        }
    }
    Ok(Response::Done)
}

/// Frees `model_id`'s memory by ending the worker that holds it (its wasm memory cannot shrink
/// otherwise); what it held loads again on next use. Unloading a model no worker holds is done.
async fn unload(pool: &Pool, model_id: &str) -> Result<Response, LanternError> {
    for engine in pool.running() {
        let holds = worker_info(pool, engine)
            .await
            .is_ok_and(|info| info.models.iter().any(|m| m.model_id == model_id));
        if holds {
            pool.retire(engine, &format!("{model_id} was unloaded"));
        }
    }
    Ok(Response::Done)
}

/// One worker's facts, asked directly (not relayed: nobody outside waits on its progress).
async fn worker_info(pool: &Pool, engine: Engine) -> Result<WorkerInfo, LanternError> {
    let mut replies = pool.request(engine, Request::WorkerInfo)?;
    while let Some(reply) = replies.next().await {
        match reply {
            Reply::Return {
                value: Response::WorkerInfo(info),
                ..
            } => return Ok(info),
            Reply::Return { .. } => return Err(unexpected()),
            Reply::Throw { error, .. } => return Err(error),
            Reply::Progress { .. } | Reply::Heartbeat { .. } => {}
        }
    }
    Err(LanternError::new(
        ErrorCode::WorkerCrashed,
        "the engine worker stopped without answering",
    ))
}

/// Asks the browser not to evict the model cache under storage pressure. Only a document can ask
/// (not a worker); the answer changes nothing we do, so it is not awaited.
fn request_persistence() {
    if let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) {
        let _ = storage.persist();
    }
}

fn not_here(request: &Request) -> LanternError {
    LanternError::new(
        ErrorCode::WrongTarget,
        format!(
            "the engine does not take {:?} from outside",
            request.type_name()
        ),
    )
}

fn unexpected() -> LanternError {
    LanternError::new(
        ErrorCode::Internal,
        "the engine worker answered the wrong question",
    )
}
