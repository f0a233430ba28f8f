//! A client transport to a server in the same program: each POST's JSON-RPC message is
//! answered by [`answer`](super::answer) and comes back as a JSON response, as an HTTP server
//! would send it. There is no stream to open (GET and DELETE are refused as a stateless HTTP
//! server refuses them) and nothing to wait for.

use crate::client::{Body, HttpResponse, Transport};
use crate::error::McpError;
use crate::http::{HttpMethod, HttpRequest};
use crate::jsonrpc::{Message, RpcError};

use super::{Server, answer};

pub struct InProcess<S> {
    server: S,
}

impl<S: Server> InProcess<S> {
    pub fn new(server: S) -> InProcess<S> {
        InProcess { server }
    }

    pub fn server(&self) -> &S {
        &self.server
    }
}

/// A whole body, handed over at once.
pub struct OneChunk(Option<Vec<u8>>);

impl Body for OneChunk {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, McpError> {
        Ok(self.0.take())
    }
}

fn response(status: u16, content_type: &str, body: String) -> HttpResponse<OneChunk> {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), content_type.into())],
        body: OneChunk(Some(body.into_bytes())),
    }
}

impl<S: Server> Transport for InProcess<S> {
    type Body = OneChunk;

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse<OneChunk>, McpError> {
        if request.method != HttpMethod::Post {
            return Ok(response(405, "text/plain", "Method Not Allowed".into()));
        }
        let text = request.body.unwrap_or_default();
        let message = match Message::parse_all(&text).map(|mut all| (all.len(), all.pop())) {
            Ok((1, Some(message))) => message,
            Ok(_) => {
                let error = RpcError::new(RpcError::INVALID_REQUEST, "send one message at a time");
                let body = Message::Error { id: None, error }.to_json();
                return Ok(response(400, "application/json", body));
            }
            Err(reason) => {
                let error = RpcError::new(RpcError::PARSE_ERROR, reason);
                let body = Message::Error { id: None, error }.to_json();
                return Ok(response(400, "application/json", body));
            }
        };
        Ok(match answer(&self.server, message).await {
            Some(reply) => response(200, "application/json", reply.to_json()),
            // A notification or a response: accepted, nothing to say.
            None => response(202, "text/plain", String::new()),
        })
    }

    async fn sleep(&self, _ms: u64) {}
}
