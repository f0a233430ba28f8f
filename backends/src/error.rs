//! Every way a model server can fail Lantern, by name, from the HTTP status and body it sent
//! (or the stream it cut), and each as the `LanternError` the UI words.

use protocol::{ErrorCode, LanternError};
use serde_json::Value;

/// Most characters of a server's own text kept in a message (it may send a whole HTML page).
const DETAIL_CHARS: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// No answer at all: not running, wrong address, refused connection, no permission.
    #[error("the server could not be reached: {0}")]
    Unreachable(String),
    /// 401/403: a wrong or missing API key.
    #[error("the server refused the request (HTTP {status}): {detail}")]
    Refused { status: u16, detail: String },
    /// 404 on the chat: the server has no such model.
    #[error("the server has no model {model:?}: {detail}")]
    ModelMissing { model: String, detail: String },
    #[error("the conversation is longer than the server's model takes: {0}")]
    ContextTooLong(String),
    /// The answer stopped before its end; `partial` is what came.
    #[error("the server's answer stopped in the middle ({reason})")]
    Cut { partial: String, reason: String },
    /// Not the OpenAI dialect (another API at that address, an HTML page, a proxy's answer).
    #[error("the server does not answer in the OpenAI dialect: {0}")]
    Dialect(String),
    #[error("the server answered HTTP {status}: {detail}")]
    Failed { status: u16, detail: String },
}

impl BackendError {
    pub fn code(&self) -> ErrorCode {
        match self {
            BackendError::Unreachable(_) => ErrorCode::BackendUnreachable,
            BackendError::Refused { .. } => ErrorCode::BackendRefused,
            BackendError::ModelMissing { .. } => ErrorCode::BackendModelMissing,
            BackendError::ContextTooLong(_) => ErrorCode::BackendContextTooLong,
            BackendError::Cut { .. } => ErrorCode::BackendStreamCut,
            BackendError::Dialect(_) => ErrorCode::BackendDialect,
            BackendError::Failed { .. } => ErrorCode::BackendFailed,
        }
    }
}

impl From<BackendError> for LanternError {
    fn from(error: BackendError) -> LanternError {
        LanternError::new(error.code(), error.to_string())
    }
}

/// The error an unsuccessful HTTP answer stands for. `model` is the model asked for (404 on a
/// chat means it is missing), `None` for requests about no model.
pub fn from_status(status: u16, body: &str, model: Option<&str>) -> BackendError {
    let detail = detail(body);
    match status {
        401 | 403 => BackendError::Refused { status, detail },
        404 => match model {
            Some(model) => BackendError::ModelMissing {
                model: model.to_string(),
                detail,
            },
            None => BackendError::Dialect(format!("HTTP 404 at an OpenAI endpoint: {detail}")),
        },
        _ if says_context_is_full(body) => BackendError::ContextTooLong(detail),
        _ => BackendError::Failed { status, detail },
    }
}

/// An error object a server sent inside its stream (llama.cpp, vLLM and OpenAI send
/// `{"error": {...}}` as an event when generation fails after the headers went out).
pub fn from_stream_error(error: &Value, partial: &str) -> BackendError {
    let text = error.to_string();
    if says_context_is_full(&text) {
        return BackendError::ContextTooLong(detail(&text));
    }
    BackendError::Cut {
        partial: partial.to_string(),
        reason: detail(&text),
    }
}

/// Whether an error text says the prompt does not fit: llama.cpp's `exceed_context_size_error`
/// ("the request exceeds the available context size"), OpenAI's and vLLM's
/// `context_length_exceeded` / "maximum context length", Ollama's and LM Studio's wordings.
fn says_context_is_full(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    text.contains("exceed_context_size")
        || text.contains("context_length_exceeded")
        || text.contains("maximum context length")
        || (text.contains("context") && (text.contains("exceed") || text.contains("too long")))
}

/// The server's own message: `error.message`, `error` as text, `message` or `detail`, else the
/// body's start; on one line and short.
fn detail(body: &str) -> String {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let field = |v: &Value| v.as_str().map(str::to_string);
    let said = json.as_ref().and_then(|v| {
        v.pointer("/error/message")
            .and_then(field)
            .or_else(|| v.get("error").and_then(field))
            .or_else(|| v.get("message").and_then(field))
            .or_else(|| v.get("detail").and_then(field))
    });
    let text = said.unwrap_or_else(|| body.to_string());
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut short: String = line.chars().take(DETAIL_CHARS).collect();
    if line.chars().count() > DETAIL_CHARS {
        short.push('…');
    }
    if short.is_empty() {
        short = "no details".into();
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_is_its_own_failure() {
        let key = from_status(
            401,
            r#"{"error":{"message":"Invalid API Key","type":"authentication_error"}}"#,
            Some("m"),
        );
        assert_eq!(key.code(), ErrorCode::BackendRefused);
        assert!(key.to_string().contains("Invalid API Key"), "{key}");
        assert_eq!(
            from_status(403, "", Some("m")).code(),
            ErrorCode::BackendRefused
        );
        let missing = from_status(
            404,
            r#"{"error":{"message":"model not found"}}"#,
            Some("llama-70b"),
        );
        assert_eq!(missing.code(), ErrorCode::BackendModelMissing);
        assert!(missing.to_string().contains("llama-70b"));
        // No /v1/models at that address: not an OpenAI server.
        assert_eq!(
            from_status(404, "Not Found", None).code(),
            ErrorCode::BackendDialect
        );
        let full = from_status(
            400,
            r#"{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error","n_prompt_tokens":4100,"n_ctx":2048}}"#,
            Some("m"),
        );
        assert_eq!(full.code(), ErrorCode::BackendContextTooLong);
        let vllm = from_status(
            400,
            r#"{"object":"error","message":"This model's maximum context length is 4096 tokens."}"#,
            Some("m"),
        );
        assert_eq!(vllm.code(), ErrorCode::BackendContextTooLong);
        let other = from_status(
            500,
            "<html><body>Internal   Server\nError</body></html>",
            Some("m"),
        );
        assert_eq!(other.code(), ErrorCode::BackendFailed);
        assert!(
            other
                .to_string()
                .contains("<html><body>Internal Server Error"),
            "{other}"
        );
    }

    #[test]
    fn a_huge_error_page_is_cut_short() {
        let page = "x".repeat(100_000);
        let error = from_status(502, &page, Some("m"));
        assert!(error.to_string().len() < 400, "{}", error.to_string().len());
    }

    #[test]
    fn an_error_inside_the_stream_keeps_what_came() {
        let cut = from_stream_error(&serde_json::json!({"message": "slot crashed"}), "Once upon");
        assert_eq!(
            cut,
            BackendError::Cut {
                partial: "Once upon".into(),
                reason: "slot crashed".into()
            }
        );
        let full = from_stream_error(
            &serde_json::json!({"type": "exceed_context_size_error"}),
            "",
        );
        assert_eq!(full.code(), ErrorCode::BackendContextTooLong);
    }
}
