//! Text to audio through `Voice`, as the extension and `lantern speak --text` run it: the
//! phonemizer's output reaches the Piper and the Kokoro voice, a sentence's length follows its
//! text and the rate, and a sentence with nothing to read is silence rather than an error.

// Native only: the voice and the phonemizer's dictionaries are read from disk.
#![cfg(not(target_arch = "wasm32"))]

#[path = "phonemize_support/mod.rs"]
mod phonemize_support;
mod tts_support;

use models::tts::kokoro::{Kokoro, KokoroVoice};
use models::tts::phonemize::kokoro::KokoroVocab;
use models::tts::piper::{PiperVoice, Rng};
use models::tts::{KokoroSpeaker, Voice};

fn setup(test: &str) -> Option<(Voice, models::tts::phonemize::Phonemizer)> {
    let (onnx, json) = tts_support::voice_files(test, tts_support::JOE)?;
    let phonemizer = phonemize_support::phonemizer(test)?;
    let voice = PiperVoice::from_bytes(&onnx, &json).expect("the voice loads");
    Some((Voice::Piper(voice), phonemizer))
}

fn rms(samples: &[f32]) -> f32 {
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len().max(1) as f32).sqrt()
}

#[test]
fn a_sentence_becomes_audible_speech_whose_length_fits_the_text() {
    let Some((voice, phonemizer)) = setup("a_sentence_becomes_audible_speech") else {
        return;
    };
    let text = "The meeting moved to Tuesday, March 4th, at 10:30 am.";
    let speech = voice
        .speak(&phonemizer, text, 1.0, &mut Rng::new(0))
        .expect("speaks");
    let seconds = speech.samples.len() as f32 / speech.sample_rate as f32;
    let per_char = seconds / text.chars().count() as f32;
    assert_eq!(speech.sample_rate, 22_050);
    assert!((0.04..0.2).contains(&per_char), "{seconds} s for {text:?}");
    assert!(rms(&speech.samples) > 0.02, "rms {}", rms(&speech.samples));
    assert!(speech.phonemes.contains("tˈuːzd"), "{}", speech.phonemes);
}

#[test]
fn a_faster_rate_is_shorter_speech() {
    let Some((voice, phonemizer)) = setup("a_faster_rate_is_shorter_speech") else {
        return;
    };
    let text = "Reading faster takes less time.";
    let length = |rate| {
        voice
            .speak(&phonemizer, text, rate, &mut Rng::new(0))
            .expect("speaks")
            .samples
            .len() as f32
    };
    let ratio = length(2.0) / length(1.0);
    assert!(
        (0.4..0.7).contains(&ratio),
        "2x rate gave {ratio} of the length"
    );
}

#[test]
fn nothing_to_read_is_silence_and_a_bad_rate_is_an_error() {
    let Some((voice, phonemizer)) = setup("nothing_to_read_is_silence") else {
        return;
    };
    let none = voice
        .speak(&phonemizer, "—", 1.0, &mut Rng::new(0))
        .expect("no error");
    assert!(none.samples.is_empty());
    let error = voice
        .speak(&phonemizer, "Hello.", 9.0, &mut Rng::new(0))
        .expect_err("rate 9 is refused");
    assert!(error.to_string().contains("speaking rate 9"), "{error}");
}

/// Kokoro with `af_heart` from the mirror, or `None` after saying SKIPPED.
fn kokoro(test: &str) -> Option<(Voice, models::tts::phonemize::Phonemizer)> {
    let dir = phonemize_support::models_dir().join("kokoro-82m-v1.0-int8");
    let (Ok(onnx), Ok(pack)) = (
        std::fs::read(dir.join("model.onnx")),
        std::fs::read(dir.join("voices/af_heart.bin")),
    ) else {
        println!(
            "SKIPPED {test}: no Kokoro in {} (run `cargo xtask fetch-models`)",
            dir.display()
        );
        return None;
    };
    let vocab = phonemize_support::asset_bytes(test, "kokoro_vocab.json")?;
    let phonemizer = phonemize_support::phonemizer(test)?;
    let speaker = KokoroSpeaker {
        model: Kokoro::from_onnx(&onnx).expect("Kokoro loads"),
        pack: KokoroVoice::from_bytes(&pack).expect("the voice pack loads"),
        vocab: KokoroVocab::from_json(&vocab).expect("the vocabulary loads"),
    };
    Some((Voice::Kokoro(speaker), phonemizer))
}

#[test]
fn kokoro_speaks_a_sentence_whose_length_fits_the_text_and_the_rate() {
    let Some((voice, phonemizer)) = kokoro("kokoro_speaks_a_sentence") else {
        return;
    };
    let text = "Kokoro reads this sentence aloud.";
    let speak = |rate| {
        voice
            .speak(&phonemizer, text, rate, &mut Rng::new(0))
            .expect("speaks")
    };
    let speech = speak(1.0);
    assert_eq!(speech.sample_rate, 24_000);
    let seconds = speech.samples.len() as f32 / speech.sample_rate as f32;
    let per_char = seconds / text.chars().count() as f32;
    assert!((0.04..0.2).contains(&per_char), "{seconds} s for {text:?}");
    assert!(rms(&speech.samples) > 0.02, "rms {}", rms(&speech.samples));
    let ratio = speak(2.0).samples.len() as f32 / speech.samples.len() as f32;
    assert!(
        (0.4..0.7).contains(&ratio),
        "2x rate gave {ratio} of the length"
    );
    let none = voice
        .speak(&phonemizer, "—", 1.0, &mut Rng::new(0))
        .expect("no error");
    assert!(none.samples.is_empty());
}
