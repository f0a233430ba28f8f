//! The Piper voice en_US-joe-medium in Candle against onnxruntime on the same ONNX and the same
//! phoneme ids, with sampling noise off (noise_scale = noise_w = 0): per-phoneme frames within
//! one of onnxruntime's and the waveform close to its (fixtures and the script that made them:
//! tests/fixtures/tts/make_piper_fixtures.py).

// Native only: the voice and the fixtures are read from disk (a browser has no files).
#![cfg(not(target_arch = "wasm32"))]

mod tts_support;

use models::tts::piper::{PiperVoice, Rng, Scales};
use tts_support::{
    JOE, correlation, fixture_samples, fixtures, log_mel_distance_db, max_abs_error, on_int16_grid,
    voice_files,
};

fn load(test: &str) -> Option<PiperVoice> {
    let (onnx, json) = voice_files(test, JOE)?;
    Some(PiperVoice::from_bytes(&onnx, &json).expect("the voice loads"))
}

fn deterministic() -> Scales {
    let [noise_scale, length_scale, noise_w] = fixtures().scales;
    Scales {
        noise_scale,
        length_scale,
        noise_w,
    }
}

#[test]
fn ids_match_the_fixture_framing() {
    let Some(voice) = load("ids_match_the_fixture_framing") else {
        return;
    };
    for case in fixtures().cases {
        assert_eq!(voice.phoneme_ids(&case.phonemes).expect("ids"), case.ids);
    }
}

#[test]
fn durations_are_within_one_frame_of_onnxruntime() {
    let Some(voice) = load("durations_are_within_one_frame_of_onnxruntime") else {
        return;
    };
    for case in fixtures().cases {
        let ours = voice
            .durations(&case.ids, deterministic(), &mut Rng::new(0))
            .expect("durations");
        assert_eq!(ours.len(), case.durations.len());
        let off: Vec<(usize, u32, u32)> = ours
            .iter()
            .zip(&case.durations)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (&a, &b))| (i, a, b))
            .collect();
        println!("{:?}: {} phonemes differ {off:?}", case.phonemes, off.len());
        assert!(
            off.iter().all(|&(_, a, b)| a.abs_diff(b) <= 1),
            "{:?}: more than one frame off: {off:?}",
            case.phonemes
        );
        // A rounding flip at a ceil() boundary is one thing; many of them is a different model.
        assert!(
            off.len() * 20 <= ours.len(),
            "{:?}: {} of {} phonemes off by a frame",
            case.phonemes,
            off.len(),
            ours.len()
        );
    }
}

#[test]
fn waveform_matches_onnxruntime() {
    let Some(voice) = load("waveform_matches_onnxruntime") else {
        return;
    };
    for case in fixtures().cases {
        let reference = fixture_samples(&case);
        let ours = voice
            .synthesize(&case.ids, deterministic(), &mut Rng::new(0))
            .expect("synthesis");
        let same_durations = ours.durations == case.durations;
        let samples = on_int16_grid(&ours.samples);
        let max_err = max_abs_error(&samples, &reference);
        let corr = correlation(&samples, &reference);
        let mel = log_mel_distance_db(&samples, &reference, voice.sample_rate());
        println!(
            "{:?}: {} vs {} samples, max abs error {max_err:.2e}, correlation {corr:.6}, \
             log-mel distance {mel:.3} dB",
            case.phonemes,
            samples.len(),
            reference.len()
        );
        // Durations differing by a frame shift everything after; sample-wise checks need equal ones.
        if same_durations {
            assert_eq!(samples.len(), reference.len());
            assert!(max_err < 2e-4, "max abs error {max_err}");
            assert!(corr > 0.99999, "correlation {corr}");
        }
        assert!(mel < 0.05, "log-mel distance {mel} dB");
    }
}
