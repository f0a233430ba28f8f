//! Real-time factor of Kokoro-82M natively (synthesis time over audio time), against
//! onnxruntime on the same ONNX, ids, voice and speed in the same run, interleaved so both see
//! the same machine load, and where the time goes in ours (per op).
//!
//!   cargo run -p models --example kokoro_speed -- [MODEL_DIR] [--threads N] [--reps R]
//!       [--ort PYTHON]   (a Python with onnxruntime and numpy; models/benches/kokoro_onnxruntime.py)
//!
//! MODEL_DIR defaults to target/models/kokoro-82m-v1.0-int8 (`cargo xtask fetch-models`); the
//! voice is af_heart. The dev profile is the fast one natively (`models` at opt-level 3).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use models::tts::kokoro::{Kokoro, KokoroVoice};

/// Phonemes of about 5 seconds (misaki), the length speech out speaks at a time: "This voice,
/// found inside a Python package, speaks on your own computer; isn't that remarkable?"
const PHONEMES: &str = "ðɪs vˈYs, fˈWnd ɪnsˈId ɐ pˈIθɑn pˈækɪʤ, spˈiks ˌɑn jʊɹ ˈOn \
                        kəmpjˈuTəɹ; ˈɪzᵊnt ðæt ɹəmˈɑɹkəbᵊl?";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut dir = PathBuf::from("target/models/kokoro-82m-v1.0-int8");
    let (mut threads, mut reps, mut ort) = (1usize, 3usize, None::<String>);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--threads N")
            }
            "--reps" => reps = args.next().and_then(|v| v.parse().ok()).expect("--reps R"),
            "--ort" => ort = Some(args.next().expect("--ort PYTHON")),
            other => dir = PathBuf::from(other),
        }
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("one rayon pool");
    let onnx_path = dir.join("model.onnx");
    let voice_path = dir.join("voices/af_heart.bin");
    let onnx = std::fs::read(&onnx_path).expect("model.onnx");
    let loading = Instant::now();
    let model = Kokoro::from_onnx(&onnx).expect("model loads");
    println!(
        "load: {:.3} s, weights in f32: {:.0} MB",
        loading.elapsed().as_secs_f64(),
        model.weight_bytes() as f64 / 1e6
    );
    let voice =
        KokoroVoice::from_bytes(&std::fs::read(&voice_path).expect("voice")).expect("voice");
    let vocab_path = dir.join("../g2p-en-us/kokoro_vocab.json");
    let vocab = models::tts::phonemize::kokoro::KokoroVocab::from_json(
        &std::fs::read(&vocab_path).expect("kokoro_vocab.json"),
    )
    .expect("vocab");
    let ids = vocab.ids(PHONEMES);
    let run_ours = || {
        let started = Instant::now();
        let out = model.synthesize(&ids, &voice, 1.0).expect("synthesis");
        (
            started.elapsed().as_secs_f64(),
            out.pcm.len() as f64 / f64::from(Kokoro::SAMPLE_RATE),
        )
    };
    let run_ort = |python: &str| -> (Vec<f64>, f64) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/kokoro_onnxruntime.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(&onnx_path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run onnxruntime");
        let request = serde_json::json!({
            "ids": ids, "threads": threads, "reps": 1, "speed": 1.0, "voice": voice_path,
        });
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(request.to_string().as_bytes())
            .expect("send ids");
        let out = child.wait_with_output().expect("onnxruntime finished");
        let reply: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("onnxruntime's JSON");
        let seconds = reply["seconds"]
            .as_array()
            .expect("seconds")
            .iter()
            .filter_map(|v| v.as_f64())
            .collect();
        (
            seconds,
            reply["audio_seconds"].as_f64().expect("audio_seconds"),
        )
    };
    run_ours();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let (mut audio, mut ort_audio) = (0.0, 0.0);
    for _ in 0..reps {
        let (t, a) = run_ours();
        ours.push(t / a);
        audio = a;
        if let Some(python) = &ort {
            let (t, a) = run_ort(python);
            theirs.extend(t.iter().map(|t| t / a));
            ort_audio = a;
        }
    }
    let ((), profile) = models::profile::record(|| {
        run_ours();
    });
    let ours_rtf = median(ours);
    println!(
        "threads: {threads}, reps: {reps}, {} ids, audio: {audio:.2} s",
        ids.len()
    );
    println!(
        "candle      real-time factor {ours_rtf:.4} ({:.2}x real time)",
        1.0 / ours_rtf
    );
    if !theirs.is_empty() {
        let ort_rtf = median(theirs);
        println!(
            "onnxruntime real-time factor {ort_rtf:.4} ({:.2}x real time, {ort_audio:.2} s)",
            1.0 / ort_rtf
        );
        println!("candle / onnxruntime time: {:.2}", ours_rtf / ort_rtf);
    }
    println!("where the time goes (one run, ms):");
    for op in &profile.ops {
        println!("  {:<26} {:>4} calls {:>9.1} ms", op.op, op.calls, op.ms);
    }
    println!("  {:<26} {:>25.1} ms", "total", profile.total_ms);
}
