//! Model management inside a worker: the catalog in force, downloads into the IndexedDB cache,
//! listing, deleting, and loading from the cache.

mod catalog_source;
mod download;
mod errors;

pub use errors::storage as storage_error;
mod fetch;
mod jobs;
mod list;
pub mod loader;
mod quota;

use std::rc::Rc;

use protocol::{ErrorCode, Id, LanternError, ModelInstalled, Request, Response, Task};
use webext::model_store::ModelStore;

use crate::outbox::Outbox;

/// Serves one model-management request; `id` is where its progress goes.
pub async fn serve(request: Request, id: Id, outbox: Rc<Outbox>) -> Result<Response, LanternError> {
    let store = ModelStore::open().await.map_err(errors::storage)?;
    match request {
        Request::ListModels => {
            let choice = catalog_source::current(&store).await?;
            list::list(&store, choice).await.map(Response::Models)
        }
        Request::DownloadModel { model_id } => download(&store, &model_id, id, outbox)
            .await
            .map(Response::ModelInstalled),
        Request::CancelDownload { model_id } => {
            cancel(&model_id);
            Ok(Response::Done)
        }
        Request::DeleteModel { model_id } => {
            cancel(&model_id);
            store
                .delete_model(&model_id)
                .await
                .map_err(errors::storage)?;
            Ok(Response::Done)
        }
        Request::ClearModels => {
            for status in store.installed().await.map_err(errors::storage)? {
                cancel(&status.entry.id);
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
        Request::LoadModel {
            model_id,
            task: Task::Llm,
        } => crate::llm::load(&model_id, id, &outbox)
            .await
            .map(Response::ModelLoaded),
        Request::LoadModel { model_id, .. } => {
            let report = |done, total| {
                outbox.progress(
                    id,
                    protocol::Event::Step {
                        stage: protocol::Stage::LoadingModel,
                        done: Some(done),
                        total: Some(total),
                    },
                )
            };
            let loaded = loader::read(&store, &model_id, &report).await?;
            loader::describe(&loaded).map(Response::ModelLoaded)
        }
        other => Err(LanternError::new(
            ErrorCode::Internal,
            format!("model management does not serve {:?}", other.type_name()),
        )),
    }
}

/// Whether a request belongs to model management.
pub fn serves(request: &Request) -> bool {
    matches!(
        request,
        Request::ListModels
            | Request::DownloadModel { .. }
            | Request::CancelDownload { .. }
            | Request::DeleteModel { .. }
            | Request::ClearModels
            | Request::SetCatalogUrl { .. }
            | Request::LoadModel { .. }
    )
}

fn cancel(model_id: &str) {
    if let Some(job) = jobs::running(model_id) {
        job.abort.abort();
    }
}

async fn download(
    store: &ModelStore,
    model_id: &str,
    id: Id,
    outbox: Rc<Outbox>,
) -> Result<ModelInstalled, LanternError> {
    if let Some(job) = jobs::running(model_id) {
        return joined(jobs::join(&job, id)).await;
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
    let Some(job) = jobs::start(model_id, id, outbox) else {
        // Another request started it while the catalog was being read.
        let job = jobs::running(model_id).ok_or_else(|| errors::unknown_model(model_id))?;
        return joined(jobs::join(&job, id)).await;
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
    // A cancelled download leaves nothing behind, and one that ran out of space gives back what
    // it took (resuming could not finish either).
    if discard && let Err(err) = store.delete_model(model_id).await {
        web_sys::console::warn_1(&format!("Lantern: could not discard {model_id}: {err}").into());
    }
    jobs::finish(model_id, &outcome);
    outcome
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
