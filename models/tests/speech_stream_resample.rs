//! Streaming resampling (the microphone path): pieces of any size come out as the same 16 kHz
//! audio, in time with the input, as resampling the whole clip at once. Natively and in headless
//! Chromium, where the speech worker resamples the microphone.

use models::audio::{StreamResampler, resample};
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn tone(rate: u32, seconds: f32, hz: f32) -> Vec<f32> {
    let n = (rate as f32 * seconds) as usize;
    (0..n)
        .map(|i| 0.5 * (2.0 * std::f32::consts::PI * hz * i as f32 / rate as f32).sin())
        .collect()
}

fn streamed(samples: &[f32], from: u32, pieces: &[usize]) -> Vec<f32> {
    let mut resampler = StreamResampler::new(from, 16_000).expect("resampler");
    let mut out = Vec::new();
    let mut at = 0;
    for &size in pieces.iter().cycle() {
        if at >= samples.len() {
            break;
        }
        let end = (at + size).min(samples.len());
        out.extend(resampler.push(&samples[at..end]).expect("push"));
        at = end;
    }
    out.extend(resampler.finish().expect("finish"));
    out
}

#[wasm_bindgen_test(unsupported = test)]
fn pieces_of_any_size_give_the_same_audio_as_the_whole_clip() {
    for from in [48_000, 44_100, 22_050, 8_000] {
        let input = tone(from, 1.5, 440.0);
        let whole = resample(&input, from, 16_000).expect("whole");
        // A worklet's 128-frame quanta, odd sizes, and large buffers.
        let out = streamed(&input, from, &[128, 77, 4096, 1, 1000]);
        let expected = (input.len() as f64 * 16_000.0 / f64::from(from)).round() as usize;
        assert!(
            out.len().abs_diff(expected) <= 1100 * 16_000 / from as usize + 1,
            "{from} Hz: {} samples out, expected about {expected}",
            out.len()
        );
        // Away from the ends, sample for sample the same signal (same phase: no delay added).
        let worst = (800..expected - 800)
            .map(|i| (out[i] - whole[i]).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 2e-3, "{from} Hz: streamed differs by {worst}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn equal_rates_pass_through_and_zero_rates_are_refused() {
    let input = tone(16_000, 0.1, 300.0);
    assert_eq!(streamed(&input, 16_000, &[100]), input);
    assert!(StreamResampler::new(0, 16_000).is_err());
}
