//! The engines the workers run, one folder each. An engine owns what it has loaded as fields
//! (no globals), serves the requests the protocol's table routes to it, and reports what it
//! holds. Requests take turns on what an engine holds (`turns`: first come, first served, the
//! waiting told their place) and each carries its own cancellation (`cancel`). Adding an
//! engine: a folder here, a field in `worker::Engines`, a variant of `protocol::Engine` and the
//! rows of its requests (see ARCHITECTURE.md).

pub(crate) mod cancel;
mod embed;
pub(crate) mod llm;
mod stt;
mod tts;
pub(crate) mod turns;
mod vision;

pub use cancel::CancelToken;
pub use embed::EmbedEngine;
pub use llm::LlmEngine;
pub use stt::SttEngine;
pub use tts::TtsEngine;
pub use vision::VisionEngine;

use protocol::{ErrorCode, Event, Id, LanternError};

use crate::outbox::Outbox;
use turns::{Turn, Turns};

/// Tells request `id` how many requests are ahead of it in an engine's queue.
pub(crate) fn queued(id: Id, outbox: &Outbox) -> impl FnMut(usize) + '_ {
    move |ahead| {
        let ahead = u32::try_from(ahead).unwrap_or(u32::MAX);
        outbox.progress(id, Event::Queued { ahead });
    }
}

/// Request `id`'s turn on what an engine holds, told its place while it waits; a `cancelled`
/// error when it was stopped first.
pub(crate) async fn turn<'a, T>(
    turns: &'a Turns<T>,
    id: Id,
    outbox: &Outbox,
    cancel: &CancelToken,
) -> Result<Turn<'a, T>, LanternError> {
    turns
        .take(cancel, &mut queued(id, outbox))
        .await
        .ok_or_else(|| {
            LanternError::new(
                ErrorCode::Cancelled,
                "stopped while waiting for the engine to finish another request",
            )
        })
}
