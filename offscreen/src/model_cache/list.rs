//! The model list the UI shows: the catalog's models (and imported ones) with their state here.

use protocol::{LanternError, ModelList, ModelState, ModelStatus};
use webext::model_store::ModelStore;

use super::catalog_source::CatalogChoice;
use super::jobs::Jobs;
use super::quota;
use crate::errors;

pub async fn list(
    store: &ModelStore,
    choice: CatalogChoice,
    jobs: &Jobs,
) -> Result<ModelList, LanternError> {
    let installed = store.installed().await.map_err(errors::storage)?;
    let progress = drop_stale_downloads(store, &choice, &installed, jobs).await?;
    let mut models: Vec<ModelStatus> = choice
        .catalog
        .models
        .iter()
        .map(|entry| {
            let state = if let Some(job) = jobs.running(&entry.id) {
                ModelState::Downloading {
                    bytes: job.bytes.get(),
                    total: job.total.get().or(entry.total_size()),
                }
            } else if let Some(model) = installed.iter().find(|m| m.entry.id == entry.id) {
                ModelState::Installed {
                    bytes: model.bytes,
                    update_available: entry.changed_since(&model.entry),
                }
            } else {
                let stored: u64 = progress
                    .iter()
                    .filter(|p| p.model_id == entry.id && p.version == entry.version)
                    .map(|p| p.bytes)
                    .sum();
                if stored > 0 {
                    ModelState::Partial {
                        bytes: stored,
                        total: entry.total_size(),
                    }
                } else {
                    ModelState::Available
                }
            };
            ModelStatus {
                entry: entry.clone(),
                state,
            }
        })
        .collect();
    // Installed models the catalog does not list (imports, or dropped from the catalog) stay
    // visible so they can be used and deleted.
    for model in &installed {
        if choice.catalog.model(&model.entry.id).is_none() {
            models.push(ModelStatus {
                entry: model.entry.clone(),
                state: ModelState::Installed {
                    bytes: model.bytes,
                    update_available: false,
                },
            });
        }
    }
    let estimate = quota::estimate().await;
    Ok(ModelList {
        catalog_url: choice.url,
        catalog_warning: choice.warning,
        models,
        storage_usage: estimate.as_ref().map_or(0, |e| e.usage),
        storage_quota: estimate.as_ref().map_or(0, |e| e.quota),
    })
}

/// Removes half-downloaded files that can never be resumed: their model left the catalog or
/// changed version, and nothing installed uses them. Returns the downloads that remain.
async fn drop_stale_downloads(
    store: &ModelStore,
    choice: &CatalogChoice,
    installed: &[webext::model_store::InstalledModel],
    jobs: &Jobs,
) -> Result<Vec<webext::model_store::FileProgress>, LanternError> {
    let mut kept = Vec::new();
    for file in store.progress_all().await.map_err(errors::storage)? {
        let current = choice
            .catalog
            .model(&file.model_id)
            .is_some_and(|entry| entry.version == file.version);
        let in_use = installed.iter().any(|m| m.entry.id == file.model_id);
        let downloading = jobs.running(&file.model_id).is_some();
        if current || in_use || downloading {
            kept.push(file);
        } else {
            store
                .forget_file(&file.model_id, &file.name)
                .await
                .map_err(errors::storage)?;
        }
    }
    Ok(kept)
}
