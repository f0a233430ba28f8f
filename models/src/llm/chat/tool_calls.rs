//! Tool calls in a model's reply, in the formats small models write: Hermes/Qwen
//! `<tool_call>{"name": .., "arguments": {..}}</tool_call>`, Llama 3 JSON
//! (`<|python_tag|>`, `{"name": .., "parameters": {..}}`, several joined by `;`), and bare JSON
//! (an object or a list, maybe in a ```json fence). A call that cannot be read becomes a
//! `ToolCallError` to hand back to the model as a tool message, never a failure.
//!
//! Mirrors the formats llama.cpp's `common/chat.cpp` parses (`common_chat_parse_hermes_2_pro`,
//! `common_chat_parse_llama_3_1`, generic JSON).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::template::Message;

/// One call the model asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub name: String,
    /// Always a JSON object (arguments given as a JSON string are parsed).
    pub arguments: Value,
}

impl ToolCall {
    /// The assistant message recording this call, as chat templates expect it
    /// (`tool_calls: [{type: function, function: {name, arguments}}]`).
    pub fn assistant_message(calls: &[ToolCall], content: &str) -> Message {
        let mut m = Message::assistant(content);
        let list = calls
            .iter()
            .map(|c| serde_json::json!({"type": "function", "function": {"name": c.name, "arguments": c.arguments}}))
            .collect();
        m.extra.insert("tool_calls".into(), Value::Array(list));
        m
    }
}

/// A call the model tried to make but wrote wrongly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallError {
    /// What the model wrote.
    pub raw: String,
    pub reason: String,
}

impl ToolCallError {
    /// The tool message that tells the model what went wrong, so it can try again.
    pub fn to_message(&self) -> Message {
        let body = serde_json::json!({
            "error": format!("could not read the tool call: {}", self.reason),
            "call": self.raw,
        });
        Message::tool("error", body.to_string())
    }
}

/// A reply split into prose and tool calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParsedReply {
    /// The reply with the tool-call markup removed, trimmed.
    pub content: String,
    pub calls: Vec<ToolCall>,
    pub errors: Vec<ToolCallError>,
}

impl ParsedReply {
    pub fn has_calls(&self) -> bool {
        !self.calls.is_empty() || !self.errors.is_empty()
    }
}

const OPEN: &str = "<tool_call>";
const CLOSE: &str = "</tool_call>";
const PYTHON_TAG: &str = "<|python_tag|>";

/// Finds the tool calls in `text`.
pub fn parse_tool_calls(text: &str) -> ParsedReply {
    let mut reply = ParsedReply::default();
    if text.contains(OPEN) {
        parse_hermes(text, &mut reply);
        return reply;
    }
    let (before, json_part) = match text.find(PYTHON_TAG) {
        Some(at) => (&text[..at], &text[at + PYTHON_TAG.len()..]),
        None => ("", text),
    };
    let body = strip_fence(json_part.trim());
    // After `<|python_tag|>` only calls may follow; elsewhere JSON is a call only if it names one.
    let starts_like_call =
        (body.starts_with('{') || body.starts_with('[')) && body.contains("\"name\"");
    if starts_like_call || text.contains(PYTHON_TAG) {
        parse_json_calls(body, &mut reply);
        reply.content = before.trim().to_string();
    } else {
        reply.content = text.trim().to_string();
    }
    reply
}

/// Hermes/Qwen: each call inside `<tool_call>` tags; an unclosed last tag runs to the end.
fn parse_hermes(text: &str, reply: &mut ParsedReply) {
    let mut content = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        content.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let (inner, next) = match after.find(CLOSE) {
            Some(end) => (&after[..end], &after[end + CLOSE.len()..]),
            None => (after, ""),
        };
        let inner = strip_fence(inner.trim());
        match serde_json::from_str::<Value>(inner) {
            Ok(v) => push_call(v, inner, reply),
            Err(e) => reply.errors.push(ToolCallError {
                raw: inner.to_string(),
                reason: format!("not valid JSON ({e})"),
            }),
        }
        rest = next;
    }
    content.push_str(rest);
    reply.content = content.trim().to_string();
}

/// One or more JSON values: an object, a list of objects, or objects joined by `;`.
fn parse_json_calls(body: &str, reply: &mut ParsedReply) {
    let mut stream = serde_json::Deserializer::from_str(body).into_iter::<Value>();
    loop {
        let start = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(Value::Array(items))) => {
                for item in items {
                    let raw = item.to_string();
                    push_call(item, &raw, reply);
                }
            }
            Some(Ok(v)) => {
                let raw = body[start..stream.byte_offset()].trim().to_string();
                push_call(v, &raw, reply);
            }
            Some(Err(e)) => {
                // Llama 3 joins calls with ';': skip it and go on; anything else is malformed.
                let rest = body[start..].trim_start();
                if let Some(next) = rest.strip_prefix(';') {
                    parse_json_calls(next.trim_start(), reply);
                } else {
                    reply.errors.push(ToolCallError {
                        raw: rest.to_string(),
                        reason: format!("not valid JSON ({e})"),
                    });
                }
                break;
            }
        }
    }
}

