//! Whisper's special tokens, found by name in `tokenizer.json` the way openai-whisper's
//! `tokenizer.py` (`Tokenizer`) derives them: language tokens sit between `<|startoftranscript|>`
//! and `<|translate|>`, and timestamps begin right after `<|notimestamps|>`.

use tokenizers::Tokenizer;

use crate::{ModelError, Result};

#[derive(Debug, Clone)]
pub struct SpecialTokens {
    pub eot: u32,
    pub sot: u32,
    pub translate: u32,
    pub transcribe: u32,
    pub sot_lm: u32,
    pub sot_prev: u32,
    /// `<|nospeech|>`, or `<|nocaptions|>` in older vocabularies.
    pub no_speech: u32,
    pub no_timestamps: u32,
    /// `<|0.00|>`; every id from here on is a timestamp in steps of 0.02 s.
    pub timestamp_begin: u32,
    /// `(code, token)` in the model's order, e.g. `("en", 50259)`.
    pub languages: Vec<(String, u32)>,
    /// The single-space token(s) `SuppressBlank` forbids first.
    pub blank: Vec<u32>,
}

impl SpecialTokens {
    pub fn from_tokenizer(tokenizer: &Tokenizer) -> Result<Self> {
        let id = |name: &str| {
            tokenizer
                .token_to_id(name)
                .ok_or_else(|| ModelError::Tokenizer(format!("no special token {name}")))
        };
        let sot = id("<|startoftranscript|>")?;
        let translate = id("<|translate|>")?;
        let no_timestamps = id("<|notimestamps|>")?;
        let no_speech = id("<|nospeech|>").or_else(|_| id("<|nocaptions|>"))?;
        let languages = (sot + 1..translate)
            .filter_map(|token| {
                let name = tokenizer.id_to_token(token)?;
                let code = name.strip_prefix("<|")?.strip_suffix("|>")?;
                Some((code.to_string(), token))
            })
            .collect();
        let blank = tokenizer
            .encode(" ", false)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?
            .get_ids()
            .to_vec();
        Ok(SpecialTokens {
            eot: id("<|endoftext|>")?,
            sot,
            translate,
            transcribe: id("<|transcribe|>")?,
            sot_lm: id("<|startoflm|>")?,
            sot_prev: id("<|startofprev|>")?,
            no_speech,
            no_timestamps,
            timestamp_begin: no_timestamps + 1,
            languages,
            blank,
        })
    }

    pub fn language(&self, code: &str) -> Option<u32> {
        self.languages
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, token)| *token)
    }

    pub fn language_code(&self, token: u32) -> Option<&str> {
        self.languages
            .iter()
            .find(|(_, t)| *t == token)
            .map(|(c, _)| c.as_str())
    }
}
