//! The user's "Engine threads" setting: the most threads an engine worker's pool may have
//! (`None`: one per core). It lives in the model store's `meta`, beside the engine's other
//! choice (the catalog URL), because a worker reads it when it starts, with no UI page open; the
//! document writes it (`set_engine_threads`) and reports it (`engine_info`).

use protocol::{ErrorCode, LanternError};
use webext::model_store::ModelStore;

use crate::errors;

const KEY: &str = "engine_threads";

/// The stored limit; `None` when there is none or it cannot be read (then every core is used).
pub async fn read() -> Option<u32> {
    let store = ModelStore::open().await.ok()?;
    store.meta::<u32>(KEY).await.ok().flatten()
}

/// Stores a limit (`None` removes it) and says whether it changed.
pub async fn write(limit: Option<u32>) -> Result<bool, LanternError> {
    if limit == Some(0) {
        return Err(LanternError::new(
            ErrorCode::MalformedMessage,
            "an engine needs at least one thread",
        ));
    }
    let store = ModelStore::open().await.map_err(errors::storage)?;
    let before = store.meta::<u32>(KEY).await.map_err(errors::storage)?;
    if before == limit {
        return Ok(false);
    }
    store
        .set_meta(KEY, limit.as_ref())
        .await
        .map_err(errors::storage)?;
    Ok(true)
}
