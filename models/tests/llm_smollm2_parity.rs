//! Parity with llama.cpp on the real SmolLM2-135M-Instruct Q4_1 (tests/fixtures/llm/
//! smollm2_greedy.json, made by make_llm_fixtures.py with llama.cpp's CPU backend): 10 prompts
//! × 64 greedy tokens, with llama.cpp's top-1/top-2 logit margin at every step.
//!
//! Bit-identity with one llama.cpp build is not the aim (two llama.cpp builds do not agree bit
//! for bit either: SIMD widths change summation orders, and each engine rounds activations to
//! 8 bits its own way before every quantized product). Correctness is:
//! - the prompt tokens are llama.cpp's;
//! - free-running greedy tokens are llama.cpp's up to the first step whose llama.cpp margin is
//!   below 0.1 (a near-tie, where rounding may decide);
//! - teacher-forced on llama.cpp's tokens, every disagreement is at a step where llama.cpp's
//!   margin was below 0.5, and the next token agrees at ≥ 96 % of steps (measured 618/640; the
//!   target is 99 %, see `common::TARGET_AGREEMENT`);
//! - with the weights widened to f32 (here at load, in llama.cpp by its quantize tool), the
//!   greedy tokens are llama.cpp's f32 ones up to the first step where our own margin is below
//!   0.1 (the fixture has no margins for that run).
//!
//! Skipped, saying so, when the GGUF is absent.
// Native only: real weights from target/models (a browser has no files).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::sync::Arc;

use models::llm::{GenerateOptions, LlmModel, SamplingParams, Session, argmax};

/// The teacher-forced agreement this test holds (measured 96.6 %).
const MIN_AGREEMENT: f64 = 0.96;

fn ids(v: &serde_json::Value) -> Vec<u32> {
    serde_json::from_value(v.clone()).expect("token ids")
}

fn cases() -> Vec<serde_json::Value> {
    common::read_json("smollm2_greedy.json")["cases"]
        .as_array()
        .expect("cases")
        .clone()
}

#[test]
fn prompt_tokens_are_llama_cpps() {
    let Some(path) = common::real_model(common::SMOLLM2, "prompt_tokens_are_llama_cpps") else {
        return;
    };
    let model = LlmModel::from_path(&path, None).expect("load");
    for case in cases() {
        let prompt = case["prompt"].as_str().expect("prompt");
        assert_eq!(
            model.encode_prompt(prompt).expect("encode"),
            ids(&case["prompt_tokens"]),
            "prompt tokens of {prompt:?}"
        );
    }
}

#[test]
fn q4_1_greedy_tokens_match_llama_cpp_up_to_the_first_near_tie() {
    let Some(path) = common::real_model(
        common::SMOLLM2,
        "q4_1_greedy_tokens_match_llama_cpp_up_to_the_first_near_tie",
    ) else {
        return;
    };
    let model = LlmModel::from_path(&path, None).expect("load");
    let failures =
        common::greedy_up_to_near_tie(&model, "SmolLM2 Q4_1", &cases(), common::NEAR_TIE);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn q4_1_next_tokens_agree_with_llama_cpp() {
    let Some(path) = common::real_model(common::SMOLLM2, "q4_1_next_tokens_agree_with_llama_cpp")
    else {
        return;
    };
    let model = LlmModel::from_path(&path, None).expect("load");
    let mut agreement = common::Agreement::default();
    for case in cases() {
        let margins: Vec<f32> = serde_json::from_value(case["margins"].clone()).expect("margins");
        agreement.step_through(
            &model,
            &format!("{:?}", case["prompt"]),
            (
                &ids(&case["prompt_tokens"]),
                &ids(&case["tokens"]),
                &margins,
            ),
            512,
        );
    }
    agreement.check("SmolLM2 Q4_1", MIN_AGREEMENT);
}

#[test]
fn f32_greedy_tokens_match_llama_cpp_up_to_a_near_tie() {
    let Some(path) = common::real_model(
        common::SMOLLM2,
        "f32_greedy_tokens_match_llama_cpp_up_to_a_near_tie",
    ) else {
        return;
    };
    let model = LlmModel::from_path_dequantized(&path).expect("load");
    let mut failures = Vec::new();
    for case in cases() {
        let prompt = ids(&case["prompt_tokens"]);
        let want = ids(&case["tokens_f32"]);
        let mut cache = model.decoder.new_cache(512);
        let mut logits = model
            .decoder
            .forward(&prompt, &mut cache, false)
            .expect("prefill");
        for (i, &t) in want.iter().enumerate() {
            let l = logits.to_vec1::<f32>().expect("logits");
            let mine = argmax(&l);
            let mut sorted = l.clone();
            sorted.sort_by(|a, b| b.total_cmp(a));
            if sorted[0] - sorted[1] < common::NEAR_TIE {
                println!("{:?}: near-tie at step {i}, {i} identical", case["prompt"]);
                break;
            }
            if mine != t {
                failures.push(format!(
                    "{:?} step {i}: llama.cpp {t}, Lantern {mine} (margin {})",
                    case["prompt"],
                    sorted[0] - sorted[1]
                ));
                break;
            }
            logits = model
                .decoder
                .forward(&[t], &mut cache, false)
                .expect("step");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The stepwise session gives the same greedy reply as the plain decoder loop, and its streamed
/// deltas add up to the decoded text.
#[test]
fn session_stream_matches_the_decoder_loop() {
    let Some(path) = common::real_model(common::SMOLLM2, "session_stream_matches_the_decoder_loop")
    else {
        return;
    };
    let model = Arc::new(LlmModel::from_path(&path, None).expect("load"));
    let prompt = model
        .encode_prompt("Les mathématiques sont")
        .expect("encode");
    let want = common::greedy(&model, &prompt, 48);
    let mut session = Session::new(model.clone(), 512);
    let opts = GenerateOptions {
        sampling: SamplingParams::greedy(),
        max_tokens: 48,
        ignore_eos: true,
        ..GenerateOptions::default()
    };
    session.start(prompt, opts).expect("start");
    session.prefill().expect("prefill");
    let (mut tokens, mut text) = (Vec::new(), String::new());
    loop {
        let step = session.next_token().expect("step");
        tokens.extend(step.token);
        assert!(!step.delta.contains('\u{FFFD}'), "{:?}", step.delta);
        text.push_str(&step.delta);
        if step.finished.is_some() {
            break;
        }
    }
    assert_eq!(tokens, want);
    assert_eq!(text, model.tokenizer.decode(&tokens));
}
