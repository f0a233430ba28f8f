//! misaki's US English dictionaries and the lookup over them, ported from `Lexicon` in
//! misaki/en.py (0.9.4): gold before silver, capitalisation variants, part-of-speech entries,
//! letter-by-letter spelling of initialisms, the function words whose sound depends on what
//! follows, and the -s, -ed and -ing suffixes on known stems.

use std::collections::HashMap;

use super::stress::{PRIMARY, SECONDARY, apply_stress};
use crate::{ModelError, Result};

/// What follows a word, as misaki's `TokenContext`: whether the next sound is a vowel (`None`
/// at a pause or the end), and whether the next word is "to".
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Context {
    pub future_vowel: Option<bool>,
    pub future_to: bool,
}

/// How a word was found: 4 gold, 3 silver or a rule, as misaki rates them.
pub type Rating = u8;

#[derive(Debug, Clone)]
enum Entry {
    Plain(String),
    /// `DEFAULT` plus pronunciations by tag (`NOUN`, `VERB`, `ADJ`, `VBD`, `None` = before a
    /// pause); a tag may map to nothing, which means "spell it".
    ByTag(Vec<(String, Option<String>)>),
}

impl Entry {
    fn get(&self, key: &str) -> Option<Option<&str>> {
        match self {
            Entry::Plain(ps) => (key == "DEFAULT").then_some(Some(ps.as_str())),
            Entry::ByTag(tags) => tags
                .iter()
                .find(|(tag, _)| tag == key)
                .map(|(_, ps)| ps.as_deref()),
        }
    }

    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

pub struct Lexicon {
    golds: HashMap<String, Entry>,
    silvers: HashMap<String, Entry>,
}

const SYMBOLS: [(&str, &str); 4] = [("%", "percent"), ("&", "and"), ("+", "plus"), ("@", "at")];
/// Vowels after which a US "t" flaps (misaki's `US_TAUS`).
const US_TAUS: &str = "AIOWYiuæɑəɛɪɹʊʌ";

fn symbol_word(word: &str) -> Option<&'static str> {
    SYMBOLS.iter().find(|(s, _)| *s == word).map(|(_, w)| *w)
}

fn is_alpha(word: &str) -> bool {
    !word.is_empty() && word.chars().all(char::is_alphabetic)
}

fn is_ascii_word(word: &str) -> bool {
    word.chars()
        .all(|c| c.is_ascii_alphabetic() || c == '\'' || c == '-')
}

fn upper(word: &str) -> String {
    word.to_uppercase()
}

fn lower(word: &str) -> String {
    word.to_lowercase()
}

/// Python's `str.capitalize`.
fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

fn tail(word: &str) -> &str {
    word.char_indices().nth(1).map_or("", |(i, _)| &word[i..])
}

/// misaki's `get_parent_tag`: Penn tags folded to the dictionary's keys.
pub fn parent_tag(tag: &str) -> &str {
    if tag.starts_with("VB") {
        "VERB"
    } else if tag.starts_with("NN") {
        "NOUN"
    } else if tag.starts_with("ADV") || tag.starts_with("RB") {
        "ADV"
    } else if tag.starts_with("ADJ") || tag.starts_with("JJ") {
        "ADJ"
    } else {
        tag
    }
}

fn parse(bytes: &[u8], name: &str) -> Result<HashMap<String, Entry>> {
    let bad = |why: String| ModelError::BadModel(format!("{name}: {why}"));
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    let serde_json::Value::Object(map) = value else {
        return Err(bad("not a JSON object of words".into()));
    };
    let mut entries = HashMap::with_capacity(map.len() * 2);
    for (word, value) in map {
        let entry = match value {
            serde_json::Value::String(ps) => Entry::Plain(ps),
            serde_json::Value::Object(tags) => {
                if !tags.contains_key("DEFAULT") {
                    return Err(bad(format!("{word:?} has tagged entries but no DEFAULT")));
                }
                let tags = tags
                    .into_iter()
                    .map(|(tag, ps)| match ps {
                        serde_json::Value::String(ps) => Ok((tag, Some(ps))),
                        serde_json::Value::Null => Ok((tag, None)),
                        other => Err(bad(format!("{word:?} {tag}: {other} is not phonemes"))),
                    })
                    .collect::<Result<_>>()?;
                Entry::ByTag(tags)
            }
            other => return Err(bad(format!("{word:?}: {other} is not phonemes"))),
        };
        entries.insert(word, entry);
    }
    Ok(grow(entries))
}

