//! An incremental Server-Sent Events reader (the WHATWG event-stream rules): bytes in as they
//! arrive, whole events out, with the last event id and the server's retry delay remembered for
//! resuming.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    /// `message` unless the server named it.
    pub event: String,
    pub data: String,
    pub id: Option<String>,
}

#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of a line not yet ended (a chunk may cut a line, or a UTF-8 sequence, anywhere).
    pending: Vec<u8>,
    /// The previous chunk ended on CR: a LF opening this one belongs to it.
    after_cr: bool,
    data: String,
    has_data: bool,
    event: String,
    last_event_id: Option<String>,
    retry_ms: Option<u64>,
}

impl SseParser {
    pub fn new() -> SseParser {
        SseParser::default()
    }

    /// The id to resume from (`Last-Event-ID`).
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// The reconnection delay the server asked for.
    pub fn retry_ms(&self) -> Option<u64> {
        self.retry_ms
    }

    /// Feeds bytes; returns the events they complete.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        for &byte in chunk {
            if self.after_cr {
                self.after_cr = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.pending);
                    if let Some(event) = self.line(&String::from_utf8_lossy(&line)) {
                        events.push(event);
                    }
                }
                _ => self.pending.push(byte),
            }
        }
        events
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = value.to_owned(),
            "id" if !value.contains('\0') => self.last_event_id = Some(value.to_owned()),
            "retry" => {
                if let Ok(ms) = value.parse() {
                    self.retry_ms = Some(ms);
                }
            }
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = std::mem::take(&mut self.event);
        if !self.has_data {
            return None;
        }
        self.has_data = false;
        Some(SseEvent {
            event: if event.is_empty() {
                "message".into()
            } else {
                event
            },
            data: std::mem::take(&mut self.data),
            id: self.last_event_id.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_survive_any_chunking() {
        let stream = "id: e-1\nretry: 500\ndata: \n\n: comment\r\nevent: message\r\nid: e-2\r\ndata: {\"a\":\r\ndata: \"é\"}\r\n\r\ndata:x\n\n";
        let whole = SseParser::new().push(stream.as_bytes());
        for cut in 1..stream.len() {
            let mut p = SseParser::new();
            let mut events = p.push(&stream.as_bytes()[..cut]);
            events.extend(p.push(&stream.as_bytes()[cut..]));
            assert_eq!(events, whole, "cut at {cut}");
            assert_eq!(p.last_event_id(), Some("e-2"));
            assert_eq!(p.retry_ms(), Some(500));
        }
        assert_eq!(whole.len(), 3, "{whole:?}");
        assert_eq!(whole[0].data, "", "a priming event with empty data");
        assert_eq!(whole[1].data, "{\"a\":\n\"é\"}");
        assert_eq!(whole[1].id.as_deref(), Some("e-2"));
        assert_eq!(whole[2].data, "x");
        assert_eq!(whole[2].event, "message");
    }

    #[test]
    fn an_event_without_data_is_not_dispatched_but_its_id_counts() {
        let mut p = SseParser::new();
        assert!(p.push(b"id: 7\n\n").is_empty());
        assert_eq!(p.last_event_id(), Some("7"));
        assert!(p.push(b"data: partial").is_empty(), "no blank line yet");
    }
}
