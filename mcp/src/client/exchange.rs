//! One request's round trip over Streamable HTTP: POST it, read a JSON answer or an SSE stream
//! (answering the server's own requests and passing notifications on as they come), and resume
//! a stream that broke with `Last-Event-ID` after the server's retry delay.

use serde_json::Value;

use super::Client;
use super::input::answer_server_request;
use super::transport::{Body, Handler, HttpResponse, Transport, read_all};
use crate::error::McpError;
use crate::http::SseParser;
use crate::jsonrpc::{Id, Message, RpcError};
use crate::schema::notifications::ServerNotification;

/// How often a broken stream is resumed before the request fails.
const MAX_RESUMES: usize = 5;
/// The wait before resuming when the server named none (milliseconds).
const DEFAULT_RETRY_MS: u64 = 1000;

/// What reading a response produced.
enum Read {
    Answer(Result<Value, RpcError>),
    /// The stream ended without the answer; resume from this event id if there is one.
    Ended {
        last_event_id: Option<String>,
        retry_ms: Option<u64>,
    },
}

impl<T: Transport> Client<T> {
    /// Sends a request and waits for its answer, however it comes.
    pub(super) async fn exchange<H: Handler>(
        &self,
        id: &Id,
        method: &str,
        params: &Value,
        extra_headers: Vec<(String, String)>,
        handler: &H,
    ) -> Result<Result<Value, RpcError>, McpError> {
        let body = Message::Request {
            id: id.clone(),
            method: method.to_owned(),
            params: Some(params.clone()),
        }
        .to_json();
        let name = crate::http::headers::name_for(method, params);
        let request = self
            .conn
            .borrow()
            .post(body, method, name.as_deref(), extra_headers);
        let response = self.transport.send(request).await?;
        self.exchange_stream(response, id, handler).await
    }

    /// Reads a response to request `id` to its answer, resuming the stream when it breaks.
    pub(super) async fn exchange_stream<H: Handler>(
        &self,
        response: HttpResponse<T::Body>,
        id: &Id,
        handler: &H,
    ) -> Result<Result<Value, RpcError>, McpError> {
        self.check_status(&response)?;
        let mut read = self.read_response(response, id, handler).await?;
        for _ in 0..MAX_RESUMES {
            match read {
                Read::Answer(answer) => return Ok(answer),
                Read::Ended {
                    last_event_id: None,
                    ..
                } => return Err(McpError::StreamEnded),
                Read::Ended {
                    last_event_id: Some(event_id),
                    retry_ms,
                } => {
                    self.transport
                        .sleep(retry_ms.unwrap_or(DEFAULT_RETRY_MS))
                        .await;
                    let request = self.conn.borrow().get(Some(&event_id));
                    let response = self.transport.send(request).await?;
                    self.check_status(&response)?;
                    read = self.read_response(response, id, handler).await?;
                }
            }
        }
        Err(McpError::StreamEnded)
    }

    /// Reads a server-initiated stream (the GET stream) to its end, acting on what it carries.
    pub(super) async fn read_notifications<H: Handler>(
        &self,
        body: &mut T::Body,
        handler: &H,
    ) -> Result<(), McpError> {
        let nobody = Id::String(String::new());
        self.read_stream(body, &nobody, handler).await.map(|_| ())
    }

    /// Refuses statuses that carry no JSON-RPC answer, with the reason the user can act on.
    pub(super) fn check_status<B>(&self, response: &HttpResponse<B>) -> Result<(), McpError> {
        if response.status == 401 {
            return Err(McpError::Unauthorized);
        }
        Ok(())
    }

