//! Following a model download from the UI: progress to a callback, the outcome at the end.

use futures_util::StreamExt;
use protocol::{ErrorCode, Event, LanternError, Reply, Request};

use crate::state::client;

/// Downloads a model (or joins its running download); `progress(bytes, total, bytes_per_s)`
/// is called as it goes.
pub async fn follow(
    model_id: String,
    progress: impl Fn(u64, Option<u64>, f64),
) -> Result<(), LanternError> {
    let mut replies = client().send(Request::DownloadModel { model_id })?;
    while let Some(reply) = replies.next().await {
        match reply {
            Reply::Progress {
                event:
                    Event::Download {
                        bytes,
                        total,
                        bytes_per_s,
                        ..
                    },
                ..
            } => progress(bytes, total, bytes_per_s),
            Reply::Throw { error, .. } => return Err(error),
            Reply::Return { .. } => return Ok(()),
            Reply::Progress { .. } | Reply::Heartbeat { .. } => {}
        }
    }
    Err(LanternError::new(
        ErrorCode::Disconnected,
        "lost the connection to Lantern during the download; try again",
    ))
}
