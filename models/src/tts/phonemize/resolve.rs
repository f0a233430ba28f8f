//! From tagged words to phonemes, right to left so each word knows what follows it: misaki's
//! `G2P.__call__`, `resolve_tokens` and `merge_tokens` (misaki/en.py), with an OOV model in
//! place of its espeak fallback.

use super::lexicon::{Context, Lexicon};
use super::stress::{PRIMARY, apply_stress, is_consonant, is_vowel, stress_weight};
use super::tokenize::{Token, Word};

/// Characters that may be silent inside a chunk (misaki's `SUBTOKEN_JUNKS`).
const JUNKS: &str = "',-._‘’/";
/// misaki's `NON_QUOTE_PUNCTS`.
const NON_QUOTE_PUNCTS: &str = ";:,.!?—…";

fn is_junk(text: &str) -> bool {
    text.chars().all(|c| JUNKS.contains(c))
}

/// Phonemes for a word no dictionary knows, or `None`.
pub type Fallback<'a> = &'a dyn Fn(&str) -> Option<String>;

/// misaki's `token_context`: the first sound of `ps` tells whether a vowel follows.
fn next_context(ctx: Context, ps: Option<&str>, text: &str, tag: Option<&str>) -> Context {
    let mut future_vowel = ctx.future_vowel;
    if let Some(ps) = ps
        && let Some(c) = ps
            .chars()
            .find(|&c| is_vowel(c) || is_consonant(c) || NON_QUOTE_PUNCTS.contains(c))
    {
        future_vowel = if NON_QUOTE_PUNCTS.contains(c) {
            None
        } else {
            Some(is_vowel(c))
        };
    }
    let future_to =
        matches!(text, "to" | "To") || (text == "TO" && matches!(tag, Some("TO" | "IN")));
    Context {
        future_vowel,
        future_to,
    }
}

fn char_class(c: char) -> u8 {
    if c.is_alphabetic() {
        0
    } else if c.is_ascii_digit() {
        1
    } else {
        2
    }
}

/// misaki's `resolve_tokens`: pieces of mixed kinds ("A4", "x/y") are read apart; pieces of one
/// word keep only about half their primary stresses.
fn resolve_group(tokens: &mut [Token]) {
    let text: String = tokens.iter().map(|t| t.text.as_str()).collect();
    let mut classes: Vec<u8> = text
        .chars()
        .filter(|c| !JUNKS.contains(*c))
        .map(char_class)
        .collect();
    classes.sort_unstable();
    classes.dedup();
    let prespace = text.contains([' ', '/']) || classes.len() > 1;
    let last = tokens.len() - 1;
    for (i, token) in tokens.iter_mut().enumerate() {
        if token.phonemes.is_none() {
            if i == last
                && token.text.chars().count() == 1
                && NON_QUOTE_PUNCTS.contains(token.text.as_str())
            {
                token.phonemes = Some(token.text.clone());
                token.rating = 3;
            } else if is_junk(&token.text) {
                token.phonemes = Some(String::new());
                token.rating = 3;
            }
        } else if i > 0 {
            token.prespace = prespace;
        }
    }
    if prespace {
        return;
    }
    let mut indices: Vec<(bool, usize, usize)> = tokens
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let ps = t.phonemes.as_deref().filter(|p| !p.is_empty())?;
            Some((ps.contains(PRIMARY), stress_weight(ps), i))
        })
        .collect();
    let demote = |token: &mut Token| {
        if let Some(ps) = &token.phonemes {
            token.phonemes = Some(apply_stress(ps, Some(-0.5)));
        }
    };
    if indices.len() == 2 && tokens[indices[0].2].text.chars().count() == 1 {
        demote(&mut tokens[indices[1].2]);
        return;
    }
    let stressed = indices.iter().filter(|(b, _, _)| *b).count();
    if indices.len() < 2 || stressed <= indices.len().div_ceil(2) {
        return;
    }
    indices.sort_unstable();
    let half = indices.len() / 2;
    for &(_, _, i) in &indices[..half] {
        demote(&mut tokens[i]);
    }
}

fn lookup(lexicon: &Lexicon, text: &str, tag: Option<&str>, ctx: Context) -> Option<String> {
    lexicon.word(text, tag, ctx).map(|(ps, _)| ps)
}

