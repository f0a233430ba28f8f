//! Logit parity with llama.cpp on random-weight models of every supported architecture (llama
//! and qwen2 in F32 and Q8_0; qwen3, phi3 and gemma3 in F32), made and run by
//! tests/fixtures/make_llm_fixtures.py: qk-norm, fused qkv and gate_up, gelu-tanh, sandwich
//! norms, embedding scaling, sliding windows and head sizes apart from n_embd / n_head. Also checks that the KV
//! cache path (prefill, then one token at a time) gives the same logits as one batch, and that
//! the logits are within 1e-3 of llama.cpp's, relative to the largest.
//!
//! The same tests run natively and, as wasm-bindgen tests in headless Chromium, on the wasm
//! build's SIMD128 kernels (`cargo test --target wasm32-unknown-unknown -p models`): the
//! fixtures are compiled in (a browser has no files) and loaded from bytes, as the LLM worker
//! loads a model.

#[cfg(not(target_arch = "wasm32"))]
mod common;

use models::llm::{KvCache, LlmModel};
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// llama.cpp's logits for every model (`models`, by file name) after the same `tokens`.
const LOGITS: &str = include_str!("fixtures/llm/tiny_logits.json");

/// A committed model's file name and bytes.
macro_rules! tiny_model {
    ($file:literal) => {
        (
            $file,
            include_bytes!(concat!("fixtures/llm/", $file)).as_slice(),
        )
    };
}

/// `println!` natively; in the browser the console, which `-- --nocapture` shows (wasm32's
/// stdout goes nowhere).
macro_rules! report {
    ($($arg:tt)*) => {
        #[cfg(target_arch = "wasm32")]
        wasm_bindgen_test::console_log!($($arg)*);
        #[cfg(not(target_arch = "wasm32"))]
        println!($($arg)*);
    };
}

/// Every model's logits must be within this of llama.cpp's, relative to the largest llama.cpp
/// logit of the model. F32 weights differ from llama.cpp only in summation order; Q8_0 ones also
/// in how each engine rounds activations to 8 bits (both to Q8_0 blocks, with f32 against f16
/// scales); Gemma's gelu is evaluated by ggml-cpu through a table indexed by the input rounded
/// to f16 (`GGML_GELU_FP16`), by Lantern in f32.
const REL_TOL: f32 = 1e-3;

fn check((name, gguf): (&str, &[u8])) {
    #[cfg(not(target_arch = "wasm32"))]
    common::one_rayon_thread();
    let fx: serde_json::Value = serde_json::from_str(LOGITS).expect("fixture is JSON");
    let tokens: Vec<u32> = serde_json::from_value(fx["tokens"].clone()).expect("tokens");
    let expected: Vec<Vec<f32>> =
        serde_json::from_value(fx["models"][name].clone()).expect("logits");
    let model = LlmModel::from_chunks(&[gguf], None).expect("load");
    let mut cache: KvCache = model.decoder.new_cache(64);
    let batch = model
        .decoder
        .forward(&tokens, &mut cache, true)
        .expect("forward");
    let batch: Vec<Vec<f32>> = batch.to_vec2().expect("logits");

    let mut cache = model.decoder.new_cache(64);
    let split = 7;
    let mut stepwise = vec![
        model
            .decoder
            .forward(&tokens[..split], &mut cache, false)
            .expect("prefill")
            .to_vec1::<f32>()
            .expect("v"),
    ];
    for &t in &tokens[split..] {
        stepwise.push(
            model
                .decoder
                .forward(&[t], &mut cache, false)
                .expect("step")
                .to_vec1()
                .expect("v"),
        );
    }

    let mut max_diff = 0f32;
    let scale = expected.iter().flatten().fold(0f32, |m, v| m.max(v.abs()));
    for (pos, (row, want)) in batch.iter().zip(&expected).enumerate() {
        assert_eq!(row.len(), want.len());
        for (a, b) in row.iter().zip(want) {
            max_diff = max_diff.max((a - b).abs());
        }
        if pos + 1 >= split {
            let step = &stepwise[pos + 1 - split];
            let d = row
                .iter()
                .zip(step)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(
                d < 1e-4,
                "{name}: cached vs batch logits differ by {d} at position {pos}"
            );
        }
    }
    let rel = max_diff / scale;
    report!(
        "{name}: max |logit - llama.cpp| = {max_diff:e} over {} positions, {rel:e} of the largest logit ({scale})",
        batch.len()
    );
    assert!(
        rel < REL_TOL,
        "{name}: max logit difference {max_diff} is {rel} of the largest logit, over {REL_TOL}"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn llama_f32_logits_match_llama_cpp() {
    check(tiny_model!("tiny-llama-f32.gguf"));
}

#[wasm_bindgen_test(unsupported = test)]
fn qwen2_f32_logits_match_llama_cpp() {
    check(tiny_model!("tiny-qwen2-f32.gguf"));
}

#[wasm_bindgen_test(unsupported = test)]
fn llama_q8_0_logits_match_llama_cpp() {
    check(tiny_model!("tiny-llama-q8_0.gguf"));
}

#[wasm_bindgen_test(unsupported = test)]
fn qwen2_q8_0_logits_match_llama_cpp() {
    check(tiny_model!("tiny-qwen2-q8_0.gguf"));
}

#[wasm_bindgen_test(unsupported = test)]
fn qwen3_f32_logits_match_llama_cpp() {
    check(tiny_model!("tiny-qwen3-f32.gguf"));
}

#[wasm_bindgen_test(unsupported = test)]
fn phi3_f32_logits_match_llama_cpp() {
    check(tiny_model!("tiny-phi3-f32.gguf"));
}

#[wasm_bindgen_test(unsupported = test)]
fn gemma3_f32_logits_match_llama_cpp() {
    check(tiny_model!("tiny-gemma3-f32.gguf"));
}