/// Reads `{name, arguments | parameters}` (also OpenAI's `{function: {name, arguments}}`).
fn push_call(v: Value, raw: &str, reply: &mut ParsedReply) {
    let err = |reason: &str| ToolCallError {
        raw: raw.to_string(),
        reason: reason.to_string(),
    };
    let v = match v {
        Value::Object(mut m) if m.contains_key("function") && !m.contains_key("name") => {
            m.remove("function").unwrap_or(Value::Null)
        }
        other => other,
    };
    let Value::Object(mut m) = v else {
        reply.errors.push(err("a tool call must be a JSON object"));
        return;
    };
    let name = match m.remove("name") {
        Some(Value::String(n)) if !n.trim().is_empty() => n.trim().to_string(),
        _ => {
            reply.errors.push(err("the call has no \"name\" string"));
            return;
        }
    };
    let args = m
        .remove("arguments")
        .or_else(|| m.remove("parameters"))
        .unwrap_or_else(|| Value::Object(Default::default()));
    let arguments = match args {
        Value::String(s) => match serde_json::from_str::<Value>(&s) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                reply
                    .errors
                    .push(err("\"arguments\" is a string that is not a JSON object"));
                return;
            }
        },
        v @ Value::Object(_) => v,
        Value::Null => Value::Object(Default::default()),
        _ => {
            reply
                .errors
                .push(err("\"arguments\" must be a JSON object"));
            return;
        }
    };
    reply.calls.push(ToolCall { name, arguments });
}

/// The inside of a ```json fence, or the text itself.
fn strip_fence(s: &str) -> &str {
    let Some(rest) = s.strip_prefix("```") else {
        return s;
    };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.trim_end().strip_suffix("```").unwrap_or(rest).trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(name: &str, arguments: Value) -> ToolCall {
        ToolCall {
            name: name.into(),
            arguments,
        }
    }

    #[test]
    fn hermes_calls_and_surrounding_text() {
        let r = parse_tool_calls(
            "Let me compute.\n<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"2+2\"}}\n</tool_call>\n<tool_call>{\"name\": \"now\", \"arguments\": \"{}\"}</tool_call>",
        );
        assert_eq!(
            r.calls,
            vec![
                call("calculator", json!({"expression": "2+2"})),
                call("now", json!({}))
            ]
        );
        assert_eq!(r.content, "Let me compute.");
        assert!(r.errors.is_empty());
    }

    #[test]
    fn hermes_unclosed_tag_and_fenced_json() {
        let r = parse_tool_calls(
            "<tool_call>\n```json\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n```",
        );
        assert_eq!(r.calls, vec![call("f", json!({"x": 1}))]);
    }

    #[test]
    fn llama3_parameters_with_python_tag_and_semicolons() {
        let r = parse_tool_calls(
            "<|python_tag|>{\"name\": \"a\", \"parameters\": {\"q\": \"x\"}}; {\"name\": \"b\", \"parameters\": {}}",
        );
        assert_eq!(
            r.calls,
            vec![call("a", json!({"q": "x"})), call("b", json!({}))]
        );
        let r =
            parse_tool_calls("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}");
        assert_eq!(r.calls, vec![call("get_weather", json!({"city": "Paris"}))]);
    }

    #[test]
    fn bare_json_object_list_and_openai_shape() {
        let r = parse_tool_calls(
            "```json\n[{\"name\": \"a\", \"arguments\": {}}, {\"function\": {\"name\": \"b\", \"arguments\": \"{\\\"k\\\": 2}\"}}]\n```",
        );
        assert_eq!(
            r.calls,
            vec![call("a", json!({})), call("b", json!({"k": 2}))]
        );
    }

    #[test]
    fn plain_prose_has_no_calls() {
        let r = parse_tool_calls("The capital of France is Paris. {braces} are fine.");
        assert!(!r.has_calls());
        assert_eq!(
            r.content,
            "The capital of France is Paris. {braces} are fine."
        );
    }

    #[test]
    fn malformed_calls_become_errors_not_panics() {
        for text in [
            "<tool_call>{\"name\": \"calc\", \"arguments\": {\"x\": </tool_call>",
            "<tool_call>{\"arguments\": {}}</tool_call>",
            "<tool_call>[1, 2]</tool_call>",
            "<tool_call>{\"name\": \"f\", \"arguments\": \"not json\"}</tool_call>",
            "<tool_call>{\"name\": \"f\", \"arguments\": 3}</tool_call>",
            "{\"name\": \"f\", \"parameters\": {\"a\": 1}",
            "<|python_tag|>garbage",
            "<tool_call>",
        ] {
            let r = parse_tool_calls(text);
            assert!(r.calls.is_empty(), "{text}");
            assert_eq!(r.errors.len(), 1, "{text}");
            let msg = r.errors[0].to_message();
            assert_eq!(msg.role, "tool");
            assert!(msg.content.contains("could not read the tool call"));
        }
    }
}
