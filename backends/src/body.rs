//! What Lantern sends to `/v1/chat/completions`: the conversation, the sampling every
//! OpenAI-compatible server takes, the tools as OpenAI `tools`, and the stream with usage asked
//! for. A stored answer that called tools keeps its calls as Hermes `<tool_call>` markup (as the
//! in-browser models write them, so the chat shows both alike); here they become the
//! assistant's `tool_calls` again, and the tool messages after it answer them by id.

use protocol::{ChatMessage, ChatRole, Sampling};
use serde_json::{Value, json};

const OPEN: &str = "<tool_call>";
const CLOSE: &str = "</tool_call>";

/// A tool as OpenAI `tools` lists it.
pub fn tool_schema(name: &str, description: &str, parameters: &Value) -> Value {
    json!({
        "type": "function",
        "function": {"name": name, "description": description, "parameters": parameters},
    })
}

/// The request body of a streamed chat completion.
pub fn chat_body(
    model: &str,
    messages: &[ChatMessage],
    sampling: &Sampling,
    tools: &[Value],
) -> Value {
    let mut body = json!({
        "model": model,
        "messages": wire_messages(messages),
        "stream": true,
        "stream_options": {"include_usage": true},
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "max_tokens": sampling.max_tokens,
    });
    if let Some(seed) = sampling.seed {
        body["seed"] = json!(seed);
    }
    if sampling.ignore_eos {
        // Only benchmarks ask (a fixed count of tokens); llama.cpp and vLLM take it.
        body["ignore_eos"] = json!(true);
    }
    if !tools.is_empty() {
        body["tools"] = Value::Array(tools.to_vec());
    }
    body
}

/// An answer's text with its calls written as Hermes markup after it.
pub fn with_tool_markup(text: &str, calls: &[(String, Value)]) -> String {
    let mut out = text.to_string();
    for (name, arguments) in calls {
        if !out.is_empty() {
            out.push('\n');
        }
        let call = json!({"name": name, "arguments": arguments});
        out.push_str(&format!("{OPEN}\n{call}\n{CLOSE}"));
    }
    out
}

/// The conversation in the OpenAI shape.
fn wire_messages(messages: &[ChatMessage]) -> Vec<Value> {
    let mut out = Vec::new();
    // Ids of the last assistant message's calls not yet answered, in order.
    let mut waiting: std::collections::VecDeque<String> = Default::default();
    for (index, message) in messages.iter().enumerate() {
        match message.role {
            ChatRole::Assistant => {
                let (text, calls) = split_calls(&message.content);
                waiting.clear();
                if calls.is_empty() {
                    out.push(json!({"role": "assistant", "content": message.content}));
                    continue;
                }
                let tool_calls: Vec<Value> = calls
                    .iter()
                    .enumerate()
                    .map(|(k, (name, arguments))| {
                        let id = format!("call_{index}_{k}");
                        waiting.push_back(id.clone());
                        json!({"id": id, "type": "function",
                               "function": {"name": name, "arguments": arguments.to_string()}})
                    })
                    .collect();
                let content = if text.is_empty() { Value::Null } else { json!(text) };
                out.push(json!({"role": "assistant", "content": content, "tool_calls": tool_calls}));
            }
            ChatRole::Tool => match waiting.pop_front() {
                Some(id) => out.push(json!({"role": "tool", "tool_call_id": id, "content": message.content})),
                // A result no call of the answer before asked for: a strict server would refuse
                // a tool message without one, so the model reads it as the user's.
                None => out.push(json!({"role": "user", "content": format!("Tool result:\n{}", message.content)})),
            },
            ChatRole::System | ChatRole::User => {
                waiting.clear();
                out.push(json!({"role": message.role.as_str(), "content": message.content}));
            }
        }
    }
    out
}

