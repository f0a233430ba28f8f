//! Real-time factor of a Piper voice natively (synthesis time over audio time), against
//! onnxruntime on the same ONNX and the same phoneme ids in the same run, interleaved so both
//! see the same machine load, and where the time goes in ours (per stage and op).
//!
//!   cargo run -p models --example piper_speed -- [VOICE_DIR] [--threads N] [--reps R]
//!       [--ort PYTHON]   (a Python with onnxruntime and numpy; models/benches/piper_onnxruntime.py)
//!
//! VOICE_DIR defaults to target/models/piper-en_US-joe-medium (`cargo xtask fetch-models`). The
//! dev profile is the fast one natively (`models` and its dependencies at opt-level 3).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use models::tts::piper::{PiperVoice, Rng};

/// A sentence of about 5 seconds (espeak-ng IPA), the length speech out speaks at a time.
const PHONEMES: &str = "ðɪs vˈɔɪs, fˈaʊnd ɪnsˈaɪd ɐ pˈaɪθən pˈækɪdʒ, spˈiːks ˌɔn jʊɹ ˈoʊn \
                        kəmpjˈuːɾɚ; ˌɪzənt ðæt ɹᵻmˈɑːɹkəbəl?";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut voice_dir = PathBuf::from("target/models/piper-en_US-joe-medium");
    let (mut threads, mut reps, mut ort) = (1usize, 5usize, None::<String>);
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
            dir => voice_dir = PathBuf::from(dir),
        }
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("one rayon pool");
    let onnx_path = voice_dir.join("model.onnx");
    let onnx = std::fs::read(&onnx_path).expect("model.onnx");
    let json = std::fs::read(voice_dir.join("model.onnx.json")).expect("model.onnx.json");
    let loading = Instant::now();
    let voice = PiperVoice::from_bytes(&onnx, &json).expect("voice loads");
    println!("load: {:.3} s", loading.elapsed().as_secs_f64());
    let ids = voice.phoneme_ids(PHONEMES).expect("ids");
    let scales = voice.config().inference;
    let run_ours = || {
        let started = Instant::now();
        let out = voice
            .synthesize(&ids, scales, &mut Rng::new(0))
            .expect("synthesis");
        (
            started.elapsed().as_secs_f64(),
            out.samples.len() as f64 / f64::from(voice.sample_rate()),
        )
    };
    let run_ort = |python: &str| -> (Vec<f64>, f64) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/piper_onnxruntime.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(&onnx_path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run onnxruntime");
        let request = serde_json::json!({
            "ids": ids, "threads": threads, "reps": 1,
            "scales": [scales.noise_scale, scales.length_scale, scales.noise_w],
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
    println!("threads: {threads}, reps: {reps}, audio: {audio:.2} s");
    println!(
        "candle      real-time factor {ours_rtf:.4} ({:.1}x faster than real time)",
        1.0 / ours_rtf
    );
    if !theirs.is_empty() {
        let ort_rtf = median(theirs);
        println!(
            "onnxruntime real-time factor {ort_rtf:.4} ({:.1}x faster than real time, {ort_audio:.2} s)",
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
