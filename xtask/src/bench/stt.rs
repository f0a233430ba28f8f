//! `cargo xtask bench stt`: Whisper's real-time factor (seconds of work per second of audio) for
//! tiny.en and base, natively (`lantern transcribe`, our code) and in the browser (Lantern's
//! speech worker, which reports its own timing), in the same run as the whisper.cpp WASM build
//! from npm on the same audio in the same Chromium (`tests/bench/stt.mjs`), each at the same
//! thread counts (one and every core unless asked otherwise). whisper.cpp
//! gets the same weights, converted to its ggml layout under target/bench/stt (never committed).
//! Writes target/bench/stt.json and prints the ratios.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::mirror::{self, convert::ggml_whisper};
use crate::{browser, cmd, dist};

pub const STT_MODELS: [&str; 2] = ["whisper-tiny.en", "whisper-base"];
/// The bench speech: committed fixture clips (three voices), back to back (~10 s).
const CLIPS: [&str; 3] = ["00-piper.wav", "01-en-us.wav", "03-en-gb.wav"];
const RATE: u32 = 16_000;

pub fn stt(runs: u32, threads: &[usize]) -> anyhow::Result<()> {
    let root = cmd::root();
    let mirror = mirror::mirror_dir();
    for id in STT_MODELS
        .iter()
        .chain(&["whisper-assets", "silero-vad-16k"])
    {
        if !mirror.join(id).is_dir() {
            bail!("{id} is not in the mirror: run `cargo xtask fetch-models` first");
        }
    }
    let bench = root.join("target/bench/stt");
    std::fs::create_dir_all(&bench)?;
    let samples = bench_audio(&root)?;
    write_wav(&bench.join("speech.wav"), &samples)?;
    let f32_bytes: Vec<u8> = samples
        .iter()
        .flat_map(|&s| (f32::from(s) / 32768.0).to_le_bytes())
        .collect();
    std::fs::write(bench.join("audio.f32"), f32_bytes)?;
    // The microphone file: the detector must hear the speech start and end.
    let mut padded = vec![0i16; RATE as usize / 2];
    padded.extend(&samples);
    padded.extend(vec![0i16; RATE as usize * 5 / 2]);
    write_wav(&bench.join("microphone.wav"), &padded)?;
    // whisper.cpp's usual f16 files (its WASM build asserts f16 convolution weights); our
    // engine widens the same f16 weights to f32 when it loads them.
    let filters = mirror.join("whisper-assets/mel_filters.npz");
    for id in STT_MODELS {
        let out = bench.join(format!("{id}.ggml"));
        let source = mirror.join(id).join("model.safetensors");
        if !is_newer(&out, &source) {
            eprintln!("bench stt: converting {id} to whisper.cpp's ggml layout");
            ggml_whisper::convert(&mirror.join(id), &filters, &out)?;
        }
    }
    let audio_seconds = samples.len() as f64 / f64::from(RATE);
    let native = native(&root, &mirror, &bench.join("speech.wav"), runs, threads)?;
    let dist = dist::dist(None)?;
    let browser = browser_side(&root, &dist, &bench, runs, threads)?;
    let report = json!({
        "audio_seconds": audio_seconds,
        "runs": runs,
        "threads": threads,
        "whisper_cpp_weights": "ggml f16, converted from the mirror's safetensors",
        "native": native,
        "browser": browser,
    });
    std::fs::write(
        root.join("target/bench/stt.json"),
        serde_json::to_vec_pretty(&report)?,
    )?;
    print_table(&report, threads);
    eprintln!("bench stt: wrote target/bench/stt.json");
    Ok(())
}

/// Our code natively: the release `lantern transcribe` with each thread count's rayon pool,
/// best of `runs`; `{threads: {model: ...}}`.
fn native(
    root: &Path,
    mirror: &Path,
    wav: &Path,
    runs: u32,
    threads: &[usize],
) -> anyhow::Result<Value> {
    cmd::run(cmd::cargo().args(["build", "--release", "--bin", "lantern"]))?;
    let lantern = root.join("target/release/lantern");
    let mut all = serde_json::Map::new();
    for &t in threads {
        all.insert(t.to_string(), native_at(&lantern, mirror, wav, runs, t)?);
    }
    Ok(Value::Object(all))
}

fn native_at(
    lantern: &Path,
    mirror: &Path,
    wav: &Path,
    runs: u32,
    threads: usize,
) -> anyhow::Result<Value> {
    let mut out = serde_json::Map::new();
    for id in STT_MODELS {
        let mut best: Option<Value> = None;
        for _ in 0..runs {
            let text = cmd::output(
                Command::new(lantern)
                    .args(["transcribe", "--no-vad", "--json", "--language", "en"])
                    .arg("--model")
                    .arg(mirror.join(id))
                    .arg("--audio")
                    .arg(wav)
                    .env("RAYON_NUM_THREADS", threads.to_string()),
            )
            .with_context(|| format!("lantern transcribe failed for {id} on {threads} threads"))?;
            let run: Value = serde_json::from_str(&text)?;
            let rtf = |v: &Value| v["real_time_factor"].as_f64().unwrap_or(f64::MAX);
            if best.as_ref().is_none_or(|b| rtf(&run) < rtf(b)) {
                best = Some(run);
            }
        }
        let best = best.context("no native run")?;
        out.insert(
            id.into(),
            json!({"real_time_factor": best["real_time_factor"], "text": best["text"]}),
        );
    }
    Ok(Value::Object(out))
}

