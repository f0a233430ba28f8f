//! The models' own chat templates render through minijinja exactly as transformers renders them
//! with Python jinja2 (tests/fixtures/llm/chat_templates.json, from make_llm_fixtures.py):
//! plain turns, a system prompt, non-ASCII text, and tools with a call and its result. Each
//! model is skipped, saying so, when its GGUF is absent.
// Native only: real weights from target/models (a browser has no files).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::fs::File;
use std::io::BufReader;

use candle_core::quantized::gguf_file::{self, Value};
use models::llm::{ChatTemplate, Message};

fn check(model: (&str, &str), file_name: &str, test: &str) {
    let Some(path) = common::real_model(model, test) else {
        return;
    };
    let ct = gguf_file::Content::read(&mut BufReader::new(File::open(&path).expect("open")))
        .expect("gguf");
    let Some(Value::String(source)) = ct.metadata.get("tokenizer.chat_template") else {
        panic!("{file_name} has no chat template");
    };
    let template = ChatTemplate::new(Some(source), "", "");
    let fx = common::read_json("chat_templates.json");
    let chats = fx["chats"].as_array().expect("chats");
    let want = fx["models"][file_name].as_array().expect("renders");
    for (chat, want) in chats.iter().zip(want) {
        let messages: Vec<Message> =
            serde_json::from_value(chat["messages"].clone()).expect("messages");
        let tools: Vec<serde_json::Value> =
            serde_json::from_value(chat["tools"].clone()).expect("tools");
        let got = template.render(&messages, &tools, true).expect("render");
        assert_eq!(got, want.as_str().expect("text"), "{file_name}: {chat}");
    }
}

#[test]
fn smollm2_template_renders_as_transformers_does() {
    check(
        common::SMOLLM2,
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        "smollm2_template_renders_as_transformers_does",
    );
}

#[test]
fn qwen_template_renders_as_transformers_does() {
    check(
        common::QWEN,
        "qwen2.5-coder-0.5b-instruct.gguf",
        "qwen_template_renders_as_transformers_does",
    );
}
