//! How much storage the browser grants Lantern, and how much is used.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::StorageManager;

pub struct Estimate {
    pub usage: u64,
    pub quota: u64,
}

impl Estimate {
    pub fn free(&self) -> u64 {
        self.quota.saturating_sub(self.usage)
    }
}

/// `navigator.storage.estimate()`, in a document or a worker.
pub async fn estimate() -> Option<Estimate> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let storage: StorageManager = Reflect::get(&navigator, &"storage".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let estimate = JsFuture::from(storage.estimate().ok()?).await.ok()?;
    let number = |name: &str| {
        Reflect::get(&estimate, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as u64
    };
    Some(Estimate {
        usage: number("usage"),
        quota: number("quota"),
    })
}