/// misaki's `grow_dictionary`: "hello" is also found as "Hello", "Paris" as "paris"; the
/// dictionary's own spellings win.
fn grow(entries: HashMap<String, Entry>) -> HashMap<String, Entry> {
    let mut grown = HashMap::with_capacity(entries.len() * 2);
    for (word, entry) in &entries {
        if word.chars().count() < 2 {
            continue;
        }
        if *word == lower(word) {
            let capital = capitalize(word);
            if capital != *word {
                grown.insert(capital, entry.clone());
            }
        } else if *word == capitalize(&lower(word)) {
            grown.insert(lower(word), entry.clone());
        }
    }
    grown.extend(entries);
    grown
}

impl Lexicon {
    /// From misaki's `us_gold.json` and `us_silver.json`.
    pub fn from_json(gold: &[u8], silver: &[u8]) -> Result<Self> {
        Ok(Self {
            golds: parse(gold, "us_gold.json")?,
            silvers: parse(silver, "us_silver.json")?,
        })
    }

    pub fn contains(&self, word: &str) -> bool {
        self.golds.contains_key(word) || self.silvers.contains_key(word)
    }

    fn gold_plain(&self, word: &str, key: &str) -> String {
        self.golds
            .get(word)
            .and_then(|e| e.get(key).flatten())
            .unwrap_or_default()
            .to_string()
    }

    /// Spelled letter by letter, the last letter stressed (misaki's `get_NNP`).
    pub fn spell(&self, word: &str) -> Option<(String, Rating)> {
        let mut ps = String::new();
        for c in word.chars().filter(|c| c.is_alphabetic()) {
            ps.push_str(self.golds.get(&upper(&c.to_string()))?.get("DEFAULT")??);
        }
        let ps = apply_stress(&ps, Some(0.0));
        let ps = match ps.rfind(SECONDARY) {
            Some(at) => format!("{}{PRIMARY}{}", &ps[..at], &ps[at + SECONDARY.len_utf8()..]),
            None => ps,
        };
        Some((ps, 3))
    }

    fn special_case(
        &self,
        word: &str,
        tag: Option<&str>,
        stress: Option<f32>,
        ctx: Option<Context>,
    ) -> Option<(String, Rating)> {
        let tag_str = tag.unwrap_or("");
        let future_vowel = ctx.and_then(|c| c.future_vowel);
        if let Some(name) = symbol_word(word) {
            return self.lookup(name, None, None, ctx);
        }
        let stripped = word.trim_matches('.');
        let letters = word.replace('.', "");
        if stripped.contains('.')
            && is_alpha(&letters)
            && word
                .split('.')
                .map(|p| p.chars().count())
                .max()
                .unwrap_or(0)
                < 3
        {
            return self.spell(word);
        }
        match word {
            "a" | "A" => Some((if tag == Some("DT") { "ɐ" } else { "ˈA" }.into(), 4)),
            "am" | "Am" | "AM" => {
                if tag_str.starts_with("NN") {
                    self.spell(word)
                } else if future_vowel.is_none() || word != "am" || stress.is_some_and(|s| s > 0.0)
                {
                    Some((self.gold_plain("am", "DEFAULT"), 4))
                } else {
                    Some(("ɐm".into(), 4))
                }
            }
            "an" | "An" | "AN" => {
                if word == "AN" && tag_str.starts_with("NN") {
                    self.spell(word)
                } else {
                    Some(("ɐn".into(), 4))
                }
            }
            "I" if tag == Some("PRP") => Some(("ˌI".into(), 4)),
            "by" | "By" | "BY" if parent_tag(tag_str) == "ADV" => Some(("bˈI".into(), 4)),
            _ if matches!(word, "to" | "To")
                || (word == "TO" && matches!(tag, Some("TO" | "IN"))) =>
            {
                let ps = match future_vowel {
                    None => self.gold_plain("to", "DEFAULT"),
                    Some(false) => "tə".into(),
                    Some(true) => "tʊ".into(),
                };
                Some((ps, 4))
            }
            _ if matches!(word, "in" | "In") || (word == "IN" && tag != Some("NNP")) => {
                let stress = if future_vowel.is_none() || tag != Some("IN") {
                    "ˈ"
                } else {
                    ""
                };
                Some((format!("{stress}ɪn"), 4))
            }
            _ if matches!(word, "the" | "The") || (word == "THE" && tag == Some("DT")) => Some((
                if future_vowel == Some(true) {
                    "ði"
                } else {
                    "ðə"
                }
                .into(),
                4,
            )),
            _ if tag == Some("IN") && matches!(lower(word).as_str(), "vs" | "vs.") => {
                self.lookup("versus", None, None, ctx)
            }
            "used" | "Used" | "USED" => {
                let key = if matches!(tag, Some("VBD" | "JJ")) && ctx.is_some_and(|c| c.future_to) {
                    "VBD"
                } else {
                    "DEFAULT"
                };
                Some((self.gold_plain("used", key), 4))
            }
            _ => None,
        }
    }

