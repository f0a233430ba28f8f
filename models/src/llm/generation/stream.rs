//! Turning token bytes into text deltas: never splitting a UTF-8 character (a token may carry
//! half an emoji) and holding back text that may be the start of a stop string.

/// Accumulates token bytes and hands out text that is safe to show.
#[derive(Debug, Clone, Default)]
pub struct TextStream {
    /// Bytes not yet valid UTF-8 (at most an incomplete character).
    bytes: Vec<u8>,
    /// Decoded text not yet handed out (may start a stop string).
    held: String,
    /// Everything handed out so far.
    text: String,
    stops: Vec<String>,
    stopped: bool,
    /// Drop one leading space of the reply (SentencePiece's word marker).
    strip_first_space: bool,
}

impl TextStream {
    pub fn new(stops: Vec<String>, strip_first_space: bool) -> TextStream {
        TextStream {
            stops: stops.into_iter().filter(|s| !s.is_empty()).collect(),
            strip_first_space,
            ..TextStream::default()
        }
    }

    /// Adds a token's bytes; returns the new text that can be shown (possibly empty).
    pub fn push(&mut self, token_bytes: &[u8]) -> String {
        if self.stopped {
            return String::new();
        }
        self.bytes.extend_from_slice(token_bytes);
        let valid = self.take_valid();
        self.held.push_str(&valid);
        self.release(false)
    }

    /// Ends the stream: flushes what was held (an incomplete character becomes U+FFFD, since no
    /// more bytes will come).
    pub fn finish(&mut self) -> String {
        if !self.stopped && !self.bytes.is_empty() {
            let rest = String::from_utf8_lossy(&self.bytes).into_owned();
            self.held.push_str(&rest);
        }
        self.bytes.clear();
        self.release(true)
    }

    /// Whether a stop string appeared (the text ends before it).
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// All text handed out so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Moves the longest valid UTF-8 prefix out of `bytes`; invalid bytes that no further byte
    /// could complete become U+FFFD.
    fn take_valid(&mut self) -> String {
        let mut out = String::new();
        loop {
            match std::str::from_utf8(&self.bytes) {
                Ok(s) => {
                    out.push_str(s);
                    self.bytes.clear();
                    return out;
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    // `valid_up_to` bytes are valid UTF-8 by definition.
                    out.push_str(&String::from_utf8_lossy(&self.bytes[..good]));
                    match e.error_len() {
                        // An incomplete character at the end: wait for more bytes.
                        None => {
                            self.bytes.drain(..good);
                            return out;
                        }
                        Some(bad) => {
                            out.push('\u{FFFD}');
                            self.bytes.drain(..good + bad);
                        }
                    }
                }
            }
        }
    }

    fn release(&mut self, end: bool) -> String {
        if self.strip_first_space && self.text.is_empty() && !self.held.is_empty() {
            if self.held.starts_with(' ') {
                self.held.remove(0);
            }
            self.strip_first_space = false;
        }
        if let Some(at) = self
            .stops
            .iter()
            .filter_map(|s| self.held.find(s.as_str()))
            .min()
        {
            self.held.truncate(at);
            self.stopped = true;
            self.bytes.clear();
            return self.hand_out(self.held.len());
        }
        if end {
            return self.hand_out(self.held.len());
        }
        // Keep back the longest tail that begins some stop string.
        let keep = self
            .stops
            .iter()
            .map(|s| longest_suffix_prefix(&self.held, s))
            .max()
            .unwrap_or(0);
        self.hand_out(self.held.len() - keep)
    }

    fn hand_out(&mut self, n: usize) -> String {
        let rest = self.held.split_off(n);
        let out = std::mem::replace(&mut self.held, rest);
        self.text.push_str(&out);
        out
    }
}

/// Length of the longest suffix of `text` that is a proper prefix of `stop`, on char boundaries.
fn longest_suffix_prefix(text: &str, stop: &str) -> usize {
    let max = text.len().min(stop.len().saturating_sub(1));
    (1..=max)
        .rev()
        .find(|&n| {
            text.is_char_boundary(text.len() - n) && stop.starts_with(&text[text.len() - n..])
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_characters_are_held_until_complete() {
        let mut s = TextStream::new(vec![], false);
        let bytes = "a😀b漢".as_bytes();
        let mut deltas = Vec::new();
        for b in bytes {
            deltas.push(s.push(&[*b]));
        }
        deltas.push(s.finish());
        assert!(deltas.iter().all(|d| !d.contains('\u{FFFD}')));
        assert_eq!(deltas.concat(), "a😀b漢");
        assert_eq!(s.text(), "a😀b漢");
    }

    #[test]
    fn stop_strings_end_the_text_across_tokens() {
        let mut s = TextStream::new(vec!["</end>".into()], false);
        let mut out = String::new();
        for piece in ["Hello <", "/en", "d> more"] {
            out.push_str(&s.push(piece.as_bytes()));
        }
        out.push_str(&s.finish());
        assert!(s.stopped());
        assert_eq!(out, "Hello ");
    }

    #[test]
    fn a_false_start_of_a_stop_string_is_released() {
        let mut s = TextStream::new(vec!["STOP".into()], false);
        assert_eq!(s.push(b"ST"), "");
        assert_eq!(s.push(b"ART"), "START");
        assert_eq!(s.finish(), "");
    }

    #[test]
    fn first_space_is_dropped_once() {
        let mut s = TextStream::new(vec![], true);
        assert_eq!(s.push(b" Hi"), "Hi");
        assert_eq!(s.push(b" there"), " there");
    }
}
