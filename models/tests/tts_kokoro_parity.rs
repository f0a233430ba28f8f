//! Kokoro-82M in Candle against onnxruntime on the same ONNX (`kokoro-v1.0.int8.onnx`), ids,
//! voices and speeds: frames per phoneme, the F0 curve and the audio's log-mel spectrogram.
//! The fixtures and the script that made them are in tests/fixtures/tts/kokoro/.
//!
//! onnxruntime runs the int8 graph with activations quantized on the fly to uint8; Candle runs
//! the same dequantized weights in f32, so the two differ by that activation rounding, not by
//! the model (the bounds below say how much).

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use models::tts::kokoro::{Kokoro, KokoroVoice};
use realfft::RealFftPlanner;
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    voice: String,
    speed: f32,
    ids: Vec<u32>,
    durations: Vec<usize>,
    f0: Vec<f32>,
}

fn models_dir() -> PathBuf {
    std::env::var_os("LANTERN_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/models"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tts/kokoro")
}

fn read_wav(path: &Path) -> Vec<f32> {
    let mut reader = hound::WavReader::open(path).expect("fixture WAV opens");
    reader
        .samples::<i16>()
        .map(|s| s.expect("sample") as f32 / 32768.0)
        .collect()
}

/// Pearson correlation of the overlapping parts.
fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mean = |x: &[f32]| x.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (x as f64 - ma, y as f64 - mb);
        cov += dx * dy;
        va += dx * dx;
        vb += dy * dy;
    }
    cov / (va * vb).sqrt().max(1e-12)
}

/// log10 mel power, 80 bands over 0-8 kHz, 1024-sample Hann frames every 256 samples, floored
/// at 1e-5 (the usual vocoder-evaluation setting), as `[frames][80]`.
fn log_mel(pcm: &[f32], sample_rate: f32) -> Vec<Vec<f32>> {
    const N_FFT: usize = 1024;
    const HOP: usize = 256;
    const BANDS: usize = 80;
    let hz_to_mel = |hz: f32| 2595.0 * (1.0 + hz / 700.0).log10();
    let mel_to_hz = |mel: f32| 700.0 * (10f32.powf(mel / 2595.0) - 1.0);
    let bins = N_FFT / 2 + 1;
    let edges: Vec<f32> = (0..BANDS + 2)
        .map(|i| mel_to_hz(hz_to_mel(8000.0) * i as f32 / (BANDS + 1) as f32))
        .collect();
    let filters: Vec<Vec<f32>> = (0..BANDS)
        .map(|b| {
            (0..bins)
                .map(|k| {
                    let hz = k as f32 * sample_rate / N_FFT as f32;
                    let up = (hz - edges[b]) / (edges[b + 1] - edges[b]);
                    let down = (edges[b + 2] - hz) / (edges[b + 2] - edges[b + 1]);
                    up.min(down).max(0.0)
                })
                .collect()
        })
        .collect();
    let window: Vec<f32> = (0..N_FFT)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / N_FFT as f32).cos())
        .collect();
    let fft = RealFftPlanner::<f32>::new().plan_fft_forward(N_FFT);
    let mut spectrum = fft.make_output_vec();
    let mut frames = Vec::new();
    let mut start = 0;
    while start + N_FFT <= pcm.len() {
        let mut frame: Vec<f32> = pcm[start..start + N_FFT]
            .iter()
            .zip(&window)
            .map(|(s, w)| s * w)
            .collect();
        fft.process(&mut frame, &mut spectrum).expect("fft");
        let power: Vec<f32> = spectrum.iter().map(|c| c.norm_sqr()).collect();
        frames.push(
            filters
                .iter()
                .map(|f| {
                    f.iter()
                        .zip(&power)
                        .map(|(a, p)| a * p)
                        .sum::<f32>()
                        .max(1e-5)
                        .log10()
                })
                .collect(),
        );
        start += HOP;
    }
    frames
}

/// Mean absolute difference of two log-mel spectrograms over their common frames.
fn log_mel_distance(a: &[f32], b: &[f32]) -> f64 {
    let (ma, mb) = (log_mel(a, 24_000.0), log_mel(b, 24_000.0));
    let n = ma.len().min(mb.len());
    let mut sum = 0.0;
    for (fa, fb) in ma[..n].iter().zip(&mb[..n]) {
        for (x, y) in fa.iter().zip(fb) {
            sum += (x - y).abs() as f64;
        }
    }
    sum / (n * 80).max(1) as f64
}

