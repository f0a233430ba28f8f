//! Normalized text to tokens the way misaki sees spaCy's: whitespace-separated chunks, with
//! leading and trailing punctuation split off as tokens of their own, and each chunk's core cut
//! into misaki's subtokens (`subtokenize` in misaki/en.py) that are looked up together first.

use std::sync::OnceLock;

use fancy_regex::Regex;

/// One token: a piece of text and, once resolved, its phonemes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Token {
    pub text: String,
    /// A Penn part-of-speech tag (or a coarse stand-in) from the tagger.
    pub tag: Option<&'static str>,
    /// Followed by whitespace in the text.
    pub space_after: bool,
    pub phonemes: Option<String>,
    pub rating: u8,
    /// Inside a chunk: written with a space before it when the chunk's pieces are read apart.
    pub prespace: bool,
    pub is_punct: bool,
}

/// A chunk of text: one token, or subtokens with no whitespace between them.
#[derive(Debug, Clone, PartialEq)]
pub enum Word {
    Single(Token),
    Group(Vec<Token>),
}

impl Word {
    pub fn text(&self) -> String {
        match self {
            Word::Single(t) => t.text.clone(),
            Word::Group(ts) => ts.iter().map(|t| t.text.as_str()).collect(),
        }
    }

    pub fn is_punct(&self) -> bool {
        matches!(self, Word::Single(t) if t.is_punct)
    }

    pub fn set_tag(&mut self, tag: Option<&'static str>) {
        match self {
            Word::Single(t) => t.tag = tag,
            Word::Group(ts) => ts.iter_mut().for_each(|t| t.tag = tag),
        }
    }
}

/// misaki's `PUNCTS`: the marks Kokoro's vocabulary has, kept as pauses.
pub const PUNCTS: &str = ";:,.!?—…\"“”";
const LEADING: &str = "\"“‘([{¡¿";
const TRAILING: &str = ",.;:!?…\"”)]}";

fn subtoken_regex() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    REGEX.get_or_init(|| {
        #[allow(clippy::expect_used)] // A constant pattern, checked by the tests.
        Regex::new(
            r"^['‘’]+|\p{Lu}(?=\p{Lu}\p{Ll})|(?:^-)?(?:\d?[,.]?\d)+|[-_]+|['‘’]{2,}|\p{L}*?(?:['‘’]\p{L})*?\p{Ll}(?=\p{Lu})|\p{L}+(?:['‘’]\p{L})*|[^-_\p{L}'‘’\d]|['‘’]+$",
        )
        .expect("misaki's subtoken pattern compiles")
    })
}

/// misaki's `subtokenize`: "don't" stays whole, "iPhone" splits at the case change, "221B" at
/// the letter, "well-known" around the hyphen.
pub fn subtokenize(core: &str) -> Vec<String> {
    subtoken_regex()
        .find_iter(core)
        .filter_map(|m| m.ok())
        .map(|m| m.as_str().to_string())
        .collect()
}

/// Initialisms written with periods ("U.S.", "a.m.") keep their final period.
fn is_dotted_initialism(core: &str) -> bool {
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() >= 3
        && parts.last() == Some(&"")
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
}

/// The phonemes a punctuation token stands for: quotes curl by side, brackets become round,
/// and marks Kokoro has no symbol for are silent.
fn punct_phonemes(text: &str, opening: bool) -> String {
    match text {
        "\"" => if opening { "“" } else { "”" }.into(),
        "(" | "[" | "{" => "(".into(),
        ")" | "]" | "}" => ")".into(),
        "-" | "–" => "—".into(),
        _ => text.chars().filter(|c| PUNCTS.contains(*c)).collect(),
    }
}

fn punct(text: &str, opening: bool) -> Token {
    Token {
        text: text.into(),
        phonemes: Some(punct_phonemes(text, opening)),
        rating: 4,
        is_punct: true,
        ..Token::default()
    }
}