/// The text outside `<tool_call>` blocks, and the calls they hold that read as
/// `{"name", "arguments"}` (a block that does not stays in the text).
fn split_calls(content: &str) -> (String, Vec<(String, Value)>) {
    let mut text = String::new();
    let mut calls = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        let Some(end) = after.find(CLOSE) else { break };
        text.push_str(&rest[..start]);
        let inner = &after[..end];
        let call: Option<(String, Value)> = serde_json::from_str::<Value>(inner.trim())
            .ok()
            .and_then(|v| {
                let name = v.get("name")?.as_str()?.to_string();
                Some((
                    name,
                    v.get("arguments").cloned().unwrap_or_else(|| json!({})),
                ))
            });
        match call {
            Some(call) => calls.push(call),
            None => text.push_str(&rest[start..start + OPEN.len() + end + CLOSE.len()]),
        }
        rest = &after[end + CLOSE.len()..];
    }
    text.push_str(rest);
    (text.trim().to_string(), calls)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(role: ChatRole, content: &str) -> ChatMessage {
        ChatMessage::new(role, content)
    }

    #[test]
    fn the_body_streams_with_usage_and_standard_sampling_only() {
        let sampling = Sampling {
            seed: Some(7),
            ..Sampling::default()
        };
        let body = chat_body("smollm2", &[m(ChatRole::User, "Hi")], &sampling, &[]);
        assert_eq!(body["model"], "smollm2");
        assert_eq!(body["stream"], true);
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert_eq!(body["max_tokens"], 512);
        assert_eq!(body["seed"], 7);
        assert_eq!(body["messages"], json!([{"role": "user", "content": "Hi"}]));
        // Fields strict servers (OpenAI) refuse are not sent.
        assert!(body.get("top_k").is_none() && body.get("tools").is_none());
    }

    #[test]
    fn a_stored_tool_round_goes_back_as_tool_calls_answered_by_id() {
        let calls = vec![
            ("calculator".to_string(), json!({"expression": "4817*23"})),
            ("get-sum".to_string(), json!({"a": 1, "b": 2})),
        ];
        let answer = with_tool_markup("Let me compute.", &calls);
        assert!(
            answer.starts_with("Let me compute.\n<tool_call>\n"),
            "{answer}"
        );
        let messages = [
            m(ChatRole::User, "What is 4817*23?"),
            m(ChatRole::Assistant, &answer),
            m(ChatRole::Tool, r#"{"result":110791}"#),
            m(ChatRole::Tool, "3"),
            m(ChatRole::Tool, "a stray result"),
        ];
        let body = chat_body("q", &messages, &Sampling::default(), &[]);
        let wire = body["messages"].as_array().unwrap();
        assert_eq!(wire[1]["content"], "Let me compute.");
        assert_eq!(wire[1]["tool_calls"][0]["function"]["name"], "calculator");
        assert_eq!(
            wire[1]["tool_calls"][0]["function"]["arguments"],
            r#"{"expression":"4817*23"}"#
        );
        assert_eq!(
            wire[2],
            json!({"role": "tool", "tool_call_id": "call_1_0", "content": "{\"result\":110791}"})
        );
        assert_eq!(wire[3]["tool_call_id"], "call_1_1");
        assert_eq!(wire[4]["role"], "user");
    }

    #[test]
    fn markup_that_is_not_a_call_stays_text() {
        let (text, calls) = split_calls("a <tool_call>not json</tool_call> b <tool_call>{\"x\":1}");
        assert!(calls.is_empty());
        assert_eq!(
            text,
            "a <tool_call>not json</tool_call> b <tool_call>{\"x\":1}"
        );
        let (text, calls) = split_calls("<tool_call>{\"name\":\"f\"}</tool_call>");
        assert_eq!(text, "");
        assert_eq!(calls, [("f".to_string(), json!({}))]);
    }

    #[test]
    fn tools_are_offered_as_given() {
        let tool = tool_schema("get-sum", "adds", &json!({"type": "object"}));
        let body = chat_body("q", &[], &Sampling::default(), std::slice::from_ref(&tool));
        assert_eq!(body["tools"], json!([tool]));
    }
}
