//! Sentences cut from text that arrives a piece at a time (an answer as the model streams it):
//! each sentence is given out once it is complete, with its char offsets into the whole text,
//! cut exactly as [`split_sentences`] cuts the finished text.

use super::sentences::{Sentence, split_sentences};

/// Text received so far, and how much of it has been given out as sentences.
#[derive(Debug, Default)]
pub struct SentenceStream {
    text: Vec<char>,
    /// Chars before this were given out (it is always a sentence boundary).
    done: usize,
}

impl SentenceStream {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `piece` and returns the sentences it completed, in order.
    pub fn push(&mut self, piece: &str) -> Vec<Sentence> {
        self.text.extend(piece.chars());
        // Whether a period ends a sentence depends on the word after it ("Dr. Smith", "e.g.
        // this"), so only text up to the last whitespace is settled: the word being written
        // may still change where the sentence before it ends.
        let Some(settled) = self.text[self.done..]
            .iter()
            .rposition(|c| c.is_whitespace())
            .map(|at| self.done + at + 1)
        else {
            return Vec::new();
        };
        let mut sentences = self.cut(settled);
        // The last sentence of the settled text may still grow.
        sentences.pop();
        self.give_out(sentences)
    }

    /// The text has ended: every sentence not yet given out.
    pub fn finish(&mut self) -> Vec<Sentence> {
        let sentences = self.cut(self.text.len());
        self.give_out(sentences)
    }

    /// The text received so far.
    pub fn text(&self) -> String {
        self.text.iter().collect()
    }

    fn cut(&self, until: usize) -> Vec<Sentence> {
        let rest: String = self.text[self.done..until].iter().collect();
        split_sentences(&rest)
            .into_iter()
            .map(|s| Sentence {
                start: s.start + self.done,
                end: s.end + self.done,
                ..s
            })
            .collect()
    }

    fn give_out(&mut self, sentences: Vec<Sentence>) -> Vec<Sentence> {
        if let Some(last) = sentences.last() {
            self.done = last.end;
        }
        sentences
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Streams `text` in pieces of `size` chars and collects every sentence given out.
    fn streamed(text: &str, size: usize) -> Vec<Sentence> {
        let chars: Vec<char> = text.chars().collect();
        let mut stream = SentenceStream::new();
        let mut out = Vec::new();
        for piece in chars.chunks(size) {
            out.extend(stream.push(&piece.iter().collect::<String>()));
        }
        out.extend(stream.finish());
        out
    }

    #[test]
    fn streamed_text_is_cut_as_the_whole_text_is_in_any_piece_size() {
        let text = "Dr. Smith paid $3.50 for it, e.g. for J. R. Tolkien's book. Then he left!\n\
                    - a list item\nWhat now? «Nothing.» Ünïcode ends here";
        let whole = split_sentences(text);
        for size in [1, 2, 3, 5, 8, 13, 100] {
            assert_eq!(streamed(text, size), whole, "pieces of {size} chars");
        }
    }

    #[test]
    fn a_sentence_comes_out_once_the_next_word_is_written() {
        let mut stream = SentenceStream::new();
        assert!(stream.push("Hello there.").is_empty());
        // "Dr." or "e.g." could still follow: the boundary waits for the next word.
        assert!(stream.push(" How").is_empty());
        let first = stream.push(" are you?");
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].text.as_str(), first[0].start, first[0].end),
            ("Hello there.", 0, 12)
        );
        let rest = stream.finish();
        assert_eq!(rest.len(), 1);
        assert_eq!((rest[0].text.as_str(), rest[0].start), ("How are you?", 13));
        assert!(stream.finish().is_empty(), "nothing is given out twice");
    }

    #[test]
    fn an_abbreviation_split_across_pieces_does_not_end_the_sentence() {
        let mut stream = SentenceStream::new();
        let mut out = stream.push("I met Dr");
        out.extend(stream.push(". Smith today. He"));
        out.extend(stream.push(" waved."));
        out.extend(stream.finish());
        let texts: Vec<&str> = out.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["I met Dr. Smith today.", "He waved."]);
    }

    #[test]
    fn a_long_sentence_is_given_out_in_pieces_before_it_ends() {
        let mut stream = SentenceStream::new();
        let mut out = Vec::new();
        for _ in 0..80 {
            out.extend(stream.push("word, "));
        }
        assert!(!out.is_empty(), "a 480-char sentence waits for no period");
        assert!(out.iter().all(|s| s.text.chars().count() <= 300));
    }
}
