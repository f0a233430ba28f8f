//! The phonemizer against Python misaki 0.9.4 (with spaCy's tagger) on in-dictionary words and
//! sentences: `tests/fixtures/tts/misaki_reference.json`, made by the script beside it.

// The dictionaries and fixtures are read from disk: native only (wasm32 builds these tests for
// Chromium, where there is no file system).
#![cfg(not(target_arch = "wasm32"))]

mod phonemize_support;

use phonemize_support::{phonemizer, reference};

/// Share of identical phoneme strings, printing the first few differences.
fn agreement(label: &str, cases: &[(String, String, String)]) -> f64 {
    let same = cases.iter().filter(|(_, want, got)| want == got).count();
    for (text, want, got) in cases.iter().filter(|(_, w, g)| w != g).take(25) {
        println!("{label} differs: {text:?}\n  misaki {want}\n  ours   {got}");
    }
    let rate = same as f64 / cases.len() as f64;
    println!(
        "{label}: {same}/{} identical ({:.2} %)",
        cases.len(),
        100.0 * rate
    );
    rate
}

#[test]
fn in_dictionary_words_match_misaki() {
    let Some(g2p) = phonemizer("in_dictionary_words_match_misaki") else {
        return;
    };
    let cases: Vec<_> = reference()
        .words
        .into_iter()
        .map(|c| {
            let got = g2p.phonemize_normalized(&c.text).phonemes;
            (c.text, c.phonemes, got)
        })
        .collect();
    assert!(cases.len() >= 3000);
    assert!(agreement("word", &cases) >= 0.99);
}

#[test]
fn in_dictionary_sentences_match_misaki() {
    let Some(g2p) = phonemizer("in_dictionary_sentences_match_misaki") else {
        return;
    };
    let cases: Vec<_> = reference()
        .sentences
        .into_iter()
        .map(|c| {
            let got = g2p.phonemize(&c.text).phonemes;
            (c.text, c.phonemes, got)
        })
        .collect();
    assert!(cases.len() >= 1400);
    // Word by word: a sentence is one homograph away from differing.
    let (mut words, mut same_words) = (0, 0);
    for (_, want, got) in &cases {
        let want: Vec<&str> = want.split(' ').collect();
        let got: Vec<&str> = got.split(' ').collect();
        words += want.len();
        if want.len() == got.len() {
            same_words += want.iter().zip(&got).filter(|(a, b)| a == b).count();
        }
    }
    let word_rate = same_words as f64 / words as f64;
    println!(
        "sentence words: {same_words}/{words} identical ({:.2} %)",
        100.0 * word_rate
    );
    let sentence_rate = agreement("sentence", &cases);
    assert!(word_rate >= 0.99, "word agreement {word_rate}");
    assert!(sentence_rate >= 0.90, "sentence agreement {sentence_rate}");
}
