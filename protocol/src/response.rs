//! The values requests return.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    Pong(Pong),
    EngineInfo(EngineInfo),
    WorkerInfo(WorkerInfo),
    PageInfo(PageInfo),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pong {
    pub version: String,
    /// Whether an offscreen document exists right now.
    pub offscreen_open: bool,
}

/// What the engine sees, from the offscreen document and from the worker that runs models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineInfo {
    pub offscreen: ContextInfo,
    pub worker: WorkerInfo,
}

/// Facts about a browsing context that decide how fast models can run in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextInfo {
    /// `crossOriginIsolated`: SharedArrayBuffer, and so wasm threads, are allowed.
    pub cross_origin_isolated: bool,
    /// `navigator.hardwareConcurrency`.
    pub hardware_concurrency: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerInfo {
    #[serde(flatten)]
    pub context: ContextInfo,
    /// The engine was compiled with wasm SIMD128 instructions.
    pub simd128_compiled: bool,
    /// This browser validates a module that uses SIMD128.
    pub simd128_supported: bool,
    /// Current size of the engine's linear memory.
    pub wasm_memory_bytes: u64,
    /// Lantern version the worker's wasm was built from.
    pub engine_version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageInfo {
    pub tab_id: i64,
    pub title: String,
    pub url: String,
    /// The selected text; empty when nothing is selected.
    pub selection: String,
}
