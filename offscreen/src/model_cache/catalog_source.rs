//! Which catalog is in force: the user's choice of URL, else the build's (a local mirror for
//! `cargo xtask run`), else the built-in hub catalog. A fetched catalog is cached, so model
//! management still works offline.

use protocol::{Catalog, LanternError};
use serde::{Deserialize, Serialize};
use webext::model_store::ModelStore;

use super::fetch;
use crate::errors;

const USER_URL: &str = "catalog_url";
const CACHED: &str = "catalog_cache";

pub struct CatalogChoice {
    pub catalog: Catalog,
    pub url: Option<String>,
    /// Why a cached copy is shown instead of a fresh one.
    pub warning: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Cached {
    url: String,
    catalog: Catalog,
}

#[derive(Deserialize, Default)]
struct BuildConfig {
    catalog_url: Option<String>,
}

/// The catalog URL in force, if any.
async fn chosen_url(store: &ModelStore) -> Option<String> {
    if let Ok(Some(url)) = store.meta::<String>(USER_URL).await {
        return Some(url);
    }
    // dist/config.json, written by `cargo xtask dist`; absent or empty means the built-in catalog.
    let config = fetch::json("/config.json").await.ok()?;
    webext::from_js::<BuildConfig>(config).ok()?.catalog_url
}

pub async fn set_url(store: &ModelStore, url: Option<&str>) -> Result<(), LanternError> {
    store
        .set_meta(USER_URL, url.map(str::to_string).as_ref())
        .await
        .map_err(errors::storage)
}

/// The catalog in force as last seen, without asking the network: the cached copy of the chosen
/// catalog, else the built-in one. Enough to read what a model requires.
pub async fn known(store: &ModelStore) -> Catalog {
    let Some(url) = chosen_url(store).await else {
        return Catalog::builtin();
    };
    match store.meta::<Cached>(CACHED).await {
        Ok(Some(cached)) if cached.url == url => cached.catalog,
        _ => Catalog::builtin(),
    }
}

pub async fn current(store: &ModelStore) -> Result<CatalogChoice, LanternError> {
    let Some(url) = chosen_url(store).await else {
        return Ok(CatalogChoice {
            catalog: Catalog::builtin(),
            url: None,
            warning: None,
        });
    };
    // One retry: a catalog is tiny, and a connection dropped once should not look like offline.
    let mut first = fetch::json(&url).await;
    if first.is_err() {
        gloo_timers::future::TimeoutFuture::new(200).await;
        first = fetch::json(&url).await;
    }
    let fetched = match first {
        Ok(value) => webext::from_js::<Catalog>(value)
            .map_err(|e| format!("not a Lantern catalog: {e}"))
            .and_then(|c| {
                let catalog = c.rebased(&url);
                catalog
                    .validate()
                    .and_then(|_| catalog.validate_remote(&url))
                    .map(|_| catalog)
                    .map_err(|e| e.to_string())
            }),
        Err(why) => Err(why),
    };
    match fetched {
        Ok(catalog) => {
            let cached = Cached {
                url: url.clone(),
                catalog: catalog.clone(),
            };
            // A failed cache write only costs the offline fallback.
            let _ = store.set_meta(CACHED, Some(&cached)).await;
            Ok(CatalogChoice {
                catalog,
                url: Some(url),
                warning: None,
            })
        }
        Err(why) => match store.meta::<Cached>(CACHED).await {
            Ok(Some(cached)) if cached.url == url => Ok(CatalogChoice {
                catalog: cached.catalog,
                url: Some(url),
                warning: Some(format!(
                    "could not refresh the catalog ({why}); showing the last copy"
                )),
            }),
            _ => Err(errors::offline(&url, &why)),
        },
    }
}