    async fn read_response<H: Handler>(
        &self,
        mut response: HttpResponse<T::Body>,
        id: &Id,
        handler: &H,
    ) -> Result<Read, McpError> {
        let content_type = response
            .header("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if response.status >= 300 {
            let text = String::from_utf8_lossy(&read_all(&mut response.body).await?).into_owned();
            // A JSON-RPC error in an HTTP error is still the server's answer.
            if let Ok(messages) = Message::parse_all(&text) {
                for m in messages {
                    if let Message::Error { error, .. } = m {
                        return Ok(Read::Answer(Err(error)));
                    }
                }
            }
            return Err(match response.status {
                403 => McpError::OriginRefused(text.trim().chars().take(200).collect()),
                status => McpError::Http {
                    status,
                    body: text.trim().chars().take(300).collect(),
                },
            });
        }
        if content_type.starts_with("text/event-stream") {
            return self.read_stream(&mut response.body, id, handler).await;
        }
        let text = String::from_utf8_lossy(&read_all(&mut response.body).await?).into_owned();
        let messages = Message::parse_all(&text).map_err(McpError::Protocol)?;
        for message in messages {
            if let Some(answer) = self.take(message, id, handler).await? {
                return Ok(Read::Answer(answer));
            }
        }
        Err(McpError::Protocol(format!(
            "the response to request {id} did not answer it"
        )))
    }

    async fn read_stream<H: Handler>(
        &self,
        body: &mut T::Body,
        id: &Id,
        handler: &H,
    ) -> Result<Read, McpError> {
        let mut parser = SseParser::new();
        loop {
            let chunk = match body.next_chunk().await {
                Ok(Some(chunk)) => chunk,
                // A dropped connection is the end of the stream: resumable when it had ids.
                Ok(None) | Err(McpError::Unreachable(_)) => break,
                Err(e) => return Err(e),
            };
            for event in parser.push(&chunk) {
                if event.event != "message" || event.data.trim().is_empty() {
                    continue;
                }
                let messages = Message::parse_all(&event.data).map_err(McpError::Protocol)?;
                for message in messages {
                    if let Some(answer) = self.take(message, id, handler).await? {
                        return Ok(Read::Answer(answer));
                    }
                }
            }
        }
        Ok(Read::Ended {
            last_event_id: parser.last_event_id().map(str::to_owned),
            retry_ms: parser.retry_ms(),
        })
    }

    /// Acts on one message read while waiting for `id`: the answer is returned; the server's
    /// requests are answered; notifications go to the handler.
    pub(super) async fn take<H: Handler>(
        &self,
        message: Message,
        id: &Id,
        handler: &H,
    ) -> Result<Option<Result<Value, RpcError>>, McpError> {
        match message {
            Message::Result { id: got, result } if &got == id => Ok(Some(Ok(result))),
            Message::Error {
                id: Some(got),
                error,
            } if &got == id => Ok(Some(Err(error))),
            Message::Request {
                id: request_id,
                method,
                params,
            } => {
                let answer = answer_server_request(&method, params, handler).await;
                let reply = match answer {
                    Ok(result) => Message::Result {
                        id: request_id,
                        result,
                    },
                    Err(error) => Message::Error {
                        id: Some(request_id),
                        error,
                    },
                };
                self.post_message(&reply, "").await?;
                Ok(None)
            }
            Message::Notification { method, params } => {
                handler.notify(ServerNotification::read(&method, params));
                Ok(None)
            }
            // An answer to some other request of ours (not expected on this stream): ignored.
            _ => Ok(None),
        }
    }

    /// POSTs a notification or a response, which the server acknowledges with 202.
    pub(super) async fn post_message(
        &self,
        message: &Message,
        method: &str,
    ) -> Result<(), McpError> {
        let request = self
            .conn
            .borrow()
            .post(message.to_json(), method, None, Vec::new());
        let mut response = self.transport.send(request).await?;
        // The body (if any) is drained so the connection is freed; its content is not an answer.
        let _ = read_all(&mut response.body).await;
        match response.status {
            200..=299 => Ok(()),
            401 => Err(McpError::Unauthorized),
            status => Err(McpError::Http {
                status,
                body: String::new(),
            }),
        }
    }
}

/// Drains a body whose content does not matter.
pub(super) async fn drain<B: Body>(body: &mut B) {
    let _ = read_all(body).await;
}
