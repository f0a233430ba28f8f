//! Voice activity detection: Silero's frame probabilities against onnxruntime running the
//! upstream ONNX file, speech boundaries on silence + speech + silence, the segmenter's rules,
//! and the energy fallback.

// Native only: these read fixtures and model files from disk.
#![cfg(not(target_arch = "wasm32"))]

mod speech_support;

use models::vad::{
    self, EnergyVad, FrameScorer, Segmenter, SileroVad, SpeechSegment, VadEvent, VadOptions,
    VoiceDetector,
};
use serde::Deserialize;
use speech_support::{SILERO, clips, fixture_wav, fixtures, model_file, noise, tone};

fn silero(test: &str) -> Option<SileroVad> {
    let path = model_file(test, SILERO)?;
    Some(SileroVad::from_safetensors(&std::fs::read(path).expect("read")).expect("loads"))
}

#[derive(Deserialize)]
struct OnnxProbs {
    file: String,
    probs: Vec<f32>,
}

#[test]
fn silero_probabilities_match_onnxruntime() {
    let Some(mut vad) = silero("silero_probabilities_match_onnxruntime") else {
        return;
    };
    let references: Vec<OnnxProbs> = serde_json::from_slice(
        &std::fs::read(fixtures().join("vad_onnx_probs.json")).expect("json"),
    )
    .expect("parses");
    let mut worst = 0f32;
    let mut frames = 0;
    for reference in &references {
        let probs =
            vad::frame_probabilities(&mut vad, &fixture_wav(&reference.file)).expect("runs");
        assert_eq!(probs.len(), reference.probs.len(), "{}", reference.file);
        let diff = probs
            .iter()
            .zip(&reference.probs)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        println!(
            "silero vs onnxruntime {}: {} frames, max abs diff {diff:.2e}",
            reference.file,
            probs.len()
        );
        worst = worst.max(diff);
        frames += probs.len();
    }
    println!("silero vs onnxruntime: {frames} frames, max abs diff {worst:.2e}");
    assert!(worst < 1e-3, "max abs diff {worst}");
}

/// `lead` s of quiet noise, the clip, `tail` s of quiet noise; returns the audio and the true
/// speech bounds (s).
fn embed(clip: &speech_support::Clip, lead: f64, tail: f64, seed: u64) -> (Vec<f32>, f64, f64) {
    let speech = fixture_wav(&clip.file);
    let lead_n = (lead * 16_000.0) as usize;
    let total = lead_n + speech.len() + (tail * 16_000.0) as usize;
    // -66 dBFS room noise, so "silence" is not digital zero.
    let mut audio = noise(total, 0.0005, seed);
    for (a, s) in audio[lead_n..].iter_mut().zip(&speech) {
        *a += s;
    }
    (audio, lead + clip.speech_start, lead + clip.speech_end)
}

#[test]
fn silero_finds_speech_within_150_ms_of_the_truth() {
    let Some(mut vad) = silero("silero_finds_speech_within_150_ms_of_the_truth") else {
        return;
    };
    let mut worst = 0f64;
    let mut count = 0;
    for (i, clip) in clips().iter().enumerate() {
        let lead = 0.7 + 0.1 * (i % 5) as f64;
        let (audio, start, end) = embed(clip, lead, 1.2, i as u64 + 1);
        let segments = vad::detect_speech(&mut vad, &audio, VadOptions::default()).expect("runs");
        // Pauses inside a sentence may split it; the speech spans from the first start to the last end.
        let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
            panic!("{}: no speech found", clip.file);
        };
        let (start_err, end_err) = (
            (first.start_seconds() - start).abs(),
            (last.end_seconds() - end).abs(),
        );
        println!(
            "vad {}: truth {start:.3}-{end:.3}, found {:.3}-{:.3} in {} segment(s), errors {:.0}/{:.0} ms",
            clip.file,
            first.start_seconds(),
            last.end_seconds(),
            segments.len(),
            start_err * 1000.0,
            end_err * 1000.0
        );
        worst = worst.max(start_err).max(end_err);
        count += 1;
    }
    println!(
        "vad boundaries: {count} clips, worst error {:.0} ms",
        worst * 1000.0
    );
    assert!(worst <= 0.150, "worst boundary error {worst:.3} s");
}

#[test]
fn streaming_detection_matches_whole_clip_detection() {
    let Some(vad_model) = silero("streaming_detection_matches_whole_clip_detection") else {
        return;
    };
    let clips = clips();
    let (mut audio, _, _) = embed(&clips[3], 1.0, 0.8, 3);
    let (second, _, _) = embed(&clips[8], 0.5, 1.0, 4);
    audio.extend(second);
    let mut whole = SileroVad::from_safetensors(
        &std::fs::read(model_file("", SILERO).expect("present")).expect("read"),
    )
    .expect("loads");
    let expected = vad::detect_speech(&mut whole, &audio, VadOptions::default()).expect("runs");
    let mut detector = VoiceDetector::new(Box::new(vad_model), VadOptions::default());
    let mut events = Vec::new();
    // Odd-sized pieces, like an audio worklet's buffers.
    for piece in audio.chunks(1237) {
        events.extend(detector.push(piece).expect("push"));
    }
    events.extend(detector.finish().expect("finish"));
    let streamed: Vec<SpeechSegment> = events
        .iter()
        .filter_map(|e| match e {
            VadEvent::Speech(s) => Some(*s),
            _ => None,
        })
        .collect();
    assert_eq!(streamed, expected);
    assert!(expected.len() >= 2, "{expected:?}");
    // Every confirmed segment was announced by a start at the same place.
    for segment in &streamed {
        assert!(
            events.contains(&VadEvent::Started {
                start: segment.start
            }),
            "{events:?}"
        );
    }
}

