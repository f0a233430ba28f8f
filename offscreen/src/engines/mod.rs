//! The engines the workers run, one folder each. An engine owns what it has loaded as fields
//! (no globals), serves the requests the protocol's table routes to it, and reports what it
//! holds. Adding an engine: a folder here, a field in `worker::Engines`, a variant of
//! `protocol::Engine` and the rows of its requests (see ARCHITECTURE.md).

mod embed;
pub(crate) mod llm;
mod stt;
mod tts;
mod vision;

pub use embed::EmbedEngine;
pub use llm::LlmEngine;
pub use stt::SttEngine;
pub use tts::TtsEngine;
pub use vision::VisionEngine;
