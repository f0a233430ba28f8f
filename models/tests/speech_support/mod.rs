//! What the speech tests share: where the real models are (or a plain SKIPPED when they are not),
//! the committed fixtures, synthetic audio, and word error rate.

#![allow(dead_code)] // each test file uses a different part of this

use std::path::{Path, PathBuf};

use models::tts::phonemize::normalize::numbers::cardinal;
use serde::Deserialize;

/// `LANTERN_MODELS_DIR`, or the mirror `cargo xtask fetch-models` fills.
pub fn models_dir() -> PathBuf {
    std::env::var_os("LANTERN_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/models"))
}

/// The first of `candidates` (paths under the models dir) that exists; otherwise prints why the
/// test is skipped and returns `None`.
pub fn model_file(test: &str, candidates: &[&str]) -> Option<PathBuf> {
    let dir = models_dir();
    let found = candidates.iter().map(|c| dir.join(c)).find(|p| p.exists());
    if found.is_none() {
        println!(
            "SKIPPED {test}: none of {candidates:?} under {} (run `cargo xtask fetch-models` or set LANTERN_MODELS_DIR)",
            dir.display()
        );
    }
    found
}

pub const WHISPER_TINY_EN: &str = "whisper-tiny.en";
pub const WHISPER_BASE: &str = "whisper-base";
pub const MEL_FILTERS: &[&str] = &["whisper-assets/mel_filters.npz"];
pub const SILERO: &[&str] = &["silero-vad-16k/model.safetensors"];

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/speech")
}

/// A committed fixture WAV as 16 kHz mono samples.
pub fn fixture_wav(name: &str) -> Vec<f32> {
    let bytes = std::fs::read(fixtures().join(name)).expect("fixture wav");
    models::audio::wav_to_16k_mono(&bytes).expect("decodes")
}

#[derive(Debug, Clone, Deserialize)]
pub struct Clip {
    pub file: String,
    pub voice: String,
    pub text: String,
    /// Where speech starts and ends inside the clip (s), measured by the fixture script.
    pub speech_start: f64,
    pub speech_end: f64,
}

pub fn clips() -> Vec<Clip> {
    let json = std::fs::read(fixtures().join("clips.json")).expect("clips.json");
    serde_json::from_slice(&json).expect("clips.json parses")
}

/// A deterministic pseudo-random sequence in [-1, 1) (xorshift), for noise.
pub fn noise(len: usize, amplitude: f32, seed: u64) -> Vec<f32> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            amplitude * ((state >> 40) as f32 / (1u64 << 23) as f32 - 1.0)
        })
        .collect()
}

pub fn tone(len: usize, hz: f32, amplitude: f32) -> Vec<f32> {
    (0..len)
        .map(|i| amplitude * (2.0 * std::f32::consts::PI * hz * i as f32 / 16_000.0).sin())
        .collect()
}

/// Words for comparison: lower case, no punctuation, numbers spelled out, a few abbreviations
/// expanded, so "$25" and "25 dollars" and "twenty-five dollars" all agree.
pub fn normalize(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut prepared = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let between_digits = i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
        match c {
            '$' => {
                // "$25" is said "25 dollars"
                let mut j = i + 1;
                let mut digits = String::new();
                while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == ',') {
                    if chars[j] != ',' {
                        digits.push(chars[j]);
                    }
                    j += 1;
                }
                prepared.push_str(&format!(" {digits} dollars "));
                i = j;
                continue;
            }
            ',' if between_digits => {}
            '%' => prepared.push_str(" percent "),
            '&' => prepared.push_str(" and "),
            '\'' | '\u{2019}' => {}
            c if c.is_alphanumeric() => prepared.extend(c.to_lowercase()),
            _ => prepared.push(' '),
        }
        i += 1;
    }
    let mut words = Vec::new();
    for word in text_words(&prepared) {
        if let Ok(n) = word.parse::<u64>() {
            // The phonemizer's reading of numbers, as the words Whisper would write.
            words.extend(cardinal(n).split_whitespace().map(str::to_string));
            continue;
        }
        let word = match word.as_str() {
            "dr" => "doctor",
            "mr" => "mister",
            "mrs" => "missus",
            "okay" => "ok",
            w => w,
        };
        words.push(word.to_string());
    }
    words
}

fn text_words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

/// Word-level edit distance (substitutions, insertions, deletions).
pub fn word_errors(reference: &[String], hypothesis: &[String]) -> usize {
    let mut row: Vec<usize> = (0..=hypothesis.len()).collect();
    for (i, r) in reference.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, h) in hypothesis.iter().enumerate() {
            let substitution = previous + usize::from(r != h);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[hypothesis.len()]
}
