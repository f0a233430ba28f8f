//! What the phonemizer tests share: the mirror's `g2p-en-us` files (or a plain SKIPPED), the
//! misaki reference fixture, and phoneme error rate.

#![allow(dead_code)] // each test file uses a different part of this

use std::path::{Path, PathBuf};

use models::tts::phonemize::Phonemizer;
use serde::Deserialize;

pub fn models_dir() -> PathBuf {
    std::env::var_os("LANTERN_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/models"))
}

fn asset(test: &str, name: &str) -> Option<Vec<u8>> {
    let path = models_dir().join("g2p-en-us").join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            println!(
                "SKIPPED {test}: no {} (run `cargo xtask fetch-models` or set LANTERN_MODELS_DIR)",
                path.display()
            );
            None
        }
    }
}

/// The phonemizer over the mirror's files, with the OOV model.
pub fn phonemizer(test: &str) -> Option<Phonemizer> {
    let gold = asset(test, "us_gold.json")?;
    let silver = asset(test, "us_silver.json")?;
    let model = asset(test, "g2p_en.npz")?;
    Some(Phonemizer::from_bytes(&gold, &silver, Some(&model)).expect("the mirror's files load"))
}

pub fn asset_bytes(test: &str, name: &str) -> Option<Vec<u8>> {
    asset(test, name)
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tts")
}

#[derive(Debug, Deserialize)]
pub struct Case {
    pub text: String,
    #[serde(default)]
    pub phonemes: String,
    #[serde(default)]
    pub arpabet: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Reference {
    pub words: Vec<Case>,
    pub sentences: Vec<Case>,
    pub oov: Vec<Case>,
}

pub fn reference() -> Reference {
    let json = std::fs::read(fixtures().join("misaki_reference.json")).expect("fixture");
    serde_json::from_slice(&json).expect("misaki_reference.json parses")
}

/// Levenshtein distance between two symbol sequences.
pub fn edit_distance<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(x != y));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}
