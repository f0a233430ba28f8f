//! Whisper on real weights (tiny.en and base, converted from the CTranslate2 packages): word
//! error rate on the committed TTS clips, long audio in windows, nothing invented on silence,
//! noise or a tone, language detection, and a quantized GGUF of the same model.

// Native only: these read fixtures and model files from disk.
#![cfg(not(target_arch = "wasm32"))]

mod speech_support;

use std::ops::ControlFlow;
use std::path::PathBuf;

use models::vad::{self, SileroVad, VadOptions};
use models::whisper::{Progress, Task, TranscribeOptions, Whisper};
use speech_support::{
    MEL_FILTERS, SILERO, WHISPER_BASE, WHISPER_TINY_EN, clips, fixture_wav, model_file, noise,
    normalize, tone, word_errors,
};

fn load(test: &str, model: &str) -> Option<Whisper> {
    let dir = model_file(test, &[&format!("{model}/model.safetensors")])?;
    let filters = model_file(test, MEL_FILTERS)?;
    let dir = dir.parent().map(PathBuf::from).expect("model dir");
    Some(Whisper::from_path(&dir, &filters).expect("loads"))
}

/// Silero when its weights are present (the pipeline the CLI runs); otherwise no gating.
fn speech_regions(samples: &[f32]) -> Option<Vec<vad::SpeechSegment>> {
    let path = model_file("(VAD gating)", SILERO)?;
    let mut silero = SileroVad::from_safetensors(&std::fs::read(path).ok()?).ok()?;
    vad::detect_speech(&mut silero, samples, VadOptions::default()).ok()
}

fn transcribe(whisper: &mut Whisper, samples: &[f32], options: TranscribeOptions) -> String {
    whisper
        .transcribe(samples, options, &mut |_| ControlFlow::Continue(()))
        .expect("transcribes")
        .text
}

/// Transcribes every committed clip and returns the corpus word error rate.
fn corpus_wer(model: &str, whisper: &mut Whisper) -> f64 {
    let (mut errors, mut words, mut seconds, mut elapsed) = (0, 0, 0.0, 0.0);
    let clips = clips();
    for clip in &clips {
        let samples = fixture_wav(&clip.file);
        let options = TranscribeOptions {
            language: Some("en".into()),
            speech: speech_regions(&samples),
            ..Default::default()
        };
        let started = std::time::Instant::now();
        let text = transcribe(whisper, &samples, options);
        elapsed += started.elapsed().as_secs_f64();
        seconds += samples.len() as f64 / 16_000.0;
        let (reference, hypothesis) = (normalize(&clip.text), normalize(&text));
        let e = word_errors(&reference, &hypothesis);
        println!("{model} {} [{e}/{}] {text}", clip.file, reference.len());
        errors += e;
        words += reference.len();
    }
    let wer = errors as f64 / words as f64;
    println!(
        "{model}: WER {:.1}% ({errors} errors / {words} words, {} clips), real-time factor {:.3}",
        wer * 100.0,
        clips.len(),
        elapsed / seconds
    );
    assert!(clips.len() >= 20);
    wer
}

#[test]
fn tiny_en_word_error_rate_is_at_most_20_percent() {
    let Some(mut whisper) = load("tiny_en_word_error_rate", WHISPER_TINY_EN) else {
        return;
    };
    assert!(!whisper.is_multilingual());
    let wer = corpus_wer(WHISPER_TINY_EN, &mut whisper);
    assert!(wer <= 0.20, "WER {wer}");
}

#[test]
fn base_word_error_rate_is_at_most_10_percent() {
    let Some(mut whisper) = load("base_word_error_rate", WHISPER_BASE) else {
        return;
    };
    assert!(whisper.is_multilingual());
    let wer = corpus_wer(WHISPER_BASE, &mut whisper);
    assert!(wer <= 0.10, "WER {wer}");
}

