//! What the UI knows of the machine, from the browser: memory and cores, for sizing the first
//! chat model to it (`protocol::chat_model_for`); the chat adds the engine's measured decode
//! speed when it has it.

use protocol::Machine;
use wasm_bindgen::JsValue;

/// The machine as this page's browser describes it. `navigator.deviceMemory` (GiB, rounded down
/// and capped at 8 by the browser) is absent in some browsers; then the memory is unknown.
pub fn this_machine() -> Machine {
    let Some(window) = web_sys::window() else {
        return Machine::default();
    };
    let navigator = window.navigator();
    let memory_gib = js_sys::Reflect::get(&navigator, &JsValue::from_str("deviceMemory"))
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|gib| gib.is_finite() && *gib > 0.0);
    Machine {
        memory_bytes: memory_gib.map(|gib| (gib * (1u64 << 30) as f64) as u64),
        cores: navigator.hardware_concurrency().max(1.0) as usize,
        decode_bytes_per_s: None,
    }
}
