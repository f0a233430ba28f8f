//! What the client needs from an HTTP stack: send a request, stream the body back, wait. The
//! extension implements it over `fetch`; tests over a scripted server.

use crate::error::McpError;
use crate::http::HttpRequest;
use crate::schema::elicitation::{ElicitRequest, ElicitResult};
use crate::schema::notifications::ServerNotification;

/// A response whose body is read as it arrives (an SSE stream may stay open for minutes).
pub struct HttpResponse<B> {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: B,
}

impl<B> HttpResponse<B> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

// The futures are not `Send` (wasm has one thread and `fetch`'s futures are not), so the
// traits use plain `async fn` and callers stay generic over them.
#[allow(async_fn_in_trait)]
pub trait Body {
    /// The next bytes, or `None` at the end.
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, McpError>;
}

#[allow(async_fn_in_trait)]
pub trait Transport {
    type Body: Body;
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse<Self::Body>, McpError>;
    async fn sleep(&self, ms: u64);
}

/// What the client's owner does when a server asks something of the user or reports.
#[allow(async_fn_in_trait)]
pub trait Handler {
    /// A form the server wants filled. Only the user may answer it.
    async fn elicit(&self, request: ElicitRequest) -> ElicitResult;
    fn notify(&self, notification: ServerNotification);
}

/// A handler that declines every question and ignores every notice.
pub struct NoHandler;

impl Handler for NoHandler {
    async fn elicit(&self, _: ElicitRequest) -> ElicitResult {
        ElicitResult::declined()
    }
    fn notify(&self, _: ServerNotification) {}
}

/// Reads a whole body (a JSON answer).
pub async fn read_all<B: Body>(body: &mut B) -> Result<Vec<u8>, McpError> {
    let mut all = Vec::new();
    while let Some(chunk) = body.next_chunk().await? {
        all.extend(chunk);
    }
    Ok(all)
}
