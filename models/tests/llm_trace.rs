//! Writes Lantern's intermediate tensors for one prompt's prefill and one greedy decode step
//! of the real SmolLM2 Q4_1, named as llama.cpp names its graph nodes, so they can be compared
//! bit for bit with llama.cpp's (models/tests/fixtures/dump_llama_intermediates.py `compare`).
//!
//! A tool, not a check: it runs only when LANTERN_TRACE names an output directory
//! (LANTERN_TRACE_PROMPT: the prompt text, default "The capital of France is").
// Native only: real weights from target/models, traces written to disk (a browser has no files).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use candle_core::Tensor;
use models::llm::{LlmModel, argmax};

fn record(dir: &Path, index: &mut BTreeMap<String, Vec<usize>>, key: String, t: &Tensor) {
    let v = t
        .flatten_all()
        .and_then(|t| t.to_vec1::<f32>())
        .expect("f32 tensor");
    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    let file = dir.join(format!("{}.f32", key.replace('/', "__")));
    std::fs::write(file, bytes).expect("write trace");
    index.insert(key, t.dims().to_vec());
}

#[test]
fn trace_smollm2_intermediates() {
    let Some(dir) = std::env::var_os("LANTERN_TRACE") else {
        println!("SKIPPED trace_smollm2_intermediates: LANTERN_TRACE is not set");
        return;
    };
    let Some(path) = common::real_model(common::SMOLLM2, "trace_smollm2_intermediates") else {
        return;
    };
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).expect("trace dir");
    let model = LlmModel::from_path(&path, None).expect("load");
    let text = std::env::var("LANTERN_TRACE_PROMPT")
        .unwrap_or_else(|_| "The capital of France is".to_string());
    let prompt = model.encode_prompt(&text).expect("encode");
    let mut index = BTreeMap::new();
    let mut cache = model.decoder.new_cache(512);
    let logits = model
        .decoder
        .forward_traced(&prompt, &mut cache, false, &mut |name, t| {
            record(dir, &mut index, format!("prefill/{name}"), t)
        })
        .expect("prefill");
    let next = argmax(&logits.to_vec1::<f32>().expect("logits"));
    model
        .decoder
        .forward_traced(&[next], &mut cache, false, &mut |name, t| {
            record(dir, &mut index, format!("decode/{name}"), t)
        })
        .expect("decode");
    let meta = serde_json::json!({ "prompt": prompt, "next": next, "shapes": index });
    std::fs::write(dir.join("index.json"), meta.to_string()).expect("index");
    println!("traced {} tensors into {}", index.len(), dir.display());
}
