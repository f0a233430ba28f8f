//! Audio front end: WAV formats, resampling, and log-mel parity with openai-whisper's
//! `log_mel_spectrogram` (reference values from the numpy port in make_speech_fixtures.py).

// Native only: these read fixtures and model files from disk.
#![cfg(not(target_arch = "wasm32"))]

mod speech_support;

use models::audio::{self, MelFilters, log_mel_spectrogram};
use serde::Deserialize;
use speech_support::{MEL_FILTERS, fixture_wav, fixtures, model_file};

fn wav_bytes(spec: hound::WavSpec, frames: usize, sample: impl Fn(usize, u16) -> f64) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    {
        let mut writer = hound::WavWriter::new(&mut bytes, spec).expect("writer");
        for i in 0..frames {
            for ch in 0..spec.channels {
                let x = sample(i, ch);
                match spec.sample_format {
                    hound::SampleFormat::Float => writer.write_sample(x as f32),
                    hound::SampleFormat::Int => {
                        let full = (1i64 << (spec.bits_per_sample - 1)) as f64;
                        let v = (x * full).round().clamp(-full, full - 1.0) as i32;
                        if spec.bits_per_sample == 8 {
                            writer.write_sample(v as i8)
                        } else {
                            writer.write_sample(v)
                        }
                    }
                }
                .expect("write");
            }
        }
        writer.finalize().expect("finalize");
    }
    bytes.into_inner()
}

#[test]
fn decodes_every_pcm_layout_and_mixes_to_mono() {
    let layouts = [
        (8, hound::SampleFormat::Int),
        (16, hound::SampleFormat::Int),
        (24, hound::SampleFormat::Int),
        (32, hound::SampleFormat::Int),
        (32, hound::SampleFormat::Float),
    ];
    for (bits, format) in layouts {
        for channels in [1u16, 2, 6] {
            let spec = hound::WavSpec {
                channels,
                sample_rate: 22_050,
                bits_per_sample: bits,
                sample_format: format,
            };
            // Channel k carries 0.5 * (k + 1) / channels: the mono mix is 0.25 * (channels + 1) / channels.
            let bytes = wav_bytes(spec, 100, |_, ch| {
                0.5 * f64::from(ch + 1) / f64::from(channels)
            });
            let pcm = audio::decode_wav(&bytes).expect("decodes");
            assert_eq!(pcm.sample_rate, 22_050);
            assert_eq!(pcm.samples.len(), 100);
            let want = 0.25 * f32::from(channels + 1) / f32::from(channels);
            let tolerance = if bits == 8 { 0.01 } else { 1e-4 };
            for s in &pcm.samples {
                assert!(
                    (s - want).abs() < tolerance,
                    "{bits}-bit {format:?} x{channels}: {s} vs {want}"
                );
            }
        }
    }
}

#[test]
fn rejects_rates_outside_8_to_96_khz() {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 4_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let error = audio::decode_wav(&wav_bytes(spec, 10, |_, _| 0.0)).expect_err("4 kHz");
    assert!(error.to_string().contains("4000"), "{error}");
    assert!(audio::decode_wav(b"not a wav").is_err());
}

/// The dominant frequency of `x` at 16 kHz, by a coarse DFT scan.
fn peak_hz(x: &[f32]) -> f32 {
    let mut best = (0.0, 0.0f64);
    for hz in (100..4000).step_by(10) {
        let w = 2.0 * std::f64::consts::PI * f64::from(hz) / 16_000.0;
        let (mut re, mut im) = (0.0, 0.0);
        for (i, &s) in x.iter().enumerate() {
            re += f64::from(s) * (w * i as f64).cos();
            im += f64::from(s) * (w * i as f64).sin();
        }
        let power = re * re + im * im;
        if power > best.1 {
            best = (hz as f32, power);
        }
    }
    best.0
}

