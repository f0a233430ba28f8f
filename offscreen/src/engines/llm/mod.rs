//! The LLM engine: the chat model, loaded from the cache on first use and kept with its KV cache
//! between replies (a follow-up only prefills the new turn). Chat and summaries take turns on it
//! in the order they came (`Turns`), so a second request waits, told its place, instead of
//! loading a second copy; each request's own cancellation lands between two steps of its
//! prefill or decoding, or takes it out of the queue at once.

mod chat;
pub(crate) mod summarize;
mod tools;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use models::llm::{LlmModel, Session};
use protocol::{
    ChatReply, EngineSpeed, ErrorCode, Finish, HeldModel, Id, LanternError, ModelLoaded, Request,
    Response, SummaryReply,
};
use webext::model_store::{InstalledModel, ModelStore};

use super::cancel::CancelToken;
use super::turns::{Turn, Turns};
use crate::errors;
use crate::model_cache::loader;
use crate::outbox::Outbox;
use chat::ChatOptions;
use summarize::SummaryRequest;

/// The longest context a session gets: the KV cache grows with it, and wasm has 4 GiB.
const MAX_CONTEXT: usize = 8192;

/// How long the speed probe runs: long enough for a few products over memory, short enough to
/// go unnoticed on a first run.
const PROBE_MS: f64 = 250.0;

/// A model in memory, with the cached copy it came from.
struct Loaded {
    model_id: String,
    /// Which installed copy it came from (a changed copy is loaded again).
    installed_at: f64,
    /// Bytes of its files in the cache.
    bytes: u64,
    session: Session,
}

#[derive(Default)]
pub struct LlmEngine {
    /// The one model this engine holds; requests take turns on it.
    loaded: Turns<Option<Loaded>>,
    /// What is loaded, readable while a reply holds its turn.
    held: RefCell<Option<HeldModel>>,
}

impl LlmEngine {
    /// The model this engine holds, if any.
    pub fn held(&self) -> Option<HeldModel> {
        self.held.borrow().clone()
    }

    pub async fn serve(
        &self,
        request: Request,
        id: Id,
        outbox: &Rc<Outbox>,
        cancel: &CancelToken,
    ) -> Result<Response, LanternError> {
        match request {
            Request::Chat {
                model_id,
                messages,
                sampling,
                tools,
                external_tools,
                fresh_context,
                profile,
                // The document speaks the answer from the tokens this streams.
                speak: _,
                backend: _,
            } => {
                let options = ChatOptions {
                    sampling,
                    tools,
                    external: external_tools,
                    fresh_context,
                    profile,
                };
                // Stopped before its turn: an answer with nothing written, as a stop in prefill.
                let Some(mut slot) = self.turn(id, outbox, cancel).await else {
                    return Ok(Response::ChatReply(stopped_waiting()));
                };
                let session = self.session(&mut slot, &model_id, id, outbox).await?;
                chat::chat(session, messages, options, cancel.flag(), id, outbox)
                    .await
                    .map(Response::ChatReply)
            }
            Request::SummarizePage {
                model_id,
                page,
                kind,
                mode,
                language,
                question,
                speak: _,
                backend: _,
            } => {
                let request = SummaryRequest {
                    page,
                    kind,
                    mode,
                    language,
                    question,
                };
                // The page is read before the model is loaded: a page without text says so at once.
                let source = summarize::source(&request)?;
                let Some(mut slot) = self.turn(id, outbox, cancel).await else {
                    return Ok(Response::Summary(SummaryReply {
                        text: String::new(),
                        finish: Finish::Cancelled,
                        title: request.page.title.clone(),
                        url: request.page.url.clone(),
                        parts: 0,
                        source_tokens: 0,
                        prefill_tokens_per_s: 0.0,
                        decode_tokens_per_s: 0.0,
                        chat_context: String::new(),
                        spoken: None,
                    }));
                };
                let session = self.session(&mut slot, &model_id, id, outbox).await?;
                summarize::summarize(session, &request, source, cancel.flag(), id, outbox)
                    .await
                    .map(Response::Summary)
            }
            Request::LoadModel { model_id, .. } => {
                let mut slot = super::turn(&self.loaded, id, outbox, cancel).await?;
                self.session(&mut slot, &model_id, id, outbox).await?;
                Ok(Response::ModelLoaded(describe(slot.as_ref())?))
            }
            other => Err(errors::not_served("LLM", &other)),
        }
    }

