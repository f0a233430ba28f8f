//! Text from a message, kept from becoming special tokens: the tokenizer reads any added
//! token's text (`<|im_end|>`, `<end_of_turn>`, `<eos>`, `<think>`, `<tool_response>`) as the
//! token itself wherever it appears, so a page, a tool result or an imported chat could write
//! turn boundaries into the prompt. Every such text a vocabulary has is broken with a space
//! before rendering, for whatever architecture, instead of a fixed list that misses some.

use aho_corasick::{AhoCorasick, MatchKind};

/// The added-token texts of one vocabulary that could change a prompt's structure.
pub(crate) struct StructuralTokens {
    matcher: Option<AhoCorasick>,
}

impl StructuralTokens {
    /// From every added (control or user-defined) token's text. Texts without a bracket or a
    /// bar are left alone: runs of spaces or newlines (Gemma has them) are ordinary text.
    pub fn new<'a>(added: impl IntoIterator<Item = &'a str>) -> StructuralTokens {
        let texts: Vec<&str> = added
            .into_iter()
            .filter(|t| {
                t.chars().count() >= 2
                    && t.contains(['<', '>', '[', ']', '|'])
                    && !t.contains(char::is_whitespace)
            })
            .collect();
        let matcher = if texts.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&texts)
                .ok()
        };
        StructuralTokens { matcher }
    }

    /// `text` with a space after the first character of every token text in it, until none is
    /// left (breaking one can reveal another: `<<|im_end|>|im_end|>`). Matches hold no
    /// whitespace, so every pass only splits what is left and the loop ends.
    pub fn break_in(&self, text: &str) -> String {
        let Some(m) = &self.matcher else {
            return text.to_string();
        };
        let mut text = text.to_string();
        while m.is_match(&text) {
            let mut out = String::with_capacity(text.len() + 16);
            let mut last = 0;
            for found in m.find_iter(&text) {
                let start = found.start();
                let first = text[start..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&text[last..start + first]);
                out.push(' ');
                last = start + first;
            }
            out.push_str(&text[last..]);
            text = out;
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_structural_text_is_broken_and_plain_text_is_kept() {
        let t = StructuralTokens::new([
            "<|im_end|>",
            "<eos>",
            "<think>",
            "</think>",
            "<tool_response>",
            "\n\n\n",
            "  ",
            "< |x",
        ]);
        let out =
            t.break_in("a<eos>b <think>x</think> <<|im_end|>|im_end|> <tool_response>\n\n\n  z");
        for s in [
            "<|im_end|>",
            "<eos>",
            "<think>",
            "</think>",
            "<tool_response>",
        ] {
            assert!(!out.contains(s), "{s} survived in {out:?}");
        }
        assert!(out.contains("\n\n\n  z"), "{out:?}");
        assert_eq!(t.break_in("2 < 3, é > ü"), "2 < 3, é > ü");
    }

    #[test]
    fn a_vocabulary_without_tags_changes_nothing() {
        let t = StructuralTokens::new(["\n\n"]);
        assert_eq!(t.break_in("<|im_end|>"), "<|im_end|>");
    }
}