#[test]
fn resamples_to_16_khz_keeping_pitch_length_and_timing() {
    for rate in [8_000u32, 11_025, 22_050, 44_100, 48_000, 96_000] {
        let seconds = 1.5;
        let n = (f64::from(rate) * seconds) as usize;
        let input: Vec<f32> = (0..n)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / rate as f32).sin())
            .collect();
        let out = audio::resample(&input, rate, 16_000).expect("resamples");
        assert!(
            (out.len() as i64 - 24_000).abs() <= 1,
            "{rate}: {} samples",
            out.len()
        );
        assert_eq!(peak_hz(&out[4000..8000]), 1000.0, "{rate}");
        // The delay is trimmed: the output lines up with a 1 kHz sine made at 16 kHz to within a
        // sample (rubato trims whole output frames of its delay).
        let error_at = |shift: f32| -> f32 {
            (8000..9000)
                .map(|i| {
                    let t = (i as f32 - shift) / 16_000.0;
                    (out[i] - 0.5 * (2.0 * std::f32::consts::PI * 1000.0 * t).sin()).abs()
                })
                .fold(0.0, f32::max)
        };
        let lag = (-20..=20)
            .map(|k| k as f32 / 10.0)
            .min_by(|a, b| error_at(*a).total_cmp(&error_at(*b)))
            .unwrap_or(0.0);
        let err = error_at(lag);
        println!("{rate} Hz: lag {lag:+.1} samples, error {err:.4}");
        assert!(lag.abs() <= 1.0, "{rate}: lag {lag}");
        assert!(err < 0.02, "{rate}: error {err} at lag {lag}");
    }
}

#[derive(Deserialize)]
struct MelReference {
    file: String,
    padding: usize,
    n_mels: usize,
    n_frames: usize,
    max: f32,
    frames: Vec<usize>,
    values: Vec<Vec<f32>>,
}

#[test]
fn log_mel_matches_openai_whisper() {
    let Some(filters_path) = model_file("log_mel_matches_openai_whisper", MEL_FILTERS) else {
        return;
    };
    let npz = std::fs::read(filters_path).expect("mel filters");
    let references: Vec<MelReference> = serde_json::from_slice(
        &std::fs::read(fixtures().join("mel_reference.json")).expect("json"),
    )
    .expect("parses");
    let mut clips = std::collections::BTreeSet::new();
    let mut worst = 0f32;
    for reference in &references {
        let filters = MelFilters::from_bytes(&npz, reference.n_mels).expect("filters");
        let samples = fixture_wav(&reference.file);
        let mel = log_mel_spectrogram(&samples, &filters, reference.padding);
        assert_eq!(mel.n_frames, reference.n_frames, "{}", reference.file);
        let max = mel.data.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut diff = (max - reference.max).abs();
        for (&frame, values) in reference.frames.iter().zip(&reference.values) {
            for (bin, &want) in values.iter().enumerate() {
                diff = diff.max((mel.get(bin, frame) - want).abs());
            }
        }
        println!(
            "mel {} ({} bins, padding {}): max abs diff {diff:.2e}",
            reference.file, reference.n_mels, reference.padding
        );
        worst = worst.max(diff);
        clips.insert(reference.file.clone());
    }
    println!(
        "mel parity: {} clips, {} spectrograms, max abs diff {worst:.2e}",
        clips.len(),
        references.len()
    );
    assert!(clips.len() >= 5);
    // The reference is rounded to 5 decimals.
    assert!(worst < 1e-3, "max abs diff {worst}");
}

#[test]
fn raw_f32_filters_load_like_candle_reads_them() {
    let filters = vec![0.5f32; 80 * 201];
    let bytes: Vec<u8> = filters.iter().flat_map(|f| f.to_le_bytes()).collect();
    let loaded = MelFilters::from_bytes(&bytes, 80).expect("raw f32");
    assert_eq!(loaded.n_mels(), 80);
    assert!(MelFilters::from_bytes(&bytes, 128).is_err());
}
