//! End to end on the real Qwen2.5-Coder-0.5B-Instruct: the model is offered a calculator tool
//! through its own chat template, calls it, the call is parsed and executed here, the result goes
//! back as a tool message (prefilling only the new turn), and the model's reply carries it.
//!
//! This 0.5B model, greedy, answers a tool result by writing the result into another call
//! (`{"name": "calculator", "arguments": {"expression": "110791"}}`); llama.cpp produces the
//! same tokens from the same prompt. So the reply is required to contain the result, in prose
//! or in a call. Skipped, saying so, when the GGUF is absent.
// Native only: real weights from target/models (a browser has no files).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::sync::Arc;

use models::llm::{
    GenerateOptions, LlmModel, Message, SamplingParams, Session, ToolCall, parse_tool_calls,
};
use serde_json::Value;
use tools::calculator::{CALCULATOR, calculator_tool, run_calculator};

fn execute(call: &ToolCall) -> String {
    assert_eq!(call.name, CALCULATOR, "the only tool offered");
    run_calculator(&call.arguments).unwrap_or_else(|error| error)
}

fn reply(session: &mut Session, messages: &[Message], tools: &[Value]) -> (String, usize) {
    let prompt = session.chat_prompt(messages, tools, 200).expect("prompt");
    let opts = GenerateOptions {
        sampling: SamplingParams::greedy(),
        max_tokens: 200,
        ..GenerateOptions::default()
    };
    session.start(prompt, opts).expect("start");
    let reused = session.prefill().expect("prefill").reused;
    let mut text = String::new();
    loop {
        let step = session.next_token().expect("step");
        text.push_str(&step.delta);
        if step.finished.is_some() {
            return (text, reused);
        }
    }
}

#[test]
fn qwen_calls_the_calculator_and_answers_with_the_result() {
    let Some(path) = common::real_model(
        common::QWEN,
        "qwen_calls_the_calculator_and_answers_with_the_result",
    ) else {
        return;
    };
    let model = Arc::new(LlmModel::from_path(&path, None).expect("load"));
    assert!(
        !model.template.is_fallback(),
        "Qwen ships its own chat template"
    );
    let mut session = Session::new(model, 2048);
    let tools = vec![calculator_tool()];
    let mut messages = vec![
        Message::system("You are a helpful assistant. Use the calculator tool for arithmetic."),
        Message::user("What is 4817 multiplied by 23?"),
    ];
    let (first, _) = reply(&mut session, &messages, &tools);
    println!("model: {first}");
    let parsed = parse_tool_calls(&first);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.calls.len(), 1, "expected one tool call in {first:?}");
    let result = execute(&parsed.calls[0]);
    println!(
        "tool {}({}) -> {result}",
        parsed.calls[0].name, parsed.calls[0].arguments
    );
    assert_eq!(result, r#"{"result":110791}"#);
    messages.push(ToolCall::assistant_message(&parsed.calls, &parsed.content));
    messages.push(Message::tool("calculator", result));
    let cached = session.cached_tokens().len();
    let (second, reused) = reply(&mut session, &messages, &tools);
    println!("model: {second}");
    assert!(
        reused > cached / 2,
        "the first turn's cache is reused ({reused} of {cached})"
    );
    assert!(
        second.replace([',', ' '], "").contains("110791"),
        "{second:?}"
    );
}