    fn is_known(&self, word: &str) -> bool {
        if self.contains(word) || symbol_word(word).is_some() {
            return true;
        }
        if !is_alpha(word) || !is_ascii_word(word) {
            return false;
        }
        if word.chars().count() == 1 {
            return true;
        }
        if word == upper(word) && self.golds.contains_key(&lower(word)) {
            return true;
        }
        tail(word) == upper(tail(word))
    }

    /// misaki's `lookup`: one spelling, in gold then silver, by tag where the entry has tags.
    pub fn lookup(
        &self,
        word: &str,
        tag: Option<&str>,
        stress: Option<f32>,
        ctx: Option<Context>,
    ) -> Option<(String, Rating)> {
        let mut word = word.to_string();
        let mut is_nnp = false;
        if word == upper(&word) && !self.golds.contains_key(&word) {
            word = lower(&word);
            is_nnp = tag == Some("NNP");
        }
        let mut found = self.golds.get(&word).map(|e| (e, 4));
        if found.is_none() && !is_nnp {
            found = self.silvers.get(&word).map(|e| (e, 3));
        }
        let (ps, rating): (Option<&str>, Rating) = match found {
            None => (None, 4),
            Some((Entry::Plain(ps), rating)) => (Some(ps.as_str()), rating),
            Some((entry, rating)) => {
                let key = if ctx.is_some_and(|c| c.future_vowel.is_none()) && entry.has("None") {
                    "None"
                } else {
                    match tag {
                        Some(t) if entry.has(t) => t,
                        Some(t) => parent_tag(t),
                        None => "DEFAULT",
                    }
                };
                let ps = entry
                    .get(key)
                    .unwrap_or_else(|| entry.get("DEFAULT").flatten());
                (ps, rating)
            }
        };
        if (ps.is_none() || (is_nnp && !ps.is_some_and(|p| p.contains(PRIMARY))))
            && let Some(spelled) = self.spell(&word)
        {
            return Some(spelled);
        }
        ps.map(|ps| (apply_stress(ps, stress), rating))
    }

    /// The plural or third-person -s (misaki's `_s`).
    pub fn add_s(stem: &str) -> Option<String> {
        let last = stem.chars().last()?;
        Some(if "ptkfθ".contains(last) {
            format!("{stem}s")
        } else if "szʃʒʧʤ".contains(last) {
            format!("{stem}ᵻz")
        } else {
            format!("{stem}z")
        })
    }

    fn stem_s(
        &self,
        word: &str,
        tag: Option<&str>,
        stress: Option<f32>,
        ctx: Option<Context>,
    ) -> Option<(String, Rating)> {
        let n = word.chars().count();
        if n < 3 || !word.ends_with('s') {
            return None;
        }
        let stem = if !word.ends_with("ss") && self.is_known(&word[..word.len() - 1]) {
            word[..word.len() - 1].to_string()
        } else if (word.ends_with("'s")
            || (n > 4 && word.ends_with("es") && !word.ends_with("ies")))
            && self.is_known(&word[..word.len() - 2])
        {
            word[..word.len() - 2].to_string()
        } else if n > 4
            && word.ends_with("ies")
            && self.is_known(&format!("{}y", &word[..word.len() - 3]))
        {
            format!("{}y", &word[..word.len() - 3])
        } else {
            return None;
        };
        let (ps, rating) = self.lookup(&stem, tag, stress, ctx)?;
        Some((Self::add_s(&ps)?, rating))
    }

    /// The past -ed (misaki's `_ed`), flapped after a US vowel.
    pub fn add_ed(stem: &str) -> Option<String> {
        let chars: Vec<char> = stem.chars().collect();
        let last = *chars.last()?;
        Some(if "pkfθʃsʧ".contains(last) {
            format!("{stem}t")
        } else if last == 'd' {
            format!("{stem}ᵻd")
        } else if last != 't' {
            format!("{stem}d")
        } else if chars.len() < 2 {
            format!("{stem}ɪd")
        } else if US_TAUS.contains(chars[chars.len() - 2]) {
            format!("{}ɾᵻd", &stem[..stem.len() - 1])
        } else {
            format!("{stem}ᵻd")
        })
    }

