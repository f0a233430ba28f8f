//! Following a model download from the UI: progress to a callback, the outcome at the end, and
//! the page's model list read again afterwards (whatever the outcome: a failed download may
//! leave a part to resume).

use protocol::{Event, LanternError};

use crate::model_list::Models;
use crate::state::client;

/// Downloads a model (or joins its running download); `progress(bytes, total, bytes_per_s)`
/// is called as it goes.
pub async fn follow(
    models: Models,
    model_id: String,
    progress: impl Fn(u64, Option<u64>, f64),
) -> Result<(), LanternError> {
    let outcome = client()
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
        .await;
    // Awaited, so a caller that then stops showing progress shows the model's new state.
    let _ = models.reload().await;
    outcome.map(|_| ())
}
