//! Failures of the engines, the model cache and the network as the errors people see: each kind
//! of failure is mapped to its code here, once, for every engine.

use models::ModelError;
use protocol::{ErrorCode, LanternError};
use webext::idb::IdbError;

/// A failure of model code: a conversation too long for the model, a model file or an image
/// Lantern cannot read, or anything else (internal).
pub fn model(err: ModelError) -> LanternError {
    let code = match err {
        ModelError::MessageTooLong { .. } => ErrorCode::MessageTooLong,
        ModelError::BadModel(_) | ModelError::UnsupportedArch(_) => ErrorCode::UnsupportedFormat,
        // Its kind's sentence already says the image cannot be read: the detail is why.
        ModelError::BadImage(why) => return LanternError::new(ErrorCode::BadImage, why),
        _ => ErrorCode::Internal,
    };
    LanternError::new(code, err.to_string())
}

/// A request routed to an engine that does not serve it: the request table and the engine's
/// own dispatch disagree, which is a bug of ours.
pub fn not_served(engine: &str, request: &protocol::Request) -> LanternError {
    LanternError::new(
        ErrorCode::Internal,
        format!(
            "the {engine} engine does not serve {:?}",
            request.type_name()
        ),
    )
}

pub fn storage(err: IdbError) -> LanternError {
    match err {
        IdbError::QuotaExceeded => LanternError::new(
            ErrorCode::QuotaExceeded,
            "the browser's storage for Lantern is full; delete a model or free disk space",
        ),
        other => LanternError::new(ErrorCode::StorageFailed, other.to_string()),
    }
}

pub fn offline(url: &str, why: &str) -> LanternError {
    LanternError::new(
        ErrorCode::Offline,
        format!("could not reach {url} ({why}); check the connection and try again"),
    )
}

pub fn unknown_model(id: &str) -> LanternError {
    LanternError::new(
        ErrorCode::UnknownModel,
        format!("the catalog has no model {id:?}"),
    )
}

pub fn not_installed(id: &str) -> LanternError {
    LanternError::new(ErrorCode::NotInstalled, format!("{id} is not downloaded"))
}
