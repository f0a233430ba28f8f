//! Cutting a page's text into parts the model can read at once, counted in the model's own
//! tokens. Parts follow paragraph boundaries where they can, then sentences, then words.
//!
//! A page longer than `max_parts` parts is not read in full: it is cut into `max_parts` sections
//! of equal length and each is shortened to one part by keeping its most telling sentences
//! (Luhn's frequency score, in their original order). That bounds the work of a summary on a
//! slow machine, whatever the page's length.

use std::collections::HashMap;

/// How much text one summary reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Tokens in one part (what one prompt holds besides the instructions).
    pub part_tokens: usize,
    /// Parts read at most; beyond, sections are shortened (see the module doc).
    pub max_parts: usize,
}

/// A piece of text with its token count.
struct Piece {
    text: String,
    tokens: usize,
}

/// The parts of `text` to read, each within `budget.part_tokens` by `count`, at most
/// `budget.max_parts` of them. Empty text gives no parts.
pub fn split_into_parts(text: &str, budget: Budget, count: &dyn Fn(&str) -> usize) -> Vec<String> {
    let part_tokens = budget.part_tokens.max(16);
    let max_parts = budget.max_parts.max(1);
    let pieces = pieces(text, part_tokens, count);
    let total: usize = pieces.iter().map(|p| p.tokens).sum();
    if total == 0 {
        return Vec::new();
    }
    let packed = pack(&pieces, part_tokens);
    if packed.len() <= max_parts {
        return packed;
    }
    sections(pieces, total.div_ceil(max_parts), max_parts)
        .into_iter()
        .map(|section| shorten(&section, part_tokens))
        .collect()
}

/// Paragraphs, and sentences or word runs of the paragraphs too long for one part.
fn pieces(text: &str, part_tokens: usize, count: &dyn Fn(&str) -> usize) -> Vec<Piece> {
    let mut out = Vec::new();
    for paragraph in text.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
        let tokens = count(paragraph);
        if tokens <= part_tokens {
            out.push(Piece {
                text: paragraph.to_string(),
                tokens,
            });
            continue;
        }
        for sentence in sentences(paragraph) {
            let tokens = count(sentence);
            if tokens <= part_tokens {
                out.push(Piece {
                    text: sentence.to_string(),
                    tokens,
                });
            } else {
                out.extend(word_runs(sentence, part_tokens, count));
            }
        }
    }
    out
}

