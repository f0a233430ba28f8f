//! The model cache, served by its own worker: the catalog in force, downloads into IndexedDB,
//! listing, deleting; and reading installed models back for the engines (`loader`). One worker
//! owns every download, so two never race for the same model.

mod catalog_source;

pub use catalog_source::known as known_catalog;
mod download;
pub(crate) mod fetch;
mod jobs;
mod list;
pub mod loader;
mod quota;

use std::rc::Rc;

use protocol::{ErrorCode, Id, LanternError, ModelInstalled, Request, Response};
use webext::model_store::ModelStore;

use crate::errors;
use crate::outbox::Outbox;
use jobs::Jobs;

/// The model-cache engine of a worker: its running downloads are its state.
#[derive(Default)]
pub struct ModelCache {
    jobs: Jobs,
}

impl ModelCache {
    /// Serves one request the table routes to the model cache; `id` is where its progress goes.
    pub async fn serve(
        &self,
        request: Request,
        id: Id,
        outbox: &Rc<Outbox>,
    ) -> Result<Response, LanternError> {
        let store = ModelStore::open().await.map_err(errors::storage)?;
        match request {
            Request::ListModels => {
                let choice = catalog_source::current(&store).await?;
                list::list(&store, choice, &self.jobs)
                    .await
                    .map(Response::Models)
            }
            Request::DownloadModel { model_id } => self
                .download(&store, &model_id, id, outbox)
                .await
                .map(Response::ModelInstalled),
            Request::CancelDownload { model_id } => {
                self.jobs.cancel(&model_id);
                Ok(Response::Done)
            }
            Request::DeleteModel { model_id } => {
                self.jobs.cancel(&model_id);
                store
                    .delete_model(&model_id)
                    .await
                    .map_err(errors::storage)?;
                Ok(Response::Done)
            }
            Request::ClearModels => {
                // Every download, not only those of installed models: one still running would
                // refill the store after the clear.
                for ended in self.jobs.cancel_all() {
                    let _ = ended.await;
                }
                store.clear().await.map_err(errors::storage)?;
                Ok(Response::Done)
            }
            Request::SetCatalogUrl { url } => {
                if let Some(url) = &url
                    && !(url.starts_with("http://") || url.starts_with("https://"))
                {
                    return Err(LanternError::new(
                        ErrorCode::MalformedMessage,
                        format!("a catalog URL must start with http:// or https://, not {url:?}"),
                    ));
                }
                catalog_source::set_url(&store, url.as_deref()).await?;
                Ok(Response::Done)
            }
            other => Err(errors::not_served("model cache", &other)),
        }
    }

    async fn download(
        &self,
        store: &ModelStore,
        model_id: &str,
        id: Id,
        outbox: &Rc<Outbox>,
    ) -> Result<ModelInstalled, LanternError> {
        if let Some(job) = self.jobs.running(model_id) {
            return joined(job.join(id)).await;
        }
        let choice = catalog_source::current(store).await?;
        let entry = choice
            .catalog
            .model(model_id)
            .cloned()
            .ok_or_else(|| errors::unknown_model(model_id))?;
        if let Some(installed) = store
            .installed_model(model_id)
            .await
            .map_err(errors::storage)?
        {
            if !entry.changed_since(&installed.entry) {
                return Ok(ModelInstalled {
                    model_id: model_id.into(),
                    bytes: installed.bytes,
                });
            }
            // An update: the old copy goes, the new one downloads in its place.
            store
                .delete_model(model_id)
                .await
                .map_err(errors::storage)?;
        }
        let Some(job) = self.jobs.start(model_id, id, Rc::clone(outbox)) else {
            // Another request started it while the catalog was being read.
            let job = self
                .jobs
                .running(model_id)
                .ok_or_else(|| errors::unknown_model(model_id))?;
            return joined(job.join(id)).await;
        };
        let urls = entry
            .files
            .iter()
            .map(|f| choice.catalog.file_url(f))
            .collect();
        let signal = job.abort.signal();
        let run = download::Download {
            entry: &entry,
            urls,
            store,
            signal: &signal,
            reporter: &*job,
        };
        let outcome = run.run().await.map(|model| ModelInstalled {
            model_id: model_id.into(),
            bytes: model.bytes,
        });
        let discard = matches!(
            outcome.as_ref().map_err(|e| e.code),
            Err(ErrorCode::Cancelled | ErrorCode::QuotaExceeded | ErrorCode::StorageFailed)
        );
        // A cancelled download leaves nothing behind, and one that ran out of space gives back
        // what it took (resuming could not finish either).
        if discard && let Err(err) = store.delete_model(model_id).await {
            web_sys::console::warn_1(
                &format!("Lantern: could not discard {model_id}: {err}").into(),
            );
        }
        self.jobs.finish(model_id, &outcome);
        outcome
    }
}

async fn joined(
    outcome: futures_channel::oneshot::Receiver<jobs::Outcome>,
) -> Result<ModelInstalled, LanternError> {
    outcome.await.unwrap_or_else(|_| {
        Err(LanternError::new(
            ErrorCode::Internal,
            "the download ended without a result",
        ))
    })
}