#[test]
fn kokoro_refuses_bad_input_with_a_reason() {
    let dir = models_dir().join("kokoro-82m-v1.0-int8");
    let (Ok(onnx), Ok(voice)) = (
        std::fs::read(dir.join("model.onnx")),
        std::fs::read(dir.join("voices/af_heart.bin")),
    ) else {
        println!(
            "SKIPPED kokoro_refuses_bad_input_with_a_reason: no {}",
            dir.display()
        );
        return;
    };
    let model = Kokoro::from_onnx(&onnx).expect("the ONNX loads");
    let voice = KokoroVoice::from_bytes(&voice).expect("voice loads");
    let error = |result: models::Result<models::tts::kokoro::KokoroSpeech>| match result {
        Err(e) => e.to_string(),
        Ok(_) => panic!("bad input was spoken"),
    };
    assert!(error(model.synthesize(&[], &voice, 1.0)).contains("no phonemes"));
    assert!(error(model.synthesize(&[50; 511], &voice, 1.0)).contains("at most 510"));
    assert!(error(model.synthesize(&[50, 9999], &voice, 1.0)).contains("9999"));
    assert!(error(model.synthesize(&[50], &voice, 0.0)).contains("speed"));
    assert!(error(model.synthesize_with_durations(&[50], &voice, &[1, 2])).contains("durations"));
    // Long input is cut into passes that each fit.
    let ids: Vec<u32> = (0..700)
        .map(|i| if i % 50 == 49 { 4 } else { 50 })
        .collect();
    let passes = models::tts::kokoro::split_ids(&ids, &[4], Kokoro::MAX_IDS);
    assert!(
        passes
            .iter()
            .all(|p| p.len() <= Kokoro::MAX_IDS && p.last() == Some(&4))
    );
    assert_eq!(passes.iter().map(|p| p.len()).sum::<usize>(), 700);
}

#[test]
fn kokoro_matches_onnxruntime() {
    let dir = models_dir().join("kokoro-82m-v1.0-int8");
    let Ok(onnx) = std::fs::read(dir.join("model.onnx")) else {
        println!(
            "SKIPPED kokoro_matches_onnxruntime: no {} (run `cargo xtask fetch-models`)",
            dir.join("model.onnx").display()
        );
        return;
    };
    let model = Kokoro::from_onnx(&onnx).expect("the ONNX loads");
    let fixture: Fixture = serde_json::from_slice(
        &std::fs::read(fixtures().join("cases.json")).expect("fixture is readable"),
    )
    .expect("fixture parses");
    for case in &fixture.cases {
        let voice_bytes = std::fs::read(dir.join("voices").join(format!("{}.bin", case.voice)))
            .expect("the mirror has the voice");
        let voice = KokoroVoice::from_bytes(&voice_bytes).expect("voice loads");
        let speech = model
            .synthesize(&case.ids, &voice, case.speed)
            .expect("synthesis runs");

        assert_eq!(
            speech.durations.len(),
            case.durations.len(),
            "{}",
            case.name
        );
        let worst = speech
            .durations
            .iter()
            .zip(&case.durations)
            .map(|(&a, &b)| a.abs_diff(b))
            .max()
            .unwrap_or(0);
        let differing = speech
            .durations
            .iter()
            .zip(&case.durations)
            .filter(|(a, b)| a != b)
            .count();
        let predicted_frames = speech.durations.iter().sum::<usize>();
        // F0 and audio on onnxruntime's alignment: a phoneme one frame longer would shift
        // everything after it.
        let aligned = model
            .synthesize_with_durations(&case.ids, &voice, &case.durations)
            .expect("synthesis on given durations runs");
        let speech = aligned;
        let f0_corr = correlation(&speech.f0, &case.f0);
        let reference = read_wav(&fixtures().join(format!("{}.wav", case.name)));
        let mel = log_mel_distance(&speech.pcm, &reference);
        let silence = vec![0f32; reference.len()];
        let mel_vs_silence = log_mel_distance(&silence, &reference);
        let wave_corr = correlation(&speech.pcm, &reference);
        println!(
            "{}: {} ids, frames {predicted_frames} vs {} (onnxruntime), {differing} phonemes \
             differ (worst {worst}); on onnxruntime's durations: F0 correlation {f0_corr:.4}, \
             log-mel L1 {mel:.3} (silence: {mel_vs_silence:.3}), waveform correlation {wave_corr:.3}",
            case.name,
            case.ids.len(),
            case.durations.iter().sum::<usize>(),
        );
        assert!(
            worst <= 1,
            "{}: a duration is off by {worst} frames",
            case.name
        );
        assert!(f0_corr >= 0.98, "{}: F0 correlation {f0_corr}", case.name);
        assert!(mel < 0.35, "{}: log-mel distance {mel}", case.name);
    }
}
