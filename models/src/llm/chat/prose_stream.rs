//! The prose of a reply while it streams, without its tool-call markup: what can be read aloud
//! before the reply has ended and its calls are parsed (`parse_tool_calls` reads the whole).
//!
//! The formats are `parse_tool_calls`'s: Hermes `<tool_call>…</tool_call>` anywhere, Llama 3's
//! `<|python_tag|>` (only calls follow it), and a reply that is bare JSON from its first
//! character (nothing of it is prose, call or not).

const OPEN: &str = "<tool_call>";
const CLOSE: &str = "</tool_call>";
const PYTHON_TAG: &str = "<|python_tag|>";

#[derive(Debug, Default)]
pub struct ProseStream {
    /// Text not yet passed on: it may be the start of a marker.
    pending: String,
    /// Inside `<tool_call>`, waiting for its end.
    in_call: bool,
    /// The rest of the reply is calls or JSON.
    muted: bool,
    /// Whether anything but whitespace has been seen (a reply that starts with `{` is JSON).
    started: bool,
}

impl ProseStream {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next piece of the reply and returns the prose that is now certain.
    pub fn push(&mut self, piece: &str) -> String {
        if self.muted {
            return String::new();
        }
        self.pending.push_str(piece);
        let mut prose = String::new();
        loop {
            if !self.started {
                let body = self.pending.trim_start();
                let Some(first) = body.chars().next() else {
                    return prose;
                };
                if first == '{' || first == '[' || body.starts_with("```json") {
                    self.mute();
                    return prose;
                }
                // "```" alone may still become "```json".
                if "```json".starts_with(body) {
                    return prose;
                }
                self.started = true;
            }
            if self.in_call {
                match self.pending.find(CLOSE) {
                    Some(at) => {
                        self.pending.drain(..at + CLOSE.len());
                        self.in_call = false;
                    }
                    None => {
                        // Keep only what could be the start of the closing tag.
                        let keep = partial_suffix(&self.pending, CLOSE);
                        self.pending.drain(..self.pending.len() - keep);
                        return prose;
                    }
                }
                continue;
            }
            let open = self.pending.find(OPEN);
            let tag = self.pending.find(PYTHON_TAG);
            match (open, tag) {
                (Some(o), t) if t.is_none_or(|t| o < t) => {
                    prose.push_str(&self.pending[..o]);
                    self.pending.drain(..o + OPEN.len());
                    self.in_call = true;
                }
                (_, Some(t)) => {
                    prose.push_str(&self.pending[..t]);
                    self.mute();
                    return prose;
                }
                _ => {
                    let keep = partial_suffix(&self.pending, OPEN)
                        .max(partial_suffix(&self.pending, PYTHON_TAG));
                    let ready = self.pending.len() - keep;
                    prose.push_str(&self.pending[..ready]);
                    self.pending.drain(..ready);
                    return prose;
                }
            }
        }
    }

    /// The reply has ended: what was held back as a possible marker was prose after all
    /// (unless it was inside a call or the reply was calls).
    pub fn finish(&mut self) -> String {
        if self.muted || self.in_call {
            self.pending.clear();
            return String::new();
        }
        std::mem::take(&mut self.pending)
    }

    fn mute(&mut self) {
        self.muted = true;
        self.pending.clear();
    }
}

/// The length of the longest end of `text` that is a proper start of `marker` (0 if none).
fn partial_suffix(text: &str, marker: &str) -> usize {
    (1..marker.len().min(text.len() + 1))
        .rev()
        .find(|&n| {
            text.is_char_boundary(text.len() - n) && marker.starts_with(&text[text.len() - n..])
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prose of `reply` streamed in pieces of `size` chars.
    fn stream(reply: &str, size: usize) -> String {
        let chars: Vec<char> = reply.chars().collect();
        let mut stream = ProseStream::new();
        let mut prose = String::new();
        for piece in chars.chunks(size) {
            prose.push_str(&stream.push(&piece.iter().collect::<String>()));
        }
        prose + &stream.finish()
    }

    fn every_size(reply: &str) -> String {
        let whole = stream(reply, reply.chars().count().max(1));
        for size in 1..=reply.chars().count().max(1) {
            assert_eq!(
                stream(reply, size),
                whole,
                "pieces of {size} chars: {reply:?}"
            );
        }
        whole
    }

    #[test]
    fn plain_prose_passes_whole() {
        let text =
            "The sky is blue. Tags like <b> and a < sign stay, and so does <tool_ at the end <|";
        assert_eq!(every_size(text), text);
    }

    #[test]
    fn hermes_calls_are_left_out_with_prose_around_them() {
        let reply = "Let me work that out.\n<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"2+2\"}}\n</tool_call>\nDone.";
        assert_eq!(every_size(reply), "Let me work that out.\n\nDone.");
        // An unclosed call runs to the end, as `parse_tool_calls` reads it.
        assert_eq!(every_size("Sure. <tool_call>{\"name\": \"f\""), "Sure. ");
    }

    #[test]
    fn python_tag_ends_the_prose() {
        let reply = "Checking.<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {}}";
        assert_eq!(every_size(reply), "Checking.");
    }

    #[test]
    fn a_reply_that_is_json_says_nothing() {
        assert_eq!(
            every_size("  {\"name\": \"calculator\", \"arguments\": {}}"),
            ""
        );
        assert_eq!(every_size("[{\"name\": \"a\", \"arguments\": {}}]"), "");
        assert_eq!(every_size("```json\n{\"name\": \"a\"}\n```"), "");
        // Code in another language is prose to this filter; JSON later in a reply too.
        assert_eq!(
            every_size("```rust\nfn main() {}\n```"),
            "```rust\nfn main() {}\n```"
        );
        assert_eq!(every_size("It is {\"a\": 1}."), "It is {\"a\": 1}.");
    }

    #[test]
    fn multibyte_text_next_to_markers() {
        let reply = "Ça fait 4 €.<tool_call>{\"name\": \"f\"}</tool_call> Très bien — 好。";
        assert_eq!(every_size(reply), "Ça fait 4 €. Très bien — 好。");
    }
}
