//! Lantern's offscreen document and its Web Workers: the thin wasm facade over `models/`.
//!
//! One wasm module serves both sides, and the folders say which side a file runs on:
//! - `document/` runs in the offscreen document: `Host` takes requests the background hands
//!   off and routes each by the protocol's request table, to a worker of the pool or to the
//!   document's own services (the microphone, the engine status);
//! - `worker/` is the other entry point, `WorkerEngine`, inside each engine worker; it owns the
//!   worker's engines (`engines/`, one folder per engine) and the model cache (`model_cache/`),
//!   which answer through the worker's `outbox` and step with `yield_now`.
//!
//! Bytes (weights, audio, images) stay on this side and move to workers by transfer.
#![deny(clippy::unwrap_used)]

mod audio_feed;
mod cancel_signal;
mod document;
mod engines;
mod errors;
mod model_cache;
mod outbox;
mod speech_feed;
mod thread_limit;
mod worker;
mod yield_now;

pub use document::Host;

// Counts live bytes for the engine card; a plain pass-through to the system allocator otherwise.
#[global_allocator]
static ALLOCATOR: worker::Counting = worker::Counting;
pub use worker::WorkerEngine;