#[test]
fn silero_hears_no_speech_in_silence_noise_or_a_tone() {
    let Some(mut vad) = silero("silero_hears_no_speech_in_silence_noise_or_a_tone") else {
        return;
    };
    for (name, audio) in [
        ("silence", vec![0.0; 48_000]),
        ("noise", noise(48_000, 0.1, 9)),
        ("tone", tone(48_000, 440.0, 0.3)),
    ] {
        let segments = vad::detect_speech(&mut vad, &audio, VadOptions::default()).expect("runs");
        assert!(segments.is_empty(), "{name}: {segments:?}");
    }
}

/// Feeds probabilities, one per 512-sample frame, and collects the finished segments (ms).
fn segment(probs: &[f32], options: VadOptions) -> Vec<(usize, usize)> {
    let mut segmenter = Segmenter::new(options);
    let mut out = Vec::new();
    let mut changes: Vec<_> = probs.iter().filter_map(|&p| segmenter.push(p)).collect();
    changes.extend(segmenter.finish(probs.len() * 512));
    for change in changes {
        if let vad::Change::Ended(s) = change {
            out.push((s.start * 1000 / 16_000, s.end * 1000 / 16_000));
        }
    }
    out
}

#[test]
fn segmenter_follows_silero_rules() {
    let options = VadOptions::default();
    let frames = |pattern: &[(f32, usize)]| -> Vec<f32> {
        pattern
            .iter()
            .flat_map(|&(p, n)| std::iter::repeat_n(p, n))
            .collect()
    };
    // 10 frames of silence, 20 of speech (640 ms), 20 of silence: start padded by 30 ms, end
    // padded by 30 ms after the first silent frame.
    assert_eq!(
        segment(&frames(&[(0.0, 10), (0.9, 20), (0.0, 20)]), options),
        [(290, 990)]
    );
    // Too short (5 frames = 160 ms < 250 ms): dropped.
    assert!(segment(&frames(&[(0.0, 10), (0.9, 5), (0.0, 20)]), options).is_empty());
    // A 2-frame dip (64 ms < 100 ms min silence) does not split; a 6-frame one does.
    assert_eq!(
        segment(
            &frames(&[(0.9, 10), (0.1, 2), (0.9, 10), (0.0, 10)]),
            options
        )
        .len(),
        1
    );
    assert_eq!(
        segment(
            &frames(&[(0.9, 10), (0.1, 6), (0.9, 10), (0.0, 10)]),
            options
        )
        .len(),
        2
    );
    // Hysteresis: 0.4 is below the threshold but above threshold - 0.15, so speech goes on.
    assert_eq!(
        segment(
            &frames(&[(0.9, 10), (0.4, 10), (0.9, 10), (0.0, 10)]),
            options
        )
        .len(),
        1
    );
    // Speech still open at the end closes at the end of the audio, unpadded.
    assert_eq!(
        segment(&frames(&[(0.0, 10), (0.9, 20)]), options),
        [(290, 960)]
    );
}

#[test]
fn energy_detector_finds_loud_stretches_and_ignores_steady_sound() {
    let mut energy = EnergyVad::new();
    let mut audio = noise(16_000, 0.0005, 1);
    let burst: Vec<f32> = noise(16_000, 0.3, 2)
        .iter()
        .enumerate()
        // syllable-like bursts, 4 per second
        .map(|(i, x)| {
            x * (std::f32::consts::PI * 4.0 * i as f32 / 16_000.0)
                .sin()
                .abs()
        })
        .collect();
    audio.extend(&burst);
    audio.extend(noise(16_000, 0.0005, 3));
    let segments = vad::detect_speech(&mut energy, &audio, VadOptions::default()).expect("runs");
    assert_eq!(segments.len(), 1, "{segments:?}");
    assert!(
        (segments[0].start_seconds() - 1.0).abs() < 0.15,
        "{segments:?}"
    );
    assert!(
        (segments[0].end_seconds() - 2.0).abs() < 0.2,
        "{segments:?}"
    );
    for (name, steady) in [
        ("tone", tone(48_000, 440.0, 0.3)),
        ("noise", noise(48_000, 0.1, 4)),
    ] {
        let segments =
            vad::detect_speech(&mut energy, &steady, VadOptions::default()).expect("runs");
        assert!(segments.is_empty(), "{name}: {segments:?}");
    }
    assert_eq!(energy.score(&[0.0; 512]).expect("scores"), 0.0);
}

#[test]
fn utterances_carry_the_samples_of_each_segment() {
    let Some(vad_model) = silero("utterances_carry_the_samples_of_each_segment") else {
        return;
    };
    let clips = clips();
    let (mut audio, _, _) = embed(&clips[4], 1.5, 1.0, 5);
    let (second, _, _) = embed(&clips[10], 0.8, 1.5, 6);
    audio.extend(second);
    let mut utterances = vad::Utterances::new(Box::new(vad_model), VadOptions::default());
    let mut heard = Vec::new();
    for piece in audio.chunks(777) {
        heard.extend(utterances.push(piece).expect("push"));
    }
    heard.extend(utterances.finish().expect("finish"));
    let got: Vec<&vad::Utterance> = heard
        .iter()
        .filter_map(|h| match h {
            vad::Heard::Utterance(u) => Some(u),
            _ => None,
        })
        .collect();
    assert!(
        got.len() >= 2,
        "{:?}",
        got.iter().map(|u| u.segment).collect::<Vec<_>>()
    );
    for u in got {
        assert_eq!(u.samples.as_slice(), &audio[u.segment.start..u.segment.end]);
    }
}
