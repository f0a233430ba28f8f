//! Following a model download from the UI: progress to a callback, the outcome at the end.

use protocol::{Event, LanternError};

use crate::state::client;

/// Downloads a model (or joins its running download); `progress(bytes, total, bytes_per_s)`
/// is called as it goes.
pub async fn follow(
    model_id: String,
    progress: impl Fn(u64, Option<u64>, f64),
) -> Result<(), LanternError> {
    client()
        .download_model(model_id)
        .each(|event| {
            if let Event::Download {
                bytes,
                total,
                bytes_per_s,
                ..
            } = event
            {
                progress(bytes, total, bytes_per_s)
            }
        })
        .await
        .map(|_| ())
}
