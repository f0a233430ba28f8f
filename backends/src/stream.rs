//! A streamed `/v1/chat/completions` answer, read as its bytes arrive: text deltas out at once,
//! tool-call deltas assembled by index (an id and a name first, the arguments in pieces), the
//! finish reason, the usage and llama.cpp's timings kept for the end. The end tells a complete
//! answer from a cut one: `[DONE]` or a finish reason, else the stream stopped in the middle and
//! what came is handed back with the error.

use mcp::http::SseParser;
use serde_json::Value;

use crate::error::{BackendError, from_stream_error};

/// A server that sends this many bytes without completing one event is not streaming events.
const MAX_EVENT_BYTES: usize = 1 << 20;
/// More calls than any answer makes; more are dropped.
const MAX_CALLS: usize = 16;

/// One tool call as the stream assembled it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamedCall {
    pub id: String,
    pub name: String,
    /// JSON text, as the model wrote it (it may not parse).
    pub arguments: String,
}

/// What the server counted and timed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Usage {
    pub prompt_tokens: usize,
    pub completion_tokens: usize,
    /// llama.cpp's `timings`, when it sends them.
    pub prompt_per_second: Option<f64>,
    pub predicted_per_second: Option<f64>,
}

/// A complete answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Completion {
    pub text: String,
    pub calls: Vec<StreamedCall>,
    /// `stop`, `length`, `tool_calls`, ... (`None` when the server ended with `[DONE]` alone).
    pub finish_reason: Option<String>,
    pub usage: Option<Usage>,
}

#[derive(Debug, Default)]
pub struct CompletionStream {
    sse: SseParser,
    answer: Completion,
    done: bool,
    /// Events that were chunks of a completion.
    chunks: usize,
    bytes_since_event: usize,
    /// The first bytes, to show when the body turns out not to be an event stream.
    head: Vec<u8>,
}

impl CompletionStream {
    pub fn new() -> CompletionStream {
        CompletionStream::default()
    }

    /// The text so far (what a cut answer keeps).
    pub fn text(&self) -> &str {
        &self.answer.text
    }

    /// Feeds bytes as they arrive; returns the new pieces of text, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<String>, BackendError> {
        if self.head.len() < 200 {
            let take = (200 - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
        }
        let events = self.sse.push(bytes);
        if events.is_empty() {
            self.bytes_since_event += bytes.len();
            if self.bytes_since_event > MAX_EVENT_BYTES {
                return Err(self.not_a_stream());
            }
        } else {
            self.bytes_since_event = 0;
        }
        let mut pieces = Vec::new();
        for event in events {
            if self.done {
                break;
            }
            let data = event.data.trim();
            if data == "[DONE]" {
                self.done = true;
                break;
            }
            if data.is_empty() {
                continue;
            }
            let chunk: Value = serde_json::from_str(data).map_err(|e| {
                BackendError::Dialect(format!("an event that is not JSON ({e}): {}", short(data)))
            })?;
            if let Some(error) = chunk.get("error") {
                return Err(from_stream_error(error, &self.answer.text));
            }
            if let Some(piece) = self.chunk(&chunk)? {
                pieces.push(piece);
            }
        }
        Ok(pieces)
    }

    /// Takes one `chat.completion.chunk`; its text, if any.
    fn chunk(&mut self, chunk: &Value) -> Result<Option<String>, BackendError> {
        let Some(choices) = chunk.get("choices").and_then(Value::as_array) else {
            return Err(BackendError::Dialect(format!(
                "an event without \"choices\": {}",
                short(&chunk.to_string())
            )));
        };
        self.chunks += 1;
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            let count = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0) as usize;
            let timing = |key: &str| {
                chunk
                    .pointer(&format!("/timings/{key}"))
                    .and_then(Value::as_f64)
            };
            self.answer.usage = Some(Usage {
                prompt_tokens: count("prompt_tokens"),
                completion_tokens: count("completion_tokens"),
                prompt_per_second: timing("prompt_per_second"),
                predicted_per_second: timing("predicted_per_second"),
            });
        }
        // One answer asked for: the first choice is it.
        let Some(choice) = choices.first() else {
            return Ok(None);
        };
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.answer.finish_reason = Some(reason.to_string());
        }
        let delta = choice.get("delta").unwrap_or(&Value::Null);
        if let Some(calls) = delta.get("tool_calls").and_then(Value::as_array) {
            for call in calls {
                self.call_delta(call);
            }
        }
        let text = delta
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if text.is_empty() {
            return Ok(None);
        }
        self.answer.text.push_str(text);
        Ok(Some(text.to_string()))
    }

    fn call_delta(&mut self, delta: &Value) {
        let calls = &mut self.answer.calls;
        let index = delta
            .get("index")
            .and_then(Value::as_u64)
            .map(|i| i as usize);
        let id = delta.get("id").and_then(Value::as_str);
        // By index when the server numbers its calls; else a new id starts a new call.
        let slot = match index {
            Some(i) => i,
            None => match (id, calls.last()) {
                (Some(id), Some(last)) if last.id != id => calls.len(),
                (_, Some(_)) => calls.len() - 1,
                (_, None) => 0,
            },
        };
        if slot >= MAX_CALLS {
            return;
        }
        while calls.len() <= slot {
            calls.push(StreamedCall::default());
        }
        let call = &mut calls[slot];
        if let Some(id) = id {
            call.id = id.to_string();
        }
        if let Some(name) = delta.pointer("/function/name").and_then(Value::as_str) {
            call.name.push_str(name);
        }
        if let Some(arguments) = delta.pointer("/function/arguments").and_then(Value::as_str) {
            call.arguments.push_str(arguments);
        }
    }

    /// The body ended: the answer, or why it is not one.
    pub fn finish(mut self) -> Result<Completion, BackendError> {
        if !self.done && self.answer.finish_reason.is_none() {
            // An event half written is a cut too; bytes that never looked like events are
            // another dialect.
            let events = self.chunks > 0
                || self.head.is_empty()
                || [&b"data:"[..], b"event:", b":", b"id:"]
                    .iter()
                    .any(|field| self.head.starts_with(field));
            return Err(if events {
                self.cut("the stream ended before the answer did")
            } else {
                self.not_a_stream()
            });
        }
        self.answer.calls.retain(|call| !call.name.is_empty());
        Ok(self.answer)
    }

    /// The connection failed while reading: the answer is cut, its text kept.
    pub fn cut(&self, reason: &str) -> BackendError {
        BackendError::Cut {
            partial: self.answer.text.clone(),
            reason: reason.to_string(),
        }
    }

    fn not_a_stream(&self) -> BackendError {
        BackendError::Dialect(format!(
            "the answer is not an event stream of chat completion chunks: {}",
            short(&String::from_utf8_lossy(&self.head))
        ))
    }
}

fn short(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = line.chars().take(160).collect();
    if line.chars().count() > 160 {
        out.push('…');
    }
    out
}
