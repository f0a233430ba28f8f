//! `cargo xtask bench tts`: each voice's real-time factor (seconds of work per second of audio)
//! and time to first audio, natively (`lantern speak`, our code) and in the browser (Lantern's
//! speech worker through the extension), in the same run as onnxruntime on the same ONNX file
//! and the same phonemes: npm `onnxruntime-node` natively and npm `onnxruntime-web` in the same
//! Chromium, each at the same thread counts. The phonemes are ours (the native run reports them);
//! onnxruntime gets them as ids, so both sides synthesize the same sounds.
//! Writes target/bench/tts.json and prints the ratios.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::{browser, cmd, dist, mirror};

/// The voices measured: (as the CLI names it, the catalog id, its phonemizer).
const VOICES: [(&str, &str); 2] = [
    ("piper:joe", "piper-en_US-joe-medium"),
    ("kokoro:af_heart", "kokoro-82m-v1.0-int8"),
];
/// onnxruntime's npm packages for the bench (pinned in its package.json), relative to the
/// repository.
const ORT_PACKAGE: &str = "tests/bench/onnxruntime";
/// An answer as Lantern would speak it: several sentences, short and long (~20 s of speech).
const TEXT: &str = "Lantern runs every model on your own computer. Nothing you say or type \
    leaves the browser. Ask it to summarize a page, and it reads the text in parts that fit the \
    model. The answer streams into view as it is written, and it can be read aloud. On a laptop \
    from a few years ago, that takes a few seconds.";

pub fn tts(runs: u32, threads: &[usize]) -> anyhow::Result<()> {
    let root = cmd::root();
    let mirror = mirror::mirror_dir();
    for id in VOICES.iter().map(|v| v.1).chain(["g2p-en-us"]) {
        if !mirror.join(id).is_dir() {
            bail!("{id} is not in the mirror: run `cargo xtask fetch-models` first");
        }
    }
    let bench = root.join("target/bench/tts");
    std::fs::create_dir_all(&bench)?;
    let ort = install_onnxruntime(&root)?;
    cmd::run(cmd::cargo().args(["build", "--release", "--bin", "lantern"]))?;
    let lantern = root.join("target/release/lantern");
    let mut native = serde_json::Map::new();
    let mut plan = Vec::new();
    for (voice, id) in VOICES {
        let mut at = serde_json::Map::new();
        for &t in threads {
            at.insert(
                t.to_string(),
                ours_native(&lantern, &bench, voice, runs, t)?,
            );
        }
        let phonemes = phonemes_spoken(&at[&threads[0].to_string()]);
        // As `speak` names a voice: the model id, and for Kokoro its pack after a colon.
        let speak_id = match voice.strip_prefix("kokoro:") {
            Some(pack) => format!("{id}:{pack}"),
            None => id.to_string(),
        };
        plan.push(json!({
            "voice": voice,
            "model_id": id,
            "speak_id": speak_id,
            "folder": mirror.join(id),
            "phonemes": phonemes,
        }));
        native.insert(voice.into(), Value::Object(at));
    }
    let plan_path = bench.join("plan.json");
    std::fs::write(
        &plan_path,
        serde_json::to_vec_pretty(&json!({
            "text": TEXT,
            "voices": plan,
            "runs": runs,
            "threads": threads,
            "g2p": mirror.join("g2p-en-us"),
            "ort": ort,
        }))?,
    )?;
    let ort_native = node(&root, "tts_ort_native.mjs", &plan_path, None)?;
    let dist = dist::dist(None)?;
    let browser_side = node(&root, "tts_browser.mjs", &plan_path, Some(&dist))?;
    let report = json!({
        "text": TEXT,
        "runs": runs,
        "threads": threads,
        "onnxruntime": ort_version(&root),
        "native": {"lantern": native, "onnxruntime": ort_native},
        "browser": browser_side,
    });
    std::fs::write(
        root.join("target/bench/tts.json"),
        serde_json::to_vec_pretty(&report)?,
    )?;
    print_table(&report, threads);
    eprintln!("bench tts: wrote target/bench/tts.json");
    Ok(())
}

/// onnxruntime-node and -web as pinned in tests/bench/onnxruntime, installed there on first use.
/// Without install scripts: onnxruntime-node's only fetches GPU libraries from nuget, which no
/// machine here reaches and the CPU build needs not.
fn install_onnxruntime(root: &Path) -> anyhow::Result<PathBuf> {
    let package = root.join(ORT_PACKAGE);
    let modules = package.join("node_modules");
    if !modules.join("onnxruntime-node").is_dir() || !modules.join("onnxruntime-web").is_dir() {
        cmd::run(
            Command::new("npm")
                .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
                .current_dir(&package),
        )?;
    }
    Ok(modules)
}

