//! The document side: the offscreen document's router (`Host`), its pool of engine workers, the
//! relay that streams a worker's replies back with heartbeats, and the microphone it owns for
//! dictation (only a document may capture audio), the speakers it plays speech through, and
//! answers spoken as they stream (`aloud`), and the user's
//! model servers (`backend`, `backend_summary`).

mod aloud;
mod backend;
mod backend_summary;
mod dictation;
mod host;
mod mcp;
mod microphone;
mod pool;
mod relay;
mod speaker;
mod taken;

pub use host::Host;