fn browser_side(
    root: &Path,
    dist: &Path,
    bench: &Path,
    runs: u32,
    threads: &[usize],
) -> anyhow::Result<Value> {
    if !root.join("node_modules/@transcribe/shout").is_dir() {
        cmd::run(Command::new("npm").arg("ci").current_dir(root))?;
    }
    let script = root.join("tests/bench/stt.mjs");
    eprintln!("$ node {}", script.display());
    let output = Command::new("node")
        .arg(&script)
        .current_dir(root.join("tests"))
        .env("LANTERN_DIST", dist)
        .env("LANTERN_EXTENSION_ID", browser::extension_id()?)
        .env("LANTERN_XTASK", crate::cmd::own_exe()?)
        .env("LANTERN_MODELS_DIR", mirror::mirror_dir())
        .env("LANTERN_BENCH_DIR", bench)
        .env("LANTERN_BENCH_MODELS", STT_MODELS.join(","))
        .env("LANTERN_BENCH_RUNS", runs.to_string())
        .env(
            "LANTERN_BENCH_THREADS",
            threads
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
        .env("CHROME", browser::find_chrome()?)
        .stderr(std::process::Stdio::inherit())
        .output()?;
    if !output.status.success() {
        bail!("the browser bench failed with {}", output.status);
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

fn print_table(report: &Value, threads: &[usize]) {
    println!(
        "\nWhisper real-time factor (lower is faster), {:.1} s of speech, best of {}",
        report["audio_seconds"].as_f64().unwrap_or(0.0),
        report["runs"]
    );
    println!(
        "{:<16} {:>4} {:>8} {:>12} {:>14} {:>22} {:>12}",
        "model",
        "thr",
        "native",
        "ours (wasm)",
        "whisper.cpp",
        "ours/whisper.cpp wasm",
        "wasm/native"
    );
    let rtf = |t: usize, id: &str| {
        let results = &report["browser"]["results"][t.to_string()][id];
        (
            report["native"][t.to_string()][id]["real_time_factor"].as_f64(),
            results["lantern_wasm"]["real_time_factor"].as_f64(),
            results["whisper_cpp_wasm"]["real_time_factor"].as_f64(),
        )
    };
    let show = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "-".into(),
    };
    for id in STT_MODELS {
        for &t in threads {
            let (native, ours, cpp) = rtf(t, id);
            println!(
                "{:<16} {:>4} {:>8} {:>12} {:>14} {:>22} {:>12}",
                id,
                t,
                show(native),
                show(ours),
                show(cpp),
                ratio(ours, cpp),
                ratio(ours, native)
            );
        }
    }
    if let (Some(&one), Some(&most)) = (threads.first(), threads.last())
        && most > one
    {
        println!(
            "\nspeed-up at {most} threads over {one} (real-time factor ratio, higher is better)"
        );
        println!(
            "{:<16} {:>8} {:>12} {:>14}",
            "model", "native", "ours (wasm)", "whisper.cpp"
        );
        for id in STT_MODELS {
            let (n1, o1, c1) = rtf(one, id);
            let (n2, o2, c2) = rtf(most, id);
            println!(
                "{:<16} {:>8} {:>12} {:>14}",
                id,
                ratio(n1, n2),
                ratio(o1, o2),
                ratio(c1, c2)
            );
        }
    }
    for &t in threads {
        for id in STT_MODELS {
            let results = &report["browser"]["results"][t.to_string()][id];
            println!(
                "{id} {t}t native:      {}",
                report["native"][t.to_string()][id]["text"]
            );
            println!("{id} {t}t ours (wasm): {}", results["lantern_wasm"]["text"]);
            println!(
                "{id} {t}t whisper.cpp: {}",
                results["whisper_cpp_wasm"]["text"]
            );
        }
    }
}

/// The bench clips back to back, 16 kHz mono 16-bit.
fn bench_audio(root: &Path) -> anyhow::Result<Vec<i16>> {
    let clips = root.join("models/tests/fixtures/speech/clips");
    let mut samples = Vec::new();
    for clip in CLIPS {
        samples.extend(read_wav(&clips.join(clip))?);
    }
    Ok(samples)
}

/// A 16 kHz mono 16-bit PCM WAV's samples (the fixtures' format).
fn read_wav(path: &Path) -> anyhow::Result<Vec<i16>> {
    let bytes = std::fs::read(path)?;
    if bytes.get(..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        bail!("{} is not a WAV file", path.display());
    }
    let mut at = 12;
    let mut format_ok = false;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into()?) as usize;
        let body = &bytes[at + 8..(at + 8 + size).min(bytes.len())];
        if id == b"fmt " && body.len() >= 16 {
            let channels = u16::from_le_bytes([body[2], body[3]]);
            let rate = u32::from_le_bytes(body[4..8].try_into()?);
            let bits = u16::from_le_bytes([body[14], body[15]]);
            format_ok = channels == 1 && rate == RATE && bits == 16;
        } else if id == b"data" {
            if !format_ok {
                bail!("{} is not 16 kHz mono 16-bit PCM", path.display());
            }
            return Ok(body
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect());
        }
        at += 8 + size + size % 2;
    }
    bail!("{} has no data chunk", path.display())
}

fn write_wav(path: &Path, samples: &[i16]) -> anyhow::Result<()> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend(b"RIFF");
    out.extend((36 + data_len).to_le_bytes());
    out.extend(b"WAVEfmt ");
    out.extend(16u32.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(RATE.to_le_bytes());
    out.extend((RATE * 2).to_le_bytes());
    out.extend(2u16.to_le_bytes());
    out.extend(16u16.to_le_bytes());
    out.extend(b"data");
    out.extend(data_len.to_le_bytes());
    for s in samples {
        out.extend(s.to_le_bytes());
    }
    std::fs::write(path, out)?;
    Ok(())
}

fn is_newer(out: &Path, source: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(out), modified(source)), (Some(o), Some(s)) if o >= s)
}