/// Our code natively at `threads` (rayon's pool), best of `runs` by real-time factor.
fn ours_native(
    lantern: &Path,
    bench: &Path,
    voice: &str,
    runs: u32,
    threads: usize,
) -> anyhow::Result<Value> {
    let out = bench.join(format!("{}.wav", voice.replace(':', "-")));
    let mut best: Option<Value> = None;
    for _ in 0..runs {
        let text = cmd::output(
            Command::new(lantern)
                .args(["speak", "--json", "--voice", voice, "--text", TEXT, "--out"])
                .arg(&out)
                .env("RAYON_NUM_THREADS", threads.to_string()),
        )
        .with_context(|| format!("lantern speak failed for {voice} on {threads} threads"))?;
        let run: Value = serde_json::from_str(&text)?;
        let rtf = |v: &Value| v["real_time_factor"].as_f64().unwrap_or(f64::MAX);
        if best.as_ref().is_none_or(|b| rtf(&run) < rtf(b)) {
            best = Some(run);
        }
    }
    best.context("no native run")
}

/// What one run spoke, piece by piece as it synthesized it: each sentence, or the whole text
/// where the voice speaks it in one pass.
fn phonemes_spoken(run: &Value) -> Vec<Value> {
    match run["sentences"].as_array() {
        Some(sentences) => sentences.iter().map(|s| s["phonemes"].clone()).collect(),
        None => vec![run["phonemes"].clone()],
    }
}

fn node(root: &Path, script: &str, plan: &Path, dist: Option<&Path>) -> anyhow::Result<Value> {
    let script = root.join("tests/bench").join(script);
    eprintln!("$ node {}", script.display());
    let mut command = Command::new("node");
    command
        .arg(&script)
        .arg(plan)
        .current_dir(root.join("tests"))
        .stderr(std::process::Stdio::inherit());
    if let Some(dist) = dist {
        command
            .env("LANTERN_DIST", dist)
            .env("LANTERN_EXTENSION_ID", browser::extension_id()?)
            .env("LANTERN_XTASK", cmd::own_exe()?)
            .env("LANTERN_MODELS_DIR", mirror::mirror_dir())
            .env("CHROME", browser::find_chrome()?);
    }
    let output = command.output()?;
    if !output.status.success() {
        bail!("{} failed with {}", script.display(), output.status);
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

fn ort_version(root: &Path) -> Value {
    std::fs::read_to_string(root.join(ORT_PACKAGE).join("package.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .map_or(Value::Null, |p| {
            p["dependencies"]["onnxruntime-node"].clone()
        })
}

fn print_table(report: &Value, threads: &[usize]) {
    println!(
        "\nSpeech synthesis, {} chars, best of {}: real-time factor (lower is faster) and first audio (s)",
        TEXT.len(),
        report["runs"]
    );
    println!(
        "{:<16} {:>3} {:>13} {:>13} {:>9} {:>13} {:>13} {:>9}",
        "voice", "thr", "ours native", "ort native", "ours/ort", "ours wasm", "ort-web", "ours/ort"
    );
    let cell = |v: &Value| match (
        v["real_time_factor"].as_f64(),
        v["first_audio_seconds"].as_f64(),
    ) {
        (Some(r), Some(f)) => format!("{r:.3} {f:.2}s"),
        (Some(r), None) => format!("{r:.3} -"),
        _ => "-".into(),
    };
    let ratio = |a: &Value, b: &Value| match (
        a["real_time_factor"].as_f64(),
        b["real_time_factor"].as_f64(),
    ) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "-".into(),
    };
    for (voice, _) in VOICES {
        for &t in threads {
            let t = t.to_string();
            let ours = &report["native"]["lantern"][voice][&t];
            let ort = &report["native"]["onnxruntime"][voice][&t];
            let wasm = &report["browser"]["lantern"][voice][&t];
            let web = &report["browser"]["onnxruntime_web"][voice][&t];
            println!(
                "{:<16} {:>3} {:>13} {:>13} {:>9} {:>13} {:>13} {:>9}",
                voice,
                t,
                cell(ours),
                cell(ort),
                ratio(ours, ort),
                cell(wasm),
                cell(web),
                ratio(wasm, web)
            );
        }
    }
    println!("(ours times phonemization too; onnxruntime gets our phonemes as ids)");
}
