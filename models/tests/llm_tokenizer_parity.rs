//! Tokenizer parity with llama.cpp (`llama_tokenize` with special tokens parsed, no BOS) on 300+
//! strings: unicode, emoji, CJK, code, whitespace runs. The tokenizers are rebuilt from GGUF
//! metadata (no tokenizer.json): byte-level BPE of SmolLM2 and Qwen2.5 and Gemma 3's SentencePiece (each
//! skipped, saying so, when its GGUF is absent), and a committed SentencePiece vocabulary.
// Native only: real weights and fixtures from disk (a browser has no files).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::fs::File;
use std::io::BufReader;

use candle_core::quantized::gguf_file;
use models::llm::Tokenizer;

fn check(model: (&str, &str), file_name: &str, test: &str) {
    let Some(path) = common::real_model(model, test) else {
        return;
    };
    check_file(&path, file_name);
}

fn check_file(path: &std::path::Path, file_name: &str) {
    let mut reader = BufReader::new(File::open(path).expect("open"));
    let ct = gguf_file::Content::read(&mut reader).expect("gguf");
    let tok = Tokenizer::from_gguf(&ct.metadata, None).expect("tokenizer");
    let fx = common::read_json("tokenizer_parity.json");
    let strings: Vec<String> = serde_json::from_value(fx["strings"].clone()).expect("strings");
    let want: Vec<Vec<u32>> = serde_json::from_value(fx["models"][file_name].clone()).expect("ids");
    let mut mismatches = Vec::new();
    for (s, want) in strings.iter().zip(&want) {
        let got = tok.encode(s, false).expect("encode");
        if &got != want {
            mismatches.push(format!("{s:?}: got {got:?}, llama.cpp {want:?}"));
        }
    }
    println!(
        "{file_name}: {}/{} strings tokenized as llama.cpp does",
        strings.len() - mismatches.len(),
        strings.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn smollm2_tokenizer_matches_llama_cpp() {
    check(
        common::SMOLLM2,
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        "smollm2_tokenizer_matches_llama_cpp",
    );
}

#[test]
fn qwen2_tokenizer_matches_llama_cpp() {
    check(
        common::QWEN,
        "qwen2.5-coder-0.5b-instruct.gguf",
        "qwen2_tokenizer_matches_llama_cpp",
    );
}

#[test]
fn gemma3_tokenizer_matches_llama_cpp() {
    check(
        common::GEMMA3,
        "gemma-3-270m-q4_k_m.gguf",
        "gemma3_tokenizer_matches_llama_cpp",
    );
}

#[test]
fn sentencepiece_tokenizer_matches_llama_cpp() {
    check_file(
        &common::fixture("tiny-spm-vocab.gguf"),
        "tiny-spm-vocab.gguf",
    );
}