/// Splits a run of punctuation into tokens, a repeated mark ("...", "?!") staying one token.
fn punct_run(run: &str, opening: bool, out: &mut Vec<Word>) {
    let mut current = String::new();
    for c in run.chars() {
        let joinable = |p: char| PUNCTS.contains(p) && !"\"“”".contains(p);
        let continues = current.chars().all(joinable) && joinable(c);
        if !current.is_empty() && !continues {
            out.push(Word::Single(punct(&current, opening)));
            current.clear();
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(Word::Single(punct(&current, opening)));
    }
}

fn core_word(core: &str) -> Option<Word> {
    let mut pieces = subtokenize(core);
    match pieces.len() {
        0 => None,
        1 => Some(Word::Single(Token {
            text: pieces.remove(0),
            ..Token::default()
        })),
        _ => Some(Word::Group(
            pieces
                .into_iter()
                .map(|text| Token {
                    text,
                    ..Token::default()
                })
                .collect(),
        )),
    }
}

/// One whitespace-free chunk into words; dashes and ellipses inside it stand alone.
fn chunk(text: &str, out: &mut Vec<Word>) {
    let lead_len: usize = text
        .chars()
        .take_while(|c| LEADING.contains(*c))
        .map(char::len_utf8)
        .sum();
    let (lead, rest) = text.split_at(lead_len);
    let mut trail_start = rest.len();
    for (i, c) in rest.char_indices().rev() {
        if !TRAILING.contains(c) {
            break;
        }
        trail_start = i;
    }
    let (mut core, mut trail) = rest.split_at(trail_start);
    if trail.starts_with('.') && is_dotted_initialism(&rest[..trail_start + 1]) {
        (core, trail) = rest.split_at(trail_start + 1);
    }
    punct_run(lead, true, out);
    let mut piece_start = 0;
    for (i, c) in core.char_indices() {
        if matches!(c, '—' | '…') {
            out.extend(core_word(&core[piece_start..i]));
            out.push(Word::Single(punct(&c.to_string(), false)));
            piece_start = i + c.len_utf8();
        }
    }
    if core[piece_start..].chars().all(|c| matches!(c, '-' | '–'))
        && !core[piece_start..].is_empty()
    {
        out.push(Word::Single(punct(&core[piece_start..], false)));
    } else {
        out.extend(core_word(&core[piece_start..]));
    }
    punct_run(trail, false, out);
}

/// Words in reading order, each marked with the whitespace after it.
pub fn tokenize(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    for piece in text.split_whitespace() {
        let before = words.len();
        chunk(piece, &mut words);
        if let Some(last) = words[before..].last_mut() {
            match last {
                Word::Single(t) => t.space_after = true,
                Word::Group(ts) => {
                    if let Some(t) = ts.last_mut() {
                        t.space_after = true;
                    }
                }
            }
        }
    }
    if let Some(Word::Single(t)) = words.last_mut() {
        t.space_after = false;
    } else if let Some(Word::Group(ts)) = words.last_mut()
        && let Some(t) = ts.last_mut()
    {
        t.space_after = false;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtokens_follow_misaki() {
        assert_eq!(subtokenize("don't"), ["don't"]);
        assert_eq!(subtokenize("well-known"), ["well", "-", "known"]);
        assert_eq!(subtokenize("221B"), ["221", "B"]);
        assert_eq!(subtokenize("iPhone"), ["i", "Phone"]);
        // As misaki: a capital run before a capitalised word stays whole.
        assert_eq!(subtokenize("HTMLParser"), ["HTMLParser"]);
    }

    #[test]
    fn punctuation_splits_off_but_initialisms_keep_their_periods() {
        let texts: Vec<String> = tokenize("Hello, \"world\"... U.S. a.m.")
            .iter()
            .map(Word::text)
            .collect();
        assert_eq!(
            texts,
            ["Hello", ",", "\"", "world", "\"", "...", "U.S.", "a.m."]
        );
    }
}
