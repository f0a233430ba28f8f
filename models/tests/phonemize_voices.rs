//! misaki phonemes to each voice's ids: Kokoro's vocabulary (the mirror's kokoro_vocab.json)
//! and the Piper voice's phoneme_id_map (piper-en_US-joe-medium's model.onnx.json).

// The dictionaries and fixtures are read from disk: native only (wasm32 builds these tests for
// Chromium, where there is no file system).
#![cfg(not(target_arch = "wasm32"))]

mod phonemize_support;

use models::tts::phonemize::espeak::{PiperPhonemeMap, to_espeak};
use models::tts::phonemize::kokoro::KokoroVocab;
use phonemize_support::{asset_bytes, models_dir, phonemizer};

const TEXT: &str = "On May 5, 2024, Dr. Lee paid $12.50 for 3 books: \"Really?\" she asked.";

#[test]
fn every_phoneme_has_a_kokoro_id() {
    let (Some(g2p), Some(vocab)) = (
        phonemizer("every_phoneme_has_a_kokoro_id"),
        asset_bytes("every_phoneme_has_a_kokoro_id", "kokoro_vocab.json"),
    ) else {
        return;
    };
    let vocab = KokoroVocab::from_json(&vocab).expect("vocab parses");
    assert_eq!(vocab.len(), 114);
    let phonemes = g2p.phonemize(TEXT).phonemes;
    let missing: Vec<char> = phonemes
        .chars()
        .filter(|c| vocab.id(*c).is_none())
        .collect();
    assert!(missing.is_empty(), "{phonemes}: no ids for {missing:?}");
    let ids = vocab.ids(&phonemes);
    assert_eq!(ids.len(), phonemes.chars().count());
    assert_eq!(vocab.id(' '), Some(16));
}

#[test]
fn every_espeak_symbol_has_a_piper_id() {
    let Some(g2p) = phonemizer("every_espeak_symbol_has_a_piper_id") else {
        return;
    };
    let path = models_dir().join("piper-en_US-joe-medium/model.onnx.json");
    let Ok(json) = std::fs::read(&path) else {
        println!(
            "SKIPPED every_espeak_symbol_has_a_piper_id: no {}",
            path.display()
        );
        return;
    };
    let map = PiperPhonemeMap::from_voice_json(&json).expect("voice config parses");
    let ipa = to_espeak(&g2p.phonemize(TEXT).phonemes);
    let missing: Vec<char> = ipa.chars().filter(|c| !map.knows(*c)).collect();
    assert!(missing.is_empty(), "{ipa}: no ids for {missing:?}");
    let ids = map.ids(&ipa);
    // BOS, then each symbol with a pad after it, then EOS.
    assert_eq!(ids.len(), 2 * ipa.chars().count() + 2);
    assert_eq!(ids.first(), Some(&1));
    assert_eq!(ids.last(), Some(&2));
}

#[test]
fn bad_files_are_refused_with_a_reason() {
    use models::tts::phonemize::Phonemizer;
    let error = Phonemizer::from_bytes(b"{not json", b"{}", None)
        .err()
        .expect("refused");
    assert!(error.to_string().contains("us_gold.json"), "{error}");
    let error = Phonemizer::from_bytes(b"{}", b"{}", Some(b"not a zip"))
        .err()
        .expect("refused");
    assert!(error.to_string().contains("g2p_en.npz"), "{error}");
    assert!(KokoroVocab::from_json(b"{\"vocab\": {\"ab\": 1}}").is_err());
}
