//! Storage and network failures as the errors people see.

use protocol::{ErrorCode, LanternError};
use webext::idb::IdbError;

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
