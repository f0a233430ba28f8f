//! A Piper voice's `.onnx.json`: sample rate, inference defaults, and the phoneme id map, with
//! piper-phonemize's id conventions (`phonemes_to_ids`: BOS `^`, a pad `_` after it and after
//! every phoneme, EOS `$`). One phoneme is one Unicode code point, as espeak-ng IPA is split.

use std::collections::HashMap;

use serde::Deserialize;

use crate::{ModelError, Result};

/// Beginning of sentence.
pub const BOS: char = '^';
/// End of sentence.
pub const EOS: char = '$';
/// Padding, interspersed after BOS and after each phoneme.
pub const PAD: char = '_';

/// The noise and speed of one synthesis (upstream `scales` = [noise_scale, length_scale, noise_w]).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Scales {
    /// How far the frames' latents stray from the text's means (`noise_scale`).
    pub noise_scale: f32,
    /// Frames per phoneme, scaled: above 1 speaks slower (`length_scale`).
    pub length_scale: f32,
    /// How far the durations stray from the predicted ones (`noise_w`, `noise_scale_w`).
    pub noise_w: f32,
}

impl Scales {
    /// No sampling noise at all: the same ids always give the same audio.
    pub fn deterministic(length_scale: f32) -> Scales {
        Scales {
            noise_scale: 0.0,
            length_scale,
            noise_w: 0.0,
        }
    }
}

#[derive(Deserialize)]
struct Audio {
    sample_rate: u32,
}

#[derive(Deserialize)]
struct RawConfig {
    audio: Audio,
    inference: Scales,
    phoneme_id_map: HashMap<String, Vec<i64>>,
    #[serde(default)]
    num_speakers: Option<u32>,
}

/// What a voice's `.onnx.json` tells the synthesizer.
#[derive(Debug, Clone)]
pub struct VoiceConfig {
    pub sample_rate: u32,
    /// The voice's recommended scales (its `inference` block).
    pub inference: Scales,
    phoneme_ids: HashMap<char, Vec<i64>>,
}

impl VoiceConfig {
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let raw: RawConfig = serde_json::from_slice(bytes)
            .map_err(|e| ModelError::BadModel(format!("the voice's .onnx.json: {e}")))?;
        if let Some(speakers) = raw.num_speakers.filter(|&n| n > 1) {
            return Err(ModelError::Unsupported(format!(
                "a voice with {speakers} speakers (only single-speaker Piper voices run)"
            )));
        }
        if raw.audio.sample_rate == 0 {
            return Err(ModelError::BadModel("sample_rate 0".into()));
        }
        let mut phoneme_ids = HashMap::new();
        for (symbol, ids) in raw.phoneme_id_map {
            let mut chars = symbol.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                return Err(ModelError::BadModel(format!(
                    "phoneme_id_map key {symbol:?} is not one code point"
                )));
            };
            phoneme_ids.insert(c, ids);
        }
        for special in [BOS, EOS, PAD] {
            if !phoneme_ids.contains_key(&special) {
                return Err(ModelError::BadModel(format!(
                    "phoneme_id_map has no {special:?}"
                )));
            }
        }
        Ok(VoiceConfig {
            sample_rate: raw.audio.sample_rate,
            inference: raw.inference,
            phoneme_ids,
        })
    }

    /// Whether the voice has an id for this symbol (others are left out of what it reads).
    pub fn knows(&self, symbol: char) -> bool {
        self.phoneme_ids.contains_key(&symbol)
    }

    /// The ids of one sentence's phonemes, framed as piper-phonemize frames them:
    /// `^ _ p1 _ p2 _ … pn _ $`. A symbol the voice lacks is an error naming it.
    pub fn phoneme_ids(&self, phonemes: &str) -> Result<Vec<i64>> {
        let ids = |c: char| self.phoneme_ids.get(&c);
        let (Some(bos), Some(eos), Some(pad)) = (ids(BOS), ids(EOS), ids(PAD)) else {
            return Err(ModelError::BadModel(
                "phoneme_id_map lacks ^, $ or _".into(),
            ));
        };
        let mut out = Vec::with_capacity(2 * phonemes.len() + 3);
        out.extend(bos);
        out.extend(pad);
        for (position, c) in phonemes.chars().enumerate() {
            let mapped = ids(c).ok_or_else(|| {
                ModelError::Unsupported(format!(
                    "phoneme {c:?} (U+{:04X}, at {position}) is not in this voice's phoneme_id_map",
                    c as u32
                ))
            })?;
            out.extend(mapped);
            out.extend(pad);
        }
        out.extend(eos);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> VoiceConfig {
        let json = r#"{"audio": {"sample_rate": 22050},
            "inference": {"noise_scale": 0.667, "length_scale": 1, "noise_w": 0.8},
            "phoneme_id_map": {"_": [0], "^": [1], "$": [2], " ": [3], "h": [20], "ə": [59]}}"#;
        VoiceConfig::from_json(json.as_bytes()).expect("config")
    }

    #[test]
    fn ids_are_framed_and_padded_like_piper_phonemize() {
        assert_eq!(
            config().phoneme_ids("hə h").expect("ids"),
            vec![1, 0, 20, 0, 59, 0, 3, 0, 20, 0, 2]
        );
        assert_eq!(config().phoneme_ids("").expect("ids"), vec![1, 0, 2]);
    }

    #[test]
    fn an_unknown_phoneme_is_named() {
        let err = config()
            .phoneme_ids("hx")
            .expect_err("x is unknown")
            .to_string();
        assert!(err.contains("'x'") && err.contains("at 1"), "{err}");
    }

    #[test]
    fn a_config_without_pad_is_refused() {
        let json = r#"{"audio": {"sample_rate": 22050},
            "inference": {"noise_scale": 0.667, "length_scale": 1, "noise_w": 0.8},
            "phoneme_id_map": {"^": [1], "$": [2]}}"#;
        let err = VoiceConfig::from_json(json.as_bytes()).expect_err("no pad");
        assert!(err.to_string().contains("'_'"), "{err}");
    }
}
