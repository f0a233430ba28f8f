//! What a worker can tell about itself: SIMD, memory, isolation, threads.

use protocol::{HeldModel, VERSION, WorkerInfo, WorkerThreads};
use wasm_bindgen::JsCast;

/// The smallest module that uses a SIMD128 instruction (i8x16.splat, i8x16.popcnt): a browser
/// that validates it runs our simd128 build.
const SIMD_PROBE: [u8; 31] = [
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253,
    15, 253, 98, 11,
];

pub fn worker_info(models: Vec<HeldModel>, threads: WorkerThreads) -> WorkerInfo {
    WorkerInfo {
        context: webext::context_info(),
        simd128_compiled: cfg!(target_feature = "simd128"),
        simd128_supported: js_sys::WebAssembly::validate(&js_sys::Uint8Array::from(
            &SIMD_PROBE[..],
        ))
        .unwrap_or(false),
        wasm_memory_bytes: memory_bytes(),
        heap_bytes: super::heap::live_bytes(),
        models,
        engine_version: VERSION.into(),
        threads,
    }
}

fn memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|memory| {
            let buffer = memory.buffer();
            js_sys::Reflect::get(&buffer, &"byteLength".into())
                .ok()
                .and_then(|n| n.as_f64())
                .unwrap_or(0.0) as u64
        })
        .unwrap_or(0)
}
