//! End to end on the real Qwen2.5-Coder-0.5B-Instruct: the model is offered a calculator tool
//! through its own chat template, calls it, the call is parsed and executed here, the result goes
//! back as a tool message (prefilling only the new turn), and the model's reply carries it.
//!
//! This 0.5B model, greedy, answers a tool result by writing the result into another call
//! (`{"name": "calculator", "arguments": {"expression": "110791"}}`); llama.cpp produces the
//! same tokens from the same prompt. So the reply is required to contain the result, in prose
//! or in a call. Skipped, saying so, when the GGUF is absent.

mod common;

use std::sync::Arc;

use models::llm::{
    GenerateOptions, LlmModel, Message, SamplingParams, Session, ToolCall, parse_tool_calls,
};
use serde_json::{Value, json};

/// A tiny calculator: + - * / and parentheses over decimal numbers.
fn calculate(expr: &str) -> Result<f64, String> {
    struct P<'a>(&'a [u8], usize);
    impl P<'_> {
        fn ws(&mut self) {
            while self.1 < self.0.len() && self.0[self.1].is_ascii_whitespace() {
                self.1 += 1;
            }
        }
        fn peek(&mut self) -> Option<u8> {
            self.ws();
            self.0.get(self.1).copied()
        }
        fn expr(&mut self) -> Result<f64, String> {
            let mut v = self.term()?;
            while let Some(op @ (b'+' | b'-')) = self.peek() {
                self.1 += 1;
                let r = self.term()?;
                v = if op == b'+' { v + r } else { v - r };
            }
            Ok(v)
        }
        fn term(&mut self) -> Result<f64, String> {
            let mut v = self.atom()?;
            while let Some(op @ (b'*' | b'/')) = self.peek() {
                self.1 += 1;
                let r = self.atom()?;
                v = if op == b'*' { v * r } else { v / r };
            }
            Ok(v)
        }
        fn atom(&mut self) -> Result<f64, String> {
            match self.peek() {
                Some(b'(') => {
                    self.1 += 1;
                    let v = self.expr()?;
                    if self.peek() != Some(b')') {
                        return Err("missing )".into());
                    }
                    self.1 += 1;
                    Ok(v)
                }
                Some(b'-') => {
                    self.1 += 1;
                    Ok(-self.atom()?)
                }
                _ => {
                    let start = self.1;
                    while self.1 < self.0.len()
                        && (self.0[self.1].is_ascii_digit() || self.0[self.1] == b'.')
                    {
                        self.1 += 1;
                    }
                    std::str::from_utf8(&self.0[start..self.1])
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .ok_or_else(|| format!("expected a number at {start}"))
                }
            }
        }
    }
    let mut p = P(expr.as_bytes(), 0);
    let v = p.expr()?;
    if p.peek().is_some() {
        return Err(format!("unexpected text at {}", p.1));
    }
    Ok(v)
}

fn execute(call: &ToolCall) -> String {
    if call.name != "calculator" {
        return json!({"error": format!("unknown tool {}", call.name)}).to_string();
    }
    let expr = call
        .arguments
        .get("expression")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match calculate(expr) {
        Ok(v) => json!({"result": v}).to_string(),
        Err(e) => json!({"error": e}).to_string(),
    }
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
fn calculator_round_trip() {
    assert_eq!(calculate("(1234 + 766) * 3 / 2"), Ok(3000.0));
    assert!(calculate("2 +").is_err());
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
    let tools = vec![json!({
        "type": "function",
        "function": {
            "name": "calculator",
            "description": "Evaluate an arithmetic expression with + - * / and parentheses.",
            "parameters": {
                "type": "object",
                "properties": {"expression": {"type": "string", "description": "The expression, e.g. 2*(3+4)"}},
                "required": ["expression"]
            }
        }
    })];
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
    assert_eq!(result, json!({"result": 110791.0}).to_string());
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
