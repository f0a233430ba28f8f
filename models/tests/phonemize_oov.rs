//! The OOV model (g2p_en's GRU seq2seq in Rust) against g2p_en 2.1.0's own `predict()` on 400
//! words in neither misaki dictionary (`misaki_reference.json`, made by the script beside it).

// The dictionaries and fixtures are read from disk: native only (wasm32 builds these tests for
// Chromium, where there is no file system).
#![cfg(not(target_arch = "wasm32"))]

mod phonemize_support;

use phonemize_support::{edit_distance, phonemizer, reference};

#[test]
fn oov_model_matches_g2p_en() {
    let Some(g2p) = phonemizer("oov_model_matches_g2p_en") else {
        return;
    };
    let cases = reference().oov;
    assert!(cases.len() >= 400);
    let (mut exact, mut errors, mut total) = (0, 0, 0);
    for case in &cases {
        assert!(!g2p.knows(&case.text), "{} is in a dictionary", case.text);
        let got = g2p.predict_arpabet(&case.text).expect("model loaded");
        let want: Vec<&str> = case.arpabet.iter().map(String::as_str).collect();
        if got == want {
            exact += 1;
        } else {
            println!("{}: g2p_en {want:?}, ours {got:?}", case.text);
        }
        errors += edit_distance(&want, &got);
        total += want.len();
    }
    let exact_rate = exact as f64 / cases.len() as f64;
    let per = errors as f64 / total as f64;
    println!(
        "OOV: {exact}/{} exact ({:.2} %), phoneme error rate {:.3} %",
        cases.len(),
        100.0 * exact_rate,
        100.0 * per
    );
    // Same weights, same arithmetic in f32: only a near-tie in an argmax may differ.
    assert!(exact_rate >= 0.99, "exact {exact_rate}");
    assert!(per <= 0.005, "phoneme error rate {per}");
}

#[test]
fn unknown_words_are_read_by_the_model() {
    let Some(g2p) = phonemizer("unknown_words_are_read_by_the_model") else {
        return;
    };
    let result = g2p.phonemize("The zorblax glimmered.");
    let zorblax = &result.words[1];
    assert_eq!(zorblax.text, "zorblax");
    assert_eq!(zorblax.rating, 1, "read by the OOV model");
    assert!(
        zorblax.phonemes.contains('ˈ'),
        "stressed: {}",
        zorblax.phonemes
    );
    assert!(zorblax.phonemes.starts_with('z'), "{}", zorblax.phonemes);
}