    fn stem_ed(
        &self,
        word: &str,
        tag: Option<&str>,
        stress: Option<f32>,
        ctx: Option<Context>,
    ) -> Option<(String, Rating)> {
        let n = word.chars().count();
        if n < 4 || !word.ends_with('d') {
            return None;
        }
        let stem = if !word.ends_with("dd") && self.is_known(&word[..word.len() - 1]) {
            &word[..word.len() - 1]
        } else if n > 4
            && word.ends_with("ed")
            && !word.ends_with("eed")
            && self.is_known(&word[..word.len() - 2])
        {
            &word[..word.len() - 2]
        } else {
            return None;
        };
        let (ps, rating) = self.lookup(stem, tag, stress, ctx)?;
        Some((Self::add_ed(&ps)?, rating))
    }

    /// The -ing suffix (misaki's `_ing`), flapping a final US "t".
    pub fn add_ing(stem: &str) -> Option<String> {
        let chars: Vec<char> = stem.chars().collect();
        let last = *chars.last()?;
        Some(
            if chars.len() > 1 && last == 't' && US_TAUS.contains(chars[chars.len() - 2]) {
                format!("{}ɾɪŋ", &stem[..stem.len() - 1])
            } else {
                format!("{stem}ɪŋ")
            },
        )
    }

    fn stem_ing(
        &self,
        word: &str,
        tag: Option<&str>,
        stress: Option<f32>,
        ctx: Option<Context>,
    ) -> Option<(String, Rating)> {
        let n = word.chars().count();
        if n < 5 || !word.ends_with("ing") {
            return None;
        }
        let base = &word[..word.len() - 3];
        let doubled = {
            let b = base.as_bytes();
            b.len() >= 2
                && b[b.len() - 1] == b[b.len() - 2]
                && b"bcdgklmnprstvxz".contains(&b[b.len() - 1])
        } || word.ends_with("cking");
        let stem = if n > 5 && self.is_known(base) {
            base.to_string()
        } else if self.is_known(&format!("{base}e")) {
            format!("{base}e")
        } else if n > 5 && doubled && self.is_known(&base[..base.len() - 1]) {
            base[..base.len() - 1].to_string()
        } else {
            return None;
        };
        let (ps, rating) = self.lookup(&stem, tag, stress, ctx)?;
        Some((Self::add_ing(&ps)?, rating))
    }

    /// misaki's `get_word`: special cases, then the word as written (or lower-cased where only
    /// that form is known), then a possessive or a suffix on a known stem.
    fn get_word(
        &self,
        word: &str,
        tag: Option<&str>,
        stress: Option<f32>,
        ctx: Option<Context>,
    ) -> Option<(String, Rating)> {
        if let Some(found) = self.special_case(word, tag, stress, ctx) {
            return Some(found);
        }
        let wl = lower(word);
        let mut word = word.to_string();
        if word.chars().count() > 1
            && is_alpha(&word.replace('\'', ""))
            && word != wl
            && (tag != Some("NNP") || word.chars().count() > 7)
            && !self.contains(&word)
            && (word == upper(&word) || tail(&word) == lower(tail(&word)))
            && (self.contains(&wl)
                || self.stem_s(&wl, tag, stress, ctx).is_some()
                || self.stem_ed(&wl, tag, stress, ctx).is_some()
                || self.stem_ing(&wl, tag, stress, ctx).is_some())
        {
            word = wl;
        }
        if self.is_known(&word) {
            return self.lookup(&word, tag, stress, ctx);
        }
        if let Some(stem) = word.strip_suffix("s'") {
            let possessive = format!("{stem}'s");
            if self.is_known(&possessive) {
                return self.lookup(&possessive, tag, stress, ctx);
            }
        }
        if let Some(stem) = word.strip_suffix('\'')
            && self.is_known(stem)
        {
            return self.lookup(stem, tag, stress, ctx);
        }
        self.stem_s(&word, tag, stress, ctx)
            .or_else(|| self.stem_ed(&word, tag, stress, ctx))
            .or_else(|| self.stem_ing(&word, tag, Some(stress.unwrap_or(0.5)), ctx))
    }

    /// One token's phonemes (misaki's `Lexicon.__call__` without numbers, which normalization
    /// has already written out): capitalised words lean stressed, all-capitals more so.
    pub fn word(&self, text: &str, tag: Option<&str>, ctx: Context) -> Option<(String, Rating)> {
        let word = text.replace(['‘', '’'], "'");
        let stress = if word == lower(&word) {
            None
        } else if word == upper(&word) {
            Some(2.0)
        } else {
            Some(0.5)
        };
        self.get_word(&word, tag, stress, Some(ctx))
    }
}