#[test]
fn audio_longer_than_30_seconds_is_windowed_and_stitched() {
    let Some(mut whisper) = load("audio_longer_than_30_seconds", WHISPER_TINY_EN) else {
        return;
    };
    let clips = clips();
    let mut samples = Vec::new();
    let mut reference = String::new();
    for clip in clips.iter().take(13) {
        samples.extend(fixture_wav(&clip.file));
        samples.extend(noise(8_000, 0.0005, samples.len() as u64));
        reference.push_str(&clip.text);
        reference.push(' ');
    }
    let duration = samples.len() as f64 / 16_000.0;
    assert!(duration > 40.0, "{duration}");
    let (mut partials, mut announced) = (0, 0);
    // Stepped window by window, as a worker drives it between messages.
    let mut transcription = whisper
        .start(&samples, TranscribeOptions::default())
        .expect("starts");
    let (mut windows, mut progress) = (0, 0.0);
    let mut on_progress = |p: Progress| {
        match p {
            Progress::Partial { .. } => partials += 1,
            Progress::Segment(_) => announced += 1,
        }
        ControlFlow::Continue(())
    };
    loop {
        let more = transcription
            .step(&mut whisper, &mut on_progress)
            .expect("steps");
        windows += 1;
        assert!(transcription.progress() > progress, "progress moves on");
        progress = transcription.progress();
        if !more {
            break;
        }
    }
    assert!(
        windows >= 2 && progress == 1.0,
        "{windows} windows, progress {progress}"
    );
    let transcript = transcription.finish();
    let (reference, hypothesis) = (normalize(&reference), normalize(&transcript.text));
    let wer = word_errors(&reference, &hypothesis) as f64 / reference.len() as f64;
    println!(
        "long audio ({duration:.1} s): {} segments, WER {:.1}%: {}",
        transcript.segments.len(),
        wer * 100.0,
        transcript.text
    );
    for s in &transcript.segments {
        println!("  [{:6.2} -> {:6.2}] {}", s.start, s.end, s.text);
    }
    assert!(wer <= 0.20, "WER {wer}");
    assert!(partials > 0 && announced == transcript.segments.len());
    // Segments are in order, inside the audio, and the last one is past the first window.
    for pair in transcript.segments.windows(2) {
        assert!(
            pair[0].start <= pair[1].start && pair[0].end <= pair[1].start + 0.5,
            "{pair:?}"
        );
    }
    let last = transcript.segments.last().expect("segments");
    assert!(last.end > 35.0 && last.end <= duration + 0.5, "{last:?}");
}

#[test]
fn silence_noise_and_a_tone_give_no_text() {
    for model in [WHISPER_TINY_EN, WHISPER_BASE] {
        let Some(mut whisper) = load("silence_noise_and_a_tone_give_no_text", model) else {
            return;
        };
        for (name, samples) in [
            ("silence", vec![0.0; 5 * 16_000]),
            ("noise", noise(5 * 16_000, 0.05, 11)),
            ("tone", tone(5 * 16_000, 440.0, 0.3)),
        ] {
            let gated = TranscribeOptions {
                speech: speech_regions(&samples),
                ..Default::default()
            };
            let text = transcribe(&mut whisper, &samples, gated);
            println!("{model} {name} (default pipeline): {text:?}");
            assert_eq!(text, "", "{model} {name}");
            let whisper_only = transcribe(&mut whisper, &samples, TranscribeOptions::default());
            println!("{model} {name} (no VAD, no-speech probability only): {whisper_only:?}");
            assert_eq!(whisper_only, "", "{model} {name} without VAD");
        }
    }
}

#[test]
fn base_detects_english_and_translates() {
    let Some(mut whisper) = load("base_detects_english_and_translates", WHISPER_BASE) else {
        return;
    };
    let clip = &clips()[6];
    let samples = fixture_wav(&clip.file);
    let languages = whisper.detect_language(&samples).expect("detects");
    println!("language probabilities: {:?}", &languages[..3]);
    assert_eq!(languages[0].0, "en");
    let transcript = whisper
        .transcribe(&samples, TranscribeOptions::default(), &mut |_| {
            ControlFlow::Continue(())
        })
        .expect("transcribes");
    assert_eq!(transcript.language, "en");
    let translated = transcribe(
        &mut whisper,
        &samples,
        TranscribeOptions {
            task: Task::Translate,
            ..Default::default()
        },
    );
    println!("translate (en -> en): {translated}");
    let (reference, hypothesis) = (normalize(&clip.text), normalize(&translated));
    assert!(
        word_errors(&reference, &hypothesis) * 4 <= reference.len(),
        "{translated}"
    );
    let error = whisper
        .start(
            &samples,
            TranscribeOptions {
                language: Some("xx".into()),
                ..Default::default()
            },
        )
        .err()
        .expect("unknown language");
    assert!(error.to_string().contains("xx"), "{error}");
}

