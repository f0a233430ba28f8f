//! Lantern's offscreen document and its Web Workers: the thin wasm facade over `models/`.
//!
//! One wasm module serves both sides: the document's `Host` accepts requests from the background
//! over ports and hands model work to a pool of workers; each worker's `WorkerEngine` runs the
//! models. Bytes (weights, audio, images) stay on this side and move to workers by transfer; the
//! document also owns the microphone (dictation).
#![deny(clippy::unwrap_used)]

mod chat_tools;
mod dictation;
mod dictation_relay;
mod engine_facts;
mod host;
mod llm;
mod microphone;
mod models;
mod outbox;
mod pool;
mod speech_models;
mod summarize;
mod worker;
mod yield_now;

pub use host::Host;
pub use worker::WorkerEngine;
