//! IndexedDB with `async`: open with an upgrade step, await requests and transactions. Works in
//! documents and workers alike (it finds `indexedDB` on whatever the global is).

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, IdbDatabase, IdbFactory, IdbObjectStore, IdbOpenDbRequest, IdbRequest,
    IdbTransaction, IdbTransactionMode, IdbVersionChangeEvent,
};

/// Why a storage operation failed, with the browser's own reason kept.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IdbError {
    #[error("this context has no IndexedDB")]
    Unavailable,
    #[error("the browser's storage quota is used up")]
    QuotaExceeded,
    #[error("storage failed: {0}")]
    Failed(String),
}

impl IdbError {
    /// Reads a DOMException (or anything thrown) into an error, recognising quota errors.
    pub fn from_js(value: &JsValue) -> IdbError {
        if let Some(exception) = value.dyn_ref::<DomException>() {
            if exception.name() == "QuotaExceededError" {
                return IdbError::QuotaExceeded;
            }
            return IdbError::Failed(format!("{}: {}", exception.name(), exception.message()));
        }
        // Request error events carry the exception on their target's `error`.
        let nested = Reflect::get(value, &"target".into())
            .and_then(|target| Reflect::get(&target, &"error".into()))
            .ok()
            .filter(|e| !e.is_undefined() && !e.is_null());
        match nested {
            Some(error) => IdbError::from_js(&error),
            None => IdbError::Failed(
                value
                    .as_string()
                    .unwrap_or_else(|| "unknown storage error".into()),
            ),
        }
    }
}

fn factory() -> Result<IdbFactory, IdbError> {
    Reflect::get(&js_sys::global(), &"indexedDB".into())
        .ok()
        .and_then(|f| f.dyn_into::<IdbFactory>().ok())
        .ok_or(IdbError::Unavailable)
}

/// Opens (creating or upgrading) a database; `upgrade` gets the database and the old version
/// inside the version-change transaction.
pub async fn open(
    name: &str,
    version: u32,
    upgrade: fn(&IdbDatabase, u32) -> Result<(), JsValue>,
) -> Result<IdbDatabase, IdbError> {
    let request: IdbOpenDbRequest = factory()?
        .open_with_u32(name, version)
        .map_err(|e| IdbError::from_js(&e))?;
    let on_upgrade =
        Closure::<dyn FnMut(IdbVersionChangeEvent)>::new(move |event: IdbVersionChangeEvent| {
            let db = Reflect::get(&event, &"target".into())
                .and_then(|t| Reflect::get(&t, &"result".into()))
                .ok()
                .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
            if let Some(db) = db {
                // An error here aborts the version change, which fails the open below.
                let _ = upgrade(&db, event.old_version() as u32);
            }
        });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let result = wait(&request).await;
    request.set_onupgradeneeded(None);
    result?
        .dyn_into::<IdbDatabase>()
        .map_err(|_| IdbError::Failed("open returned no database".into()))
}

/// Waits for a request's result.
pub async fn wait(request: &IdbRequest) -> Result<JsValue, IdbError> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    outcome.map_err(|e| IdbError::from_js(&e))?;
    request.result().map_err(|e| IdbError::from_js(&e))
}

/// Waits until a transaction commits.
pub async fn committed(tx: &IdbTransaction) -> Result<(), IdbError> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    tx.set_oncomplete(None);
    tx.set_onerror(None);
    tx.set_onabort(None);
    match outcome {
        Ok(_) => Ok(()),
        // An aborted transaction says why on its own `error` (null when aborted on purpose).
        Err(event) => Err(tx
            .error()
            .map(|e| IdbError::from_js(&e))
            .unwrap_or_else(|| IdbError::from_js(&event))),
    }
}

/// A transaction over `stores`.
pub fn transaction(
    db: &IdbDatabase,
    stores: &[&str],
    write: bool,
) -> Result<IdbTransaction, IdbError> {
    let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
    let mode = if write {
        IdbTransactionMode::Readwrite
    } else {
        IdbTransactionMode::Readonly
    };
    db.transaction_with_str_sequence_and_mode(&names, mode)
        .map_err(|e| IdbError::from_js(&e))
}

pub fn store(tx: &IdbTransaction, name: &str) -> Result<IdbObjectStore, IdbError> {
    tx.object_store(name).map_err(|e| IdbError::from_js(&e))
}

/// Turns a `Result<IdbRequest, JsValue>` from web-sys into one with our error.
pub fn req(request: Result<IdbRequest, JsValue>) -> Result<IdbRequest, IdbError> {
    request.map_err(|e| IdbError::from_js(&e))
}