/// Sentences of a paragraph, each with its closing punctuation. Chinese and Japanese full stops
/// end a sentence with no space after them (the scripts use none); a closing quote or bracket
/// right after stays with its sentence.
fn sentences(paragraph: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = paragraph.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends = match c {
            '.' | '!' | '?' => chars.peek().is_none_or(|(_, next)| next.is_whitespace()),
            '。' | '！' | '？' | '；' => true,
            _ => false,
        };
        if ends {
            let mut end = i + c.len_utf8();
            while let Some(&(j, closer)) = chars.peek() {
                if !matches!(closer, '」' | '』' | '）' | '”' | '’' | '"' | ')' | '】') {
                    break;
                }
                end = j + closer.len_utf8();
                chars.next();
            }
            let sentence = paragraph[start..end].trim();
            if !sentence.is_empty() {
                out.push(sentence);
            }
            start = end;
        }
    }
    let rest = paragraph[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// A sentence too long for a part, as runs of words that each fit. A word is at least one
/// token, so no run is tried longer than `part_tokens` words: the work stays linear in the
/// sentence's length (trying the whole rest of a long sentence first was quadratic). A single
/// "word" too long for a part (text in a script without spaces, a long URL) is cut by characters.
fn word_runs(sentence: &str, part_tokens: usize, count: &dyn Fn(&str) -> usize) -> Vec<Piece> {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < words.len() {
        let mut end = words.len().min(start + part_tokens);
        let mut text = words[start..end].join(" ");
        let mut tokens = count(&text);
        while tokens > part_tokens && end > start + 1 {
            end = start + (end - start) / 2;
            text = words[start..end].join(" ");
            tokens = count(&text);
        }
        if tokens > part_tokens {
            out.extend(char_runs(&text, part_tokens, count));
        } else {
            out.push(Piece { text, tokens });
        }
        start = end;
    }
    out
}

/// Characters a token can stand for at most, in any vocabulary Lantern reads (long runs of
/// spaces or digits aside): bounds how much one run is tried with.
const MAX_CHARS_PER_TOKEN: usize = 16;

/// A word too long for a part, as runs of characters that each fit.
fn char_runs(word: &str, part_tokens: usize, count: &dyn Fn(&str) -> usize) -> Vec<Piece> {
    let bounds: Vec<usize> = word
        .char_indices()
        .map(|(i, _)| i)
        .chain([word.len()])
        .collect();
    let chars = bounds.len() - 1;
    let mut out = Vec::new();
    let mut start = 0;
    while start < chars {
        let mut end = chars.min(start + part_tokens * MAX_CHARS_PER_TOKEN);
        let mut tokens = count(&word[bounds[start]..bounds[end]]);
        while tokens > part_tokens && end > start + 1 {
            end = start + (end - start) / 2;
            tokens = count(&word[bounds[start]..bounds[end]]);
        }
        out.push(Piece {
            text: word[bounds[start]..bounds[end]].to_string(),
            tokens,
        });
        start = end;
    }
    out
}

/// Packs pieces in order into parts of at most `part_tokens` (a line break joins two pieces, and
/// counts as one token).
fn pack(pieces: &[Piece], part_tokens: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let (mut current, mut used) = (String::new(), 0usize);
    for piece in pieces {
        if !current.is_empty() && used + 1 + piece.tokens > part_tokens {
            parts.push(std::mem::take(&mut current));
            used = 0;
        }
        if !current.is_empty() {
            current.push('\n');
            used += 1;
        }
        current.push_str(&piece.text);
        used += piece.tokens;
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Consecutive runs of pieces of about `share` tokens each, `max_parts` runs at most.
fn sections(pieces: Vec<Piece>, share: usize, max_parts: usize) -> Vec<Vec<Piece>> {
    let mut out: Vec<Vec<Piece>> = vec![Vec::new()];
    let mut used = 0;
    for piece in pieces {
        if used >= share && out.len() < max_parts {
            out.push(Vec::new());
            used = 0;
        }
        used += piece.tokens;
        if let Some(last) = out.last_mut() {
            last.push(piece);
        }
    }
    out
}

/// Words too common to tell sentences apart.
const STOP_WORDS: &[&str] = &[
    "the", "and", "that", "this", "with", "from", "have", "were", "which", "their", "there",
    "been", "they", "them", "than", "then", "into", "also", "more", "most", "some", "such", "what",
    "when", "where", "will", "would", "could", "should", "about", "after", "before", "other",
    "only", "over", "very", "your", "ours", "these", "those", "being", "while",
];

fn content_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 3)
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
}

/// One part from a section: its best sentences by word frequency, in their original order.
fn shorten(section: &[Piece], part_tokens: usize) -> String {
    let mut frequency: HashMap<String, usize> = HashMap::new();
    for piece in section {
        for word in content_words(&piece.text) {
            *frequency.entry(word).or_insert(0) += 1;
        }
    }
    let score = |text: &str| {
        let words: Vec<String> = content_words(text).collect();
        let sum: usize = words
            .iter()
            .map(|w| frequency.get(w).copied().unwrap_or(0))
            .sum();
        sum as f64 / ((words.len().max(1)) as f64).sqrt()
    };
    let mut ranked: Vec<(usize, f64)> = section
        .iter()
        .enumerate()
        .map(|(i, piece)| (i, score(&piece.text)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut chosen = Vec::new();
    let mut used = 0;
    for (i, _) in ranked {
        let tokens = section[i].tokens + 1;
        if used + tokens <= part_tokens {
            chosen.push(i);
            used += tokens;
        }
    }
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|i| section[i].text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn cutting_a_huge_sentence_reads_it_a_bounded_number_of_times() {
        // 400,000 words with no sentence end: the old cutting re-read the rest of it per part.
        let text = "word ".repeat(400_000);
        let read = Cell::new(0usize);
        let count = |t: &str| {
            read.set(read.get() + t.len());
            t.split_whitespace().count()
        };
        let budget = Budget {
            part_tokens: 500,
            max_parts: 10_000,
        };
        let parts = split_into_parts(&text, budget, &count);
        assert_eq!(parts.len(), 800);
        assert!(
            read.get() <= 4 * text.len(),
            "{} bytes counted for {} bytes of text",
            read.get(),
            text.len()
        );
    }

    #[test]
    fn chinese_and_japanese_text_is_cut_at_its_own_full_stops() {
        // One token per character, no spaces anywhere, as such pages are written.
        let chars = |t: &str| t.chars().filter(|c| !c.is_whitespace()).count();
        let sentence = "这是一个很长的句子，用来测试分段。";
        let text = format!(
            "{}「引用。」{}",
            sentence.repeat(300),
            "日本語の文です！".repeat(200)
        );
        let budget = Budget {
            part_tokens: 100,
            max_parts: 1000,
        };
        let parts = split_into_parts(&text, budget, &chars);
        assert!(parts.len() > 50, "{} parts", parts.len());
        for part in &parts {
            assert!(chars(part) <= 100, "a part of {} tokens", chars(part));
        }
        assert!(
            parts.iter().any(|p| p.contains("「引用。」")),
            "the quote was split from its stop"
        );
        assert_eq!(
            parts
                .concat()
                .chars()
                .filter(|c| !c.is_whitespace())
                .count(),
            chars(&text)
        );
    }

    #[test]
    fn a_word_longer_than_a_part_is_cut_by_characters() {
        let chars = |t: &str| t.chars().count().div_ceil(4);
        let text = "x".repeat(10_000);
        let budget = Budget {
            part_tokens: 64,
            max_parts: 1000,
        };
        let parts = split_into_parts(&text, budget, &chars);
        assert!(parts.iter().all(|p| chars(p) <= 64));
        assert_eq!(parts.concat(), text);
    }

    /// One token per word: enough to test the cutting.
    fn words(text: &str) -> usize {
        text.split_whitespace().count()
    }

    #[test]
    fn short_text_is_one_part() {
        let budget = Budget {
            part_tokens: 100,
            max_parts: 4,
        };
        let parts = split_into_parts("One paragraph.\n\nAnother one.", budget, &words);
        assert_eq!(parts, vec!["One paragraph.\nAnother one."]);
        assert!(split_into_parts(" \n ", budget, &words).is_empty());
    }

    #[test]
    fn parts_follow_paragraphs_and_fit_the_budget() {
        let paragraph = "word ".repeat(30);
        let text = [paragraph.as_str(); 10].join("\n\n");
        let budget = Budget {
            part_tokens: 100,
            max_parts: 10,
        };
        let parts = split_into_parts(&text, budget, &words);
        assert_eq!(
            parts.len(),
            4,
            "3 paragraphs of 30 words (+2 breaks) fit in 100"
        );
        assert!(parts.iter().all(|p| words(p) <= 100));
        assert_eq!(parts.iter().map(|p| words(p)).sum::<usize>(), 300);
    }

    #[test]
    fn a_long_paragraph_is_cut_at_sentences_then_words() {
        let sentence = format!("{}end.", "word ".repeat(59));
        let text = format!("{sentence} {sentence} {}", "x ".repeat(250));
        let budget = Budget {
            part_tokens: 100,
            max_parts: 50,
        };
        let parts = split_into_parts(&text, budget, &words);
        assert!(parts.iter().all(|p| words(p) <= 100), "{parts:?}");
        assert_eq!(parts.iter().map(|p| words(p)).sum::<usize>(), 370);
    }

    #[test]
    fn a_page_beyond_max_parts_is_shortened_to_max_parts() {
        let paragraphs: Vec<String> = (0..200)
            .map(|i| format!("Paragraph {i} speaks of lanterns and candles and light number {i}."))
            .collect();
        let text = paragraphs.join("\n\n");
        let budget = Budget {
            part_tokens: 100,
            max_parts: 3,
        };
        let parts = split_into_parts(&text, budget, &words);
        assert_eq!(parts.len(), 3);
        assert!(
            parts.iter().all(|p| words(p) <= 100 && words(p) > 50),
            "{parts:?}"
        );
        // Each part comes from its own third of the page, in order.
        assert!(parts[0].contains("Paragraph 1 ") || parts[0].contains("Paragraph 0 "));
        assert!(parts[2].contains("Paragraph 13"), "{}", parts[2]);
        assert!(!parts[2].contains("Paragraph 60 "));
        assert!(!parts[0].contains("Paragraph 150 "));
    }
}
