//! The embeddings engine: sentence embeddings with a BERT model from the cache (all-MiniLM-L6-v2,
//! `models::embed`), loaded on first use and kept while the cached copy stays the same. The
//! built-in memories server asks it (through the document) to embed what it stores and searches.

use std::cell::RefCell;
use std::rc::Rc;

use models::embed::{EmbedFiles, Embedder};
use protocol::{
    Embeddings, ErrorCode, HeldModel, Id, LanternError, ModelLoaded, Request, Response, Task,
};
use webext::model_store::ModelStore;

use super::cancel::CancelToken;
use super::turns::Turns;
use crate::errors;
use crate::model_cache::loader;
use crate::outbox::Outbox;

/// More texts than this in one request are refused: the caller is looping, not remembering.
const MAX_TEXTS: usize = 256;

struct HeldEmbedder {
    model_id: String,
    installed_at: f64,
    bytes: u64,
    embedder: Embedder,
}

#[derive(Default)]
pub struct EmbedEngine {
    /// Requests take turns on the model.
    model: Turns<Option<HeldEmbedder>>,
    /// What is loaded, readable while a request holds the lock.
    held: RefCell<Option<HeldModel>>,
}

impl EmbedEngine {
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
            Request::EmbedTexts { model_id, texts } => {
                if texts.len() > MAX_TEXTS {
                    return Err(LanternError::new(
                        ErrorCode::MalformedMessage,
                        format!("{} texts in one request; at most {MAX_TEXTS}", texts.len()),
                    ));
                }
                let mut slot = super::turn(&self.model, id, outbox, cancel).await?;
                let held = self.load(&mut slot, &model_id, id, outbox).await?;
                let vectors = texts
                    .iter()
                    .map(|text| held.embedder.embed(text).map_err(errors::model))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Response::Embeddings(Embeddings { model_id, vectors }))
            }
            Request::LoadModel {
                model_id,
                task: Task::Embed,
            } => {
                let mut slot = super::turn(&self.model, id, outbox, cancel).await?;
                let held = self.load(&mut slot, &model_id, id, outbox).await?;
                Ok(Response::ModelLoaded(ModelLoaded {
                    model_id: held.model_id.clone(),
                    bytes: held.bytes,
                    summary: format!("bert, {} dimensions", held.embedder.dimensions()),
                }))
            }
            other => Err(errors::not_served("embeddings", &other)),
        }
    }

    /// `model_id` in `slot`, read from the cache unless the slot holds that copy already.
    async fn load<'a>(
        &self,
        slot: &'a mut Option<HeldEmbedder>,
        model_id: &str,
        id: Id,
        outbox: &Outbox,
    ) -> Result<&'a HeldEmbedder, LanternError> {
        let store = ModelStore::open().await.map_err(errors::storage)?;
        let installed = loader::installed(&store, model_id).await?;
        if installed.entry.task != Task::Embed {
            return Err(LanternError::new(
                ErrorCode::UnsupportedFormat,
                format!("{model_id} is not an embedding model"),
            ));
        }
        let current = slot
            .as_ref()
            .is_some_and(|h| h.model_id == model_id && h.installed_at == installed.installed_at);
        if !current {
            *slot = None;
            self.held.replace(None);
            let installed_at = installed.installed_at;
            let bytes = installed.bytes;
            let report = |done, total| outbox.loading(id, done, total);
            let mut files = loader::read(&store, installed, &report).await?;
            let mut take = |name: &str| {
                files
                    .take(|n| n == name)
                    .map(|f| f.into_bytes())
                    .ok_or_else(|| {
                        LanternError::new(
                            ErrorCode::UnsupportedFormat,
                            format!("{model_id} has no {name}: it is not a BERT model in the Hugging Face layout"),
                        )
                    })
            };
            let files = EmbedFiles {
                config: take("config.json")?,
                tokenizer: take("tokenizer.json")?,
                weights: take("model.safetensors")?,
            };
            let embedder = Embedder::load(files).map_err(errors::model)?;
            self.held.replace(Some(HeldModel {
                model_id: model_id.to_owned(),
                bytes,
            }));
            *slot = Some(HeldEmbedder {
                model_id: model_id.to_owned(),
                installed_at,
                bytes,
                embedder,
            });
        }
        slot.as_ref()
            .ok_or_else(|| LanternError::new(ErrorCode::Internal, "the model was not kept"))
    }
}
