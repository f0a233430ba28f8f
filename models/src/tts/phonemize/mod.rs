//! English text to phonemes for the voices: misaki's G2P (Kokoro's own, Apache-2.0) rewritten in
//! Rust over its US dictionaries, with our own text normalization, a rule-based tagger in place
//! of spaCy, and g2p_en's GRU model for words in no dictionary. Its output is misaki's phoneme
//! alphabet; `kokoro` and `espeak` map it to each voice's ids.
//!
//! Built from bytes (the mirror's `g2p-en-us` files), so the same code runs in the browser.

mod arpabet;
pub mod espeak;
pub mod kokoro;
mod lexicon;
pub mod normalize;
mod npz;
mod oov;
mod resolve;
mod stress;
mod tagger;
mod tokenize;

pub use oov::OovModel;
pub use resolve::Resolved;

use lexicon::Lexicon;

use crate::Result;

/// The phonemes of a text, whole and word by word.
#[derive(Debug, Clone, PartialEq)]
pub struct Phonemes {
    /// misaki's phoneme string: words separated by spaces, punctuation kept as pauses.
    pub phonemes: String,
    pub words: Vec<Resolved>,
}

pub struct Phonemizer {
    lexicon: Lexicon,
    oov: Option<OovModel>,
}

impl Phonemizer {
    /// From misaki's `us_gold.json` and `us_silver.json`, and optionally g2p_en's
    /// `checkpoint20.npz` for words in neither (without it they are left silent).
    pub fn from_bytes(gold: &[u8], silver: &[u8], oov_npz: Option<&[u8]>) -> Result<Self> {
        Ok(Self {
            lexicon: Lexicon::from_json(gold, silver)?,
            oov: oov_npz.map(OovModel::from_npz).transpose()?,
        })
    }

    /// Normalizes `text` (numbers, dates, money, abbreviations...) and phonemizes it.
    pub fn phonemize(&self, text: &str) -> Phonemes {
        self.phonemize_normalized(&normalize::normalize(text))
    }

    /// Phonemizes text that is already words and punctuation, as misaki's G2P takes it.
    pub fn phonemize_normalized(&self, text: &str) -> Phonemes {
        let mut words = tokenize::tokenize(text);
        tagger::tag(&mut words);
        let fallback = |word: &str| self.unknown_word(word);
        let words = resolve::resolve(&self.lexicon, words, Some(&fallback));
        let mut phonemes = String::new();
        for word in &words {
            phonemes.push_str(&word.phonemes);
            if word.space_after && !phonemes.ends_with(' ') && !phonemes.is_empty() {
                phonemes.push(' ');
            }
        }
        Phonemes {
            phonemes: phonemes.trim().to_string(),
            words,
        }
    }

    /// A word no dictionary has: each run of letters through the OOV model, in misaki's symbols.
    fn unknown_word(&self, word: &str) -> Option<String> {
        let oov = self.oov.as_ref()?;
        let pieces: Vec<String> = word
            .split(|c: char| !c.is_alphabetic())
            .filter(|p| !p.is_empty())
            .filter_map(|p| {
                let letters = normalize::fold_to_ascii(p).to_lowercase();
                let arpabet = oov.predict(&letters);
                (!arpabet.is_empty()).then(|| arpabet::to_misaki(&arpabet))
            })
            .collect();
        (!pieces.is_empty()).then(|| pieces.join(" "))
    }

    /// The OOV model's ARPAbet for a lower-case word, as g2p_en's `predict` gives it.
    pub fn predict_arpabet(&self, word: &str) -> Option<Vec<&'static str>> {
        self.oov.as_ref().map(|m| m.predict(word))
    }

    /// Whether the dictionaries hold this exact spelling.
    pub fn knows(&self, word: &str) -> bool {
        self.lexicon.contains(word)
    }
}