#[test]
fn english_only_model_refuses_translation_and_other_languages() {
    let Some(mut whisper) = load("english_only_model_refuses_translation", WHISPER_TINY_EN) else {
        return;
    };
    let samples = vec![0.0; 16_000];
    let translate = TranscribeOptions {
        task: Task::Translate,
        ..Default::default()
    };
    assert!(whisper.start(&samples, translate).is_err());
    let german = TranscribeOptions {
        language: Some("de".into()),
        ..Default::default()
    };
    assert!(whisper.start(&samples, german).is_err());
    assert_eq!(whisper.detect_language(&samples).expect("en")[0].0, "en");
}

#[test]
fn cancelling_from_the_progress_callback_stops_decoding() {
    let Some(mut whisper) = load("cancelling_from_the_progress_callback", WHISPER_TINY_EN) else {
        return;
    };
    let samples = fixture_wav(&clips()[0].file);
    let mut tokens = 0;
    let result = whisper.transcribe(&samples, TranscribeOptions::default(), &mut |progress| {
        if let Progress::Partial { .. } = progress {
            tokens += 1;
        }
        if tokens == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert!(
        matches!(result, Err(models::ModelError::Cancelled)),
        "{result:?}"
    );
    assert_eq!(tokens, 3);
}

/// Writes tiny.en as a GGUF: 2-D weights whose rows are whole Q8_0 blocks quantized, the rest
/// (convolutions, norms, biases) kept as f32, names unchanged.
fn write_q8_gguf(dir: &std::path::Path, out: &std::path::Path) {
    use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
    let tensors =
        candle_core::safetensors::load(dir.join("model.safetensors"), &candle_core::Device::Cpu)
            .expect("safetensors");
    let mut names: Vec<&String> = tensors.keys().collect();
    names.sort();
    let quantized: Vec<(String, QTensor)> = names
        .into_iter()
        .map(|name| {
            let t = tensors[name]
                .to_dtype(candle_core::DType::F32)
                .expect("f32");
            let dtype = if t.rank() == 2 && t.dim(1).expect("dim").is_multiple_of(32) {
                GgmlDType::Q8_0
            } else {
                GgmlDType::F32
            };
            (
                name.clone(),
                QTensor::quantize(&t, dtype).expect("quantizes"),
            )
        })
        .collect();
    let refs: Vec<(&str, &QTensor)> = quantized.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let mut file = std::fs::File::create(out.join("model-q8_0.gguf")).expect("create");
    gguf_file::write(&mut file, &[], &refs).expect("writes");
    for name in ["config.json", "tokenizer.json"] {
        std::fs::copy(dir.join(name), out.join(name)).expect("copy");
    }
}

#[test]
fn quantized_gguf_transcribes_like_the_safetensors_model() {
    let test = "quantized_gguf_transcribes";
    let (Some(weights), Some(filters)) = (
        model_file(test, &[&format!("{WHISPER_TINY_EN}/model.safetensors")]),
        model_file(test, MEL_FILTERS),
    ) else {
        return;
    };
    let out = std::env::temp_dir().join(format!("lantern-whisper-gguf-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("temp dir");
    write_q8_gguf(weights.parent().expect("dir"), &out);
    let mut whisper =
        Whisper::from_path(&out.join("model-q8_0.gguf"), &filters).expect("loads gguf");
    let (mut errors, mut words) = (0, 0);
    for clip in clips().iter().take(6) {
        let text = transcribe(
            &mut whisper,
            &fixture_wav(&clip.file),
            TranscribeOptions::default(),
        );
        let (reference, hypothesis) = (normalize(&clip.text), normalize(&text));
        println!("q8_0 {}: {text}", clip.file);
        errors += word_errors(&reference, &hypothesis);
        words += reference.len();
    }
    std::fs::remove_dir_all(&out).ok();
    println!(
        "tiny.en q8_0 gguf: WER {:.1}% over 6 clips",
        100.0 * errors as f64 / words as f64
    );
    assert!(errors * 5 <= words, "{errors} errors in {words} words");
}

#[test]
fn normalization_agrees_on_spelling_of_numbers_and_money() {
    assert_eq!(
        normalize("She paid $25."),
        normalize("she paid twenty-five dollars")
    );
    assert_eq!(
        normalize("At 7, Dr. Smith"),
        normalize("at seven doctor smith")
    );
    assert_eq!(normalize("100 degrees"), normalize("one hundred degrees"));
    assert_eq!(normalize("1,000 o'clock"), normalize("one thousand oclock"));
    assert_eq!(word_errors(&normalize("a b c d"), &normalize("a x c")), 2);
}