    /// `measure_engine_speed` on this worker's `threads`, after any reply in progress (measured
    /// beside one, both would run at half speed).
    pub async fn measure_speed(
        &self,
        threads: u32,
        id: Id,
        outbox: &Outbox,
        cancel: &CancelToken,
    ) -> Result<EngineSpeed, LanternError> {
        let _slot = super::turn(&self.loaded, id, outbox, cancel).await?;
        let speed = models::measure_decode(crate::worker::performance_now, PROBE_MS);
        Ok(EngineSpeed {
            decode_bytes_per_s: speed.bytes_per_s,
            threads,
        })
    }

    /// The model, for request `id` when its turn comes (it hears `queued` events while it
    /// waits); `None` when it was cancelled first.
    async fn turn(
        &self,
        id: Id,
        outbox: &Outbox,
        cancel: &CancelToken,
    ) -> Option<Turn<'_, Option<Loaded>>> {
        self.loaded
            .take(cancel, &mut super::queued(id, outbox))
            .await
    }

    /// The session for `model_id`, loading the model from the cache when another (or none) is
    /// held, or when the cached copy changed since it was loaded (deleted, downloaded again).
    async fn session<'a>(
        &self,
        slot: &'a mut Option<Loaded>,
        model_id: &str,
        id: Id,
        outbox: &Outbox,
    ) -> Result<&'a mut Session, LanternError> {
        let store = ModelStore::open().await.map_err(errors::storage)?;
        let installed = loader::installed(&store, model_id).await?;
        let current = slot
            .as_ref()
            .is_some_and(|l| l.model_id == model_id && l.installed_at == installed.installed_at);
        if !current {
            // The old model goes first: two in memory at once could exceed what wasm can hold.
            *slot = None;
            self.held.replace(None);
            let loaded = load(&store, installed, id, outbox).await?;
            self.held.replace(Some(HeldModel {
                model_id: loaded.model_id.clone(),
                bytes: loaded.bytes,
            }));
            *slot = Some(loaded);
        }
        slot.as_mut()
            .map(|l| &mut l.session)
            .ok_or_else(|| LanternError::new(ErrorCode::Internal, "the model was not kept"))
    }
}

/// The answer to a chat stopped while it waited for its turn: nothing was written.
fn stopped_waiting() -> ChatReply {
    ChatReply {
        text: String::new(),
        finish: Finish::Cancelled,
        prompt_tokens: 0,
        reused_tokens: 0,
        generated_tokens: 0,
        prefill_tokens_per_s: 0.0,
        decode_tokens_per_s: 0.0,
        profile: None,
        pending_calls: Vec::new(),
        spoken: None,
    }
}

/// Reads a chat model's files from the cache and builds its session.
async fn load(
    store: &ModelStore,
    installed: InstalledModel,
    id: Id,
    outbox: &Outbox,
) -> Result<Loaded, LanternError> {
    let model_id = installed.entry.id.clone();
    let installed_at = installed.installed_at;
    let bytes = installed.bytes;
    let report = |done, total| outbox.loading(id, done, total);
    let mut files = loader::read(store, installed, &report).await?;
    let weights = files.take(|name| name.ends_with(".gguf")).ok_or_else(|| {
        LanternError::new(
            ErrorCode::UnsupportedFormat,
            "the chat model is not a GGUF file",
        )
    })?;
    let tokenizer = files
        .take(|name| name == "tokenizer.json")
        .map(loader::LoadedFile::into_bytes);
    let model =
        LlmModel::from_chunks(&weights.slices(), tokenizer.as_deref()).map_err(errors::model)?;
    // The weights now live in the model's tensors; the stored chunks go.
    drop(weights);
    let context = model.config().context_length.clamp(512, MAX_CONTEXT);
    Ok(Loaded {
        model_id,
        installed_at,
        bytes,
        session: Session::new(Arc::new(model), context),
    })
}

/// What a loaded chat model is, for `load_model`.
fn describe(loaded: Option<&Loaded>) -> Result<ModelLoaded, LanternError> {
    let loaded =
        loaded.ok_or_else(|| LanternError::new(ErrorCode::Internal, "no model is loaded"))?;
    let model = loaded.session.model();
    let config = model.config();
    Ok(ModelLoaded {
        model_id: loaded.model_id.clone(),
        bytes: loaded.bytes,
        summary: format!(
            "{}: {:?}, {} layers, context {}",
            model.name,
            config.arch,
            config.n_layer,
            loaded.session.context_len()
        )
        .to_lowercase(),
    })
}
