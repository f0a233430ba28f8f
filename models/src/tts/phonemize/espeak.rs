//! misaki phonemes to the espeak-ng style IPA Piper voices were trained on (en-us), then to a
//! voice's ids through the `phoneme_id_map` of its `.onnx.json`.
//!
//! misaki writes diphthongs as capitals and r-coloured vowels as vowel + ɹ; espeak writes
//! them out, marks long vowels with ː and the unstressed r-coloured schwa as ɚ.

use std::collections::HashMap;

use crate::{ModelError, Result};

/// Longest first: multi-symbol sequences before their parts.
const TO_ESPEAK: &[(&str, &str)] = &[
    ("ɜɹ", "ɜː"),
    ("əɹ", "ɚ"),
    ("ɑɹ", "ɑːɹ"),
    // espeak's en-us "or" vowel.
    ("ɔɹ", "oːɹ"),
    ("A", "eɪ"),
    ("I", "aɪ"),
    ("W", "aʊ"),
    ("Y", "ɔɪ"),
    ("O", "oʊ"),
    ("Q", "əʊ"),
    ("ʤ", "dʒ"),
    ("ʧ", "tʃ"),
    ("T", "ɾ"),
    ("ᵊ", "ə"),
    ("ɑ", "ɑː"),
    // Piper's map has only the straight quote.
    ("“", "\""),
    ("”", "\""),
    ("ɔ", "ɔː"),
    ("u", "uː"),
];

/// espeak-style IPA for a misaki phoneme string; spaces and punctuation pass through.
pub fn to_espeak(misaki: &str) -> String {
    let mut out = String::with_capacity(misaki.len() * 2);
    let mut rest = misaki;
    let mut previous = None;
    'outer: while let Some(c) = rest.chars().next() {
        // espeak lengthens a stressed "i" only ("twˈɛnti", "lˈiː").
        if c == 'i' {
            out.push_str(if matches!(previous, Some('ˈ' | 'ˌ')) {
                "iː"
            } else {
                "i"
            });
            rest = &rest[1..];
            previous = Some(c);
            continue;
        }
        previous = Some(c);
        for (from, to) in TO_ESPEAK {
            if let Some(after) = rest.strip_prefix(from) {
                out.push_str(to);
                // Before a vowel espeak keeps the r that links them ("bˈeɪkɚɹi", "hˈɜːɹi"):
                // without it the syllable runs into the next ("baker-ee").
                if matches!(*from, "əɹ" | "ɜɹ") && starts_with_vowel(after) {
                    out.push('ɹ');
                }
                rest = after;
                continue 'outer;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Whether misaki's phonemes begin with a vowel, past any stress mark.
fn starts_with_vowel(phonemes: &str) -> bool {
    phonemes
        .chars()
        .find(|c| !matches!(c, 'ˈ' | 'ˌ'))
        .is_some_and(|c| "aæɑɐəɛɜɪiʊuʌɔoeAIWYOQᵊ".contains(c))
}

/// A Piper voice's `phoneme_id_map`.
pub struct PiperPhonemeMap {
    ids: HashMap<char, Vec<i64>>,
}

const BOS: char = '^';
const EOS: char = '$';
const PAD: char = '_';

impl PiperPhonemeMap {
    /// From the voice's `.onnx.json`.
    pub fn from_voice_json(bytes: &[u8]) -> Result<Self> {
        let bad = |why: String| ModelError::BadModel(format!("Piper voice config: {why}"));
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
        let map = value
            .get("phoneme_id_map")
            .and_then(|v| v.as_object())
            .ok_or_else(|| bad("no \"phoneme_id_map\" object".into()))?;
        let mut ids = HashMap::with_capacity(map.len());
        for (symbol, list) in map {
            let mut chars = symbol.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                return Err(bad(format!("{symbol:?} is not one character")));
            };
            let list = list
                .as_array()
                .and_then(|l| l.iter().map(|v| v.as_i64()).collect::<Option<Vec<_>>>())
                .ok_or_else(|| bad(format!("{symbol:?} does not map to a list of ids")))?;
            ids.insert(c, list);
        }
        for needed in [BOS, EOS, PAD] {
            if !ids.contains_key(&needed) {
                return Err(bad(format!("no id for {needed:?}")));
            }
        }
        Ok(Self { ids })
    }

    pub fn knows(&self, symbol: char) -> bool {
        self.ids.contains_key(&symbol)
    }

    /// Piper's `phonemes_to_ids`: BOS, each known symbol followed by PAD, then EOS.
    pub fn ids(&self, ipa: &str) -> Vec<i64> {
        let get = |c: char| self.ids.get(&c).map(Vec::as_slice).unwrap_or_default();
        let mut out = get(BOS).to_vec();
        for c in ipa.chars().filter(|c| self.knows(*c)) {
            out.extend_from_slice(get(c));
            out.extend_from_slice(get(PAD));
        }
        out.extend_from_slice(get(EOS));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diphthongs_and_r_colouring_are_written_out() {
        assert_eq!(to_espeak("həlˈO wˈɜɹld"), "həlˈoʊ wˈɜːld");
        assert_eq!(to_espeak("wˈɔTəɹ"), "wˈɔːɾɚ");
        // An r-coloured vowel before another vowel keeps the r that links them.
        assert_eq!(to_espeak("bˈAkəɹi"), "bˈeɪkɚɹi");
        assert_eq!(to_espeak("ˌɑpəɹˈAʃən"), "ˌɑːpɚɹˈeɪʃən");
        assert_eq!(to_espeak("hˈɜɹi"), "hˈɜːɹi");
        assert_eq!(to_espeak("tˈi sˈITi"), "tˈiː sˈaɪɾi");
        assert_eq!(to_espeak("ʤˈʌʤ"), "dʒˈʌdʒ");
    }
}
