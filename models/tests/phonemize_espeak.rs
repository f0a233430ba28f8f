//! How far the Piper path (misaki phonemes mapped to espeak-style IPA) is from espeak-ng's own
//! en-us IPA, which Piper voices were trained on: phoneme error rate on the 3,000 words of
//! `fixtures/tts/espeak_reference.json` (made by the script beside it). espeak-ng is a test
//! reference only.

// The dictionaries and fixtures are read from disk: native only (wasm32 builds these tests for
// Chromium, where there is no file system).
#![cfg(not(target_arch = "wasm32"))]

mod phonemize_support;

use std::collections::HashMap;

use models::tts::phonemize::espeak::to_espeak;
use phonemize_support::{edit_distance, fixtures, phonemizer};
use serde::Deserialize;

#[derive(Deserialize)]
struct Word {
    text: String,
    ipa: String,
}

#[derive(Deserialize)]
struct Reference {
    words: Vec<Word>,
}

/// IPA as phonemes: a diphthong or affricate is one, a length mark joins its vowel, stress
/// marks count as symbols of their own only when `with_stress`.
fn phonemes(ipa: &str, with_stress: bool) -> Vec<String> {
    const PAIRS: [&str; 8] = ["eɪ", "aɪ", "aʊ", "ɔɪ", "oʊ", "əʊ", "tʃ", "dʒ"];
    let chars: Vec<char> = ipa.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, 'ˈ' | 'ˌ') {
            if with_stress {
                out.push(c.to_string());
            }
            i += 1;
            continue;
        }
        let pair: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        if PAIRS.contains(&pair.as_str()) {
            out.push(pair);
            i += 2;
        } else if c == 'ː' {
            if let Some(last) = out.last_mut() {
                last.push(c);
            }
            i += 1;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

#[test]
fn piper_ipa_is_close_to_espeak() {
    let Some(g2p) = phonemizer("piper_ipa_is_close_to_espeak") else {
        return;
    };
    let json = std::fs::read(fixtures().join("espeak_reference.json")).expect("fixture");
    let reference: Reference = serde_json::from_slice(&json).expect("parses");
    assert!(reference.words.len() >= 3000);
    let (mut errors, mut total, mut stress_errors, mut stress_total, mut exact) = (0, 0, 0, 0, 0);
    let mut confusions: HashMap<(String, String), usize> = HashMap::new();
    for word in &reference.words {
        let ours = to_espeak(&g2p.phonemize_normalized(&word.text).phonemes);
        let (want, got) = (phonemes(&word.ipa, false), phonemes(&ours, false));
        let distance = edit_distance(&want, &got);
        errors += distance;
        total += want.len();
        exact += usize::from(distance == 0);
        if want.len() == got.len() {
            for (w, g) in want.iter().zip(&got).filter(|(w, g)| w != g) {
                *confusions.entry((w.clone(), g.clone())).or_default() += 1;
            }
        }
        let (want, got) = (phonemes(&word.ipa, true), phonemes(&ours, true));
        stress_errors += edit_distance(&want, &got);
        stress_total += want.len();
    }
    let per = errors as f64 / total as f64;
    let per_stress = stress_errors as f64 / stress_total as f64;
    let mut top: Vec<_> = confusions.into_iter().collect();
    top.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    println!(
        "most frequent substitutions (espeak -> ours): {:?}",
        &top[..top.len().min(15)]
    );
    println!(
        "espeak-ng vs ours on {} words: phoneme error rate {:.2} % ({:.2} % counting stress marks), {exact} words identical",
        reference.words.len(),
        100.0 * per,
        100.0 * per_stress
    );
    // Measured 10.4 % (12.6 % with stress marks); most of it is reduced vowels (ɪ/ᵻ/ɐ as ə).
    assert!(per <= 0.12, "phoneme error rate {per}");
}
