//! Logit parity with llama.cpp on random-weight models of every supported architecture (llama
//! and qwen2 in F32 and Q8_0; qwen3, phi3 and gemma3 in F32), made and run by
//! tests/fixtures/make_llm_fixtures.py: qk-norm, fused qkv and gate_up, gelu-tanh, sandwich
//! norms, embedding scaling, sliding windows and head sizes apart from n_embd / n_head. Also checks that the KV
//! cache path (prefill, then one token at a time) gives the same logits as one batch, and that
//! the logits are within 1e-3 of llama.cpp's, relative to the largest.

mod common;

use models::llm::{KvCache, LlmModel};

/// Every model's logits must be within this of llama.cpp's, relative to the largest llama.cpp
/// logit of the model. F32 weights differ from llama.cpp only in summation order; Q8_0 ones also
/// in how each engine rounds activations to 8 bits (both to Q8_0 blocks, with f32 against f16
/// scales); Gemma's gelu is evaluated by ggml-cpu through a table indexed by the input rounded
/// to f16 (`GGML_GELU_FP16`), by Lantern in f32.
const REL_TOL: f32 = 1e-3;

fn check(name: &str) {
    let fx = common::read_json("tiny_logits.json");
    let tokens: Vec<u32> = serde_json::from_value(fx["tokens"].clone()).expect("tokens");
    let expected: Vec<Vec<f32>> =
        serde_json::from_value(fx["models"][name].clone()).expect("logits");
    let model = LlmModel::from_path(&common::fixture(name), None).expect("load");
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
    println!(
        "{name}: max |logit - llama.cpp| = {max_diff:e} over {} positions, {rel:e} of the largest logit ({scale})",
        batch.len()
    );
    assert!(
        rel < REL_TOL,
        "{name}: max logit difference {max_diff} is {rel} of the largest logit, over {REL_TOL}"
    );
}

#[test]
fn llama_f32_logits_match_llama_cpp() {
    check("tiny-llama-f32.gguf");
}

#[test]
fn qwen2_f32_logits_match_llama_cpp() {
    check("tiny-qwen2-f32.gguf");
}

#[test]
fn llama_q8_0_logits_match_llama_cpp() {
    check("tiny-llama-q8_0.gguf");
}

#[test]
fn qwen2_q8_0_logits_match_llama_cpp() {
    check("tiny-qwen2-q8_0.gguf");
}

#[test]
fn qwen3_f32_logits_match_llama_cpp() {
    check("tiny-qwen3-f32.gguf");
}

#[test]
fn phi3_f32_logits_match_llama_cpp() {
    check("tiny-phi3-f32.gguf");
}

#[test]
fn gemma3_f32_logits_match_llama_cpp() {
    check("tiny-gemma3-f32.gguf");
}