/// One chunk of subtokens: the longest run ending at the right that the dictionary knows,
/// then what remains to its left (misaki's loop over `w[left:right]`).
fn resolve_chunk(
    lexicon: &Lexicon,
    tokens: &mut [Token],
    mut ctx: Context,
    fallback: Option<Fallback>,
) -> Context {
    let (mut left, mut right) = (0, tokens.len());
    while left < right {
        let span = &tokens[left..right];
        let found = if span.iter().any(|t| t.phonemes.is_some()) {
            None
        } else {
            let text: String = span.iter().map(|t| t.text.as_str()).collect();
            lookup(lexicon, &text, span[0].tag, ctx).map(|ps| (ps, text))
        };
        if let Some((ps, text)) = found {
            ctx = next_context(ctx, Some(&ps), &text, tokens[left].tag);
            tokens[left].phonemes = Some(ps);
            tokens[left].rating = 4;
            for token in &mut tokens[left + 1..right] {
                token.phonemes = Some(String::new());
            }
            right = left;
            left = 0;
        } else if left + 1 < right {
            left += 1;
        } else {
            right -= 1;
            let token = &mut tokens[right];
            if token.phonemes.is_none() {
                if is_junk(&token.text) {
                    token.phonemes = Some(String::new());
                    token.rating = 3;
                } else if let Some(ps) = fallback.and_then(|f| f(&token.text)) {
                    ctx = next_context(ctx, Some(&ps), &token.text, token.tag);
                    token.phonemes = Some(ps);
                    token.rating = 1;
                }
            }
            left = 0;
        }
    }
    resolve_group(tokens);
    ctx
}

/// misaki's `merge_tokens` with `unk`: a chunk's phonemes, its pieces spaced where they are
/// read apart.
fn merged(tokens: &[Token], unknown: &str) -> String {
    let mut ps = String::new();
    for token in tokens {
        let piece = token.phonemes.as_deref();
        if token.prespace
            && !ps.is_empty()
            && !ps.ends_with(char::is_whitespace)
            && piece.is_some_and(|p| !p.is_empty())
        {
            ps.push(' ');
        }
        ps.push_str(piece.unwrap_or(unknown));
    }
    ps
}

/// A word's text and phonemes, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub text: String,
    pub phonemes: String,
    pub space_after: bool,
    /// 4 gold dictionary, 3 silver or rule, 1 the OOV model, 0 unknown.
    pub rating: u8,
}

/// Every word's phonemes (ɾ and ʔ written T and t, as Kokoro v1.0's misaki does).
pub fn resolve(
    lexicon: &Lexicon,
    mut words: Vec<Word>,
    fallback: Option<Fallback>,
) -> Vec<Resolved> {
    let mut ctx = Context::default();
    for word in words.iter_mut().rev() {
        match word {
            Word::Single(token) => {
                if token.phonemes.is_none() {
                    if let Some((ps, rating)) = lexicon.word(&token.text, token.tag, ctx) {
                        token.phonemes = Some(ps);
                        token.rating = rating;
                    } else if let Some(ps) = fallback.and_then(|f| f(&token.text)) {
                        token.phonemes = Some(ps);
                        token.rating = 1;
                    }
                }
                ctx = next_context(ctx, token.phonemes.as_deref(), &token.text, token.tag);
            }
            Word::Group(tokens) => ctx = resolve_chunk(lexicon, tokens, ctx, fallback),
        }
    }
    words
        .into_iter()
        .map(|word| {
            let (text, phonemes, space_after, rating) = match &word {
                Word::Single(t) => (
                    t.text.clone(),
                    t.phonemes.clone().unwrap_or_default(),
                    t.space_after,
                    if t.phonemes.is_some() { t.rating } else { 0 },
                ),
                Word::Group(ts) => (
                    word.text(),
                    merged(ts, ""),
                    ts.last().is_some_and(|t| t.space_after),
                    ts.iter()
                        .map(|t| if t.phonemes.is_some() { t.rating } else { 0 })
                        .min()
                        .unwrap_or(0),
                ),
            };
            Resolved {
                text,
                phonemes: phonemes.replace('ɾ', "T").replace('ʔ', "t"),
                space_after,
                rating,
            }
        })
        .collect()
}
