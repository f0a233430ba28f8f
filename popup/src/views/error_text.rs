//! How an error reads on screen: the UI's own (localized) wording as it is; an error from the
//! background or engine as its kind's localized sentence, then its technical detail (English,
//! marked as such for screen readers).

use protocol::{ErrorCode, LanternError};
use sycamore::prelude::*;

use crate::i18n::t;

/// A localized sentence for an error's kind, for errors that come from elsewhere (the
/// background, the engine). Their `message` is technical detail, in English, shown beside it.
pub fn error_kind(code: ErrorCode) -> String {
    match code {
        ErrorCode::MalformedMessage
        | ErrorCode::UnknownType
        | ErrorCode::UnknownTarget
        | ErrorCode::WrongTarget
        | ErrorCode::Internal => t("errorInternal"),
        ErrorCode::Forbidden => t("errorForbidden"),
        ErrorCode::OffscreenUnavailable | ErrorCode::WorkerCrashed | ErrorCode::EngineStopped => {
            t("errorEngineStopped")
        }
        ErrorCode::Disconnected => t("errorDisconnected"),
        ErrorCode::NoPageAccess => t("errorNoPageAccess"),
        ErrorCode::NoReadableText => t("errorNoReadableText"),
        ErrorCode::Cancelled => t("errorCancelled"),
        ErrorCode::Offline => t("errorOffline"),
        ErrorCode::ServerError => t("errorServerError"),
        ErrorCode::HashMismatch => t("errorHashMismatch"),
        ErrorCode::QuotaExceeded => t("errorQuotaExceeded"),
        ErrorCode::ModelTooLarge => t("errorModelTooLarge"),
        ErrorCode::UnsupportedFormat => t("errorUnsupportedFormat"),
        ErrorCode::UnknownModel => t("errorUnknownModel"),
        ErrorCode::NotInstalled => t("errorNotInstalled"),
        ErrorCode::StorageFailed => t("errorStorageFailed"),
        ErrorCode::MessageTooLong => t("errorMessageTooLong"),
        ErrorCode::MicrophoneDenied => t("errorMicrophoneDenied"),
        ErrorCode::MicrophonePermissionNeeded => t("errorMicrophonePermissionNeeded"),
        ErrorCode::MicrophoneNotFound => t("errorMicrophoneNotFound"),
        ErrorCode::Busy => t("errorBusy"),
        ErrorCode::ToolServerUnreachable => t("errorToolServerUnreachable"),
        ErrorCode::ToolServerRefusedOrigin => t("errorToolServerRefusedOrigin"),
        ErrorCode::ToolServerFailed => t("errorToolServerFailed"),
        ErrorCode::BackendUnreachable => t("errorBackendUnreachable"),
        ErrorCode::BackendRefused => t("errorBackendRefused"),
        ErrorCode::BackendModelMissing => t("errorBackendModelMissing"),
        ErrorCode::BackendContextTooLong => t("errorBackendContextTooLong"),
        ErrorCode::BackendStreamCut => t("errorBackendStreamCut"),
        ErrorCode::BackendDialect => t("errorBackendDialect"),
        ErrorCode::BackendFailed => t("errorBackendFailed"),
        ErrorCode::BadImage => t("errorBadImage"),
        ErrorCode::ImageUnreachable => t("errorImageUnreachable"),
    }
}

/// An error the UI itself words (already localized): its kind's sentence is not added.
pub fn ui_error(code: ErrorCode, text: String) -> LanternError {
    LanternError::new(code, format!("{UI_WORDED}{text}"))
}

/// Marks a message the UI worded itself (see `ui_error`), so `show_error` does not prefix it.
const UI_WORDED: &str = "\u{2063}";

/// What an error view shows: (the localized sentence or `None`, the message). A message the
/// UI worded is the whole text; one from elsewhere gets its kind's sentence first.
pub fn error_parts(error: &LanternError) -> (Option<String>, String) {
    match error.message.strip_prefix(UI_WORDED) {
        Some(worded) => (None, worded.to_string()),
        None => (Some(error_kind(error.code)), error.message.clone()),
    }
}

/// A listening problem in a status line (dictation, the voice command): its code for the
/// tests, muted when the user only cancelled or nothing was heard.
pub fn status_problem(problem: &LanternError) -> View {
    let code = format!("{:?}", problem.code);
    let class = if problem.code == ErrorCode::Cancelled {
        "muted"
    } else {
        "error"
    };
    let text = error_text(problem);
    view! { span(class=class, data-code=code) { (text) } }
}

/// The view of an error (inside the element that carries its role and code).
pub fn error_text(error: &LanternError) -> View {
    match error_parts(error) {
        (None, text) => view! { (text) },
        (Some(kind), detail) => view! {
            (kind) " " span(class="error-detail", lang="en") { (detail) }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_from_elsewhere_get_their_kind_first() {
        let remote = LanternError::new(ErrorCode::Offline, "connection refused");
        assert_eq!(
            error_parts(&remote),
            (Some(t("errorOffline")), "connection refused".to_string())
        );
        let local = ui_error(ErrorCode::Internal, "Worded here.".into());
        assert_eq!(error_parts(&local), (None, "Worded here.".to_string()));
    }
}
